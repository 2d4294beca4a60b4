"""Tests of cs231n_utils.training_tools against independent oracles.

PyTorch's schedulers, ``clip_grad_norm_``, autograd and ``torch.optim.SGD``; hand
computations and closed forms where those are simpler.
"""

import math

import numpy as np
import pytest
import torch

from cs231n_utils.training_tools import (
    INIT_SCHEMES,
    accuracy,
    clip_by_global_norm,
    cosine_decay,
    dead_unit_fraction,
    exponential_decay,
    init_weights,
    inverse_time_decay,
    optimization_path,
    quadratic_bowl,
    step_decay,
    train_loop,
)


def plain_sgd(w, dw, config=None):
    """An update rule written here, independent of cs231n_utils.optim."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 0.1)
    return w - config["learning_rate"] * dw, config


class LinearSoftmax:
    """scores = X W + b with the softmax loss, in plain NumPy (float64)."""

    def __init__(self, W, b):
        self.params = {"W": W.copy(), "b": b.copy()}

    def loss(self, X, y=None):
        scores = X @ self.params["W"] + self.params["b"]
        if y is None:
            return scores
        shifted = scores - scores.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        N = len(X)
        loss = -np.mean(np.log(p[np.arange(N), y]))
        dscores = p.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        return loss, {"W": X.T @ dscores, "b": dscores.sum(axis=0)}


# ---------------------------------------------------------------- init_weights

@pytest.mark.parametrize("scheme", sorted(INIT_SCHEMES))
def test_init_weights_scale(scheme):
    fan_in = 400
    W = init_weights(fan_in, 300, scheme, np.random.default_rng(0))
    expected = {"zeros": 0.0, "small": 0.01, "large": 1.0, "xavier": 1 / math.sqrt(fan_in),
                "he": math.sqrt(2 / fan_in)}[scheme]
    assert W.shape == (fan_in, 300) and W.dtype == np.float64
    if expected == 0:
        assert not W.any()
    else:
        assert abs(W.std() / expected - 1) < 0.01
        assert abs(W.mean()) < 0.01 * expected


def test_init_weights_seeded_and_dtype():
    a = init_weights(5, 4, "he", np.random.default_rng(3), np.float32)
    b = init_weights(5, 4, "he", np.random.default_rng(3), np.float32)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, name", [
    ({"fan_in": 3, "fan_out": 2, "scheme": "glorot"}, "scheme"),
    ({"fan_in": 0, "fan_out": 2, "scheme": "he"}, "fan_in"),
    ({"fan_in": 3, "fan_out": 2.5, "scheme": "he"}, "fan_out"),
])
def test_init_weights_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        init_weights(**kwargs)


# ---------------------------------------------------------- dead_unit_fraction

def test_dead_unit_fraction_by_hand():
    a = np.array([[1.0, -1.0, 0.0, -2.0],
                  [-3.0, -1.0, 0.0, 5.0],
                  [0.0, -0.5, 0.0, -1.0]])
    # column 1 and column 2 are never positive
    assert dead_unit_fraction(a) == 0.5
    assert dead_unit_fraction(np.maximum(a, 0)) == 0.5


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((0, 3)), np.zeros((2, 3, 4))])
def test_dead_unit_fraction_bad_shape(bad):
    with pytest.raises(ValueError, match="pre_activations"):
        dead_unit_fraction(bad)


# ------------------------------------------------------------ the 2-D bowl

@pytest.mark.parametrize("angle", [0.0, 0.3, math.pi / 4])
def test_quadratic_bowl_against_autograd(angle):
    f = quadratic_bowl((1.5, 20.0), angle)
    w = np.array([0.7, -1.3])
    loss, grad = f(w)
    c, s = math.cos(angle), math.sin(angle)
    R = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
    A = R @ torch.diag(torch.tensor([1.5, 20.0], dtype=torch.float64)) @ R.T
    tw = torch.tensor(w, requires_grad=True)
    tloss = 0.5 * tw @ A @ tw
    tloss.backward()
    assert loss == pytest.approx(tloss.item(), rel=1e-12)
    np.testing.assert_allclose(grad, tw.grad.numpy(), rtol=1e-12)


def test_quadratic_bowl_axis_aligned_by_hand():
    loss, grad = quadratic_bowl((1.0, 30.0))(np.array([2.0, 1.0]))
    assert loss == pytest.approx(0.5 * (4.0 + 30.0))
    np.testing.assert_allclose(grad, [2.0, 30.0])


@pytest.mark.parametrize("bad", [(1.0,), (1.0, 0.0), (1.0, -2.0), (1.0, float("nan"))])
def test_quadratic_bowl_bad_curvatures(bad):
    with pytest.raises(ValueError, match="curvatures"):
        quadratic_bowl(bad)


def test_optimization_path_closed_form():
    """Gradient descent on an axis-aligned bowl: w_t = (1 - lr * c) ** t * w_0."""
    curv, lr, w0 = np.array([1.0, 30.0]), 0.05, np.array([-9.0, 2.0])
    config = {"learning_rate": lr}
    path = optimization_path(plain_sgd, quadratic_bowl(curv), w0, 25, config)
    t = np.arange(26)[:, None]
    np.testing.assert_allclose(path, (1 - lr * curv) ** t * w0, rtol=1e-10, atol=1e-14)
    assert config == {"learning_rate": lr}          # the caller's dict is not changed


def test_optimization_path_bad_steps():
    with pytest.raises(ValueError, match="num_steps"):
        optimization_path(plain_sgd, quadratic_bowl((1.0, 2.0)), np.zeros(2), 0)


# --------------------------------------------------------------- schedules

def torch_lrs(make_scheduler, steps, base_lr=0.1):
    """The learning rate a torch scheduler gives at steps 0, 1, ..., steps - 1."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(lrs)


