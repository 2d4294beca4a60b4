"""Assignment 07_rnn, the vanilla RNN and the layers around it: the solutions against
PyTorch (``torch.nn.RNNCell`` and ``torch.nn.RNN`` with copied weights, ``embedding``,
``cross_entropy`` with a mask) and CS231n's published values; the ValueErrors of bad
arguments (``rnn_inputs.py``); the visible checks pass on the solutions and explain what
is wrong otherwise (a catalogued mistake named first, cs231n_utils.checks.catalogue.rnn);
the hidden tests' judges fail the same mistakes without naming an expected value (the
grader's feedback naming the same mistake), and accept every right answer.

The graded modules import as the complete solutions here (tests/conftest.py overlays them).
"""

import copy
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional

from cs231n_utils import rnn_layers
from cs231n_utils.checks import rnn as checks
from cs231n_utils.checks.mistakes import catalogue_of
from cs231n_utils.course import REPO_ROOT, SOLUTION_PACKAGE_DIR, SOLUTIONS_DIR
from cs231n_utils.course.stubs import find_regions
from cs231n_utils.course.trusted.plain import to_plain
from cs231n_utils.course.trusted.runner import _diagnosis
from cs231n_utils.course.trusted.spec import load_module

SEEDS = range(4)
OWN = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
       "word_embedding_forward", "word_embedding_backward", "temporal_affine_forward",
       "temporal_affine_backward", "temporal_softmax_loss"]


def t(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def close(a, b, tol=1e-10):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=tol, atol=tol)


def rnn_inputs(rng, N, D, H, T=None):
    x = rng.normal(size=(N, D) if T is None else (N, T, D))
    return (x, rng.normal(size=(N, H)), rng.normal(size=(D, H)) / np.sqrt(D),
            rng.normal(size=(H, H)) / np.sqrt(H), rng.normal(size=H) * 0.5)


def torch_rnn(D, H, Wx, Wh, b, cell):
    """``nn.RNNCell`` or a one-layer ``nn.RNN`` with CS231n's weights copied in."""
    module = (nn.RNNCell(D, H) if cell else nn.RNN(D, H, batch_first=True)).double()
    suffix = "" if cell else "_l0"
    with torch.no_grad():
        getattr(module, f"weight_ih{suffix}").copy_(t(Wx.T))
        getattr(module, f"weight_hh{suffix}").copy_(t(Wh.T))
        getattr(module, f"bias_ih{suffix}").copy_(t(b))
        getattr(module, f"bias_hh{suffix}").zero_()
    return module


# ------------------------------------------------- the solutions against PyTorch


@pytest.mark.parametrize("seed", SEEDS)
def test_rnn_step_matches_rnn_cell_with_copied_weights(seed):
    rng = np.random.default_rng(seed)
    N, D, H = 4, 3, 5
    x, prev_h, Wx, Wh, b = rnn_inputs(rng, N, D, H)
    dnext_h = rng.normal(size=(N, H))
    cell = torch_rnn(D, H, Wx, Wh, b, cell=True)
    tx, th = t(x, True), t(prev_h, True)
    want = cell(tx, th)
    want.backward(t(dnext_h))
    next_h, cache = rnn_layers.rnn_step_forward(x, prev_h, Wx, Wh, b)
    assert close(next_h, want.detach().numpy())
    dx, dprev_h, dWx, dWh, db = rnn_layers.rnn_step_backward(dnext_h, cache)
    assert close(dx, tx.grad.numpy()) and close(dprev_h, th.grad.numpy())
    assert close(dWx, cell.weight_ih.grad.numpy().T) and close(dWh, cell.weight_hh.grad.numpy().T)
    assert close(db, cell.bias_ih.grad.numpy())


@pytest.mark.parametrize("seed", SEEDS)
def test_rnn_sequence_matches_torch_rnn_with_copied_weights(seed):
    rng = np.random.default_rng(seed)
    N, T, D, H = 3, 6, 4, 5
    x, h0, Wx, Wh, b = rnn_inputs(rng, N, D, H, T)
    dh = rng.normal(size=(N, T, H))
    module = torch_rnn(D, H, Wx, Wh, b, cell=False)
    tx, th0 = t(x, True), t(h0[None], True)
    want, _ = module(tx, th0)
    want.backward(t(dh))
    h, cache = rnn_layers.rnn_forward(x, h0, Wx, Wh, b)
    assert close(h, want.detach().numpy())
    assert len(cache) == T and all(len(step) == 5 for step in cache)
    dx, dh0, dWx, dWh, db = rnn_layers.rnn_backward(dh, cache)
    assert close(dx, tx.grad.numpy()) and close(dh0, th0.grad.numpy()[0])
    assert close(dWx, module.weight_ih_l0.grad.numpy().T)
    assert close(dWh, module.weight_hh_l0.grad.numpy().T)
    assert close(db, module.bias_ih_l0.grad.numpy())


