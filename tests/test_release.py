"""The committed student copy is exactly what the release makes, and leaks no solution."""

import json
import re

import pytest

from cs231n_utils.course import ASSIGNMENTS_DIR, PACKAGE_DIR, REPO_ROOT, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.notebooks import notebook_sources
from cs231n_utils.course.overlay import graded_modules
from cs231n_utils.course.release import assignment_ids, drift
from cs231n_utils.course.stubs import solution_lines

MARKERS = re.compile(r"### (BEGIN|END) (SOLUTION|HIDDEN TESTS)")
GRADED = graded_modules()
RELEASED = sorted(ASSIGNMENTS_DIR.glob("*/*.ipynb"))


def test_there_is_something_to_release():
    assert GRADED, "no graded modules under solutions/cs231n_utils"
    assert assignment_ids(REPO_ROOT / "solutions"), "no assignment under solutions/"
    assert RELEASED, "no released notebook under assignments/"


@pytest.mark.slow
def test_committed_student_copy_matches_a_fresh_release():
    problems = drift()
    assert not problems, ("the student copy differs from a fresh release (run `make release`"
                          f" and commit): {problems}")


@pytest.mark.parametrize("rel", GRADED, ids=str)
def test_stub_leaks_no_answer(rel):
    stub = (PACKAGE_DIR / rel).read_text()
    assert not MARKERS.search(stub)
    leaked = [line for line in solution_lines((SOLUTION_PACKAGE_DIR / rel).read_text())
              if line in stub]
    assert not leaked, f"cs231n_utils/{rel} contains answer lines: {leaked[:3]}"
    assert "NotImplementedError" in stub


def notebook_answer_lines(source: str) -> set[str]:
    """Lines between the solution / hidden-test markers of a notebook source."""
    found, inside = set(), False
    for line in source.splitlines():
        text = line.strip().lstrip("#").strip() if line.strip().startswith("# ") else line.strip()
        if MARKERS.search(line):
            inside = "BEGIN" in line
            continue
        if inside and len(text) >= 12:
            found.add(text)
    return found


@pytest.mark.parametrize("source", notebook_sources(REPO_ROOT / "solutions"), ids=lambda p: p.name)
def test_released_notebook_leaks_no_answer_or_hidden_test(source):
    released = ASSIGNMENTS_DIR / source.parent.name / source.name.replace(".nb.py", ".ipynb")
    assert released.is_file(), f"{released} is missing: run `make release`"
    nb = json.loads(released.read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    assert not MARKERS.search(text)
    everything_else = set(source.read_text().splitlines())
    leaked = [line for line in notebook_answer_lines(source.read_text())
              if line in text and line not in everything_else - {line}]
    assert not leaked, f"{released.name} contains solution or hidden-test lines: {leaked[:3]}"


@pytest.mark.parametrize("notebook", RELEASED, ids=lambda p: p.name)
def test_released_notebooks_carry_no_outputs(notebook):
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_no_solution_notebook_is_released_as_text():
    assert not list(ASSIGNMENTS_DIR.rglob("*.nb.py"))
    assert not list(ASSIGNMENTS_DIR.rglob("*.py")), "assignments/ should hold notebooks only"
