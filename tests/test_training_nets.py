"""Assignment 05_training, second part: preprocessing, the affine - norm - ReLU sandwich,
FullyConnectedNet and the update rules against independent oracles (NumPy/SciPy, PyTorch
autograd in float64, torch.optim), a Solver run, the argument errors, and the visible
checks of ``cs231n_utils.checks.training_nets`` (they pass on the solutions and say what is
wrong otherwise).

The graded modules import as the complete solutions here (tests/conftest.py overlays them).
"""

import numpy as np
import pytest
import torch
from torch.nn import functional

from cs231n_utils import layer_utils, optim, preprocessing
from cs231n_utils.checks import training_nets as checks
from cs231n_utils.classifiers.fc_net import FullyConnectedNet
from cs231n_utils.course import SOLUTION_PACKAGE_DIR
from cs231n_utils.course.stubs import find_regions
from cs231n_utils.solver import Solver

SEEDS = range(4)
RULES = ["sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam"]


def t(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def assert_close(got, want, rtol=1e-10, atol=1e-12):
    want = want.detach().numpy() if isinstance(want, torch.Tensor) else want
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def separated(rng, N, D, shift=0.0):
    """Data whose covariance has well separated eigenvalues (ratio 0.5) in random
    directions."""
    q = np.linalg.qr(rng.normal(size=(D, D)))[0]
    return rng.normal(size=(N, D)) * (2.0 * 0.5 ** np.arange(D)) @ q.T + shift + rng.normal(
        size=D)


# ------------------------------------------------------------------ preprocessing


@pytest.mark.parametrize("seed", SEEDS)
def test_fit_statistics_match_numpy(seed):
    rng = np.random.default_rng(seed)
    X = separated(rng, 40, 5)
    given = X.copy()
    centred = X - X.mean(axis=0)
    stats = preprocessing.fit_preprocessing(given, "standardize", eps=1e-3)
    assert_close(stats["mean"], X.mean(axis=0))
    assert_close(stats["scale"], np.sqrt(np.var(X, axis=0) + 1e-3))
    values, vectors = np.linalg.eigh(np.cov(X.T, bias=True))
    order = np.argsort(values)[::-1]
    for k in (None, 1, 3):
        stats = preprocessing.fit_preprocessing(given, "pca", num_components=k)
        kk = 5 if k is None else k
        assert stats["components"].shape == (5, kk) and stats["variances"].shape == (kk,)
        assert_close(stats["variances"], values[order[:kk]])
        want = vectors[:, order[:kk]]
        signs = np.sign(np.sum(stats["components"] * want, axis=0))
        assert_close(stats["components"] * signs, want, rtol=1e-8, atol=1e-10)
    assert np.array_equal(given, X)
    assert_close(centred.T @ centred / 40, np.cov(X.T, bias=True))


def test_whitened_training_data_has_identity_covariance_and_pca_reconstructs():
    rng = np.random.default_rng(10)
    X = separated(rng, 60, 6)
    white = preprocessing.apply_preprocessing(X, preprocessing.fit_preprocessing(
        X, "whiten", eps=1e-12))
    np.testing.assert_allclose(np.cov(white.T, bias=True), np.eye(6), atol=1e-8)
    np.testing.assert_allclose(white.mean(axis=0), 0.0, atol=1e-10)

    full = preprocessing.fit_preprocessing(X, "pca")
    projected = preprocessing.apply_preprocessing(X, full)
    assert_close(projected @ full["components"].T + full["mean"], X)   # nothing lost
    np.testing.assert_allclose(np.cov(projected.T, bias=True), np.diag(full["variances"]),
                               atol=1e-10)
    for k in (1, 3, 5):
        stats = preprocessing.fit_preprocessing(X, "pca", num_components=k)
        back = preprocessing.apply_preprocessing(X, stats) @ stats["components"].T + stats["mean"]
        # the mean squared reconstruction error is the sum of the dropped eigenvalues
        np.testing.assert_allclose(np.sum((X - back) ** 2) / len(X),
                                   np.sum(full["variances"][k:]), rtol=1e-8, atol=1e-12)

    stats = preprocessing.fit_preprocessing(X, "standardize")
    standard = preprocessing.apply_preprocessing(X, stats)
    np.testing.assert_allclose(standard.std(axis=0), np.sqrt(X.var(0) / (X.var(0) + 1e-5)))


@pytest.mark.parametrize("method", ["center", "standardize", "pca", "whiten"])
def test_splits_use_the_statistics_of_the_training_split_only(method):
    rng = np.random.default_rng(20)
    X_train, X_val, X_test = (separated(rng, n, 4, shift=3.0 * i)
                              for i, n in enumerate((50, 20, 10)))
    given = [X.copy() for X in (X_train, X_val, X_test)]
    *outs, stats = preprocessing.preprocess_splits(*given, method, eps=1e-5)
    for X, X_given in zip((X_train, X_val, X_test), given, strict=True):
        assert np.array_equal(X, X_given)
    want = preprocessing.fit_preprocessing(X_train, method, eps=1e-5)
    for key, value in want.items():
        if isinstance(value, np.ndarray):
            assert_close(stats[key], value)
    for X, out in zip((X_train, X_val, X_test), outs, strict=True):
        assert_close(out, preprocessing.apply_preprocessing(X, want))
    # the training output is centred, the other splits (shifted) are not
    np.testing.assert_allclose(outs[0].mean(axis=0), 0.0, atol=1e-10)
    assert np.max(np.abs(outs[1].mean(axis=0))) > 0.5
    assert np.max(np.abs(outs[2].mean(axis=0))) > 0.5


@pytest.mark.parametrize(("call", "argument"), [
    (lambda X: preprocessing.fit_preprocessing(X, "zca"), "method"),
    (lambda X: preprocessing.fit_preprocessing(X, "pca", num_components=0), "num_components"),
    (lambda X: preprocessing.fit_preprocessing(X, "pca", num_components=6), "num_components"),
    (lambda X: preprocessing.fit_preprocessing(X, "whiten", num_components=2.5),
     "num_components"),
    (lambda X: preprocessing.fit_preprocessing(X, "pca", num_components=True),
     "num_components"),
    (lambda X: preprocessing.fit_preprocessing(X, "center", num_components=2),
     "num_components"),
    (lambda X: preprocessing.fit_preprocessing(X, "standardize", eps=0.0), "eps"),
    (lambda X: preprocessing.fit_preprocessing(X[0], "center"), "X"),
    (lambda X: preprocessing.apply_preprocessing(
        X[:, :3], preprocessing.fit_preprocessing(X, "center")), "X"),
    (lambda X: preprocessing.apply_preprocessing(X, {"method": "zca"}), "stats"),
    (lambda X: preprocessing.preprocess_splits(X, X[:, :4], X, "center"), "X_val"),
    (lambda X: preprocessing.preprocess_splits(X, X, X.ravel(), "center"), "X_test"),
    (lambda X: preprocessing.preprocess_splits(X, X, X, "whitening"), "method"),
])
def test_preprocessing_names_bad_arguments(call, argument):
    X = np.random.default_rng(0).normal(size=(8, 5))
    with pytest.raises(ValueError, match=rf"^{argument} (must|applies)") as error:
        call(X)
    if argument == "method":   # lists the accepted values
        for method in ("center", "standardize", "pca", "whiten"):
            assert repr(method) in str(error.value)


# ------------------------------------------------------------ affine - norm - ReLU


def torch_norm(a, gamma, beta, normalization, eps, running=None):
    if normalization == "layernorm":
        return functional.layer_norm(a, (a.shape[1],), gamma, beta, eps)
    if running is not None:
        return functional.batch_norm(a, t(running[0]), t(running[1]), gamma, beta,
                                     training=False, eps=eps)
    return functional.batch_norm(a, None, None, gamma, beta, training=True, eps=eps)


@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
@pytest.mark.parametrize("seed", SEEDS)
def test_affine_norm_relu_matches_autograd(normalization, seed):
    rng = np.random.default_rng(seed)
    N, M = int(rng.integers(2, 8)), int(rng.integers(2, 7))
    dims = tuple(int(n) for n in rng.integers(1, 4, size=int(rng.integers(1, 4))))
    D = int(np.prod(dims))
    arrays = [rng.normal(size=(N, *dims)), rng.normal(size=(D, M)), rng.normal(size=M),
              1 + 0.3 * rng.normal(size=M), 0.3 * rng.normal(size=M)]
    eps, momentum = 1e-4, 0.8
    running = (rng.normal(size=M), rng.uniform(0.5, 2.0, size=M))
    param = {"eps": eps} if normalization == "layernorm" else {
        "mode": "train", "eps": eps, "momentum": momentum,
        "running_mean": running[0].copy(), "running_var": running[1].copy()}
    out, cache = layer_utils.affine_norm_relu_forward(*[a.copy() for a in arrays], param,
                                                      normalization)
    leaves = [t(a, grad=True) for a in arrays]
    x, w, b, gamma, beta = leaves
    a = x.reshape(N, -1) @ w + b
    want = torch.relu(torch_norm(a, gamma, beta, normalization, eps))
    assert_close(out, want)
    dout = rng.normal(size=out.shape)
    grads = layer_utils.affine_norm_relu_backward(dout, cache)
    want_grads = torch.autograd.grad(want, leaves, t(dout))
    for got, expected in zip(grads, want_grads, strict=True):
        assert_close(got, expected, rtol=1e-8, atol=1e-10)
    if normalization == "batchnorm":
        a = a.detach().numpy()
        assert_close(param["running_mean"], momentum * running[0] + (1 - momentum) * a.mean(0))
        assert_close(param["running_var"], momentum * running[1] + (1 - momentum) * a.var(0))
        param["mode"] = "test"
        out, _ = layer_utils.affine_norm_relu_forward(*arrays, param, normalization)
        assert_close(out, torch.relu(torch_norm(t(a), gamma, beta, normalization, eps,
                                                (param["running_mean"], param["running_var"]))))


def test_affine_norm_relu_names_a_bad_normalization():
    x, w = np.ones((2, 3)), np.ones((3, 4))
    with pytest.raises(ValueError, match=r"^normalization must.*'batchnorm'"):
        layer_utils.affine_norm_relu_forward(x, w, np.zeros(4), np.ones(4), np.zeros(4), {},
                                             "groupnorm")


# -------------------------------------------------------------- FullyConnectedNet


def torch_net(X, y, params, normalization, reg, masks=None, running=None):
    """Scores (test mode when ``running`` is given for batch normalisation, or always for
    the others without masks) and, with ``y``, the loss of the network, with torch."""
    L = sum(1 for k in params if k.startswith("W"))
    h = X.reshape(len(X), -1)
    for i in range(1, L):
        a = h @ params[f"W{i}"] + params[f"b{i}"]
        if normalization is not None:
            a = torch_norm(a, params[f"gamma{i}"], params[f"beta{i}"], normalization, 1e-5,
                           None if running is None else running[i - 1])
        h = torch.relu(a)
        if masks is not None:
            h = h * t(masks[i - 1])
    scores = h @ params[f"W{L}"] + params[f"b{L}"]
    if y is None:
        return scores
    penalty = sum((v**2).sum() for k, v in params.items() if k.startswith("W"))
    return functional.cross_entropy(scores, torch.tensor(y)) + 0.5 * reg * penalty


@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("seed", SEEDS)
def test_fully_connected_net_matches_autograd(normalization, seed):
    rng = np.random.default_rng(100 + seed)
    N, C = int(rng.integers(2, 8)), int(rng.integers(2, 6))
    hidden = [int(h) for h in rng.integers(1, 8, size=seed % 4)]
    D, reg = 6, [0.0, 0.3, 1.1, 0.05][seed]
    keep = [1, 0.6, 1, 0.8][seed]
    model = FullyConnectedNet(hidden, input_dim=D, num_classes=C, normalization=normalization,
                              reg=reg, weight_scale=0.5, dtype=np.float64,
                              dropout_keep_ratio=keep, seed=seed)
    for name in model.params:          # move gamma and beta away from 1 and 0
        model.params[name] = model.params[name] + 0.2 * rng.normal(size=model.params[name].shape)
    X, y = rng.normal(size=(N, 2, 3)), rng.integers(0, C, size=N)
    params = {k: v.copy() for k, v in model.params.items()}
    leaves = {k: t(v, grad=True) for k, v in params.items()}

    loss, grads = model.loss(X, y)
    masks = checks.dropout_masks(seed, keep, N, hidden) if keep != 1 else None
    want = torch_net(t(X), y, leaves, normalization, reg, masks)
    assert loss == pytest.approx(want.item(), rel=1e-10)
    want_grads = torch.autograd.grad(want, list(leaves.values()))
    assert set(grads) == set(params)
    for name, expected in zip(leaves, want_grads, strict=True):
        assert grads[name].shape == params[name].shape
        assert_close(grads[name], expected, rtol=1e-7, atol=1e-10)
    for name, value in params.items():
        assert np.array_equal(model.params[name], value)

    running = None
    if normalization == "batchnorm":
        running = [(p["running_mean"], p["running_var"]) for p in model.bn_params]
        assert all(np.any(m != 0) for m, _ in running)    # updated by the training pass
    scores = model.loss(X)
    assert_close(scores, torch_net(t(X), None, leaves, normalization, reg, None, running))


def test_fully_connected_net_init_and_dtypes():
    model = FullyConnectedNet([30, 20], input_dim=40, num_classes=7, normalization="layernorm",
                              seed=1)
    assert model.num_layers == 3 and model.normalization == "layernorm"
    assert sorted(model.params) == ["W1", "W2", "W3", "b1", "b2", "b3", "beta1", "beta2",
                                    "gamma1", "gamma2"]
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert np.all(model.params["gamma2"] == 1) and np.all(model.params["beta1"] == 0)
    again = FullyConnectedNet([30, 20], input_dim=40, num_classes=7, normalization="layernorm",
                              seed=1)
    assert all(np.array_equal(again.params[k], v) for k, v in model.params.items())
    scores = model.loss(np.ones((3, 40)))
    assert scores.shape == (3, 7) and scores.dtype == np.float32
    softmax = FullyConnectedNet([], input_dim=5, num_classes=3, normalization="batchnorm")
    assert sorted(softmax.params) == ["W1", "b1"]


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"normalization": "groupnorm"}, "normalization"),
    ({"dropout_keep_ratio": 0}, "dropout_keep_ratio"),
    ({"dropout_keep_ratio": 1.5}, "dropout_keep_ratio"),
    ({"input_dim": 0}, "input_dim"),
    ({"num_classes": 2.5}, "num_classes"),
    ({"hidden_dims": [10, 0]}, r"hidden_dims\[1\]"),
    ({"weight_scale": 0.0}, "weight_scale"),
    ({"reg": -1.0}, "reg"),
])
def test_fully_connected_net_names_bad_arguments(kwargs, argument):
    kwargs = {"hidden_dims": [10], **kwargs}
    with pytest.raises(ValueError, match=rf"^{argument} must"):
        FullyConnectedNet(**kwargs)


