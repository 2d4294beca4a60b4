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

import itertools
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import expit, logsumexp, softmax

from cs231n_utils.checks.common import finite_array as _array
from cs231n_utils.checks.common import graded as _graded
from cs231n_utils.checks.common import quietly
from cs231n_utils.checks.common import result_tuple as _tuple
from cs231n_utils.checks.common import unchanged as _unchanged
from cs231n_utils.gradient_check import eval_numerical_gradient_array, rel_error

ASSIGNMENT = "03_backprop"

__all__ = [
    "CHECKS",
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
]

#: Largest relative error accepted between an analytic and a numerical gradient
#: (CS231n asks for about 1e-7 or less in float64).
GRAD_TOLERANCE = 1e-7
#: Largest relative error accepted for values computed two ways (forward passes, losses).
VALUE_TOLERANCE = 1e-9


# ------------------------------------------------------------------------- helpers


def _assert_close(got: np.ndarray, want: np.ndarray, what: str, tol: float,
                  hint: str = "") -> float:
    """Assert ``rel_error(got, want) <= tol``; return the error."""
    error = rel_error(got, want)
    if not error <= tol:
        worst = np.unravel_index(np.argmax(np.abs(got - want)), np.shape(want))
        where = f" (e.g. at index {tuple(int(i) for i in worst)}: {np.asarray(got)[worst]:.6g}, " \
                f"expected {np.asarray(want)[worst]:.6g})" if np.ndim(want) else ""
        raise AssertionError(f"{what}: relative error {error:.1e} exceeds {tol:g}{where}"
                             + (f"; {hint}" if hint else ""))
    return error


def _numeric_grads(forward: Callable[..., np.ndarray], inputs: list[np.ndarray],
                   dout: np.ndarray) -> list[np.ndarray]:
    """Numerical gradient of ``sum(forward(*inputs) * dout)`` for each input."""
    grads = []
    for i, x in enumerate(inputs):
        def f(_: np.ndarray, i: int = i, x: np.ndarray = x) -> np.ndarray:
            return forward(*inputs[:i], x, *inputs[i + 1:])
        grads.append(eval_numerical_gradient_array(f, x, dout))
    return grads


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
    worst = 0.0
    for name, g, n in zip(("dx", "dy", "dz"), got, numeric, strict=True):
        g = _array(g, f"add_multiply_backward: {name}", (6,))
        worst = max(worst, _assert_close(
            g, n, f"add_multiply_backward with arrays and df != 1: {name}", GRAD_TOLERANCE,
            "multiply every local derivative by the upstream gradient df"))
    print(f"PASS add_multiply_backward: the notes' (-4, -4, 3) and numerical gradients "
          f"(largest relative error {worst:.1e})")


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


