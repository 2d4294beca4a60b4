"""Assignment 04_cnn, NumPy part: the conv arithmetic, the naive conv and pooling layers and
ThreeLayerConvNet against PyTorch and numerical gradients; the visible checks pass on the
solutions and explain what is wrong otherwise.

The graded modules import as the complete solutions here (tests/conftest.py overlays them).
"""

import numpy as np
import pytest
import torch
from torch.nn import functional

from cs231n_utils import layers
from cs231n_utils.checks import cnn as checks
from cs231n_utils.classifiers.cnn import ThreeLayerConvNet
from cs231n_utils.conv_arithmetic import conv_output_size, conv_param_count
from cs231n_utils.course import SOLUTION_PACKAGE_DIR
from cs231n_utils.course.stubs import find_regions
from cs231n_utils.gradient_check import eval_numerical_gradient_array, rel_error
from cs231n_utils.solver import Solver

SEEDS = range(6)


def t(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def random_conv(rng):
    """Random x, w, b, conv_param whose stride and pad tile the input."""
    while True:
        N, C, F = (int(n) for n in rng.integers(1, 4, size=3))
        HH, WW = (int(n) for n in rng.integers(1, 5, size=2))
        stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 3))
        H = HH - 2 * pad + stride * int(rng.integers(0, 4))
        W = WW - 2 * pad + stride * int(rng.integers(0, 4))
        if H >= 1 and W >= 1:
            return (rng.normal(size=(N, C, H, W)), rng.normal(size=(F, C, HH, WW)),
                    rng.normal(size=F), {"stride": stride, "pad": pad})


def random_pool(rng):
    while True:
        ph, pw, stride = (int(n) for n in rng.integers(1, 4, size=3))
        H, W = ph + stride * int(rng.integers(0, 4)), pw + stride * int(rng.integers(0, 4))
        x = rng.normal(size=(int(rng.integers(1, 3)), int(rng.integers(1, 4)), H, W))
        return x, {"pool_height": ph, "pool_width": pw, "stride": stride}


# ------------------------------------------------------------------------ arithmetic


@pytest.mark.parametrize(("size", "f", "s", "p", "want"), [
    (7, 3, 1, 0, 5), (7, 3, 2, 0, 3), (227, 11, 4, 0, 55), (32, 3, 1, 1, 32), (5, 5, 1, 0, 1)])
def test_conv_output_size_examples(size, f, s, p, want):
    assert conv_output_size(size, f, s, p) == want


@pytest.mark.parametrize(("size", "f", "s", "p", "named"), [
    (7, 3, 3, 0, "stride"), (224, 11, 4, 0, "stride"), (3, 5, 1, 0, "filter_size"),
    (7, 3, 0, 0, "stride"), (7, 3, 1, -1, "pad")])
def test_conv_output_size_names_what_does_not_fit(size, f, s, p, named):
    with pytest.raises(ValueError, match=named):
        conv_output_size(size, f, s, p)


def test_conv_param_count_matches_torch():
    for f, d, k in [(3, 3, 64), (7, 512, 4096), (1, 8, 2)]:
        want = sum(p.numel() for p in torch.nn.Conv2d(d, k, f).parameters())
        assert conv_param_count(f, d, k) == want


# ------------------------------------------------------------------ naive layers


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_naive_matches_torch(seed):
    rng = np.random.default_rng(seed)
    x, w, b, cp = random_conv(rng)
    out, cache = layers.conv_forward_naive(x, w, b, cp)
    xt, wt, bt = t(x, True), t(w, True), t(b, True)
    want = functional.conv2d(xt, wt, bt, stride=cp["stride"], padding=cp["pad"])
    assert rel_error(out, want.detach().numpy()) < 1e-12
    dout = rng.normal(size=out.shape)
    want.backward(t(dout))
    for got, ref in zip(layers.conv_backward_naive(dout, cache), (xt, wt, bt), strict=True):
        assert got.shape == ref.shape
        assert rel_error(got, ref.grad.numpy()) < 1e-12


@pytest.mark.parametrize("seed", SEEDS)
def test_max_pool_naive_matches_torch(seed):
    rng = np.random.default_rng(seed)
    x, pp = random_pool(rng)
    if seed % 2:
        x = np.round(x)  # ties: the first maximum gets the gradient, as in torch
    out, cache = layers.max_pool_forward_naive(x, pp)
    xt = t(x, True)
    want = functional.max_pool2d(xt, (pp["pool_height"], pp["pool_width"]), stride=pp["stride"])
    assert np.array_equal(out, want.detach().numpy())
    dout = rng.normal(size=out.shape)
    want.backward(t(dout))
    assert rel_error(layers.max_pool_backward_naive(dout, cache), xt.grad.numpy()) < 1e-12


