"""Every autograded cell is decided by a hidden test of the trusted grader, and no hidden
test is left in a notebook (where the student's own code could change its verdict)."""

import pytest

from cs231n_utils.course import SOLUTION_PACKAGE_DIR, SOLUTIONS_DIR
from cs231n_utils.course.notebooks import text_to_notebook
from cs231n_utils.course.release import assignment_ids
from cs231n_utils.course.sandbox import bwrap_problem
from cs231n_utils.course.trusted.runner import judge_submission
from cs231n_utils.course.trusted.spec import load_hidden_tests

ASSIGNMENTS = assignment_ids(SOLUTIONS_DIR)


def autograded_cells(assignment):
    ids = []
    for source in sorted((SOLUTIONS_DIR / assignment).glob("*.nb.py")):
        for cell in text_to_notebook(source).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade"):
                ids.append(meta["grade_id"])
    return ids


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_autograded_cell_has_exactly_one_hidden_test(assignment):
    cells = autograded_cells(assignment)
    tests = [t.grade_id for t in load_hidden_tests(SOLUTIONS_DIR.parent, assignment)]
    assert cells and sorted(cells) == sorted(tests)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_hidden_test_runs_in_the_notebook(assignment):
    for source in (SOLUTIONS_DIR / assignment).glob("*.nb.py"):
        assert "BEGIN HIDDEN TESTS" not in source.read_text(), source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_solutions_pass_and_the_release_fails_every_hidden_test(assignment):
    sandbox = bwrap_problem() is None
    right = judge_submission(SOLUTIONS_DIR.parent, assignment, SOLUTION_PACKAGE_DIR,
                             sandbox=sandbox, test_timeout=60)
    assert all(v.passed for v in right.values()), [v.message for v in right.values()
                                                   if not v.passed]
    untouched = judge_submission(SOLUTIONS_DIR.parent, assignment, None, sandbox=sandbox,
                                 test_timeout=60)
    assert not any(v.passed for v in untouched.values()), [
        v.message for v in untouched.values() if v.passed]
    assert all("not written yet" in v.message or "NotImplementedError" in v.message
               for v in untouched.values()), [v.message for v in untouched.values()]
