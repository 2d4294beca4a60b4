"""Assignment 03_backprop: the solutions against PyTorch autograd, the Solver and sgd, and
the visible checks (they pass on the solutions and explain what is wrong otherwise).

The graded modules import as the complete solutions here (tests/conftest.py overlays them).
"""

import math

import numpy as np
import pytest
import torch
from torch.nn import functional

from cs231n_utils import layer_utils, layers, optim, staged
from cs231n_utils.autograd import Value
from cs231n_utils.checks import backprop as checks
from cs231n_utils.classifiers.fc_net import TwoLayerNet
from cs231n_utils.course import SOLUTION_PACKAGE_DIR
from cs231n_utils.course.stubs import find_regions
from cs231n_utils.solver import Solver

GRADED_MODULES = ["layers.py", "layer_utils.py", "staged.py", "autograd.py",
                  "classifiers/fc_net.py"]
SEEDS = range(5)


def t(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def random_x_w_b(rng):
    """x of random rank and shape (N, d_1, ..., d_k), w (D, M), b (M,)."""
    N, M = (int(n) for n in rng.integers(1, 8, size=2))
    dims = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 4))))
    D = int(np.prod(dims))
    return rng.normal(size=(N, *dims)), rng.normal(size=(D, M)), rng.normal(size=M)


def assert_close(got, want, rtol=1e-10, atol=1e-12):
    want = want.detach().numpy() if isinstance(want, torch.Tensor) else want
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


# ------------------------------------------------------------- layers against autograd


@pytest.mark.parametrize("seed", SEEDS)
def test_affine_forward_and_backward_match_autograd(seed):
    rng = np.random.default_rng(seed)
    x, w, b = random_x_w_b(rng)
    out, cache = layers.affine_forward(x, w, b)
    tx, tw, tb = t(x, True), t(w, True), t(b, True)
    want = tx.reshape(len(x), -1) @ tw + tb
    assert_close(out, want)
    dout = rng.normal(size=out.shape)
    want.backward(t(dout))
    dx, dw, db = layers.affine_backward(dout, cache)
    assert dx.shape == x.shape
    for got, tensor in ((dx, tx), (dw, tw), (db, tb)):
        assert_close(got, tensor.grad)


@pytest.mark.parametrize("seed", SEEDS)
def test_relu_and_sigmoid_match_autograd(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 5))))
    x, dout = rng.normal(size=shape) * 4, rng.normal(size=shape)
    for forward, backward, torch_f in ((layers.relu_forward, layers.relu_backward, torch.relu),
                                       (layers.sigmoid_forward, layers.sigmoid_backward,
                                        torch.sigmoid)):
        given = x.copy()
        out, cache = forward(given)
        np.testing.assert_array_equal(given, x)         # the input is left alone
        tx = t(x, True)
        want = torch_f(tx)
        want.backward(t(dout))
        assert_close(out, want, rtol=1e-13)
        assert_close(backward(dout, cache), tx.grad, rtol=1e-12)


def test_relu_gradient_at_zero_is_zero():
    assert np.all(layers.relu_backward(np.ones(4), np.zeros(4)) == 0)


def test_sigmoid_does_not_overflow_and_stays_in_range():
    x = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, _ = layers.sigmoid_forward(x)
    assert_close(out, torch.sigmoid(t(x)), rtol=1e-15, atol=0)
    assert np.all((out >= 0) & (out <= 1))


