"""Visible checks of assignment 05_training (training neural networks).

Each check builds its own small seeded inputs, calls exactly ONE graded function, and
compares it with an answer computed independently of the student's code:

* the activations (tanh, leaky ReLU, maxout) against NumPy's ``tanh``, direct formulas and
  a plain loop over the units and pieces of maxout (inputs of +-800 included: tanh must
  not overflow);
* batch, layer and spatial batch normalisation against ``torch.nn.functional.batch_norm``
  and ``layer_norm`` (float64), the running averages against their formula step by step,
  and CS231n's statistics checks (after batch normalisation each feature has mean ~beta
  and standard deviation ~gamma; in test mode, after many training steps, the running
  averages give means near beta);
* group normalisation against ``torch.nn.functional.group_norm`` (float64), with G = 1
  (layer normalisation over C, H, W), G = C (instance normalisation) and groups in
  between, on channels of different scales (so that a wrong grouping shows);
* inverted dropout statistically on large arrays for several keep probabilities ``p``:
  each output is 0 or ``x / p``, the kept fraction is ~p, the mean is preserved, the same
  seed gives the same mask, test mode is the identity;
* every backward pass against numerical gradients (centred differences, float64,
  :mod:`cs231n_utils.gradient_check`). A backward check builds the ``cache`` itself, in
  the format the function's docstring gives, so it does not depend on the student's
  forward; two exceptions, as in CS231n: the cache of spatial batch normalisation is
  free-form, so ``check_spatial_batchnorm_backward`` gets it from your
  ``spatial_batchnorm_forward``, and ``check_dropout_backward`` differentiates your own
  seeded ``dropout_forward`` (the mask is yours).

The preprocessing, the ``affine - norm - relu`` sandwich, ``FullyConnectedNet`` and the
update rules are checked in :mod:`cs231n_utils.checks.training_nets`; their checks are
importable from here too (``CHECKS`` holds both files' checks).

The comparisons themselves (shapes, tolerances, messages) are the public ``judge_*``
functions. The usual mistakes (the unbiased variance, a forgotten ``eps``, the wrong axis,
the momentum of the running averages swapped, dropout not divided by ``p``...) are in the
mistake catalogue (:mod:`cs231n_utils.checks.catalogue.training`), which a failing check
names first; one hint is still computed here (a layer normalisation whose row statistics
broadcast along the wrong axis of a square x). The trusted grader's hidden tests
(``solutions/hidden_tests/05_training.py``) hand the same judges what a submission
returned on hidden inputs, with expected values from PyTorch (the ``torch_*`` oracles
below), and ``reveal=False``: then no message names an expected value.

A check raises ``AssertionError`` with a one-line reason, or prints one line starting
with ``PASS``. A function that is not written yet raises its ``NotImplementedError``
unchanged. The checks write nothing to stderr.

>>> from cs231n_utils.checks.training import check_batchnorm_forward
>>> check_batchnorm_forward()  # doctest: +SKIP
PASS batchnorm_forward: matches torch batch_norm (train and test mode), running averages ...
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from cs231n_utils.checks.common import finite_array as _array
from cs231n_utils.checks.common import graded as _graded
from cs231n_utils.checks.common import numeric_grads as _numeric_grads
from cs231n_utils.checks.common import quietly
from cs231n_utils.checks.common import result_tuple as _tuple
from cs231n_utils.checks.common import unchanged as _unchanged
from cs231n_utils.checks.mistakes import diagnosing
from cs231n_utils.checks.training_nets import CHECKS as NETS_CHECKS
from cs231n_utils.checks.training_nets import (  # noqa: F401 (the self-check calls them by name)
    check_adagrad,
    check_adam,
    check_affine_norm_relu_backward,
    check_affine_norm_relu_forward,
    check_apply_preprocessing,
    check_fc_net_init,
    check_fc_net_loss,
    check_fit_preprocessing,
    check_nesterov_momentum,
    check_preprocess_splits,
    check_rmsprop,
    check_sgd_momentum,
)
from cs231n_utils.gradient_check import eval_numerical_gradient_array, rel_error

ASSIGNMENT = "05_training"

__all__ = [
    "CHECKS",
    "DROPOUT_SIGMAS",
    "GRAD_TOLERANCE",
    "GROUPINGS",
    "VALUE_TOLERANCE",
    "check_batchnorm_backward",
    "check_batchnorm_backward_alt",
    "check_batchnorm_forward",
    "check_dropout_backward",
    "check_dropout_forward",
    "check_layernorm_backward",
    "check_layernorm_forward",
    "check_leaky_relu_backward",
    "check_leaky_relu_forward",
    "check_maxout_backward",
    "check_maxout_forward",
    "check_spatial_batchnorm_backward",
    "check_spatial_batchnorm_forward",
    "check_spatial_groupnorm_backward",
    "check_spatial_groupnorm_forward",
    "check_tanh_backward",
    "check_tanh_forward",
    "group_normalise",
    "groupnorm_cache",
    "judge_batchnorm_statistics",
    "judge_dropout_backward",
    "judge_dropout_forward",
    "judge_groupnorm_backward",
    "judge_groupnorm_cache",
    "judge_groupnorm_output",
    "judge_leaky_relu_backward",
    "judge_leaky_relu_forward",
    "judge_maxout_backward",
    "judge_maxout_forward",
    "judge_norm_backward",
    "judge_norm_cache",
    "judge_norm_output",
    "judge_running_averages",
    "judge_spatial_forward_for_backward",
    "judge_tanh_backward",
    "judge_tanh_forward",
    "torch_grads",
    "torch_groupnorm",
    "torch_groupnorm_function",
    "torch_maxout",
    "torch_norm",
    "torch_running_averages",
]

#: Largest relative error accepted between an analytic and a numerical gradient
#: (CS231n asks for about 1e-7 or less in float64).
GRAD_TOLERANCE = 1e-7
#: Largest relative error accepted for values computed two ways in float64 (forward
#: passes against PyTorch; every comparison of the hidden tests).
VALUE_TOLERANCE = 1e-9
#: A wrong output "matches" a catalogued mistake when within this relative error of it.
VARIANT_TOLERANCE = 1e-6
#: Statistical bounds of dropout (kept fraction, mean) in standard deviations.
DROPOUT_SIGMAS = 5.0

#: The three kinds of normalisation: (name of the parameter dict, axes of the statistics
#: of an input of 2 or 4 axes).
NORM_KINDS = {"batch": ("bn_param", (0,)), "layer": ("ln_param", (1,)),
              "spatial": ("bn_param", (0, 2, 3))}
NORM_FUNCTIONS = {"batch": "batchnorm_forward", "layer": "layernorm_forward",
                  "spatial": "spatial_batchnorm_forward"}


# ------------------------------------------------------------------------- helpers


def _close(got: Any, want: Any, what: str, tol: float, hint: str = "", *,
           reveal: bool = True) -> float:
    """Assert that ``rel_error(got, want) <= tol`` (CS231n's elementwise relative error);
    return it. ``reveal=False``: the message names the worst index but no value."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    error = rel_error(got, want) if want.size else 0.0
    if not error <= tol:
        where = ""
        if want.ndim:
            worst = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
            index = tuple(int(i) for i in worst)
            where = (f" (e.g. at index {index}: {got[worst]:.6g}, expected {want[worst]:.6g})"
                     if reveal else f" (largest at index {index})")
        raise AssertionError(f"{what}: relative error {error:.1e} exceeds {tol:g}{where}"
                             + (f"; {hint}" if hint else ""))
    return error


def _which(got: np.ndarray, want: np.ndarray, variants: Mapping[str, Any],
           default: str = "") -> str:
    """The hint of the first wrong variant that ``got`` matches (and that differs from
    ``want``), or ``default``."""
    got = np.asarray(got, dtype=np.float64)
    for hint, value in variants.items():
        if value is None:
            continue
        value = np.asarray(value, dtype=np.float64)
        if (value.shape == got.shape and np.all(np.isfinite(value))
                and rel_error(value, want) > 10 * VARIANT_TOLERANCE
                and rel_error(got, value) <= VARIANT_TOLERANCE):
            return hint
    return default


def _shaped(value: Any, what: str, shape: tuple[int, ...], hint: str = "") -> np.ndarray:
    """``value`` as a finite float64 array of ``shape``; a wrong shape names ``hint``."""
    if value is not None and hint:
        got = np.shape(value)
        assert got == shape, f"{what} has shape {got}, expected {shape}; {hint}"
    return _array(value, what, shape)


def _t(array: Any) -> Any:
    import torch

    return torch.tensor(np.asarray(array, dtype=np.float64))


# -------------------------------------------------------------- PyTorch oracles


def torch_grads(f: Callable[..., Any], arrays: Sequence[np.ndarray],
                upstream: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """``f`` applied to float64 leaf tensors made from ``arrays``; its value and the
    gradients of ``sum(value * upstream)`` with respect to each leaf, as arrays."""
    import torch

    leaves = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
              for a in arrays]
    value = f(*leaves)
    grads = torch.autograd.grad(value, leaves, _t(upstream), allow_unused=True)
    return value.detach().numpy(), [np.zeros(np.shape(a)) if g is None else g.numpy()
                                    for a, g in zip(arrays, grads, strict=True)]


def torch_norm(kind: str, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float,
               running_mean: np.ndarray | None = None,
               running_var: np.ndarray | None = None) -> np.ndarray:
    """The output of a normalisation layer from PyTorch (float64).

    ``kind`` "batch" (x (N, D)) or "spatial" (x (N, C, H, W)):
    ``torch.nn.functional.batch_norm``, with the batch's statistics when ``running_mean``
    is None (training mode), else with the running averages given (test mode). "layer":
    ``torch.nn.functional.layer_norm`` over the D features of each row.
    """
    from torch.nn import functional

    if kind == "layer":
        return functional.layer_norm(_t(x), (np.shape(x)[1],), _t(gamma), _t(beta),
                                     eps).numpy()
    training = running_mean is None
    return functional.batch_norm(_t(x), None if training else _t(running_mean),
                                 None if training else _t(running_var), _t(gamma), _t(beta),
                                 training=training, eps=eps).numpy()


def torch_norm_function(kind: str, eps: float) -> Callable[..., Any]:
    """``(x, gamma, beta) -> out`` on tensors, training mode, for autograd."""
    from torch.nn import functional

    if kind == "layer":
        return lambda x, g, b: functional.layer_norm(x, (x.shape[1],), g, b, eps)
    return lambda x, g, b: functional.batch_norm(x, None, None, g, b, training=True, eps=eps)


def torch_running_averages(batches: Sequence[np.ndarray], axes: tuple[int, ...],
                           momentum: float, running_mean: np.ndarray,
                           running_var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The running mean and (biased) variance after training steps on ``batches``:
    ``running = momentum * running + (1 - momentum) * batch statistic`` (tensor maths)."""
    import torch

    mean, var = _t(running_mean), _t(running_var)
    for batch in batches:
        b = _t(batch)
        mean = momentum * mean + (1 - momentum) * b.mean(dim=axes)
        var = momentum * var + (1 - momentum) * torch.var(b, dim=axes, correction=0)
    return mean.numpy(), var.numpy()


def torch_maxout(x: Any, w: Any, b: Any) -> Any:
    """Maxout on tensors: ``max_k (x_flat @ w[:, :, k] + b[:, k])``, shape (N, M)."""
    import torch

    pieces = torch.einsum("nd,dmk->nmk", x.reshape(x.shape[0], -1), w) + b
    return pieces.max(dim=2).values


# ------------------------------------------------------------- activations (1)


def judge_tanh_forward(x: np.ndarray, out: Any, x_after: np.ndarray, want: np.ndarray,
                       tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``tanh_forward`` left ``x`` as it was (``x_after``) and that ``out``,
    what it returned first, is finite and matches ``want`` within ``tol``; return the
    relative error. ``reveal=False``: no message names an expected value."""
    _unchanged(x, x_after, "tanh_forward", "x")
    if out is not None and np.shape(out) == x.shape:
        bad = ~np.isfinite(np.asarray(out, dtype=np.float64))
        assert not np.any(bad), (
            f"tanh_forward: out holds NaN or infinite values for inputs as large as "
            f"{float(np.max(np.abs(x[bad]))):g} in size: exp(x) overflows there; use "
            "np.tanh, or a form with exp(-2|x|), which is at most 1")
    out = _array(out, "tanh_forward: out", x.shape)
    return _close(out, want, "tanh_forward: out", tol, "tanh(x) = 2 * sigmoid(2x) - 1",
                  reveal=reveal)


def check_tanh_forward() -> None:
    """Check ``tanh_forward`` against NumPy's ``tanh`` on a (4, 5) array with entries up to
    +-800 (which must not overflow), input left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if the output is wrong or ``x`` is changed.
    """
    tanh_forward = _graded("layers", "tanh_forward")
    x = np.random.default_rng(5000).normal(size=(4, 5)) * 2
    x[0, :5] = [-800.0, -30.0, 0.0, 30.0, 800.0]
    given = x.copy()
    result = _tuple(quietly(tanh_forward, given), 2, "tanh_forward", "out, cache")
    error = judge_tanh_forward(x, result[0], given, np.tanh(x))
    print(f"PASS tanh_forward: matches np.tanh, no overflow at +-800 (relative error "
          f"{error:.1e})")


def judge_tanh_backward(out: np.ndarray, dout: np.ndarray, dx: Any, want: np.ndarray,
                        tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``dx``, what ``tanh_backward(dout, out)`` returned, has the shape of
    ``dout`` and matches ``want`` within ``tol``; return the relative error.
    ``reveal=False``: no message names an expected value."""
    dx = _array(dx, "tanh_backward: dx", dout.shape)
    return _close(dx, want, "tanh_backward: dx", tol,
                  "the local gradient of tanh is 1 - out ** 2, times dout", reveal=reveal)


def check_tanh_backward() -> None:
    """Check ``tanh_backward`` against numerical gradients of ``np.tanh`` on a (5, 6) array
    (the cache is the output, as the docstring says).

    Raises
    ------
    AssertionError
        With a one-line reason, if the gradient is wrong.
    """
    tanh_backward = _graded("layers", "tanh_backward")
    rng = np.random.default_rng(5001)
    x, dout = rng.normal(size=(5, 6)) * 1.5, rng.normal(size=(5, 6))
    out = np.tanh(x)
    dx = quietly(tanh_backward, dout.copy(), out.copy())
    numeric = eval_numerical_gradient_array(lambda _: np.tanh(x), x, dout)
    error = judge_tanh_backward(out, dout, dx, numeric)
    print(f"PASS tanh_backward: matches numerical gradients (relative error {error:.1e})")


def judge_leaky_relu_forward(x: np.ndarray, alpha: float, out: Any, x_after: np.ndarray,
                             want: np.ndarray, tol: float = VALUE_TOLERANCE,
                             reveal: bool = True) -> float:
    """Assert that ``leaky_relu_forward(x, alpha)`` left ``x`` as it was (``x_after``) and
    that ``out`` matches ``want`` within ``tol``; return the relative error.
    ``reveal=False``: no message names an expected value."""
    _unchanged(x, x_after, "leaky_relu_forward", "x")
    what = f"leaky_relu_forward (alpha = {alpha:g}): out"
    out = _array(out, what, x.shape)
    return _close(out, want, what, tol, "out = x where x > 0, alpha * x elsewhere",
                  reveal=reveal)


def check_leaky_relu_forward() -> None:
    """Check ``leaky_relu_forward`` with the default alpha (0.01) and alpha = 0.2 on a
    (4, 6) array with negative, zero and positive entries, input left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if the output is wrong or ``x`` is changed.
    """
    leaky_relu_forward = _graded("layers", "leaky_relu_forward")
    x = np.random.default_rng(5002).normal(size=(4, 6))
    x[0, :2] = 0.0
    for alpha in (None, 0.2):
        given = x.copy()
        args = (given,) if alpha is None else (given, alpha)
        result = _tuple(quietly(leaky_relu_forward, *args), 2, "leaky_relu_forward",
                        "out, cache")
        a = 0.01 if alpha is None else alpha
        judge_leaky_relu_forward(x, a, result[0], given, np.where(x > 0, x, a * x))
    print("PASS leaky_relu_forward: x where x > 0, alpha * x elsewhere, for the default "
          "alpha = 0.01 and alpha = 0.2")


def judge_leaky_relu_backward(x: np.ndarray, alpha: float, dout: np.ndarray, dx: Any,
                              want: np.ndarray, tol: float = GRAD_TOLERANCE,
                              reveal: bool = True) -> float:
    """Assert that ``dx``, what ``leaky_relu_backward(dout, (x, alpha))`` returned, has the
    shape of ``x`` and matches ``want`` within ``tol``; return the relative error. Where
    ``x`` holds zeros the gradient is ``alpha * dout`` (as PyTorch's ``leaky_relu``).
    ``reveal=False``: no message names an expected value."""
    what = f"leaky_relu_backward (alpha = {alpha:g}): dx"
    dx = _array(dx, what, x.shape)
    return _close(dx, want, what, tol, "dx = dout where x > 0, alpha * dout elsewhere",
                  reveal=reveal)


def check_leaky_relu_backward() -> None:
    """Check ``leaky_relu_backward`` against numerical gradients (alpha = 0.1) and that the
    gradient at ``x == 0`` is ``alpha * dout``, as PyTorch's.

    Raises
    ------
    AssertionError
        With a one-line reason, if the gradient is wrong.
    """
    leaky_relu_backward = _graded("layers", "leaky_relu_backward")
    rng = np.random.default_rng(5003)
    alpha = 0.1
    x = rng.normal(size=(4, 6))
    x += np.where(x >= 0, 0.1, -0.1)     # no entry within a step h of the kink at 0
    dout = rng.normal(size=x.shape)
    dx = quietly(leaky_relu_backward, dout.copy(), (x.copy(), alpha))
    numeric = eval_numerical_gradient_array(lambda _: np.where(x > 0, x, alpha * x), x, dout)
    error = judge_leaky_relu_backward(x, alpha, dout, dx, numeric)
    zeros, ones = np.zeros(3), np.ones(3)
    at_zero = quietly(leaky_relu_backward, ones.copy(), (zeros.copy(), alpha))
    judge_leaky_relu_backward(zeros, alpha, ones, at_zero, alpha * ones)
    print(f"PASS leaky_relu_backward: matches numerical gradients (relative error "
          f"{error:.1e}), alpha * dout at x == 0")


def _maxout_pieces(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Every piece, (N, M, K), by a plain loop over the units and pieces."""
    D, M, K = w.shape
    rows = x.reshape(x.shape[0], D)
    pieces = np.empty((rows.shape[0], M, K))
    for m in range(M):
        for k in range(K):
            pieces[:, m, k] = rows @ w[:, m, k] + b[m, k]
    return pieces


def judge_maxout_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, out: Any,
                         after: Sequence[np.ndarray], want: np.ndarray,
                         tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``maxout_forward(x, w, b)`` left its inputs as they were (``after``) and
    that ``out`` has shape (N, M) and matches ``want`` within ``tol``; return the relative
    error. ``reveal=False``: no message names an expected value."""
    for name, before, left in zip("xwb", (x, w, b), after, strict=True):
        _unchanged(before, left, "maxout_forward", name)
    D, M, K = w.shape
    N = x.shape[0]
    what = f"maxout_forward: out for x of shape {x.shape}, w of shape {w.shape}"
    out = _shaped(out, what, (N, M), "one output per unit: the max over the K pieces "
                  "(the last axis of w)")
    # the usual mistakes: cs231n_utils.checks.catalogue.training
    return _close(out, want, what, tol, "out[n, m] = max over k of x_flat[n] @ w[:, m, k] "
                  "+ b[m, k]", reveal=reveal)


def check_maxout_forward() -> None:
    """Check ``maxout_forward`` against a plain loop over units and pieces, for x of shape
    (5, 2, 3) (D = 6) with M = 4 units of K = 3 pieces and x of shape (6, 4) with M = 3,
    K = 2; inputs left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if the output is wrong or an input is changed.
    """
    maxout_forward = _graded("layers", "maxout_forward")
    rng = np.random.default_rng(5004)
    worst = 0.0
    for x_shape, M, K in (((5, 2, 3), 4, 3), ((6, 4), 3, 2)):
        D = int(np.prod(x_shape[1:]))
        x, w, b = rng.normal(size=x_shape), rng.normal(size=(D, M, K)), rng.normal(size=(M, K))
        given = (x.copy(), w.copy(), b.copy())
        result = _tuple(quietly(maxout_forward, *given), 2, "maxout_forward", "out, cache")
        want = _maxout_pieces(x, w, b).max(axis=2)
        worst = max(worst, judge_maxout_forward(x, w, b, result[0], given, want))
    print(f"PASS maxout_forward: the largest of K affine pieces per unit, x of 2 and 3 "
          f"dimensions (largest relative error {worst:.1e})")


def judge_maxout_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray, winner: np.ndarray,
                          dout: np.ndarray, got: Sequence[Any], want: Sequence[np.ndarray],
                          tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dw, db)`` that ``maxout_backward(dout, (x, w, b,
    winner))`` returned, matches ``want`` in shape and within ``tol``; return the largest
    relative error. ``reveal=False``: no message names an expected value."""
    # the usual mistakes: cs231n_utils.checks.catalogue.training
    shape_hints = {"dx": "reshape dx to the shape of x", "dw": "", "db": ""}
    defaults = {"dx": "dx = (dout in the winning pieces) @ w_flat.T, reshaped like x",
                "dw": "", "db": ""}
    worst = 0.0
    for name, g, n in zip(("dx", "dw", "db"), got, want, strict=True):
        what = f"maxout_backward: {name}"
        g = _shaped(g, what, np.shape(n), shape_hints[name])
        worst = max(worst, _close(g, n, what, tol, defaults[name], reveal=reveal))
    return worst


def check_maxout_backward() -> None:
    """Check ``maxout_backward`` against numerical gradients, x of shape (4, 2, 3), M = 3
    units of K = 3 pieces (no two pieces of a unit within 0.01 of each other, so the
    winners do not change under the small steps).

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    maxout_backward = _graded("layers", "maxout_backward")
    rng = np.random.default_rng(5005)
    while True:
        x, w, b = rng.normal(size=(4, 2, 3)), rng.normal(size=(6, 3, 3)), rng.normal(size=(3, 3))
        pieces = np.sort(_maxout_pieces(x, w, b), axis=2)
        if np.min(pieces[:, :, -1] - pieces[:, :, -2]) > 0.01:
            break
    pieces = _maxout_pieces(x, w, b)
    winner = np.argmax(pieces, axis=2)
    dout = rng.normal(size=(4, 3))
    cache = (x.copy(), w.copy(), b.copy(), winner.copy())
    result = _tuple(quietly(maxout_backward, dout.copy(), cache), 3, "maxout_backward",
                    "dx, dw, db")
    numeric = _numeric_grads(lambda x, w, b: _maxout_pieces(x, w, b).max(axis=2), [x, w, b],
                             dout)
    worst = judge_maxout_backward(x, w, b, winner, dout, result, numeric)
    print(f"PASS maxout_backward: dx, dw, db match numerical gradients (largest relative "
          f"error {worst:.1e})")


# --------------------------------------------------- normalisation (4, 5, 6)


def _as_feature(v: np.ndarray, kind: str) -> np.ndarray:
    """gamma or beta (or a running average) shaped to broadcast over x."""
    return v[None, :, None, None] if kind == "spatial" else v


def _normalise(x: np.ndarray, axes: tuple[int, ...], eps: float, *, ddof: int = 0,
               eps_mode: str = "inside") -> np.ndarray:
    """x_hat over ``axes`` in NumPy, with the catalogued ways to get eps wrong."""
    mean = x.mean(axis=axes, keepdims=True)
    count = int(np.prod([x.shape[a] for a in axes]))
    var = x.var(axis=axes, keepdims=True, ddof=ddof if count > ddof else 0)
    scale = {"inside": np.sqrt(var + eps), "outside": np.sqrt(var) + eps,
             "none": np.sqrt(var), "variance": var + eps}[eps_mode]
    return (x - mean) / scale


def _norm_variants(kind: str, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                   eps: float) -> dict[str, np.ndarray | None]:
    """Hint -> output of the one mistake of layer normalisation that the catalogue
    (:mod:`cs231n_utils.checks.catalogue.training`, which has all the others) cannot
    tell apart from a shape error: on a square x, ``x - x.mean(axis=1)`` broadcasts
    along the rows."""
    if kind != "layer" or x.shape[0] != x.shape[1]:
        return {}
    mean, var = x.mean(axis=1), x.var(axis=1)
    return {"x.mean(axis=1) has shape (N,): keep it as a column (keepdims=True or "
            "[:, None]) so that each row gets its own statistics":
            gamma * ((x - mean) / np.sqrt(var + eps)) + beta}


def judge_norm_output(kind: str, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                      eps: float, out: Any, want: np.ndarray, context: str = "",
                      running: tuple[np.ndarray, np.ndarray] | None = None,
                      tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``out``, what a normalisation layer returned first, has the shape of
    ``x`` and matches ``want`` within ``tol``; return the relative error. When ``out``
    matches a catalogued mistake, the message names it.

    Parameters
    ----------
    kind : str
        "batch" (:func:`batchnorm_forward`), "layer" or "spatial".
    x, gamma, beta : numpy.ndarray
        The inputs given.
    eps : float
        The eps in effect (given, or the default 1e-5).
    out : any
        What the function returned first.
    want : numpy.ndarray
        The expected output.
    context : str
        Which call, for the messages (mode, shapes).
    running : tuple of numpy.ndarray or None
        Test mode: the running mean and variance the layer had to use; None: training.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).
    """
    what = f"{NORM_FUNCTIONS[kind]} ({context}): out"
    out = _array(out, what, x.shape)
    hint = _which(out, want, _norm_variants(kind, x, gamma, beta, eps))
    return _close(out, want, what, tol, hint, reveal=reveal)


def judge_norm_cache(kind: str, cache: Sequence[Any] | None, cache_type: str,
                     x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float,
                     want_x_hat: np.ndarray, want_mean: np.ndarray, want_var: np.ndarray,
                     context: str = "", tol: float = VALUE_TOLERANCE,
                     reveal: bool = True) -> None:
    """Assert that the cache of ``batchnorm_forward`` or ``layernorm_forward`` in training
    mode is the docstring's ``(x, x_hat, mean, var, gamma, beta, eps)``: the backward
    passes (yours, and the checks' caches) rely on that layout.

    Parameters
    ----------
    kind : str
        "batch" (mean and var of shape (D,)) or "layer" (shape (N,)).
    cache : sequence or None
        The cache's items; None when it is not a tuple or list (then ``cache_type`` names
        what it is).
    cache_type : str
        The type name of what was returned as the cache.
    x, gamma, beta : numpy.ndarray
        The inputs given.
    eps : float
        The eps in effect.
    want_x_hat, want_mean, want_var : numpy.ndarray
        The expected normalised input and statistics.
    context : str
        Which call, for the messages.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).
    """
    function = NORM_FUNCTIONS[kind]
    layout = "(x, x_hat, mean, var, gamma, beta, eps)"
    assert cache is not None and len(cache) == 7, (
        f"{function}: the cache must be the tuple {layout} of the docstring; got "
        + (f"a {cache_type}" if cache is None else f"{len(cache)} items"))
    one = "feature (D,)" if kind == "batch" else "example (N,)"
    _judge_cache_items(f"{function} ({context}): cache", layout, cache, (x, gamma, beta),
                       (want_x_hat, want_mean, want_var), [(6, "eps", eps)], tol, reveal,
                       x_hat_hint="x_hat = (x - mean) / sqrt(var + eps)",
                       per=f"per {one}, as the docstring says (no keepdims)",
                       var_hint="the batch statistic, the (biased) variance")


def _judge_cache_items(where: str, layout: str, cache: Sequence[Any],
                       given: tuple[np.ndarray, np.ndarray, np.ndarray],
                       want: tuple[np.ndarray, np.ndarray, np.ndarray],
                       scalars: Sequence[tuple[int, str, float]], tol: float, reveal: bool,
                       *, x_hat_hint: str, per: str, var_hint: str) -> None:
    """The items a normalisation's cache shares, ``(x, x_hat, mean, var, gamma, beta,
    ...)``: x, gamma and beta as given, x_hat and the statistics as ``want``, and the
    ``(index, name, value)`` numbers after them as used."""
    x = given[0]
    for index, name, value in ((0, "x", given[0]), (4, "gamma", given[1]),
                               (5, "beta", given[2])):
        item = np.asarray(cache[index])
        same = item.shape == value.shape and np.array_equal(item.astype(np.float64), value)
        assert same, (f"{where}: item {index} must be the {name} given, in the layout "
                      f"{layout}")
    _close(_array(cache[1], f"{where} x_hat", x.shape), want[0], f"{where} x_hat", tol,
           x_hat_hint, reveal=reveal)
    for index, name, stat in ((2, "mean", want[1]), (3, "var", want[2])):
        got = _shaped(cache[index], f"{where} {name}", stat.shape, f"one {name} {per}")
        _close(got, stat, f"{where} {name}", tol, var_hint if name == "var" else "",
               reveal=reveal)
    for index, name, value in scalars:
        try:
            got_value = float(cache[index])
        except (TypeError, ValueError):
            got_value = math.nan
        assert got_value == value, (f"{where}: item {index} must be the {name} used"
                                    + (f", {value:g}" if reveal else ""))


def judge_running_averages(kind: str, batches: Sequence[np.ndarray], momentum: float,
                           mean0: np.ndarray, var0: np.ndarray, got_mean: Any, got_var: Any,
                           want_mean: np.ndarray, want_var: np.ndarray, context: str = "",
                           tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that the running averages left in ``bn_param`` (``got_mean``, ``got_var``)
    after training steps on ``batches`` (none: a test-mode call, which must leave them
    unchanged) match ``want_mean``/``want_var``; return the largest relative error.

    Parameters
    ----------
    kind : str
        "batch" or "spatial".
    batches : sequence of numpy.ndarray
        The inputs of the training-mode calls, in order; empty for a test-mode call.
    momentum : float
        The momentum in effect.
    mean0, var0 : numpy.ndarray
        The running averages before the calls (zeros when bn_param had none).
    got_mean, got_var : any
        ``bn_param['running_mean']`` and ``bn_param['running_var']`` after the calls.
    want_mean, want_var : numpy.ndarray
        Their expected values.
    context : str
        Which calls, for the messages.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).
    """
    function = NORM_FUNCTIONS[kind]
    changed = "test mode must leave the running averages as they are"
    worst = 0.0   # the usual mistakes: cs231n_utils.checks.catalogue.training
    for name, got, want in (("running_mean", got_mean, want_mean),
                            ("running_var", got_var, want_var)):
        what = f"{function} ({context}): bn_param['{name}']"
        assert got is not None, (f"{what} is missing: the lines after your code store the "
                                 "variables running_mean and running_var there")
        got = _shaped(got, what, want.shape, "one running average per "
                      + ("channel" if kind == "spatial" else "feature"))
        if not batches:
            assert np.array_equal(got, want), f"{what}: {changed}"
            continue
        worst = max(worst, _close(got, want, what, tol, "running = momentum * running + "
                                  "(1 - momentum) * batch statistic", reveal=reveal))
    return worst


def judge_batchnorm_statistics(out: Any, gamma: np.ndarray, beta: np.ndarray, what: str,
                               mean_tol: float, std_tol: float) -> None:
    """CS231n's statistics check: each feature (column) of ``out`` has mean ``beta`` and
    standard deviation ``gamma``, within ``mean_tol * gamma`` and ``std_tol`` relatively."""
    out = _array(out, f"batchnorm_forward ({what}): out", (np.shape(out)[0], len(gamma)))
    means, stds = out.mean(axis=0), out.std(axis=0)
    assert np.all(np.abs(means - beta) <= mean_tol * np.abs(gamma)), (
        f"batchnorm_forward ({what}): the features' means {np.round(means, 3).tolist()} "
        f"should be near beta = {np.round(beta, 3).tolist()}")
    assert np.all(np.abs(stds / np.abs(gamma) - 1) <= std_tol), (
        f"batchnorm_forward ({what}): the features' standard deviations "
        f"{np.round(stds, 3).tolist()} should be near gamma = {np.round(gamma, 3).tolist()}")


def _bn_param_of(mode: str, eps: float | None, momentum: float | None,
                 running: tuple[np.ndarray, np.ndarray] | None) -> dict[str, Any]:
    """A bn_param with only the keys given (the others take their defaults)."""
    param: dict[str, Any] = {"mode": mode}
    if eps is not None:
        param["eps"] = eps
    if momentum is not None:
        param["momentum"] = momentum
    if running is not None:
        param["running_mean"], param["running_var"] = (v.copy() for v in running)
    return param


def _call_norm(function: Callable[..., Any], name: str, x: np.ndarray, gamma: np.ndarray,
               beta: np.ndarray, param: dict[str, Any]) -> tuple[Any, Any]:
    """Call a normalisation forward on copies; check it left them unchanged; return
    ``(out, cache)``."""
    given = (x.copy(), gamma.copy(), beta.copy())
    result = _tuple(quietly(function, *given, param), 2, name, "out, cache")
    for label, before, after in zip(("x", "gamma", "beta"), (x, gamma, beta), given,
                                    strict=True):
        _unchanged(before, after, name, label)
    return result[0], result[1]


def _cache_items(cache: Any) -> tuple[Sequence[Any] | None, str]:
    return (tuple(cache) if isinstance(cache, tuple | list) else None), type(cache).__name__


def _cs231n_batches(rng: np.random.Generator, count: int, N: int = 200) -> list[np.ndarray]:
    """CS231n's statistics data: a ReLU layer's outputs through a random affine map,
    features of different means and scales."""
    W1, W2 = rng.normal(size=(50, 60)), rng.normal(size=(60, 3))
    return [np.maximum(0, rng.normal(size=(N, 50)) @ W1) @ W2 for _ in range(count)]


def check_batchnorm_forward() -> None:
    """Check ``batchnorm_forward``.

    - Training mode against ``torch.nn.functional.batch_norm`` (x of shape (8, 5) and
      (16, 3), the default eps and eps = 1e-3, random gamma and beta), its cache against
      the docstring's layout, inputs left unchanged;
    - the running averages after 3 training steps (from bn_param without running
      averages, default momentum; and from given ones with momentum 0.7);
    - CS231n's statistics: features of mean ~0 and std ~1 with gamma = 1, beta = 0, and
      of mean ~beta and std ~gamma otherwise;
    - test mode: after 50 training steps the output of a new batch has means near beta
      and standard deviations near gamma, it equals ``batch_norm`` with the running
      averages, and the running averages are left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if something is wrong.
    """
    forward = _graded("layers", "batchnorm_forward")
    rng = np.random.default_rng(5040)
    worst = 0.0
    for (N, D), eps in (((8, 5), None), ((16, 3), 1e-3)):
        x = rng.normal(size=(N, D)) * rng.uniform(0.05, 3, size=D) + rng.normal(size=D) * 2
        gamma, beta = rng.normal(size=D), rng.normal(size=D)
        e = 1e-5 if eps is None else eps
        context = f"train, x of shape {x.shape}, eps = {e:g}"
        out, cache = _call_norm(forward, "batchnorm_forward", x, gamma, beta,
                                _bn_param_of("train", eps, None, None))
        worst = max(worst, judge_norm_output("batch", x, gamma, beta, e, out,
                                             torch_norm("batch", x, gamma, beta, e), context))
        judge_norm_cache("batch", *_cache_items(cache), x, gamma, beta, e,
                         _normalise(x, (0,), e), x.mean(axis=0), x.var(axis=0), context)

    D = 4
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    for momentum, start in ((None, None), (0.7, (rng.normal(size=D), rng.uniform(0.5, 2, D)))):
        batches = [rng.normal(size=(6, D)) * 2 + 1 for _ in range(3)]
        param = _bn_param_of("train", None, momentum, start)
        for batch in batches:
            _call_norm(forward, "batchnorm_forward", batch, gamma, beta, param)
        m = 0.9 if momentum is None else momentum
        mean0, var0 = start if start is not None else (np.zeros(D), np.zeros(D))
        want = torch_running_averages(batches, (0,), m, mean0, var0)
        context = (f"3 training steps, momentum = {m:g}, "
                   + ("no running averages at first" if start is None else
                      "running averages given"))
        worst = max(worst, judge_running_averages(
            "batch", batches, m, mean0, var0, param.get("running_mean"),
            param.get("running_var"), *want, context))

    data = _cs231n_batches(rng, 51)
    for gamma, beta in ((np.ones(3), np.zeros(3)), (np.array([1.0, 2.0, 3.0]),
                                                    np.array([11.0, 12.0, 13.0]))):
        out, _ = _call_norm(forward, "batchnorm_forward", data[0], gamma, beta,
                            {"mode": "train"})
        judge_batchnorm_statistics(out, gamma, beta, f"train, gamma = {gamma.tolist()}",
                                   1e-6, 1e-3)
    param: dict[str, Any] = {"mode": "train"}
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([11.0, 12.0, 13.0])
    for batch in data[:-1]:
        _call_norm(forward, "batchnorm_forward", batch, gamma, beta, param)
    param["mode"] = "test"
    running = (np.array(param.get("running_mean")), np.array(param.get("running_var")))
    out, _ = _call_norm(forward, "batchnorm_forward", data[-1], gamma, beta, param)
    context = "test mode after 50 training steps"
    worst = max(worst, judge_norm_output(
        "batch", data[-1], gamma, beta, 1e-5, out,
        torch_norm("batch", data[-1], gamma, beta, 1e-5, *running), context, running))
    judge_batchnorm_statistics(out, gamma, beta, context, 0.3, 0.3)
    judge_running_averages("batch", [], 0.9, *running, param.get("running_mean"),
                           param.get("running_var"), *running, context)
    print(f"PASS batchnorm_forward: matches torch batch_norm in train and test mode, "
          f"running averages, CS231n's mean/std statistics (largest relative error "
          f"{worst:.1e})")


def _norm_dx(x: np.ndarray, gamma: np.ndarray, eps: float, dout: np.ndarray, axis: int, *,
             through_mean: bool = True, through_var: bool = True,
             with_gamma: bool = True, mean_axis: int | None = None) -> np.ndarray:
    """dx of a normalisation over ``axis`` of a 2-D ``x`` (the simplified expression),
    optionally without some of its paths or with its means over ``mean_axis`` (the
    catalogued mistakes)."""
    mean = x.mean(axis=axis, keepdims=True)
    std = np.sqrt(x.var(axis=axis, keepdims=True) + eps)
    x_hat = (x - mean) / std
    d = dout * gamma if with_gamma else dout
    over = axis if mean_axis is None else mean_axis
    dx = d.copy()
    if through_mean:
        dx = dx - d.mean(axis=over, keepdims=True)
    if through_var:
        dx = dx - x_hat * (d * x_hat).mean(axis=over, keepdims=True)
    return dx / std


def judge_norm_backward(kind: str, function: str, x: np.ndarray, gamma: np.ndarray,
                        eps: float, dout: np.ndarray, got: Sequence[Any],
                        want: Sequence[np.ndarray], context: str = "",
                        tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dgamma, dbeta)`` a normalisation backward returned,
    matches ``want`` in shape and within ``tol``; return the largest relative error. When a
    gradient matches a catalogued mistake, the message names it.

    Parameters
    ----------
    kind : str
        "batch", "layer" or "spatial".
    function : str
        The function's name, for the messages (``batchnorm_backward_alt``, ...).
    x, gamma : numpy.ndarray
        The forward's input and scale.
    eps : float
        The eps of the forward.
    dout : numpy.ndarray
        The upstream gradient.
    got : sequence
        What the function returned, three items.
    want : sequence of numpy.ndarray
        The expected ``dx, dgamma, dbeta``.
    context : str
        Which inputs, for the messages.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).
    """
    worst = 0.0   # the usual mistakes: cs231n_utils.checks.catalogue.training
    for name, g, n in zip(("dx", "dgamma", "dbeta"), got, want, strict=True):
        what = f"{function} ({context}): {name}" if context else f"{function}: {name}"
        g = _shaped(g, what, np.shape(n), "" if name == "dx" else
                    f"one value per {'channel' if kind == 'spatial' else 'feature'}: sum "
                    "over every other axis")
        worst = max(worst, _close(g, n, what, tol, reveal=reveal))
    return worst


def _norm_numeric(kind: str, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float,
                  dout: np.ndarray) -> list[np.ndarray]:
    """Numerical gradients of a normalisation written here in NumPy (training mode)."""
    axes = NORM_KINDS[kind][1]

    def forward(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        return _as_feature(g, kind) * _normalise(x, axes, eps) + _as_feature(b, kind)

    return _numeric_grads(forward, [x, gamma, beta], dout)


def _norm_cache(kind: str, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                eps: float) -> tuple:
    """The docstring's cache ``(x, x_hat, mean, var, gamma, beta, eps)``, made here."""
    axis = NORM_KINDS[kind][1][0]
    mean, var = x.mean(axis=axis), x.var(axis=axis)
    return (x.copy(), _normalise(x, (axis,), eps), mean, var, gamma.copy(), beta.copy(), eps)


def _check_norm_backward(kind: str, name: str, seed: int) -> float:
    backward = _graded("layers", name)
    rng = np.random.default_rng(seed)
    worst = 0.0
    for (N, D), eps in (((4, 5), 1e-5), ((6, 3), 1e-2)):
        x = rng.normal(size=(N, D)) * 2 + rng.normal(size=D)
        gamma, beta, dout = rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D))
        result = _tuple(quietly(backward, dout.copy(), _norm_cache(kind, x, gamma, beta, eps)),
                        3, name, "dx, dgamma, dbeta")
        numeric = _norm_numeric(kind, x, gamma, beta, eps, dout)
        worst = max(worst, judge_norm_backward(kind, name, x, gamma, eps, dout, result,
                                               numeric, f"x of shape {x.shape}, eps = {eps:g}"))
    return worst


def check_batchnorm_backward() -> None:
    """Check ``batchnorm_backward`` (the staged one) against numerical gradients, x of shape
    (4, 5) and (6, 3), eps 1e-5 and 1e-2, the cache made here as the docstring says.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    worst = _check_norm_backward("batch", "batchnorm_backward", 5041)
    print(f"PASS batchnorm_backward: dx, dgamma, dbeta match numerical gradients (largest "
          f"relative error {worst:.1e})")


def check_batchnorm_backward_alt() -> None:
    """Check ``batchnorm_backward_alt`` (the simplified expression) against numerical
    gradients, as :func:`check_batchnorm_backward`.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    worst = _check_norm_backward("batch", "batchnorm_backward_alt", 5042)
    print(f"PASS batchnorm_backward_alt: dx, dgamma, dbeta match numerical gradients "
          f"(largest relative error {worst:.1e})")


def check_layernorm_forward() -> None:
    """Check ``layernorm_forward`` against ``torch.nn.functional.layer_norm`` on x of shape
    (5, 5) (square: a row statistic that broadcasts along the wrong axis shows), (6, 4)
    and (3, 8), the default eps and eps = 1e-3, and its cache against the docstring's
    layout; inputs left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if something is wrong.
    """
    forward = _graded("layers", "layernorm_forward")
    rng = np.random.default_rng(5050)
    worst = 0.0
    for (N, D), eps in (((5, 5), 1e-3), ((6, 4), None), ((3, 8), None)):
        x = rng.normal(size=(N, D)) * rng.uniform(0.05, 3, size=(N, 1)) + rng.normal(size=(N, 1))
        gamma, beta = rng.normal(size=D), rng.normal(size=D)
        e = 1e-5 if eps is None else eps
        context = f"x of shape {x.shape}, eps = {e:g}"
        out, cache = _call_norm(forward, "layernorm_forward", x, gamma, beta,
                                {} if eps is None else {"eps": eps})
        worst = max(worst, judge_norm_output("layer", x, gamma, beta, e, out,
                                             torch_norm("layer", x, gamma, beta, e), context))
        judge_norm_cache("layer", *_cache_items(cache), x, gamma, beta, e,
                         _normalise(x, (1,), e), x.mean(axis=1), x.var(axis=1), context)
    print(f"PASS layernorm_forward: matches torch layer_norm, each row over its features "
          f"(largest relative error {worst:.1e})")


def check_layernorm_backward() -> None:
    """Check ``layernorm_backward`` against numerical gradients, x of shape (4, 5) and
    (6, 3), eps 1e-5 and 1e-2, the cache made here as the docstring says.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    worst = _check_norm_backward("layer", "layernorm_backward", 5051)
    print(f"PASS layernorm_backward: dx, dgamma, dbeta match numerical gradients (largest "
          f"relative error {worst:.1e})")


def check_spatial_batchnorm_forward() -> None:
    """Check ``spatial_batchnorm_forward`` against ``torch.nn.functional.batch_norm`` on
    images (N, C, H, W): training mode (default eps, and eps = 1e-3), the running
    averages per channel after 3 steps, then test mode with them (running averages left
    unchanged); inputs left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if something is wrong.
    """
    forward = _graded("layers", "spatial_batchnorm_forward")
    rng = np.random.default_rng(5060)
    worst = 0.0
    for shape, eps in (((2, 3, 4, 5), None), ((3, 2, 3, 3), 1e-3)):
        C = shape[1]
        x = rng.normal(size=shape) * rng.uniform(0.5, 3, size=(1, C, 1, 1)) + 1
        gamma, beta = rng.normal(size=C), rng.normal(size=C)
        e = 1e-5 if eps is None else eps
        out, _ = _call_norm(forward, "spatial_batchnorm_forward", x, gamma, beta,
                            _bn_param_of("train", eps, None, None))
        worst = max(worst, judge_norm_output("spatial", x, gamma, beta, e, out,
                                             torch_norm("spatial", x, gamma, beta, e),
                                             f"train, x of shape {shape}, eps = {e:g}"))
    C = 3
    gamma, beta = rng.normal(size=C), rng.normal(size=C)
    batches = [rng.normal(size=(2, C, 3, 4)) * 2 + 1 for _ in range(3)]
    param = _bn_param_of("train", None, 0.8, None)
    for batch in batches:
        _call_norm(forward, "spatial_batchnorm_forward", batch, gamma, beta, param)
    zeros = np.zeros(C)
    want = torch_running_averages(batches, (0, 2, 3), 0.8, zeros, zeros)
    context = "3 training steps, momentum = 0.8"
    worst = max(worst, judge_running_averages(
        "spatial", batches, 0.8, zeros, zeros, param.get("running_mean"),
        param.get("running_var"), *want, context))
    param["mode"] = "test"
    running = (np.array(param["running_mean"]), np.array(param["running_var"]))
    x = rng.normal(size=(2, C, 3, 4)) * 2 + 1
    out, _ = _call_norm(forward, "spatial_batchnorm_forward", x, gamma, beta, param)
    context = "test mode after 3 training steps"
    worst = max(worst, judge_norm_output("spatial", x, gamma, beta, 1e-5, out,
                                         torch_norm("spatial", x, gamma, beta, 1e-5,
                                                    *running), context, running))
    judge_running_averages("spatial", [], 0.8, *running, param.get("running_mean"),
                           param.get("running_var"), *running, context)
    print(f"PASS spatial_batchnorm_forward: matches torch batch_norm on images, per channel, "
          f"in train and test mode, with running averages (largest relative error "
          f"{worst:.1e})")


def judge_spatial_forward_for_backward(x: np.ndarray, out: Any, want: np.ndarray,
                                       tol: float = VALUE_TOLERANCE) -> None:
    """Assert that ``spatial_batchnorm_forward``, whose cache a backward check uses, gave
    the right output; otherwise say to fix it first (no value named)."""
    out = _array(out, "spatial_batchnorm_forward (whose cache this check uses): out", x.shape)
    assert rel_error(out, want) <= tol, (
        "spatial_batchnorm_forward, whose cache this check uses, gives a wrong output: "
        "fix it first (see check_spatial_batchnorm_forward)")


def check_spatial_batchnorm_backward() -> None:
    """Check ``spatial_batchnorm_backward`` against numerical gradients on images of shape
    (2, 3, 4, 5) and (3, 2, 3, 3). Its cache is free-form, so, as in CS231n, this check
    gets it from YOUR ``spatial_batchnorm_forward`` (training mode) and first checks that
    forward's output.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient (or the forward it relies on) is wrong.
    """
    forward = _graded("layers", "spatial_batchnorm_forward")
    backward = _graded("layers", "spatial_batchnorm_backward")
    rng = np.random.default_rng(5061)
    worst = 0.0
    for shape, eps in (((2, 3, 4, 5), 1e-5), ((3, 2, 3, 3), 1e-2)):
        C = shape[1]
        x = rng.normal(size=shape) * rng.uniform(0.5, 3, size=(1, C, 1, 1)) + 1
        gamma, beta, dout = rng.normal(size=C), rng.normal(size=C), rng.normal(size=shape)
        out, cache = _call_norm(forward, "spatial_batchnorm_forward", x, gamma, beta,
                                _bn_param_of("train", eps, None, None))
        judge_spatial_forward_for_backward(x, out, torch_norm("spatial", x, gamma, beta, eps))
        result = _tuple(quietly(backward, dout.copy(), cache), 3, "spatial_batchnorm_backward",
                        "dx, dgamma, dbeta")
        numeric = _norm_numeric("spatial", x, gamma, beta, eps, dout)
        worst = max(worst, judge_norm_backward("spatial", "spatial_batchnorm_backward", x,
                                               gamma, eps, dout, result, numeric,
                                               f"x of shape {shape}, eps = {eps:g}"))
    print(f"PASS spatial_batchnorm_backward: dx, dgamma, dbeta match numerical gradients "
          f"(largest relative error {worst:.1e})")


# --------------------------------------------------------- group normalisation (15)

#: How the values of one image are split into the sets that share a mean and a variance
#: in :func:`group_normalise`: "group" (the right one: G groups of consecutive channels),
#: and the catalogued mistakes "image" (all of C, H, W: layer normalisation), "channel"
#: (each channel: instance normalisation), "interleaved" (channel c in group c % G),
#: "batch" (each group over all the images of the batch).
GROUPINGS = ("group", "image", "channel", "interleaved", "batch")


def _to_rows(x: np.ndarray, G: int, grouping: str) -> tuple[np.ndarray, Callable[..., Any]]:
    """``x`` (N, C, H, W) as rows, one per set of values sharing statistics, and the
    function that puts rows of that layout back into the shape of x."""
    N, C, H, W = x.shape
    if grouping == "interleaved":
        rows = x.reshape(N, C // G, G, H * W).transpose(0, 2, 1, 3).reshape(N * G, -1)
        return rows, lambda r: r.reshape(N, G, C // G, H * W).transpose(0, 2, 1, 3).reshape(
            x.shape)
    if grouping == "batch":
        rows = x.reshape(N, G, -1).transpose(1, 0, 2).reshape(G, -1)
        return rows, lambda r: r.reshape(G, N, -1).transpose(1, 0, 2).reshape(x.shape)
    sets = {"group": G, "image": 1, "channel": C}[grouping]
    return x.reshape(N * sets, -1), lambda r: r.reshape(x.shape)


def group_normalise(x: np.ndarray, G: int, eps: float, *, grouping: str = "group",
                    ddof: int = 0, eps_mode: str = "inside") -> np.ndarray:
    """x_hat of group normalisation in NumPy (the numerical gradients' forward), with the
    catalogued ways to get it wrong: another ``grouping`` (see :data:`GROUPINGS`), the
    variance with ``ddof``, eps "outside" the root, "none", or "variance" (dividing by
    var + eps)."""
    rows, back = _to_rows(np.asarray(x, dtype=np.float64), G, grouping)
    return back(_normalise(rows, (1,), eps, ddof=ddof, eps_mode=eps_mode))


def torch_groupnorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, G: int,
                    eps: float) -> np.ndarray:
    """The output of ``torch.nn.functional.group_norm`` (float64); gamma and beta of
    CS231n's shape (1, C, 1, 1)."""
    return torch_groupnorm_function(G, eps)(_t(x), _t(gamma), _t(beta)).numpy()


def torch_groupnorm_function(G: int, eps: float) -> Callable[..., Any]:
    """``(x, gamma, beta) -> out`` on tensors, gamma and beta of shape (1, C, 1, 1), for
    autograd."""
    from torch.nn import functional

    return lambda x, g, b: functional.group_norm(x, G, g.reshape(-1), b.reshape(-1), eps)


def judge_groupnorm_output(x: np.ndarray, out: Any, want: np.ndarray, context: str = "",
                           tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``out``, what ``spatial_groupnorm_forward`` returned first, has the shape
    of ``x`` and matches ``want`` within ``tol``; return the relative error (the usual
    mistakes are named by the catalogue, :mod:`cs231n_utils.checks.catalogue.training`).

    Parameters
    ----------
    x : numpy.ndarray
        The input given, shape (N, C, H, W).
    out : any
        What the function returned first.
    want : numpy.ndarray
        The expected output.
    context : str
        Which call, for the messages (shape, G, eps).
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).
    """
    what = f"spatial_groupnorm_forward ({context}): out"
    return _close(_array(out, what, x.shape), want, what, tol, reveal=reveal)


def judge_groupnorm_cache(cache: Sequence[Any] | None, cache_type: str, x: np.ndarray,
                          gamma: np.ndarray, beta: np.ndarray, G: int, eps: float,
                          want_x_hat: np.ndarray, want_mean: np.ndarray,
                          want_var: np.ndarray, context: str = "",
                          tol: float = VALUE_TOLERANCE, reveal: bool = True) -> None:
    """Assert that the cache of ``spatial_groupnorm_forward`` is the docstring's
    ``(x, x_hat, mean, var, gamma, beta, G, eps)`` with ``mean`` and ``var`` of shape
    (N, G): the backward pass (yours, and the checks' caches) relies on that layout.

    Parameters
    ----------
    cache : sequence or None
        The cache's items; None when it is not a tuple or list.
    cache_type : str
        The type name of what was returned as the cache.
    x, gamma, beta : numpy.ndarray
        The inputs given.
    G : int
        The number of groups given.
    eps : float
        The eps in effect.
    want_x_hat, want_mean, want_var : numpy.ndarray
        The expected normalised input, shape (N, C, H, W), and statistics, shape (N, G).
    context : str
        Which call, for the messages.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).
    """
    layout = "(x, x_hat, mean, var, gamma, beta, G, eps)"
    assert cache is not None and len(cache) == 8, (
        f"spatial_groupnorm_forward: the cache must be the tuple {layout} of the docstring; "
        "got " + (f"a {cache_type}" if cache is None else f"{len(cache)} items"))
    _judge_cache_items(f"spatial_groupnorm_forward ({context}): cache", layout, cache,
                       (x, gamma, beta), (want_x_hat, want_mean, want_var),
                       [(6, "G", G), (7, "eps", eps)], tol, reveal,
                       x_hat_hint="x_hat = (x - mean) / sqrt(var + eps), the shape of x",
                       per="per group of each image, shape (N, G), as the docstring says",
                       var_hint="the (biased) variance of each group")


def judge_groupnorm_backward(x: np.ndarray, dout: np.ndarray, got: Sequence[Any],
                             want: Sequence[np.ndarray], context: str = "",
                             tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dgamma, dbeta)`` of ``spatial_groupnorm_backward``,
    matches ``want`` in shape and within ``tol``; return the largest relative error.

    Parameters
    ----------
    x : numpy.ndarray
        The forward's input, shape (N, C, H, W).
    dout : numpy.ndarray
        The upstream gradient.
    got : sequence
        What the function returned, three items.
    want : sequence of numpy.ndarray
        The expected ``dx`` (shape of x), ``dgamma`` and ``dbeta`` (shape (1, C, 1, 1)).
    context : str
        Which inputs, for the messages.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).
    """
    worst = 0.0
    for name, g, n in zip(("dx", "dgamma", "dbeta"), got, want, strict=True):
        what = f"spatial_groupnorm_backward ({context}): {name}"
        g = _shaped(g, what, np.shape(n), "" if name == "dx" else
                    "the shape of gamma, (1, C, 1, 1): one value per channel, summed over "
                    "N, H and W (keepdims=True)")
        worst = max(worst, _close(g, n, what, tol, reveal=reveal))
    return worst


def _call_groupnorm(function: Callable[..., Any], x: np.ndarray, gamma: np.ndarray,
                    beta: np.ndarray, G: int, param: dict[str, Any]) -> tuple[Any, Any]:
    """Call ``spatial_groupnorm_forward`` on copies; check it left them unchanged; return
    ``(out, cache)``."""
    name = "spatial_groupnorm_forward"
    given = (x.copy(), gamma.copy(), beta.copy())
    result = _tuple(quietly(function, *given, G, param), 2, name, "out, cache")
    for label, before, after in zip(("x", "gamma", "beta"), (x, gamma, beta), given,
                                    strict=True):
        _unchanged(before, after, name, label)
    return result[0], result[1]


def _groupnorm_inputs(rng: np.random.Generator, shape: tuple[int, int, int, int]
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images whose channels have different scales and means (so that statistics over the
    wrong channels show), gamma and beta of shape (1, C, 1, 1)."""
    C = shape[1]
    x = (rng.normal(size=shape) * rng.uniform(0.3, 3, size=(1, C, 1, 1))
         + rng.normal(size=(1, C, 1, 1)) * 2)
    return x, rng.normal(size=(1, C, 1, 1)), rng.normal(size=(1, C, 1, 1))


def _groupnorm_statistics(x: np.ndarray, G: int) -> tuple[np.ndarray, np.ndarray]:
    rows = x.reshape(x.shape[0], G, -1)
    return rows.mean(axis=2), rows.var(axis=2)


def check_spatial_groupnorm_forward() -> None:
    """Check ``spatial_groupnorm_forward`` against ``torch.nn.functional.group_norm`` on
    images whose channels differ in scale and mean: C = 6 with G = 2 and 3, C = 4 with
    G = 1 (layer normalisation) and G = 4 (instance normalisation), C = 8 with G = 4 and
    a single image; eps = 1e-2 (on values of scale 0.01), 1e-3 and the default; its cache
    against the docstring's layout; inputs left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if something is wrong.
    """
    forward = _graded("layers", "spatial_groupnorm_forward")
    rng = np.random.default_rng(5080)
    worst = 0.0
    # A check stops at its first failing call, so eps outside the root, no eps and the
    # default eps must already give different outputs there: values of scale 0.01, whose
    # variances (about 1e-4) are comparable to eps = 1e-2 and much larger than 1e-5.
    for shape, G, eps, scale in (((2, 6, 4, 5), 2, 1e-2, 0.01), ((3, 6, 3, 3), 3, None, 1),
                                 ((2, 4, 3, 2), 1, 1e-3, 1), ((2, 4, 2, 3), 4, None, 1),
                                 ((1, 8, 2, 2), 4, None, 1)):
        x, gamma, beta = _groupnorm_inputs(rng, shape)
        x = x * scale
        e = 1e-5 if eps is None else eps
        context = f"x of shape {shape}, G = {G}, eps = {e:g}"
        out, cache = _call_groupnorm(forward, x, gamma, beta, G,
                                     {} if eps is None else {"eps": eps})
        worst = max(worst, judge_groupnorm_output(x, out, torch_groupnorm(x, gamma, beta, G, e),
                                                  context))
        judge_groupnorm_cache(*_cache_items(cache), x, gamma, beta, G, e,
                              group_normalise(x, G, e), *_groupnorm_statistics(x, G), context)
    print(f"PASS spatial_groupnorm_forward: matches torch group_norm for G = 1 (layer norm), "
          f"G = C (instance norm) and groups in between (largest relative error {worst:.1e})")


def groupnorm_cache(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, G: int,
                    eps: float) -> tuple:
    """The docstring's cache ``(x, x_hat, mean, var, gamma, beta, G, eps)``, made here."""
    return (x.copy(), group_normalise(x, G, eps), *_groupnorm_statistics(x, G), gamma.copy(),
            beta.copy(), G, eps)


def check_spatial_groupnorm_backward() -> None:
    """Check ``spatial_groupnorm_backward`` against numerical gradients on images of shape
    (2, 6, 3, 3) with G = 3, (3, 4, 2, 3) with G = 2 and (2, 4, 2, 2) with G = 4, eps 1e-5
    and 1e-2, the cache made here as the docstring says (so your forward is not needed).

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    backward = _graded("layers", "spatial_groupnorm_backward")
    rng = np.random.default_rng(5081)
    worst = 0.0
    for shape, G, eps in (((2, 6, 3, 3), 3, 1e-5), ((3, 4, 2, 3), 2, 1e-2),
                          ((2, 4, 2, 2), 4, 1e-5)):
        x, gamma, beta = _groupnorm_inputs(rng, shape)
        dout = rng.normal(size=shape)
        result = _tuple(quietly(backward, dout.copy(), groupnorm_cache(x, gamma, beta, G, eps)),
                        3, "spatial_groupnorm_backward", "dx, dgamma, dbeta")

        def forward(x: np.ndarray, g: np.ndarray, b: np.ndarray, G: int = G,
                    eps: float = eps) -> np.ndarray:
            return g * group_normalise(x, G, eps) + b

        numeric = _numeric_grads(forward, [x, gamma, beta], dout)
        worst = max(worst, judge_groupnorm_backward(
            x, dout, result, numeric, f"x of shape {shape}, G = {G}, eps = {eps:g}"))
    print(f"PASS spatial_groupnorm_backward: dx, dgamma, dbeta match numerical gradients "
          f"(largest relative error {worst:.1e})")


# ------------------------------------------------------------------- dropout (7)


def judge_dropout_forward(x: np.ndarray, p: float, out: Any, out_again: Any,
                          out_other_seed: Any, out_test: Any, x_after: np.ndarray,
                          reveal: bool = True) -> float:
    """Assert that inverted dropout with keep probability ``p`` behaved: training outputs
    0 or ``x / p`` elementwise, a kept fraction near ``p`` and a mean near ``x``'s (within
    :data:`DROPOUT_SIGMAS` standard deviations), the same output for the same seed
    (``out_again``) and another for another seed (``out_other_seed``, when ``p < 1``),
    the identity in test mode (``out_test``), ``x`` unchanged; return the kept fraction.

    ``x`` must have no zero entry. ``reveal`` is accepted for symmetry: no message names
    an expected value beyond ``p``, which is the input.
    """
    _unchanged(x, x_after, "dropout_forward", "x")
    what = f"dropout_forward (train, p = {p:g})"
    out = _array(out, f"{what}: out", x.shape)
    ratio = out / x
    kept = ratio != 0
    n, k = x.size, int(kept.sum())
    # the usual mistakes (not scaled by 1 / p, p taken as the probability of dropping,
    # test mode not the identity...): cs231n_utils.checks.catalogue.training
    if k and not np.allclose(ratio[kept], 1 / p, rtol=1e-9, atol=0):
        raise AssertionError(f"{what}: out is not 0 or x / p everywhere; each output is 0 "
                             "(dropped) or x / p (kept)")
    spread = DROPOUT_SIGMAS * math.sqrt(n * p * (1 - p)) + 1
    if abs(k - n * p) > spread:
        hint = "keep each unit with probability p: mask = np.random.rand(*x.shape) < p"
        if p != 0.5 and abs(k - n * (1 - p)) <= spread:   # a statistic, not a variant
            hint = "p is the probability of KEEPING a unit (rand < p), not of dropping it"
        raise AssertionError(f"{what}: kept {k} of {n} units ({k / n:.3f}), too far from "
                             f"the fraction p; {hint}")
    sigma = math.sqrt((1 - p) / p * float(np.mean(x**2)) / n)
    rounding = 1e-9 * float(np.mean(np.abs(x)))
    assert abs(out.mean() - x.mean()) <= DROPOUT_SIGMAS * sigma + rounding, (
        f"{what}: the mean of out, {out.mean():.4g}, is too far from the mean of x, "
        f"{x.mean():.4g}: inverted dropout keeps the expected value")
    again = _array(out_again, f"{what}: out of a second call with the same seed", x.shape)
    assert np.array_equal(again, out), (
        f"{what}: two calls with the same dropout_param['seed'] gave different outputs; "
        "draw the mask with np.random.rand (the lines before your code seed it)")
    if p < 1:
        other = _array(out_other_seed, f"{what}: out with another seed", x.shape)
        assert not np.array_equal(other, out), (
            f"{what}: another dropout_param['seed'] gave the same mask; draw it with "
            "np.random.rand, which the seed line seeds")
    test = _array(out_test, f"dropout_forward (test, p = {p:g}): out", x.shape)
    if not np.array_equal(test, x):
        raise AssertionError(f"dropout_forward (test, p = {p:g}): out differs from x; at "
                             "test time inverted dropout returns x unchanged")
    return k / n


def check_dropout_forward() -> None:
    """Check ``dropout_forward`` statistically on a (500, 500) array of mean 10 for
    p = 0.25, 0.4, 0.7 and 1: outputs 0 or ``x / p``, kept fraction ~p, mean preserved,
    reproducible with ``dropout_param['seed']``, identity in test mode, ``x`` unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if something is wrong.
    """
    forward = _graded("layers", "dropout_forward")
    rng = np.random.default_rng(5070)
    x = rng.normal(size=(500, 500)) + 10
    fractions = []
    for p in (0.25, 0.4, 0.7, 1.0):
        outs = {}
        for name, mode, seed in (("out", "train", 5), ("again", "train", 5),
                                 ("other", "train", 6), ("test", "test", 5)):
            given = x.copy()
            result = _tuple(quietly(forward, given, {"mode": mode, "p": p, "seed": seed}), 2,
                            "dropout_forward", "out, cache")
            _unchanged(x, given, "dropout_forward", "x")
            outs[name] = result[0]
        fractions.append(judge_dropout_forward(x, p, outs["out"], outs["again"],
                                               outs["other"], outs["test"], x))
    kept = ", ".join(f"{f:.3f}" for f in fractions)
    print(f"PASS dropout_forward: kept fractions {kept} for p = 0.25, 0.4, 0.7, 1, outputs "
          "0 or x / p, mean preserved, seeded, identity at test time")


def judge_dropout_backward(x: np.ndarray, dout: np.ndarray, out: Any, dx: Any,
                           dx_test: Any, want: np.ndarray, p: float,
                           tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``dx``, what ``dropout_backward`` returned for the cache of a
    training-mode ``dropout_forward`` whose output was ``out``, matches ``want`` (the
    derivative of that forward: ``dout * out / x``, or numerical gradients) within
    ``tol``, and that ``dx_test``, for a test-mode cache, is ``dout``; return the relative
    error. ``reveal=False``: no message names an expected value."""
    out = _array(out, "dropout_forward (which this check uses): out", x.shape)
    what = f"dropout_backward (train, p = {p:g}): dx"
    dx = _array(dx, what, dout.shape)
    # the usual mistakes: cs231n_utils.checks.catalogue.training
    error = _close(dx, want, what, tol, "dx = dout * mask, with the forward's mask from the "
                   "cache", reveal=reveal)
    test = _array(dx_test, f"dropout_backward (test, p = {p:g}): dx", dout.shape)
    assert np.array_equal(test, dout), (
        f"dropout_backward (test, p = {p:g}): dx differs from dout; at test time dropout "
        "is the identity, so dx = dout")
    return error


def check_dropout_backward() -> None:
    """Check ``dropout_backward`` as CS231n does: against numerical gradients of YOUR
    ``dropout_forward`` with a fixed seed (the mask is the forward's own), x of shape
    (10, 10) of mean 10, p = 0.2 and 0.6; and ``dx = dout`` for a test-mode cache.

    Raises
    ------
    AssertionError
        With a one-line reason, if the gradient is wrong.
    """
    forward = _graded("layers", "dropout_forward")
    backward = _graded("layers", "dropout_backward")
    rng = np.random.default_rng(5071)
    worst = 0.0
    for p in (0.2, 0.6):
        x, dout = rng.normal(size=(10, 10)) + 10, rng.normal(size=(10, 10))
        param = {"mode": "train", "p": p, "seed": 123}
        out, cache = _tuple(quietly(forward, x.copy(), dict(param)), 2, "dropout_forward",
                            "out, cache")
        dx = quietly(backward, dout.copy(), cache)
        def seeded(x: np.ndarray, param: dict = param) -> np.ndarray:
            return np.asarray(quietly(forward, x, dict(param))[0])

        numeric = eval_numerical_gradient_array(seeded, x, dout)
        _, test_cache = _tuple(quietly(forward, x.copy(), {"mode": "test", "p": p}), 2,
                               "dropout_forward", "out, cache")
        dx_test = quietly(backward, dout.copy(), test_cache)
        worst = max(worst, judge_dropout_backward(x, dout, out, dx, dx_test, numeric, p))
    print(f"PASS dropout_backward: matches numerical gradients of your seeded forward "
          f"(relative error {worst:.1e}), dx = dout at test time")


#: Graded function -> its visible check, for the command-line summary table (in the
#: notebook's order: activations, preprocessing, normalisation, dropout, the network,
#: the update rules, group normalisation).
_PREPROCESSING = (check_fit_preprocessing, check_apply_preprocessing, check_preprocess_splits)

CHECKS: dict[str, Callable[[], None]] = {
    "tanh_forward": check_tanh_forward,
    "tanh_backward": check_tanh_backward,
    "leaky_relu_forward": check_leaky_relu_forward,
    "leaky_relu_backward": check_leaky_relu_backward,
    "maxout_forward": check_maxout_forward,
    "maxout_backward": check_maxout_backward,
    **{name: check for name, check in NETS_CHECKS.items() if check in _PREPROCESSING},
    "batchnorm_forward": check_batchnorm_forward,
    "batchnorm_backward": check_batchnorm_backward,
    "batchnorm_backward_alt": check_batchnorm_backward_alt,
    "layernorm_forward": check_layernorm_forward,
    "layernorm_backward": check_layernorm_backward,
    "spatial_batchnorm_forward": check_spatial_batchnorm_forward,
    "spatial_batchnorm_backward": check_spatial_batchnorm_backward,
    "dropout_forward": check_dropout_forward,
    "dropout_backward": check_dropout_backward,
    **{name: check for name, check in NETS_CHECKS.items() if check not in _PREPROCESSING},
    "spatial_groupnorm_forward": check_spatial_groupnorm_forward,
    "spatial_groupnorm_backward": check_spatial_groupnorm_backward,
}
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.training).
CHECKS = diagnosing(ASSIGNMENT, CHECKS, globals())
