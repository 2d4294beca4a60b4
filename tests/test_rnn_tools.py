"""Tests of cs231n_utils.rnn_tools against independent oracles.

PyTorch autograd on a language model written here from ``torch`` operations, numerical
gradients, closed forms (the gradient of a linear recurrence is ``sigma ** k``), binomial
bounds on sampling frequencies, and hand-made cases. The graded layers the helpers call
are the solutions (tests/conftest.py overlays them).
"""

import math

import numpy as np
import pytest
import torch

from cs231n_utils import optim
from cs231n_utils.gradient_check import eval_numerical_gradient
from cs231n_utils.rnn_tools import (
    CharLSTM,
    SequenceClassifier,
    TorchCharLM,
    char_cross_entropy,
    char_lm_batches,
    epoch_batches,
    gradient_norms_through_time,
    long_dependency_study,
    make_recall_task,
    recall_batches,
    recurrent_weights,
    sample_with_temperature,
    show_captions,
    train_captioner,
    train_numpy,
    train_torch_char_lm,
)


def torch_char_lstm_loss(params, x, y):
    """Mean cross-entropy per character of the CharLSTM, written with torch operations.

    Gates in the order i, f, o, g along the 4H axis, h0 = c0 = 0. Returns the loss and the
    gradients of every parameter (autograd), as float64 arrays.
    """
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    N, T = x.shape
    H = p["Wh"].shape[0]
    emb = p["W_embed"][torch.as_tensor(x)]
    h = torch.zeros(N, H, dtype=torch.float64)
    c = torch.zeros(N, H, dtype=torch.float64)
    scores = []
    for t in range(T):
        a = emb[:, t] @ p["Wx"] + h @ p["Wh"] + p["b"]
        i, f, o = (torch.sigmoid(a[:, k * H:(k + 1) * H]) for k in range(3))
        g = torch.tanh(a[:, 3 * H:])
        c = f * c + i * g
        h = o * torch.tanh(c)
        scores.append(h @ p["W_vocab"] + p["b_vocab"])
    scores = torch.stack(scores, dim=1)
    loss = torch.nn.functional.cross_entropy(scores.reshape(N * T, -1),
                                             torch.as_tensor(y).reshape(-1))
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in p.items()}


# ------------------------------------------------------------------ language model


def test_char_lstm_loss_and_gradients_match_torch():
    model = CharLSTM(7, embed_dim=4, hidden_dim=5, forget_bias=1.0, seed=3, dtype=np.float64)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 7, size=(3, 6))
    y = rng.integers(0, 7, size=(3, 6))
    loss, grads = model.loss(x, y)
    want_loss, want_grads = torch_char_lstm_loss(model.params, x, y)
    assert loss == pytest.approx(want_loss, rel=1e-12)
    assert set(grads) == set(want_grads)
    for name, grad in grads.items():
        np.testing.assert_allclose(grad, want_grads[name], rtol=1e-9, atol=1e-12,
                                   err_msg=name)


def test_char_lstm_initial_forget_bias_and_dtype():
    model = CharLSTM(5, embed_dim=3, hidden_dim=4, forget_bias=2.5, seed=0)
    b = model.params["b"]
    assert b.dtype == np.float32
    np.testing.assert_array_equal(b[4:8], 2.5)
    np.testing.assert_array_equal(np.delete(b, np.arange(4, 8)), 0.0)


def test_char_lstm_scores_match_loss():
    model = CharLSTM(6, embed_dim=3, hidden_dim=4, seed=1, dtype=np.float64)
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 6, size=(2, 5)), rng.integers(0, 6, size=(2, 5))
    scores = model.scores(x)
    log_p = scores - np.log(np.exp(scores).sum(axis=2, keepdims=True))
    want = -np.take_along_axis(log_p, y[:, :, None], axis=2).mean()
    assert model.loss(x, y)[0] == pytest.approx(want, rel=1e-12)


