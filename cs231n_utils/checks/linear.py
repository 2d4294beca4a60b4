"""Visible checks of assignment 02_linear_classifiers (SVM, softmax, minibatch SGD).

Each check builds small seeded data, calls exactly ONE graded function of the student's
package and compares it with an independent answer:

* the loss VALUES of ``svm_loss_*`` against PyTorch's ``multi_margin_loss`` (which
  averages the same hinge terms over the classes too, so it is multiplied by ``C``), and
  of ``softmax_loss_*`` against PyTorch's ``cross_entropy``; with and without
  regularisation;
* the GRADIENTS against a numerical gradient of the same function
  (:func:`cs231n_utils.gradient_check.eval_numerical_gradient`), with and without
  regularisation. The SVM data are chosen with no margin near 0, where the hinge has a
  kink and a numerical gradient is meaningless;
* the softmax losses also on scores that differ by 1e4: the loss and gradient must be
  finite and right (log-sum-exp), not ``inf`` or ``nan``;
* the vectorised losses must not loop: on 200 examples they may run at most
  ``MAX_LINES_VECTORIZED`` lines of Python (counted with :func:`sys.settrace`);
* ``LinearClassifier.train`` with a loss supplied by the check (least squares), so that
  only the minibatch sampling and the update are tested: batches of real rows with their
  labels, drawn at random from the ``rng`` made from ``seed``, and
  ``W <- W - learning_rate * dW`` at every step;
* ``LinearClassifier.predict`` on weights set by the check.

A check raises ``AssertionError`` with a one-line reason, or prints one line starting
with ``PASS``. A function that is not written yet raises its ``NotImplementedError``
unchanged. Nothing is written to stderr.

The comparisons are ``judge_*`` functions, shared with the trusted grader
(``solutions/hidden_tests/02_linear_classifiers.py``), which calls them on hidden inputs
with ``reveal=False`` (no expected value in the message). What a graded function returned
reaches them as plain values: :func:`loss_output` and :func:`numbers_or_none` build those
beside the student's code, in the kernel or in the grader's sandbox.

>>> from cs231n_utils.checks.linear import check_svm_loss_naive
>>> check_svm_loss_naive()  # doctest: +SKIP
PASS svm_loss_naive: loss matches torch (diff 4.4e-16), dW matches the numerical gradient ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from cs231n_utils.checks.common import count_python_lines, graded, quietly
from cs231n_utils.checks.mistakes import diagnosing
from cs231n_utils.gradient_check import eval_numerical_gradient, rel_error

ASSIGNMENT = "02_linear_classifiers"

__all__ = [
    "CHECKS",
    "check_predict",
    "check_softmax_loss_naive",
    "check_softmax_loss_vectorized",
    "check_svm_loss_naive",
    "check_svm_loss_vectorized",
    "check_train",
    "judge_gradient",
    "judge_loss_output",
    "judge_loss_value",
    "judge_predict",
    "judge_reproducible",
    "judge_train",
    "least_squares_loss",
    "least_squares_recorder",
    "loss_output",
    "numbers_or_none",
]

#: Largest accepted difference of a loss from the oracle, relative to max(1, |loss|).
LOSS_TOLERANCE = 1e-8
#: Largest accepted relative error (``rel_error``) of dW against the numerical gradient.
GRADIENT_TOLERANCE = 1e-6
#: dW against the exact gradient (autograd): entrywise ``|dW - exact| <= EXACT_RTOL *
#: |exact| + EXACT_ATOL * max(1, max |exact|)``.
EXACT_RTOL = 1e-7
EXACT_ATOL = 1e-10
#: Python lines a vectorised loss may run on 200 examples x 10 classes.
MAX_LINES_VECTORIZED = 60
#: Regularisation strength used when a check tests the regularisation term.
REG = 0.25


# --- data and oracle ---------------------------------------------------------------------


def _loss_data(seed: int, N: int = 15, D: int = 9, C: int = 4) -> tuple[np.ndarray, ...]:
    """Seeded (W, X, y), every class present.

    The seeds used for the SVM give no margin within 0.01 of 0 (a kink of the hinge,
    where a numerical gradient is meaningless); this is asserted.
    """
    rng = np.random.default_rng(seed)
    W = 0.5 * rng.standard_normal((D, C))
    X = rng.standard_normal((N, D))
    y = rng.permutation(np.arange(N) % C)
    scores = X @ W
    margins = scores - scores[np.arange(N), y][:, np.newaxis] + 1.0
    margins[np.arange(N), y] = 1.0
    _kink_free[seed] = bool(np.abs(margins).min() > 0.01)
    return W, X, y


_kink_free: dict[int, bool] = {}


def _stable_data() -> tuple[np.ndarray, ...]:
    """(W, X, y) whose scores differ by up to 2e4 within a row (the log-sum-exp test).

    Rows 0-2 score the classes (1e4, 0, -1e4); their labels are 0, 1 and 2, so the
    correct class is the best, the middle and the worst one. Row 3 has ordinary scores.
    """
    W = np.array([[1e4, 0.0, -1e4],
                  [0.5, -2.0, 1.0],
                  [0.3, 0.2, -0.1]])
    X = np.array([[1.0, 0.0, 0.0],
                  [1.0, 0.0, 0.0],
                  [1.0, 0.0, 0.0],
                  [0.0, 1.0, 0.5]])
    y = np.array([0, 1, 2, 2])
    return W, X, y


def _oracle(kind: str, W: np.ndarray, X: np.ndarray, y: np.ndarray,
            reg: float) -> tuple[float, np.ndarray]:
    """The loss by PyTorch's own losses (float64) and its exact gradient (autograd)."""
    import torch
    from torch.nn import functional

    W_t = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    scores = torch.as_tensor(X, dtype=torch.float64) @ W_t
    target = torch.as_tensor(y, dtype=torch.int64)
    if kind == "svm":
        # multi_margin_loss averages the hinge terms over the C classes: undo that.
        data_loss = W.shape[1] * functional.multi_margin_loss(scores, target, margin=1.0)
    else:
        data_loss = functional.cross_entropy(scores, target)
    data_loss.backward()
    loss = float(data_loss.detach()) + reg * float(np.sum(W * W))
    return loss, W_t.grad.numpy() + 2 * reg * W


