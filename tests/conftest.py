"""Shared set-up of the test suite.

- The solution modules are laid over the package in this process (the overlay, in
  process): tests import graded functions by their usual names and get the complete
  versions, which they compare with independent oracles. Notebook kernels and nbgrader
  runs are other processes and get their own overlay.
- One generated nbgrader course per test session (per xdist worker).
"""

import pytest

from cs231n_utils.course.overlay import overlay_in_process
from cs231n_utils.course.release import generate_release, make_course

overlay_in_process()


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A throw-away course with every assignment generated (release + gradebook)."""
    root = make_course(tmp_path_factory.mktemp("course") / "course")
    generate_release(root)
    return root


@pytest.fixture(scope="session")
def sandbox_works():
    """Skip where bubblewrap cannot run, except under CI, where that is a failure."""
    import os

    from cs231n_utils.course.sandbox import bwrap_problem

    problem = bwrap_problem()
    if problem and os.environ.get("CI"):
        pytest.fail(f"CI must test the grading sandbox: {problem}")
    if problem:
        pytest.skip(problem)
    return True
