"""Run an assignment's visible checks outside Jupyter and print a table.

From a terminal::

    make check A=01_knn          # or: .venv/bin/python -m cs231n_utils.selfcheck 01_knn

From a notebook cell::

    from cs231n_utils.selfcheck import self_check
    self_check("01_knn")

Each check runs in its own Python process with a time limit, so a function that never
returns, or one that crashes Python, costs only its own row.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import cs231n_utils.checks

#: Seconds one check may take before it counts as "never returned".
DEFAULT_TIMEOUT = 60


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one visible check."""

    function: str
    written: bool  # False while the graded function is still the stub
    passed: bool
    message: str  # the PASS line, or the first failure's one-line reason


def checks_modules() -> dict[str, ModuleType]:
    """Map each assignment id to its checks module (each declares ``ASSIGNMENT``)."""
    found = {}
    for info in pkgutil.iter_modules(cs231n_utils.checks.__path__):
        module = importlib.import_module(f"cs231n_utils.checks.{info.name}")
        assignment = getattr(module, "ASSIGNMENT", None)
        if assignment:
            found[assignment] = module
    return found


def _run_one(module: str, check: str, timeout: float,
             cwd: Path | None) -> tuple[bool, bool, str]:
    code = f"import {module} as m; m.{check}()"
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        return True, False, f"did not finish within {timeout:g} s: is there an endless loop?"
    out = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode == 0:
        return True, True, out[-1] if out else "PASS"
    err = [line for line in proc.stderr.splitlines() if line.strip()]
    last = err[-1] if err else f"Python exited with code {proc.returncode}"
    if last.startswith("NotImplementedError"):
        where = last.partition("guided by ")[2].rstrip(".")
        return False, False, f"not written yet (see {where})" if where else "not written yet"
    if last.startswith("AssertionError"):
        return True, False, last.partition(": ")[2] or "a check failed (no message)"
    if proc.returncode < 0:
        return True, False, f"Python was killed by signal {-proc.returncode}"
    return True, False, f"raised {last}"


def run_checks(assignment: str, timeout: float = DEFAULT_TIMEOUT,
               cwd: Path | None = None) -> list[CheckResult]:
    """Run every visible check of ``assignment``; return one result per graded function.

    The checks run in ``cwd`` (default: the current folder), whose ``cs231n_utils``, if it
    has one, comes first: that is how a notebook's folder or an overlay is checked.
    """
    modules = checks_modules()
    if assignment not in modules:
        raise ValueError(f"assignment={assignment!r}: no checks for it; accepted values: "
                         f"{', '.join(sorted(modules))}")
    module = modules[assignment]
    results = []
    done: dict[str, tuple[bool, bool, str]] = {}  # one check may cover several methods
    for function, check in module.CHECKS.items():
        if check.__name__ not in done:
            done[check.__name__] = _run_one(module.__name__, check.__name__, timeout, cwd)
        results.append(CheckResult(function, *done[check.__name__]))
    return results


#: Lines of a row's message in the table (a named mistake comes first, then the numbers).
MESSAGE_LINES = 3


def format_table(results: list[CheckResult], width: int = 100) -> str:
    """The results as an aligned text table; a long message goes on over up to
    ``MESSAGE_LINES`` lines of ``width`` characters, under its column."""
    name_w = max([len("graded function")] + [len(r.function) for r in results])
    header = f"{'graded function':<{name_w}}  written  passes  first failure / verdict"
    lines = [header, "-" * min(width, len(header) + 20)]
    indent = " " * (name_w + 17)
    for r in results:
        message = textwrap.wrap(r.message, width) or [""]
        if len(message) > MESSAGE_LINES:
            message = message[:MESSAGE_LINES]
            message[-1] = message[-1][:width - 3] + "..."
        lines.append(f"{r.function:<{name_w}}  {'yes' if r.written else 'NO':<7}  "
                     f"{'yes' if r.passed else 'NO':<6}  {message[0]}")
        lines.extend(indent + more for more in message[1:])
    passed = sum(r.passed for r in results)
    lines.append(f"{passed} of {len(results)} checks pass")
    return "\n".join(lines)


def self_check(assignment: str, timeout: float = DEFAULT_TIMEOUT) -> list[CheckResult]:
    """Run the checks of ``assignment``, print the table, return the results."""
    results = run_checks(assignment, timeout)
    print(format_table(results))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run an assignment's visible checks.")
    parser.add_argument("assignment", help="e.g. 01_knn")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds per check (default %(default)s)")
    args = parser.parse_args(argv)
    try:
        results = self_check(args.assignment, args.timeout)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
