"""Grading round trip of 03_backprop with nbgrader for real: generate, submit, autograde, scores."""

from pathlib import Path

import pytest
from grading_support import Submissions, full_marks_except, only, only_right, points

pytestmark = pytest.mark.slow

ASSIGNMENT = "03_backprop"
LAYERS = Path("layers.py")
# The autograder cell that checks each graded function.
CELL = {
    "add_multiply_backward": "add_multiply_backward",
    "staged_example_backward": "staged_example_backward",
    "affine_forward": "affine_forward",
    "affine_backward": "affine_backward",
    "relu_forward": "relu_forward",
    "relu_backward": "relu_backward",
    "sigmoid_forward": "sigmoid_forward",
    "sigmoid_backward": "sigmoid_backward",
    "svm_loss": "svm_loss",
    "softmax_loss": "softmax_loss",
    "affine_relu_forward": "affine_relu_forward",
    "affine_relu_backward": "affine_relu_backward",
    "TwoLayerNet.__init__": "two_layer_net_init",
    "TwoLayerNet.loss": "two_layer_net_loss",
    "Value.__add__": "value_add",
    "Value.__mul__": "value_mul",
    "Value.__pow__": "value_pow",
    "Value.exp": "value_exp",
    "Value.relu": "value_relu",
    "Value.sigmoid": "value_sigmoid",
    "Value.backward": "value_backward",
}
AFFINE_AND_RELU = {"affine_forward", "affine_backward", "relu_forward", "relu_backward"}


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    subs = Submissions(course, ASSIGNMENT, tmp_path_factory.mktemp("submissions"))
    subs.solutions()
    subs.new("release")  # no package at all: the stubs stay
    subs.with_modules("affine_relu_only", {LAYERS: only_right(LAYERS, AFFINE_AND_RELU)})
    subs.with_edited_package("edited_checks", {
        Path("checks/backprop.py"): "\n".join(f"def check_{cell}():\n    print('PASS')\n"
                                              for cell in CELL.values()),
    })
    # One BLAS thread per kernel: with two test workers on two cores, OpenBLAS's default
    # of one thread per core oversubscribes the machine and matrix products slow down
    # tenfold. The scores do not depend on it; the cell time limits do.
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


def test_only_the_affine_and_relu_layers_right_gets_exactly_their_points(graded):
    cells = {CELL[name] for name in AFFINE_AND_RELU}
    assert points(graded, "affine_relu_only") == only(graded, cells)
    assert sum(points(graded, "affine_relu_only").values()) == 5


def test_editing_the_checks_gains_nothing(graded):
    assert points(graded, "edited_checks") == only(graded, set())