def test_the_published_values_of_cs231n_hold():
    names = ("x", "prev_h", "Wx", "Wh", "b")
    next_h, _ = rnn_layers.rnn_step_forward(
        *(checks._linspace(checks.PUBLISHED_STEP[k]) for k in names))
    assert np.abs(next_h - checks.PUBLISHED_STEP["next_h"]).max() < 1e-8
    names = ("x", "h0", "Wx", "Wh", "b")
    h, _ = rnn_layers.rnn_forward(*(checks._linspace(checks.PUBLISHED_SEQUENCE[k])
                                    for k in names))
    assert np.abs(h - checks.PUBLISHED_SEQUENCE["h"]).max() < 1e-8
    out, _ = rnn_layers.word_embedding_forward(np.array(checks.PUBLISHED_EMBEDDING["x"]),
                                               checks._linspace(checks.PUBLISHED_EMBEDDING["W"]))
    assert np.abs(out - checks.PUBLISHED_EMBEDDING["out"]).max() < 1e-8


def test_the_published_step_value_is_the_one_cs231n_prints():
    """The table itself (not only the code) against the formula, written out once more."""
    x = np.linspace(-0.4, 0.7, num=30).reshape(3, 10)
    prev_h = np.linspace(-0.2, 0.5, num=12).reshape(3, 4)
    Wx = np.linspace(-0.1, 0.9, num=40).reshape(10, 4)
    Wh = np.linspace(-0.3, 0.7, num=16).reshape(4, 4)
    b = np.linspace(-0.2, 0.4, num=4)
    want = [[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
            [0.66854692, 0.79562378, 0.87755553, 0.92795967],
            [0.97934501, 0.99144213, 0.99646691, 0.99854353]]
    assert np.abs(np.tanh(x @ Wx + prev_h @ Wh + b) - want).max() < 5e-9
    assert np.array_equal(checks.PUBLISHED_STEP["next_h"], want)


@pytest.mark.parametrize("seed", SEEDS)
def test_word_embedding_matches_torch_and_adds_up_repeated_words(seed):
    rng = np.random.default_rng(seed)
    N, T, V, D = 3, 7, 4, 5
    x, W, dout = rng.integers(0, V, size=(N, T)), rng.normal(size=(V, D)), rng.normal(
        size=(N, T, D))
    weight = t(W, True)
    want = functional.embedding(torch.tensor(x), weight)
    want.backward(t(dout))
    out, cache = rnn_layers.word_embedding_forward(x, W)
    assert np.array_equal(out, want.detach().numpy())
    dW = rnn_layers.word_embedding_backward(dout, cache)
    assert close(dW, weight.grad.numpy())
    for v in range(V):
        assert close(dW[v], dout[x == v].sum(axis=0))


@pytest.mark.parametrize("seed", SEEDS)
def test_temporal_affine_matches_autograd(seed):
    rng = np.random.default_rng(seed)
    N, T, D, M = 2, 5, 3, 4
    x, w, b, dout = (rng.normal(size=s) for s in ((N, T, D), (D, M), (M,), (N, T, M)))
    leaves = [t(a, True) for a in (x, w, b)]
    want = functional.linear(leaves[0], leaves[1].T, leaves[2])
    want.backward(t(dout))
    out, cache = rnn_layers.temporal_affine_forward(x, w, b)
    assert close(out, want.detach().numpy())
    for got, leaf in zip(rnn_layers.temporal_affine_backward(dout, cache), leaves, strict=True):
        assert close(got, leaf.grad.numpy())


def cross_entropy_with_ignore_index(x, y, mask):
    """Another way to mask with PyTorch: the labels of unselected positions set to
    ``ignore_index``, the sum divided by N."""
    N, T, V = x.shape
    scores = t(x, True)
    labels = torch.tensor(np.where(mask, y, -100).reshape(-1))
    loss = functional.cross_entropy(scores.reshape(-1, V), labels, ignore_index=-100,
                                    reduction="sum") / N
    loss.backward()
    return loss.item(), scores.grad.numpy()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", [0.01, 1.0, 1000.0])
def test_temporal_softmax_loss_matches_cross_entropy_with_a_mask(seed, scale):
    rng = np.random.default_rng(seed)
    N, T, V = 4, 5, 6
    x, y = rng.normal(size=(N, T, V)) * scale, rng.integers(0, V, size=(N, T))
    mask = rng.random((N, T)) < 0.5
    mask[0, 0], mask[1] = True, False
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        loss, dx = rnn_layers.temporal_softmax_loss(x, y, mask)
    want_loss, want_dx = cross_entropy_with_ignore_index(x, y, mask)
    assert isinstance(loss, float) and np.isclose(loss, want_loss, rtol=1e-12, atol=0)
    assert close(dx, want_dx, 1e-12)
    assert np.all(dx[~mask] == 0)


def test_masked_positions_change_nothing():
    rng = np.random.default_rng(5)
    N, T, V = 3, 4, 5
    x, y = rng.normal(size=(N, T, V)), rng.integers(0, V, size=(N, T))
    mask = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 0]], dtype=bool)
    loss, dx = rnn_layers.temporal_softmax_loss(x, y, mask)
    x2, y2 = x.copy(), y.copy()
    x2[~mask] = rng.normal(size=(int((~mask).sum()), V)) * 50
    y2[~mask] = (y2[~mask] + 1) % V
    loss2, dx2 = rnn_layers.temporal_softmax_loss(x2, y2, mask)
    assert loss2 == loss and np.array_equal(dx2, dx)