def test_solver_with_adam_overfits_50_examples_with_batchnorm():
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(50, 3, 4, 4)), rng.integers(0, 10, size=50)
    data = {"X_train": X, "y_train": y, "X_val": X[:10], "y_val": y[:10]}
    model = FullyConnectedNet([64, 64], input_dim=48, normalization="batchnorm",
                              weight_scale=5e-2, seed=0)
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-2},
                    batch_size=25, num_epochs=20, verbose=False, progress=False, seed=0)
    solver.train()
    assert solver.loss_history[-1] < 0.1 * solver.loss_history[0]
    assert solver.train_acc_history[-1] == 1.0
    assert all(config["t"] == 40 for config in solver.optim_configs.values())


# ------------------------------------------------------------------ update rules


def torch_optimizer(rule, p, config):
    lr = config["learning_rate"]
    if rule in ("sgd_momentum", "nesterov_momentum"):
        return torch.optim.SGD([p], lr=lr, momentum=config["momentum"],
                               nesterov=rule == "nesterov_momentum")
    if rule == "adagrad":
        return torch.optim.Adagrad([p], lr=lr, eps=config["epsilon"])
    if rule == "rmsprop":
        return torch.optim.RMSprop([p], lr=lr, alpha=config["decay_rate"],
                                   eps=config["epsilon"])
    return torch.optim.Adam([p], lr=lr, betas=(config["beta1"], config["beta2"]),
                            eps=config["epsilon"])


