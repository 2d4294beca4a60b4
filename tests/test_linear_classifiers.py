"""Unit tests of the 02_linear_classifiers solutions against PyTorch, and of their checks.

The test process has the solutions laid over the package (tests/conftest.py), so the
graded names import as the complete versions. The oracles are PyTorch's
``cross_entropy``, a hinge loss written with torch operations, torch autograd for every
gradient, and ``torch.optim.SGD`` for the update.
"""

import numpy as np
import pytest
import torch
from torch.nn import functional

from cs231n_utils.checks import linear as checks
from cs231n_utils.classifiers import linear_classifier, linear_svm, softmax
from cs231n_utils.classifiers.linear_classifier import LinearClassifier, LinearSVM, Softmax
from cs231n_utils.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from cs231n_utils.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized

SVM = {"naive": svm_loss_naive, "vectorized": svm_loss_vectorized}
SOFTMAX = {"naive": softmax_loss_naive, "vectorized": softmax_loss_vectorized}
ALL_LOSSES = [*SVM.values(), *SOFTMAX.values()]


def torch_hinge(W, X, y, reg):
    """The multiclass SVM loss and its gradient, with torch operations and autograd."""
    W_t = torch.tensor(W, requires_grad=True)
    scores = torch.from_numpy(X) @ W_t
    y_t = torch.from_numpy(y)[:, None]
    others = torch.ones_like(scores).scatter_(1, y_t, 0.0)
    margins = torch.clamp(scores - scores.gather(1, y_t) + 1.0, min=0.0) * others
    loss = margins.sum() / X.shape[0] + reg * (W_t * W_t).sum()
    loss.backward()
    return loss.item(), W_t.grad.numpy()


def torch_cross_entropy(W, X, y, reg):
    """The softmax loss and its gradient with torch's cross_entropy and autograd."""
    W_t = torch.tensor(W, requires_grad=True)
    loss = functional.cross_entropy(torch.from_numpy(X) @ W_t, torch.from_numpy(y))
    loss = loss + reg * (W_t * W_t).sum()
    loss.backward()
    return loss.item(), W_t.grad.numpy()


def random_problem(seed, max_n=60, max_d=40, max_c=12, weight_scale=None):
    rng = np.random.default_rng(seed)
    N, D, C = int(rng.integers(1, max_n)), int(rng.integers(1, max_d)), int(rng.integers(2, max_c))
    scale = weight_scale if weight_scale is not None else 10.0 ** rng.uniform(-2, 1)
    W = rng.standard_normal((D, C)) * scale
    X = rng.standard_normal((N, D)) * 10.0 ** rng.uniform(-1, 1)
    y = rng.integers(0, C, size=N)
    reg = float(10.0 ** rng.uniform(-3, 1)) if seed % 2 else 0.0
    return W, X, y, reg


def assert_matches(got, want, W):
    loss, dW = got
    want_loss, want_dW = want
    assert isinstance(loss, float)
    assert loss == pytest.approx(want_loss, rel=1e-10, abs=1e-12)
    assert dW.shape == W.shape and dW.dtype == np.float64
    scale = max(1.0, float(np.abs(want_dW).max()))
    np.testing.assert_allclose(dW, want_dW, rtol=1e-8, atol=1e-11 * scale)


# --- losses against torch -------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("version", ["naive", "vectorized"])
def test_svm_loss_matches_a_torch_hinge_loss(version, seed):
    W, X, y, reg = random_problem(seed)
    assert_matches(SVM[version](W, X, y, reg), torch_hinge(W, X, y, reg), W)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("version", ["naive", "vectorized"])
def test_softmax_loss_matches_torch_cross_entropy(version, seed):
    W, X, y, reg = random_problem(100 + seed)
    assert_matches(SOFTMAX[version](W, X, y, reg), torch_cross_entropy(W, X, y, reg), W)