def _oracle_loss(kind: str, W: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float) -> float:
    """The loss computed by PyTorch's own losses (float64), for comparison."""
    return _oracle(kind, W, X, y, reg)[0]


def _graded_function(name: str) -> Callable[..., Any]:
    """The student's loss function (imported now, so their current copy is used)."""
    module = "linear_svm" if name.startswith("svm") else "softmax"
    return graded(f"classifiers.{module}", name)


def numbers_or_none(value: Any) -> np.ndarray | None:
    """``value`` as a new array of numbers (bool, int, float), or None when it is not one
    (None, text, objects, ragged lists). PyTorch tensors are detached first."""
    if value is None:
        return None
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch.Tensor
        value = value.detach().cpu().numpy()
    try:
        array = np.array(value)
    except Exception:  # noqa: BLE001 (whatever a strange object raises)
        return None
    return array if array.dtype.kind in "biuf" else None


def loss_output(out: Any, W_after: np.ndarray, X_after: np.ndarray,
                y_after: np.ndarray) -> dict[str, Any]:
    """What a loss function returned (``out``) and its inputs after the call, as plain
    values for :func:`judge_loss_output`.

    Keys: ``returned`` ("" for a pair, else what came back), ``loss_type`` and ``dW_type``
    (type names), ``loss`` and ``dW`` (when they are numbers), ``W_after``, ``X_after``,
    ``y_after``.
    """
    got: dict[str, Any] = {"W_after": W_after, "X_after": X_after, "y_after": y_after,
                           "returned": ""}
    if not (isinstance(out, tuple) and len(out) == 2):
        got["returned"] = type(out).__name__ + (
            f" of length {len(out)}" if isinstance(out, tuple) else "")
        return got
    for key, value in zip(("loss", "dW"), out, strict=True):
        got[f"{key}_type"] = type(value).__name__
        array = numbers_or_none(value)
        if array is not None:
            got[key] = array
    return got