#: CS231n's defaults (config=None), written out here.
DEFAULTS = {
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "nesterov_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-8},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
CUSTOM = {
    "sgd_momentum": {"learning_rate": 0.1, "momentum": 0.5},
    "nesterov_momentum": {"learning_rate": 0.03, "momentum": 0.7},
    "adagrad": {"learning_rate": 0.2, "epsilon": 1e-2},
    "rmsprop": {"learning_rate": 5e-3, "decay_rate": 0.8, "epsilon": 1e-4},
    "adam": {"learning_rate": 0.02, "beta1": 0.6, "beta2": 0.9, "epsilon": 1e-3},
}


@pytest.mark.parametrize("custom", [False, True], ids=["defaults", "custom"])
@pytest.mark.parametrize("rule", RULES)
def test_update_rules_match_torch_optim_step_by_step(rule, custom):
    rng = np.random.default_rng(RULES.index(rule) + 10 * custom)
    w = rng.normal(size=(4, 3))
    config = dict(CUSTOM[rule]) if custom else None
    hyper = CUSTOM[rule] if custom else DEFAULTS[rule]
    p = t(w, grad=True)
    opt = torch_optimizer(rule, p, hyper)
    for _ in range(8):
        dw = rng.normal(size=w.shape) * 10.0 ** rng.uniform(-3, 0, size=w.shape)
        before = w.copy()
        w, config = getattr(optim, rule)(w, dw.copy(), config)
        p.grad = t(dw)
        opt.step()
        assert_close(w - before, p.detach().numpy() - before, rtol=1e-9, atol=1e-15)
        for key, value in hyper.items():
            assert config[key] == value
    if rule == "adam":
        assert config["t"] == 8
        assert_close(config["m"], opt.state[p]["exp_avg"])
        assert_close(config["v"], opt.state[p]["exp_avg_sq"])


def test_adam_first_step_is_about_the_learning_rate():
    # with t incremented before the bias correction, the first step is lr * dw / |dw|
    dw = np.array([3.0, -0.02, 1e-3])
    next_w, config = optim.adam(np.zeros(3), dw)
    assert_close(next_w, -1e-3 * np.sign(dw), rtol=1e-4)
    assert config["t"] == 1


@pytest.mark.parametrize("rule", RULES)
def test_update_rules_name_a_wrong_gradient_shape(rule):
    with pytest.raises(ValueError, match="^dw must have the shape of w"):
        getattr(optim, rule)(np.zeros((2, 3)), np.zeros(3))


@pytest.mark.parametrize("rule", RULES)
def test_the_solver_finds_every_rule_by_name(rule):
    X, y = np.zeros((4, 5)), np.zeros(4, dtype=int)
    data = {"X_train": X, "y_train": y, "X_val": X, "y_val": y}
    model = FullyConnectedNet([3], input_dim=5, num_classes=2)
    solver = Solver(model, data, update_rule=rule, verbose=False, progress=False)
    assert solver.update_rule is getattr(optim, rule)


# ------------------------------------------------------------------ visible checks

NAMES = {"fit_preprocessing": "check_fit_preprocessing",
         "apply_preprocessing": "check_apply_preprocessing",
         "preprocess_splits": "check_preprocess_splits",
         "affine_norm_relu_forward": "check_affine_norm_relu_forward",
         "affine_norm_relu_backward": "check_affine_norm_relu_backward",
         "FullyConnectedNet.__init__": "check_fc_net_init",
         "FullyConnectedNet.loss": "check_fc_net_loss",
         "sgd_momentum": "check_sgd_momentum", "nesterov_momentum": "check_nesterov_momentum",
         "adagrad": "check_adagrad", "rmsprop": "check_rmsprop", "adam": "check_adam"}


def test_the_checks_cover_these_graded_functions_under_their_names():
    graded = set()
    for path in SOLUTION_PACKAGE_DIR.rglob("*.py"):
        graded |= {r.function for r in find_regions(path.read_text())
                   if r.where.startswith("05_training,")}
    assert set(NAMES) <= graded
    assert {name: check.__name__ for name, check in checks.CHECKS.items()} == NAMES
    assert not hasattr(checks, "ASSIGNMENT")     # the main module training.py names it


@pytest.mark.parametrize("name", sorted(NAMES))
def test_every_check_passes_on_the_solutions_quietly(name, capsys):
    state = np.random.get_state()
    checks.CHECKS[name]()
    out, err = capsys.readouterr()
    assert out.startswith(f"PASS {name}") and out.count("\n") == 1, out
    assert err == ""
    after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(state[1:3], after[1:3], strict=True))


