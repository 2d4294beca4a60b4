"""Grading round trip of 06_transfer_learning with nbgrader for real: generate, submit,
autograde, scores."""

from pathlib import Path

import pytest
from grading_support import Submissions, full_marks_except, only, only_right, points

pytestmark = pytest.mark.slow

ASSIGNMENT = "06_transfer_learning"
MODULE = Path("transfer_learning.py")
# The autograder cell that checks each graded function.
CELL = {
    "freeze_features": "freeze_features",
    "replace_head": "replace_head",
    "extract_features": "extract_features",
    "fine_tune_param_groups": "fine_tune_param_groups",
}
WAY_1 = {"freeze_features", "replace_head"}


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    subs = Submissions(course, ASSIGNMENT, tmp_path_factory.mktemp("submissions"))
    subs.solutions()
    subs.new("release")  # no package at all: the stubs stay
    subs.with_modules("way_1_only", {MODULE: only_right(MODULE, WAY_1)})
    subs.with_edited_package("edited_checks", {
        Path("checks/transfer.py"): "\n".join(f"def check_{cell}():\n    print('PASS')\n"
                                              for cell in CELL.values()),
    })
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OPENBLAS_NUM_THREADS", "1")
        return subs.grade()


def test_every_graded_function_has_its_cell(graded):
    assert set(CELL.values()) <= set(graded["solutions"]), sorted(graded["solutions"])


def test_solutions_score_full_marks(graded):
    assert points(graded, "solutions") == full_marks_except(graded, set())
    assert sum(points(graded, "solutions").values()) > 0


def test_the_untouched_release_scores_zero(graded):
    assert points(graded, "release") == only(graded, set())


def test_only_way_1_right_gets_exactly_its_points(graded):
    cells = {CELL[name] for name in WAY_1}
    assert points(graded, "way_1_only") == only(graded, cells)
    assert sum(points(graded, "way_1_only").values()) == 3


def test_editing_the_checks_gains_nothing(graded):
    assert points(graded, "edited_checks") == only(graded, set())
