"""What the visible checks of every assignment share."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from types import FrameType
from typing import Any

import numpy as np


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
