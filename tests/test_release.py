"""The committed student copy is exactly what the release makes, and leaks no solution."""

import json
import re

import nbformat
import pytest

from cs231n_utils.course import ASSIGNMENTS_DIR, PACKAGE_DIR, REPO_ROOT, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.notebooks import ipynb_path, notebook_sources, text_to_notebook
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
    stub_lines = {line.strip() for line in stub.splitlines()}
    leaked = solution_lines((SOLUTION_PACKAGE_DIR / rel).read_text()) & stub_lines
    assert not leaked, f"cs231n_utils/{rel} contains answer lines: {leaked[:3]}"
    assert "NotImplementedError" in stub


def answer_and_other_lines(nb) -> tuple[set[str], set[str]]:
    """Stripped lines inside solution / hidden-test regions, and all the other lines."""
    inside_lines, outside_lines = set(), set()
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if MARKERS.search(line):
                inside = "BEGIN" in line
            elif len(line.strip()) >= 12:
                (inside_lines if inside else outside_lines).add(line.strip())
    return inside_lines, outside_lines


@pytest.mark.parametrize("source", notebook_sources(REPO_ROOT / "solutions"), ids=lambda p: p.name)
def test_released_notebook_leaks_no_answer_or_hidden_test(source):
    released = ASSIGNMENTS_DIR / source.parent.name / ipynb_path(source).name
    assert released.is_file(), f"{released} is missing: run `make release`"
    student = nbformat.read(released, as_version=4)
    student_lines = {line.strip() for c in student.cells for line in c.source.splitlines()}
    assert not any(MARKERS.search(line) for line in student_lines)
    answers, others = answer_and_other_lines(text_to_notebook(source))
    assert answers, f"{source.name} has no solution or hidden-test region"
    leaked = (answers - others) & student_lines
    assert not leaked, f"{released.name} contains solution or hidden-test lines: {leaked}"


@pytest.mark.parametrize("notebook", RELEASED, ids=lambda p: p.name)
def test_released_notebooks_carry_no_outputs(notebook):
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_no_solution_notebook_is_released_as_text():
    assert not list(ASSIGNMENTS_DIR.rglob("*.nb.py"))
    assert not list(ASSIGNMENTS_DIR.rglob("*.py")), "assignments/ should hold notebooks only"


def test_the_package_is_reachable_from_the_assignments_folder():
    link = ASSIGNMENTS_DIR / "cs231n_utils"
    assert link.is_symlink() and link.resolve() == PACKAGE_DIR.resolve()


def test_no_marker_anywhere_in_the_student_copy():
    """Not in a stub, not in a helper, not in a released notebook (the before-stop rule)."""
    files = [p for folder in (PACKAGE_DIR, ASSIGNMENTS_DIR) for p in folder.rglob("*")
             if p.is_file() and p.suffix in {".py", ".ipynb", ".json", ".md", ".txt"}]
    flagged = [str(p) for p in files if MARKERS.search(p.read_text(errors="replace"))]
    assert not flagged


def test_no_hidden_test_reaches_the_student_copy():
    """Hidden tests live in solutions/hidden_tests/, which no release copies; no file of the
    student copy defines one."""
    defines = re.compile(r"HiddenTest\(\s*[\"']")
    assert any(defines.search(p.read_text()) for p in
               (REPO_ROOT / "solutions" / "hidden_tests").glob("*.py"))
    files = [p for folder in (PACKAGE_DIR, ASSIGNMENTS_DIR) for p in folder.rglob("*")
             if p.is_file() and p.suffix in {".py", ".ipynb"}]
    assert not [str(p) for p in files if defines.search(p.read_text(errors="replace"))]
