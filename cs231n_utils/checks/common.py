"""What the visible checks of every assignment share."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from types import FrameType
from typing import Any

import numpy as np


def graded(module: str, name: str) -> Callable[..., Any]:
    """The student's ``cs231n_utils.<module>.<name>``, looked up when a check runs (so
    edits are picked up)."""
    import importlib

    return getattr(importlib.import_module(f"cs231n_utils.{module}"), name)


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
    code = getattr(f, "__code__", None) or getattr(getattr(f, "__func__", None), "__code__", None)
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
