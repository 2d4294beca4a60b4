"""Grading round trip of 07_rnn with nbgrader for real: generate, submit, autograde, scores."""

from pathlib import Path

import pytest
from grading_support import Submissions, full_marks_except, only, only_right, points

pytestmark = pytest.mark.slow

ASSIGNMENT = "07_rnn"
LAYERS = Path("rnn_layers.py")
# The autograder cell that checks each graded function.
CELL = {
    "rnn_step_forward": "rnn_step_forward",
    "rnn_step_backward": "rnn_step_backward",
    "rnn_forward": "rnn_forward",
    "rnn_backward": "rnn_backward",
    "word_embedding_forward": "word_embedding_forward",
    "word_embedding_backward": "word_embedding_backward",
    "temporal_affine_forward": "temporal_affine_forward",
    "temporal_affine_backward": "temporal_affine_backward",
    "temporal_softmax_loss": "temporal_softmax_loss",
    "lstm_step_forward": "lstm_step_forward",
    "lstm_step_backward": "lstm_step_backward",
    "lstm_forward": "lstm_forward",
    "lstm_backward": "lstm_backward",
    "gru_step_forward": "gru_step_forward",
    "gru_step_backward": "gru_step_backward",
    "gru_forward": "gru_forward",
    "gru_backward": "gru_backward",
    "CaptioningRNN.loss": "captioning_loss",
    "CaptioningRNN.sample": "captioning_sample",
}
RNN_STEP = {"rnn_step_forward", "rnn_step_backward"}


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory):
    subs = Submissions(course, ASSIGNMENT, tmp_path_factory.mktemp("submissions"))
    subs.solutions()
    subs.new("release")  # no package at all: the stubs stay
    subs.with_modules("rnn_step_only", {LAYERS: only_right(LAYERS, RNN_STEP)})
    subs.with_edited_package("edited_checks", {
        Path(f"checks/{name}.py"): "\n".join(f"def check_{cell}():\n    print('PASS')\n"
                                             for cell in CELL.values()) + "\nCHECKS = {}\n"
        for name in ("rnn", "rnn_gated")
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


def test_only_the_vanilla_rnn_step_right_gets_exactly_its_points(graded):
    cells = {CELL[name] for name in RNN_STEP}
    assert points(graded, "rnn_step_only") == only(graded, cells)
    assert sum(points(graded, "rnn_step_only").values()) == 3


def test_editing_the_checks_gains_nothing(graded):
    assert points(graded, "edited_checks") == only(graded, set())