@pytest.mark.parametrize("seed", SEEDS)
def test_svm_loss_matches_torch_multi_margin_loss(seed):
    rng = np.random.default_rng(seed)
    N, C = int(rng.integers(1, 15)), int(rng.integers(2, 10))
    x, y = rng.normal(size=(N, C)) * 2, rng.integers(0, C, size=N)
    loss, dx = layers.svm_loss(x, y)
    tx = t(x, True)
    want = functional.multi_margin_loss(tx, torch.tensor(y), margin=1.0) * C   # torch / C
    want.backward()
    assert math.isclose(loss, want.item(), rel_tol=1e-12)
    assert_close(dx, tx.grad)


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_loss_matches_torch_cross_entropy_even_for_huge_scores(seed):
    rng = np.random.default_rng(seed)
    N, C = int(rng.integers(1, 15)), int(rng.integers(2, 10))
    y = rng.integers(0, C, size=N)
    for scale in (1e-3, 1.0, 1e3, 1e5):
        x = rng.normal(size=(N, C)) * scale
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            loss, dx = layers.softmax_loss(x, y)
        tx = t(x, True)
        want = functional.cross_entropy(tx, torch.tensor(y))
        want.backward()
        assert math.isclose(loss, want.item(), rel_tol=1e-12, abs_tol=1e-12)
        assert_close(dx, tx.grad, atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_affine_relu_sandwich_matches_autograd(seed):
    rng = np.random.default_rng(seed)
    x, w, b = random_x_w_b(rng)
    out, cache = layer_utils.affine_relu_forward(x, w, b)
    tx, tw, tb = t(x, True), t(w, True), t(b, True)
    want = torch.relu(tx.reshape(len(x), -1) @ tw + tb)
    assert_close(out, want)
    dout = rng.normal(size=out.shape)
    want.backward(t(dout))
    for got, tensor in zip(layer_utils.affine_relu_backward(dout, cache), (tx, tw, tb),
                           strict=True):
        assert_close(got, tensor.grad)


@pytest.mark.parametrize(("call", "argument"), [
    (lambda: layers.affine_forward(np.ones((2, 3)), np.ones((4, 5)), np.ones(5)), "x"),
    (lambda: layers.affine_forward(np.ones((2, 4)), np.ones(4), np.ones(5)), "w"),
    (lambda: layers.affine_forward(np.ones((2, 4)), np.ones((4, 5)), np.ones(4)), "b"),
    (lambda: layers.svm_loss(np.ones((3, 4)), np.array([0, 1])), "y"),
    (lambda: layers.softmax_loss(np.ones((3, 4)), np.array([0, 1, 4])), "y"),
    (lambda: layers.softmax_loss(np.ones(3), np.array([0, 1, 2])), "x"),
    (lambda: TwoLayerNet(input_dim=0), "input_dim"),
    (lambda: TwoLayerNet(weight_scale=-1.0), "weight_scale"),
    (lambda: TwoLayerNet(reg=-0.5), "reg"),
])
def test_bad_arguments_are_named_in_the_error(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument} must"):
        call()


# -------------------------------------------------------------------- the network


@pytest.mark.parametrize("seed", SEEDS)
def test_two_layer_net_matches_autograd(seed):
    rng = np.random.default_rng(seed)
    N, H, C = int(rng.integers(1, 9)), int(rng.integers(2, 12)), int(rng.integers(2, 8))
    dims = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 4))))
    X, y = rng.normal(size=(N, *dims)), rng.integers(0, C, size=N)
    reg = float(rng.uniform(0, 2))
    np.random.seed(seed)
    model = TwoLayerNet(input_dim=int(np.prod(dims)), hidden_dim=H, num_classes=C,
                        weight_scale=0.5, reg=reg)
    model.params["b1"] = rng.normal(size=H)
    tp = {k: t(v, True) for k, v in model.params.items()}
    scores = torch.relu(t(X).reshape(N, -1) @ tp["W1"] + tp["b1"]) @ tp["W2"] + tp["b2"]
    loss = functional.cross_entropy(scores, torch.tensor(y))
    loss = loss + 0.5 * reg * ((tp["W1"] ** 2).sum() + (tp["W2"] ** 2).sum())
    loss.backward()
    assert_close(model.loss(X), scores)
    got_loss, grads = model.loss(X, y)
    assert math.isclose(got_loss, loss.item(), rel_tol=1e-12)
    assert set(grads) == set(model.params)
    for name, tensor in tp.items():
        assert_close(grads[name], tensor.grad, rtol=1e-9)


def test_two_layer_net_initialisation_follows_cs231n():
    np.random.seed(3)
    model = TwoLayerNet(input_dim=500, hidden_dim=60, num_classes=7, weight_scale=0.01, reg=0.2)
    np.random.seed(3)
    again = TwoLayerNet(input_dim=500, hidden_dim=60, num_classes=7, weight_scale=0.01, reg=0.2)
    assert {k: v.shape for k, v in model.params.items()} == {
        "W1": (500, 60), "b1": (60,), "W2": (60, 7), "b2": (7,)}
    assert model.reg == 0.2
    assert not model.params["b1"].any() and not model.params["b2"].any()
    assert abs(model.params["W1"].std() / 0.01 - 1) < 0.05
    for name in model.params:
        np.testing.assert_array_equal(model.params[name], again.params[name])
    default = TwoLayerNet()
    assert default.params["W1"].shape == (3072, 100) and default.params["W2"].shape == (100, 10)