def test_torch_char_lm_from_numpy_gives_the_same_scores():
    model = CharLSTM(9, embed_dim=5, hidden_dim=6, forget_bias=1.0, seed=2)
    for params in model.params.values():          # non-zero biases, so that their place counts
        params += np.random.default_rng(5).standard_normal(params.shape).astype(np.float32) * 0.1
    copied = TorchCharLM.from_numpy(model)
    x = np.random.default_rng(2).integers(0, 9, size=(4, 7))
    with torch.no_grad():
        got = copied(torch.as_tensor(x))[0].numpy()
    np.testing.assert_allclose(got, model.scores(x), rtol=1e-4, atol=1e-5)


def test_char_cross_entropy_of_uniform_model_is_log_v():
    class Uniform:
        def scores(self, x):
            return np.zeros((*x.shape, 11))

    ids = np.arange(250) % 11
    assert char_cross_entropy(Uniform(), ids, seq_len=20) == pytest.approx(math.log(11))


def test_char_cross_entropy_numpy_and_torch_agree_with_a_direct_computation():
    model = CharLSTM(8, embed_dim=4, hidden_dim=5, seed=4)
    ids = np.random.default_rng(4).integers(0, 8, size=103)
    seq_len = 10                                  # 10 windows, the rest (2 characters) dropped
    copied = TorchCharLM.from_numpy(model)
    x = torch.as_tensor(ids[:100].reshape(10, 10))
    y = torch.as_tensor(ids[1:101].reshape(10, 10))
    with torch.no_grad():
        scores = copied(x)[0]
    want = float(torch.nn.functional.cross_entropy(scores.reshape(100, 8), y.reshape(-1)))
    assert char_cross_entropy(copied, ids, seq_len, batch_size=3) == pytest.approx(want, rel=1e-6)
    assert char_cross_entropy(model, ids, seq_len, batch_size=4) == pytest.approx(want, rel=1e-5)


def test_char_cross_entropy_needs_a_long_enough_text():
    with pytest.raises(ValueError, match="seq_len"):
        char_cross_entropy(CharLSTM(3, hidden_dim=2), np.arange(3) % 3, seq_len=5)


def test_numpy_and_torch_sampling_agree_at_low_temperature():
    model = CharLSTM(10, embed_dim=4, hidden_dim=8, seed=6)
    model.params["W_vocab"] *= 5                  # clear winners, no near ties
    copied = TorchCharLM.from_numpy(model)
    prime = np.array([1, 2, 3])
    ours = model.sample(prime, 20, temperature=1e-3, seed=0)
    # greedy decoding, step by step with torch
    with torch.no_grad():
        scores, state = copied(torch.as_tensor(prime[None]))
        greedy = []
        for _ in range(20):
            greedy.append(int(scores[0, -1].argmax()))
            scores, state = copied(torch.tensor([[greedy[-1]]]), state)
    assert ours.tolist() == greedy
    assert copied.sample(prime, 20, temperature=1e-3, seed=0).tolist() == greedy


def test_sample_length_and_errors():
    model = CharLSTM(4, hidden_dim=3)
    out = model.sample(np.array([0]), 7, seed=1)
    assert out.shape == (7,) and out.dtype == np.int64 and out.min() >= 0 and out.max() < 4
    with pytest.raises(ValueError, match="prime"):
        model.sample(np.array([], dtype=np.int64), 5)
    with pytest.raises(ValueError, match="length"):
        model.sample(np.array([0]), 0)
    with pytest.raises(ValueError, match="x must hold character indices"):
        model.sample(np.array([4]), 3)


def test_train_torch_char_lm_lowers_the_loss():
    torch.manual_seed(0)
    ids = np.tile(np.array([0, 1, 2, 3, 2, 1]), 200)   # a periodic text: easy to learn
    model = TorchCharLM(4, embed_dim=4, hidden_dim=16)
    losses = train_torch_char_lm(model, char_lm_batches(ids, 8, 12, 80, seed=0),
                                 learning_rate=1e-2)
    assert len(losses) == 80
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])
    assert not model.training


