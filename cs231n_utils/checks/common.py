"""What the visible checks of every assignment share."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

import numpy as np


def graded(module: str, name: str) -> Callable[..., Any]:
    """The student's ``cs231n_utils.<module>.<name>``, looked up when a check runs (so
    edits are picked up). While a check runs, calls of a catalogued function are recorded
    (:mod:`cs231n_utils.checks.mistakes`)."""
    import importlib

    from cs231n_utils.checks.mistakes import recorded

    return recorded(module, name, getattr(importlib.import_module(f"cs231n_utils.{module}"), name))


def finite_array(value: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` as a float64 array of ``shape``, or an AssertionError saying what is wrong."""
    assert value is not None, f"{what} is None: return an array of shape {shape}"
    array = np.asarray(value, dtype=np.float64)
    assert array.shape == shape, f"{what} has shape {array.shape}, expected {shape}"
    assert np.all(np.isfinite(array)), f"{what} holds NaN or infinite values"
    return array


def result_tuple(result: Any, count: int, function: str, names: str) -> tuple:
    """``result`` as a tuple of ``count`` items, or a clear AssertionError."""
    ok = isinstance(result, tuple | list) and len(result) == count
    assert ok, f"{function} must return a tuple ({names}); got {type(result).__name__}" + (
        f" of length {len(result)}" if isinstance(result, tuple | list) else "")
    return tuple(result)


def unchanged(before: np.ndarray, after: np.ndarray, function: str, name: str) -> None:
    """AssertionError if a graded function changed its input array in place."""
    assert np.array_equal(before, after), (
        f"{function} changed its input {name} in place; compute into a new array instead"
    )


def quietly(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``f`` with numpy's floating-point warnings and Python warnings silenced."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return f(*args, **kwargs)


def count_python_lines(f: Callable[..., Any], *args: Any) -> tuple[Any, int]:
    """Call ``f(*args)``; return its result and how many lines of ``f``'s file ran.

    A Python loop over rows runs its body once per row; whole-array code runs each line
    once. Counting with :func:`sys.settrace` tells them apart whatever the computer's speed.
    """
    import inspect

    plain = inspect.unwrap(getattr(f, "__func__", f))  # not the wrapper that records calls
    code = getattr(plain, "__code__", None)
    if code is None:  # not a plain Python function: nothing to count
        return f(*args), 0
    filename = code.co_filename
    lines = 0

    def count_lines(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal lines
        if event == "line":
            lines += 1
        return count_lines

    def pick_frames(frame: FrameType, event: str, arg: Any) -> Any:
        return count_lines if frame.f_code.co_filename == filename else None

    previous = sys.gettrace()
    sys.settrace(pick_frames)
    try:
        result = f(*args)
    finally:
        sys.settrace(previous)
    return result, lines


# ---------------------------------------------------------------- comparisons (05, 07)
#: Arrays whose largest entry is below this are compared absolutely.
FLOOR = 1e-8


def relative_to_largest(got: Any, want: Any, floor: float = FLOOR) -> float:
    """``max |got - want| / max(max |want|, floor)``: the largest difference relative to
    the largest expected entry (0 for empty arrays)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if want.size == 0:
        return 0.0
    return float(np.max(np.abs(got - want))) / max(float(np.max(np.abs(want))), floor)


def close_to(got: Any, want: Any, tol: float, floor: float = FLOOR) -> bool:
    """Whether ``got`` has the shape of ``want``, is finite and within ``tol`` of it
    (:func:`relative_to_largest`)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    want = np.asarray(want, dtype=np.float64)
    return (got.shape == want.shape and bool(np.all(np.isfinite(got)))
            and relative_to_largest(got, want, floor) <= tol)


def first_matching_hint(got: Any, variants: Sequence[tuple[str, Any]], tol: float,
                        floor: float = FLOOR) -> str:
    """The hint of the first wrong variant ``(hint, value)`` that ``got`` matches, or ``""``."""
    for hint, value in variants:
        if value is not None and close_to(got, value, tol, floor):
            return hint
    return ""


def assert_close_to_largest(got: Any, want: Any, what: str, tol: float, hint: str = "", *,
                            reveal: bool = True, floor: float = FLOOR) -> float:
    """Assert that :func:`relative_to_largest` of ``got`` is at most ``tol``; return it.
    ``reveal=False``: the message names where, not the value expected there."""
    error = relative_to_largest(got, want, floor)
    if not error <= tol:
        where = ""
        if np.ndim(want):
            got_a, want_a = np.asarray(got, dtype=np.float64), np.asarray(want)
            worst = np.unravel_index(np.argmax(np.abs(got_a - want_a)), np.shape(want))
            index = tuple(int(i) for i in worst)
            where = (f" (e.g. at index {index}: {got_a[worst]:.6g}, expected "
                     f"{want_a[worst]:.6g})" if reveal else f" (e.g. at index {index})")
        elif reveal:
            where = f" (got {float(got):.10g}, expected {float(want):.10g})"
        raise AssertionError(f"{what}: relative error {error:.1e} exceeds {tol:g}{where}"
                             + (f"; {hint}" if hint else ""))
    return error


def finite_number(value: Any, what: str) -> float:
    """``value`` as a finite float, or an AssertionError saying what it is."""
    ok = value is not None and np.ndim(value) == 0
    number = np.nan
    if ok:
        try:
            number = float(value)
        except (TypeError, ValueError):
            ok = False
    assert ok, f"{what} must be a number, got {type(value).__name__}"
    assert np.isfinite(number), f"{what} is {number}"
    return number


def restoring_random_state(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``f`` quietly and put NumPy's global random state back afterwards, and
    PyTorch's when PyTorch is loaded (it is not imported here: the sandbox need not load
    it)."""
    torch = sys.modules.get("torch")
    state = np.random.get_state()
    torch_state = torch.random.get_rng_state() if torch is not None else None
    try:
        return quietly(f, *args, **kwargs)
    finally:
        np.random.set_state(state)
        if torch_state is not None:
            torch.random.set_rng_state(torch_state)


def numeric_grads(forward: Callable[..., np.ndarray], inputs: Sequence[np.ndarray],
                  dout: np.ndarray) -> list[np.ndarray]:
    """Numerical gradient (centred differences, float64) of ``sum(forward(*inputs) * dout)``
    with respect to each of ``inputs``: the oracle of the backward checks."""
    from cs231n_utils.gradient_check import eval_numerical_gradient_array

    inputs = list(inputs)
    grads = []
    for i, x in enumerate(inputs):
        def f(_: np.ndarray, i: int = i, x: np.ndarray = x) -> np.ndarray:
            return forward(*inputs[:i], x, *inputs[i + 1:])
        grads.append(eval_numerical_gradient_array(f, x, np.asarray(dout, dtype=np.float64)))
    return grads
