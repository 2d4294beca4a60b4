"""Visible checks of assignment 05_training, second part: preprocessing, the affine -
norm - ReLU sandwich, ``FullyConnectedNet`` and the update rules.

Each check builds its own small seeded inputs, calls exactly ONE graded function, and
compares it with an answer computed here, independently of the student's code:

* preprocessing (``preprocessing.py``) against SciPy: means and biased variances, and
  the principal components from the singular value decomposition of the centred data
  (``scipy.linalg.svd``). Eigenvectors are defined up to their sign, so components and
  projections are compared column by column up to a sign. The data have well separated
  eigenvalues, and one nearly constant feature (there ``eps`` matters);
* the sandwich's forward against the formulas written here, its backward against
  numerical gradients (:mod:`cs231n_utils.gradient_check`) in float64, with the ``cache``
  built here in the format the docstrings give (so the backward check does not depend
  on the student's forward);
* ``FullyConnectedNet.__init__``: parameter names, shapes and starting values;
  ``FullyConnectedNet.loss`` (on a model built here with given parameters, so that
  ``__init__`` does not matter): scores and loss against a forward pass written here,
  gradients against numerical gradients;
* each update rule, step by step over several steps (once from ``config=None``, once
  from a given config), against the same rule of ``torch.optim`` on the same gradients.

The comparisons (shapes, tolerances, messages, the hints that name a likely mistake)
are the public ``judge_*`` functions: a check calls its graded function, computes the
expected values with its oracle and hands both to the judge. The trusted grader's hidden
tests (``solutions/hidden_tests/05_training.py``) hand the same judges what a submission
returned on hidden inputs, with ``reveal=False``: then no message names an expected value.
The usual mistakes (statistics fitted on the validation data, eigenvectors in increasing
order, the regularisation term missing, Adam without its bias correction...) are in the
mistake catalogue, :mod:`cs231n_utils.checks.catalogue.training`, which a failing check
names first.

Arrays are compared by their largest difference relative to their largest entry
(:func:`relative_error`): both sides are exact up to rounding, and an entry that is zero
in theory (the gradient of a bias just before a batch normalisation) is then compared
with the size of its neighbours rather than with 0.

A check raises ``AssertionError`` with a one-line reason, or prints one line starting
with ``PASS``. A function that is not written yet raises its ``NotImplementedError``
unchanged. The checks write nothing to stderr and leave NumPy's global random state as
they found it. They are merged into :mod:`cs231n_utils.checks.training` (which names the
assignment) through :data:`CHECKS`.

>>> from cs231n_utils.checks.training_nets import check_adam
>>> check_adam()  # doctest: +SKIP
PASS adam: 2 runs of 6 steps (config=None and a given config) match torch.optim.Adam ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy import linalg
from scipy.special import logsumexp

from cs231n_utils.checks.common import assert_close_to_largest as _assert_close
from cs231n_utils.checks.common import close_to as _close
from cs231n_utils.checks.common import finite_array as _array
from cs231n_utils.checks.common import finite_number as _number
from cs231n_utils.checks.common import graded as _graded
from cs231n_utils.checks.common import quietly
from cs231n_utils.checks.common import relative_to_largest as relative_error
from cs231n_utils.checks.common import restoring_random_state as _restoring_random_state
from cs231n_utils.checks.common import result_tuple as _tuple
from cs231n_utils.checks.common import unchanged as _unchanged
from cs231n_utils.checks.mistakes import diagnosing
from cs231n_utils.gradient_check import eval_numerical_gradient_array

__all__ = [
    "CHECKS",
    "GRAD_TOLERANCE",
    "NEARLY_ONE",
    "OPTIM_DEFAULTS",
    "OPTIM_STATE",
    "VALUE_TOLERANCE",
    "apply_oracle",
    "check_adagrad",
    "check_adam",
    "check_affine_norm_relu_backward",
    "check_affine_norm_relu_forward",
    "check_apply_preprocessing",
    "check_fc_net_init",
    "check_fc_net_loss",
    "check_fit_preprocessing",
    "check_nesterov_momentum",
    "check_preprocess_splits",
    "check_rmsprop",
    "check_sgd_momentum",
    "dropout_masks",
    "fit_oracle",
    "judge_affine_norm_relu_backward",
    "judge_affine_norm_relu_forward",
    "judge_apply_preprocessing",
    "judge_fc_net_init",
    "judge_fc_net_loss",
    "judge_fc_net_scores",
    "judge_fit_preprocessing",
    "judge_preprocess_splits",
    "judge_update_rule",
    "net_loss",
    "net_scores",
    "norm_cache",
    "relative_error",
    "torch_optim_run",
]

#: Largest relative error accepted between two computations that are exact up to
#: rounding (outputs, losses, an update rule against torch.optim), in float64.
VALUE_TOLERANCE = 1e-9
#: Largest relative error accepted between an analytic and a numerical gradient.
GRAD_TOLERANCE = 1e-7
#: Arrays whose largest entry is below this are compared absolutely.
FLOOR = 1e-8
#: A gradient is compared relatively to its own largest entry, but at least to this
#: fraction of the largest entry of all the gradients checked together.
GRAD_FLOOR = 1e-2

NORMALIZATIONS = ("batchnorm", "layernorm")
#: The assignment these checks belong to (its mistake catalogue names failures).
_ASSIGNMENT = "05_training"  # not ASSIGNMENT: the self-check lists checks.training


# ------------------------------------------------------------------------ helpers


def _affine(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return x.reshape(len(x), -1) @ w + b


def _normalize(a: np.ndarray, gamma: np.ndarray, beta: np.ndarray, axis: int, eps: float,
               mean: np.ndarray | None = None, var: np.ndarray | None = None) -> np.ndarray:
    """``gamma * (a - mean) / sqrt(var + eps) + beta`` with the (biased) statistics over
    ``axis`` unless given."""
    if mean is None:
        mean, var = a.mean(axis=axis, keepdims=True), a.var(axis=axis, keepdims=True)
    return gamma * (a - mean) / np.sqrt(var + eps) + beta


# ================================================================== preprocessing


def fit_oracle(X: np.ndarray, method: str, num_components: int | None = None,
               eps: float = 1e-5) -> dict[str, Any]:
    """The statistics of a preprocessing ``method`` fitted on ``X``, from SciPy's SVD of
    the centred data: ``mean``, ``scale`` (standardize), ``components`` (D, k) and
    ``variances`` (k,) (pca, whiten; eigenvalues of ``Xc.T @ Xc / N`` in decreasing
    order, the right singular vectors as columns), and ``method``, ``eps``."""
    X = np.asarray(X, dtype=np.float64)
    stats: dict[str, Any] = {"method": method, "eps": eps, "mean": X.mean(axis=0)}
    centred = X - stats["mean"]
    if method == "standardize":
        stats["scale"] = np.sqrt(np.mean(centred**2, axis=0) + eps)
    elif method in ("pca", "whiten"):
        _, s, vt = linalg.svd(centred, full_matrices=True)
        variances = np.zeros(X.shape[1])
        variances[:len(s)] = s**2 / len(X)
        components = vt.T
        k = X.shape[1] if num_components is None else int(num_components)
        stats["components"], stats["variances"] = components[:, :k], variances[:k]
    return stats


def apply_oracle(X: np.ndarray, stats: Mapping[str, Any]) -> np.ndarray:
    """``X`` transformed with ``stats`` (the formulas of ``apply_preprocessing``)."""
    out = np.asarray(X, dtype=np.float64) - stats["mean"]
    if stats["method"] == "standardize":
        out = out / stats["scale"]
    elif stats["method"] in ("pca", "whiten"):
        out = out @ stats["components"]
        if stats["method"] == "whiten":
            out = out / np.sqrt(stats["variances"] + stats["eps"])
    return out


def _signs(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """The sign of each column of ``got`` relative to the same column of ``want``."""
    dots = np.sum(np.asarray(got, dtype=np.float64) * want, axis=0)
    return np.where(dots < 0, -1.0, 1.0)


def _close_up_to_sign(got: Any, want: np.ndarray, tol: float) -> bool:
    """Whether ``got`` matches ``want`` column by column up to a sign per column."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if got.shape != want.shape:
        return False
    return _close(got * _signs(got, want), want, tol)