def check_staged_example_backward() -> None:
    """Check ``staged_example_backward`` for ``f = (x + s(y)) / (s(x) + (x + y)^2)``.

    The notes' point ``x = 3, y = -4`` and 8 random points (as arrays, with random
    upstream gradients), against numerical gradients. When a gradient equals only some
    of the branches that meet at ``x`` or ``y``, the message says so.

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
        branches = _staged_branches(df, cache)
        for name, g, n, parts in zip(("dx", "dy"), got, numeric, branches, strict=True):
            g = _array(g, f"staged_example_backward ({what}): {name}", x.shape)
            hint = ""
            for k in range(1, len(parts)):
                if any(np.allclose(g, sum(subset)) for subset in itertools.combinations(parts, k)):
                    hint = (f"{name} holds only {k} of the {len(parts)} contributions of the "
                            f"stages that use {name[1]}: add each one up with +=, do not "
                            "overwrite with =")
            worst = max(worst, _assert_close(
                g, n, f"staged_example_backward ({what}): {name}", GRAD_TOLERANCE, hint))
    print(f"PASS staged_example_backward: matches numerical gradients at the notes' point and "
          f"8 random ones (largest relative error {worst:.1e})")


# --------------------------------------------------------------------- affine (5)


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
        out = _array(result[0], f"affine_forward: out for x of shape {x_shape}",
                     (x_shape[0], M))
        for name, before, after in zip("xwb", (x, w, b), given, strict=True):
            _unchanged(before, after, "affine_forward", name)
        worst = max(worst, _assert_close(
            out, _affine(x, w, b), f"affine_forward: out for x of shape {x_shape}",
            VALUE_TOLERANCE, "flatten each example into a row: x.reshape(N, -1) @ w + b"))
    print(f"PASS affine_forward: matches x_flat @ w + b for x of 4 and 2 dimensions "
          f"(largest relative error {worst:.1e})")


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
    hints = {"dx": "dx = dout @ w.T, reshaped to the shape of x",
             "dw": "dw = x_flat.T @ dout: the shapes (D, N) @ (N, M) leave only one order",
             "db": "b is added to every row, so db sums dout over the rows (axis 0)"}
    worst = 0.0
    for name, got, want in zip(("dx", "dw", "db"), result, numeric, strict=True):
        got = _array(got, f"affine_backward: {name}", want.shape)
        worst = max(worst, _assert_close(got, want, f"affine_backward: {name}",
                                          GRAD_TOLERANCE, hints[name]))
    print(f"PASS affine_backward: dx, dw, db match numerical gradients "
          f"(largest relative error {worst:.1e})")


# ------------------------------------------------------------------ activations (6)


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
    _unchanged(x, given, "relu_forward", "x")
    out = _array(result[0], "relu_forward: out", x.shape)
    _assert_close(out, np.where(x > 0, x, 0.0), "relu_forward: out", 0.0,
                  "out = max(0, x) elementwise")
    print("PASS relu_forward: max(0, x) on a (3, 4, 5) array, input left unchanged")


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
    dx = _array(quietly(relu_backward, dout.copy(), x.copy()), "relu_backward: dx", x.shape)
    numeric = eval_numerical_gradient_array(lambda _: np.maximum(x, 0.0), x, dout)
    error = _assert_close(dx, numeric, "relu_backward: dx", GRAD_TOLERANCE,
                          "dout passes where x > 0 and is blocked (0) where x < 0")
    at_zero = _array(quietly(relu_backward, np.ones(3), np.zeros(3)),
                     "relu_backward(ones, cache=zeros)", (3,))
    assert np.all(at_zero == 0.0), (
        f"relu_backward at x == 0 gives {at_zero}; use the gradient 0 there (x > 0, not x >= 0)"
    )
    print(f"PASS relu_backward: matches numerical gradients (relative error {error:.1e}), "
          "0 at x == 0")


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
    try:
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise",
                                                    divide="raise", under="ignore"):
            warnings.simplefilter("ignore")
            result = sigmoid_forward(given)
    except FloatingPointError as error:
        raise AssertionError(
            f"sigmoid_forward overflowed ({error}) for inputs of -800 or 800; exp(-x) is huge "
            "for very negative x: use exp(-|x|), which is at most 1"
        ) from None
    result = _tuple(result, 2, "sigmoid_forward", "out, cache")
    _unchanged(x, given, "sigmoid_forward", "x")
    out = _array(result[0], "sigmoid_forward: out", x.shape)
    error = _assert_close(out, expit(x), "sigmoid_forward: out", VALUE_TOLERANCE)
    print(f"PASS sigmoid_forward: matches scipy expit, no overflow at +-800 "
          f"(relative error {error:.1e})")


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
    dx = _array(quietly(sigmoid_backward, dout.copy(), out.copy()), "sigmoid_backward: dx",
                x.shape)
    numeric = eval_numerical_gradient_array(lambda _: expit(x), x, dout)
    error = _assert_close(dx, numeric, "sigmoid_backward: dx", GRAD_TOLERANCE,
                          "the cache holds the OUTPUT s of the sigmoid; ds/dx = s * (1 - s)")
    print(f"PASS sigmoid_backward: matches numerical gradients (relative error {error:.1e})")


# ----------------------------------------------------------------------- losses (7)


def _check_loss(name: str, oracle: Callable[[np.ndarray, np.ndarray], float],
                cases: list[tuple[np.ndarray, np.ndarray, str]],
                loss_hint: Callable[[float, float, np.ndarray], str],
                exact_dx: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> float:
    """Shared body of the two loss checks; returns the largest error seen.

    ``dx`` is compared with a numerical gradient of ``oracle``, except in cases whose
    description mentions ``1000``: there (scores so large that centred differences lose
    all precision) it is compared with ``exact_dx``.
    """
    loss_fn = _graded("layers", name)
    worst = 0.0
    for x, y, what in cases:
        given = x.copy()
        loss, dx = _tuple(quietly(loss_fn, given, y.copy()), 2, name, "loss, dx")
        _unchanged(x, given, name, "x")
        want = oracle(x, y)
        assert loss is not None and np.ndim(loss) == 0, (
            f"{name} ({what}): loss must be a number, got {type(loss).__name__}")
        assert np.isfinite(float(loss)), (
            f"{name} ({what}): the loss is {float(loss)}, expected {want:.6g}; "
            "very large scores overflow exp(): subtract each row's maximum first")
        worst = max(worst, _assert_close(float(loss), want, f"{name} ({what}): loss",
                                         VALUE_TOLERANCE, loss_hint(float(loss), want, x)))
        dx = _array(dx, f"{name} ({what}): dx", x.shape)
        if exact_dx is not None and "1000" in what:
            numeric = exact_dx(x, y)
        else:
            numeric = eval_numerical_gradient_array(
                lambda _, x=x, y=y: np.array(oracle(x, y)), x, np.array(1.0))
        worst = max(worst, _assert_close(dx, numeric, f"{name} ({what}): dx", GRAD_TOLERANCE,
                                          "the loss is an average: divide dx by N too"))
    return worst


def _average_hint(got: float, want: float, x: np.ndarray) -> str:
    if np.isclose(got, want * x.shape[0]):
        return f"it is N = {x.shape[0]} times too large: average over the examples"
    return ""


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

    def hint(got: float, want: float, x: np.ndarray) -> str:
        if np.isclose(got, want + 1.0):
            return "the correct class must not count (it adds a margin of 1 per example)"
        return _average_hint(got, want, x)

    worst = _check_loss("svm_loss", _svm_loss_by_loops, cases, hint)
    print(f"PASS svm_loss: loss and dx match a plain loop and numerical gradients "
          f"(largest relative error {worst:.1e})")


def check_softmax_loss() -> None:
    """Check ``softmax_loss`` against SciPy's ``logsumexp`` (loss) and numerical
    gradients (dx), N = 9, C = 6, including scores of size 1000 (the loss must stay
    finite and correct; there dx is compared with SciPy's ``softmax`` minus the one-hot
    labels, as centred differences lose their precision at that size).

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
    cases = [(0.001 * rng.normal(size=(9, 6)), y, "small scores"),
             (rng.normal(size=(9, 6)), y, "spread-out scores"),
             (large, y, "scores around +-1000")]

    def exact_dx(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        dx = softmax(x, axis=1)
        dx[np.arange(len(y)), y] -= 1.0
        return dx / len(y)

    worst = _check_loss("softmax_loss", _softmax_loss, cases, _average_hint, exact_dx)
    print(f"PASS softmax_loss: loss and dx match scipy logsumexp and numerical gradients, "
          f"stable at +-1000 (largest relative error {worst:.1e})")


# -------------------------------------------------------------- the sandwich (8)


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
    out = _array(result[0], "affine_relu_forward: out", (5, 7))
    error = _assert_close(out, np.maximum(_affine(x, w, b), 0.0), "affine_relu_forward: out",
                          VALUE_TOLERANCE, "out = relu(affine(x, w, b))")
    print(f"PASS affine_relu_forward: matches max(0, x_flat @ w + b) "
          f"(relative error {error:.1e})")


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
    worst = 0.0
    for name, got, want in zip(("dx", "dw", "db"), result, numeric, strict=True):
        got = _array(got, f"affine_relu_backward: {name}", want.shape)
        worst = max(worst, _assert_close(
            got, want, f"affine_relu_backward: {name}", GRAD_TOLERANCE,
            "go back through the ReLU first, then through the affine layer"))
    print(f"PASS affine_relu_backward: dx, dw, db match numerical gradients "
          f"(largest relative error {worst:.1e})")


# ----------------------------------------------------------- the two-layer net (9)


def check_two_layer_net_init() -> None:
    """Check ``TwoLayerNet.__init__``: parameter names, shapes, zero biases, weights of
    standard deviation ``weight_scale`` (input 300, hidden 50, 7 classes), and ``reg``.

    Raises
    ------
    AssertionError
        With a one-line reason, if a parameter is missing or wrong.
    """
    from cs231n_utils.classifiers.fc_net import TwoLayerNet

    state = np.random.get_state()
    try:
        np.random.seed(90)
        model = quietly(TwoLayerNet, input_dim=300, hidden_dim=50, num_classes=7,
                         weight_scale=0.02, reg=0.3)
    finally:
        np.random.set_state(state)
    params = getattr(model, "params", None)
    assert isinstance(params, dict), "TwoLayerNet must keep its parameters in the dict self.params"
    assert set(params) == {"W1", "b1", "W2", "b2"}, (
        f"self.params must have the keys W1, b1, W2, b2; it has {sorted(params)}")
    assert model.reg == 0.3, f"self.reg is {model.reg!r}, expected the reg given (0.3)"
    shapes = {"W1": (300, 50), "b1": (50,), "W2": (50, 7), "b2": (7,)}
    for name, shape in shapes.items():
        _array(params[name], f"self.params[{name!r}]", shape)
    for name in ("b1", "b2"):
        assert np.all(params[name] == 0), f"self.params[{name!r}] must start at 0"
    for name in ("W1", "W2"):
        std, mean = float(np.std(params[name])), float(np.mean(params[name]))
        assert abs(std / 0.02 - 1) < 0.1 and abs(mean) < 0.01, (
            f"self.params[{name!r}] has mean {mean:.3g} and standard deviation {std:.3g}; "
            "expected weights drawn as weight_scale * np.random.randn(...) (std 0.02)")
    print("PASS TwoLayerNet.__init__: W1 (300, 50), b1 (50,), W2 (50, 7), b2 (7,), weights "
          "with std weight_scale, zero biases, reg kept")


def _two_layer_loss(X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray],
                    reg: float) -> tuple[np.ndarray, float]:
    """Scores and loss of the two-layer net, straight from the formula."""
    hidden = np.maximum(X.reshape(len(X), -1) @ params["W1"] + params["b1"], 0.0)
    scores = hidden @ params["W2"] + params["b2"]
    penalty = 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return scores, _softmax_loss(scores, y) + penalty


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
    from cs231n_utils.classifiers.fc_net import TwoLayerNet

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
        scores = _array(quietly(model.loss, X.copy()), "loss(X) (no labels: the scores)",
                        (N, C))
        _assert_close(scores, want_scores, "loss(X): scores", VALUE_TOLERANCE,
                      "scores = relu(X_flat @ W1 + b1) @ W2 + b2")
        loss, grads = _tuple(quietly(model.loss, X.copy(), y.copy()), 2, "loss(X, y)",
                             "loss, grads")
        for name, value in params.items():
            _unchanged(value, model.params[name], "loss", f"self.params[{name!r}]")
        _, want_loss = _two_layer_loss(X, y, params, reg)
        worst = max(worst, _assert_close(
            float(loss), want_loss, f"loss(X, y) with reg = {reg}: loss", VALUE_TOLERANCE,
            "add 0.5 * reg * (sum(W1 * W1) + sum(W2 * W2)) to the softmax loss"))
        assert isinstance(grads, dict) and set(grads) == set(params), (
            f"loss(X, y) must return grads with the keys {sorted(params)}, got "
            f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}")
        for name, value in params.items():
            def f(_: np.ndarray, name: str = name, value: np.ndarray = value,
                  reg: float = reg) -> np.ndarray:
                return np.array(_two_layer_loss(X, y, {**params, name: value}, reg)[1])
            numeric = eval_numerical_gradient_array(f, value, np.array(1.0))
            got = _array(grads[name], f"grads[{name!r}] (reg = {reg})", value.shape)
            hint = "the penalty adds reg * W to the gradient of W" if reg else ""
            worst = max(worst, _assert_close(got, numeric, f"grads[{name!r}] with reg = {reg}",
                                              GRAD_TOLERANCE, hint))
    print(f"PASS TwoLayerNet.loss: scores, loss and the 4 gradients match, reg = 0 and 0.7 "
          f"(largest relative error {worst:.1e})")