@pytest.mark.parametrize("version", ["naive", "vectorized"])
def test_svm_on_a_cifar_sized_batch(version):
    rng = np.random.default_rng(7)
    W = 1e-4 * rng.standard_normal((3073, 10))
    X = rng.uniform(-128, 128, size=(50 if version == "naive" else 500, 3073))
    y = rng.integers(0, 10, size=len(X))
    assert_matches(SVM[version](W, X, y, 2.5e4), torch_hinge(W, X, y, 2.5e4), W)


@pytest.mark.parametrize("seed", range(4))
def test_naive_and_vectorized_agree(seed):
    W, X, y, reg = random_problem(200 + seed)
    for pair in (SVM, SOFTMAX):
        loss_a, dW_a = pair["naive"](W, X, y, reg)
        loss_b, dW_b = pair["vectorized"](W, X, y, reg)
        assert loss_a == pytest.approx(loss_b, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(dW_a, dW_b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("f", ALL_LOSSES, ids=lambda f: f.__name__)
def test_losses_leave_their_inputs_alone(f):
    W, X, y, reg = random_problem(300)
    copies = (W.copy(), X.copy(), y.copy())
    f(W, X, y, reg)
    for before, after in zip(copies, (W, X, y), strict=True):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("f", ALL_LOSSES, ids=lambda f: f.__name__)
def test_a_single_example_and_a_single_feature(f):
    W = np.array([[0.5, -1.0, 2.0]])
    X = np.array([[3.0]])
    y = np.array([1])
    want = (torch_hinge if "svm" in f.__name__ else torch_cross_entropy)(W, X, y, 0.1)
    assert_matches(f(W, X, y, 0.1), want, W)


# --- numerical stability --------------------------------------------------------------


@pytest.mark.parametrize("spread", [1e4, 1e6, 1e12])
@pytest.mark.parametrize("version", ["naive", "vectorized"])
def test_softmax_is_finite_and_right_for_huge_scores(version, spread):
    W = np.diag([spread, 0.0, -spread])            # x = (1, 1, 1): scores (s, 0, -s)
    X = np.ones((3, 3))
    y = np.array([0, 1, 2])
    loss, dW = SOFTMAX[version](W, X, y, 0.0)
    assert np.isfinite(loss) and np.isfinite(dW).all()
    assert loss == pytest.approx((0.0 + spread + 2 * spread) / 3, rel=1e-12)
    assert_matches((loss, dW), torch_cross_entropy(W, X, y, 0.0), W)


@pytest.mark.parametrize("version", ["naive", "vectorized"])
def test_softmax_with_random_huge_weights_matches_torch(version):
    W, X, y, reg = random_problem(400, weight_scale=1e4)
    assert_matches(SOFTMAX[version](W, X, y, reg), torch_cross_entropy(W, X, y, reg), W)


@pytest.mark.parametrize("version", ["naive", "vectorized"])
def test_svm_is_finite_for_huge_scores(version):
    W = np.diag([1e12, 0.0, -1e12])
    X = np.ones((3, 3))
    y = np.array([0, 1, 2])
    loss, dW = SVM[version](W, X, y, 0.0)
    assert np.isfinite(loss) and np.isfinite(dW).all()
    assert_matches((loss, dW), torch_hinge(W, X, y, 0.0), W)


# --- bad input --------------------------------------------------------------------------


def good_input():
    rng = np.random.default_rng(0)
    return rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), np.array([0, 1, 2, 1, 0])


BAD_INPUTS = {
    "X columns differ from W rows": (lambda W, X, y: (W, X[:, :3], y, 0.1), r"X must have 4 col"),
    "y too short": (lambda W, X, y: (W, X, y[:4], 0.1), r"y must be 1-D .* shape \(5,\)"),
    "y 2-D": (lambda W, X, y: (W, X, y[:, None], 0.1), r"y must be 1-D"),
    "label too large": (lambda W, X, y: (W, X, np.array([0, 1, 3, 1, 0]), 0.1),
                        r"y must hold labels in 0\.\.2 .*got the label 3"),
    "negative label": (lambda W, X, y: (W, X, np.array([0, -1, 2, 1, 0]), 0.1),
                       r"y must hold labels in 0\.\.2.*got the label -1"),
    "float labels": (lambda W, X, y: (W, X, y.astype(float), 0.1), r"y must hold integer"),
    "W 1-D": (lambda W, X, y: (W[:, 0], X, y, 0.1), r"W must be 2-D"),
    "integer W": (lambda W, X, y: (W.astype(int), X, y, 0.1), r"W must hold floating"),
    "X 1-D": (lambda W, X, y: (W, X[0], y, 0.1), r"X must be 2-D"),
    "no examples": (lambda W, X, y: (W, X[:0], y[:0], 0.1), r"X must hold at least one"),
    "negative reg": (lambda W, X, y: (W, X, y, -1.0), r"reg must be a finite number >= 0"),
    "nan reg": (lambda W, X, y: (W, X, y, float("nan")), r"reg must be a finite number"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=str)
@pytest.mark.parametrize("f", ALL_LOSSES, ids=lambda f: f.__name__)
def test_bad_input_gets_a_clear_error(f, case):
    make, message = BAD_INPUTS[case]
    with pytest.raises(ValueError, match=message):
        f(*make(*good_input()))


def test_train_rejects_bad_arguments():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((20, 4)), rng.integers(0, 3, size=20)
    bad = [
        (dict(X=X[0]), r"X must be 2-D"),
        (dict(y=y[:5]), r"y must be 1-D .* shape \(20,\)"),
        (dict(y=-y - 1), r"y must hold labels in 0, 1, 2"),
        (dict(learning_rate=0.0), r"learning_rate must be a finite number > 0"),
        (dict(reg=-1.0), r"reg must be a finite number >= 0"),
        (dict(num_iters=-1), r"num_iters must be an integer >= 0"),
        (dict(num_iters=2.5), r"num_iters must be an integer"),
        (dict(batch_size=0), r"batch_size must be an integer >= 1"),
    ]
    for change, message in bad:
        kwargs = dict(X=X, y=y, learning_rate=1e-3, reg=0.0, num_iters=3, batch_size=5)
        kwargs.update(change)
        with pytest.raises(ValueError, match=message):
            Softmax().train(**kwargs)


def test_train_rejects_data_that_do_not_fit_existing_weights():
    rng = np.random.default_rng(2)
    model = LinearSVM()
    model.train(rng.standard_normal((20, 4)), rng.integers(0, 3, size=20), num_iters=1)
    with pytest.raises(ValueError, match=r"X must have 4 columns"):
        model.train(rng.standard_normal((20, 5)), rng.integers(0, 3, size=20), num_iters=1)
    with pytest.raises(ValueError, match=r"y must hold labels in 0\.\.2"):
        model.train(rng.standard_normal((20, 4)), np.full(20, 5), num_iters=1)


def test_predict_needs_weights_and_the_right_width():
    with pytest.raises(ValueError, match=r"no weights: call train"):
        LinearSVM().predict(np.zeros((2, 3)))
    model = Softmax()
    model.W = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"X must have 3 columns"):
        model.predict(np.zeros((2, 5)))


def test_the_base_class_has_no_loss():
    model = LinearClassifier()
    with pytest.raises(NotImplementedError, match="use LinearSVM or Softmax"):
        model.train(np.zeros((4, 2)), np.array([0, 1, 0, 1]), num_iters=1)


# --- LinearClassifier -----------------------------------------------------------------


class Recorder(LinearClassifier):
    """Softmax loss by torch autograd, recording each batch, W and gradient."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def loss(self, X_batch, y_batch, reg):
        loss, grad = torch_cross_entropy(self.W, X_batch, y_batch, reg)
        self.calls.append((X_batch.copy(), y_batch.copy(), self.W.copy(), grad.copy(), loss))
        return loss, grad


@pytest.mark.parametrize("seed", range(3))
def test_train_takes_torch_sgd_steps_on_random_batches(seed):
    rng = np.random.default_rng(500 + seed)
    N, D, C = int(rng.integers(10, 60)), int(rng.integers(2, 8)), int(rng.integers(2, 6))
    X = rng.standard_normal((N, D))
    X[:, 0] = np.arange(N)                          # each row carries its index
    y = rng.integers(0, C, size=N)
    y[0] = C - 1
    lr, reg, batch_size = 0.01, 0.3, int(rng.integers(1, N))
    model = Recorder()
    history = model.train(X, y, learning_rate=lr, reg=reg, num_iters=8,
                          batch_size=batch_size, seed=seed)
    assert history == [call[4] for call in model.calls] and len(history) == 8
    assert model.W.shape == (D, C)
    for t, (X_b, y_b, W_before, grad, _) in enumerate(model.calls):
        rows = X_b[:, 0].astype(int)
        np.testing.assert_array_equal(X_b, X[rows])
        np.testing.assert_array_equal(y_b, y[rows])
        param = torch.nn.Parameter(torch.tensor(W_before))
        param.grad = torch.tensor(grad)
        torch.optim.SGD([param], lr=lr).step()
        W_after = model.calls[t + 1][2] if t + 1 < 8 else model.W
        np.testing.assert_allclose(W_after, param.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_train_is_reproducible_with_a_seed_and_continues_from_existing_weights():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((50, 6)), rng.integers(0, 4, size=50)
    first, second = LinearSVM(), LinearSVM()
    h1 = first.train(X, y, learning_rate=1e-2, num_iters=20, seed=4)
    h2 = second.train(X, y, learning_rate=1e-2, num_iters=20, seed=4)
    assert h1 == h2
    np.testing.assert_array_equal(first.W, second.W)
    W_before = first.W.copy()
    first.train(X, y, learning_rate=1e-2, num_iters=5, seed=5)
    assert first.W.shape == W_before.shape and not np.array_equal(first.W, W_before)
    assert first.train(X, y, num_iters=0) == []


@pytest.mark.parametrize("cls", [LinearSVM, Softmax])
def test_training_learns_separable_data(cls):
    rng = np.random.default_rng(6)
    centres = 5.0 * rng.standard_normal((3, 4))
    y = rng.integers(0, 3, size=300)
    X = np.hstack([centres[y] + rng.standard_normal((300, 4)), np.ones((300, 1))])
    model = cls()
    history = model.train(X, y, learning_rate=1e-2, reg=1e-4, num_iters=300, seed=0)
    assert np.mean(history[-20:]) < 0.2 * history[0]
    assert np.mean(model.predict(X) == y) > 0.95


def test_subclasses_use_the_vectorized_losses():
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((30, 5)), rng.integers(0, 3, size=30)
    for cls, f in [(LinearSVM, svm_loss_vectorized), (Softmax, softmax_loss_vectorized)]:
        model = cls()
        model.W = rng.standard_normal((5, 3))
        loss, grad = model.loss(X, y, 0.2)
        want_loss, want_grad = f(model.W, X, y, 0.2)
        assert loss == want_loss
        np.testing.assert_array_equal(grad, want_grad)


def test_predict_matches_torch_argmax():
    rng = np.random.default_rng(9)
    model = Softmax()
    model.W = rng.standard_normal((7, 6))
    X = rng.standard_normal((40, 7))
    want = torch.argmax(torch.from_numpy(X) @ torch.from_numpy(model.W), dim=1).numpy()
    got = model.predict(X)
    assert got.shape == (40,) and np.issubdtype(got.dtype, np.integer)
    np.testing.assert_array_equal(got, want)


def test_verbose_training_shows_progress_on_stderr_only(capsys):
    rng = np.random.default_rng(10)
    Softmax().train(rng.standard_normal((20, 3)), rng.integers(0, 2, size=20), num_iters=5,
                    verbose=True)
    out, err = capsys.readouterr()
    assert out == "" and "Softmax" in err
    Softmax().train(rng.standard_normal((20, 3)), rng.integers(0, 2, size=20), num_iters=5)
    assert capsys.readouterr() == ("", "")


# --- the visible checks ------------------------------------------------------------------


@pytest.mark.parametrize("name", checks.CHECKS)
def test_every_check_passes_on_the_solutions(name, capsys):
    checks.CHECKS[name]()
    out, err = capsys.readouterr()
    assert out.startswith(f"PASS {name}") and out.count("\n") == 1, out
    assert err == ""


def test_checks_cover_every_graded_function():
    assert set(checks.CHECKS) == {
        "svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive",
        "softmax_loss_vectorized", "LinearClassifier.train", "LinearClassifier.predict"}


def patch_loss(monkeypatch, name, f):
    module = linear_svm if name.startswith("svm") else softmax
    monkeypatch.setattr(module, name, f)


def graded(name):
    """The (solution) loss function called ``name``, before any patching."""
    return getattr(linear_svm if name.startswith("svm") else softmax, name)


def scaled_loss(factor, name):
    right = graded(name)

    def wrong(W, X, y, reg):
        loss, dW = right(W, X, y, reg)
        return loss * factor(X), dW

    return wrong


def no_reg_in_loss(name):
    right = graded(name)
    return lambda W, X, y, reg: (right(W, X, y, reg)[0] - reg * np.sum(W * W),
                                 right(W, X, y, reg)[1])


def no_reg_in_gradient(name):
    right = graded(name)
    return lambda W, X, y, reg: (right(W, X, y, reg)[0], right(W, X, y, reg)[1] - 2 * reg * W)


def flipped_gradient(name):
    right = graded(name)
    return lambda W, X, y, reg: (right(W, X, y, reg)[0], -right(W, X, y, reg)[1])


def svm_counting_the_correct_class(W, X, y, reg):
    loss, dW = svm_loss_vectorized(W, X, y, reg)
    return loss + 1.0, dW


def unstable_softmax(W, X, y, reg):
    """The literal formula: exp of unshifted scores (overflows)."""
    N = X.shape[0]
    with np.errstate(all="ignore"):
        exp_scores = np.exp(X @ W)
        probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(N), y]).mean() + reg * np.sum(W * W)
        probs[np.arange(N), y] -= 1
    return loss, X.T @ probs / N + 2 * reg * W


def log_of_underflowed_probability(W, X, y, reg):
    """Shifted scores, but the log of a probability that can underflow to 0."""
    N = X.shape[0]
    scores = X @ W
    exp_scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        loss = -np.log(probs[np.arange(N), y]).mean() + reg * np.sum(W * W)
    probs[np.arange(N), y] -= 1
    return loss, X.T @ probs / N + 2 * reg * W


def looping(name):
    naive = graded(name.replace("vectorized", "naive"))

    def one_row_at_a_time(W, X, y, reg):
        loss, dW = 0.0, np.zeros_like(W)
        for i in range(X.shape[0]):
            loss_i, dW_i = naive(W, X[i:i + 1], y[i:i + 1], 0.0)
            loss += loss_i
            dW += dW_i
        return loss / X.shape[0] + reg * np.sum(W * W), dW / X.shape[0] + 2 * reg * W

    return one_row_at_a_time


WRONG_LOSSES = [
    ("svm_loss_naive", lambda n: scaled_loss(lambda X: X.shape[0], n), "returned loss"),
    ("svm_loss_naive", no_reg_in_loss, "^the loss lacks the regularisation term"),
    ("svm_loss_naive", no_reg_in_gradient,
     "^dW matches the gradient without the regularisation term \\(2 \\* reg \\* W\\)"),
    ("svm_loss_naive", flipped_gradient, "^dW has the wrong sign.*differs from the numerical"),
    ("svm_loss_naive", lambda n: svm_counting_the_correct_class,
     "^the loss is 1 too large per example.*skip it"),
    ("svm_loss_vectorized", lambda n: scaled_loss(lambda X: 0.5, n), "returned loss"),
    ("svm_loss_vectorized", looping, "it loops"),
    ("softmax_loss_naive", lambda n: unstable_softmax, "^the loss or dW is not finite when"),
    ("softmax_loss_naive", no_reg_in_gradient, "^dW matches the gradient without the"),
    ("softmax_loss_vectorized", lambda n: log_of_underflowed_probability,
     "use log-sum-exp minus the correct score"),
    ("softmax_loss_vectorized", looping, "it loops"),
    ("softmax_loss_vectorized", lambda n: (lambda W, X, y, reg: None), "must return a tuple"),
    ("softmax_loss_naive", lambda n: (lambda W, X, y, reg: (0.0, np.zeros(3))),
     "dW must have the shape of W"),
]


@pytest.mark.parametrize("name, make_wrong, message", WRONG_LOSSES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(WRONG_LOSSES)])
def test_checks_fail_on_wrong_losses(monkeypatch, capsys, name, make_wrong, message):
    patch_loss(monkeypatch, name, make_wrong(name))
    with pytest.raises(AssertionError, match=message) as failure:
        checks.CHECKS[name]()
    assert "\n" not in str(failure.value)         # a one-line reason
    assert capsys.readouterr() == ("", "")         # no PASS line, nothing on stderr


def test_check_detects_a_loss_that_changes_its_input(monkeypatch):
    def scribbles(W, X, y, reg):
        result = svm_loss_vectorized(W, X, y, reg)
        X *= 2
        return result

    patch_loss(monkeypatch, "svm_loss_vectorized", scribbles)
    with pytest.raises(AssertionError, match="changed its input X in place"):
        checks.check_svm_loss_vectorized()


def test_a_stub_raises_its_own_not_implemented_error(monkeypatch):
    def stub(W, X, y, reg):
        raise NotImplementedError("svm_loss_naive is not written yet")

    patch_loss(monkeypatch, "svm_loss_naive", stub)
    with pytest.raises(NotImplementedError, match="not written yet"):
        checks.check_svm_loss_naive()


def wrong_train(sample, update=None, returns=True):
    """A train() with the given batch sampling (rng, N, batch_size) -> indices."""

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200,
              verbose=False, *, seed=None):
        rng = np.random.default_rng(seed)
        if self.W is None:
            self.W = 0.001 * rng.standard_normal((X.shape[1], int(y.max()) + 1))
        history = []
        for _ in range(num_iters):
            rows = sample(rng, X.shape[0], batch_size)
            loss, grad = self.loss(X[rows], y[rows[::-1]] if update == "labels" else y[rows],
                                   reg)
            history.append(loss)
            self.W = self.W + learning_rate * grad if update == "plus" else (
                self.W - learning_rate * grad)
        return history if returns else None

    return train


WRONG_TRAINING = [
    (wrong_train(lambda rng, n, b: np.arange(b)), "same batch at every step"),
    (wrong_train(lambda rng, n, b: rng.integers(0, 8, size=b)), "sampled only a few"),
    (wrong_train(lambda rng, n, b: np.random.randint(0, n, size=b)), "two runs with seed=3"),
    (wrong_train(lambda rng, n, b: rng.integers(0, n, size=b), update="plus"),
     "W did not become W - learning_rate \\* dW"),
    (wrong_train(lambda rng, n, b: rng.integers(0, n, size=b), update="labels"),
     "y_batch are not the labels"),
    (wrong_train(lambda rng, n, b: rng.integers(0, n, size=b + 1)), "X_batch has shape"),
    (wrong_train(lambda rng, n, b: rng.integers(0, n, size=b), returns=False), "returned None"),
]


@pytest.mark.parametrize("train, message", WRONG_TRAINING,
                         ids=[str(i) for i in range(len(WRONG_TRAINING))])
def test_train_check_fails_on_wrong_training(monkeypatch, capsys, train, message):
    monkeypatch.setattr(linear_classifier.LinearClassifier, "train", train)
    with pytest.raises(AssertionError, match=message) as failure:
        checks.check_train()
    assert "\n" not in str(failure.value)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("predict, message", [
    (lambda self, X: np.argmin(X @ self.W, axis=1), "row 0 got class"),
    (lambda self, X: np.argmax(X @ self.W, axis=1).astype(float), "must return integer"),
    (lambda self, X: np.argmax(X @ self.W, axis=0), r"returned shape \(5,\)"),
    (lambda self, X: None, "returned None"),
])
def test_predict_check_fails_on_wrong_predictions(monkeypatch, predict, message):
    monkeypatch.setattr(linear_classifier.LinearClassifier, "predict", predict)
    with pytest.raises(AssertionError, match=message):
        checks.check_predict()