def test_conv_backward_naive_matches_a_numerical_gradient():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 3, 5, 5)), rng.normal(size=(2, 3, 3, 3)), rng.normal(size=2)
    cp = {"stride": 2, "pad": 1}
    out, cache = layers.conv_forward_naive(x, w, b, cp)
    dout = rng.normal(size=out.shape)
    dx, dw, db = layers.conv_backward_naive(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(
        lambda x_: layers.conv_forward_naive(x_, w, b, cp)[0], x, dout)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(
        lambda w_: layers.conv_forward_naive(x, w_, b, cp)[0], w, dout)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(
        lambda b_: layers.conv_forward_naive(x, w, b_, cp)[0], b, dout)) < 1e-8


@pytest.mark.parametrize(("args", "match"), [
    (((2, 3, 7, 7), (4, 3, 3, 3), {"stride": 3, "pad": 0}), "stride"),
    (((2, 3, 5, 5), (4, 2, 3, 3), {"stride": 1, "pad": 1}), "channels"),
    (((3, 5, 5), (4, 3, 3, 3), {"stride": 1, "pad": 1}), "x must be a 4-D"),
    (((2, 3, 5, 5), (4, 3, 3, 3), {"stride": 1}), "'pad'"),
    (((2, 3, 5, 5), (4, 3, 3, 3), {"stride": 0, "pad": 1}), "stride"),
])
def test_conv_forward_rejects_bad_arguments_by_name(args, match):
    x_shape, w_shape, cp = args
    with pytest.raises(ValueError, match=match):
        layers.conv_forward_naive(np.zeros(x_shape), np.zeros(w_shape),
                                  np.zeros(w_shape[0]), cp)


def test_max_pool_rejects_windows_that_do_not_tile():
    with pytest.raises(ValueError, match="pool_param\\['stride'\\]"):
        layers.max_pool_forward_naive(np.zeros((1, 1, 5, 5)),
                                      {"pool_height": 2, "pool_width": 2, "stride": 2})


def test_fc_layer_equals_conv_with_the_volume_sized_filter():
    # The notes' example, smaller: an FC layer on a 5x5x8 volume is an F=5, P=0, S=1 conv.
    rng = np.random.default_rng(7)
    x, w_fc, b = rng.normal(size=(3, 8, 5, 5)), rng.normal(size=(8 * 5 * 5, 6)), rng.normal(size=6)
    fc = x.reshape(3, -1) @ w_fc + b
    conv, _ = layers.conv_forward_naive(x, w_fc.T.reshape(6, 8, 5, 5), b, {"stride": 1, "pad": 0})
    assert conv.shape == (3, 6, 1, 1)
    assert rel_error(conv[:, :, 0, 0], fc) < 1e-12


# ------------------------------------------------------------- ThreeLayerConvNet


def test_three_layer_convnet_gradients_match_numerical_gradients():
    np.random.seed(0)
    model = ThreeLayerConvNet(input_dim=(2, 6, 6), num_filters=3, filter_size=3,
                              hidden_dim=7, num_classes=4, weight_scale=0.5, reg=0.2,
                              dtype=np.float64)
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(3, 2, 6, 6)), rng.integers(0, 4, size=3)
    loss, grads = model.loss(X, y)
    for name, value in model.params.items():
        def f(_, name=name):
            return np.array(model.loss(X, y)[0])
        numeric = eval_numerical_gradient_array(f, value, np.array(1.0))
        assert rel_error(grads[name], numeric) < 1e-6, name


def test_three_layer_convnet_float32_and_initial_loss():
    np.random.seed(0)
    model = ThreeLayerConvNet(input_dim=(1, 8, 8), num_filters=4, filter_size=3,
                              hidden_dim=10, num_classes=10)
    X, y = np.random.randn(20, 1, 8, 8), np.random.randint(10, size=20)
    loss, grads = model.loss(X, y)
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert all(g.dtype == np.float32 for g in grads.values())
    assert abs(loss - np.log(10)) < 0.01  # tiny weights: uniform scores
    assert model.loss(X).shape == (20, 10)