def judge_loss_output(name: str, W: np.ndarray, X: np.ndarray, y: np.ndarray,
                      got: dict[str, Any]) -> tuple[float, np.ndarray]:
    """Assert the form of what loss ``name`` returned for ``(W, X, y)`` (``got``, from
    :func:`loss_output`): a pair (one number, an array of W's shape), inputs untouched.

    Returns
    -------
    tuple
        ``(loss, dW)`` as a float and a float64 array. The messages name no expected value.
    """
    returned = str(got["returned"])
    assert not returned, f"{name} must return a tuple (loss, dW); it returned {returned}"
    loss, dW = got.get("loss"), got.get("dW")
    loss_shape = () if loss is None else np.shape(loss)
    assert loss is not None and np.ndim(loss) == 0, (
        f"{name}: loss must be one number, got {got['loss_type']} of shape {loss_shape}"
    )
    dW_type = str(got["dW_type"])
    assert dW is not None and np.shape(dW) == W.shape, (
        f"{name}: dW must have the shape of W, {W.shape}; got "
        f"{np.shape(dW) if dW is not None else 'None' if dW_type == 'NoneType' else dW_type}"
    )
    after = (got["W_after"], got["X_after"], got["y_after"])
    for what, before, now in zip(("W", "X", "y"), (W, X, y), after, strict=True):
        assert np.array_equal(before, now), (
            f"{name} changed its input {what} in place; work on a copy"
        )
    return float(loss), np.asarray(dW, dtype=np.float64)


def _call_loss(name: str, W: np.ndarray, X: np.ndarray, y: np.ndarray,
               reg: float) -> tuple[float, np.ndarray]:
    """Call the loss on copies; check the result's form and that the inputs are untouched."""
    f = _graded_function(name)
    given = (W.copy(), X.copy(), y.copy())
    out = quietly(f, *given, reg)
    return judge_loss_output(name, W, X, y, loss_output(out, *given))


_OVERFLOW_HINT = ("exp overflows (subtract each row's largest score first), or log of a "
                  "probability that underflowed to 0 (use log-sum-exp minus the correct "
                  "score)")


def judge_loss_value(name: str, kind: str, W: np.ndarray, X: np.ndarray, y: np.ndarray,
                     reg: float, loss: float, reveal: bool = True) -> float:
    """Assert that ``loss``, what ``name`` returned for ``(W, X, y, reg)``, matches PyTorch
    (``kind`` "svm": ``multi_margin_loss`` times C; "softmax": ``cross_entropy``; plus
    ``reg * sum(W * W)``) within ``LOSS_TOLERANCE`` relative; return the difference.

    ``reveal=False`` (the trusted grader): the message names no expected value.
    """
    want = _oracle_loss(kind, W, X, y, reg)
    diff = abs(loss - want)
    if diff <= LOSS_TOLERANCE * max(1.0, abs(want)):
        return diff
    hint = ""  # the usual mistakes are named by the catalogue (checks/catalogue/linear.py)
    if reveal:
        raise AssertionError(f"{name}(W, X, y, reg={reg}) returned loss {loss:.10g}, "
                             f"expected {want:.10g}{hint}")
    if not np.isfinite(loss):
        overflow = f": {_OVERFLOW_HINT}" if kind == "softmax" else ""
        raise AssertionError(f"{name}(W, X, y, reg={reg:.3g}) returned loss {loss}, which is "
                             f"not finite{overflow}")
    oracle = "torch multi_margin_loss" if kind == "svm" else "torch cross_entropy"
    raise AssertionError(
        f"{name}(W, X, y, reg={reg:.3g}): the loss differs from {oracle} by a relative "
        f"{diff / max(1.0, abs(want)):.1e} (allowed {LOSS_TOLERANCE:g}){hint}"
    )


def judge_gradient(name: str, kind: str, W: np.ndarray, X: np.ndarray, y: np.ndarray,
                   reg: float, dW: np.ndarray, reveal: bool = True) -> float:
    """Assert that ``dW``, what ``name`` returned for ``(W, X, y, reg)``, is the exact
    gradient of the loss (PyTorch autograd of the oracle of :func:`judge_loss_value`):
    ``|dW - exact| <= EXACT_RTOL * |exact| + EXACT_ATOL * max(1, max |exact|)`` entrywise.
    Return the largest difference.

    ``reveal=False`` (the trusted grader): the message names no expected value. Away from
    the hinge's kinks (no margin at 0) the SVM loss has one gradient; pick data so.
    """
    _, want = _oracle(kind, W, X, y, reg)
    dW = np.asarray(dW, dtype=np.float64)
    bad = ~np.isfinite(dW)
    assert not bad.any(), (
        f"{name}(reg={reg:.3g}): dW has {int(bad.sum())} NaN or infinite entries"
        + (f"; {_OVERFLOW_HINT}" if kind == "softmax" else "")
    )
    diff = np.abs(dW - want)
    allowed = EXACT_RTOL * np.abs(want) + EXACT_ATOL * max(1.0, float(np.abs(want).max()))
    if np.all(diff <= allowed):
        return float(diff.max())
    d, c = np.unravel_index(np.argmax(diff - allowed), dW.shape)
    where = (f"dW[{d}, {c}] = {dW[d, c]:.6g}, exact {want[d, c]:.6g}" if reveal
             else f"at dW[{d}, {c}]")
    raise AssertionError(
        f"{name}(reg={reg:.3g}): dW differs from the exact gradient (torch autograd) by up "
        f"to {diff.max():.3g}; e.g. {where}"
    )