def stub(*args, **kwargs):
    raise NotImplementedError("adam is not written yet: fill it in")


RIGHT = {"fit": preprocessing.fit_preprocessing, "apply": preprocessing.apply_preprocessing,
         "forward": layer_utils.affine_norm_relu_forward,
         "backward": layer_utils.affine_norm_relu_backward,
         "init": FullyConnectedNet.__init__, "loss": FullyConnectedNet.loss}


def adam_without_bias_correction(w, dw, config=None):
    config = config if config is not None else {}
    for key, value in DEFAULTS["adam"].items():
        config.setdefault(key, value)
    m = config["beta1"] * config.get("m", 0.0) + (1 - config["beta1"]) * dw
    v = config["beta2"] * config.get("v", 0.0) + (1 - config["beta2"]) * dw * dw
    config.update(m=m, v=v, t=config.get("t", 0) + 1)
    return w - config["learning_rate"] * m / (np.sqrt(v) + config["epsilon"]), config


def adam_t_after(w, dw, config=None):
    config = config if config is not None else {}
    for key, value in DEFAULTS["adam"].items():
        config.setdefault(key, value)
    t_ = config.get("t", 0)
    m = config["beta1"] * config.get("m", 0.0) + (1 - config["beta1"]) * dw
    v = config["beta2"] * config.get("v", 0.0) + (1 - config["beta2"]) * dw * dw
    with np.errstate(all="ignore"):
        step = (m / (1 - config["beta1"] ** t_)) / (np.sqrt(v / (1 - config["beta2"] ** t_))
                                                    + config["epsilon"])
    config.update(m=m, v=v, t=t_ + 1)
    return w - config["learning_rate"] * step, config