# ----------------------------------------------------------------------- sampling


def test_sample_with_temperature_matches_the_softened_distribution():
    scores = np.array([2.0, 1.0, 0.0, -1.0])
    rng = np.random.default_rng(0)
    n = 40_000
    for temperature in (0.5, 1.0, 2.0):
        draws = sample_with_temperature(np.tile(scores, (n, 1)), temperature, rng)
        p = np.exp(scores / temperature) / np.exp(scores / temperature).sum()
        freq = np.bincount(draws, minlength=4) / n
        bound = 5 * np.sqrt(p * (1 - p) / n)     # five binomial standard deviations
        assert np.all(np.abs(freq - p) <= bound), (temperature, freq, p)


def test_sample_with_temperature_limits_and_shapes():
    rng = np.random.default_rng(1)
    scores = np.array([0.1, 0.3, 0.2])
    assert np.all(sample_with_temperature(np.tile(scores, (100, 1)), 1e-4, rng) == 1)
    single = sample_with_temperature(scores, 1.0, rng)
    assert np.ndim(single) == 0 and 0 <= single < 3
    draws = sample_with_temperature(np.tile(scores, (30_000, 1)), 1e4, rng)
    np.testing.assert_allclose(np.bincount(draws) / 30_000, 1 / 3, atol=0.015)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="temperature"):
            sample_with_temperature(scores, bad, rng)
    with pytest.raises(ValueError, match="scores"):
        sample_with_temperature(np.zeros((2, 2, 2)), 1.0, rng)


# ---------------------------------------------------------------- the recall task


def test_recall_task_labels_and_layout():
    x, y = make_recall_task(500, 7, num_values=3, num_distractors=5, seed=4)
    assert x.shape == (500, 9) and y.shape == (500,)
    assert x.dtype == np.int64 and y.dtype == np.int64
    np.testing.assert_array_equal(x[:, 0], y)                 # the answer is the first symbol
    assert set(np.unique(y)) == {0, 1, 2}
    assert x[:, 1:-1].min() >= 3 and x[:, 1:-1].max() <= 7      # distractors 3..7
    assert len(np.unique(x[:, 1:-1])) == 5
    np.testing.assert_array_equal(x[:, -1], 8)                # the question mark
    x2, y2 = make_recall_task(500, 7, num_values=3, num_distractors=5, seed=4)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)


def test_recall_task_distance_zero_and_errors():
    x, y = make_recall_task(4, 0, seed=0)
    assert x.shape == (4, 2)
    np.testing.assert_array_equal(x[:, 1], 8)
    with pytest.raises(ValueError, match="distance"):
        make_recall_task(4, -1)
    with pytest.raises(ValueError, match="num_sequences"):
        make_recall_task(0, 3)


def test_recall_batches_are_fresh():
    batches = list(recall_batches(3, 16, 3, seed=0))
    assert len(batches) == 3
    assert not np.array_equal(batches[0][0], batches[1][0])


@pytest.mark.parametrize("cell", ["rnn", "relu", "lstm", "gru"])
def test_sequence_classifier_gradients_match_numerical(cell):
    model = SequenceClassifier(6, 3, cell, hidden_dim=4, embed_dim=3, seed=1)
    rng = np.random.default_rng(2)
    for name in model.params:                      # small random biases as well
        model.params[name] = model.params[name] + 0.1 * rng.standard_normal(
            model.params[name].shape)
    x = rng.integers(0, 6, size=(5, 4))
    y = rng.integers(0, 3, size=5)
    _, grads = model.loss(x, y)
    for name, param in model.params.items():
        def f(_, name=name):
            return model.loss(x, y)[0]

        numeric = eval_numerical_gradient(f, param, verbose=False, h=1e-6)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8,
                                   err_msg=f"{cell}: {name}")