def _check_values(name: str, kind: str, seed: int) -> float:
    """Loss of ``name`` against PyTorch with reg = 0 and reg = REG; return the worst diff."""
    W, X, y = _loss_data(seed)
    worst = 0.0
    for reg in (0.0, REG):
        loss, _ = _call_loss(name, W, X, y, reg)
        worst = max(worst, judge_loss_value(name, kind, W, X, y, reg, loss))
    return worst


def _check_gradients(name: str, kind: str, seed: int) -> float:
    """dW of ``name`` against a numerical gradient, reg = 0 and reg = REG; worst error."""
    W, X, y = _loss_data(seed)
    assert kind != "svm" or _kink_free[seed], f"check data (seed {seed}) sit on a kink"
    f = _graded_function(name)
    worst = 0.0
    for reg in (0.0, REG):
        _, dW = _call_loss(name, W, X, y, reg)
        W_probe = W.copy()
        numeric = quietly(eval_numerical_gradient,
                           lambda _, W=W_probe, reg=reg: f(W, X, y, reg)[0], W_probe,
                           verbose=False)
        error = rel_error(dW, numeric)
        if not error <= GRADIENT_TOLERANCE:
            d, c = np.unravel_index(np.argmax(np.abs(dW - numeric)), dW.shape)
            raise AssertionError(
                f"{name}(reg={reg}): dW differs from the numerical gradient, relative error "
                f"{error:.1e} (allowed {GRADIENT_TOLERANCE:g}); e.g. dW[{d}, {c}] = "
                f"{dW[d, c]:.6g}, numerical {numeric[d, c]:.6g}"
            )
        worst = max(worst, error)
    return worst


def _check_stable(name: str) -> float:
    """Softmax loss and gradient on scores 1e4 apart: finite and right. Return the diff."""
    W, X, y = _stable_data()
    loss, dW = _call_loss(name, W, X, y, 0.0)
    want, want_dW = _oracle("softmax", W, X, y, 0.0)
    assert np.isfinite(loss) and np.all(np.isfinite(dW)), (
        f"{name} gives loss {loss} and {int(np.sum(~np.isfinite(dW)))} non-finite dW entries "
        f"when scores differ by 1e4: {_OVERFLOW_HINT}"
    )
    diff = abs(loss - want)
    assert diff <= LOSS_TOLERANCE * max(1.0, abs(want)), (
        f"{name} on scores 1e4 apart returned loss {loss:.10g}, expected {want:.10g} "
        "(the loss of an example is log-sum-exp of its scores minus its correct score)"
    )
    grad_diff = float(np.abs(dW - want_dW).max())
    assert grad_diff <= 1e-10, (
        f"{name} on scores 1e4 apart: dW differs from the exact gradient by up to "
        f"{grad_diff:.3g}; compute the probabilities from the shifted scores"
    )
    return diff


def _check_no_loops(name: str) -> int:
    """Assert the vectorised loss runs few Python lines on 200 examples; return the count."""
    rng = np.random.default_rng(7)
    W = 0.01 * rng.standard_normal((30, 10))
    X = rng.standard_normal((200, 30))
    y = rng.integers(0, 10, size=200)
    f = _graded_function(name)
    # Counts the lines run in f's own file (the input checks live elsewhere).
    _, lines = quietly(count_python_lines, f, W, X, y, 0.1)
    assert lines <= MAX_LINES_VECTORIZED, (
        f"{name} ran {lines} Python lines for 200 examples x 10 classes: it loops; use "
        "whole-array operations (one matrix product for the scores, one for dW)"
    )
    return lines