# ------------------------------------------------------------- scalar autograd (13)

STEP = 1e-6


def _check_op(op_name: str, make: Callable[..., Any], formula: Callable[..., float],
              points: list[tuple[float, ...]], hint: str) -> None:
    """Check one operation of Value: result, parents and local derivatives."""
    from cs231n_utils.autograd import Value

    for point in points:
        inputs = [Value(v) for v in point]
        out = quietly(make, *inputs)
        args = ", ".join(f"{v:g}" for v in point)
        assert isinstance(out, Value), f"{op_name}({args}) must return a Value"
        want = formula(*point)
        assert math.isclose(out.data, want, rel_tol=1e-12, abs_tol=1e-12), (
            f"{op_name}({args}).data = {out.data}, expected {want}")
        parents = tuple(out.parents)
        assert len(parents) == len(inputs) and all(
            p is v for p, v in zip(parents, inputs, strict=True)), (
            f"{op_name}({args}): parents must be the input Value objects themselves, in order")
        local = tuple(out.local_grads)
        assert len(local) == len(inputs), (
            f"{op_name}({args}): local_grads must hold one number per parent, got {local}")
        for i, v in enumerate(point):
            up = list(point)
            down = list(point)
            up[i], down[i] = v + STEP, v - STEP
            numeric = (formula(*up) - formula(*down)) / (2 * STEP)
            assert math.isclose(local[i], numeric, rel_tol=1e-6, abs_tol=1e-7), (
                f"{op_name}({args}): local_grads[{i}] = {local[i]:.6g}, but the numerical "
                f"derivative is {numeric:.6g}; {hint}")


