"""Assignment 04_cnn, PyTorch part: the solutions of ``classifiers/cnn_torch.py`` against
``torch.nn.functional`` on random shapes, the given networks and helpers, the training
loop, and the visible checks (they pass on the solutions and say what is wrong otherwise).

The graded modules import as the complete solutions here (tests/conftest.py overlays them).
"""

import numpy as np
import pytest
import torch
from numpy.lib.stride_tricks import sliding_window_view
from torch import nn
from torch.nn import functional

from cs231n_utils.checks import cnn_torch as checks
from cs231n_utils.classifiers import cnn_torch
from cs231n_utils.course import SOLUTION_PACKAGE_DIR
from cs231n_utils.course.stubs import find_regions, make_stub
from cs231n_utils.torch_training import (
    accuracy,
    augment_batch,
    images_to_tensor,
    prepare_data,
    train,
)

InceptionModule, ResidualBlock = cnn_torch.InceptionModule, cnn_torch.ResidualBlock
ThreeLayerConvNetTorch, VGGBlock = cnn_torch.ThreeLayerConvNetTorch, cnn_torch.VGGBlock
SmallInceptionNet, SmallResNet = cnn_torch.SmallInceptionNet, cnn_torch.SmallResNet
SmallVGGNet = cnn_torch.SmallVGGNet
count_parameters, load_numpy_params = cnn_torch.count_parameters, cnn_torch.load_numpy_params

SEEDS = range(4)
GRADED = SOLUTION_PACKAGE_DIR / "classifiers" / "cnn_torch.py"


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same seed and leaves the global state alone."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        yield


def randint(rng, low, high):
    return int(rng.integers(low, high + 1))


def assert_close(got, want, tol=1e-10):
    assert got.shape == want.shape, (got.shape, want.shape)
    torch.testing.assert_close(got, want, rtol=tol, atol=tol)


# ------------------------------------------------------------ the graded classes