def _components_hint(X: np.ndarray, got: np.ndarray, k: int) -> str:
    """Why ``got`` (D, k) is not the top ``k`` unit eigenvectors of the covariance of
    ``X``, in order of decreasing eigenvalue: not unit vectors, eigenvectors of the
    uncentred data, in increasing order, or not eigenvectors at all."""
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=0)
    norms = np.linalg.norm(got, axis=0)
    if np.any(np.abs(norms - 1) > 1e-6):
        return "each column of components must be a UNIT eigenvector (norm 1)"

    def eigen_residual(matrix: np.ndarray) -> float:
        rayleigh = np.sum(got * (matrix @ got), axis=0)
        return float(np.max(np.linalg.norm(matrix @ got - got * rayleigh, axis=0))
                     / np.linalg.norm(matrix, 2))

    cov = centred.T @ centred / len(X)
    if eigen_residual(cov) < 1e-6:
        rayleigh = np.sum(got * (cov @ got), axis=0)
        top = np.sort(np.linalg.eigvalsh(cov))[::-1][:k]
        if not np.allclose(rayleigh, top, rtol=1e-6, atol=1e-12 * top[0]):
            return ("sort the eigenvectors by DECREASING eigenvalue and keep the first "
                    "num_components (np.linalg.eigh returns them in increasing order)")
        return ""
    second_moment = X.T @ X / len(X)
    if eigen_residual(second_moment) < 1e-6:
        return "centre the data (subtract the mean) before computing the covariance"
    return ("the columns of components must be eigenvectors of the covariance "
            "Xc.T @ Xc / N (np.linalg.eigh returns them as the COLUMNS of its second "
            "result, eigenvectors[:, i])")


def _judge_stats(X: np.ndarray, method: str, num_components: int | None, eps: float,
                 stats: Any, want: Mapping[str, Any], what: str, tol: float,
                 reveal: bool) -> float:
    """Compare the ``stats`` dict fitted on ``X`` with the oracle's ``want``; return the
    largest relative error. Components are compared up to the sign of each column."""
    assert isinstance(stats, Mapping), (
        f"{what} must be a dict of statistics (see the docstring), got "
        f"{type(stats).__name__}")
    N, D = X.shape
    needed = {"center": ("mean",), "standardize": ("mean", "scale"),
              "pca": ("mean", "components", "variances"),
              "whiten": ("mean", "components", "variances")}[method]
    for key in needed:
        assert key in stats, (
            f"{what} has no key {key!r} (method {method!r} needs {', '.join(needed)}); "
            f"it has {sorted(str(k) for k in stats)}")
    assert str(stats.get("method")) == method, (
        f"{what}['method'] is {stats.get('method')!r}, expected the method given")

    mean = stats["mean"]
    assert np.shape(mean) == (D,), (
        f"{what}['mean'] has shape {np.shape(mean)}, expected ({D},): one mean per "
        "feature, over the examples (axis 0)")
    mean = _array(mean, f"{what}['mean']", (D,))
    worst = _assert_close(mean, want["mean"], f"{what}['mean']", tol,
                          "the mean of each feature over the examples: X.mean(axis=0)",
                          reveal=reveal)
    if method == "standardize":
        scale = _array(stats["scale"], f"{what}['scale']", (D,))
        # the usual mistakes: cs231n_utils.checks.catalogue.training
        worst = max(worst, _assert_close(scale, want["scale"], f"{what}['scale']", tol,
                                         "scale = sqrt(X.var(axis=0) + eps)",
                                         reveal=reveal))
    elif method in ("pca", "whiten"):
        k = D if num_components is None else int(num_components)
        components = stats["components"]
        shape_hint = ""
        if np.shape(components) == (k, D) and k != D:
            shape_hint = "; the eigenvectors are the COLUMNS: shape (D, num_components)"
        elif np.shape(components) == (D, D) and k != D:
            shape_hint = f"; keep only the first num_components = {k} eigenvectors"
        assert np.shape(components) == (D, k), (
            f"{what}['components'] has shape {np.shape(components)}, expected "
            f"({D}, {k}){shape_hint}")
        components = _array(components, f"{what}['components']", (D, k))
        signs = _signs(components, want["components"])
        error = relative_error(components * signs, want["components"])
        if not error <= tol:
            hint = _components_hint(X, components, k)
            worst_col = int(np.argmax(np.max(np.abs(components * signs
                                                    - want["components"]), axis=0)))
            raise AssertionError(
                f"{what}['components']: relative error {error:.1e} exceeds {tol:g} (column "
                f"{worst_col}, compared up to its sign)" + (f"; {hint}" if hint else ""))
        worst = max(worst, error)
        variances = stats["variances"]
        assert np.shape(variances) == (k,), (
            f"{what}['variances'] has shape {np.shape(variances)}, expected ({k},): the "
            "eigenvalues of the kept components")
        variances = _array(variances, f"{what}['variances']", (k,))
        worst = max(worst, _assert_close(
            variances, want["variances"], f"{what}['variances']", tol,
            "the eigenvalues of Xc.T @ Xc / N, in decreasing order", reveal=reveal))
    return worst