# ------------------------------------------------------------ the staged examples


@pytest.mark.parametrize("seed", SEEDS)
def test_staged_examples_match_autograd(seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 7)),)
    x, y, z, df = (rng.normal(size=shape) * 2 for _ in range(4))

    f, cache = staged.add_multiply_forward(x, y, z)
    tx, ty, tz = t(x, True), t(y, True), t(z, True)
    want = (tx + ty) * tz
    want.backward(t(df))
    assert_close(f, want)
    for got, tensor in zip(staged.add_multiply_backward(df, cache), (tx, ty, tz), strict=True):
        assert_close(got, tensor.grad)

    f, cache = staged.staged_example_forward(x, y)
    tx, ty = t(x, True), t(y, True)
    want = (tx + torch.sigmoid(ty)) / (torch.sigmoid(tx) + (tx + ty) ** 2)
    want.backward(t(df))
    assert_close(f, want)
    for got, tensor in zip(staged.staged_example_backward(df, cache), (tx, ty), strict=True):
        assert_close(got, tensor.grad, rtol=1e-9)


def test_staged_examples_give_the_notes_numbers_on_floats():
    f, cache = staged.add_multiply_forward(-2.0, 5.0, -4.0)
    assert f == -12.0 and staged.add_multiply_backward(1.0, cache) == (-4.0, -4.0, 3.0)
    f, cache = staged.staged_example_forward(3.0, -4.0)
    dx, dy = staged.staged_example_backward(1.0, cache)
    assert math.isclose(f, 1.5456448841066441) and math.isclose(dx, 2.0595697955721652)
    assert math.isclose(dy, 1.5922327514838093)


# ----------------------------------------------------------------------- autograd


@pytest.mark.parametrize("seed", SEEDS)
def test_value_engine_matches_autograd_on_random_expressions(seed):
    rng = np.random.default_rng(seed)
    a, b, c = (float(v) for v in rng.uniform(0.3, 2.0, size=3))

    def expression(a, b, c, relu, sigmoid, exp):
        return relu(a * b - c) + sigmoid(a / c) * exp(b - 1.0) + (a + b) ** 2 / (c ** 0.5) - 3.0 * a

    va, vb, vc = Value(a), Value(b), Value(c)
    out = expression(va, vb, vc, Value.relu, Value.sigmoid, Value.exp)
    out.backward()
    ta, tb, tc = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a, b, c))
    want = expression(ta, tb, tc, torch.relu, torch.sigmoid, torch.exp)
    want.backward()
    assert math.isclose(out.data, want.item(), rel_tol=1e-12)
    for v, tensor in ((va, ta), (vb, tb), (vc, tc)):
        assert math.isclose(v.grad, tensor.grad.item(), rel_tol=1e-10, abs_tol=1e-12)


def test_value_backward_resets_and_handles_deep_graphs():
    x = Value(2.0)
    y = x * x + x          # x used three times
    y.backward()
    y.backward()
    assert x.grad == 5.0   # 2x + 1, not twice that
    total = Value(0.0)
    for _ in range(5000):
        total = total + x
    total.backward()
    assert x.grad == 5000.0


def test_value_rejects_what_it_cannot_hold():
    with pytest.raises(TypeError, match="data must be a real number"):
        Value("3")
    with pytest.raises(ValueError, match="local_grads must hold one number per parent"):
        Value(1.0, (Value(1.0),), ())
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        Value(2.0) ** Value(2.0)


# ----------------------------------------------------------------- optim and Solver


def test_sgd_steps_against_the_gradient_and_fills_in_defaults():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    next_w, config = optim.sgd(w, dw)
    assert config == {"learning_rate": 1e-2}
    np.testing.assert_allclose(next_w, [0.995, -2.005])
    np.testing.assert_array_equal(w, [1.0, -2.0])
    next_w, config = optim.sgd(w, dw, {"learning_rate": 1.0})
    np.testing.assert_allclose(next_w, [0.5, -2.5])
    with pytest.raises(ValueError, match="dw must have the shape of w"):
        optim.sgd(w, np.ones(3))