def _check_loss(name: str, kind: str, *, vectorized: bool) -> None:
    seed = {"svm": 11, "softmax": 12}[kind] + (10 if vectorized else 0)
    loss_diff = _check_values(name, kind, seed)
    grad_error = _check_gradients(name, kind, seed)
    extra = ""
    if kind == "softmax":
        stable_diff = _check_stable(name)
        extra += f"; finite and right on scores 1e4 apart (diff {stable_diff:.1g})"
    if vectorized:
        lines = _check_no_loops(name)
        extra += f"; no loop ({lines} Python lines ran)"
    oracle = "torch multi_margin_loss" if kind == "svm" else "torch cross_entropy"
    print(f"PASS {name}: loss matches {oracle} (diff {loss_diff:.1g}), dW matches the "
          f"numerical gradient (rel. error {grad_error:.1e}), with and without reg{extra}")


def check_svm_loss_naive() -> None:
    """Check ``svm_loss_naive``: loss against PyTorch, dW against a numerical gradient.

    Raises
    ------
    AssertionError
        With a one-line reason, if the loss or gradient is wrong.
    """
    _check_loss("svm_loss_naive", "svm", vectorized=False)


def check_svm_loss_vectorized() -> None:
    """Check ``svm_loss_vectorized`` like the naive version, and that it does not loop.

    Raises
    ------
    AssertionError
        With a one-line reason, if the loss or gradient is wrong or the function loops.
    """
    _check_loss("svm_loss_vectorized", "svm", vectorized=True)


def check_softmax_loss_naive() -> None:
    """Check ``softmax_loss_naive``: loss against PyTorch, dW against a numerical
    gradient, and finite, correct results on scores 1e4 apart.

    Raises
    ------
    AssertionError
        With a one-line reason, if the loss or gradient is wrong or not finite.
    """
    _check_loss("softmax_loss_naive", "softmax", vectorized=False)


def check_softmax_loss_vectorized() -> None:
    """Check ``softmax_loss_vectorized`` like the naive version, and that it does not loop.

    Raises
    ------
    AssertionError
        With a one-line reason, if the loss or gradient is wrong or not finite, or the
        function loops.
    """
    _check_loss("softmax_loss_vectorized", "softmax", vectorized=True)


# --- LinearClassifier ---------------------------------------------------------------------


def least_squares_loss(W: np.ndarray, X_batch: np.ndarray, y_batch: np.ndarray,
                       reg: float) -> tuple[float, np.ndarray]:
    """Least squares against one-hot targets and its gradient with respect to ``W``.

    ``0.5 * mean ||x W - t||^2 + reg * sum(W * W)`` over the rows ``x`` of ``X_batch``,
    ``t`` the one-hot row of the label: a loss of the checks' own, so that
    ``LinearClassifier.train`` is tested on its own.
    """
    X_batch, y_batch = np.array(X_batch), np.array(y_batch)
    W = np.array(W, dtype=np.float64)
    residual = X_batch @ W - np.eye(W.shape[1])[y_batch]
    n = max(len(X_batch), 1)
    loss = 0.5 * float(np.sum(residual * residual)) / n + reg * float(np.sum(W * W))
    dW = X_batch.T @ residual / n + 2 * reg * W
    return loss, dW


def least_squares_recorder() -> Any:
    """A student ``LinearClassifier`` whose loss is :func:`least_squares_loss` and which
    records every call in ``calls``: ``(X_batch, y_batch, W)``, copies, ``W`` as it was
    before the step."""
    from cs231n_utils.classifiers.linear_classifier import LinearClassifier

    class LeastSquaresRecorder(LinearClassifier):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[tuple[np.ndarray, ...]] = []

        def loss(self, X_batch: np.ndarray, y_batch: np.ndarray,
                 reg: float) -> tuple[float, np.ndarray]:
            X_batch, y_batch = np.array(X_batch), np.array(y_batch)
            W = np.array(self.W, dtype=np.float64)
            loss, dW = least_squares_loss(W, X_batch, y_batch, reg)
            self.calls.append((X_batch, y_batch, W))
            return loss, dW

    return LeastSquaresRecorder()


def _train_data() -> tuple[np.ndarray, np.ndarray]:
    """60 rows whose column 0 is the row's index (so a batch row says where it came from)."""
    rng = np.random.default_rng(21)
    X = rng.standard_normal((60, 5))
    X[:, 0] = np.arange(60)
    y = rng.integers(0, 4, size=60)
    y[7] = 3  # the largest label is present: C = 4
    return X, y