@pytest.mark.parametrize(("N", "T", "V", "p", "about"),
                         [(100, 1, 10, 1.0, 2.3), (100, 10, 10, 1.0, 23.0),
                          (5000, 10, 10, 0.1, 2.3)])
def test_cs231n_sanity_values_of_the_temporal_softmax_loss(N, T, V, p, about):
    rng = np.random.default_rng(0)
    x = 0.001 * rng.normal(size=(N, T, V))
    y, mask = rng.integers(0, V, size=(N, T)), rng.random((N, T)) <= p
    loss, _ = rnn_layers.temporal_softmax_loss(x, y, mask)
    assert abs(loss - about) < 0.1 * about


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_the_shared_torch_oracles_match_the_solutions(kind):
    """torch_step and torch_sequence (used by the hidden tests of every cell)."""
    rng = np.random.default_rng(17)
    N, T, D, H = 3, 4, 5, 2
    G = checks.CELL_GATES[kind]
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    Wx, Wh, b = rng.normal(size=(D, G * H)), rng.normal(size=(H, G * H)), rng.normal(size=G * H)
    dh = rng.normal(size=(N, T, H))
    h, cache = getattr(rnn_layers, f"{kind}_forward")(x, h0, Wx, Wh, b)
    want_h, want_grads = checks.torch_sequence(kind, x, h0, Wx, Wh, b, dh)
    assert close(h, want_h)
    for got, want in zip(getattr(rnn_layers, f"{kind}_backward")(dh, cache), want_grads,
                         strict=True):
        assert close(got, want)
    prev_c = rng.normal(size=(N, H)) if kind == "lstm" else None
    step = getattr(rnn_layers, f"{kind}_step_forward")
    outputs = step(x[:, 0], h0, prev_c, Wx, Wh, b) if prev_c is not None else step(
        x[:, 0], h0, Wx, Wh, b)
    upstream = [rng.normal(size=(N, H)) for _ in range(2 if kind == "lstm" else 1)]
    want_out, want_grads = checks.torch_step(kind, x[:, 0], h0, Wx, Wh, b, prev_c, upstream)
    for got, want in zip(outputs[:-1], want_out, strict=True):
        assert close(got, want)
    grads = getattr(rnn_layers, f"{kind}_step_backward")(*upstream, outputs[-1])
    for got, want in zip(grads, want_grads, strict=True):
        assert close(got, want)


# ------------------------------------------------------------- argument errors

