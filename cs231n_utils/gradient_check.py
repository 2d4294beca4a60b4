"""Numerical gradients, for checking the gradients you derive by hand.

The idea fits in one line: nudge one entry of ``x`` by ``+h`` and by ``-h``, evaluate
``f`` both times, and the slope between the two values is the partial derivative::

    df/dx[i]  ~=  (f(x + h e_i) - f(x - h e_i)) / (2 h)

That "centred difference" has an error of order ``h**2``, so with ``h = 1e-5`` it agrees
with a correct analytic gradient to about 1e-8 relative error. Floating-point rounding
is the other limit, and in float32 (7 significant digits) it swamps the signal
completely, so every helper here insists on float64 input.

The helpers keep the names and call signatures of CS231n's ``gradient_check`` module, so
published notebooks and check values apply unchanged::

    f = lambda _: svm_loss_naive(W, X, y, reg)[0]   # f ignores its argument ...
    dW_num = eval_numerical_gradient(f, W, verbose=False)   # ... and reads W in place
    assert_gradients_close(dW, dW_num, "dW")
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "assert_gradients_close",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "grad_check_sparse",
    "rel_error",
]


def _require_float64(x: np.ndarray, name: str = "x") -> None:
    """Raise a TypeError unless ``x`` is a float64 NumPy array."""
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy.ndarray of dtype float64, got {type(x).__name__}; "
            f"call np.asarray({name}, dtype=np.float64)"
        )
    if x.dtype != np.float64:
        raise TypeError(
            f"gradient checks need float64 input; call {name}.astype(np.float64) "
            f"({name} has dtype {x.dtype})"
        )


def _require_positive_step(h: float) -> None:
    if not h > 0:
        raise ValueError(f"h must be a positive step size such as 1e-5, got {h!r}")


def _scalar(value: object) -> float:
    """Return ``value`` as a Python float, or explain why ``f`` must return a scalar."""
    if np.ndim(value) != 0:
        raise ValueError(
            f"f must return a scalar, but it returned an array of shape {np.shape(value)}; "
            "for functions with array outputs use eval_numerical_gradient_array(f, x, df)"
        )
    return float(value)  # type: ignore[arg-type]


def eval_numerical_gradient(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    verbose: bool = True,
    h: float = 1e-5,
) -> np.ndarray:
    """Numerical gradient of a scalar function by centred differences.

    Each entry of ``x`` is changed in place, ``f(x)`` is evaluated, and the entry is put
    back, so ``f`` may ignore its argument and read ``x`` through a closure (the usual
    ``lambda _: loss(W)`` pattern).

    Parameters
    ----------
    f : callable
        Takes the array ``x`` and returns a scalar.
    x : numpy.ndarray of float64
        The point at which to evaluate the gradient. It is restored on return, also
        when ``f`` raises.
    verbose : bool, default True
        Print each index and its gradient entry as it is computed.
    h : float, default 1e-5
        Step size.

    Returns
    -------
    numpy.ndarray
        ``grad`` with ``grad.shape == x.shape`` and ``grad[i] ~= df/dx[i]``.

    Raises
    ------
    TypeError
        If ``x`` is not a float64 array.
    ValueError
        If ``f`` does not return a scalar, or ``h`` is not positive.
    """
    _require_float64(x)
    _require_positive_step(h)
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        old_value = x[ix]
        try:
            x[ix] = old_value + h
            f_plus = _scalar(f(x))
            x[ix] = old_value - h
            f_minus = _scalar(f(x))
        finally:
            x[ix] = old_value
        grad[ix] = (f_plus - f_minus) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(
    f: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    df: np.ndarray,
    h: float = 1e-5,
) -> np.ndarray:
    """Numerical gradient for a function with an array output, given upstream ``df``.

    Computes the gradient of ``sum(f(x) * df)`` with respect to ``x``: exactly what a
    layer's backward pass returns when it receives ``dout = df``.

    Parameters
    ----------
    f : callable
        Takes the array ``x`` and returns an array (for example a layer's forward
        output). ``x`` is changed in place, so ``f`` may read it through a closure.
    x : numpy.ndarray of float64
        The input to differentiate with respect to; restored on return.
    df : numpy.ndarray
        Upstream gradient, with the shape of ``f(x)``.
    h : float, default 1e-5
        Step size.

    Returns
    -------
    numpy.ndarray
        The gradient, with the shape of ``x``.

    Raises
    ------
    TypeError
        If ``x`` or ``df`` is not a float64 array.
    ValueError
        If ``df`` does not have the shape of ``f(x)``, or ``h`` is not positive.
    """
    _require_float64(x)
    _require_float64(df, "df")
    _require_positive_step(h)
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        old_value = x[ix]
        try:
            x[ix] = old_value + h
            # Copy: f may return a view of x, or reuse one output buffer.
            out_plus = np.array(f(x), dtype=np.float64)
            x[ix] = old_value - h
            out_minus = np.array(f(x), dtype=np.float64)
        finally:
            x[ix] = old_value
        if out_plus.shape != df.shape:
            raise ValueError(
                f"df must have the shape of f(x), {out_plus.shape}, but has shape {df.shape}"
            )
        grad[ix] = np.sum((out_plus - out_minus) * df) / (2 * h)
    return grad


def rel_error(x: np.ndarray | float, y: np.ndarray | float) -> float:
    """Largest elementwise relative error between two arrays (CS231n's definition).

    ``max(|x - y| / max(1e-8, |x| + |y|))``. A correct gradient usually gives 1e-7 or
    less; 1e-2 or more almost always means a bug.

    Parameters
    ----------
    x, y : array_like
        Arrays of the same shape (or two scalars).

    Returns
    -------
    float
        The largest relative error; NaN if either input holds a NaN.

    Raises
    ------
    ValueError
        If ``x`` and ``y`` have different shapes (broadcasting would hide a bug).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got x {x.shape} and y {y.shape}")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def grad_check_sparse(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic_grad: np.ndarray,
    num_checks: int = 10,
    h: float = 1e-5,
    seed: int | None = None,
) -> np.ndarray:
    """Compare an analytic gradient with numerical ones at a few random entries.

    Much cheaper than :func:`eval_numerical_gradient` for large ``x`` (a weight matrix
    of a whole network): only ``num_checks`` entries are checked, two calls of ``f``
    each. One line is printed per entry.

    Parameters
    ----------
    f : callable
        Takes the array ``x`` and returns a scalar.
    x : numpy.ndarray of float64
        The point at which the gradient is checked; restored on return.
    analytic_grad : numpy.ndarray
        Your gradient, with the shape of ``x``.
    num_checks : int, default 10
        Number of random entries to check (entries may repeat).
    h : float, default 1e-5
        Step size.
    seed : int, optional
        Seed for choosing the entries, for reproducible checks.

    Returns
    -------
    numpy.ndarray
        The ``num_checks`` relative errors, in the order printed, so a caller can
        ``assert errors.max() < 1e-7``.

    Raises
    ------
    TypeError
        If ``x`` is not a float64 array.
    ValueError
        If ``analytic_grad`` does not have the shape of ``x``, ``num_checks < 1``, or
        ``h`` is not positive.
    """
    _require_float64(x)
    _require_positive_step(h)
    analytic_grad = np.asarray(analytic_grad)
    if analytic_grad.shape != x.shape:
        raise ValueError(
            f"analytic_grad must have the shape of x, {x.shape}, "
            f"but has shape {analytic_grad.shape}"
        )
    if num_checks < 1:
        raise ValueError(f"num_checks must be a positive integer, got {num_checks!r}")
    if x.size == 0:
        raise ValueError("x is empty: there is no entry to check")

    rng = np.random.default_rng(seed)
    errors = np.empty(num_checks)
    for k in range(num_checks):
        ix = tuple(int(rng.integers(n)) for n in x.shape)
        old_value = x[ix]
        try:
            x[ix] = old_value + h
            f_plus = _scalar(f(x))
            x[ix] = old_value - h
            f_minus = _scalar(f(x))
        finally:
            x[ix] = old_value
        numeric = (f_plus - f_minus) / (2 * h)
        analytic = float(analytic_grad[ix])
        errors[k] = rel_error(numeric, analytic)
        print(f"numerical: {numeric:f} analytic: {analytic:f}, relative error: {errors[k]:e}")
    return errors


