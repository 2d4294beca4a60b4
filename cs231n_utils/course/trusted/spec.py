"""What a hidden test is, and where an assignment's hidden tests live.

A hidden test decides one autograded cell (its nbgrader ``grade_id``) in three parts:

- ``cases()``: the hidden inputs, one dict of arrays per case. Runs on the trusted side;
  the inputs are sent to the sandbox as plain data and kept on the trusted side too.
- ``probe(case)``: runs IN THE SANDBOX, beside the student's code. It imports the graded
  function, calls it on one case and returns what came back as a dict of plain values
  (arrays, numbers, strings). It decides nothing.
- ``judge(case, got)``: runs on the trusted side, in a process where no submission code
  ever ran. It computes the expected values from the trusted copy of ``case`` with an
  independent oracle (SciPy, PyTorch autograd, a numerical gradient) and raises
  ``AssertionError`` with a one-line reason when ``got`` is wrong. Its messages never
  reveal an expected value: they reach the student in the feedback.

An assignment's hidden tests are ``solutions/hidden_tests/<assignment>.py``, a module with a
``HIDDEN_TESTS`` list. The module file is copied into the sandbox so that the probes can
run there: it holds the inputs' recipe and the oracles' names, never an expected value.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

Case = dict[str, np.ndarray]


@dataclass(frozen=True)
class HiddenTest:
    """One autograded cell's hidden test (see the module doc).

    Parameters
    ----------
    grade_id : str
        The nbgrader ``grade_id`` of the cell whose points this test decides.
    function : str
        The graded function it calls, e.g. ``"KNearestNeighbor.compute_distances_two_loops"``.
    cases : callable
        ``cases() -> list[Case]``, the hidden inputs (trusted side).
    probe : callable
        ``probe(case) -> dict`` of plain values, a module-level function of the hidden-test
        module (sandbox side).
    judge : callable
        ``judge(case, got) -> None``, raising ``AssertionError`` (trusted side).
    call : callable, optional
        ``call(case, got) -> Call`` (:func:`cs231n_utils.checks.mistakes.hidden_call`), or
        a list of them: the calls of ``function`` that one case made, rebuilt on the trusted
        side, so that a failure can name the catalogued mistake that every call matches.
    """

    grade_id: str
    function: str
    cases: Callable[[], list[Case]]
    probe: Callable[[Case], dict[str, Any]]
    judge: Callable[[Case, Case], None]
    call: Callable[[Case, Case], Any] | None = None


def hidden_tests_file(course_root: Path, assignment: str) -> Path:
    """``<course>/solutions/hidden_tests/<assignment>.py``."""
    return Path(course_root) / "solutions" / "hidden_tests" / f"{assignment}.py"


def load_module(path: Path) -> ModuleType:
    """Import a hidden-test module from its file (its name starts with a digit)."""
    name = f"_cs231n_hidden_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_hidden_tests(course_root: Path, assignment: str) -> list[HiddenTest]:
    """The hidden tests of ``assignment``, checked for a sound definition."""
    path = hidden_tests_file(course_root, assignment)
    if not path.is_file():
        raise FileNotFoundError(f"assignment={assignment!r} has no hidden tests: {path} "
                                "is missing (see CONTRIBUTING.md, 'Hidden tests')")
    module = load_module(path)
    tests = list(getattr(module, "HIDDEN_TESTS", []))
    ids = [t.grade_id for t in tests]
    if not tests or len(set(ids)) != len(ids):
        raise ValueError(f"{path}: HIDDEN_TESTS must list each grade_id once; got {ids}")
    for test in tests:
        if getattr(module, test.probe.__name__, None) is not test.probe:
            raise ValueError(f"{path}: the probe of {test.grade_id!r} must be a module-level "
                             "function of that file (it runs in the sandbox by name)")
    return tests
