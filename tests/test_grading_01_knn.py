"""Grading round trip of 01_knn with nbgrader for real: generate, submit, autograde, scores."""

from pathlib import Path

import pytest
from grading_support import Submissions, full_marks_except, only, only_right, points, replace_answer

from cs231n_utils.course import SOLUTION_PACKAGE_DIR

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_knn"
MODULE = Path("classifiers/k_nearest_neighbor.py")
# The autograder cell that checks each graded function.
CELL = {
    "KNearestNeighbor.compute_distances_two_loops": "two_loops",
    "KNearestNeighbor.compute_distances_one_loop": "one_loop",
    "KNearestNeighbor.compute_distances_no_loops": "no_loops",
    "KNearestNeighbor.compute_distances_l1": "l1",
    "KNearestNeighbor.predict_labels": "predict_labels",
}
ONE_RIGHT = "KNearestNeighbor.compute_distances_no_loops"
NEVER_RETURNS = "KNearestNeighbor.compute_distances_two_loops"


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    subs = Submissions(course, ASSIGNMENT, tmp_path_factory.mktemp("submissions"))
    subs.solutions()
    subs.new("release")  # no package at all: the stubs stay
    subs.with_modules("one_right", {MODULE: only_right(MODULE, {ONE_RIGHT})})
    solution = (SOLUTION_PACKAGE_DIR / MODULE).read_text()
    subs.with_modules("never_returns", {
        MODULE: replace_answer(solution, NEVER_RETURNS, ["while True:", "    pass"])})
    subs.with_edited_package("edited_helper", {
        Path("gradient_check.py"): "def rel_error(x, y):\n    return 0.0\n",
        Path("checks/knn.py"): "\n".join(f"def check_{cell}():\n    print('PASS')\n"
                                         for cell in CELL.values()),
    })
    return subs.grade()


def test_every_graded_function_has_its_cell(graded):
    assert set(CELL.values()) <= set(graded["solutions"]), sorted(graded["solutions"])


def test_solutions_score_full_marks(graded):
    assert points(graded, "solutions") == full_marks_except(graded, set())
    assert sum(points(graded, "solutions").values()) > 0


def test_the_untouched_release_scores_zero(graded):
    assert points(graded, "release") == only(graded, set())


def test_one_function_right_gets_exactly_its_points(graded):
    assert points(graded, "one_right") == only(graded, {CELL[ONE_RIGHT]})


def test_a_function_that_never_returns_loses_only_its_cells(graded):
    assert points(graded, "never_returns") == full_marks_except(graded, {CELL[NEVER_RETURNS]})


def test_editing_helpers_and_checks_gains_nothing(graded):
    assert points(graded, "edited_helper") == only(graded, set())