def test_three_layer_convnet_overfits_a_small_batch():
    rng = np.random.default_rng(0)
    data = {"X_train": rng.normal(size=(20, 1, 8, 8)), "y_train": rng.integers(0, 5, size=20),
            "X_val": rng.normal(size=(4, 1, 8, 8)), "y_val": rng.integers(0, 5, size=4)}
    np.random.seed(0)
    model = ThreeLayerConvNet(input_dim=(1, 8, 8), num_filters=8, filter_size=3,
                              hidden_dim=50, num_classes=5, weight_scale=1e-1)
    solver = Solver(model, data, num_epochs=40, batch_size=10, update_rule="sgd",
                    optim_config={"learning_rate": 2e-1}, verbose=False, progress=False,
                    seed=0)
    solver.train()
    assert solver.train_acc_history[-1] == 1.0


@pytest.mark.parametrize("kwargs", [
    {"input_dim": (1, 7, 8)}, {"filter_size": 4}, {"num_filters": 0}, {"reg": -1.0}])
def test_three_layer_convnet_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        ThreeLayerConvNet(**{"input_dim": (1, 8, 8), **kwargs})


# ------------------------------------------------------------------ the checks


def graded_functions():
    names = set()
    for path in SOLUTION_PACKAGE_DIR.rglob("*.py"):
        names |= {r.function for r in find_regions(path.read_text())
                  if r.where.startswith("04_cnn,")}
    return names


def test_there_is_one_check_per_graded_function():
    assert checks.ASSIGNMENT == "04_cnn"
    assert set(checks.CHECKS) == graded_functions()


@pytest.mark.parametrize("name", sorted(checks.CHECKS))
def test_every_check_passes_on_the_solutions_quietly(name, capsys):
    checks.CHECKS[name]()
    out, err = capsys.readouterr()
    assert out.startswith("PASS ") and out.count("\n") == 1, out
    assert err == ""


REAL = {name: getattr(layers, name) for name in (
    "conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive",
    "max_pool_backward_naive")}


def _wrong_conv_forward(x, w, b, conv_param):
    out, cache = REAL["conv_forward_naive"](x, w, b, conv_param)
    return out - b[None, :, None, None], cache  # forgot the bias


def _wrong_conv_backward(dout, cache):
    dx, dw, db = REAL["conv_backward_naive"](dout, cache)
    return dx, dw, db / dout.shape[0]  # averaged the bias gradient


def _wrong_pool_backward(dout, cache):
    x, _ = cache
    dx = REAL["max_pool_backward_naive"](dout, cache)
    # Halves the gradient where maxima tie instead of routing it all to the first one.
    return dx if np.unique(x).size == x.size else dx * 0.5


def _wrong_output_size(size, filter_size, stride=1, pad=0):
    return (size - filter_size + 2 * pad) // stride + 1  # floors instead of refusing


@pytest.mark.parametrize(("module", "name", "wrong", "check", "message"), [
    # the mistake catalogue names the first two (cs231n_utils.checks.catalogue.cnn)
    ("layers", "conv_forward_naive", _wrong_conv_forward, "conv_forward_naive",
     "^out matches the convolution without the bias: .*see section 3 .*b\\[f\\]"),
    ("layers", "conv_backward_naive", _wrong_conv_backward, "conv_backward_naive",
     "^db is divided by N: .*: db"),
    ("layers", "max_pool_backward_naive", _wrong_pool_backward, "max_pool_backward_naive",
     "first maximum"),
    ("conv_arithmetic", "conv_output_size", _wrong_output_size, "conv_output_size",
     "raise a ValueError"),
])
def test_checks_catch_wrong_code_with_a_useful_message(monkeypatch, module, name, wrong,
                                                       check, message):
    import importlib

    monkeypatch.setattr(importlib.import_module(f"cs231n_utils.{module}"), name, wrong)
    with pytest.raises(AssertionError, match=message):
        checks.CHECKS[check]()


def test_convnet_check_catches_a_missing_regularisation_term(monkeypatch):
    real = ThreeLayerConvNet.loss

    def loss(self, X, y=None):
        reg, self.reg = self.reg, 0.0
        try:
            return real(self, X, y)
        finally:
            self.reg = reg

    monkeypatch.setattr(ThreeLayerConvNet, "loss", loss)
    with pytest.raises(AssertionError, match="reg = 0.3") as failure:
        checks.check_three_layer_convnet_loss()
    assert str(failure.value).startswith(
        "neither the loss nor the gradients have the L2 penalty"), str(failure.value)