X2, H2 = np.ones((2, 3)), np.ones((2, 4))
WX, WH, B = np.ones((3, 4)), np.ones((4, 4)), np.ones(4)
X3 = np.ones((2, 5, 3))
SCORES, LABELS, MASK = np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int), np.ones((2, 3), bool)
BAD_ARGUMENTS = [
    (lambda: rnn_layers.rnn_step_forward(np.ones(3), H2, WX, WH, B), "x must have shape (N, D)"),
    (lambda: rnn_layers.rnn_step_forward(X2, np.ones((3, 4)), WX, WH, B),
     "prev_h must have shape (N, H)"),
    (lambda: rnn_layers.rnn_step_forward(X2, H2, np.ones((4, 3)), WH, B),
     "Wx must have shape (D, columns of a vanilla RNN: H) = (3, 4)"),
    (lambda: rnn_layers.rnn_step_forward(X2, H2, WX, np.ones((4, 5)), B), "Wh must have shape"),
    (lambda: rnn_layers.rnn_step_forward(X2, H2, WX, WH, np.ones(5)), "b must have shape"),
    (lambda: rnn_layers.rnn_forward(X2, H2, WX, WH, B), "x must have shape (N, T, D)"),
    (lambda: rnn_layers.rnn_forward(np.ones((2, 0, 3)), H2, WX, WH, B), "T >= 1"),
    (lambda: rnn_layers.rnn_forward(X3, np.ones((3, 4)), WX, WH, B),
     "h0 must have shape (N, H), one row per sequence of x = (2, 4)"),
    (lambda: rnn_layers.temporal_affine_forward(X3, np.ones((4, 2)), np.ones(2)),
     "x must have shape (N, T, D) with D = 4"),
    (lambda: rnn_layers.temporal_affine_forward(X3, np.ones((3, 2)), np.ones(3)),
     "b must have shape (M,)"),
    (lambda: rnn_layers.word_embedding_forward(np.array([0, 1]), np.ones((3, 2))),
     "x must have shape (N, T)"),
    (lambda: rnn_layers.lstm_step_forward(X2, H2, H2, WX, WH, B),
     "Wx must have shape (D, columns of an LSTM: 4H (i, f, o, g))"),
    (lambda: rnn_layers.word_embedding_forward(np.array([[0.0, 1.0]]), np.ones((3, 2))),
     "x must hold integer word indices"),
    (lambda: rnn_layers.word_embedding_forward(np.array([[0, 3]]), np.ones((3, 2))),
     "outside [0, V) = [0, 3)"),
    (lambda: rnn_layers.word_embedding_forward(np.array([[-1, 0]]), np.ones((3, 2))),
     "outside [0, V)"),
    (lambda: rnn_layers.word_embedding_forward(np.array([[0, 1]]), np.ones(3)),
     "W must have shape (V, D)"),
    (lambda: rnn_layers.temporal_softmax_loss(np.zeros((2, 4)), LABELS, MASK),
     "x must have shape (N, T, V)"),
    (lambda: rnn_layers.temporal_softmax_loss(SCORES, np.zeros((3, 2), int), MASK),
     "y must have shape (N, T) = (2, 3)"),
    (lambda: rnn_layers.temporal_softmax_loss(SCORES, LABELS, np.ones(6, bool)),
     "mask must have shape (N, T) = (2, 3)"),
    (lambda: rnn_layers.temporal_softmax_loss(SCORES, LABELS + 4, MASK),
     "y must hold integer labels in [0, V) = [0, 4)"),
    (lambda: rnn_layers.temporal_softmax_loss(SCORES, LABELS - 1, MASK), "y must hold integer"),
    (lambda: rnn_layers.temporal_softmax_loss(SCORES, LABELS * 1.0, MASK), "y must hold integer"),
    (lambda: rnn_layers.temporal_softmax_loss(SCORES, LABELS, ~MASK),
     "mask selects no position"),
]


@pytest.mark.parametrize(("call", "named"), BAD_ARGUMENTS,
                         ids=[f"{i}-{n[:30]}" for i, (_, n) in enumerate(BAD_ARGUMENTS)])
def test_bad_arguments_raise_a_value_error_naming_them(call, named):
    with pytest.raises(ValueError) as error:
        call()
    assert named in str(error.value), str(error.value)


def test_an_empty_mask_is_a_clear_error_even_with_labels_out_of_the_way():
    with pytest.raises(ValueError, match="at least one word after <START>"):
        rnn_layers.temporal_softmax_loss(SCORES, LABELS, np.zeros((2, 3), bool))


# ---------------------------------------------------------------- visible checks


