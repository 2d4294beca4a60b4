"""Visible checks of assignment 03_backprop (backpropagation and neural networks).

Each check builds its own small seeded inputs, calls exactly ONE graded function, and
compares it with an answer computed here, independently of the student's code:

* forward passes against direct formulas (SciPy's ``expit`` and ``logsumexp``, a plain
  loop for the SVM loss);
* backward passes against numerical gradients (centred differences of a forward pass
  written here, :mod:`cs231n_utils.gradient_check`), in float64. A backward check builds
  the ``cache`` itself, in the format the function's docstring gives, so it does not
  depend on the student's forward;
* the scalar autograd engine: each operation's local derivatives against centred
  differences of the operation's formula, ``Value.backward`` against a sum over all paths
  of a graph built by hand (no operation of the engine involved).

The comparisons themselves (shapes, tolerances, messages, advice) are the public
``judge_*`` functions: a check calls its graded function, computes
the expected values with its oracle and hands both to the judge. The trusted grader's
hidden tests (``solutions/hidden_tests/03_backprop.py``) hand the same judges what a
submission returned on hidden inputs, with expected values from PyTorch autograd, and
``reveal=False``: then no message names an expected value. A failing check names the
common mistake its results match first (the catalogue of wrong variants,
:mod:`cs231n_utils.checks.catalogue.backprop`).

A check raises ``AssertionError`` with a one-line reason, or prints one line starting
with ``PASS``. A function that is not written yet raises its ``NotImplementedError``
unchanged. The checks write nothing to stderr: numerical warnings of the checked code are
silenced (their effect, a NaN say, is what gets reported), except where a check is about
overflow.

>>> from cs231n_utils.checks.backprop import check_affine_backward
>>> check_affine_backward()  # doctest: +SKIP
PASS affine_backward: dx, dw, db match numerical gradients (largest relative error 2.1e-11)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.special import expit, logsumexp, softmax

from cs231n_utils.checks.common import finite_array as _array
from cs231n_utils.checks.common import graded as _graded
from cs231n_utils.checks.common import numeric_grads as _numeric_grads
from cs231n_utils.checks.common import quietly
from cs231n_utils.checks.common import result_tuple as _tuple
from cs231n_utils.checks.common import unchanged as _unchanged
from cs231n_utils.checks.mistakes import diagnosing
from cs231n_utils.gradient_check import eval_numerical_gradient_array, rel_error

ASSIGNMENT = "03_backprop"

__all__ = [
    "CHECKS",
    "SIGMOID_ERRSTATE",
    "VALUE_OP_HINTS",
    "check_add_multiply_backward",
    "check_affine_backward",
    "check_affine_forward",
    "check_affine_relu_backward",
    "check_affine_relu_forward",
    "check_relu_backward",
    "check_relu_forward",
    "check_sigmoid_backward",
    "check_sigmoid_forward",
    "check_softmax_loss",
    "check_staged_example_backward",
    "check_svm_loss",
    "check_two_layer_net_init",
    "check_two_layer_net_loss",
    "check_value_add",
    "check_value_backward",
    "check_value_exp",
    "check_value_mul",
    "check_value_pow",
    "check_value_relu",
    "check_value_sigmoid",
    "judge_add_multiply_backward",
    "judge_affine_backward",
    "judge_affine_forward",
    "judge_affine_relu_backward",
    "judge_affine_relu_forward",
    "judge_deep_chain",
    "judge_relu_backward",
    "judge_relu_forward",
    "judge_sigmoid_backward",
    "judge_sigmoid_forward",
    "judge_softmax_loss",
    "judge_staged_example_backward",
    "judge_svm_loss",
    "judge_two_layer_net_init",
    "judge_two_layer_net_loss",
    "judge_two_layer_net_scores",
    "judge_value_backward",
    "judge_value_op",
]

#: Largest relative error accepted between an analytic and a numerical gradient
#: (CS231n asks for about 1e-7 or less in float64).
GRAD_TOLERANCE = 1e-7
#: Largest relative error accepted for values computed two ways (forward passes, losses).
VALUE_TOLERANCE = 1e-9
#: Below this size, :func:`~cs231n_utils.gradient_check.rel_error` compares absolutely.
REL_FLOOR = 1e-8


# ------------------------------------------------------------------------- helpers


def _relative_error(got: np.ndarray | float, want: np.ndarray | float, floor: float) -> float:
    """``max(|got - want| / max(floor, |got| + |want|))``: :func:`rel_error` when ``floor``
    is 1e-8; a smaller floor compares tiny numbers (a sigmoid's tail) relatively too."""
    if floor == REL_FLOOR:
        return rel_error(got, want)
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.size == 0:
        return 0.0
    return float(np.max(np.abs(got - want) / np.maximum(floor, np.abs(got) + np.abs(want))))


def _assert_close(got: np.ndarray, want: np.ndarray, what: str, tol: float,
                  hint: str = "", *, reveal: bool = True, floor: float = REL_FLOOR) -> float:
    """Assert that the relative error of ``got`` (see :func:`_relative_error`) is at most
    ``tol``; return the error. ``reveal=False``: the message names where, not the value
    expected there."""
    error = _relative_error(got, want, floor)
    if not error <= tol:
        where = ""
        if np.ndim(want):
            worst = np.unravel_index(np.argmax(np.abs(got - want)), np.shape(want))
            index = tuple(int(i) for i in worst)
            where = (f" (e.g. at index {index}: {np.asarray(got)[worst]:.6g}, "
                     f"expected {np.asarray(want)[worst]:.6g})" if reveal else
                     f" (e.g. at index {index})")
        raise AssertionError(f"{what}: relative error {error:.1e} exceeds {tol:g}{where}"
                             + (f"; {hint}" if hint else ""))
    return error


def _judge_gradients(function: str, names: tuple[str, ...], got: Sequence[Any],
                     want: Sequence[np.ndarray], tol: float, hints: dict[str, str], *,
                     context: str = "", reveal: bool = True) -> float:
    """Assert that each of ``got`` (named ``names``) has the shape of the matching ``want``,
    is finite and within ``tol`` of it; return the largest relative error."""
    worst = 0.0
    for name, g, w in zip(names, got, want, strict=True):
        g = _array(g, f"{function}: {name}", np.shape(w))
        worst = max(worst, _assert_close(g, w, f"{function}{context}: {name}", tol,
                                         hints.get(name, ""), reveal=reveal))
    return worst


def _affine(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The affine layer written as a tensor contraction over all non-batch axes."""
    w_shaped = w.reshape(*x.shape[1:], w.shape[1])
    return np.tensordot(x, w_shaped, axes=x.ndim - 1) + b


def _svm_loss_by_loops(x: np.ndarray, y: np.ndarray) -> float:
    total = 0.0
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            if j != y[i]:
                total += max(0.0, x[i, j] - x[i, y[i]] + 1.0)
    return total / x.shape[0]


def _softmax_loss(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(logsumexp(x, axis=1) - x[np.arange(len(y)), y]))


# ------------------------------------------------------------- staged examples (1, 3)


def check_add_multiply_backward() -> None:
    """Check ``add_multiply_backward`` for ``f = (x + y) z``: the notes' numbers, then
    random inputs against numerical gradients.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    backward = _graded("staged", "add_multiply_backward")
    x, y, z = -2.0, 5.0, -4.0
    got = _tuple(quietly(backward, 1.0, (x, y, z, x + y)), 3, "add_multiply_backward",
                 "dx, dy, dz")
    want = (z, z, x + y)  # df/dx = df/dy = z, df/dz = x + y
    for name, g, w in zip(("dx", "dy", "dz"), got, want, strict=True):
        g = _array(g, f"add_multiply_backward: {name}", ())
        assert np.isclose(float(g), w), (
            f"add_multiply_backward(1.0, cache of x=-2, y=5, z=-4): {name} = {g}, expected "
            f"{w:g} (the add gate passes its gradient on unchanged, the multiply gate swaps)"
        )

    rng = np.random.default_rng(30)
    x, y, z, df = (rng.normal(size=6) for _ in range(4))
    got = _tuple(quietly(backward, df, (x, y, z, x + y)), 3, "add_multiply_backward",
                 "dx, dy, dz")
    numeric = _numeric_grads(lambda x, y, z: (x + y) * z, [x, y, z], df)
    worst = judge_add_multiply_backward(got, numeric, " with arrays and df != 1")
    print(f"PASS add_multiply_backward: the notes' (-4, -4, 3) and numerical gradients "
          f"(largest relative error {worst:.1e})")


def judge_add_multiply_backward(got: Sequence[Any], want: Sequence[np.ndarray],
                                context: str = "", tol: float = GRAD_TOLERANCE,
                                reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dy, dz)`` that ``add_multiply_backward`` returned,
    matches ``want`` (an oracle's gradients) in shape and within ``tol``.

    Parameters
    ----------
    got : sequence
        What the function returned, three items.
    want : sequence of numpy.ndarray
        The expected ``dx, dy, dz``.
    context : str
        Appended to the function's name in a message (which inputs).
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    names = ("dx", "dy", "dz")
    hint = "multiply every local derivative by the upstream gradient df"
    return _judge_gradients("add_multiply_backward", names, got, want, tol,
                            dict.fromkeys(names, hint), context=context, reveal=reveal)


def _staged_forward(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, tuple]:
    """The notes' staged example, computed here so the check needs no student code."""
    sigy, sigx = expit(y), expit(x)
    num, xpy = x + sigy, x + y
    xpysqr = xpy**2
    den = sigx + xpysqr
    invden = 1.0 / den
    return num * invden, (x, y, sigy, num, sigx, xpy, xpysqr, den, invden)


def _staged_branches(df: np.ndarray, cache: tuple) -> tuple[list, list]:
    """What each stage that uses x (resp. y) sends back to it."""
    x, y, sigy, num, sigx, xpy, xpysqr, den, invden = cache
    dden = -num * df / den**2
    to_x = [2 * xpy * dden, sigx * (1 - sigx) * dden, invden * df]   # stages (4), (3), (2)
    to_y = [2 * xpy * dden, sigy * (1 - sigy) * invden * df]         # stages (4), (1)
    return to_x, to_y


def judge_staged_example_backward(df: np.ndarray, cache: tuple, got: Sequence[Any],
                                  want: Sequence[np.ndarray], what: str,
                                  tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dy)`` that ``staged_example_backward(df, cache)``
    returned, matches ``want`` within ``tol`` (a gradient that holds only some of the
    branches meeting at ``x`` or ``y`` is named by the mistake catalogue,
    :mod:`cs231n_utils.checks.catalogue.backprop`).

    Parameters
    ----------
    df : numpy.ndarray
        The upstream gradient given.
    cache : tuple
        The cache given, ``(x, y, sigy, num, sigx, xpy, xpysqr, den, invden)``.
    got : sequence
        What the function returned, two items.
    want : sequence of numpy.ndarray
        The expected ``dx, dy``.
    what : str
        Which inputs, for the messages.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    worst = 0.0
    for name, g, n in zip(("dx", "dy"), got, want, strict=True):
        g = _array(g, f"staged_example_backward ({what}): {name}", np.shape(n))
        hint = (f"{name} is the sum of what every stage that uses {name[1]} sends back "
                "(add each with +=)")
        worst = max(worst, _assert_close(g, n, f"staged_example_backward ({what}): {name}",
                                         tol, hint, reveal=reveal))
    return worst


def check_staged_example_backward() -> None:
    """Check ``staged_example_backward`` for ``f = (x + s(y)) / (s(x) + (x + y)^2)``.

    The notes' point ``x = 3, y = -4`` and 8 random points (as arrays, with random
    upstream gradients), against numerical gradients.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    backward = _graded("staged", "staged_example_backward")
    rng = np.random.default_rng(31)
    cases = [(np.array([3.0]), np.array([-4.0]), np.array([1.0]), "x = 3, y = -4"),
             (rng.normal(size=8) * 2, rng.normal(size=8) * 2, rng.normal(size=8),
              "8 random points, random df")]
    worst = 0.0
    for x, y, df, what in cases:
        _, cache = _staged_forward(x, y)
        got = _tuple(quietly(backward, df, cache), 2, "staged_example_backward", "dx, dy")
        numeric = _numeric_grads(lambda x, y: _staged_forward(x, y)[0], [x, y], df)
        worst = max(worst, judge_staged_example_backward(df, cache, got, numeric, what))
    print(f"PASS staged_example_backward: matches numerical gradients at the notes' point and "
          f"8 random ones (largest relative error {worst:.1e})")


# --------------------------------------------------------------------- affine (5)


def judge_affine_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, out: Any,
                         after: Sequence[np.ndarray], want: np.ndarray,
                         tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``out``, what ``affine_forward(x, w, b)`` returned first, has shape
    (N, M) and matches ``want`` within ``tol``, and that ``after`` (the inputs as the
    function left them) equals ``x, w, b``; return the relative error.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    x_shape = x.shape
    what = f"affine_forward: out for x of shape {x_shape}"
    out = _array(out, what, (x_shape[0], w.shape[1]))
    for name, before, left in zip("xwb", (x, w, b), after, strict=True):
        _unchanged(before, left, "affine_forward", name)
    return _assert_close(out, want, what, tol,
                         "flatten each example into a row: x.reshape(N, -1) @ w + b",
                         reveal=reveal)


def check_affine_forward() -> None:
    """Check ``affine_forward`` on inputs of shape (4, 2, 3, 5) (D = 30) and (6, 7).

    Raises
    ------
    AssertionError
        With a one-line reason, if the output is wrong or an input is changed.
    """
    affine_forward = _graded("layers", "affine_forward")
    rng = np.random.default_rng(50)
    worst = 0.0
    for x_shape, M in (((4, 2, 3, 5), 6), ((6, 7), 3)):
        D = int(np.prod(x_shape[1:]))
        x, w, b = rng.normal(size=x_shape), rng.normal(size=(D, M)), rng.normal(size=M)
        given = (x.copy(), w.copy(), b.copy())
        result = _tuple(quietly(affine_forward, *given), 2, "affine_forward", "out, cache")
        worst = max(worst, judge_affine_forward(x, w, b, result[0], given, _affine(x, w, b)))
    print(f"PASS affine_forward: matches x_flat @ w + b for x of 4 and 2 dimensions "
          f"(largest relative error {worst:.1e})")


def judge_affine_backward(got: Sequence[Any], want: Sequence[np.ndarray],
                          tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dw, db)`` that ``affine_backward`` returned, matches
    ``want`` in shape and within ``tol``; return the largest relative error.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    hints = {"dx": "dx = dout @ w.T, reshaped to the shape of x",
             "dw": "dw = x_flat.T @ dout: the shapes (D, N) @ (N, M) leave only one order",
             "db": "b is added to every row, so db sums dout over the rows (axis 0)"}
    return _judge_gradients("affine_backward", ("dx", "dw", "db"), got, want, tol, hints,
                            reveal=reveal)


def check_affine_backward() -> None:
    """Check ``affine_backward`` against numerical gradients, x of shape (10, 2, 3).

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    affine_backward = _graded("layers", "affine_backward")
    rng = np.random.default_rng(51)
    x, w, b = rng.normal(size=(10, 2, 3)), rng.normal(size=(6, 5)), rng.normal(size=5)
    dout = rng.normal(size=(10, 5))
    result = _tuple(quietly(affine_backward, dout.copy(), (x.copy(), w.copy(), b.copy())), 3,
                    "affine_backward", "dx, dw, db")
    numeric = _numeric_grads(_affine, [x, w, b], dout)
    worst = judge_affine_backward(result, numeric)
    print(f"PASS affine_backward: dx, dw, db match numerical gradients "
          f"(largest relative error {worst:.1e})")


# ------------------------------------------------------------------ activations (6)


def judge_relu_forward(x: np.ndarray, out: Any, x_after: np.ndarray, want: np.ndarray,
                       tol: float = 0.0, reveal: bool = True) -> None:
    """Assert that ``relu_forward`` left ``x`` as it was (``x_after``) and that ``out``, what
    it returned first, equals ``want`` (exactly, by default).

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    _unchanged(x, x_after, "relu_forward", "x")
    out = _array(out, "relu_forward: out", x.shape)
    _assert_close(out, want, "relu_forward: out", tol, "out = max(0, x) elementwise",
                  reveal=reveal)


def check_relu_forward() -> None:
    """Check ``relu_forward`` on a (3, 4, 5) array with negative, zero and positive entries.

    Raises
    ------
    AssertionError
        With a one-line reason, if the output is wrong or ``x`` is changed.
    """
    relu_forward = _graded("layers", "relu_forward")
    x = np.random.default_rng(60).normal(size=(3, 4, 5))
    x[0, 0, :2] = 0.0
    given = x.copy()
    result = _tuple(quietly(relu_forward, given), 2, "relu_forward", "out, cache")
    judge_relu_forward(x, result[0], given, np.where(x > 0, x, 0.0))
    print("PASS relu_forward: max(0, x) on a (3, 4, 5) array, input left unchanged")


def judge_relu_backward(x: np.ndarray, dx: Any, want: np.ndarray, tol: float = 0.0,
                        reveal: bool = True) -> float:
    """Assert that ``dx``, what ``relu_backward(dout, x)`` returned, has the shape of ``x``
    and matches ``want`` within ``tol`` (exactly, by default); return the relative error.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    dx = _array(dx, "relu_backward: dx", x.shape)
    hint = "dout passes where x > 0 and is blocked (0) where x <= 0"
    return _assert_close(dx, want, "relu_backward: dx", tol, hint, reveal=reveal)


def check_relu_backward() -> None:
    """Check ``relu_backward`` against numerical gradients on a (4, 6) array, and that the
    gradient at ``x == 0`` is 0.

    Raises
    ------
    AssertionError
        With a one-line reason, if the gradient is wrong.
    """
    relu_backward = _graded("layers", "relu_backward")
    rng = np.random.default_rng(61)
    x = rng.normal(size=(4, 6))
    x += np.where(x >= 0, 0.1, -0.1)     # no entry within a step h of the kink at 0
    dout = rng.normal(size=x.shape)
    dx = quietly(relu_backward, dout.copy(), x.copy())
    numeric = eval_numerical_gradient_array(lambda _: np.maximum(x, 0.0), x, dout)
    error = judge_relu_backward(x, dx, numeric, GRAD_TOLERANCE)
    at_zero = _array(quietly(relu_backward, np.ones(3), np.zeros(3)),
                     "relu_backward(ones, cache=zeros)", (3,))
    assert np.all(at_zero == 0.0), (
        f"relu_backward at x == 0 gives {at_zero}; use the gradient 0 there (x > 0, not x >= 0)"
    )
    print(f"PASS relu_backward: matches numerical gradients (relative error {error:.1e}), "
          "0 at x == 0")


#: How ``sigmoid_forward`` is called: a floating-point overflow (or NaN, or division by 0)
#: raises ``FloatingPointError`` instead of warning.
SIGMOID_ERRSTATE = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}


def judge_sigmoid_forward(x: np.ndarray, out: Any, x_after: np.ndarray, want: np.ndarray,
                          tol: float = VALUE_TOLERANCE, floor: float = REL_FLOOR,
                          overflow: str | None = None, reveal: bool = True) -> float:
    """Assert that ``sigmoid_forward``, called under :data:`SIGMOID_ERRSTATE`, did not
    overflow, left ``x`` as it was (``x_after``), and that ``out``, what it returned first,
    matches ``want`` within ``tol``; return the relative error.

    Parameters
    ----------
    x, out, x_after, want : numpy.ndarray
        The input, the output returned, the input after the call, the expected output.
    tol : float
        Largest relative error accepted.
    floor : float
        Outputs below it are compared absolutely (a tiny floor: the tail of the sigmoid,
        ``e ** x`` for very negative ``x``, must be right relatively too).
    overflow : str or None
        The message of the ``FloatingPointError`` the call raised, if it did.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).
    """
    if overflow is not None:
        big = float(np.max(np.abs(x)))
        raise AssertionError(
            f"sigmoid_forward overflowed ({overflow}) for inputs of {-big:g} or {big:g}; "
            "exp(-x) is huge for very negative x: use exp(-|x|), which is at most 1")
    _unchanged(x, x_after, "sigmoid_forward", "x")
    out = _array(out, "sigmoid_forward: out", x.shape)
    return _assert_close(out, want, "sigmoid_forward: out", tol, reveal=reveal, floor=floor)


def check_sigmoid_forward() -> None:
    """Check ``sigmoid_forward`` against SciPy's ``expit``, including inputs of +-800
    (which must not overflow: no warning, no NaN).

    Raises
    ------
    AssertionError
        With a one-line reason, if the output is wrong or the computation overflows.
    """
    sigmoid_forward = _graded("layers", "sigmoid_forward")
    x = np.random.default_rng(62).normal(size=(5, 4)) * 3
    x[0, :3] = [-800.0, 800.0, 0.0]
    given = x.copy()
    overflow = None
    try:
        with warnings.catch_warnings(), np.errstate(**SIGMOID_ERRSTATE):
            warnings.simplefilter("ignore")
            result = sigmoid_forward(given)
    except FloatingPointError as error:
        overflow = str(error)
    if overflow is not None:
        judge_sigmoid_forward(x, None, given, expit(x), overflow=overflow)
    result = _tuple(result, 2, "sigmoid_forward", "out, cache")
    error = judge_sigmoid_forward(x, result[0], given, expit(x))
    print(f"PASS sigmoid_forward: matches scipy expit, no overflow at +-800 "
          f"(relative error {error:.1e})")


def judge_sigmoid_backward(dx: Any, want: np.ndarray, tol: float = GRAD_TOLERANCE,
                           reveal: bool = True) -> float:
    """Assert that ``dx``, what ``sigmoid_backward`` returned, has the shape of ``want`` and
    matches it within ``tol``; return the relative error.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    dx = _array(dx, "sigmoid_backward: dx", np.shape(want))
    return _assert_close(dx, want, "sigmoid_backward: dx", tol,
                         "the cache holds the OUTPUT s of the sigmoid; ds/dx = s * (1 - s)",
                         reveal=reveal)


def check_sigmoid_backward() -> None:
    """Check ``sigmoid_backward`` against numerical gradients on a (4, 5) array.

    Raises
    ------
    AssertionError
        With a one-line reason, if the gradient is wrong.
    """
    sigmoid_backward = _graded("layers", "sigmoid_backward")
    rng = np.random.default_rng(63)
    x = rng.normal(size=(4, 5)) * 2
    dout = rng.normal(size=x.shape)
    out = expit(x)
    dx = quietly(sigmoid_backward, dout.copy(), out.copy())
    numeric = eval_numerical_gradient_array(lambda _: expit(x), x, dout)
    error = judge_sigmoid_backward(dx, numeric)
    print(f"PASS sigmoid_backward: matches numerical gradients (relative error {error:.1e})")


# ----------------------------------------------------------------------- losses (7)


def _judge_loss(name: str, x: np.ndarray, loss: Any, dx: Any, x_after: np.ndarray,
                want_loss: float, want_dx: np.ndarray, what: str, tol_loss: float,
                tol_dx: float, reveal: bool) -> float:
    """Shared body of :func:`judge_svm_loss` and :func:`judge_softmax_loss`."""
    _unchanged(x, x_after, name, "x")
    assert loss is not None and np.ndim(loss) == 0, (
        f"{name} ({what}): loss must be a number, got {type(loss).__name__}")
    expected = f", expected {want_loss:.6g}" if reveal else ""
    assert np.isfinite(float(loss)), (
        f"{name} ({what}): the loss is {float(loss)}{expected}; "
        "very large scores overflow exp(): subtract each row's maximum first")
    worst = _assert_close(float(loss), want_loss, f"{name} ({what}): loss", tol_loss,
                          reveal=reveal)
    dx = _array(dx, f"{name} ({what}): dx", x.shape)
    return max(worst, _assert_close(dx, want_dx, f"{name} ({what}): dx", tol_dx,
                                    "the loss is an average: divide dx by N too",
                                    reveal=reveal))


def judge_svm_loss(x: np.ndarray, loss: Any, dx: Any, x_after: np.ndarray, want_loss: float,
                   want_dx: np.ndarray, what: str, tol_loss: float = VALUE_TOLERANCE,
                   tol_dx: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``svm_loss`` left the scores ``x`` as they were (``x_after``) and that
    the ``loss`` and ``dx`` it returned match ``want_loss`` and ``want_dx``.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C)
        The scores given.
    loss, dx : Any
        What the function returned.
    x_after : numpy.ndarray
        The scores after the call.
    want_loss : float
        The expected loss.
    want_dx : numpy.ndarray
        The expected gradient.
    what : str
        Which inputs, for the messages.
    tol_loss, tol_dx : float
        Largest relative errors accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    return _judge_loss("svm_loss", x, loss, dx, x_after, want_loss, want_dx, what, tol_loss,
                       tol_dx, reveal)


def judge_softmax_loss(x: np.ndarray, loss: Any, dx: Any, x_after: np.ndarray,
                       want_loss: float, want_dx: np.ndarray, what: str,
                       tol_loss: float = VALUE_TOLERANCE, tol_dx: float = GRAD_TOLERANCE,
                       reveal: bool = True) -> float:
    """Like :func:`judge_svm_loss`, for ``softmax_loss``."""
    return _judge_loss("softmax_loss", x, loss, dx, x_after, want_loss, want_dx, what,
                       tol_loss, tol_dx, reveal)


def _check_loss(name: str, oracle: Callable[[np.ndarray, np.ndarray], float],
                cases: list[tuple[np.ndarray, np.ndarray, str]],
                judge: Callable[..., float],
                exact_dx: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> float:
    """Shared body of the two loss checks; returns the largest error seen.

    ``dx`` is compared with a numerical gradient of ``oracle``, except for scores above
    100 in size: there (centred differences lose all precision) it is compared with
    ``exact_dx``.
    """
    loss_fn = _graded("layers", name)
    worst = 0.0
    for x, y, what in cases:
        given = x.copy()
        loss, dx = _tuple(quietly(loss_fn, given, y.copy()), 2, name, "loss, dx")
        if exact_dx is not None and np.abs(x).max() > 100:
            numeric = exact_dx(x, y)
        else:
            numeric = eval_numerical_gradient_array(
                lambda _, x=x, y=y: np.array(oracle(x, y)), x, np.array(1.0))
        worst = max(worst, judge(x, loss, dx, given, oracle(x, y), numeric, what))
    return worst


def check_svm_loss() -> None:
    """Check ``svm_loss`` against a loop over examples and classes (loss) and numerical
    gradients (dx): small scores (every margin positive) and spread-out scores (some
    margins 0), N = 8, C = 5.

    Raises
    ------
    AssertionError
        With a one-line reason, if the loss or its gradient is wrong.
    """
    rng = np.random.default_rng(70)
    y = rng.integers(0, 5, size=8)
    cases = [(0.001 * rng.normal(size=(8, 5)), y, "small scores"),
             (rng.normal(size=(8, 5)), y, "spread-out scores")]
    worst = _check_loss("svm_loss", _svm_loss_by_loops, cases, judge_svm_loss)
    print(f"PASS svm_loss: loss and dx match a plain loop and numerical gradients "
          f"(largest relative error {worst:.1e})")


def check_softmax_loss() -> None:
    """Check ``softmax_loss`` against SciPy's ``logsumexp`` (loss) and numerical
    gradients (dx), N = 9, C = 6, including scores around 500 (exp of them is still
    finite, exp of twice them is not) and of size 1000 (the loss must stay finite and
    correct; for both, dx is compared with SciPy's ``softmax`` minus the one-hot labels,
    as centred differences lose their precision at that size).

    Raises
    ------
    AssertionError
        With a one-line reason, if the loss or its gradient is wrong.
    """
    rng = np.random.default_rng(71)
    y = rng.integers(0, 6, size=9)
    large = rng.normal(size=(9, 6))
    large[:, 0] += 1000.0
    large[1] -= 2000.0
    small, spread = 0.001 * rng.normal(size=(9, 6)), rng.normal(size=(9, 6))
    middle = rng.normal(size=(9, 6))
    middle[:, 0] += 500.0
    cases = [(small, y, "small scores"), (spread, y, "spread-out scores"),
             (middle, y, "scores around 500"), (large, y, "scores around +-1000")]

    def exact_dx(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        dx = softmax(x, axis=1)
        dx[np.arange(len(y)), y] -= 1.0
        return dx / len(y)

    worst = _check_loss("softmax_loss", _softmax_loss, cases, judge_softmax_loss, exact_dx)
    print(f"PASS softmax_loss: loss and dx match scipy logsumexp and numerical gradients, "
          f"stable at +-1000 (largest relative error {worst:.1e})")


# -------------------------------------------------------------- the sandwich (8)


def judge_affine_relu_forward(out: Any, want: np.ndarray, tol: float = VALUE_TOLERANCE,
                              reveal: bool = True) -> float:
    """Assert that ``out``, what ``affine_relu_forward`` returned first, has the shape of
    ``want`` and matches it within ``tol``; return the relative error.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    out = _array(out, "affine_relu_forward: out", np.shape(want))
    return _assert_close(out, want, "affine_relu_forward: out", tol,
                         "out = relu(affine(x, w, b))", reveal=reveal)


def check_affine_relu_forward() -> None:
    """Check ``affine_relu_forward`` on x of shape (5, 3, 4) against max(0, affine).

    Raises
    ------
    AssertionError
        With a one-line reason, if the output is wrong.
    """
    forward = _graded("layer_utils", "affine_relu_forward")
    rng = np.random.default_rng(80)
    x, w, b = rng.normal(size=(5, 3, 4)), rng.normal(size=(12, 7)), rng.normal(size=7)
    result = _tuple(quietly(forward, x.copy(), w.copy(), b.copy()), 2,
                    "affine_relu_forward", "out, cache")
    error = judge_affine_relu_forward(result[0], np.maximum(_affine(x, w, b), 0.0))
    print(f"PASS affine_relu_forward: matches max(0, x_flat @ w + b) "
          f"(relative error {error:.1e})")


def judge_affine_relu_backward(got: Sequence[Any], want: Sequence[np.ndarray],
                               tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dw, db)`` that ``affine_relu_backward`` returned,
    matches ``want`` in shape and within ``tol``; return the largest relative error.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    names = ("dx", "dw", "db")
    hint = "go back through the ReLU first, then through the affine layer"
    return _judge_gradients("affine_relu_backward", names, got, want, tol,
                            dict.fromkeys(names, hint), reveal=reveal)


def check_affine_relu_backward() -> None:
    """Check ``affine_relu_backward`` against numerical gradients, x of shape (6, 2, 5).

    The cache is built here as ``((x, w, b), a)`` with ``a`` the affine output: the
    caches of :func:`affine_forward` and :func:`relu_forward`.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    backward = _graded("layer_utils", "affine_relu_backward")
    rng = np.random.default_rng(81)
    x, w, b = rng.normal(size=(6, 2, 5)), rng.normal(size=(10, 4)), rng.normal(size=4)
    a = _affine(x, w, b)
    dout = rng.normal(size=a.shape)
    result = _tuple(quietly(backward, dout.copy(), ((x.copy(), w.copy(), b.copy()), a.copy())),
                    3, "affine_relu_backward", "dx, dw, db")
    numeric = _numeric_grads(lambda x, w, b: np.maximum(_affine(x, w, b), 0.0), [x, w, b], dout)
    worst = judge_affine_relu_backward(result, numeric)
    print(f"PASS affine_relu_backward: dx, dw, db match numerical gradients "
          f"(largest relative error {worst:.1e})")


# ----------------------------------------------------------- the two-layer net (9)


def judge_two_layer_net_init(params: Any, reg_kept: Any, dims: tuple[int, int, int],
                             weight_scale: float, reg: float,
                             again: dict[str, Any] | None = None, reveal: bool = True) -> None:
    """Assert that a ``TwoLayerNet(D, H, C, weight_scale=weight_scale, reg=reg)`` kept
    ``params`` and ``reg_kept`` as CS231n does: the four parameters and their shapes, zero
    biases, weights of mean about 0 and standard deviation within 10 % of
    ``weight_scale`` (so each weight matrix needs a few hundred entries), ``reg`` as given.

    Parameters
    ----------
    params : dict or Any
        ``model.params`` (anything but a dict fails).
    reg_kept : Any
        ``model.reg``.
    dims : tuple of int
        ``(D, H, C)``.
    weight_scale, reg : float
        The arguments given.
    again : dict or None
        The parameters of a second model made after the same ``np.random.seed``: they must
        be the same (the weights come from ``np.random``).
    reveal : bool
        Whether a message may name the expected ``reg`` and standard deviation (False
        for hidden inputs).
    """
    D, H, C = dims
    assert isinstance(params, dict), "TwoLayerNet must keep its parameters in the dict self.params"
    assert set(params) == {"W1", "b1", "W2", "b2"}, (
        f"self.params must have the keys W1, b1, W2, b2; it has {sorted(params)}")
    assert reg_kept == reg, (
        f"self.reg is {reg_kept!r}, expected the reg given" + (f" ({reg:g})" if reveal else ""))
    shapes = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}
    for name, shape in shapes.items():
        _array(params[name], f"self.params[{name!r}]", shape)
    for name in ("b1", "b2"):
        assert np.all(params[name] == 0), f"self.params[{name!r}] must start at 0"
    for name in ("W1", "W2"):
        std, mean = float(np.std(params[name])), float(np.mean(params[name]))
        assert abs(std / weight_scale - 1) < 0.1 and abs(mean) < 0.5 * weight_scale, (
            f"self.params[{name!r}] has mean {mean:.3g} and standard deviation {std:.3g}; "
            "expected weights drawn as weight_scale * np.random.randn(...)"
            + (f" (std {weight_scale:g})" if reveal else ""))
    for name in shapes if again is not None else ():
        assert np.array_equal(params[name], again[name]), (
            f"self.params[{name!r}] differs between two models made after the same "
            "np.random.seed: draw the weights with np.random.randn")


def check_two_layer_net_init() -> None:
    """Check ``TwoLayerNet.__init__``: parameter names, shapes, zero biases, weights of
    standard deviation ``weight_scale`` (input 300, hidden 50, 7 classes), and ``reg``.

    Raises
    ------
    AssertionError
        With a one-line reason, if a parameter is missing or wrong.
    """
    TwoLayerNet = _graded("classifiers.fc_net", "TwoLayerNet")
    state = np.random.get_state()
    try:
        np.random.seed(90)
        model = quietly(TwoLayerNet, input_dim=300, hidden_dim=50, num_classes=7,
                         weight_scale=0.02, reg=0.3)
    finally:
        np.random.set_state(state)
    params = getattr(model, "params", None)
    judge_two_layer_net_init(params, model.reg, (300, 50, 7), 0.02, 0.3)
    print("PASS TwoLayerNet.__init__: W1 (300, 50), b1 (50,), W2 (50, 7), b2 (7,), weights "
          "with std weight_scale, zero biases, reg kept")


def _two_layer_loss(X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray],
                    reg: float) -> tuple[np.ndarray, float]:
    """Scores and loss of the two-layer net, straight from the formula."""
    hidden = np.maximum(X.reshape(len(X), -1) @ params["W1"] + params["b1"], 0.0)
    scores = hidden @ params["W2"] + params["b2"]
    penalty = 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return scores, _softmax_loss(scores, y) + penalty


def judge_two_layer_net_scores(scores: Any, want: np.ndarray, tol: float = VALUE_TOLERANCE,
                               reveal: bool = True) -> float:
    """Assert that ``scores``, what ``TwoLayerNet.loss(X)`` returned, has the shape of
    ``want`` and matches it within ``tol``; return the relative error.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    scores = _array(scores, "loss(X) (no labels: the scores)", np.shape(want))
    return _assert_close(scores, want, "loss(X): scores", tol,
                         "scores = relu(X_flat @ W1 + b1) @ W2 + b2", reveal=reveal)


def judge_two_layer_net_loss(loss: Any, grads: Any, params: dict[str, np.ndarray],
                             params_after: dict[str, Any], reg: float, want_loss: float,
                             want_grads: dict[str, np.ndarray], tol_loss: float = VALUE_TOLERANCE,
                             tol_grads: float = GRAD_TOLERANCE, grads_type: str | None = None,
                             reveal: bool = True) -> float:
    """Assert that ``(loss, grads)``, what ``TwoLayerNet.loss(X, y)`` returned for a model
    with ``params`` and ``reg``, match ``want_loss`` and ``want_grads``, and that the
    parameters were left as they were (``params_after``).

    Parameters
    ----------
    loss, grads : Any
        What the method returned.
    params : dict
        The parameters the model was given.
    params_after : dict
        ``model.params`` after the call.
    reg : float
        The model's ``reg``.
    want_loss : float
        The expected loss.
    want_grads : dict
        The expected gradient of each parameter.
    tol_loss, tol_grads : float
        Largest relative errors accepted.
    grads_type : str or None
        When ``grads`` is not a dict and only its type's name is known (the trusted
        side), that name; ``grads`` is then ignored.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    for name, value in params.items():
        _unchanged(value, params_after[name], "loss", f"self.params[{name!r}]")
    worst = _assert_close(float(loss), want_loss, f"loss(X, y) with reg = {reg}: loss", tol_loss,
                          "add 0.5 * reg * (sum(W1 * W1) + sum(W2 * W2)) to the softmax loss",
                          reveal=reveal)
    if grads_type is None:
        grads_type = type(grads).__name__
    assert isinstance(grads, dict) and set(grads) == set(params), (
        f"loss(X, y) must return grads with the keys {sorted(params)}, got "
        f"{sorted(grads) if isinstance(grads, dict) else grads_type}")
    for name, value in params.items():
        got = _array(grads[name], f"grads[{name!r}] (reg = {reg})", value.shape)
        worst = max(worst, _assert_close(got, want_grads[name],
                                         f"grads[{name!r}] with reg = {reg}", tol_grads,
                                         reveal=reveal))
    return worst


def check_two_layer_net_loss() -> None:
    """Check ``TwoLayerNet.loss``: scores without labels; loss and gradients of every
    parameter with labels, for ``reg`` = 0 and 0.7, inputs of shape (5, 2, 3, 2).

    The model is built here with fixed parameters (``__init__`` is not called), so only
    ``self.params`` and ``self.reg`` may be used by ``loss``.

    Raises
    ------
    AssertionError
        With a one-line reason, if the scores, the loss or a gradient is wrong.
    """
    TwoLayerNet = _graded("classifiers.fc_net", "TwoLayerNet")
    rng = np.random.default_rng(91)
    N, D, H, C = 5, 12, 8, 4
    X, y = rng.normal(size=(N, 2, 3, 2)), rng.integers(0, C, size=N)
    params = {"W1": rng.normal(size=(D, H)) * 0.5, "b1": rng.normal(size=H) * 0.1,
              "W2": rng.normal(size=(H, C)) * 0.5, "b2": rng.normal(size=C) * 0.1}
    want_scores, _ = _two_layer_loss(X, y, params, 0.0)
    worst = 0.0
    for reg in (0.0, 0.7):
        model = TwoLayerNet.__new__(TwoLayerNet)
        model.params = {k: v.copy() for k, v in params.items()}
        model.reg = reg
        scores = quietly(model.loss, X.copy())
        judge_two_layer_net_scores(scores, want_scores)
        loss, grads = _tuple(quietly(model.loss, X.copy(), y.copy()), 2, "loss(X, y)",
                             "loss, grads")
        _, want_loss = _two_layer_loss(X, y, params, reg)
        numeric = {}
        for name, value in params.items():
            def f(_: np.ndarray, name: str = name, value: np.ndarray = value,
                  reg: float = reg) -> np.ndarray:
                return np.array(_two_layer_loss(X, y, {**params, name: value}, reg)[1])
            numeric[name] = eval_numerical_gradient_array(f, value, np.array(1.0))
        worst = max(worst, judge_two_layer_net_loss(loss, grads, params, model.params, reg,
                                                    want_loss, numeric))
    print(f"PASS TwoLayerNet.loss: scores, loss and the 4 gradients match, reg = 0 and 0.7 "
          f"(largest relative error {worst:.1e})")


# ------------------------------------------------------------- scalar autograd (13)

STEP = 1e-6
#: What a wrong local derivative of each operation of ``Value`` most likely forgot.
VALUE_OP_HINTS = {
    "__add__": "an add gate passes the gradient on unchanged",
    "__mul__": "a multiply gate swaps: d(ab)/da = b",
    "__pow__": "d(a ** n)/da = n * a ** (n - 1)",
    "exp": "exp is its own derivative",
    "relu": "a ReLU routes: 1 where a > 0, 0 where a < 0",
    "sigmoid": "d sigmoid(a)/da = s * (1 - s) with s = sigmoid(a)",
}


def _check_op(op_name: str, make: Callable[..., Any], formula: Callable[..., float],
              points: list[tuple[float, ...]], hint: str) -> None:
    """Check one operation of Value: result, parents and local derivatives."""
    from cs231n_utils.autograd import Value as Base

    Value = _graded("autograd", "Value")
    for point in points:
        inputs = [Value(v) for v in point]
        out = quietly(make, *inputs)
        if not isinstance(out, Base):
            judge_value_op(op_name, point, False, math.nan, False, (), math.nan, (), hint)
        parents = tuple(out.parents)
        parents_ok = len(parents) == len(inputs) and all(
            p is v for p, v in zip(parents, inputs, strict=True))
        numeric = []
        for i, v in enumerate(point):
            up = list(point)
            down = list(point)
            up[i], down[i] = v + STEP, v - STEP
            numeric.append((formula(*up) - formula(*down)) / (2 * STEP))
        judge_value_op(op_name, point, True, out.data, parents_ok, tuple(out.local_grads),
                       formula(*point), numeric, hint)


def judge_value_op(op_name: str, point: Sequence[float], is_value: bool, data: float,
                   parents_ok: bool, local: Sequence[float], want_data: float,
                   want_local: Sequence[float], hint: str, *,
                   oracle: str = "the numerical derivative", rel_tol: float = 1e-6,
                   abs_tol: float = 1e-7, reveal: bool = True) -> None:
    """Assert that an operation of ``Value`` applied to inputs holding ``point`` made a
    Value (``is_value``) with the right ``data``, the inputs themselves as parents, in
    order (``parents_ok``), and one local derivative per parent matching ``want_local``.

    Parameters
    ----------
    op_name : str
        The operation, as written in messages (``"a * b"``, ``"exp"``).
    point : sequence of float
        The inputs' numbers.
    is_value, data, parents_ok, local
        What the operation returned: whether it is a Value, its ``data``, whether its
        ``parents`` are the inputs, its ``local_grads``.
    want_data : float
        The expected result (compared within 1e-12, relatively or absolutely).
    want_local : sequence of float
        The expected local derivatives, from ``oracle``.
    hint : str
        What a wrong local derivative most likely forgot.
    oracle : str
        Where ``want_local`` comes from, for the messages.
    rel_tol, abs_tol : float
        Tolerances of the local derivatives (:func:`math.isclose`).
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).
    """
    args = ", ".join(f"{v:g}" for v in point)
    assert is_value, f"{op_name}({args}) must return a Value"
    assert math.isclose(data, want_data, rel_tol=1e-12, abs_tol=1e-12), (
        f"{op_name}({args}).data = {data}" + (f", expected {want_data}" if reveal else
                                              " is wrong"))
    assert parents_ok, (
        f"{op_name}({args}): parents must be the input Value objects themselves, in order")
    local = tuple(local)
    assert len(local) == len(point), (
        f"{op_name}({args}): local_grads must hold one number per parent, got {local}")
    for i, want in enumerate(want_local):
        assert math.isclose(local[i], want, rel_tol=rel_tol, abs_tol=abs_tol), (
            f"{op_name}({args}): local_grads[{i}] = {local[i]:.6g}, "
            + (f"but {oracle} is {want:.6g}" if reveal else f"which differs from {oracle}")
            + f"; {hint}")


def _sigmoid(v: float) -> float:
    return float(expit(v))


def check_value_add() -> None:
    """Check ``Value.__add__``: result, parents, local derivatives (numerically)."""
    _check_op("a + b", lambda a, b: a + b, lambda a, b: a + b,
              [(2.5, -1.25), (-3.0, 7.0)], VALUE_OP_HINTS["__add__"])
    print("PASS Value.__add__: a + b and its local derivatives (1, 1)")


def check_value_mul() -> None:
    """Check ``Value.__mul__``: result, parents, local derivatives (numerically)."""
    _check_op("a * b", lambda a, b: a * b, lambda a, b: a * b,
              [(2.5, -1.25), (-3.0, 7.0)], VALUE_OP_HINTS["__mul__"])
    print("PASS Value.__mul__: a * b and its local derivatives (b, a)")


def check_value_pow() -> None:
    """Check ``Value.__pow__`` for exponents 2, 3, -1 and 0.5."""
    for n in (2.0, 3.0, -1.0, 0.5):
        _check_op(f"a ** {n:g}", lambda a, n=n: a**n, lambda a, n=n: a**n,
                  [(1.7,), (0.4,)], VALUE_OP_HINTS["__pow__"])
    print("PASS Value.__pow__: a ** n and n * a ** (n - 1) for n = 2, 3, -1, 0.5")


def check_value_exp() -> None:
    """Check ``Value.exp`` at -2, 0.3 and 4."""
    _check_op("exp", lambda a: a.exp(), math.exp, [(-2.0,), (0.3,), (4.0,)],
              VALUE_OP_HINTS["exp"])
    print("PASS Value.exp: e ** a and its local derivative e ** a")


def check_value_relu() -> None:
    """Check ``Value.relu`` at -1.5 and 2, and that the local derivative at 0 is 0."""
    Value = _graded("autograd", "Value")
    _check_op("relu", lambda a: a.relu(), lambda a: max(0.0, a), [(-1.5,), (2.0,)],
              VALUE_OP_HINTS["relu"])
    at_zero = tuple(quietly(lambda: Value(0.0).relu()).local_grads)
    assert at_zero == (0.0,), f"relu at 0: local_grads = {at_zero}, expected (0.0,)"
    print("PASS Value.relu: max(0, a) and its local derivative (0 at a <= 0, 1 above)")


def check_value_sigmoid() -> None:
    """Check ``Value.sigmoid`` at -3, 0 and 2.5."""
    _check_op("sigmoid", lambda a: a.sigmoid(), _sigmoid, [(-3.0,), (0.0,), (2.5,)],
              VALUE_OP_HINTS["sigmoid"])
    print("PASS Value.sigmoid: 1 / (1 + e ** -a) and its local derivative s * (1 - s)")


def _sum_over_paths(node: Any, target: Any) -> float:
    """d(node)/d(target): the sum over all paths of the product of local derivatives."""
    if node is target:
        return 1.0
    return sum(g * _sum_over_paths(p, target)
               for p, g in zip(node.parents, node.local_grads, strict=True))


def _hand_graphs() -> list[tuple[str, Any, list[Any]]]:
    """Graphs built with the constructor only: (description, output, inputs)."""
    Value = _graded("autograd", "Value")
    # f = (x + y) z with the notes' numbers
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = Value(3.0, (x, y), (1.0, 1.0))
    f = Value(-12.0, (q, z), (z.data, q.data))
    graphs = [("f = (x + y) z", f, [x, y, z])]

    # a value used twice: g = a * a + a (branches join at a)
    a = Value(1.5)
    sq = Value(2.25, (a, a), (1.5, 1.5))
    g = Value(3.75, (sq, a), (1.0, 1.0))
    graphs.append(("g = a * a + a (a used three times)", g, [a]))

    # paths of different lengths: u -> v -> w -> out and u -> out, plus v -> out
    u = Value(0.7)
    v = Value(0.0, (u,), (2.0,))
    w = Value(0.0, (v,), (-3.0,))
    t = Value(0.0, (w, u, v), (0.5, 4.0, -1.5))
    graphs.append(("a graph with paths of different lengths", t, [u]))

    # a random layered graph: 4 inputs, 3 layers of 5 values, each with 2 or 3 parents
    rng = np.random.default_rng(130)
    inputs = [Value(float(v)) for v in rng.normal(size=4)]
    layer = list(inputs)
    every = list(inputs)
    for _ in range(3):
        new = []
        for _ in range(5):
            k = int(rng.integers(2, 4))
            parents = tuple(every[i] for i in rng.choice(len(every), size=k, replace=False))
            new.append(Value(0.0, parents, tuple(float(g) for g in rng.normal(size=k))))
        every += new
        layer = new
    out = Value(0.0, tuple(layer), tuple(float(g) for g in rng.normal(size=len(layer))))
    graphs.append(("a random layered graph of 20 values", out, inputs))
    return graphs


#: Length of the chain of values that ``Value.backward`` must handle (beyond Python's
#: default recursion limit of 1000).
DEEP_CHAIN = 3000


def judge_value_backward(what: str, attempt: str, out_grad: float, grads: Sequence[float],
                         want: Sequence[float], *, rel_tol: float = 1e-9,
                         abs_tol: float = 1e-12, reveal: bool = True) -> None:
    """Assert that after ``out.backward()`` (its ``attempt``, "first" or "second", call) on
    the graph ``what``, the output's grad is 1 and the inputs' ``grads`` match ``want``.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    assert out_grad == 1.0, f"backward on {what}: the output's own grad must be 1.0"
    for i, (got, expected) in enumerate(zip(grads, want, strict=True)):
        assert math.isclose(got, expected, rel_tol=rel_tol, abs_tol=abs_tol), (
            f"backward on {what} ({attempt} call): input {i} has grad {got:.6g}"
            + (f", expected {expected:.6g}" if reveal else ", which is wrong")
            + ("; reset every grad to 0 before you start" if attempt == "second" else
               "; visit values in reverse topological order and add (+=) each "
               "share local_grad * grad to the parent"))


def judge_deep_chain(start_grad: float, length: int = DEEP_CHAIN,
                     recursion_error: bool = False, reveal: bool = True) -> None:
    """Assert that ``backward`` on a chain of ``length`` values, each the previous one
    times 1, did not hit the recursion limit (``recursion_error``) and gave the chain's
    first value the grad 1. ``reveal=False``: the message does not name that 1."""
    assert not recursion_error, (
        f"backward on a chain of {length} values hit Python's recursion limit: find "
        "the topological order with an explicit stack (a list), not with recursion")
    assert start_grad == 1.0, (
        f"backward on a chain of {length} values: the first value has grad {start_grad}"
        + (", expected 1.0" if reveal else ", which is wrong"))


def check_value_backward() -> None:
    """Check ``Value.backward`` on graphs built by hand with ``Value(data, parents,
    local_grads)`` (no operation of the engine is used), against the sum over all paths
    of the products of local derivatives; that calling it twice changes nothing; and that
    a chain of ``DEEP_CHAIN`` values works (no recursion limit).

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    Value = _graded("autograd", "Value")
    for what, out, inputs in _hand_graphs():
        for attempt in ("first", "second"):
            quietly(out.backward)
            judge_value_backward(what, attempt, out.grad, [v.grad for v in inputs],
                                 [_sum_over_paths(out, v) for v in inputs])
    start = end = Value(1.0)
    for _ in range(DEEP_CHAIN):
        end = Value(end.data, (end,), (1.0,))
    recursion_error = False
    try:
        quietly(end.backward)
    except RecursionError:
        recursion_error = True
    judge_deep_chain(start.grad, recursion_error=recursion_error)
    print("PASS Value.backward: gradients of 4 hand-built graphs (shared values, paths of "
          f"different lengths) match the sum over paths; a second call gives the same; a "
          f"chain of {DEEP_CHAIN} values works")


#: Graded function -> its visible check, for the command-line summary table.
CHECKS: dict[str, Callable[[], None]] = {
    "add_multiply_backward": check_add_multiply_backward,
    "staged_example_backward": check_staged_example_backward,
    "affine_forward": check_affine_forward,
    "affine_backward": check_affine_backward,
    "relu_forward": check_relu_forward,
    "relu_backward": check_relu_backward,
    "sigmoid_forward": check_sigmoid_forward,
    "sigmoid_backward": check_sigmoid_backward,
    "svm_loss": check_svm_loss,
    "softmax_loss": check_softmax_loss,
    "affine_relu_forward": check_affine_relu_forward,
    "affine_relu_backward": check_affine_relu_backward,
    "TwoLayerNet.__init__": check_two_layer_net_init,
    "TwoLayerNet.loss": check_two_layer_net_loss,
    "Value.__add__": check_value_add,
    "Value.__mul__": check_value_mul,
    "Value.__pow__": check_value_pow,
    "Value.exp": check_value_exp,
    "Value.relu": check_value_relu,
    "Value.sigmoid": check_value_sigmoid,
    "Value.backward": check_value_backward,
}
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.backprop).
CHECKS = diagnosing(ASSIGNMENT, CHECKS, globals())