def rmsprop_without_decay(w, dw, config=None):
    config = config if config is not None else {}
    for key, value in DEFAULTS["rmsprop"].items():
        config.setdefault(key, value)
    config["cache"] = config.get("cache", 0.0) + dw * dw
    return w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"]), \
        config


def momentum_uphill(w, dw, config=None):
    config = config if config is not None else {}
    for key, value in DEFAULTS["sgd_momentum"].items():
        config.setdefault(key, value)
    config["velocity"] = config["momentum"] * config.get("velocity", 0.0) \
        + config["learning_rate"] * dw
    return w + config["velocity"], config


def fit_with_unbiased_variance(X, method, num_components=None, eps=1e-5):
    stats = RIGHT["fit"](X, method, num_components, eps)
    if method == "standardize":
        stats["scale"] = np.sqrt(X.var(axis=0, ddof=1) + eps)
    return stats


def fit_with_increasing_eigenvalues(X, method, num_components=None, eps=1e-5):
    stats = RIGHT["fit"](X, method, num_components, eps)
    if method in ("pca", "whiten"):
        values, vectors = np.linalg.eigh(np.cov(X.T, bias=True))
        k = X.shape[1] if num_components is None else num_components
        stats["components"], stats["variances"] = vectors[:, :k], values[:k]
    return stats