class NearestMeanModel:
    """A tiny model for Solver tests: scores = X @ W, softmax loss, no hidden layer."""

    def __init__(self, D, C, seed=0):
        self.params = {"W": np.random.default_rng(seed).normal(size=(D, C)) * 0.01}

    def loss(self, X, y=None):
        scores = X @ self.params["W"]
        if y is None:
            return scores
        loss, dscores = layers.softmax_loss(scores, y)
        return loss, {"W": X.T @ dscores}


def toy_data(n_train=300, n_val=100, D=5, C=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(C, D)) * 3
    def make(n):
        y = rng.integers(0, C, size=n)
        return centres[y] + rng.normal(size=(n, D)), y
    X_train, y_train = make(n_train)
    X_val, y_val = make(n_val)
    return {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}


def test_solver_histories_decay_and_best_parameters(capsys):
    data = toy_data()
    model = NearestMeanModel(5, 3)
    solver = Solver(model, data, optim_config={"learning_rate": 0.05}, lr_decay=0.9,
                    batch_size=50, num_epochs=4, verbose=False, progress=False, seed=0)
    solver.train()
    iterations = 4 * (300 // 50)
    assert len(solver.loss_history) == iterations
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 4 + 1
    assert solver.epoch == 4
    assert math.isclose(solver.optim_configs["W"]["learning_rate"], 0.05 * 0.9**4)
    assert solver.best_val_acc == max(solver.val_acc_history) > 0.8
    assert model.params is solver.best_params or all(
        np.array_equal(model.params[k], v) for k, v in solver.best_params.items())
    assert solver.loss_history[-1] < solver.loss_history[0]
    assert capsys.readouterr() == ("", "")      # verbose=False, progress=False: silent


def test_solver_keeps_the_best_parameters_not_the_last():
    data = toy_data()
    model = NearestMeanModel(5, 3)
    # A learning rate that is far too large: later epochs get worse, the best one is kept.
    solver = Solver(model, data, optim_config={"learning_rate": 50.0}, batch_size=10,
                    num_epochs=5, verbose=False, progress=False, seed=1)
    solver.train()
    assert solver.best_val_acc == max(solver.val_acc_history)
    assert solver.val_acc_history[-1] < solver.best_val_acc     # the last epoch was worse ...
    # ... but the model holds the best parameters (full validation set: deterministic)
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == solver.best_val_acc


def test_solver_is_reproducible_and_verbose_prints_cs231n_lines(capsys):
    data = toy_data()
    runs = []
    for _ in range(2):
        solver = Solver(NearestMeanModel(5, 3), data, batch_size=30, num_epochs=2,
                        print_every=5, verbose=True, progress=False, seed=7)
        solver.train()
        runs.append(solver.loss_history)
    assert runs[0] == runs[1]
    out = capsys.readouterr().out
    assert "(Iteration 1 / 20) loss:" in out and "(Epoch 2 / 2) train acc:" in out


def test_solver_check_accuracy_in_batches_and_on_a_sample():
    data = toy_data(n_train=250)
    model = NearestMeanModel(5, 3)
    solver = Solver(model, data, verbose=False, progress=False, seed=0)
    predictions = np.argmax(model.loss(data["X_train"]), axis=1)
    full = np.mean(predictions == data["y_train"])
    assert solver.check_accuracy(data["X_train"], data["y_train"], batch_size=7) == full
    assert 0.0 <= solver.check_accuracy(data["X_train"], data["y_train"], num_samples=40) <= 1.0


def test_solver_writes_checkpoints(tmp_path):
    data = toy_data()
    solver = Solver(NearestMeanModel(5, 3), data, batch_size=100, num_epochs=2,
                    checkpoint_name=str(tmp_path / "run"), verbose=False, progress=False)
    solver.train()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "run_epoch_0.pkl", "run_epoch_1.pkl", "run_epoch_2.pkl"]


def test_solver_trains_the_two_layer_net():
    data = toy_data(n_train=400, D=8)
    np.random.seed(0)
    model = TwoLayerNet(input_dim=8, hidden_dim=20, num_classes=3, weight_scale=0.1, reg=0.01)
    solver = Solver(model, data, optim_config={"learning_rate": 0.1}, batch_size=50,
                    num_epochs=5, verbose=False, progress=False, seed=0)
    solver.train()
    assert solver.best_val_acc > 0.9


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"update_rule": "adam_typo"}, r"update_rule must be one of \[.*'adam'.*'sgd'.*\]"),
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"num_epochs": 2.5}, "num_epochs must be a positive integer"),
])
def test_solver_names_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Solver(NearestMeanModel(5, 3), toy_data(), **kwargs)