def _sampled_rows(calls: list[tuple[np.ndarray, ...]], X: np.ndarray, y: np.ndarray,
                  batch_size: int) -> list[np.ndarray]:
    """Check every recorded batch; return the row indices of each."""
    batches = []
    for t, (X_batch, y_batch, _) in enumerate(calls):
        assert X_batch.shape == (batch_size, X.shape[1]), (
            f"LinearClassifier.train, step {t}: X_batch has shape {X_batch.shape}, expected "
            f"({batch_size}, {X.shape[1]}) = (batch_size, D)"
        )
        assert y_batch.shape == (batch_size,), (
            f"LinearClassifier.train, step {t}: y_batch has shape {y_batch.shape}, expected "
            f"({batch_size},)"
        )
        rows = X_batch[:, 0].astype(np.int64)
        in_range = np.all((rows >= 0) & (rows < len(X)))
        assert in_range and np.array_equal(X_batch, X[rows]), (
            f"LinearClassifier.train, step {t}: X_batch holds rows that are not rows of X"
        )
        assert np.array_equal(y_batch, y[rows]), (
            f"LinearClassifier.train, step {t}: y_batch are not the labels of the rows in "
            "X_batch; index X and y with the same indices"
        )
        batches.append(rows)
    return batches


def judge_train(X: np.ndarray, y: np.ndarray, learning_rate: float, reg: float,
                num_iters: int, batch_size: int, history: Any,
                calls: list[tuple[np.ndarray, ...]], W_final: np.ndarray) -> None:
    """Assert that a ``train`` run of a :func:`least_squares_recorder` was minibatch SGD.

    ``X`` has the row's index in column 0 (so a batch row says where it came from);
    ``history`` is what ``train`` returned, ``calls`` the recorded ``(X_batch, y_batch,
    W)`` of every loss call and ``W_final`` the weights after ``train``. Checked: one loss
    call per iteration; the history is the losses, in order; every batch is
    ``batch_size`` rows of ``X`` with their labels, not the same batch every time and
    spread over ``X``; and ``W <- W - learning_rate * dW`` at every step, with loss and
    ``dW`` recomputed here by :func:`least_squares_loss`. The messages name no expected
    value (the trusted grader uses this too).
    """
    assert history is not None, "LinearClassifier.train returned None: return loss_history"
    history = list(history)
    assert len(calls) == num_iters, (
        f"LinearClassifier.train called loss() {len(calls)} times for "
        f"num_iters={num_iters}: once per iteration"
    )
    assert len(history) == num_iters, (
        f"LinearClassifier.train returned {len(history)} losses for num_iters={num_iters}"
    )
    exact = [least_squares_loss(W, X_batch, y_batch, reg) for X_batch, y_batch, W in calls]
    assert np.allclose(history, [loss for loss, _ in exact], rtol=1e-12, atol=0), (
        "LinearClassifier.train: the loss history is not the losses loss() returned, in order"
    )
    batches = _sampled_rows(calls, X, y, batch_size)
    assert len({tuple(b) for b in batches}) > 1, (
        "LinearClassifier.train used the same batch at every step: draw a new random batch "
        "each iteration"
    )
    assert len(np.unique(np.concatenate(batches))) > 2 * batch_size, (
        f"LinearClassifier.train sampled only a few of the {len(X)} rows in {num_iters} "
        "steps: draw each batch at random from all N rows"
    )
    # the update: W_{t+1} = W_t - lr * dW_t, and the final W after the last step
    assert W_final is not None, "LinearClassifier.train left W as None"
    Ws = [W for _, _, W in calls] + [np.asarray(W_final, dtype=np.float64)]
    for t, ((_, _, W), (_, dW)) in enumerate(zip(calls, exact, strict=True)):
        expected = W - learning_rate * dW
        assert Ws[t + 1].shape == expected.shape, (
            f"LinearClassifier.train, step {t}: W has shape {Ws[t + 1].shape} after the "
            f"step, {expected.shape} before"
        )
        assert np.allclose(Ws[t + 1], expected, rtol=1e-12, atol=1e-15), (
            f"LinearClassifier.train, step {t}: W did not become W - learning_rate * dW "
            f"(max difference {np.abs(Ws[t + 1] - expected).max():.3g})"
        )


def judge_reproducible(seed: int, batches: list[np.ndarray], again: list[np.ndarray]) -> None:
    """Assert that two ``train`` runs with the same ``seed`` drew the same batches
    (``batches`` and ``again``: the ``X_batch`` of every step of each run)."""
    same = len(batches) == len(again) and all(
        np.array_equal(a, b) for a, b in zip(again, batches, strict=True))
    assert same, (
        f"LinearClassifier.train: two runs with seed={seed} drew different batches; draw the "
        "batch indices with rng (the numpy Generator made from seed), not np.random"
    )


