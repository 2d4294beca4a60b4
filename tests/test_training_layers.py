"""Assignment 05_training, the layers: tanh, leaky ReLU, maxout, batch / layer / spatial
batch normalisation, inverted dropout and group normalisation against PyTorch; the
ValueErrors of bad arguments; the visible checks pass on the solutions and explain what is
wrong otherwise; the hidden tests' judges fail the same mistakes without naming an expected
value.

The graded modules import as the complete solutions here (tests/conftest.py overlays them).
"""

import copy
import re

import numpy as np
import pytest
import torch
from torch.nn import functional

from cs231n_utils import layers
from cs231n_utils.checks import training as checks
from cs231n_utils.course import SOLUTION_PACKAGE_DIR, SOLUTIONS_DIR
from cs231n_utils.course.stubs import find_regions
from cs231n_utils.course.trusted.plain import to_plain
from cs231n_utils.course.trusted.spec import load_module

SEEDS = range(5)
LAYER_CHECKS = ["tanh_forward", "tanh_backward", "leaky_relu_forward", "leaky_relu_backward",
                "maxout_forward", "maxout_backward", "batchnorm_forward", "batchnorm_backward",
                "batchnorm_backward_alt", "layernorm_forward", "layernorm_backward",
                "spatial_batchnorm_forward", "spatial_batchnorm_backward", "dropout_forward",
                "dropout_backward", "spatial_groupnorm_forward", "spatial_groupnorm_backward"]