def graded_functions():
    names = set()
    for path in SOLUTION_PACKAGE_DIR.rglob("*.py"):
        names |= {r.function for r in find_regions(path.read_text())
                  if r.where.startswith("07_rnn,")}
    return names


def test_there_is_one_check_per_graded_function():
    assert set(checks.CHECKS) == graded_functions()
    assert list(checks.CHECKS)[:len(OWN)] == OWN          # the notebook's order
    assert checks.ASSIGNMENT == "07_rnn"


def test_the_second_files_checks_are_importable_from_the_first():
    from cs231n_utils.checks import rnn_gated

    assert not hasattr(rnn_gated, "ASSIGNMENT")
    for name, check in rnn_gated.CHECKS.items():
        assert getattr(checks, check.__name__) is check, name
    for name in checks.GATED_CHECKS:
        assert getattr(checks, name) is getattr(rnn_gated, name)
        assert name in dir(checks)
    with pytest.raises(AttributeError):
        checks.check_nothing_of_that_name  # noqa: B018


@pytest.mark.parametrize("first", ["rnn", "rnn_gated"])
def test_either_checks_module_may_be_imported_first(first):
    """rnn.py loads rnn_gated on first use, so that rnn_gated may import rnn's helpers."""
    code = (f"import cs231n_utils.checks.{first}\n"
            "from cs231n_utils.checks.rnn import CHECKS, check_lstm_forward, numeric_grads\n"
            "from cs231n_utils.checks import rnn_gated\n"
            "assert CHECKS['lstm_forward'] is rnn_gated.check_lstm_forward\n"
            "assert check_lstm_forward is rnn_gated.check_lstm_forward\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_the_hidden_tests_import_of_the_checks_does_not_load_torch():
    """The sandbox imports the hidden-test module, hence this checks module."""
    code = ("import sys, cs231n_utils.checks.rnn\n"
            "assert 'torch' not in sys.modules and 'cs231n_utils.checks.rnn_gated' not in "
            "sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


def test_the_comparison_forgives_rounding_in_small_entries_only():
    want = np.array([1.0, -1e-8, 0.5])           # -1e-8: a p - 1 with p near 1
    got = want + np.array([0.0, 3e-16, 0.0])     # its rounding
    assert checks.rel_error(got, want) > 1e-9 >= checks.relative_error(got, want)
    assert checks.relative_error(want * (1 + 3e-9), want) > 1e-9     # |g| + |w| below
    assert checks.relative_error(want + np.array([0, 1e-6, 0]), want) > 1e-9
    assert checks.relative_error(np.array(1e-8 + 1e-17), np.array(1e-8), scale=30.0) <= 1e-9
    assert np.isnan(checks.relative_error(np.array([np.nan, 0, 0]), want))


def test_the_self_check_finds_the_module():
    from cs231n_utils.selfcheck import checks_modules

    assert checks_modules()["07_rnn"] is checks


@pytest.mark.parametrize("name", OWN)
def test_every_check_passes_on_the_solutions_quietly(name, capsys):
    checks.CHECKS[name]()
    out, err = capsys.readouterr()
    assert out.startswith(f"PASS {name}") and out.count("\n") == 1, out
    assert err == ""


RIGHT = {name: getattr(rnn_layers, name) for name in OWN}


def diagnosis(name: str) -> str:
    """``'<diagnosis>: see section n "title"'`` of the catalogued mistake ``name``."""
    catalogue = catalogue_of("07_rnn")
    return catalogue.message(next(m for m in catalogue.mistakes if m.name == name))


def stub(*args, **kwargs):
    raise NotImplementedError("rnn_backward is not written yet: fill it in")


def step_forward(activation=np.tanh, bias=True, transpose_wh=False):
    def forward(x, prev_h, Wx, Wh, b):
        next_h = activation(x @ Wx + prev_h @ (Wh.T if transpose_wh else Wh)
                            + (b if bias else 0.0))
        return next_h, (x, prev_h, Wx, Wh, next_h)
    return forward


def step_backward(local="right", transpose_dwh=False, mean_db=False, dprev_untransposed=False):
    def backward(dnext_h, cache):
        x, prev_h, Wx, Wh, next_h = cache
        derivative = {"right": 1 - next_h**2, "pre-activation": 1 - np.tanh(next_h) ** 2,
                      "none": 1.0}[local]
        da = dnext_h * derivative
        dWh = prev_h.T @ da
        return (da @ Wx.T, da @ (Wh if dprev_untransposed else Wh.T), x.T @ da,
                dWh.T if transpose_dwh else dWh, da.mean(0) if mean_db else da.sum(0))
    return backward


def sequence_forward(carry=True, shifted=False, time_major=False):
    def forward(x, h0, Wx, Wh, b):
        states, h, caches = [], h0, []
        for t in range(x.shape[1]):
            prev = h if carry else h0
            h = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
            caches.append((x[:, t], prev, Wx, Wh, h))
            states.append(h)
        if shifted:
            states = [h0, *states[:-1]]
        out = np.stack(states, axis=0 if time_major else 1)
        return out, caches
    return forward


def bptt(carry=True, overwrite=False, forward_order=False, dh0_from_dh=False):
    def backward(dh, cache):
        N, T, H = dh.shape
        x0, _, Wx, Wh, _ = cache[0]
        dx = np.zeros((N, T, x0.shape[1]))
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
        dprev = np.zeros((N, H))
        for t in (range(T) if forward_order else reversed(range(T))):
            upstream = dh[:, t] + (dprev if carry else 0.0)
            dx[:, t], dprev, a, b, c = RIGHT["rnn_step_backward"](upstream, cache[t])
            if overwrite:
                dWx, dWh, db = a, b, c
            else:
                dWx, dWh, db = dWx + a, dWh + b, db + c
        return dx, dh[:, 0] if dh0_from_dh else dprev, dWx, dWh, db
    return backward


def embedding_transposed(x, W):
    return W[x.T], (x, W)


def embedding_backward_buffered(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    dW[x] += dout
    return dW


def affine_without_bias(x, w, b):
    return x @ w, (x, w, b)


def affine_backward(db_axes=(0, 1), average=False):
    def backward(dout, cache):
        x, w, b = cache
        N, T, D = x.shape
        dw = x.reshape(-1, D).T @ dout.reshape(-1, w.shape[1])
        db = dout.sum(axis=db_axes)
        return dout @ w.T, dw / (N * T) if average else dw, db / (N * T) if average else db
    return backward


def softmax_loss(divide="N", use_mask=True, mask_dx=True, shift=True, in_place=False):
    """temporal_softmax_loss with one of the catalogued mistakes."""
    def loss_fn(x, y, mask, verbose=False):
        N, T, V = x.shape
        scores = x if in_place else x.copy()
        if shift:
            scores -= scores.max(axis=2, keepdims=True)
        weights = mask if use_mask else np.ones_like(mask)
        by = {"N": N, "count": mask.sum(), "NT": N * T}[divide]
        with np.errstate(all="ignore"):       # the unshifted variant overflows: NaN
            probs = np.exp(scores) / np.exp(scores).sum(axis=2, keepdims=True)
            log_p = np.take_along_axis(scores, y[..., None], 2)[..., 0] - np.log(
                np.exp(scores).sum(axis=2))      # log p without log(0) for scores of 1000
            loss = -np.sum(log_p * weights) / by
            dx = probs.copy()
            np.put_along_axis(dx, y[..., None], np.take_along_axis(dx, y[..., None], 2) - 1, 2)
            dx = dx * ((weights if mask_dx else np.ones_like(mask))[..., None] / by)
        return float(loss), dx
    return loss_fn


WRONG = [
    ("rnn_step_forward", step_forward(activation=lambda a: np.maximum(a, 0)),
     diagnosis("rnn_step_relu")),
    ("rnn_step_forward", step_forward(bias=False), diagnosis("rnn_step_without_bias")),
    ("rnn_step_forward", step_forward(transpose_wh=True), diagnosis("rnn_step_wh_transposed")),
    ("rnn_step_forward", step_forward(activation=lambda a: a), diagnosis("rnn_step_without_tanh")),
    ("rnn_step_backward", step_backward(local="pre-activation"),
     diagnosis("rnn_step_backward_tanh_of_output")),
    ("rnn_step_backward", step_backward(local="none"), diagnosis("rnn_step_backward_without_tanh")),
    ("rnn_step_backward", step_backward(transpose_dwh=True),
     diagnosis("rnn_step_backward_dwh_transposed")),
    ("rnn_step_backward", step_backward(mean_db=True), diagnosis("rnn_step_backward_db_averaged")),
    ("rnn_step_backward", step_backward(dprev_untransposed=True),
     diagnosis("rnn_step_backward_dprev_untransposed")),
    ("rnn_forward", sequence_forward(carry=False), diagnosis("rnn_forward_without_carry")),
    ("rnn_forward", sequence_forward(shifted=True), diagnosis("rnn_forward_shifted")),
    ("rnn_forward", sequence_forward(time_major=True), "(N, T, H)"),
    ("rnn_backward", bptt(carry=False), diagnosis("rnn_backward_without_carry")),
    ("rnn_backward", bptt(overwrite=True), diagnosis("rnn_backward_first_step_only")),
    ("rnn_backward", bptt(forward_order=True), diagnosis("rnn_backward_forward_order")),
    ("rnn_backward", bptt(dh0_from_dh=True), diagnosis("rnn_backward_dh0_from_dh")),
    ("word_embedding_forward", embedding_transposed, diagnosis("embedding_transposed")),
    ("word_embedding_backward", embedding_backward_buffered,
     diagnosis("embedding_backward_buffered")),
    ("temporal_affine_forward", affine_without_bias, diagnosis("affine_without_bias")),
    ("temporal_affine_backward", affine_backward(db_axes=0), diagnosis("affine_backward_db_axis0")),
    ("temporal_affine_backward", affine_backward(average=True),
     diagnosis("affine_backward_averaged")),
    ("temporal_softmax_loss", softmax_loss(divide="count"), diagnosis("softmax_loss_by_count")),
    ("temporal_softmax_loss", softmax_loss(use_mask=False), diagnosis("softmax_loss_without_mask")),
    ("temporal_softmax_loss", softmax_loss(divide="NT"), diagnosis("softmax_loss_by_positions")),
    ("temporal_softmax_loss", softmax_loss(mask_dx=False),
     "not 0 at the positions where mask is False"),
    ("temporal_softmax_loss", softmax_loss(shift=False), "subtract each position's largest"),
    ("temporal_softmax_loss", softmax_loss(in_place=True), "changed its input x in place"),
    ("rnn_backward", stub, None),
]


@pytest.mark.parametrize(("name", "wrong", "message"), WRONG,
                         ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(WRONG)])
def test_the_checks_explain_what_is_wrong(name, wrong, message, monkeypatch, capsys):
    monkeypatch.setattr(rnn_layers, name, wrong)
    if message is None:                      # a stub: its NotImplementedError, unchanged
        with pytest.raises(NotImplementedError, match="is not written yet"):
            checks.CHECKS[name]()
    else:
        with pytest.raises(AssertionError) as failure:
            checks.CHECKS[name]()
        assert message in str(failure.value), str(failure.value)
        assert "\n" not in str(failure.value)
        named = [m for m in catalogue_of("07_rnn").of(name) if m.diagnosis in str(failure.value)]
        assert len(named) <= 1 and all(m.diagnosis in message for m in named), named
    assert capsys.readouterr().err == ""


def test_the_sequence_checks_point_at_the_step_functions(monkeypatch):
    """A wrong step forward makes rnn_forward wrong in no catalogued way: the message asks
    whether the step's own check passes."""
    monkeypatch.setattr(rnn_layers, "rnn_step_forward",
                        step_forward(activation=lambda a: np.tanh(1.1 * a)))
    with pytest.raises(AssertionError, match="is your rnn_step_forward's check passing"):
        checks.check_rnn_forward()


# ----------------------------------------------------------------- hidden tests


@pytest.fixture(scope="module")
def hidden():
    module = load_module(SOLUTIONS_DIR / "hidden_tests" / "07_rnn.py")
    return {test.grade_id: test for test in module.HIDDEN_TESTS}


def run_hidden(test):
    """Every case through the probe (in this process) and the judge, as the runner does
    (plain data in between)."""
    for case in test.cases():
        got = {k: to_plain(v) for k, v in test.probe(copy.deepcopy(case)).items()}
        test.judge(copy.deepcopy(case), got)


def run_hidden_feedback(test):
    """As :func:`run_hidden`, the first failure said as the grader says it: the catalogued
    mistake that every case's result matches first."""
    cases = test.cases()
    got = [{k: to_plain(v) for k, v in test.probe(copy.deepcopy(case)).items()}
           for case in cases]
    for case, out in zip(cases, got, strict=True):
        try:
            test.judge(copy.deepcopy(case), out)
        except AssertionError as problem:
            raise AssertionError(f"{_diagnosis('07_rnn', test, cases, got)}{problem}") from None


def test_the_hidden_tests_cover_this_files_cells(hidden):
    assert list(hidden)[:len(OWN)] == OWN
    assert all(hidden[name].function == name for name in OWN)


@pytest.mark.parametrize("name", OWN)
def test_each_hidden_test_passes_on_the_solutions(name, hidden):
    run_hidden(hidden[name])


def step_backward_factored(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h) * (1 + next_h)
    return da @ Wx.T, da @ Wh.T, np.einsum("nd,nh->dh", x, da), prev_h.T @ da, da.sum(0)


def embedding_backward_one_hot(dout, cache):
    x, W = cache
    one_hot = np.eye(W.shape[0])[x.reshape(-1)]
    return one_hot.T @ dout.reshape(-1, dout.shape[2])


def softmax_loss_by_logsumexp(x, y, mask, verbose=False):
    from scipy.special import logsumexp, softmax

    N = x.shape[0]
    log_p = x - logsumexp(x, axis=2, keepdims=True)
    loss = -np.sum(np.take_along_axis(log_p, y[..., None], 2)[..., 0][mask]) / N
    dx = softmax(x, axis=2) - np.eye(x.shape[2])[y]
    return loss, np.where(mask[..., None], dx / N, 0.0)


def rnn_backward_float32_inputs_ok(dh, cache):
    return bptt()(dh, cache)


OTHER_RIGHT = [
    ("rnn_step_backward", step_backward_factored),
    ("rnn_backward", rnn_backward_float32_inputs_ok),
    ("word_embedding_backward", embedding_backward_one_hot),
    ("temporal_softmax_loss", softmax_loss_by_logsumexp),
]


@pytest.mark.parametrize(("name", "right"), OTHER_RIGHT, ids=[n for n, _ in OTHER_RIGHT])
def test_other_right_answers_pass_the_check_and_the_hidden_test(name, right, hidden,
                                                                monkeypatch, capsys):
    monkeypatch.setattr(rnn_layers, name, right)
    checks.CHECKS[name]()
    assert capsys.readouterr().out.startswith("PASS")
    run_hidden(hidden[name])


HIDDEN_WRONG = [
    ("rnn_step_forward", step_forward(bias=False), diagnosis("rnn_step_without_bias")),
    ("rnn_step_forward", step_forward(transpose_wh=True), diagnosis("rnn_step_wh_transposed")),
    ("rnn_step_backward", step_backward(local="pre-activation"),
     diagnosis("rnn_step_backward_tanh_of_output")),
    ("rnn_step_backward", step_backward(transpose_dwh=True),
     diagnosis("rnn_step_backward_dwh_transposed")),
    ("rnn_forward", sequence_forward(carry=False), diagnosis("rnn_forward_without_carry")),
    ("rnn_backward", bptt(carry=False), diagnosis("rnn_backward_without_carry")),
    ("rnn_backward", bptt(overwrite=True), diagnosis("rnn_backward_first_step_only")),
    ("word_embedding_backward", embedding_backward_buffered,
     diagnosis("embedding_backward_buffered")),
    ("temporal_affine_forward", affine_without_bias, diagnosis("affine_without_bias")),
    ("temporal_affine_backward", affine_backward(average=True),
     diagnosis("affine_backward_averaged")),
    ("temporal_softmax_loss", softmax_loss(divide="count"), diagnosis("softmax_loss_by_count")),
    ("temporal_softmax_loss", softmax_loss(use_mask=False), diagnosis("softmax_loss_without_mask")),
    ("temporal_softmax_loss", softmax_loss(mask_dx=False), "not 0 at the positions"),
    ("temporal_softmax_loss", softmax_loss(shift=False), "subtract each position's largest"),
]


@pytest.mark.parametrize(("name", "wrong", "message"), HIDDEN_WRONG,
                         ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(HIDDEN_WRONG)])
def test_the_hidden_judges_fail_mistakes_without_revealing_values(name, wrong, message,
                                                                  hidden, monkeypatch):
    monkeypatch.setattr(rnn_layers, name, wrong)
    with pytest.raises(AssertionError) as failure:
        run_hidden_feedback(hidden[name])
    text = str(failure.value)
    assert message in text, text
    assert not re.search(r"expected [-+]?[\d.]", text) and "\n" not in text, text