def test_solver_names_missing_data_keys():
    data = toy_data()
    del data["y_val"]
    with pytest.raises(ValueError, match=r"missing \['y_val'\]"):
        Solver(NearestMeanModel(5, 3), data)


def test_solver_accepts_an_update_function():
    calls = []

    def rule(w, dw, config=None):
        calls.append(w.shape)
        return optim.sgd(w, dw, config)

    Solver(NearestMeanModel(5, 3), toy_data(), update_rule=rule, batch_size=100, num_epochs=1,
           verbose=False, progress=False).train()
    assert calls == [(5, 3)] * 3


# ---------------------------------------------------------------- the visible checks


def graded_functions():
    names = set()
    for rel in GRADED_MODULES:
        source = (SOLUTION_PACKAGE_DIR / rel).read_text()
        names |= {region.function for region in find_regions(source)
                  if region.where.startswith("03_backprop,")}
    return names


def test_there_is_one_check_per_graded_function():
    assert set(checks.CHECKS) == graded_functions()
    assert checks.ASSIGNMENT == "03_backprop"


@pytest.mark.parametrize("name", sorted(checks.CHECKS))
def test_every_check_passes_on_the_solutions_quietly(name, capsys):
    checks.CHECKS[name]()
    out, err = capsys.readouterr()
    assert out.startswith("PASS ") and out.count("\n") == 1, out
    assert err == ""


def stub(*args, **kwargs):
    raise NotImplementedError("affine_forward is not written yet: fill it in")


def no_bias(x, w, b):
    return x.reshape(len(x), -1) @ w, (x, w, b)


def flat_dx(dout, cache):
    x, w, b = cache
    return dout @ w.T, x.reshape(len(x), -1).T @ dout, dout.sum(axis=0)


RIGHT_AFFINE_BACKWARD, RIGHT_SVM_LOSS = layers.affine_backward, layers.svm_loss


def db_mean(dout, cache):
    dx, dw, _ = RIGHT_AFFINE_BACKWARD(dout, cache)
    return dx, dw, dout.mean(axis=0)


def relu_in_place(x):
    x[x < 0] = 0
    return x, x


def relu_ge(dout, cache):
    return dout * (cache >= 0)