@pytest.mark.parametrize("drop, every", [(0.5, 1), (0.1, 3), (0.7, 2)])
def test_step_decay_against_torch(drop, every):
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, every, gamma=drop), 12)
    np.testing.assert_allclose([step_decay(0.1, e, drop, every) for e in range(12)], expected,
                               rtol=1e-12)


def test_exponential_decay_against_torch():
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.95), 30)
    np.testing.assert_allclose([exponential_decay(0.1, t, 0.95) for t in range(30)], expected,
                               rtol=1e-12)


@pytest.mark.parametrize("min_lr", [0.0, 0.01])
def test_cosine_decay_against_torch(min_lr):
    total = 40
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
        o, T_max=total, eta_min=min_lr), total + 1)
    ours = [cosine_decay(0.1, t, total, min_lr) for t in range(total + 1)]
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-12)
    assert cosine_decay(0.1, total + 5, total, min_lr) == pytest.approx(min_lr)


def test_inverse_time_decay_against_torch():
    k = 0.05
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + k * t)), 50)
    np.testing.assert_allclose([inverse_time_decay(0.1, t, k) for t in range(50)], expected,
                               rtol=1e-12)


@pytest.mark.parametrize("call, name", [
    (lambda: step_decay(-0.1, 1), "base_lr"),
    (lambda: step_decay(0.1, 1, every=0), "every"),
    (lambda: exponential_decay(0.1, 1, gamma=0.0), "gamma"),
    (lambda: inverse_time_decay(0.1, 1, k=-1.0), "k"),
    (lambda: cosine_decay(0.1, 1, total_steps=0), "total_steps"),
    (lambda: cosine_decay(0.1, 1, 10, min_lr=-0.1), "min_lr"),
])
def test_schedule_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------- clipping

@pytest.mark.parametrize("max_norm", [0.5, 3.0, 100.0])
def test_clip_by_global_norm_against_torch(max_norm):
    rng = np.random.default_rng(0)
    grads = {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal(3),
             "W2": rng.standard_normal((3, 2))}
    before = {k: v.copy() for k, v in grads.items()}
    clipped, norm = clip_by_global_norm(grads, max_norm)

    tensors = [torch.zeros(v.shape, dtype=torch.float64, requires_grad=True)
               for v in grads.values()]
    for t, v in zip(tensors, grads.values(), strict=True):
        t.grad = torch.tensor(v)
    torch_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    assert norm == pytest.approx(torch_norm.item(), rel=1e-12)
    for t, name in zip(tensors, grads, strict=True):
        np.testing.assert_allclose(clipped[name], t.grad.numpy(), rtol=1e-12)
    for name in grads:                                    # inputs unchanged
        np.testing.assert_array_equal(grads[name], before[name])
    total = math.sqrt(sum(np.sum(g ** 2) for g in clipped.values()))
    assert total <= max_norm * (1 + 1e-9)


def test_clip_by_global_norm_keeps_dtype():
    clipped, _ = clip_by_global_norm({"w": np.full(4, 10.0, dtype=np.float32)}, 1.0)
    assert clipped["w"].dtype == np.float32
    np.testing.assert_allclose(clipped["w"], np.full(4, 0.5), rtol=1e-5)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("inf"), "1"])
def test_clip_by_global_norm_bad_max_norm(bad):
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm({"w": np.ones(2)}, bad)


# ------------------------------------------------------- accuracy and loop