def test_sequence_classifier_loss_is_softmax_of_last_scores():
    model = SequenceClassifier(6, 3, "gru", hidden_dim=4, seed=0)
    x = np.random.default_rng(0).integers(0, 6, size=(7, 5))
    y = np.arange(7) % 3
    scores = torch.as_tensor(model.scores(x))
    want = float(torch.nn.functional.cross_entropy(scores, torch.as_tensor(y)))
    assert model.loss(x, y)[0] == pytest.approx(want, rel=1e-12)


def test_sequence_classifier_rejects_bad_arguments():
    with pytest.raises(ValueError, match="cell"):
        SequenceClassifier(5, 2, "transformer")
    model = SequenceClassifier(5, 2, "rnn")
    with pytest.raises(ValueError, match="y must have one label"):
        model.loss(np.zeros((3, 4), dtype=int), np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="x must be a 2-D array of integers"):
        model.loss(np.zeros((3, 4)), np.zeros(3, dtype=int))


def test_long_dependency_study_learns_a_short_distance():
    results = long_dependency_study([1], {"GRU": {"cell": "gru"}}, num_iterations=150,
                                    num_test=300, progress=False)
    assert list(results) == ["GRU"] and len(results["GRU"]) == 1
    assert results["GRU"][0] > 0.9
    with pytest.raises(ValueError, match="models"):
        long_dependency_study([1], {"x": {"forget_bias": 1.0}}, progress=False)


# --------------------------------------------------- exploding and vanishing gradients


@pytest.mark.parametrize("kind", ["orthogonal", "gaussian", "identity"])
def test_recurrent_weights_singular_values(kind):
    W = recurrent_weights(20, 1.7, np.random.default_rng(0), kind)
    s = np.linalg.svd(W, compute_uv=False)
    assert s[0] == pytest.approx(1.7, rel=1e-12)
    if kind != "gaussian":
        np.testing.assert_allclose(s, 1.7, rtol=1e-12)
    else:
        assert s[-1] < 0.5                           # the others are smaller


@pytest.mark.parametrize("sigma", [0.8, 1.0, 1.2])
def test_gradient_norm_of_a_nearly_linear_tanh_rnn_is_sigma_to_the_k(sigma):
    # With tiny inputs the states stay near 0, where tanh is the identity, so going k steps
    # back multiplies the gradient by (sigma Q^T)^k, whose norm is exactly sigma ** k.
    norms = gradient_norms_through_time(sigma, "tanh", num_steps=30, input_scale=1e-7)
    np.testing.assert_allclose(norms, sigma ** np.arange(30), rtol=1e-6)


def test_gradient_norms_shapes_and_growth():
    for cell in ("tanh", "relu", "lstm", "gru"):
        norms = gradient_norms_through_time(1.0, cell, num_steps=12)
        assert norms.shape == (12,) and norms[0] == 1.0 and np.all(norms > 0)
    small = gradient_norms_through_time(0.5, "relu", num_steps=40)
    large = gradient_norms_through_time(2.0, "relu", num_steps=40)
    assert small[-1] < 1e-8 < 1e8 < large[-1]
    # a forget gate biased to keep carries more gradient back
    assert (gradient_norms_through_time(1.0, "lstm", gate_bias=3.0)[50]
            > 100 * gradient_norms_through_time(1.0, "lstm", gate_bias=0.0)[50])
    with pytest.raises(ValueError, match="cell"):
        gradient_norms_through_time(1.0, "sigmoid")
    with pytest.raises(ValueError, match="largest_singular_value"):
        gradient_norms_through_time(-1.0)


# ------------------------------------------------------------------------ training


class Quadratic:
    """loss(target) = 0.5 * ||w - target||^2, gradient w - target."""

    def __init__(self, w):
        self.params = {"w": np.array(w, dtype=float)}

    def loss(self, target):
        diff = self.params["w"] - target
        return 0.5 * float(diff @ diff), {"w": diff}