def sigmoid_naive(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


def sigmoid_backward_from_input(dout, cache):
    s = 1 / (1 + np.exp(-cache))          # treats the cached output as the input
    return dout * s * (1 - s)


def svm_counts_correct_class(x, y):
    margins = np.maximum(0, x - x[np.arange(len(y)), y][:, None] + 1)
    return margins.sum() / len(y), RIGHT_SVM_LOSS(x, y)[1]


def svm_not_averaged(x, y):
    loss, dx = RIGHT_SVM_LOSS(x, y)
    return loss * len(y), dx * len(y)


def softmax_naive(x, y):
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    dx = p.copy()
    dx[np.arange(len(y)), y] -= 1
    return float(-np.log(p[np.arange(len(y)), y]).mean()), dx / len(y)


def staged_overwrites(df, cache):
    x, y, sigy, num, sigx, xpy, xpysqr, den, invden = cache
    dnum, dinvden = invden * df, num * df
    dden = -dinvden / den**2
    dxpy = 2 * xpy * dden
    dx = dxpy
    dy = dxpy
    dx = sigx * (1 - sigx) * dden       # bug: = instead of +=
    dx = dx + dnum
    dy = dy + sigy * (1 - sigy) * dnum
    return dx, dy


def add_multiply_ignores_df(df, cache):
    x, y, z, q = cache
    return z, z, q


def init_zero_weights(self, input_dim=3072, hidden_dim=100, num_classes=10, weight_scale=1e-3,
                      reg=0.0):
    self.reg = reg
    self.params = {"W1": np.zeros((input_dim, hidden_dim)), "b1": np.zeros(hidden_dim),
                   "W2": np.zeros((hidden_dim, num_classes)), "b2": np.zeros(num_classes)}


def mul_without_swap(self, other):
    other = other if isinstance(other, Value) else Value(other)
    return Value(self.data * other.data, (self, other), (self.data, other.data), "*")


def backward_recursive(self):
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for p in v.parents:
                visit(p)
            order.append(v)

    visit(self)
    for v in order:
        v.grad = 0.0
    self.grad = 1.0
    for v in reversed(order):
        for p, g in zip(v.parents, v.local_grads, strict=True):
            p.grad += g * v.grad


def backward_without_reset(self):
    order, seen, stack = [], set(), [(self, False)]
    while stack:
        v, done = stack.pop()
        if done:
            order.append(v)
        elif id(v) not in seen:
            seen.add(id(v))
            stack.append((v, True))
            stack.extend((p, False) for p in v.parents)
    self.grad = 1.0
    for v in reversed(order):
        for p, g in zip(v.parents, v.local_grads, strict=True):
            p.grad += g * v.grad


WRONG = [
    ("affine_forward", layers, "affine_forward", no_bias, "affine_forward: out"),
    ("affine_backward", layers, "affine_backward", flat_dx, "dx has shape (10, 6), expected"),
    ("affine_backward", layers, "affine_backward", db_mean, "db: relative error"),
    ("relu_forward", layers, "relu_forward", relu_in_place, "changed its input x in place"),
    ("relu_backward", layers, "relu_backward", relu_ge, "x > 0, not x >= 0"),
    ("sigmoid_forward", layers, "sigmoid_forward", sigmoid_naive, "overflowed"),
    ("sigmoid_backward", layers, "sigmoid_backward", sigmoid_backward_from_input,
     "holds the OUTPUT s"),
    ("svm_loss", layers, "svm_loss", svm_counts_correct_class,
     "the loss is 1 too large: the correct class counted"),
    ("svm_loss", layers, "svm_loss", svm_not_averaged, "sums over the N examples"),
    ("softmax_loss", layers, "softmax_loss", softmax_naive, "subtract each row's maximum"),
    ("staged_example_backward", staged, "staged_example_backward", staged_overwrites,
     "dx lacks the branch through"),
    ("add_multiply_backward", staged, "add_multiply_backward", add_multiply_ignores_df,
     "upstream gradient df"),
    ("TwoLayerNet.__init__", TwoLayerNet, "__init__", init_zero_weights, "standard deviation"),
    ("Value.__mul__", Value, "__mul__", mul_without_swap, "a multiply gate swaps"),
    ("Value.backward", Value, "backward", backward_recursive, "recursion limit"),
    ("Value.backward", Value, "backward", backward_without_reset, "reset every grad to 0"),
    ("affine_forward", layers, "affine_forward", stub, None),
]


@pytest.mark.parametrize(("check", "owner", "attribute", "wrong", "message"), WRONG,
                         ids=[f"{w[0]}-{w[3].__name__}" for w in WRONG])
def test_checks_explain_what_is_wrong(check, owner, attribute, wrong, message, monkeypatch,
                                      capsys):
    monkeypatch.setattr(owner, attribute, wrong)
    if message is None:                      # a stub: its NotImplementedError, unchanged
        with pytest.raises(NotImplementedError, match="is not written yet"):
            checks.CHECKS[check]()
    else:
        with pytest.raises(AssertionError, match=message.replace("(", r"\(").replace(
                ")", r"\)")) as failure:
            checks.CHECKS[check]()
        assert "\n" not in str(failure.value)
    assert capsys.readouterr().err == ""


def test_two_layer_net_check_catches_a_missing_regularisation_gradient(monkeypatch):
    original = TwoLayerNet.loss

    def without_reg_gradient(self, X, y=None):
        if y is None:
            return original(self, X)
        reg, self.reg = self.reg, 0.0
        try:
            loss, grads = original(self, X, y)
        finally:
            self.reg = reg
        W1, W2 = self.params["W1"], self.params["W2"]
        return loss + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2)), grads

    monkeypatch.setattr(TwoLayerNet, "loss", without_reg_gradient)
    with pytest.raises(AssertionError, match=r"^grads of W1 and W2 lack the gradient of the "
                       r"penalty .*with reg = 0.7: relative error"):
        checks.check_two_layer_net_loss()


def test_the_self_check_table_finds_this_assignment():
    from cs231n_utils.selfcheck import checks_modules

    assert checks_modules()["03_backprop"] is checks