def _sigmoid(v: float) -> float:
    return float(expit(v))


def check_value_add() -> None:
    """Check ``Value.__add__``: result, parents, local derivatives (numerically)."""
    _check_op("a + b", lambda a, b: a + b, lambda a, b: a + b,
              [(2.5, -1.25), (-3.0, 7.0)], "an add gate passes the gradient on unchanged")
    print("PASS Value.__add__: a + b and its local derivatives (1, 1)")


def check_value_mul() -> None:
    """Check ``Value.__mul__``: result, parents, local derivatives (numerically)."""
    _check_op("a * b", lambda a, b: a * b, lambda a, b: a * b,
              [(2.5, -1.25), (-3.0, 7.0)], "a multiply gate swaps: d(ab)/da = b")
    print("PASS Value.__mul__: a * b and its local derivatives (b, a)")


def check_value_pow() -> None:
    """Check ``Value.__pow__`` for exponents 2, 3, -1 and 0.5."""
    for n in (2.0, 3.0, -1.0, 0.5):
        _check_op(f"a ** {n:g}", lambda a, n=n: a**n, lambda a, n=n: a**n,
                  [(1.7,), (0.4,)], "d(a ** n)/da = n * a ** (n - 1)")
    print("PASS Value.__pow__: a ** n and n * a ** (n - 1) for n = 2, 3, -1, 0.5")


