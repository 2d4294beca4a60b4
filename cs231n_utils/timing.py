"""Tiny timing helpers, to see what vectorising buys.

>>> rows = compare_timings({"two loops": two_loop, "no loops": no_loop}, X)  # doctest: +SKIP
>>> print(format_timings(rows))                                              # doctest: +SKIP
name      |  seconds | x slower than fastest
----------+----------+----------------------
two loops |   12.041 |                 402.1
no loops  | 0.029944 |                   1.0
"""

from __future__ import annotations

import os
from collections.abc import Callable
from time import perf_counter
from typing import Any, NamedTuple

__all__ = ["TimingRow", "best_times", "compare_timings", "format_timings", "time_function"]


class TimingRow(NamedTuple):
    """One row of :func:`compare_timings`: a plain ``(name, seconds, ratio)`` tuple."""

    name: str
    seconds: float
    ratio: float


def time_function(
    f: Callable[..., Any], *args: Any, repeat: int = 3, number: int = 1, **kwargs: Any
) -> float:
    """Seconds one call of ``f(*args, **kwargs)`` takes, best of ``repeat`` runs.

    The best run, not the average: slower runs measure whatever else the computer was
    doing at the time.

    Parameters
    ----------
    f : callable
        The function to time.
    *args, **kwargs
        Passed to ``f``.
    repeat : int, default 3
        Number of runs; the fastest counts.
    number : int, default 1
        Calls per run; a run's time is divided by it (use more for very fast ``f``).

    Returns
    -------
    float
        Seconds per call, measured with :func:`time.perf_counter`.

    Raises
    ------
    ValueError
        If ``repeat`` or ``number`` is less than 1.
    """
    if repeat < 1:
        raise ValueError(f"repeat must be a positive integer, got {repeat!r}")
    if number < 1:
        raise ValueError(f"number must be a positive integer, got {number!r}")
    best = float("inf")
    for _ in range(repeat):
        start = perf_counter()
        for _ in range(number):
            f(*args, **kwargs)
        best = min(best, (perf_counter() - start) / number)
    return best


def best_times(fs: dict[str, Callable[[], Any]], repeat: int,
               warmup: int = 2) -> dict[str, float]:
    """Seconds of the fastest of ``repeat`` calls of each ``f()``, after ``warmup`` calls
    each; the functions take turns (a, b, a, b, ...), so that a slow spell of a shared
    machine hits them all alike instead of spoiling one function's runs.

    Parameters
    ----------
    fs : dict of str to callable
        The functions to time, by name; each is called without arguments.
    repeat : int
        Timed calls of each; the fastest counts.
    warmup : int, default 2
        Untimed calls of each first (caches, lazy initialisation).

    Returns
    -------
    dict of str to float
        The best time of each function, under its name.
    """
    for f in fs.values():
        for _ in range(warmup):
            f()
    best = dict.fromkeys(fs, float("inf"))
    for _ in range(repeat):
        for name, f in fs.items():
            start = perf_counter()
            f()
            best[name] = min(best[name], perf_counter() - start)
    return best


def compare_timings(
    funcs: dict[str, Callable[..., Any]],
    *args: Any,
    repeat: int = 3,
    reference: str | None = None,
) -> list[TimingRow]:
    """Time several implementations of the same thing on the same arguments.

    Parameters
    ----------
    funcs : dict of str to callable
        Name -> function; each is called as ``f(*args)``.
    *args
        Passed to every function.
    repeat : int, default 3
        Runs per function; the fastest counts (see :func:`time_function`).
    reference : str, optional
        Name of the function the ratios are relative to; default the fastest.

    Returns
    -------
    list of TimingRow
        ``(name, seconds, ratio)`` per function, in the order of ``funcs``;
        ``ratio = seconds / seconds of the reference`` (so "x times slower").

    Raises
    ------
    ValueError
        If ``funcs`` is empty or ``reference`` is not one of its names.
    """
    if not funcs:
        raise ValueError("funcs must map at least one name to a function, got an empty dict")
    if reference is not None and reference not in funcs:
        raise ValueError(f"reference must be one of {list(funcs)}, got {reference!r}")
    seconds = {name: time_function(f, *args, repeat=repeat) for name, f in funcs.items()}
    base = seconds[reference] if reference is not None else min(seconds.values())
    return [TimingRow(name, s, _ratio(s, base)) for name, s in seconds.items()]


def _ratio(seconds: float, base: float) -> float:
    if base > 0:
        return seconds / base
    return 1.0 if seconds == base else float("inf")  # clock too coarse to tell


def format_timings(
    rows: list[TimingRow] | list[tuple[str, float, float]], against: str = "fastest"
) -> str:
    """Format timing rows as a small aligned text table.

    Parameters
    ----------
    rows : list of (name, seconds, ratio)
        As returned by :func:`compare_timings`.
    against : str, default "fastest"
        What the ratios are relative to, for the header; pass the ``reference`` name
        if you gave one to :func:`compare_timings`.

    Returns
    -------
    str
        A header ``name | seconds | x slower than fastest``, a rule, and one line per
        row; names are left-aligned, numbers right-aligned.
    """
    header = ("name", "seconds", f"x slower than {against}")
    body = [(str(name), f"{seconds:.5g}", f"{ratio:.1f}") for name, seconds, ratio in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(3)]

    def line(cells: tuple[str, str, str]) -> str:
        name, *numbers = cells  # names left-aligned, numbers right-aligned
        right = [cell.rjust(w) for cell, w in zip(numbers, widths[1:], strict=True)]
        return " | ".join([name.ljust(widths[0]), *right])

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(cells) for cells in body)])


def blas_threads() -> int:
    """Threads NumPy's BLAS uses: the usual environment variables, else all cores."""
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1
