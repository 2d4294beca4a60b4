"""Grading round trip of 04_cnn with nbgrader for real: generate, submit, autograde, scores."""

from pathlib import Path

import pytest
from grading_support import Submissions, full_marks_except, only, only_right, points

pytestmark = pytest.mark.slow

ASSIGNMENT = "04_cnn"
LAYERS = Path("layers.py")
# The autograder cell that checks each graded function (section 10-13 classes: one cell
# per class, covering __init__ and forward).
CELL = {
    "conv_output_size": "conv_output_size",
    "conv_param_count": "conv_param_count",
    "conv_forward_naive": "conv_forward_naive",
    "conv_backward_naive": "conv_backward_naive",
    "max_pool_forward_naive": "max_pool_forward_naive",
    "max_pool_backward_naive": "max_pool_backward_naive",
    "ThreeLayerConvNet.__init__": "three_layer_convnet_init",
    "ThreeLayerConvNet.loss": "three_layer_convnet_loss",
    "ThreeLayerConvNetTorch": "three_layer_convnet_torch",
    "VGGBlock": "vgg_block",
    "InceptionModule": "inception_module",
    "ResidualBlock": "residual_block",
}


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    subs = Submissions(course, ASSIGNMENT, tmp_path_factory.mktemp("submissions"))
    subs.solutions()
    subs.new("release")  # no package at all: the stubs stay
    # layers.py with only conv_forward_naive answered (03's layers stay stubs too)
    subs.with_modules("conv_forward_only",
                      {LAYERS: only_right(LAYERS, {"conv_forward_naive"})})
    subs.with_edited_package("edited_checks", {
        Path("checks/cnn.py"): "\n".join(f"def check_{cell}():\n    print('PASS')\n"
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


def test_only_the_naive_conv_forward_right_gets_exactly_its_points(graded):
    assert points(graded, "conv_forward_only") == only(graded, {"conv_forward_naive"})
    assert points(graded, "conv_forward_only")["conv_forward_naive"] == 2


def test_editing_the_checks_gains_nothing(graded):
    assert points(graded, "edited_checks") == only(graded, set())