def test_accuracy_by_hand():
    model = LinearSoftmax(np.eye(3), np.zeros(3))
    X = np.array([[1.0, 0, 0], [0, 2.0, 0], [0, 0, 3.0], [5.0, 0, 0]])
    y = np.array([0, 1, 0, 1])
    assert accuracy(model, X, y, batch_size=3) == 0.5


def make_problem(seed=0, N=40, D=5, C=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    W, b = 0.5 * rng.standard_normal((D, C)), 0.1 * rng.standard_normal(C)
    data = {"X_train": X, "y_train": y, "X_val": X[:10], "y_val": y[:10]}
    return data, W, b


def torch_reference(data, W, b, num_iterations, batch_size, seed, schedule, clip_norm):
    """The same training in PyTorch: the same minibatches, SGD, LambdaLR, clip_grad_norm_."""
    tW = torch.tensor(W, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    optimizer = torch.optim.SGD([tW, tb], lr=1.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    rng = np.random.default_rng(seed)
    X, y = torch.tensor(data["X_train"]), torch.tensor(data["y_train"])
    losses, norms = [], []
    for _ in range(num_iterations):
        batch = torch.tensor(rng.integers(0, len(X), size=batch_size))
        loss = torch.nn.functional.cross_entropy(X[batch] @ tW + tb, y[batch])
        optimizer.zero_grad()
        loss.backward()
        if clip_norm is not None:
            norms.append(torch.nn.utils.clip_grad_norm_([tW, tb], clip_norm).item())
        else:
            norms.append(math.sqrt(tW.grad.pow(2).sum().item() + tb.grad.pow(2).sum().item()))
        losses.append(loss.item())
        optimizer.step()
        scheduler.step()
    return tW.detach().numpy(), tb.detach().numpy(), losses, norms


@pytest.mark.parametrize("clip_norm", [None, 0.3])
def test_train_loop_against_torch(clip_norm):
    data, W, b = make_problem()
    schedule = lambda t: 0.5 / (1 + 0.1 * t)    # noqa: E731
    model = LinearSoftmax(W, b)
    history = train_loop(model, data, plain_sgd, 25, batch_size=8, lr_schedule=schedule,
                         clip_norm=clip_norm, seed=4)
    tW, tb, losses, norms = torch_reference(data, W, b, 25, 8, 4, schedule, clip_norm)
    np.testing.assert_allclose(model.params["W"], tW, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.params["b"], tb, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(history.loss, losses, rtol=1e-10)
    np.testing.assert_allclose(history.grad_norm, norms, rtol=1e-10)
    np.testing.assert_allclose(history.learning_rate, [schedule(t) for t in range(25)])
    assert not history.diverged
    if clip_norm is not None:
        assert any(n > clip_norm for n in history.grad_norm)   # the test did clip something


def test_train_loop_default_learning_rate_recorded():
    data, W, b = make_problem()
    history = train_loop(LinearSoftmax(W, b), data, plain_sgd, 3, batch_size=4)
    assert history.learning_rate == [0.1, 0.1, 0.1]


def test_train_loop_monitor_and_evaluation_steps():
    data, W, b = make_problem()
    model = LinearSoftmax(W, b)
    history = train_loop(model, data, plain_sgd, 10, batch_size=4, monitor=lambda m: [1.0, 2.0],
                         monitor_every=4, eval_every=4)
    assert history.monitor_steps == [0, 4, 8]
    assert history.monitor == [[1.0, 2.0]] * 3
    assert history.eval_steps == [4, 8, 10]
    assert history.val_acc[-1] == accuracy(model, data["X_val"], data["y_val"])


def test_train_loop_stops_when_the_loss_diverges():
    data, W, b = make_problem()
    data = dict(data, X_train=data["X_train"] * 1e3)
    with np.errstate(all="ignore"):
        history = train_loop(LinearSoftmax(W, b), data, plain_sgd, 50, batch_size=8,
                             optim_config={"learning_rate": 1e6})
    assert history.diverged
    assert len(history.loss) < 50 and math.isnan(history.loss[-1])


@pytest.mark.parametrize("kwargs, name", [
    ({"num_iterations": 0}, "num_iterations"),
    ({"num_iterations": 2, "batch_size": 0}, "batch_size"),
    ({"num_iterations": 2, "clip_norm": -1.0}, "clip_norm"),
    ({"num_iterations": 2, "monitor_every": 0}, "monitor_every"),
    ({"num_iterations": 2, "eval_every": 0}, "eval_every"),
])
def test_train_loop_bad_arguments(kwargs, name):
    data, W, b = make_problem()
    with pytest.raises(ValueError, match=name):
        train_loop(LinearSoftmax(W, b), data, plain_sgd, **kwargs)