def test_train_numpy_follows_sgd_and_clips():
    model = Quadratic([3.0, 4.0])                 # gradient norm 5 at the target 0
    history = train_numpy(model, [(np.zeros(2),)] * 2, update_rule=optim.sgd,
                          optim_config={"learning_rate": 0.1}, clip_norm=1.0)
    # each step: the gradient w (norm 5, then 5 - 0.1) clipped to norm 1, times 0.1
    w = np.array([3.0, 4.0])
    for _ in range(2):
        w = w - 0.1 * w / (np.linalg.norm(w) + 1e-6)
    np.testing.assert_allclose(model.params["w"], w, rtol=1e-12)
    assert history.grad_norm[0] == pytest.approx(5.0)
    assert history.loss[0] == pytest.approx(12.5)


def test_train_numpy_learning_rate_schedule_and_divergence():
    model = Quadratic([1.0])
    rates = []

    def rule(w, dw, config):
        rates.append(config["learning_rate"])
        return w - config["learning_rate"] * dw, config

    train_numpy(model, [(np.zeros(1),)] * 3, update_rule=rule,
                lr_schedule=lambda it: 10.0 ** -it)
    assert rates == [1.0, 0.1, 0.01]
    exploding = Quadratic([1.0])
    history = train_numpy(exploding, [(np.zeros(1),)] * 50, update_rule=optim.sgd,
                          optim_config={"learning_rate": 1e155})
    assert history.diverged and math.isnan(history.loss[-1])
    assert len(history.loss) < 50


def test_epoch_batches_visit_every_row_once_per_epoch():
    a, b = np.arange(10), np.arange(10) * 2
    batches = list(epoch_batches((a, b), 4, 2, seed=0))
    assert [len(x) for x, _ in batches] == [4, 4, 2, 4, 4, 2]
    for epoch in (batches[:3], batches[3:]):
        rows = np.concatenate([x for x, _ in epoch])
        np.testing.assert_array_equal(np.sort(rows), a)
    for x, y in batches:
        np.testing.assert_array_equal(y, 2 * x)
    with pytest.raises(ValueError, match="same number of rows"):
        list(epoch_batches((a, b[:3]), 4, 1))


def test_char_lm_batches_count_and_targets():
    ids = np.arange(100) % 7
    batches = list(char_lm_batches(ids, 3, 10, 7, seed=0))   # 3 batches per epoch: 3 epochs
    assert len(batches) == 7
    for x, y in batches:
        assert x.shape == y.shape == (3, 10)
        np.testing.assert_array_equal(y, (x + 1) % 7)


def test_train_captioner_overfits_a_tiny_set():
    from cs231n_utils.classifiers.rnn import CaptioningRNN

    word_to_idx = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "bag": 4, "coat": 5}
    captions = np.array([[1, 3, 4, 2, 0], [1, 3, 5, 2, 0], [1, 4, 4, 5, 2]])
    features = np.random.default_rng(0).standard_normal((3, 6))
    np.random.seed(0)
    model = CaptioningRNN(word_to_idx, input_dim=6, wordvec_dim=5, hidden_dim=16,
                          cell_type="lstm")
    history = train_captioner(model, features, captions, num_epochs=150, batch_size=2,
                              learning_rate=1e-2, lr_decay=0.99)
    assert len(history.loss) == 150 * 2
    assert history.loss[-1] < 0.05
    assert model.decode(model.sample(features, 5)) == ["a bag", "a coat", "bag bag coat"]
    with pytest.raises(ValueError, match="same N"):
        train_captioner(model, features, captions[:2], num_epochs=1)


def test_show_captions_draws_every_caption():
    import matplotlib.pyplot as plt

    images = np.random.default_rng(0).random((5, 1, 8, 8))
    fig = show_captions(images, {"RNN": ["a"] * 5, "LSTM": ["b c"] * 5},
                        truth=["t"] * 5, ncols=3)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 5
    texts = [t.get_text() for t in shown[0].texts]
    assert texts == ["true: t", "RNN: a", "LSTM: b c"]
    plt.close(fig)
    with pytest.raises(ValueError, match="one caption per image"):
        show_captions(images, {"RNN": ["a"] * 4})