def judge_fit_preprocessing(X: np.ndarray, method: str, num_components: int | None,
                            eps: float, stats: Any, X_after: Any, want: Mapping[str, Any],
                            tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``fit_preprocessing(X, method, num_components, eps)`` left ``X`` as it
    was (``X_after``) and returned ``stats`` matching the oracle's ``want``.

    Parameters
    ----------
    X : numpy.ndarray, shape (N, D)
        The data given.
    method : str
        One of ``"center"``, ``"standardize"``, ``"pca"``, ``"whiten"``.
    num_components : int or None
        The ``num_components`` given.
    eps : float
        The ``eps`` given.
    stats : Any
        What the function returned (a dict of statistics).
    X_after : array_like
        ``X`` after the call.
    want : mapping
        The expected statistics (:func:`fit_oracle`). ``components`` are compared column
        by column up to a sign (an eigenvector's sign is arbitrary).
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    _unchanged(X, np.asarray(X_after), "fit_preprocessing", "X")
    k = "" if num_components is None else f", num_components={num_components}"
    what = f"fit_preprocessing(X, {method!r}{k}): stats"
    return _judge_stats(X, method, num_components, eps, stats, want, what, tol, reveal)


def _separated_data(rng: np.random.Generator, N: int, scales: Sequence[float],
                    shift: float = 0.0, tiny: float | None = None) -> np.ndarray:
    """N examples whose covariance has (about) the eigenvalues ``scales ** 2`` along
    random orthogonal directions, a random mean (plus ``shift``), and, with ``tiny``, a
    last feature of standard deviation ``tiny``."""
    D = len(scales)
    q = linalg.qr(rng.normal(size=(D, D)))[0]
    X = rng.normal(size=(N, D)) * np.asarray(scales) @ q.T + rng.normal(size=D) * 2 + shift
    if tiny is not None:
        X = np.hstack([X, 5.0 + tiny * rng.normal(size=(N, 1))])
    return X


def check_fit_preprocessing() -> None:
    """Check ``fit_preprocessing`` on 40 examples of 6 features (one nearly constant)
    against SciPy: "center", "standardize", "pca" with all and with 3 components, and
    "whiten" with 4 components and eps = 1e-3.

    Raises
    ------
    AssertionError
        With a one-line reason, if a statistic is wrong or ``X`` is changed.
    """
    fit = _graded("preprocessing", "fit_preprocessing")
    X = _separated_data(np.random.default_rng(5200), 40, [3.0, 1.8, 1.0, 0.5, 0.02],
                        tiny=1e-3)
    worst = 0.0
    for method, k, eps in [("center", None, 1e-5), ("standardize", None, 1e-5),
                           ("pca", None, 1e-5), ("pca", 3, 1e-5), ("whiten", 4, 1e-3)]:
        given = X.copy()
        stats = quietly(fit, given, method, k, eps)
        worst = max(worst, judge_fit_preprocessing(X, method, k, eps, stats, given,
                                                   fit_oracle(X, method, k, eps)))
    print(f"PASS fit_preprocessing: means, scales (biased variance + eps), components (up "
          f"to sign, decreasing eigenvalues) and variances match SciPy for the 4 methods "
          f"(largest relative error {worst:.1e})")


def judge_apply_preprocessing(X: np.ndarray, stats: Mapping[str, Any], out: Any,
                              X_after: Any, want: np.ndarray, tol: float = VALUE_TOLERANCE,
                              reveal: bool = True) -> float:
    """Assert that ``apply_preprocessing(X, stats)`` left ``X`` as it was (``X_after``) and
    returned ``out`` matching ``want`` (exactly the projection onto the given components,
    no sign freedom).

    Parameters
    ----------
    X : numpy.ndarray, shape (N, D)
        The data given.
    stats : mapping
        The statistics given (as :func:`fit_oracle` makes them).
    out : Any
        What the function returned.
    X_after : array_like
        ``X`` after the call.
    want : numpy.ndarray
        The expected output (:func:`apply_oracle`).
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The relative error.
    """
    method = stats["method"]
    what = f"apply_preprocessing(X, stats of {method!r})"
    _unchanged(X, np.asarray(X_after), "apply_preprocessing", "X")
    assert out is not None, f"{what} returned None: return the transformed array"
    shape_hint = ""
    if method in ("pca", "whiten") and np.shape(out) == X.shape != want.shape:
        shape_hint = "; project onto the components: (X - mean) @ components"
    assert np.shape(out) == want.shape, (
        f"{what} has shape {np.shape(out)}, expected {want.shape}{shape_hint}")
    out = _array(out, what, want.shape)
    # the usual mistakes: cs231n_utils.checks.catalogue.training
    formulas = {"center": "X - mean", "standardize": "(X - mean) / scale",
                "pca": "(X - mean) @ components",
                "whiten": "(X - mean) @ components / sqrt(variances + eps)"}
    return _assert_close(out, want, what, tol, formulas[method], reveal=reveal)


def check_apply_preprocessing() -> None:
    """Check ``apply_preprocessing`` with statistics fitted here (SciPy) on other data:
    each of the 4 methods (pca with 3 components, whiten with 4 and eps = 1e-2) applied to
    30 new examples and to the data the statistics were fitted on.

    Raises
    ------
    AssertionError
        With a one-line reason, if an output is wrong or ``X`` is changed.
    """
    apply = _graded("preprocessing", "apply_preprocessing")
    rng = np.random.default_rng(5210)
    X_fit = _separated_data(rng, 50, [2.5, 1.5, 0.9, 0.4, 0.05], tiny=1e-3)
    X_new = X_fit[:30] * 1.3 + rng.normal(size=X_fit.shape[1]) + rng.normal(size=(30, 6))
    worst = 0.0
    for method, k, eps in [("center", None, 1e-5), ("standardize", None, 1e-5),
                           ("pca", 3, 1e-5), ("whiten", 4, 1e-2)]:
        stats = fit_oracle(X_fit, method, k, eps)
        for X in (X_new, X_fit):
            given = X.copy()
            out = quietly(apply, given, {key: (v.copy() if isinstance(v, np.ndarray) else v)
                                         for key, v in stats.items()})
            worst = max(worst, judge_apply_preprocessing(X, stats, out, given,
                                                         apply_oracle(X, stats)))
    print(f"PASS apply_preprocessing: center, standardize, pca and whiten match their "
          f"formulas with the statistics given (largest relative error {worst:.1e})")


SPLITS = ("X_train", "X_val", "X_test")


def judge_preprocess_splits(splits: Mapping[str, np.ndarray], method: str,
                            num_components: int | None, eps: float, result: Any,
                            afters: Mapping[str, Any], want: Sequence[np.ndarray],
                            want_stats: Mapping[str, Any], tol: float = VALUE_TOLERANCE,
                            reveal: bool = True) -> float:
    """Assert that ``preprocess_splits(X_train, X_val, X_test, method, num_components,
    eps)`` left the splits as they were and returned ``result``, the 4 items
    ``(X_train', X_val', X_test', stats)``, matching ``want`` (the three outputs) and
    ``want_stats``. When a split was transformed with statistics fitted on itself, or on
    all the splits together, the message names that leak.

    For "pca" and "whiten", the sign of each projected feature is taken from the
    training output: the validation and test outputs must use the same components (same
    signs); ``stats['components']`` is compared up to sign.

    Parameters
    ----------
    splits : mapping
        ``X_train``, ``X_val``, ``X_test`` as given.
    method, num_components, eps
        The arguments given.
    result : Any
        What the function returned (a list or tuple of 4 items).
    afters : mapping
        The three splits after the call.
    want : sequence of numpy.ndarray
        The three expected outputs.
    want_stats : mapping
        The expected statistics (fitted on ``X_train``).
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    for name in SPLITS:
        _unchanged(splits[name], np.asarray(afters[name]), "preprocess_splits", name)
    result = _tuple(result, 4, "preprocess_splits", "X_train_out, X_val_out, X_test_out, stats")
    k = "" if num_components is None else f", num_components={num_components}"
    call = f"preprocess_splits(..., {method!r}{k})"
    projected = method in ("pca", "whiten")
    out_k = want[0].shape[1]
    worst, signs = 0.0, np.ones(out_k)
    for name, got, expected in zip(SPLITS, result[:3], want, strict=True):
        what = f"{call}: {name}_out"
        assert got is not None and np.shape(got) == expected.shape, (
            f"{what} has shape {np.shape(got)}, expected {expected.shape}")
        got = _array(got, what, expected.shape)
        if projected and name == "X_train":
            signs = _signs(got, expected)
        error = relative_error(got * signs, expected)
        if not error <= tol:
            # the usual mistakes (statistics fitted on a split itself, or on all the
            # splits together): cs231n_utils.checks.catalogue.training
            hint = ""
            if projected and name != "X_train" and _close_up_to_sign(got, expected, tol):
                hint = (f"{name} was projected with components of other signs than X_train: "
                        "use the very same statistics for every split")
            _assert_close(got * signs, expected, what, tol,
                          hint or "apply the statistics fitted on X_train to every split",
                          reveal=reveal)
        worst = max(worst, error)
    stats = result[3]   # fitted on another split: cs231n_utils.checks.catalogue.training
    worst = max(worst, _judge_stats(splits["X_train"], method, num_components, eps, stats,
                                    want_stats, f"{call}: stats", tol, reveal))
    return worst


def _three_splits(rng: np.random.Generator, sizes: Sequence[int], D: int,
                  tiny: float | None = None) -> dict[str, np.ndarray]:
    """Three splits of different means, scales and directions (so that statistics fitted
    on one of them differ clearly from those fitted on another)."""
    base = 2.0 * 0.55 ** np.arange(D)
    return {name: _separated_data(rng, size, base * (1 + 0.4 * i), shift=1.5 * i, tiny=tiny)
            for i, (name, size) in enumerate(zip(SPLITS, sizes, strict=True))}


def check_preprocess_splits() -> None:
    """Check ``preprocess_splits`` on three splits drawn from different distributions
    (50, 20 and 15 examples of 6 features): the 4 methods (pca with 3 components), each
    split transformed with the statistics of the TRAINING split (a split transformed with
    statistics fitted on itself, or on all three together, is named as a leak).

    Raises
    ------
    AssertionError
        With a one-line reason, if an output or the statistics are wrong.
    """
    preprocess = _graded("preprocessing", "preprocess_splits")
    splits = _three_splits(np.random.default_rng(5220), (50, 20, 15), 5, tiny=1e-3)
    worst = 0.0
    for method, k in [("center", None), ("standardize", None), ("pca", 3), ("whiten", None)]:
        eps = 1e-5
        given = {name: X.copy() for name, X in splits.items()}
        result = quietly(preprocess, given["X_train"], given["X_val"], given["X_test"],
                         method, k, eps)
        stats = fit_oracle(splits["X_train"], method, k, eps)
        want = [apply_oracle(splits[name], stats) for name in SPLITS]
        worst = max(worst, judge_preprocess_splits(splits, method, k, eps, result, given,
                                                   want, stats))
    print(f"PASS preprocess_splits: the 3 splits transformed with statistics fitted on "
          f"X_train only, for the 4 methods (largest relative error {worst:.1e})")


# ============================================================ affine - norm - ReLU


def _norm_axis(normalization: str) -> int:
    return 0 if normalization == "batchnorm" else 1


def judge_affine_norm_relu_forward(inputs: Mapping[str, np.ndarray], normalization: str,
                                   norm_param: Mapping[str, Any], out: Any,
                                   afters: Mapping[str, Any], running: Any,
                                   want: np.ndarray, want_running: Any,
                                   tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``affine_norm_relu_forward(x, w, b, gamma, beta, norm_param,
    normalization)`` left its arrays as they were and returned ``out`` matching ``want``;
    in batch normalisation's training mode, that ``norm_param`` now holds the updated
    running averages ``running`` (``(running_mean, running_var)``, None if missing) equal
    to ``want_running``.

    Parameters
    ----------
    inputs : mapping
        ``x``, ``w``, ``b``, ``gamma``, ``beta`` as given.
    normalization : str
        ``"batchnorm"`` or ``"layernorm"``.
    norm_param : mapping
        The ``norm_param`` as given (before the call).
    out : Any
        What the function returned first.
    afters : mapping
        The five arrays after the call.
    running : Any
        ``(norm_param['running_mean'], norm_param['running_var'])`` after the call, or None.
    want : numpy.ndarray
        The expected output.
    want_running : tuple of numpy.ndarray or None
        The expected running averages (None: not checked).
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    mode = norm_param.get("mode", "train") if normalization == "batchnorm" else "train"
    what = f"affine_norm_relu_forward ({normalization}" + (
        f", mode {mode!r})" if normalization == "batchnorm" else ")")
    for name in ("x", "w", "b", "gamma", "beta"):
        _unchanged(inputs[name], np.asarray(afters[name]), "affine_norm_relu_forward", name)
    out = _array(out, f"{what}: out", want.shape)
    # the usual mistakes: cs231n_utils.checks.catalogue.training
    worst = _assert_close(out, want, f"{what}: out", tol,
                          "out = relu(norm(x_flat @ w + b))", reveal=reveal)
    if want_running is not None:
        assert running is not None, (
            f"{what}: norm_param has no running_mean / running_var after the call: pass "
            "norm_param itself to batchnorm_forward (it keeps the running averages there)")
        for name, got, expected in zip(("running_mean", "running_var"), running,
                                       want_running, strict=True):
            got = _array(got, f"{what}: norm_param[{name!r}]", expected.shape)
            hint = "batchnorm_forward updates the running averages in norm_param"
            worst = max(worst, _assert_close(got, expected, f"{what}: norm_param[{name!r}]",
                                             tol, hint, reveal=reveal))
    return worst


def _sandwich_inputs(rng: np.random.Generator, N: int, dims: tuple[int, ...],
                     M: int) -> dict[str, np.ndarray]:
    D = int(np.prod(dims))
    return {"x": rng.normal(size=(N, *dims)), "w": rng.normal(size=(D, M)) / np.sqrt(D),
            "b": rng.normal(size=M), "gamma": 1.0 + 0.5 * rng.normal(size=M),
            "beta": 0.5 * rng.normal(size=M)}


def check_affine_norm_relu_forward() -> None:
    """Check ``affine_norm_relu_forward`` on x of shape (6, 3, 4), 5 outputs: batch
    normalisation in training mode (out, and the running averages updated in
    ``norm_param``) and in test mode (with the running averages given), and layer
    normalisation, against the formulas written here.

    Raises
    ------
    AssertionError
        With a one-line reason, if the output or the running averages are wrong.
    """
    forward = _graded("layer_utils", "affine_norm_relu_forward")
    rng = np.random.default_rng(5230)
    inputs = _sandwich_inputs(rng, 6, (3, 4), 5)
    running = (rng.normal(size=5), rng.uniform(0.5, 2.0, size=5))
    params = [("batchnorm", {"mode": "train", "eps": 1e-4, "momentum": 0.8,
                             "running_mean": running[0], "running_var": running[1]}),
              ("batchnorm", {"mode": "test", "eps": 1e-4, "running_mean": running[0],
                             "running_var": running[1]}),
              ("layernorm", {"eps": 1e-4})]
    worst = 0.0
    for normalization, norm_param in params:
        given = {k: v.copy() for k, v in inputs.items()}
        param = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in norm_param.items()}
        result = _tuple(quietly(forward, given["x"], given["w"], given["b"], given["gamma"],
                                given["beta"], param, normalization), 2,
                        "affine_norm_relu_forward", "out, cache")
        a = _affine(inputs["x"], inputs["w"], inputs["b"])
        eps = norm_param["eps"]
        want_running = None
        if normalization == "layernorm":
            want = _normalize(a, inputs["gamma"], inputs["beta"], 1, eps)
        elif norm_param["mode"] == "test":
            want = _normalize(a, inputs["gamma"], inputs["beta"], 0, eps, *running)
        else:
            want = _normalize(a, inputs["gamma"], inputs["beta"], 0, eps)
            m = norm_param["momentum"]
            want_running = (m * running[0] + (1 - m) * a.mean(axis=0),
                            m * running[1] + (1 - m) * a.var(axis=0))
        got_running = None
        if "running_mean" in param and "running_var" in param:
            got_running = (param["running_mean"], param["running_var"])
        worst = max(worst, judge_affine_norm_relu_forward(
            inputs, normalization, norm_param, result[0], given, got_running,
            np.maximum(want, 0.0), want_running))
    print(f"PASS affine_norm_relu_forward: batchnorm (train, with the running averages, and "
          f"test) and layernorm match relu(norm(affine)) (largest relative error {worst:.1e})")


def norm_cache(a: np.ndarray, gamma: np.ndarray, beta: np.ndarray, normalization: str,
               eps: float) -> tuple:
    """The cache of ``batchnorm_forward`` (training mode) or ``layernorm_forward`` on
    ``a``, in the docstrings' format ``(x, x_hat, mean, var, gamma, beta, eps)``: mean and
    var of shape (D,) for batch normalisation, (N,) for layer normalisation."""
    axis = _norm_axis(normalization)
    mean, var = a.mean(axis=axis), a.var(axis=axis)
    shaped = (mean, var) if axis == 0 else (mean[:, None], var[:, None])
    x_hat = (a - shaped[0]) / np.sqrt(shaped[1] + eps)
    return a, x_hat, mean, var, gamma, beta, eps


def judge_affine_norm_relu_backward(dout: np.ndarray, cache: tuple, got: Any,
                                    want: Sequence[np.ndarray], tol: float = GRAD_TOLERANCE,
                                    reveal: bool = True) -> float:
    """Assert that ``got``, what ``affine_norm_relu_backward(dout, cache)`` returned,
    is the 5 gradients ``(dx, dw, db, dgamma, dbeta)`` matching ``want``; return the
    largest relative error. Each gradient is compared with its own largest entry, but at
    least with :data:`GRAD_FLOOR` times the largest entry of the five (``db`` is zero in
    theory before a batch normalisation).

    Parameters
    ----------
    dout : numpy.ndarray
        The upstream gradient given.
    cache : tuple
        The cache given, ``((x, w, b), norm_cache, relu_cache, normalization)``.
    got : Any
        What the function returned.
    want : sequence of numpy.ndarray
        The expected gradients.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    normalization = cache[3]
    function = f"affine_norm_relu_backward ({normalization})"
    got = _tuple(got, 5, function, "dx, dw, db, dgamma, dbeta")
    names = ("dx", "dw", "db", "dgamma", "dbeta")
    arrays = [_array(g, f"{function}: {name}", np.shape(w))
              for name, g, w in zip(names, got, want, strict=True)]
    floor = GRAD_FLOOR * max(float(np.max(np.abs(w))) for w in want)
    worst = 0.0   # the usual mistakes: cs231n_utils.checks.catalogue.training
    for i, name in enumerate(names):
        error = relative_error(arrays[i], want[i], floor)
        if not error <= tol:
            hint = "backward through the ReLU, the normalisation, then the affine layer"
            _assert_close(arrays[i], want[i], f"{function}: {name}", tol, hint,
                          reveal=reveal, floor=floor)
        worst = max(worst, error)
    return worst


def _sandwich_case(rng: np.random.Generator, normalization: str, N: int,
                   dims: tuple[int, ...], M: int, eps: float) -> tuple[dict, tuple, np.ndarray]:
    """Inputs, the cache built from them (trusted pieces) and an upstream gradient."""
    inputs = _sandwich_inputs(rng, N, dims, M)
    a = _affine(inputs["x"], inputs["w"], inputs["b"])
    ncache = norm_cache(a, inputs["gamma"], inputs["beta"], normalization, eps)
    relu_in = inputs["gamma"] * ncache[1] + inputs["beta"]
    cache = ((inputs["x"], inputs["w"], inputs["b"]), ncache, relu_in, normalization)
    return inputs, cache, rng.normal(size=a.shape)


def check_affine_norm_relu_backward() -> None:
    """Check ``affine_norm_relu_backward`` against numerical gradients, x of shape
    (7, 2, 3), 4 outputs, for batch and layer normalisation.

    The cache is built here from the inputs: ``((x, w, b), norm_cache, relu_cache,
    normalization)`` with ``norm_cache = (a, a_hat, mean, var, gamma, beta, eps)`` (``a``
    the affine output, statistics of shape (D,) for batch normalisation and (N,) for layer
    normalisation) and ``relu_cache`` the ReLU's input. The numerical gradients keep the
    ReLU's mask fixed (the derivative of the ReLU, away from its kink).

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    backward = _graded("layer_utils", "affine_norm_relu_backward")
    rng = np.random.default_rng(5240)
    worst = 0.0
    for normalization in NORMALIZATIONS:
        eps = 1e-5
        inputs, cache, dout = _sandwich_case(rng, normalization, 7, (2, 3), 4, eps)
        mask = cache[2] > 0
        axis = _norm_axis(normalization)
        names = ("x", "w", "b", "gamma", "beta")

        def f(x: np.ndarray, w: np.ndarray, b: np.ndarray, gamma: np.ndarray,
              beta: np.ndarray, axis: int = axis, mask: np.ndarray = mask,
              eps: float = eps) -> np.ndarray:
            return _normalize(_affine(x, w, b), gamma, beta, axis, eps) * mask

        numeric = []
        for name in names:
            args = [inputs[n] for n in names]

            def g(_: np.ndarray, args: list = args) -> np.ndarray:
                return f(*args)

            numeric.append(eval_numerical_gradient_array(g, inputs[name], dout))
        copied = ((cache[0][0].copy(), cache[0][1].copy(), cache[0][2].copy()),
                  tuple(c.copy() if isinstance(c, np.ndarray) else c for c in cache[1]),
                  cache[2].copy(), normalization)
        got = quietly(backward, dout.copy(), copied)
        worst = max(worst, judge_affine_norm_relu_backward(dout, cache, got, numeric))
    print(f"PASS affine_norm_relu_backward: dx, dw, db, dgamma, dbeta match numerical "
          f"gradients for batchnorm and layernorm (largest relative error {worst:.1e})")


# =============================================================== FullyConnectedNet


def _net_param_shapes(hidden_dims: Sequence[int], input_dim: int, num_classes: int,
                      normalization: str | None) -> dict[str, tuple[int, ...]]:
    dims = [input_dim, *hidden_dims, num_classes]
    shapes: dict[str, tuple[int, ...]] = {}
    for i in range(1, len(dims)):
        shapes[f"W{i}"], shapes[f"b{i}"] = (dims[i - 1], dims[i]), (dims[i],)
        if normalization is not None and i < len(dims) - 1:
            shapes[f"gamma{i}"], shapes[f"beta{i}"] = (dims[i],), (dims[i],)
    return shapes


def judge_fc_net_init(params: Any, again: Mapping[str, Any] | None,
                      hidden_dims: Sequence[int], input_dim: int, num_classes: int,
                      normalization: str | None, weight_scale: float,
                      check_scale: bool = True, reveal: bool = True) -> None:
    """Assert that ``FullyConnectedNet(hidden_dims, input_dim, num_classes,
    normalization=normalization, weight_scale=weight_scale, seed=...)`` made ``params``
    as the docstring says: the keys ``W1``..``WL``, ``b1``..``bL`` (and ``gamma1``,
    ``beta1``, ... for the L - 1 hidden layers with a normalisation), their shapes, zero
    biases, gamma ones, beta zeros, and (``check_scale``) weights of mean about 0 and
    standard deviation within 10 % of ``weight_scale``; and that a second model made with
    the same seed has the same parameters (``again``).

    Parameters
    ----------
    params : dict or Any
        ``model.params`` (anything but a dict fails).
    again : mapping or None
        The parameters of a second model made with the same ``seed`` (None: not checked).
    hidden_dims, input_dim, num_classes, normalization, weight_scale
        The arguments given.
    check_scale : bool
        Whether the weights are large enough (a few hundred entries each) to test their
        standard deviation.
    reveal : bool
        Whether a message may name the expected standard deviation (False for hidden
        inputs).
    """
    assert isinstance(params, Mapping), (
        "FullyConnectedNet must keep its parameters in the dict self.params, got "
        f"{type(params).__name__}")
    shapes = _net_param_shapes(hidden_dims, input_dim, num_classes, normalization)
    L = len(hidden_dims) + 1
    keys = {str(k) for k in params}
    if keys != set(shapes):
        missing, extra = sorted(set(shapes) - keys), sorted(keys - set(shapes))
        hint = ""
        if any(k.startswith(("gamma", "beta")) for k in missing):
            hint = ("; with a normalisation, hidden layer i has gamma{i} (ones) and beta{i} "
                    "(zeros)")
        elif f"gamma{L}" in extra or f"beta{L}" in extra:
            hint = "; the last affine layer (the scores) has no normalisation"
        elif any(k.startswith(("gamma", "beta")) for k in extra):
            hint = "; gamma and beta only with normalization='batchnorm' or 'layernorm'"
        raise AssertionError(
            f"self.params must have the keys {sorted(shapes)} for hidden_dims="
            f"{list(hidden_dims)}, normalization={normalization!r}; missing {missing}, "
            f"unexpected {extra}{hint}")
    for name, shape in shapes.items():
        value = params[name]
        assert np.shape(value) == shape, (
            f"self.params[{name!r}] has shape {np.shape(value)}, expected {shape}")
        value = _array(value, f"self.params[{name!r}]", shape)
        start = {"b": 0.0, "gamma": 1.0, "beta": 0.0}.get(name.rstrip("0123456789"))
        if start is not None:
            assert np.all(value == start), f"self.params[{name!r}] must start at {start:g}"
        elif check_scale:
            std, mean = float(np.std(value)), float(np.mean(value))
            assert abs(std / weight_scale - 1) < 0.1 and abs(mean) < 0.5 * weight_scale, (
                f"self.params[{name!r}] has mean {mean:.3g} and standard deviation "
                f"{std:.3g}; expected weights drawn as weight_scale * np.random.randn(...)"
                + (f" (std {weight_scale:g})" if reveal else ""))
    if again is not None:
        for name in shapes:
            assert np.array_equal(np.asarray(params[name]), np.asarray(again.get(name))), (
                f"self.params[{name!r}] differs between two models made with the same seed: "
                "draw the weights with np.random.randn (the constructor seeds it)")


def check_fc_net_init() -> None:
    """Check ``FullyConnectedNet.__init__`` for hidden_dims [60, 40] (input 120, 25
    classes) without normalisation, with batch and with layer normalisation, and with no
    hidden layer: the parameters' names, shapes and starting values, and the same
    parameters from the same seed.

    Raises
    ------
    AssertionError
        With a one-line reason, if a parameter is missing or wrong.
    """
    FullyConnectedNet = _graded("classifiers.fc_net", "FullyConnectedNet")  # noqa: N806
    for hidden_dims, normalization in [([60, 40], None), ([60, 40], "batchnorm"),
                                       ([60, 40], "layernorm"), ([], None)]:
        kwargs = {"input_dim": 120, "num_classes": 25, "normalization": normalization,
                  "weight_scale": 0.05, "reg": 0.1, "dtype": np.float64, "seed": 5250}
        model = _restoring_random_state(FullyConnectedNet, list(hidden_dims), **kwargs)
        again = _restoring_random_state(FullyConnectedNet, list(hidden_dims), **kwargs)
        judge_fc_net_init(getattr(model, "params", None), getattr(again, "params", None),
                          hidden_dims, 120, 25, normalization, 0.05)
    print("PASS FullyConnectedNet.__init__: W1..WL, b1..bL (and gamma, beta per hidden "
          "layer with a normalisation) of the right shapes; weights with std weight_scale, "
          "zero biases, gamma 1, beta 0; reproducible from the seed")


def dropout_masks(seed: int, keep: float, N: int, hidden_dims: Sequence[int]) -> list:
    """The dropout masks of a ``FullyConnectedNet`` with ``dropout_keep_ratio = keep`` and
    ``seed``, in training mode: every dropout layer calls ``np.random.seed(seed)`` and
    draws ``(np.random.rand(N, H) < keep) / keep`` (the docstrings' semantics)."""
    return [(np.random.RandomState(seed).rand(N, H) < keep) / keep for H in hidden_dims]


def net_scores(X: np.ndarray, params: Mapping[str, np.ndarray], normalization: str | None,
               mode: str = "train", running: Sequence[tuple] | None = None,
               masks: Sequence[np.ndarray] | None = None, eps: float = 1e-5) -> np.ndarray:
    """The scores of a ``FullyConnectedNet`` with ``params``, written out: each hidden
    layer affine - [norm] - ReLU - [dropout mask], then affine. In test mode batch
    normalisation uses ``running`` ((mean, var) per layer) and there is no dropout."""
    L = sum(1 for k in params if k.startswith("W"))
    h = X.reshape(len(X), -1)
    for i in range(1, L):
        a = h @ params[f"W{i}"] + params[f"b{i}"]
        if normalization == "batchnorm" and mode == "test":
            a = _normalize(a, params[f"gamma{i}"], params[f"beta{i}"], 0, eps,
                           *running[i - 1])
        elif normalization is not None:
            a = _normalize(a, params[f"gamma{i}"], params[f"beta{i}"],
                           _norm_axis(normalization), eps)
        h = np.maximum(a, 0.0)
        if masks is not None and mode == "train":
            h = h * masks[i - 1]
    return h @ params[f"W{L}"] + params[f"b{L}"]


def net_loss(scores: np.ndarray, y: np.ndarray, params: Mapping[str, np.ndarray],
             reg: float) -> float:
    """Softmax loss of ``scores`` plus ``0.5 * reg * sum(W ** 2)`` over the weights."""
    data = float(np.mean(logsumexp(scores, axis=1) - scores[np.arange(len(y)), y]))
    return data + 0.5 * reg * sum(float(np.sum(v * v)) for k, v in params.items()
                                  if k.startswith("W"))


def judge_fc_net_scores(X: np.ndarray, params: Mapping[str, np.ndarray],
                        normalization: str | None, running: Sequence[tuple] | None,
                        scores: Any, want: np.ndarray, what: str,
                        tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``scores``, what ``FullyConnectedNet.loss(X)`` (test mode) returned,
    matches ``want``; return the relative error.

    Parameters
    ----------
    X : numpy.ndarray
        The inputs given.
    params : mapping
        The model's parameters.
    normalization : str or None
        The model's normalisation.
    running : sequence of (mean, var) or None
        The running averages in the model's ``bn_params`` (batch normalisation).
    scores : Any
        What ``loss(X)`` returned.
    want : numpy.ndarray
        The expected scores.
    what : str
        Which model, for the messages.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The relative error.
    """
    scores = _array(scores, f"loss(X) ({what}, no labels: the scores)", want.shape)
    # the usual mistakes: cs231n_utils.checks.catalogue.training
    return _assert_close(scores, want, f"loss(X) ({what}): scores", tol,
                         "scores = the last affine layer's output, no softmax",
                         reveal=reveal)


def judge_fc_net_loss(X: np.ndarray, y: np.ndarray, params: Mapping[str, np.ndarray],
                      reg: float, normalization: str | None, masks: Sequence | None,
                      loss: Any, grads: Any, params_after: Mapping[str, Any],
                      want_loss: float, want_grads: Mapping[str, np.ndarray], what: str,
                      tol_loss: float = VALUE_TOLERANCE, tol_grads: float = GRAD_TOLERANCE,
                      reveal: bool = True) -> float:
    """Assert that ``(loss, grads)``, what ``FullyConnectedNet.loss(X, y)`` returned for
    a model with ``params`` and ``reg``, matches ``want_loss`` and ``want_grads``, and
    that the parameters were left as they were (``params_after``). Each gradient is
    compared with its own largest entry, but at least with :data:`GRAD_FLOOR` times the
    largest entry of all the gradients.

    Parameters
    ----------
    X, y : numpy.ndarray
        The inputs and labels given.
    params : mapping
        The parameters the model was given.
    reg : float
        The model's ``reg``.
    normalization : str or None
        The model's normalisation.
    masks : sequence of numpy.ndarray or None
        The dropout masks of the training pass (None: no dropout).
    loss, grads : Any
        What the method returned (``grads`` a dict, or a description of what it was).
    params_after : mapping
        ``model.params`` after the call.
    want_loss : float
        The expected loss.
    want_grads : mapping
        The expected gradient of each parameter.
    what : str
        Which model, for the messages.
    tol_loss, tol_grads : float
        Largest relative errors accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    for name, value in params.items():
        after = params_after.get(name) if isinstance(params_after, Mapping) else None
        _unchanged(value, np.asarray(after), "loss", f"self.params[{name!r}]")
    loss = _number(loss, f"loss(X, y) ({what}): the loss")
    # the usual mistakes: cs231n_utils.checks.catalogue.training
    worst = _assert_close(loss, want_loss, f"loss(X, y) ({what}): loss", tol_loss,
                          "the softmax loss plus 0.5 * reg * sum(W ** 2) over the weight "
                          "matrices", reveal=reveal)
    assert isinstance(grads, Mapping), (
        f"loss(X, y) must return (loss, grads) with grads a dict, got "
        f"{type(grads).__name__ if not isinstance(grads, str) else grads}")
    keys = {str(k) for k in grads}
    if keys != set(params):
        missing = sorted(set(params) - keys)
        raise AssertionError(
            f"loss(X, y) ({what}): grads must have the keys of self.params {sorted(params)}; "
            f"missing {missing}, unexpected {sorted(keys - set(params))}"
            + ("; gamma and beta need their gradients too"
               if any(k.startswith(("gamma", "beta")) for k in missing) else ""))
    floor = GRAD_FLOOR * max(float(np.max(np.abs(w))) for w in want_grads.values())
    for name, value in params.items():
        got = grads[name]
        assert np.shape(got) == value.shape, (
            f"grads[{name!r}] ({what}) has shape {np.shape(got)}, expected {value.shape}")
        got = _array(got, f"grads[{name!r}] ({what})", value.shape)
        worst = max(worst, _assert_close(got, want_grads[name],
                                         f"loss(X, y) ({what}): grads[{name!r}]", tol_grads,
                                         reveal=reveal, floor=floor))
    return worst


def _bare_net(params: Mapping[str, np.ndarray], reg: float, normalization: str | None,
              keep: float, seed: int | None, running: Sequence[tuple] | None) -> Any:
    """A FullyConnectedNet with the given parameters and the documented attributes,
    made without ``__init__``."""
    FullyConnectedNet = _graded("classifiers.fc_net", "FullyConnectedNet")  # noqa: N806
    model = FullyConnectedNet.__new__(FullyConnectedNet)
    model.params = {k: v.copy() for k, v in params.items()}
    model.reg, model.dtype, model.normalization = reg, np.float64, normalization
    model.num_layers = sum(1 for k in params if k.startswith("W"))
    model.use_dropout = keep != 1
    model.dropout_param = {"mode": "train", "p": keep, "seed": seed} if keep != 1 else {}
    model.bn_params = []
    if normalization == "batchnorm":
        model.bn_params = [{"mode": "train", "running_mean": m.copy(), "running_var": v.copy()}
                           for m, v in running]
    elif normalization == "layernorm":
        model.bn_params = [{} for _ in range(model.num_layers - 1)]
    return model


def _net_params(rng: np.random.Generator, D: int, hidden_dims: Sequence[int], C: int,
                normalization: str | None) -> dict[str, np.ndarray]:
    params = {}
    for name, shape in _net_param_shapes(hidden_dims, D, C, normalization).items():
        if name.startswith("W"):
            params[name] = rng.normal(size=shape) / np.sqrt(shape[0]) * 1.5
        elif name.startswith("gamma"):
            params[name] = 1.0 + 0.3 * rng.normal(size=shape)
        else:
            params[name] = 0.3 * rng.normal(size=shape)
    return params


#: The keep ratio of the training passes with dropout: every unit is kept (whatever the
#: random numbers, but for a chance of about 1e-4) and scaled by 1 / p.
NEARLY_ONE = 1 - 1e-6


def check_fc_net_loss() -> None:
    """Check ``FullyConnectedNet.loss`` on models built here with given parameters
    (``__init__`` is not called; ``loss`` may use the attributes the class docstring
    lists), X of shape (6, 2, 4), hidden_dims [7, 5], 4 classes:

    * no normalisation, reg = 0 and 0.3; batch normalisation (reg 0.3), also in test mode
      with the running averages of ``bn_params``; layer normalisation (reg 0.3);
    * dropout: in training with ``dropout_keep_ratio = 1 - 1e-6`` (every unit kept and
      scaled by 1 / p: the result does not depend on how the masks are drawn), and in
      test mode with a keep ratio of 0.5 (dropout does nothing there).

    Scores and loss are compared with a forward pass written here, the gradients of every
    parameter with numerical gradients.

    Raises
    ------
    AssertionError
        With a one-line reason, if the scores, the loss or a gradient is wrong.
    """
    rng = np.random.default_rng(5260)
    N, dims, hidden, C = 6, (2, 4), [7, 5], 4
    X, y = rng.normal(size=(N, *dims)), rng.integers(0, C, size=N)
    running = [(rng.normal(size=H) * 0.5, rng.uniform(0.5, 2.0, size=H)) for H in hidden]
    worst = 0.0
    for normalization, reg, keep, train in [(None, 0.0, 1, True), (None, 0.3, 1, True),
                                            ("batchnorm", 0.3, 1, True),
                                            ("layernorm", 0.3, 1, True),
                                            ("batchnorm", 0.2, NEARLY_ONE, True),
                                            ("layernorm", 0.2, 0.5, False)]:
        params = _net_params(rng, int(np.prod(dims)), hidden, C, normalization)
        what = f"normalization={normalization!r}, reg={reg}" + (
            f", dropout_keep_ratio={keep}" if keep != 1 else "")
        model = _bare_net(params, reg, normalization, keep, 5261, running)
        scores = _restoring_random_state(model.loss, X.copy())
        want = net_scores(X, params, normalization, "test", running)
        worst = max(worst, judge_fc_net_scores(X, params, normalization, running, scores,
                                               want, what))
        if not train:
            continue
        masks = dropout_masks(5261, keep, N, hidden) if keep != 1 else None
        model = _bare_net(params, reg, normalization, keep, 5261, running)
        result = _tuple(_restoring_random_state(model.loss, X.copy(), y.copy()), 2,
                        "loss(X, y)", "loss, grads")

        def loss_of(params: dict = params, normalization: str | None = normalization,
                    masks: list | None = masks, reg: float = reg) -> float:
            return net_loss(net_scores(X, params, normalization, "train", None, masks), y,
                            params, reg)

        numeric = {name: eval_numerical_gradient_array(lambda _: np.array(loss_of()), value,
                                                       np.array(1.0))
                   for name, value in params.items()}
        worst = max(worst, judge_fc_net_loss(X, y, params, reg, normalization, masks,
                                             result[0], result[1], model.params, loss_of(),
                                             numeric, what))
    print(f"PASS FullyConnectedNet.loss: scores (test mode), loss and every gradient match, "
          f"without and with batch/layer normalisation, reg, dropout (largest relative error "
          f"{worst:.1e})")


# =================================================================== update rules

#: Each update rule's hyper-parameters and their defaults (config=None).
OPTIM_DEFAULTS: dict[str, dict[str, float]] = {
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "nesterov_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-8},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
#: The state each rule keeps in its config.
OPTIM_STATE: dict[str, tuple[str, ...]] = {
    "sgd_momentum": ("velocity",), "nesterov_momentum": ("velocity",),
    "adagrad": ("cache",), "rmsprop": ("cache",), "adam": ("m", "v", "t"),
}
_TORCH_NAMES = {"sgd_momentum": "SGD", "nesterov_momentum": "SGD (nesterov=True)",
                "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam"}


def torch_optim_run(rule: str, w0: np.ndarray, grads: Sequence[np.ndarray],
                    hyper: Mapping[str, float]) -> tuple[np.ndarray, dict[str, Any]]:
    """Replay ``torch.optim``'s version of ``rule`` from ``w0`` on the gradients ``grads``
    (float64). Returns every parameter value after each step, stacked (T, *w.shape), and
    the final state in the rule's own names (``velocity = -learning_rate *
    momentum_buffer``, ``cache``, ``m``, ``v``, ``t``)."""
    import torch

    p = torch.tensor(np.asarray(w0, dtype=np.float64).copy(), requires_grad=True)
    lr = float(hyper["learning_rate"])
    if rule in ("sgd_momentum", "nesterov_momentum"):
        opt = torch.optim.SGD([p], lr=lr, momentum=float(hyper["momentum"]),
                              nesterov=rule == "nesterov_momentum", foreach=False)
    elif rule == "adagrad":
        opt = torch.optim.Adagrad([p], lr=lr, eps=float(hyper["epsilon"]), foreach=False)
    elif rule == "rmsprop":
        opt = torch.optim.RMSprop([p], lr=lr, alpha=float(hyper["decay_rate"]),
                                  eps=float(hyper["epsilon"]), foreach=False)
    elif rule == "adam":
        opt = torch.optim.Adam([p], lr=lr, betas=(float(hyper["beta1"]),
                                                  float(hyper["beta2"])),
                               eps=float(hyper["epsilon"]), foreach=False)
    else:
        raise ValueError(f"rule must be one of {sorted(OPTIM_DEFAULTS)}, got {rule!r}")
    ws = []
    for g in grads:
        p.grad = torch.tensor(np.asarray(g, dtype=np.float64))
        opt.step()
        ws.append(p.detach().numpy().copy())
    state = opt.state[p]
    if rule in ("sgd_momentum", "nesterov_momentum"):
        out = {"velocity": -lr * state["momentum_buffer"].numpy()}
    elif rule == "adagrad":
        out = {"cache": state["sum"].numpy().copy()}
    elif rule == "rmsprop":
        out = {"cache": state["square_avg"].numpy().copy()}
    else:
        out = {"m": state["exp_avg"].numpy().copy(), "v": state["exp_avg_sq"].numpy().copy(),
               "t": int(state["step"])}
    return np.stack(ws), out


def judge_update_rule(rule: str, what: str, w0: np.ndarray, grads: Sequence[np.ndarray],
                      hyper: Mapping[str, float], got_ws: Sequence[Any], config: Any,
                      want_ws: np.ndarray, want_state: Mapping[str, Any],
                      tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``rule``, run for ``len(grads)`` steps from ``w0`` (each step fed the
    ``next_w`` and ``config`` the previous one returned), made the parameter values
    ``got_ws`` matching ``want_ws`` step by step, and returned a final ``config`` with the
    state ``want_state``. Whether ``next_w`` is ``w`` moved in place (as the solutions and
    PyTorch do) or a new array does not matter.

    Each step ``w_t - w_{t-1}`` is compared with the expected one relative to its largest
    entry, so that a small error in a small step is not hidden by the size of ``w``. (The
    usual mistakes, the wrong sign, no decay, no bias correction..., are named by the
    mistake catalogue, :mod:`cs231n_utils.checks.catalogue.training`, from the calls.)

    Parameters
    ----------
    rule : str
        One of :data:`OPTIM_DEFAULTS`.
    what : str
        Which run, for the messages.
    w0 : numpy.ndarray
        The starting parameter.
    grads : sequence of numpy.ndarray
        The gradient given at each step.
    hyper : mapping
        The hyper-parameters in effect (the defaults filled in).
    got_ws : sequence
        ``next_w`` after each step (copied right after the call).
    config : Any
        The last config returned (a dict), or a description of what it was.
    want_ws : numpy.ndarray
        The expected values after each step, stacked.
    want_state : mapping
        The expected final state (:data:`OPTIM_STATE`).
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    shape = np.shape(w0)
    got = []
    for t, value in enumerate(got_ws):
        assert value is not None, (
            f"{rule} ({what}), step {t + 1}: next_w is None or not an array: return the "
            "updated parameter")
        assert np.shape(value) == shape, (
            f"{rule} ({what}), step {t + 1}: next_w has shape {np.shape(value)}, expected "
            f"{shape}")
        value = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(value)):
            hint = ("divide by (1 - beta ** t) only after incrementing t: with t = 0 "
                    "that is 0" if rule == "adam" else "add epsilon to the denominator")
            raise AssertionError(f"{rule} ({what}), step {t + 1}: next_w holds NaN or "
                                 f"infinite values; {hint}")
        got.append(value)
    got_steps = np.diff(np.stack([np.asarray(w0, dtype=np.float64), *got]), axis=0)
    want_steps = np.diff(np.stack([np.asarray(w0, dtype=np.float64), *want_ws]), axis=0)
    worst = 0.0
    for t in range(len(grads)):
        error = relative_error(got_steps[t], want_steps[t])
        if not error <= tol:  # the usual mistakes: cs231n_utils.checks.catalogue.training
            _assert_close(got_steps[t], want_steps[t],
                          f"{rule} ({what}), step {t + 1}: next_w - w", tol,
                          f"compare with the formula in the docstring of {rule}",
                          reveal=reveal)
        worst = max(worst, error)
    assert isinstance(config, Mapping), (
        f"{rule} must return (next_w, config) with config a dict, got "
        f"{config if isinstance(config, str) else type(config).__name__}")
    for key, expected in want_state.items():
        assert key in config and config[key] is not None, (
            f"{rule} ({what}): the config returned has no {key!r}: keep the state there for "
            "the next step")
        if key == "t":
            assert np.ndim(config[key]) == 0 and float(config[key]) == expected, (
                f"{rule} ({what}): config['t'] is {config[key]} after {len(grads)} steps"
                + (f", expected {expected}" if reveal else "") + "; increment t once per step")
            continue
        value = _array(config[key], f"{rule} ({what}): config[{key!r}]", np.shape(expected))
        worst = max(worst, _assert_close(value, expected, f"{rule} ({what}): config[{key!r}]",
                                         tol, reveal=reveal))
    return worst


def _run_rule(rule_fn: Callable, w0: np.ndarray, grads: Sequence[np.ndarray],
              config: dict | None) -> tuple[list, Any]:
    """Run a rule (in this process) for the visible checks, each step on the previous
    step's ``next_w`` and ``config``; return a copy of each ``next_w`` and the last
    config."""
    w, ws = w0.copy(), []
    for g in grads:
        result = _tuple(quietly(rule_fn, w, g.copy(), config), 2, rule_fn.__name__,
                        "next_w, config")
        w, config = result
        ws.append(None if w is None else np.array(w, dtype=np.float64, copy=True))
        if w is None:
            break
    return ws, config


def _check_rule(rule: str, custom: dict[str, float]) -> float:
    """Two runs of ``rule``: from ``config=None`` and from ``custom``; 6 steps each."""
    rule_fn = _graded("optim", rule)
    rng = np.random.default_rng(5270 + sorted(OPTIM_DEFAULTS).index(rule))
    w0 = rng.normal(size=(3, 4))
    worst = 0.0
    for what, config in [("from config=None", None), ("from a given config", custom)]:
        grads = [rng.normal(size=w0.shape) * 10.0 ** rng.uniform(-3, 0, size=w0.shape)
                 for _ in range(6)]
        hyper = dict(OPTIM_DEFAULTS[rule], **(config or {}))
        ws, last = _run_rule(rule_fn, w0, grads, None if config is None
                                      else dict(config))
        want_ws, want_state = torch_optim_run(rule, w0, grads, hyper)
        worst = max(worst, judge_update_rule(rule, what, w0, grads, hyper, ws, last, want_ws,
                                             want_state))
    return worst


def _rule_check(rule: str, custom: dict[str, float]) -> None:
    worst = _check_rule(rule, custom)
    print(f"PASS {rule}: 2 runs of 6 steps (config=None and a given config) match "
          f"torch.optim.{_TORCH_NAMES[rule]} step by step, and the state in config "
          f"(largest relative error {worst:.1e})")


def check_sgd_momentum() -> None:
    """Check ``sgd_momentum`` against ``torch.optim.SGD(momentum=...)``: 6 steps from
    ``config=None`` (learning_rate 1e-2, momentum 0.9) and 6 from learning_rate 0.05,
    momentum 0.5, then the velocity left in config (``-learning_rate`` times PyTorch's
    momentum buffer).

    Raises
    ------
    AssertionError
        With a one-line reason, if a step or the state is wrong.
    """
    _rule_check("sgd_momentum", {"learning_rate": 0.05, "momentum": 0.5})


def check_nesterov_momentum() -> None:
    """Check ``nesterov_momentum`` against ``torch.optim.SGD(nesterov=True)``, as
    :func:`check_sgd_momentum` does.

    Raises
    ------
    AssertionError
        With a one-line reason, if a step or the state is wrong.
    """
    _rule_check("nesterov_momentum", {"learning_rate": 0.05, "momentum": 0.6})


def check_adagrad() -> None:
    """Check ``adagrad`` against ``torch.optim.Adagrad``: 6 steps from ``config=None``
    and 6 with learning_rate 0.1 and epsilon 1e-3 (with gradients down to 1e-3, where
    epsilon matters), then the cache.

    Raises
    ------
    AssertionError
        With a one-line reason, if a step or the state is wrong.
    """
    _rule_check("adagrad", {"learning_rate": 0.1, "epsilon": 1e-3})


def check_rmsprop() -> None:
    """Check ``rmsprop`` against ``torch.optim.RMSprop`` (``alpha`` = decay_rate): 6 steps
    from ``config=None`` (learning_rate 1e-2, decay_rate 0.99, epsilon 1e-8) and 6 with
    learning_rate 0.02, decay_rate 0.7, epsilon 1e-3, then the cache.

    Raises
    ------
    AssertionError
        With a one-line reason, if a step or the state is wrong.
    """
    _rule_check("rmsprop", {"learning_rate": 0.02, "decay_rate": 0.7, "epsilon": 1e-3})


def check_adam() -> None:
    """Check ``adam`` against ``torch.optim.Adam``: 6 steps from ``config=None``
    (learning_rate 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-8) and 6 with learning_rate
    0.01, beta1 0.7, beta2 0.95, epsilon 1e-3, then m, v and t in config.

    Raises
    ------
    AssertionError
        With a one-line reason, if a step or the state is wrong.
    """
    _rule_check("adam", {"learning_rate": 0.01, "beta1": 0.7, "beta2": 0.95, "epsilon": 1e-3})


#: Graded function -> its visible check (merged into checks.training.CHECKS).
CHECKS: dict[str, Callable[[], None]] = {
    "fit_preprocessing": check_fit_preprocessing,
    "apply_preprocessing": check_apply_preprocessing,
    "preprocess_splits": check_preprocess_splits,
    "affine_norm_relu_forward": check_affine_norm_relu_forward,
    "affine_norm_relu_backward": check_affine_norm_relu_backward,
    "FullyConnectedNet.__init__": check_fc_net_init,
    "FullyConnectedNet.loss": check_fc_net_loss,
    "sgd_momentum": check_sgd_momentum,
    "nesterov_momentum": check_nesterov_momentum,
    "adagrad": check_adagrad,
    "rmsprop": check_rmsprop,
    "adam": check_adam,
}
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.training).
CHECKS = diagnosing(_ASSIGNMENT, CHECKS, globals())