def whiten_without_eps(X, stats):
    out = RIGHT["apply"](X, stats)
    if stats["method"] == "whiten":
        out = out * np.sqrt(stats["variances"] + stats["eps"]) / np.sqrt(stats["variances"])
    return out


def splits_fitted_on_themselves(X_train, X_val, X_test, method, num_components=None, eps=1e-5):
    outs = [RIGHT["apply"](X, RIGHT["fit"](X, method, num_components, eps))
            for X in (X_train, X_val, X_test)]
    return (*outs, RIGHT["fit"](X_train, method, num_components, eps))


def sandwich_without_relu(x, w, b, gamma, beta, norm_param, normalization):
    out, cache = RIGHT["forward"](x, w, b, gamma, beta, norm_param, normalization)
    return cache[2], cache       # the ReLU's input


def backward_skipping_relu(dout, cache):
    affine_cache, norm_cache, relu_cache, normalization = cache
    return RIGHT["backward"](dout, (affine_cache, norm_cache, np.ones_like(relu_cache),
                                    normalization))


def init_with_last_gamma(self, hidden_dims, *args, **kwargs):
    RIGHT["init"](self, hidden_dims, *args, **kwargs)
    if self.normalization is not None:
        L = self.num_layers
        self.params[f"gamma{L}"] = np.ones(self.params[f"b{L}"].shape, self.dtype)


