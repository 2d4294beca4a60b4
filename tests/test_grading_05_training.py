"""Grading round trip of 05_training with nbgrader for real: generate, submit, autograde, scores."""

from pathlib import Path

import pytest
from grading_support import Submissions, full_marks_except, only, only_right, points

pytestmark = pytest.mark.slow

ASSIGNMENT = "05_training"
LAYERS = Path("layers.py")
OPTIM = Path("optim.py")
# The autograder cell that checks each graded function.
CELL = {
    "tanh_forward": "tanh_forward",
    "tanh_backward": "tanh_backward",
    "leaky_relu_forward": "leaky_relu_forward",
    "leaky_relu_backward": "leaky_relu_backward",
    "maxout_forward": "maxout_forward",
    "maxout_backward": "maxout_backward",
    "fit_preprocessing": "fit_preprocessing",
    "apply_preprocessing": "apply_preprocessing",
    "preprocess_splits": "preprocess_splits",
    "batchnorm_forward": "batchnorm_forward",
    "batchnorm_backward": "batchnorm_backward",
    "batchnorm_backward_alt": "batchnorm_backward_alt",
    "layernorm_forward": "layernorm_forward",
    "layernorm_backward": "layernorm_backward",
    "spatial_batchnorm_forward": "spatial_batchnorm_forward",
    "spatial_batchnorm_backward": "spatial_batchnorm_backward",
    "dropout_forward": "dropout_forward",
    "dropout_backward": "dropout_backward",
    "affine_norm_relu_forward": "affine_norm_relu_forward",
    "affine_norm_relu_backward": "affine_norm_relu_backward",
    "FullyConnectedNet.__init__": "fc_net_init",
    "FullyConnectedNet.loss": "fc_net_loss",
    "sgd_momentum": "sgd_momentum",
    "nesterov_momentum": "nesterov_momentum",
    "adagrad": "adagrad",
    "rmsprop": "rmsprop",
    "adam": "adam",
    "spatial_groupnorm_forward": "spatial_groupnorm_forward",
    "spatial_groupnorm_backward": "spatial_groupnorm_backward",
}
BATCH_NORM = {"batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
              "spatial_batchnorm_forward", "spatial_batchnorm_backward"}
UPDATE_RULES = {"sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam"}


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    subs = Submissions(course, ASSIGNMENT, tmp_path_factory.mktemp("submissions"))
    subs.solutions()
    subs.new("release")  # no package at all: the stubs stay
    # layers.py with only the batch norm functions answered (03's and 04's layers stay
    # stubs too, so nothing that builds on an affine layer can pass)
    subs.with_modules("batchnorm_only", {LAYERS: only_right(LAYERS, BATCH_NORM)})
    subs.with_modules("update_rules_only", {OPTIM: only_right(OPTIM, UPDATE_RULES)})
    subs.with_edited_package("edited_checks", {
        Path(f"checks/{name}.py"): "\n".join(f"def check_{cell}():\n    print('PASS')\n"
                                             for cell in CELL.values()) + "\nCHECKS = {}\n"
        for name in ("training", "training_nets")
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


def test_only_the_batch_norm_functions_right_get_exactly_their_points(graded):
    cells = {CELL[name] for name in BATCH_NORM}
    assert points(graded, "batchnorm_only") == only(graded, cells)
    assert sum(points(graded, "batchnorm_only").values()) == 8


def test_only_the_update_rules_right_get_exactly_their_points(graded):
    cells = {CELL[name] for name in UPDATE_RULES}
    assert points(graded, "update_rules_only") == only(graded, cells)
    assert sum(points(graded, "update_rules_only").values()) == 6


def test_editing_the_checks_gains_nothing(graded):
    assert points(graded, "edited_checks") == only(graded, set())