def t(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def autograd(f, arrays, upstream):
    """Value of ``f`` on leaf tensors and the gradients of ``sum(value * upstream)``."""
    leaves = [t(a, grad=True) for a in arrays]
    value = f(*leaves)
    value.backward(t(upstream))
    return value.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def close(a, b, tol=1e-10):
    return np.allclose(a, b, rtol=tol, atol=tol)


# ---------------------------------------------------------------- activations


@pytest.mark.parametrize("seed", SEEDS)
def test_tanh_matches_autograd(seed):
    rng = np.random.default_rng(seed)
    x, dout = rng.normal(size=(4, 3, 2)) * 2, rng.normal(size=(4, 3, 2))
    out, cache = layers.tanh_forward(x)
    want, (dx,) = autograd(torch.tanh, [x], dout)
    assert close(out, want)
    assert close(layers.tanh_backward(dout, cache), dx)


def test_tanh_does_not_overflow():
    with np.errstate(all="raise"):
        out, _ = layers.tanh_forward(np.array([-800.0, -1.0, 0.0, 1.0, 800.0]))
    assert out.tolist() == [-1.0, np.tanh(-1.0), 0.0, np.tanh(1.0), 1.0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alpha", [0.0, 0.01, 0.3])
def test_leaky_relu_matches_autograd_also_at_zero(seed, alpha):
    rng = np.random.default_rng(seed)
    x, dout = rng.normal(size=(5, 6)), rng.normal(size=(5, 6))
    x[rng.random(x.shape) < 0.3] = 0.0
    out, cache = layers.leaky_relu_forward(x, alpha)
    want, (dx,) = autograd(lambda v: functional.leaky_relu(v, alpha), [x], dout)
    assert close(out, want) and close(layers.leaky_relu_backward(dout, cache), dx)


def test_leaky_relu_default_slope_is_001():
    out, cache = layers.leaky_relu_forward(np.array([-2.0, 3.0]))
    assert out.tolist() == [-0.02, 3.0] and cache[1] == 0.01


@pytest.mark.parametrize("seed", SEEDS)
def test_maxout_matches_autograd(seed):
    rng = np.random.default_rng(seed)
    N, M, K = 4, 3, int(rng.integers(1, 4))
    x, w, b = rng.normal(size=(N, 2, 3)), rng.normal(size=(6, M, K)), rng.normal(size=(M, K))
    dout = rng.normal(size=(N, M))

    def maxout(x, w, b):
        return (torch.einsum("nd,dmk->nmk", x.reshape(N, -1), w) + b).amax(dim=2)

    want, grads = autograd(maxout, [x, w, b], dout)
    out, cache = layers.maxout_forward(x, w, b)
    assert close(out, want)
    for got, expected in zip(layers.maxout_backward(dout, cache), grads, strict=True):
        assert got.shape == expected.shape and close(got, expected)


def test_maxout_with_a_zero_piece_is_relu():
    rng = np.random.default_rng(7)
    x, w1 = rng.normal(size=(6, 4)), rng.normal(size=(4, 3))
    w = np.stack([w1, np.zeros_like(w1)], axis=2)
    out, _ = layers.maxout_forward(x, w, np.zeros((3, 2)))
    assert close(out, np.maximum(x @ w1, 0))


# ---------------------------------------------------------------- normalisation


def running_after(batches, axes, momentum, mean, var):
    for batch in batches:
        mean = momentum * mean + (1 - momentum) * batch.mean(axis=axes)
        var = momentum * var + (1 - momentum) * batch.var(axis=axes)
    return mean, var


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_matches_torch_in_train_and_test_mode(seed):
    rng = np.random.default_rng(seed)
    N, D = 7, 4
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    batches = [rng.normal(size=(N, D)) * 3 + 2 for _ in range(3)]
    param = {"mode": "train", "momentum": 0.8, "eps": 1e-3}
    for x in batches:
        out, cache = layers.batchnorm_forward(x, gamma, beta, param)
        want = functional.batch_norm(t(x), None, None, t(gamma), t(beta), training=True,
                                     eps=1e-3)
        assert close(out, want.numpy())
        assert cache[2].shape == cache[3].shape == (D,) and cache[6] == 1e-3
    mean, var = running_after(batches, 0, 0.8, np.zeros(D), np.zeros(D))
    assert close(param["running_mean"], mean) and close(param["running_var"], var)
    param["mode"] = "test"
    x = rng.normal(size=(3, D))
    out, _ = layers.batchnorm_forward(x, gamma, beta, param)
    want = functional.batch_norm(t(x), t(mean), t(var), t(gamma), t(beta), training=False,
                                 eps=1e-3)
    assert close(out, want.numpy())
    assert close(param["running_mean"], mean) and close(param["running_var"], var)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ["batchnorm_backward", "batchnorm_backward_alt"])
def test_batchnorm_backward_matches_autograd(seed, name):
    rng = np.random.default_rng(seed)
    x, dout = rng.normal(size=(6, 5)) * 2 + 1, rng.normal(size=(6, 5))
    gamma, beta = rng.normal(size=5), rng.normal(size=5)
    _, cache = layers.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    _, want = autograd(lambda x, g, b: functional.batch_norm(x, None, None, g, b,
                                                             training=True, eps=1e-5),
                       [x, gamma, beta], dout)
    for got, expected in zip(getattr(layers, name)(dout, cache), want, strict=True):
        assert close(got, expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_layernorm_matches_autograd(seed):
    rng = np.random.default_rng(seed)
    N, D = 5, 6
    x, dout = rng.normal(size=(N, D)) * rng.uniform(0.5, 3, (N, 1)), rng.normal(size=(N, D))
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    out, cache = layers.layernorm_forward(x, gamma, beta, {"eps": 1e-4, "mode": "train"})
    want, grads = autograd(lambda x, g, b: functional.layer_norm(x, (D,), g, b, 1e-4),
                           [x, gamma, beta], dout)
    assert close(out, want)
    assert cache[2].shape == cache[3].shape == (N,)
    for got, expected in zip(layers.layernorm_backward(dout, cache), grads, strict=True):
        assert close(got, expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_spatial_batchnorm_matches_autograd_and_keeps_running_averages(seed):
    rng = np.random.default_rng(seed)
    N, C, H, W = 2, 3, 4, 5
    x, dout = rng.normal(size=(N, C, H, W)) * 2 + 1, rng.normal(size=(N, C, H, W))
    gamma, beta = rng.normal(size=C), rng.normal(size=C)
    param = {"mode": "train"}
    out, cache = layers.spatial_batchnorm_forward(x, gamma, beta, param)
    want, grads = autograd(lambda x, g, b: functional.batch_norm(x, None, None, g, b,
                                                                 training=True, eps=1e-5),
                           [x, gamma, beta], dout)
    assert close(out, want)
    for got, expected in zip(layers.spatial_batchnorm_backward(dout, cache), grads,
                             strict=True):
        assert close(got, expected)
    mean, var = running_after([x], (0, 2, 3), 0.9, np.zeros(C), np.zeros(C))
    assert close(param["running_mean"], mean) and close(param["running_var"], var)


# ------------------------------------------------------------ group normalisation


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("G", [1, 2, 3, 6])
def test_spatial_groupnorm_matches_torch_group_norm_and_autograd(seed, G):
    rng = np.random.default_rng(seed)
    N, C, H, W = 3, 6, 4, 5
    x = rng.normal(size=(N, C, H, W)) * rng.uniform(0.3, 3, size=(1, C, 1, 1)) + 1
    gamma, beta = rng.normal(size=(1, C, 1, 1)), rng.normal(size=(1, C, 1, 1))
    dout = rng.normal(size=x.shape)
    eps = [1e-5, 1e-3][seed % 2]
    param = {} if eps == 1e-5 else {"eps": eps}
    out, cache = layers.spatial_groupnorm_forward(x.copy(), gamma, beta, G, param)
    want, grads = autograd(lambda x, g, b: functional.group_norm(x, G, g.reshape(-1),
                                                                 b.reshape(-1), eps),
                           [x, gamma, beta], dout)
    assert close(out, want)
    assert cache[2].shape == cache[3].shape == (N, G) and cache[6:] == (G, eps)
    got = layers.spatial_groupnorm_backward(dout, cache)
    assert [g.shape for g in got] == [x.shape, (1, C, 1, 1), (1, C, 1, 1)]
    for g, expected in zip(got, grads, strict=True):
        assert close(g, expected)


def test_spatial_groupnorm_ends_are_layer_and_instance_norm():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 4, 3, 3)) * rng.uniform(0.3, 3, size=(1, 4, 1, 1))
    ones, zeros = np.ones((1, 4, 1, 1)), np.zeros((1, 4, 1, 1))
    layer = functional.layer_norm(t(x), x.shape[1:], eps=1e-5).numpy()
    instance = functional.instance_norm(t(x), eps=1e-5).numpy()
    assert close(layers.spatial_groupnorm_forward(x, ones, zeros, 1, {})[0], layer)
    assert close(layers.spatial_groupnorm_forward(x, ones, zeros, 4, {})[0], instance)
    alone = layers.spatial_groupnorm_forward(x[:1], ones, zeros, 2, {})[0]
    assert close(alone, layers.spatial_groupnorm_forward(x, ones, zeros, 2, {})[0][:1])


# ----------------------------------------------------------------------- dropout


@pytest.mark.parametrize("p", [0.3, 0.5, 0.9, 1.0])
def test_dropout_is_the_docstrings_seeded_inverted_mask(p):
    rng = np.random.default_rng(11)
    x, dout = rng.normal(size=(40, 30)), rng.normal(size=(40, 30))
    out, cache = layers.dropout_forward(x, {"mode": "train", "p": p, "seed": 3})
    np.random.seed(3)
    mask = (np.random.rand(*x.shape) < p) / p
    assert np.array_equal(out, x * mask)
    assert np.array_equal(layers.dropout_backward(dout, cache), dout * mask)
    out, cache = layers.dropout_forward(x, {"mode": "test", "p": p})
    assert np.array_equal(out, x) and np.array_equal(layers.dropout_backward(dout, cache), dout)


def test_dropout_preserves_the_mean():
    x = np.random.default_rng(12).normal(size=(400, 400)) + 10
    for p in (0.2, 0.6):
        out, _ = layers.dropout_forward(x, {"mode": "train", "p": p, "seed": 1})
        assert abs(out.mean() - x.mean()) < 0.1
        assert abs(np.mean(out != 0) - p) < 0.01


# ------------------------------------------------------------- argument errors

X, G, B = np.ones((4, 3)), np.ones(3), np.zeros(3)
IMAGES = np.ones((2, 3, 2, 2))
GC, BC = np.ones((1, 3, 1, 1)), np.zeros((1, 3, 1, 1))
BAD_ARGUMENTS = [
    (lambda: layers.batchnorm_forward(X, G, B, {"mode": "training"}),
     "bn_param['mode'] must be 'train' or 'test', got 'training'"),
    (lambda: layers.batchnorm_forward(X, G, B, {}), "bn_param['mode'] is missing"),
    (lambda: layers.batchnorm_forward(X, G, B, {"mode": "train", "eps": 0}),
     "bn_param['eps']"),
    (lambda: layers.batchnorm_forward(X, G, B, {"mode": "train", "momentum": 1.5}),
     "bn_param['momentum']"),
    (lambda: layers.batchnorm_forward(X, np.ones(4), B, {"mode": "train"}), "gamma"),
    (lambda: layers.spatial_batchnorm_forward(IMAGES, G, B, {"mode": "eval"}),
     "bn_param['mode']"),
    (lambda: layers.spatial_batchnorm_forward(X, G, B, {"mode": "train"}), "(N, C, H, W)"),
    (lambda: layers.layernorm_forward(X, G, B, {"eps": -1.0}), "ln_param['eps']"),
    (lambda: layers.layernorm_forward(X, G, B, None), "ln_param must be a dict"),
    (lambda: layers.dropout_forward(X, {"mode": "train", "p": 0}), "dropout_param['p']"),
    (lambda: layers.dropout_forward(X, {"mode": "train", "p": 1.5}), "dropout_param['p']"),
    (lambda: layers.dropout_forward(X, {"mode": "train", "p": "0.5"}), "dropout_param['p']"),
    (lambda: layers.dropout_forward(X, {"mode": "train"}), "dropout_param['p'] is missing"),
    (lambda: layers.dropout_forward(X, {"p": 0.5}), "dropout_param['mode'] is missing"),
    (lambda: layers.dropout_forward(X, {"mode": "eval", "p": 0.5}), "dropout_param['mode']"),
    (lambda: layers.dropout_forward(X, {"mode": "train", "p": 0.5, "seed": -1}),
     "dropout_param['seed']"),
    (lambda: layers.maxout_forward(X, np.ones((3, 2)), np.ones((2, 1))), "w must be 3-D"),
    (lambda: layers.maxout_forward(X, np.ones((5, 2, 2)), np.ones((2, 2))),
     "x must have shape"),
    (lambda: layers.maxout_forward(X, np.ones((3, 2, 2)), np.ones(2)), "b must have shape"),
    (lambda: layers.leaky_relu_forward(X, 1.0), "alpha"),
    (lambda: layers.leaky_relu_forward(X, -0.1), "alpha"),
    (lambda: layers.leaky_relu_forward(X, True), "alpha"),
    (lambda: layers.leaky_relu_forward(X, "0.1"), "alpha"),
    (lambda: layers.spatial_groupnorm_forward(IMAGES, GC, BC, 2, {}),
     "G, the number of groups, must be a whole number that divides C = 3: one of 1, 3; got 2"),
    (lambda: layers.spatial_groupnorm_forward(IMAGES, GC, BC, 0, {}), "one of 1, 3; got 0"),
    (lambda: layers.spatial_groupnorm_forward(IMAGES, GC, BC, 1.0, {}), "got 1.0"),
    (lambda: layers.spatial_groupnorm_forward(IMAGES, GC, BC, True, {}), "got True"),
    (lambda: layers.spatial_groupnorm_forward(IMAGES, G, BC, 3, {}),
     "gamma must have shape (1, C, 1, 1) = (1, 3, 1, 1)"),
    (lambda: layers.spatial_groupnorm_forward(IMAGES, GC, B, 3, {}), "beta must have shape"),
    (lambda: layers.spatial_groupnorm_forward(X, GC, BC, 1, {}), "(N, C, H, W)"),
    (lambda: layers.spatial_groupnorm_forward(IMAGES, GC, BC, 1, {"eps": 0}),
     "gn_param['eps']"),
    (lambda: layers.spatial_groupnorm_forward(IMAGES, GC, BC, 1, None),
     "gn_param must be a dict"),
]


@pytest.mark.parametrize(("call", "named"), BAD_ARGUMENTS,
                         ids=[f"{i}-{n}" for i, (_, n) in enumerate(BAD_ARGUMENTS)])
def test_bad_arguments_raise_a_value_error_naming_them(call, named):
    with pytest.raises(ValueError) as error:
        call()
    assert named in str(error.value)


# ---------------------------------------------------------------- visible checks


def graded_functions():
    names = set()
    for path in SOLUTION_PACKAGE_DIR.rglob("*.py"):
        names |= {r.function for r in find_regions(path.read_text())
                  if r.where.startswith("05_training,")}
    return names


def test_there_is_one_check_per_graded_function():
    assert set(checks.CHECKS) == graded_functions()
    assert set(LAYER_CHECKS) <= set(checks.CHECKS)
    assert checks.ASSIGNMENT == "05_training"


def test_the_second_files_checks_are_importable_from_the_first():
    from cs231n_utils.checks import training_nets

    for name, check in training_nets.CHECKS.items():
        assert getattr(checks, check.__name__) is check, name


@pytest.mark.parametrize("name", LAYER_CHECKS)
def test_every_layer_check_passes_on_the_solutions_quietly(name, capsys):
    checks.CHECKS[name]()
    out, err = capsys.readouterr()
    assert out.startswith("PASS ") and out.count("\n") == 1, out
    assert err == ""


RIGHT = {name: getattr(layers, name) for name in LAYER_CHECKS}


def stub(*args, **kwargs):
    raise NotImplementedError("batchnorm_forward is not written yet: fill it in")


def tanh_by_exp(x):
    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, out


def tanh_is_sigmoid(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


def tanh_backward_unsquared(dout, cache):
    return dout * (1 - cache)


def tanh_backward_from_input(dout, cache):
    return dout * (1 - np.tanh(cache) ** 2)


def leaky_fixed_alpha(x, alpha=0.01):
    return np.where(x > 0, x, 0.01 * x), (x, alpha)


def leaky_in_place(x, alpha=0.01):
    x[x < 0] *= alpha
    return x, (x, alpha)


def leaky_backward_ge(dout, cache):
    x, alpha = cache
    return np.where(x >= 0, dout, alpha * dout)


def maxout_no_bias(x, w, b):
    return RIGHT["maxout_forward"](x, w, np.zeros_like(b))


def maxout_backward_all_pieces(dout, cache):
    x, w, b, winner = cache
    D, M, K = w.shape
    every = np.repeat(dout[:, :, None], K, axis=2).reshape(len(dout), M * K)
    rows = x.reshape(len(x), D)
    return ((every @ w.reshape(D, M * K).T).reshape(x.shape),
            (rows.T @ every).reshape(D, M, K), every.sum(axis=0).reshape(M, K))


def maxout_backward_flat_dx(dout, cache):
    dx, dw, db = RIGHT["maxout_backward"](dout, cache)
    return dx.reshape(len(dx), -1), dw, db


def make_batchnorm(ddof=0, eps_inside=True, axis=0, swap=False, store_in_param=False,
                   test_uses_batch=False, default_eps=False, keepdims=False):
    """batchnorm_forward with one of the catalogued mistakes (the scaffold's last lines
    included: they store the variables running_mean / running_var in bn_param)."""
    def forward(x, gamma, beta, bn_param):
        mode = bn_param["mode"]
        eps = 1e-5 if default_eps else bn_param.get("eps", 1e-5)
        momentum = bn_param.get("momentum", 0.9)
        D = x.shape[1]
        running_mean = bn_param.get("running_mean", np.zeros(D))
        running_var = bn_param.get("running_var", np.zeros(D))
        if mode == "train" or test_uses_batch:
            mean = x.mean(axis=axis, keepdims=True)
            var = x.var(axis=axis, ddof=ddof, keepdims=True)
        else:
            mean, var = running_mean, running_var
        x_hat = (x - mean) / (np.sqrt(var + eps) if eps_inside else np.sqrt(var))
        out = gamma * x_hat + beta
        if mode == "train":
            m = 1 - momentum if swap else momentum
            new = (m * running_mean + (1 - m) * x.mean(axis=0),
                   m * running_var + (1 - m) * x.var(axis=0, ddof=ddof))
            if store_in_param:
                bn_param["running_mean"], bn_param["running_var"] = new
            else:
                running_mean, running_var = new
        bn_param["running_mean"] = running_mean
        bn_param["running_var"] = running_var
        if not keepdims:
            mean, var = np.reshape(mean, -1), np.reshape(var, -1)
        return out, (x, x_hat, mean, var, gamma, beta, eps)
    return forward


def make_layernorm(axis=1, keep_column=True):
    def forward(x, gamma, beta, ln_param):
        eps = ln_param.get("eps", 1e-5)
        mean, var = x.mean(axis=axis), x.var(axis=axis)
        shaped = (lambda v: v[:, None]) if axis == 1 and keep_column else (lambda v: v)
        x_hat = (x - shaped(mean)) / np.sqrt(shaped(var) + eps)
        return gamma * x_hat + beta, (x, x_hat, mean, var, gamma, beta, eps)
    return forward


def batchnorm_backward_constant_statistics(dout, cache):
    x, x_hat, mean, var, gamma, beta, eps = cache
    return dout * gamma / np.sqrt(var + eps), (dout * x_hat).sum(0), dout.sum(0)


def batchnorm_backward_mean_dgamma(dout, cache):
    dx, dgamma, dbeta = RIGHT["batchnorm_backward_alt"](dout, cache)
    return dx, dgamma / len(dout), dbeta


def batchnorm_backward_without_variance_path(dout, cache):
    x, x_hat, mean, var, gamma, beta, eps = cache
    d = dout * gamma
    dx = (d - d.mean(axis=0)) / np.sqrt(var + eps)
    return dx, (dout * x_hat).sum(0), dout.sum(0)


def layernorm_backward_over_the_batch(dout, cache):
    x, x_hat, mean, var, gamma, beta, eps = cache
    d = dout * gamma
    std = np.sqrt(var + eps)[:, None]
    dx = (d - d.mean(axis=0) - x_hat * (d * x_hat).mean(axis=0)) / std
    return dx, (dout * x_hat).sum(0), dout.sum(0)


def spatial_without_transpose(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out, cache = layers.batchnorm_forward(x.reshape(-1, C), gamma, beta, bn_param)
    return out.reshape(N, C, H, W), cache


def spatial_backward_without_transpose(dout, cache):
    N, C, H, W = dout.shape
    dx, dgamma, dbeta = layers.batchnorm_backward_alt(dout.reshape(-1, C), cache)
    return dx.reshape(N, C, H, W), dgamma, dbeta


def groupnorm_as_layer_norm(x, gamma, beta, G, gn_param):
    """Every image normalised over all its values, whatever G."""
    N = x.shape[0]
    flat = x.reshape(N, -1)
    mean, var = flat.mean(axis=1), flat.var(axis=1)
    eps = gn_param.get("eps", 1e-5)
    x_hat = ((flat - mean[:, None]) / np.sqrt(var + eps)[:, None]).reshape(x.shape)
    return gamma * x_hat + beta, (x, x_hat, mean, var, gamma, beta, G, eps)


def groupnorm_backward_flat_dgamma(dout, cache):
    dx, dgamma, dbeta = RIGHT["spatial_groupnorm_backward"](dout, cache)
    return dx, dgamma.reshape(-1), dbeta.reshape(-1)


def make_dropout(scale=True, keep_below=True, test_factor=None, unseeded=False):
    def forward(x, dropout_param):
        p, mode = dropout_param["p"], dropout_param["mode"]
        if dropout_param.get("seed") is not None:
            np.random.seed(dropout_param["seed"])
        mask = None
        if mode == "train":
            draw = (np.random.default_rng().random(x.shape) if unseeded
                    else np.random.rand(*x.shape))
            mask = (draw < p) if keep_below else (draw > p)
            mask = mask / p if scale else mask.astype(float)
            out = x * mask
        else:
            out = x if test_factor is None else x * test_factor
        return out, (dropout_param, mask)
    return forward


def dropout_backward_divides_again(dout, cache):
    param, mask = cache
    return dout * mask / param["p"] if param["mode"] == "train" else dout


def dropout_backward_scales_at_test(dout, cache):
    param, mask = cache
    return dout * mask if param["mode"] == "train" else dout * param["p"]


WRONG = [
    ("tanh_forward", tanh_by_exp, "exp(x) overflows"),
    ("tanh_forward", tanh_is_sigmoid, "out is the sigmoid of x"),
    ("tanh_backward", tanh_backward_unsquared, "dx is dout * (1 - out)"),
    ("tanh_backward", tanh_backward_from_input, "already holds the OUTPUT"),
    ("leaky_relu_forward", leaky_fixed_alpha, "whatever alpha is given"),
    ("leaky_relu_forward", leaky_in_place, "changed its input x in place"),
    ("leaky_relu_backward", leaky_backward_ge, "x > 0, not x >= 0"),
    ("maxout_forward", maxout_no_bias, "add b[m, k]"),
    ("maxout_backward", maxout_backward_all_pieces, "only the winning piece"),
    ("maxout_backward", maxout_backward_flat_dx, "reshape dx to the shape of x"),
    ("batchnorm_forward", make_batchnorm(ddof=1), "out uses the unbiased variance (ddof=1)"),
    ("batchnorm_forward", make_batchnorm(eps_inside=False), "sqrt(var) without eps"),
    ("batchnorm_forward", make_batchnorm(axis=1), "is layer normalisation"),
    ("batchnorm_forward", make_batchnorm(default_eps=True), "whatever bn_param['eps'] says"),
    ("batchnorm_forward", make_batchnorm(keepdims=True), "no keepdims"),
    ("batchnorm_forward", make_batchnorm(swap=True), "momentum weighs the OLD value"),
    ("batchnorm_forward", make_batchnorm(store_in_param=True),
     "assign the new averages to the variables"),
    ("batchnorm_forward", make_batchnorm(test_uses_batch=True),
     "use the running averages of bn_param there"),
    ("batchnorm_backward", batchnorm_backward_constant_statistics, "depend on x too"),
    ("batchnorm_backward", batchnorm_backward_without_variance_path,
     "misses the path through the variance"),
    ("batchnorm_backward_alt", batchnorm_backward_mean_dgamma, "it is a SUM over axis 0"),
    ("layernorm_forward", make_layernorm(axis=0), "which is batch normalisation"),
    ("layernorm_forward", make_layernorm(keep_column=False), "keep it as a column"),
    ("layernorm_backward", layernorm_backward_over_the_batch, "statistics are per example"),
    ("spatial_batchnorm_forward", spatial_without_transpose, "without moving the channels last"),
    ("spatial_batchnorm_backward", spatial_backward_without_transpose,
     "dout was reshaped to rows without moving the channels last"),
    ("dropout_forward", make_dropout(scale=False), "the kept units are not divided by p"),
    ("dropout_forward", make_dropout(keep_below=False), "probability of KEEPING"),
    ("dropout_forward", make_dropout(test_factor=0.5), "returns x unchanged"),
    ("dropout_forward", make_dropout(unseeded=True), "same dropout_param['seed']"),
    ("dropout_backward", dropout_backward_divides_again, "do not divide again"),
    ("dropout_backward", dropout_backward_scales_at_test, "dropout is the identity"),
    ("spatial_groupnorm_forward", groupnorm_as_layer_norm, "which is layer normalisation"),
    ("spatial_groupnorm_backward", groupnorm_backward_flat_dgamma,
     "dgamma and dbeta have shape (C,)"),
    ("batchnorm_forward", stub, None),
]


@pytest.mark.parametrize(("name", "wrong", "message"), WRONG,
                         ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(WRONG)])
def test_layer_checks_explain_what_is_wrong(name, wrong, message, monkeypatch, capsys):
    monkeypatch.setattr(layers, name, wrong)
    if message is None:                      # a stub: its NotImplementedError, unchanged
        with pytest.raises(NotImplementedError, match="is not written yet"):
            checks.CHECKS[name]()
    else:
        with pytest.raises(AssertionError) as failure:
            checks.CHECKS[name]()
        assert message in str(failure.value), str(failure.value)
        assert "\n" not in str(failure.value)
    assert capsys.readouterr().err == ""


def test_the_spatial_backward_check_blames_a_wrong_forward_first(monkeypatch):
    monkeypatch.setattr(layers, "spatial_batchnorm_forward", spatial_without_transpose)
    with pytest.raises(AssertionError, match="spatial_batchnorm_forward, whose cache"):
        checks.check_spatial_batchnorm_backward()


# ----------------------------------------------------------------- hidden tests


@pytest.fixture(scope="module")
def hidden():
    module = load_module(SOLUTIONS_DIR / "hidden_tests" / "05_training.py")
    return {test.grade_id: test for test in module.HIDDEN_TESTS}


def run_hidden(test):
    """Every case through the probe (in this process) and the judge, as the runner does
    (plain data in between)."""
    for case in test.cases():
        got = {k: to_plain(v) for k, v in test.probe(copy.deepcopy(case)).items()}
        test.judge(copy.deepcopy(case), got)


def test_the_hidden_tests_cover_exactly_the_layer_cells(hidden):
    assert set(LAYER_CHECKS) <= set(hidden)


@pytest.mark.parametrize("name", LAYER_CHECKS)
def test_each_hidden_test_passes_on_the_solutions(name, hidden):
    run_hidden(hidden[name])


HIDDEN_WRONG = [
    ("tanh_backward", tanh_backward_unsquared, "1 - out ** 2, times dout"),
    ("leaky_relu_backward", leaky_backward_ge, "dx = dout where x > 0"),
    ("maxout_backward", maxout_backward_all_pieces, "dx = (dout in the winning pieces)"),
    ("batchnorm_forward", make_batchnorm(ddof=1), "out: relative error"),
    ("batchnorm_forward", make_batchnorm(swap=True), "running = momentum * running"),
    ("batchnorm_forward", make_batchnorm(test_uses_batch=True), "(test mode, x of shape"),
    ("batchnorm_forward", make_batchnorm(keepdims=True), "no keepdims"),
    ("batchnorm_backward", batchnorm_backward_constant_statistics, "dx: relative error"),
    ("layernorm_forward", make_layernorm(axis=0), "out: relative error"),
    ("layernorm_backward", layernorm_backward_over_the_batch, "dx: relative error"),
    ("spatial_batchnorm_forward", spatial_without_transpose, "out: relative error"),
    ("spatial_batchnorm_backward", spatial_backward_without_transpose, "dx: relative error"),
    ("dropout_forward", make_dropout(scale=False), "each output is 0 (dropped) or x / p"),
    ("dropout_forward", make_dropout(test_factor=0.5), "returns x unchanged"),
    ("dropout_backward", dropout_backward_divides_again, "dx = dout * mask"),
    ("spatial_groupnorm_forward", groupnorm_as_layer_norm, "out: relative error"),
    ("spatial_groupnorm_backward", groupnorm_backward_flat_dgamma,
     "dgamma has shape ("),
]


@pytest.mark.parametrize(("name", "wrong", "message"), HIDDEN_WRONG,
                         ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(HIDDEN_WRONG)])
def test_the_hidden_judges_fail_mistakes_without_revealing_values(name, wrong, message,
                                                                  hidden, monkeypatch):
    monkeypatch.setattr(layers, name, wrong)
    with pytest.raises(AssertionError) as failure:
        run_hidden(hidden[name])
    text = str(failure.value)
    assert message in text, text
    assert not re.search(r"expected [-+]?[\d.]", text) and "\n" not in text, text