def loss_without_reg(self, X, y=None):
    reg, self.reg = self.reg, 0.0
    try:
        return RIGHT["loss"](self, X, y)
    finally:
        self.reg = reg


WRONG = [
    ("adam", optim, "adam", adam_without_bias_correction, "have no bias correction"),
    ("adam", optim, "adam", adam_t_after, "only after incrementing t"),
    ("adam", optim, "adam", stub, None),
    ("rmsprop", optim, "rmsprop", rmsprop_without_decay, "which is AdaGrad"),
    ("sgd_momentum", optim, "sgd_momentum", momentum_uphill, "the steps go uphill"),
    ("nesterov_momentum", optim, "nesterov_momentum", optim.sgd_momentum,
     "the steps are those of plain momentum"),
    ("fit_preprocessing", preprocessing, "fit_preprocessing", fit_with_unbiased_variance,
     "biased variance"),
    ("fit_preprocessing", preprocessing, "fit_preprocessing", fit_with_increasing_eigenvalues,
     "DECREASING eigenvalue"),
    ("apply_preprocessing", preprocessing, "apply_preprocessing", whiten_without_eps,
     "sqrt(variances + eps)"),
    ("preprocess_splits", preprocessing, "preprocess_splits", splits_fitted_on_themselves,
     "each split was transformed with statistics fitted on itself"),
    ("affine_norm_relu_forward", layer_utils, "affine_norm_relu_forward",
     sandwich_without_relu, "apply the ReLU after the normalisation"),
    ("affine_norm_relu_backward", layer_utils, "affine_norm_relu_backward",
     backward_skipping_relu, "the gradients skip the ReLU"),
    ("FullyConnectedNet.__init__", FullyConnectedNet, "__init__", init_with_last_gamma,
     "the last affine layer (the scores) has no normalisation"),
    ("FullyConnectedNet.loss", FullyConnectedNet, "loss", loss_without_reg,
     "the loss and the gradients have no regularisation"),
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
                ")", r"\)").replace("*", r"\*").replace("+", r"\+")) as failure:
            checks.CHECKS[check]()
        assert "\n" not in str(failure.value)
    assert capsys.readouterr().err == ""


def test_judges_reveal_no_expected_value_on_hidden_inputs():
    rng = np.random.default_rng(3)
    w0, grads = rng.normal(size=5), [rng.normal(size=5) for _ in range(3)]
    hyper = DEFAULTS["adam"]
    want_ws, want_state = checks.torch_optim_run("adam", w0, grads, hyper)
    wrong = [w + 1e-3 for w in want_ws]
    for reveal in (True, False):
        with pytest.raises(AssertionError) as failure:
            checks.judge_update_rule("adam", "hidden", w0, grads, hyper, wrong, {}, want_ws,
                                     want_state, reveal=reveal)
        assert ("expected" in str(failure.value)) is reveal

    X = separated(rng, 30, 4)
    stats = checks.fit_oracle(X, "whiten", 2, 1e-5)
    want = checks.apply_oracle(X, stats)
    with pytest.raises(AssertionError) as failure:
        checks.judge_apply_preprocessing(X, stats, want * 1.01, X, want, reveal=False)
    assert "expected" not in str(failure.value)