@pytest.mark.parametrize("seed", SEEDS)
def test_three_layer_net_matches_functional(seed):
    rng = np.random.default_rng(seed)
    C, H, W = randint(rng, 1, 3), 2 * randint(rng, 2, 6), 2 * randint(rng, 2, 6)
    F_, k, hidden, classes = (randint(rng, 1, 6), int(rng.choice([1, 3, 5, 7])),
                              randint(rng, 1, 9), randint(rng, 2, 6))
    N = randint(rng, 1, 5)
    model = ThreeLayerConvNetTorch((C, H, W), F_, k, hidden, classes).double()
    x = torch.randn(N, C, H, W, dtype=torch.float64)
    pooled = functional.max_pool2d(functional.relu(functional.conv2d(
        x, model.conv.weight, model.conv.bias, padding=(k - 1) // 2)), 2, 2)
    hid = functional.relu(functional.linear(pooled.reshape(N, -1), model.fc1.weight,
                                            model.fc1.bias))
    want = functional.linear(hid, model.fc2.weight, model.fc2.bias)
    assert_close(model(x), want)
    D = F_ * (H // 2) * (W // 2)
    assert count_parameters(model) == F_ * C * k * k + F_ + D * hidden + hidden \
        + hidden * classes + classes


def numpy_three_layer_scores(X, p):
    """The NumPy network, written independently: conv by sliding windows, pool, affines."""
    k = p["W1"].shape[2]
    pad = (k - 1) // 2
    Xp = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(Xp, (k, k), axis=(2, 3))          # N, C, H, W, k, k
    conv = np.einsum("nchwij,fcij->nfhw", windows, p["W1"]) + p["b1"][:, None, None]
    conv = np.maximum(conv, 0)
    N, F_, H, W = conv.shape
    pooled = conv[:, :, :H // 2 * 2, :W // 2 * 2].reshape(N, F_, H // 2, 2, W // 2, 2)
    pooled = pooled.max(axis=(3, 5))
    hidden = np.maximum(pooled.reshape(N, -1) @ p["W2"] + p["b2"], 0)
    return hidden @ p["W3"] + p["b3"]


@pytest.mark.parametrize("seed", SEEDS)
def test_load_numpy_params_reproduces_the_numpy_network(seed):
    rng = np.random.default_rng(seed)
    C, H, W = randint(rng, 1, 3), 2 * randint(rng, 2, 5), 2 * randint(rng, 2, 5)
    F_, k, hidden, classes = randint(rng, 1, 5), int(rng.choice([3, 5])), randint(rng, 2, 8), 4
    D = F_ * (H // 2) * (W // 2)
    params = {"W1": rng.normal(size=(F_, C, k, k)), "b1": rng.normal(size=F_),
              "W2": rng.normal(size=(D, hidden)), "b2": rng.normal(size=hidden),
              "W3": rng.normal(size=(hidden, classes)), "b3": rng.normal(size=classes)}
    X = rng.normal(size=(3, C, H, W))
    model = ThreeLayerConvNetTorch((C, H, W), F_, k, hidden, classes).double()
    load_numpy_params(model, params)
    with torch.no_grad():
        got = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(got, numpy_three_layer_scores(X, params), rtol=1e-10,
                               atol=1e-10)


def test_load_numpy_params_names_a_wrong_shape():
    model = ThreeLayerConvNetTorch((1, 4, 4), 2, 3, 5, 3)
    params = {"W1": np.zeros((2, 1, 3, 3)), "b1": np.zeros(2), "W2": np.zeros((5, 8)),
              "b2": np.zeros(5), "W3": np.zeros((5, 3)), "b3": np.zeros(3)}
    with pytest.raises(ValueError, match=r"params\['W2.T'\] has shape \(8, 5\)"):
        load_numpy_params(model, params)


def test_three_layer_net_rejects_even_filters_and_bad_shapes():
    with pytest.raises(ValueError, match="odd"):
        ThreeLayerConvNetTorch(filter_size=4)
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        ThreeLayerConvNetTorch(input_dim=(32, 32))


@pytest.mark.parametrize("seed", SEEDS)
def test_vgg_block_matches_functional(seed):
    rng = np.random.default_rng(10 + seed)
    cin, cout, n = randint(rng, 1, 4), randint(rng, 1, 5), randint(rng, 1, 3)
    N, H, W = randint(rng, 1, 3), randint(rng, 2, 9), randint(rng, 2, 9)
    block = VGGBlock(cin, cout, n).double()
    x = torch.randn(N, cin, H, W, dtype=torch.float64)
    want = x
    for conv in block.convs:
        want = functional.relu(functional.conv2d(want, conv.weight, conv.bias, padding=1))
    want = functional.max_pool2d(want, 2, 2)
    assert_close(block(x), want)
    assert count_parameters(block) == 9 * cin * cout + cout + (n - 1) * (9 * cout**2 + cout)


@pytest.mark.parametrize("seed", SEEDS)
def test_inception_module_matches_functional(seed):
    rng = np.random.default_rng(20 + seed)
    cin, c1, c3r, c3, c5r, c5, pp = (randint(rng, 1, 5) for _ in range(7))
    N, H, W = randint(rng, 1, 3), randint(rng, 1, 8), randint(rng, 1, 8)
    m = InceptionModule(cin, c1, c3r, c3, c5r, c5, pp).double()
    x = torch.randn(N, cin, H, W, dtype=torch.float64)

    def conv(layer, inp, pad):
        return functional.relu(functional.conv2d(inp, layer.weight, layer.bias, padding=pad))

    want = torch.cat([
        conv(m.conv1, x, 0),
        conv(m.conv3, conv(m.conv3_reduce, x, 0), 1),
        conv(m.conv5, conv(m.conv5_reduce, x, 0), 2),
        conv(m.pool_proj, functional.max_pool2d(x, 3, stride=1, padding=1), 0),
    ], dim=1)
    out = m(x)
    assert out.shape == (N, c1 + c3 + c5 + pp, H, W)
    assert_close(out, want)
    assert count_parameters(m) == (cin + 1) * (c1 + c3r + c5r + pp) + (9 * c3r + 1) * c3 \
        + (25 * c5r + 1) * c5


def randomise(bn):
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.normal_()
        bn.running_mean.normal_()
        bn.running_var.uniform_(0.5, 2.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_residual_block_matches_functional_in_both_modes(seed):
    rng = np.random.default_rng(30 + seed)
    cin = randint(rng, 1, 4)
    cout = cin if seed % 2 == 0 else randint(rng, 1, 5)
    stride = 1 if seed == 0 else randint(rng, 1, 3)
    N, H, W = randint(rng, 2, 3), randint(rng, 1, 9), randint(rng, 1, 9)
    block = ResidualBlock(cin, cout, stride).double()
    identity = cin == cout and stride == 1
    assert (block.shortcut is None) == identity
    bns = [block.bn1, block.bn2] + ([] if identity else [block.shortcut[1]])
    for bn in bns:
        randomise(bn)
    x = torch.randn(N, cin, H, W, dtype=torch.float64)
    for training in (True, False):
        block.train(training)
        stats = [(bn.running_mean.clone(), bn.running_var.clone()) for bn in bns]

        def bn(t, i, stats=stats, training=training):
            mean, var = stats[i]
            layer = bns[i]
            return functional.batch_norm(t, mean, var, layer.weight, layer.bias, training,
                                         layer.momentum, layer.eps)

        with torch.no_grad():
            r = functional.relu(bn(functional.conv2d(x, block.conv1.weight, stride=stride,
                                                     padding=1), 0))
            r = bn(functional.conv2d(r, block.conv2.weight, padding=1), 1)
            s = x if identity else bn(functional.conv2d(x, block.shortcut[0].weight,
                                                        stride=stride), 2)
            want = functional.relu(r + s)
            out = block(x)
        assert out.shape == (N, cout, (H - 1) // stride + 1, (W - 1) // stride + 1)
        assert_close(out, want)
        for layer, (mean, var) in zip(bns, stats, strict=True):   # same running statistics
            assert_close(layer.running_mean, mean)
            assert_close(layer.running_var, var)
    count = 9 * cin * cout + 9 * cout * cout + 4 * cout + (0 if identity else cin * cout + 2 * cout)
    assert count_parameters(block) == count


def test_residual_block_with_a_silent_residual_path_is_relu_of_the_shortcut():
    block = ResidualBlock(3, 3).double().eval()
    with torch.no_grad():
        block.bn2.weight.zero_()
    x = torch.randn(2, 3, 5, 5, dtype=torch.float64)
    assert_close(block(x), functional.relu(x), tol=0)


# ---------------------------------------------------------------- the given networks


def test_small_networks_give_scores_and_gap_saves_parameters():
    x = torch.randn(3, 1, 28, 28)
    for net in (SmallVGGNet(), SmallInceptionNet(), SmallResNet(),
                SmallResNet(head="flatten", input_size=(28, 28)),
                SmallResNet(widths=(4, 8), blocks_per_stage=2, stem_pool=False,
                            head="flatten", input_size=(28, 28))):
        assert net(x).shape == (3, 10)
    gap, flat = SmallResNet(), SmallResNet(head="flatten", input_size=(28, 28))
    # 28 -> 14 (stem pool) -> 14 -> 7 -> 4: the flatten head sees 32 * 4 * 4 numbers
    assert count_parameters(flat) - count_parameters(gap) == 32 * 4 * 4 * 10 - 32 * 10
    assert count_parameters(SmallResNet(), trainable_only=False) == count_parameters(gap)


def test_count_parameters_counts_trainable_parameters_only_by_default():
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    net[0].bias.requires_grad_(False)
    assert count_parameters(net) == 12 + 8
    assert count_parameters(net, trainable_only=False) == 12 + 4 + 8


def test_small_network_arguments_are_checked():
    with pytest.raises(ValueError, match="input_size"):
        SmallResNet(head="flatten")
    with pytest.raises(ValueError, match="head"):
        SmallResNet(head="mean")
    with pytest.raises(ValueError, match="widths"):
        SmallResNet(widths=())
    with pytest.raises(ValueError, match="num_convs"):
        VGGBlock(3, 4, 0)


# --------------------------------------------------------------------- the stub


def test_graded_regions_and_checks_agree_and_the_stub_compiles():
    source = GRADED.read_text()
    functions = {region.function for region in find_regions(source)}
    assert functions == set(checks.CHECKS)
    assert not hasattr(checks, "ASSIGNMENT")           # merged into checks/cnn.py
    assert all(r.where.startswith("04_cnn, section 1") for r in find_regions(source))
    stub = make_stub(source)
    namespace: dict = {}
    exec(compile(stub, "cnn_torch_stub.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="VGGBlock.__init__ is not written yet"):
        namespace["VGGBlock"](3, 4, 2)


# ------------------------------------------------------------------ the training loop


def tiny_data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=n)
    X = rng.normal(size=(n, 6, 6, 1)) * 20 + 100
    X[:, :2, :, 0] += 60 * (y == 1)[:, None, None]          # learnable: a bright band
    X[:, 4:, :, 0] += 60 * (y == 2)[:, None, None]
    return {"X_train": X[:64], "y_train": y[:64], "X_val": X[64:80], "y_val": y[64:80],
            "X_test": X[80:], "y_test": y[80:], "class_names": ["a", "b", "c"]}


def tiny_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 36, 3))


def test_prepare_data_standardises_and_transposes():
    data = tiny_data()
    prepared = prepare_data(data)
    assert prepared["X_train"].shape == (64, 1, 6, 6)
    assert prepared["X_train"].dtype == torch.float32
    assert prepared["y_val"].dtype == torch.int64
    assert abs(float(prepared["X_train"].mean())) < 1e-4
    assert abs(float(prepared["X_train"].std()) - 1) < 2e-2
    same = images_to_tensor(data["X_test"], prepared["mean"], prepared["std"])
    assert torch.equal(same, prepared["X_test"])


def test_training_is_deterministic_and_learns(capsys):
    runs = []
    for _ in range(2):
        model = tiny_model()
        runs.append((train(model, tiny_data(), epochs=3, lr=1e-2, batch_size=16, seed=5,
                           progress=False, augment=True, augment_shift=1), model))
    (h1, m1), (h2, m2) = runs
    assert h1["loss"] == h2["loss"] and h1["val_acc"] == h2["val_acc"]
    assert len(h1["loss"]) == 3 * 4 == 3 * h1["iterations_per_epoch"]
    assert len(h1["train_acc"]) == len(h1["val_acc"]) == 3
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert torch.equal(p1, p2)
    other = train(tiny_model(), tiny_data(), epochs=3, lr=1e-2, batch_size=16, seed=6,
                  progress=False)
    assert other["loss"] != h1["loss"]
    assert h1["val_acc"][-1] > 0.6
    assert capsys.readouterr().err == ""


def test_training_with_sgd_and_a_progress_bar_and_accuracy_by_hand(capsys):
    data = prepare_data(tiny_data())
    model = tiny_model()
    history = train(model, data, epochs=2, lr=0.05, optimizer="sgd", batch_size=32,
                    lr_decay=0.5, progress=True)
    assert "training" in capsys.readouterr().err      # tqdm writes its bar to stderr
    assert np.isfinite(history["loss"]).all()
    model.train()
    with torch.no_grad():
        want = float((model.eval()(data["X_test"]).argmax(1) == data["y_test"]).double().mean())
    model.train()
    assert accuracy(model, data["X_test"], data["y_test"], batch_size=5) == want
    assert model.training                              # the mode is restored


def test_training_arguments_are_checked():
    with pytest.raises(ValueError, match="optimizer"):
        train(tiny_model(), tiny_data(), epochs=1, lr=1e-3, optimizer="rmsprop")
    with pytest.raises(ValueError, match="epochs"):
        train(tiny_model(), tiny_data(), epochs=0, lr=1e-3)
    with pytest.raises(KeyError, match="X_val"):
        train(tiny_model(), {"X_train": 0, "y_train": 0}, epochs=1, lr=1e-3)


def test_augment_batch_flips_and_shifts_only():
    g = torch.Generator().manual_seed(0)
    x = torch.arange(2 * 1 * 5 * 5, dtype=torch.float32).reshape(2, 1, 5, 5) + 1
    out = augment_batch(x, g, shift=0)
    for i in range(2):
        assert torch.equal(out[i], x[i]) or torch.equal(out[i], x[i].flip(2))
    shifted = augment_batch(x, g, shift=1)
    assert shifted.shape == x.shape
    assert set(shifted.unique().tolist()) <= set(x.unique().tolist()) | {0.0}


# --------------------------------------------------------------------- the checks


@pytest.mark.parametrize("name", sorted(set(checks.CHECKS.values()), key=lambda f: f.__name__),
                         ids=lambda f: f.__name__)
def test_every_check_passes_on_the_solutions_quietly(name, capsys):
    state = torch.random.get_rng_state()
    name()
    out, err = capsys.readouterr()
    assert out.startswith("PASS ") and out.count("\n") == 1, out
    assert err == ""
    assert torch.equal(state, torch.random.get_rng_state())   # the caller's randomness kept


RIGHT = {cls: (cls.__init__, cls.forward) for cls in
         (ThreeLayerConvNetTorch, VGGBlock, InceptionModule, ResidualBlock)}


def three_layer_no_hidden_relu(self, x):
    pooled = functional.max_pool2d(functional.relu(self.conv(x)), 2, 2)
    return self.fc2(self.fc1(pooled.flatten(1)))


def three_layer_hwc(self, x):
    pooled = functional.max_pool2d(functional.relu(self.conv(x)), 2, 2)
    return self.fc2(functional.relu(self.fc1(pooled.permute(0, 2, 3, 1).flatten(1))))


def three_layer_fixed_padding(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7,
                              hidden_dim=100, num_classes=10):
    RIGHT[ThreeLayerConvNetTorch][0](self, input_dim, num_filters, filter_size, hidden_dim,
                                     num_classes)
    self.conv.padding = (3, 3)                         # right for 7x7 only


def three_layer_named_differently(self, *args):
    RIGHT[ThreeLayerConvNetTorch][0](self, *args)
    self.conv1 = self.conv
    del self.conv


def vgg_no_relu(self, x):
    for conv in self.convs:
        x = conv(x)
    return functional.max_pool2d(x, 2, 2)


def vgg_no_padding(self, in_channels, out_channels, num_convs):
    RIGHT[VGGBlock][0](self, in_channels, out_channels, num_convs)
    for conv in self.convs:
        conv.padding = (0, 0)


def vgg_avg_pool(self, x):
    for conv in self.convs:
        x = functional.relu(conv(x))
    return functional.avg_pool2d(x, 2, 2)


def inception_branches(self, x):
    relu = functional.relu
    return [relu(self.conv1(x)), relu(self.conv3(relu(self.conv3_reduce(x)))),
            relu(self.conv5(relu(self.conv5_reduce(x)))),
            relu(self.pool_proj(functional.max_pool2d(x, 3, 1, 1)))]


def inception_wrong_order(self, x):
    b1, b3, b5, bp = inception_branches(self, x)
    return torch.cat([b3, b1, b5, bp], dim=1)


def inception_no_inner_relu(self, x):
    relu = functional.relu
    b1, _, _, bp = inception_branches(self, x)
    return torch.cat([b1, relu(self.conv3(self.conv3_reduce(x))),
                      relu(self.conv5(self.conv5_reduce(x))), bp], dim=1)


def inception_pool_without_padding(self, x):
    b1, b3, b5, _ = inception_branches(self, x)
    bp = functional.relu(self.pool_proj(functional.max_pool2d(x, 3, 1)))
    return torch.cat([b1, b3, b5, bp], dim=1)


def residual_path(self, x):
    return self.bn2(self.conv2(functional.relu(self.bn1(self.conv1(x)))))


def residual_no_shortcut(self, x):
    return functional.relu(residual_path(self, x))


def residual_relu_before_add(self, x):
    skip = x if self.shortcut is None else self.shortcut(x)
    return functional.relu(residual_path(self, x)) + skip


def residual_always_projection(self, in_channels, out_channels, stride=1):
    RIGHT[ResidualBlock][0](self, in_channels, out_channels, stride)
    self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                  nn.BatchNorm2d(out_channels))


def residual_eval_statistics_always(self, x):
    def bn(layer, t):
        return functional.batch_norm(t, layer.running_mean, layer.running_var, layer.weight,
                                     layer.bias, False, 0.0, layer.eps)

    r = bn(self.bn2, self.conv2(functional.relu(bn(self.bn1, self.conv1(x)))))
    skip = x if self.shortcut is None else bn(self.shortcut[1], self.shortcut[0](x))
    return functional.relu(r + skip)


def stub(self, *args, **kwargs):
    raise NotImplementedError("VGGBlock.forward is not written yet: fill it in, guided by "
                              "04_cnn, section 11")


#: Wrong code as a student writes it, and what the message must say (the forward mistakes:
#: the diagnosis of the catalogue, cs231n_utils.checks.catalogue.cnn).
WRONG = [
    (ThreeLayerConvNetTorch, "forward", three_layer_no_hidden_relu,
     "the scores are what you get without the ReLU after fc1: see section 10"),
    (ThreeLayerConvNetTorch, "forward", three_layer_hwc,
     "the scores are what you get when the pooled maps are flattened in (H, W, F) order"),
    (ThreeLayerConvNetTorch, "__init__", three_layer_fixed_padding, "raised RuntimeError"),
    (ThreeLayerConvNetTorch, "__init__", three_layer_named_differently, "no attribute 'conv'"),
    (VGGBlock, "forward", vgg_no_relu,
     "the output is what you get without the ReLUs: each 3x3 convolution"),
    (VGGBlock, "__init__", vgg_no_padding, "padding=1"),
    (VGGBlock, "forward", vgg_avg_pool,
     "the output is what you get with average instead of max pooling: end with"),
    (InceptionModule, "forward", inception_wrong_order,
     "concatenated in the order conv3, conv1, conv5, pool_proj"),
    (InceptionModule, "forward", inception_no_inner_relu,
     "without the ReLU after the 1x1 reductions (conv3_reduce, conv5_reduce): see section 12"),
    (InceptionModule, "forward", inception_pool_without_padding, "every branch must keep H and W"),
    (ResidualBlock, "forward", residual_no_shortcut,
     "the output is what you get without the shortcut: add x"),
    (ResidualBlock, "forward", residual_relu_before_add,
     "the output is what you get when the ReLU comes before the addition"),
    (ResidualBlock, "__init__", residual_always_projection, "must be None"),
    (ResidualBlock, "forward", residual_eval_statistics_always,
     "batch norm in evaluation mode (running statistics) while the block is training"),
    (VGGBlock, "forward", stub, None),
]


@pytest.mark.parametrize(("owner", "attribute", "wrong", "message"), WRONG,
                         ids=[w[2].__name__ for w in WRONG])
def test_checks_explain_what_is_wrong(owner, attribute, wrong, message, monkeypatch, capsys):
    monkeypatch.setattr(owner, attribute, wrong)
    check = checks.CHECKS[f"{owner.__name__}.{attribute}"]
    if message is None:                      # a stub: its NotImplementedError, unchanged
        with pytest.raises(NotImplementedError, match="is not written yet"):
            check()
    else:
        with pytest.raises(AssertionError) as failure:
            check()
        assert message in str(failure.value), str(failure.value)
        assert "\n" not in str(failure.value)
    assert capsys.readouterr().err == ""


def test_the_checks_module_is_importable_without_a_graded_module():
    # checks look the classes up when they run, so an unfinished stub does not break import
    assert checks._graded("VGGBlock") is cnn_torch.VGGBlock