def check_value_exp() -> None:
    """Check ``Value.exp`` at -2, 0.3 and 4."""
    _check_op("exp", lambda a: a.exp(), math.exp, [(-2.0,), (0.3,), (4.0,)],
              "exp is its own derivative")
    print("PASS Value.exp: e ** a and its local derivative e ** a")


def check_value_relu() -> None:
    """Check ``Value.relu`` at -1.5 and 2, and that the local derivative at 0 is 0."""
    from cs231n_utils.autograd import Value

    _check_op("relu", lambda a: a.relu(), lambda a: max(0.0, a), [(-1.5,), (2.0,)],
              "a ReLU routes: 1 where a > 0, 0 where a < 0")
    at_zero = tuple(quietly(lambda: Value(0.0).relu()).local_grads)
    assert at_zero == (0.0,), f"relu at 0: local_grads = {at_zero}, expected (0.0,)"
    print("PASS Value.relu: max(0, a) and its local derivative (0 at a <= 0, 1 above)")


def check_value_sigmoid() -> None:
    """Check ``Value.sigmoid`` at -3, 0 and 2.5."""
    _check_op("sigmoid", lambda a: a.sigmoid(), _sigmoid, [(-3.0,), (0.0,), (2.5,)],
              "d sigmoid(a)/da = s * (1 - s) with s = sigmoid(a)")
    print("PASS Value.sigmoid: 1 / (1 + e ** -a) and its local derivative s * (1 - s)")


def _sum_over_paths(node: Any, target: Any) -> float:
    """d(node)/d(target): the sum over all paths of the product of local derivatives."""
    if node is target:
        return 1.0
    return sum(g * _sum_over_paths(p, target)
               for p, g in zip(node.parents, node.local_grads, strict=True))


def _hand_graphs() -> list[tuple[str, Any, list[Any]]]:
    """Graphs built with the constructor only: (description, output, inputs)."""
    from cs231n_utils.autograd import Value

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
    from cs231n_utils.autograd import Value

    for what, out, inputs in _hand_graphs():
        for attempt in ("first", "second"):
            quietly(out.backward)
            assert out.grad == 1.0, f"backward on {what}: the output's own grad must be 1.0"
            for i, v in enumerate(inputs):
                want = _sum_over_paths(out, v)
                assert math.isclose(v.grad, want, rel_tol=1e-9, abs_tol=1e-12), (
                    f"backward on {what} ({attempt} call): input {i} has grad {v.grad:.6g}, "
                    f"expected {want:.6g}"
                    + ("; reset every grad to 0 before you start" if attempt == "second" else
                       "; visit values in reverse topological order and add (+=) each "
                       "share local_grad * grad to the parent"))
    start = end = Value(1.0)
    for _ in range(DEEP_CHAIN):
        end = Value(end.data, (end,), (1.0,))
    try:
        quietly(end.backward)
    except RecursionError:
        raise AssertionError(
            f"backward on a chain of {DEEP_CHAIN} values hit Python's recursion limit: find "
            "the topological order with an explicit stack (a list), not with recursion"
        ) from None
    assert start.grad == 1.0, (
        f"backward on a chain of {DEEP_CHAIN} values: the first value has grad {start.grad}, "
        "expected 1.0")
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