def check_train() -> None:
    """Check ``LinearClassifier.train``: minibatch sampling and the SGD update.

    The check subclasses the student's ``LinearClassifier`` with a least-squares loss of
    its own that records every call, trains 12 steps with batches of 7 from 60 rows, and
    verifies the loss history, the batches and every update.

    Raises
    ------
    AssertionError
        With a one-line reason, if something is wrong.
    """
    X, y = _train_data()
    lr, reg, num_iters, batch_size, seed = 0.01, 0.1, 12, 7, 3
    model = least_squares_recorder()
    history = quietly(model.train, X, y, learning_rate=lr, reg=reg, num_iters=num_iters,
                       batch_size=batch_size, seed=seed)
    judge_train(X, y, lr, reg, num_iters, batch_size, history, model.calls, model.W)
    # reproducible: the batches come from the rng made from seed
    again = least_squares_recorder()
    quietly(again.train, X, y, learning_rate=lr, reg=reg, num_iters=num_iters,
             batch_size=batch_size, seed=seed)
    judge_reproducible(seed, [c[0] for c in model.calls], [c[0] for c in again.calls])
    print(f"PASS LinearClassifier.train: {num_iters} steps, random batches of {batch_size} "
          "real rows with their labels, W <- W - learning_rate * dW at every step, "
          "reproducible with seed")


def judge_predict(W: np.ndarray, X: np.ndarray, y_pred: Any, W_after: np.ndarray,
                  reveal: bool = True) -> None:
    """Assert that ``y_pred``, what ``LinearClassifier.predict(X)`` returned with weights
    ``W``, is the highest-scoring class of every row (integers, shape ``(N,)``; the
    first one on a tie) and that ``W`` was left as it was (``W_after``).

    ``reveal=False`` (the trusted grader): the message names no expected class.
    """
    N = X.shape[0]
    assert y_pred is not None, "LinearClassifier.predict returned None: return the labels"
    y_pred = np.asarray(y_pred)
    assert y_pred.shape == (N,), (
        f"LinearClassifier.predict returned shape {y_pred.shape}, expected ({N},) = (N,)"
    )
    assert np.issubdtype(y_pred.dtype, np.integer), (
        f"LinearClassifier.predict must return integer labels, got dtype {y_pred.dtype}"
    )
    assert np.array_equal(W_after, W), "LinearClassifier.predict changed W"
    scores = np.einsum("nd,dc->nc", X, W)
    expected = np.array([int(np.flatnonzero(row == row.max())[0]) for row in scores])
    wrong = np.flatnonzero(y_pred != expected)
    if wrong.size:
        i = wrong[0]
        detail = (f"expected {expected[i]} (the class with the highest score, "
                  f"{scores[i].max():.3f})" if reveal else
                  "not the class with the highest score")
        raise AssertionError(
            f"LinearClassifier.predict: row {i} got class {y_pred[i]}, {detail}; "
            f"{wrong.size} of {N} rows wrong"
        )


def check_predict() -> None:
    """Check ``LinearClassifier.predict`` on weights set by the check (25 rows, 5 classes).

    Raises
    ------
    AssertionError
        With a one-line reason, if a prediction is wrong.
    """
    LinearClassifier = graded("classifiers.linear_classifier", "LinearClassifier")
    rng = np.random.default_rng(31)
    W = rng.standard_normal((6, 5))
    X = rng.standard_normal((25, 6))
    model = LinearClassifier()
    model.W = W.copy()
    y_pred = quietly(model.predict, X.copy())
    judge_predict(W, X, y_pred, model.W)
    print("PASS LinearClassifier.predict: the highest-scoring class for all 25 rows")


#: Graded function -> its visible check, for the command-line summary table.
CHECKS: dict[str, Callable[[], None]] = {
    "svm_loss_naive": check_svm_loss_naive,
    "svm_loss_vectorized": check_svm_loss_vectorized,
    "softmax_loss_naive": check_softmax_loss_naive,
    "softmax_loss_vectorized": check_softmax_loss_vectorized,
    "LinearClassifier.train": check_train,
    "LinearClassifier.predict": check_predict,
}
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.linear).
CHECKS = diagnosing(ASSIGNMENT, CHECKS, globals())
