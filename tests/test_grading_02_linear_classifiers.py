"""Grading round trip of 02_linear_classifiers with nbgrader for real: generate, submit,
autograde, scores."""

from pathlib import Path

import pytest
from grading_support import Submissions, full_marks_except, only, only_right, points

pytestmark = pytest.mark.slow

ASSIGNMENT = "02_linear_classifiers"
SVM_MODULE = Path("classifiers/linear_svm.py")
# The autograder cell that checks each graded function.
CELL = {
    "svm_loss_naive": "svm_naive",
    "svm_loss_vectorized": "svm_vectorized",
    "softmax_loss_naive": "softmax_naive",
    "softmax_loss_vectorized": "softmax_vectorized",
    "LinearClassifier.predict": "linear_classifier_predict",
    "LinearClassifier.train": "linear_classifier_train",
}
SVM_FUNCTIONS = {"svm_loss_naive", "svm_loss_vectorized"}


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    subs = Submissions(course, ASSIGNMENT, tmp_path_factory.mktemp("submissions"))
    subs.solutions()
    subs.new("release")  # no package at all: the stubs stay
    # linear_svm.py answered; softmax.py and linear_classifier.py stay stubs
    subs.with_modules("svm_only", {SVM_MODULE: only_right(SVM_MODULE, SVM_FUNCTIONS)})
    return subs.grade()


def test_every_graded_function_has_its_cell(graded):
    assert set(CELL.values()) == set(graded["solutions"]), sorted(graded["solutions"])


def test_solutions_score_full_marks(graded):
    assert points(graded, "solutions") == full_marks_except(graded, set())
    assert sum(points(graded, "solutions").values()) > 0


def test_the_untouched_release_scores_zero(graded):
    assert points(graded, "release") == only(graded, set())


def test_only_the_svm_functions_right_get_exactly_their_points(graded):
    svm_cells = {CELL[f] for f in SVM_FUNCTIONS}
    assert points(graded, "svm_only") == only(graded, svm_cells)
    assert sum(points(graded, "svm_only").values()) > 0