def assert_gradients_close(
    analytic: np.ndarray,
    numeric: np.ndarray,
    name: str,
    tol: float = 1e-7,
) -> None:
    """Assert that two gradients agree, and print a one-line verdict.

    Parameters
    ----------
    analytic : numpy.ndarray
        Your gradient (for example ``dW`` from a backward pass).
    numeric : numpy.ndarray
        The reference, usually from :func:`eval_numerical_gradient`.
    name : str
        What the gradient is called in the messages, for example ``"dW"``.
    tol : float, default 1e-7
        Largest accepted :func:`rel_error`.

    Raises
    ------
    AssertionError
        With a one-line message naming the gradient, its relative error and the
        tolerance, if the shapes differ or the relative error exceeds ``tol`` (or is
        NaN).

    Examples
    --------
    >>> assert_gradients_close(np.ones(3), np.ones(3), "db")
    OK  db: relative error 0.0e+00 (tolerance 1e-07)
    """
    analytic = np.asarray(analytic)
    numeric = np.asarray(numeric)
    if analytic.shape != numeric.shape:
        raise AssertionError(
            f"{name}: analytic gradient has shape {analytic.shape} but the numeric one "
            f"has shape {numeric.shape}"
        )
    error = rel_error(analytic, numeric)
    if not error <= tol:  # also catches NaN
        raise AssertionError(f"{name}: relative error {error:.1e} exceeds the tolerance {tol:g}")
    print(f"OK  {name}: relative error {error:.1e} (tolerance {tol:g})")
