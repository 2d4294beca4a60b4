"""Visible checks of assignment 04_cnn (convolutional networks).

Each check builds its own small seeded inputs, calls exactly ONE graded function, and
compares it with an answer computed independently of the student's code:

* the conv arithmetic against counting window positions and ``torch.nn.Conv2d``'s
  parameters;
* forward passes of the naive layers against ``torch.nn.functional.conv2d`` and
  ``max_pool2d`` (float64); backward passes against numerical gradients (centred
  differences, float64) of those forward passes, and, where a numerical gradient is
  undefined (tied maxima in a pooling window), against PyTorch's autograd. A backward
  check builds the ``cache`` itself, in the format the function's docstring gives, so it
  does not depend on the student's forward;
* ``ThreeLayerConvNet.loss`` against the same network written with ``torch.nn.functional``
  (scores, loss) and the numerical gradients of that loss, on parameters set here
  (``__init__`` is not called). It uses your layers of 03 (ReLU, affine, softmax loss) as
  the docstring asks;
* the PyTorch modules (sections 10-13): :mod:`cs231n_utils.checks.cnn_torch`.

A check raises ``AssertionError`` with a one-line reason, or prints one line starting
with ``PASS``. A function that is not written yet raises its ``NotImplementedError``
unchanged. The checks write nothing to stderr.

>>> from cs231n_utils.checks.cnn import check_conv_forward_naive
>>> check_conv_forward_naive()  # doctest: +SKIP
PASS conv_forward_naive: matches torch conv2d on 4 configurations (largest relative error 3.1e-16)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch.nn import functional

from cs231n_utils.checks.cnn_torch import CHECKS as TORCH_CHECKS
from cs231n_utils.checks.cnn_torch import (  # noqa: F401 (the self-check calls them by name)
    check_inception_module,
    check_residual_block,
    check_three_layer_convnet_torch,
    check_vgg_block,
)
from cs231n_utils.checks.common import finite_array as _array
from cs231n_utils.checks.common import graded as _graded
from cs231n_utils.checks.common import quietly
from cs231n_utils.checks.common import result_tuple as _tuple
from cs231n_utils.checks.common import unchanged as _unchanged
from cs231n_utils.gradient_check import eval_numerical_gradient_array, rel_error

ASSIGNMENT = "04_cnn"

#: Largest relative error accepted between two float64 computations of the same values.
TOLERANCE = 1e-9
#: Largest relative error accepted between an analytic and a numerical gradient (float64).
GRAD_TOLERANCE = 1e-7

#: (x shape, w shape, stride, pad) of the convolutions the checks try.
CONV_CASES = [
    ((2, 3, 5, 5), (4, 3, 3, 3), 1, 1),
    ((2, 2, 7, 7), (3, 2, 3, 3), 2, 0),
    ((1, 3, 6, 8), (2, 3, 2, 4), 2, 1),
    ((3, 1, 4, 4), (2, 1, 4, 4), 1, 0),
]
#: (x shape, pool height, pool width, stride) of the poolings the checks try.
POOL_CASES = [
    ((2, 3, 4, 4), 2, 2, 2),
    ((2, 2, 5, 7), 3, 3, 2),
    ((1, 2, 6, 4), 3, 2, 1),
]


# ------------------------------------------------------------------------- helpers


def _close(got: np.ndarray, want: np.ndarray, what: str, hint: str = "",
           tolerance: float = TOLERANCE) -> float:
    error = rel_error(got, want)
    if not error <= tolerance:
        worst = np.unravel_index(np.argmax(np.abs(got - want)), np.shape(want))
        where = (f" (e.g. at index {tuple(int(i) for i in worst)}: "
                 f"{np.asarray(got)[worst]:.6g}, expected {np.asarray(want)[worst]:.6g})"
                 if np.ndim(want) else "")
        raise AssertionError(f"{what}: relative error {error:.1e} exceeds {tolerance:g}{where}"
                             + (f"; {hint}" if hint else ""))
    return error


def _t(array: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


def _conv_case(rng: np.random.Generator, case: tuple) -> tuple:
    x_shape, w_shape, stride, pad = case
    return (rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0]),
            {"stride": stride, "pad": pad})


# ---------------------------------------------------------------- arithmetic (2)


def _positions(size: int, filter_size: int, stride: int, pad: int) -> int | None:
    """Count the filter's positions by walking it over the padded input; None if the last
    step would not land exactly on the far edge."""
    starts = list(range(0, size + 2 * pad - filter_size + 1, stride))
    if not starts or starts[-1] + filter_size != size + 2 * pad:
        return None
    return len(starts)


def check_conv_output_size() -> None:
    """Check ``conv_output_size`` on the lecture's examples and on every small case, and
    that hyper-parameters that do not tile the input raise a ValueError naming them."""
    conv_output_size = _graded("conv_arithmetic", "conv_output_size")
    examples = [(7, 3, 1, 0, 5), (7, 3, 2, 0, 3), (227, 11, 4, 0, 55), (32, 5, 1, 2, 32),
                (224, 3, 1, 1, 224), (7, 7, 1, 0, 1)]
    for size, f, s, p, want in examples:
        got = conv_output_size(size, f, s, p)
        assert got == want, (f"conv_output_size({size}, {f}, {s}, {p}) returned {got!r}, "
                             f"expected {want}: (W - F + 2P) / S + 1")
    tried = 0
    for size in range(1, 12):
        for f in range(1, 6):
            for s in range(1, 4):
                for p in range(0, 3):
                    want = _positions(size, f, s, p)
                    if want is None:
                        try:
                            got = conv_output_size(size, f, s, p)
                        except ValueError as error:
                            message = str(error)
                            if f <= size + 2 * p:
                                assert "stride" in message, (
                                    f"conv_output_size({size}, {f}, {s}, {p}) raised "
                                    f"ValueError({message!r}): name the stride in the message")
                            continue
                        raise AssertionError(
                            f"conv_output_size({size}, {f}, {s}, {p}) returned {got!r}; "
                            f"these do not tile the input ((W - F + 2P) / S + 1 = "
                            f"{(size - f + 2 * p) / s + 1:g}): raise a ValueError")
                    got = conv_output_size(size, f, s, p)
                    assert got == want and isinstance(got, int | np.integer), (
                        f"conv_output_size({size}, {f}, {s}, {p}) returned {got!r}, "
                        f"expected the integer {want}")
                    tried += 1
    print(f"PASS conv_output_size: the lecture's examples, {tried} valid and the invalid "
          "small cases")


def check_conv_param_count() -> None:
    """Check ``conv_param_count`` against the parameters of ``torch.nn.Conv2d``."""
    conv_param_count = _graded("conv_arithmetic", "conv_param_count")
    cases = [(3, 3, 64), (11, 3, 96), (1, 256, 64), (7, 512, 4096), (5, 1, 1)]
    for f, d, k in cases:
        layer = torch.nn.Conv2d(d, k, kernel_size=f)
        want = sum(p.numel() for p in layer.parameters())
        got = conv_param_count(f, d, k)
        assert got == want, (f"conv_param_count({f}, {d}, {k}) returned {got!r}, expected "
                             f"{want}: F * F * D weights per filter, K filters, K biases")
    print(f"PASS conv_param_count: matches torch.nn.Conv2d on {len(cases)} layers")


# ------------------------------------------------------------------ convolution (3, 4)


def check_conv_forward_naive() -> None:
    """Check ``conv_forward_naive`` against ``torch.nn.functional.conv2d`` (float64)."""
    conv_forward_naive = _graded("layers", "conv_forward_naive")
    rng = np.random.default_rng(40)
    worst = 0.0
    for case in CONV_CASES:
        x, w, b, conv_param = _conv_case(rng, case)
        want = functional.conv2d(_t(x), _t(w), _t(b), stride=conv_param["stride"],
                                 padding=conv_param["pad"]).numpy()
        saved = x.copy(), w.copy()
        result = _tuple(quietly(conv_forward_naive, x, w, b, dict(conv_param)), 2,
                        "conv_forward_naive", "out, cache")
        _unchanged(saved[0], x, "conv_forward_naive", "x")
        _unchanged(saved[1], w, "conv_forward_naive", "w")
        label = f"conv_forward_naive with x {case[0]}, w {case[1]}, stride {case[2]}, " \
                f"pad {case[3]}"
        out = _array(result[0], f"{label}: out", want.shape)
        worst = max(worst, _close(out, want, label,
                                  "out[n, f, i, j] = sum(window * w[f]) + b[f]; pad with "
                                  "zeros first, move the window by stride"))
    print(f"PASS conv_forward_naive: matches torch conv2d on {len(CONV_CASES)} configurations "
          f"(largest relative error {worst:.1e})")


def _numeric_grads(forward: Callable[..., torch.Tensor], inputs: list[np.ndarray],
                   dout: np.ndarray) -> list[np.ndarray]:
    """Numerical gradient of ``sum(forward(*inputs) * dout)`` for each input (float64)."""
    grads = []
    for i, value in enumerate(inputs):
        def f(_: np.ndarray, i: int = i, value: np.ndarray = value) -> np.ndarray:
            args = [_t(a) for a in (*inputs[:i], value, *inputs[i + 1:])]
            return forward(*args).numpy()
        grads.append(eval_numerical_gradient_array(f, value, dout))
    return grads


def _torch_grads(forward: Callable[..., torch.Tensor], inputs: list[np.ndarray],
                 dout: np.ndarray) -> list[np.ndarray]:
    tensors = [_t(a, grad=True) for a in inputs]
    forward(*tensors).backward(_t(dout))
    return [t.grad.numpy() for t in tensors]


def check_conv_backward_naive() -> None:
    """Check ``conv_backward_naive``'s dx, dw, db against numerical gradients (float64)."""
    conv_backward_naive = _graded("layers", "conv_backward_naive")
    rng = np.random.default_rng(41)
    worst = 0.0
    for case in CONV_CASES:
        x, w, b, conv_param = _conv_case(rng, case)
        s, p = conv_param["stride"], conv_param["pad"]
        out_shape = functional.conv2d(_t(x), _t(w), _t(b), stride=s, padding=p).shape
        dout = rng.normal(size=tuple(out_shape))
        def conv(x_: torch.Tensor, w_: torch.Tensor, b_: torch.Tensor, s: int = s,
                 p: int = p) -> torch.Tensor:
            return functional.conv2d(x_, w_, b_, stride=s, padding=p)

        wants = _numeric_grads(conv, [x, w, b], dout)
        cache = (x.copy(), w.copy(), b.copy(), dict(conv_param))
        grads = _tuple(quietly(conv_backward_naive, dout.copy(), cache), 3,
                       "conv_backward_naive", "dx, dw, db")
        label = f"conv_backward_naive with x {case[0]}, w {case[1]}, stride {s}, pad {p}"
        hints = {"dx": "each window gets dout[n, f, i, j] * w[f]; overlapping windows add "
                       "up; drop the padding at the end",
                 "dw": "w[f] gets dout[n, f, i, j] * window, summed over n, i, j",
                 "db": "sum dout over N, H_out, W_out"}
        for name, got, want in zip(("dx", "dw", "db"), grads, wants, strict=True):
            got = _array(got, f"{label}: {name}", want.shape)
            worst = max(worst, _close(got, want, f"{label}: {name}", hints[name],
                                      GRAD_TOLERANCE))
    print(f"PASS conv_backward_naive: dx, dw, db match numerical gradients on "
          f"{len(CONV_CASES)} configurations (largest relative error {worst:.1e})")


# ------------------------------------------------------------------ max pooling (5)


def _pool_inputs(rng: np.random.Generator, case: tuple) -> tuple[np.ndarray, dict]:
    shape, ph, pw, s = case
    return rng.normal(size=shape), {"pool_height": ph, "pool_width": pw, "stride": s}


def check_max_pool_forward_naive() -> None:
    """Check ``max_pool_forward_naive`` against ``torch.nn.functional.max_pool2d``."""
    max_pool_forward_naive = _graded("layers", "max_pool_forward_naive")
    rng = np.random.default_rng(50)
    for case in POOL_CASES:
        x, pool_param = _pool_inputs(rng, case)
        want = functional.max_pool2d(_t(x), (case[1], case[2]), stride=case[3]).numpy()
        saved = x.copy()
        result = _tuple(quietly(max_pool_forward_naive, x, dict(pool_param)), 2,
                        "max_pool_forward_naive", "out, cache")
        _unchanged(saved, x, "max_pool_forward_naive", "x")
        label = f"max_pool_forward_naive with x {case[0]}, pool {case[1]}x{case[2]}, " \
                f"stride {case[3]}"
        out = _array(result[0], f"{label}: out", want.shape)
        _close(out, want, label, "each output is the max of its window, per channel")
    print(f"PASS max_pool_forward_naive: matches torch max_pool2d on {len(POOL_CASES)} "
          "configurations")


def check_max_pool_backward_naive() -> None:
    """Check ``max_pool_backward_naive`` against numerical gradients (distinct values,
    overlapping windows included) and, where maxima tie and a numerical gradient is
    undefined, against PyTorch's autograd (the first maximum in row-major order gets the
    gradient)."""
    max_pool_backward_naive = _graded("layers", "max_pool_backward_naive")
    rng = np.random.default_rng(51)
    cases = [(case, False) for case in POOL_CASES] + [(POOL_CASES[0], True),
                                                      (POOL_CASES[2], True)]
    for case, ties in cases:
        x, pool_param = _pool_inputs(rng, case)
        if ties:  # few distinct values: most windows hold their maximum twice or more
            x = np.round(x)
        ph, pw, s = case[1], case[2], case[3]
        out_shape = functional.max_pool2d(_t(x), (ph, pw), stride=s).shape
        dout = rng.normal(size=tuple(out_shape))
        def pool(x_: torch.Tensor, ph: int = ph, pw: int = pw, s: int = s) -> torch.Tensor:
            return functional.max_pool2d(x_, (ph, pw), stride=s)

        (want,) = (_torch_grads if ties else _numeric_grads)(pool, [x], dout)
        result = quietly(max_pool_backward_naive, dout.copy(), (x.copy(), dict(pool_param)))
        label = (f"max_pool_backward_naive with x {case[0]}, pool {ph}x{pw}, stride {s}"
                 + (", tied maxima" if ties else ""))
        dx = _array(result, f"{label}: dx", x.shape)
        hint = ("only the first maximum of a window (row-major order) gets the gradient"
                if ties else "each window's gradient goes to the position of its maximum; "
                             "overlapping windows add up")
        _close(dx, want, label, hint, TOLERANCE if ties else GRAD_TOLERANCE)
    print(f"PASS max_pool_backward_naive: matches numerical gradients on {len(POOL_CASES)} "
          "configurations (overlapping windows included) and PyTorch's autograd where maxima "
          "tie")


# ------------------------------------------------------------ three-layer convnet (8)


def _convnet_scores(X: np.ndarray, t: dict[str, torch.Tensor]) -> torch.Tensor:
    """Scores of the three-layer convnet written with torch.nn.functional."""
    pad = (t["W1"].shape[2] - 1) // 2
    h = functional.relu(functional.conv2d(_t(X), t["W1"], t["b1"], padding=pad))
    h = functional.max_pool2d(h, 2, stride=2).reshape(X.shape[0], -1)
    h = functional.relu(h @ t["W2"] + t["b2"])
    return h @ t["W3"] + t["b3"]


def _convnet_loss(X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray],
                  reg: float) -> torch.Tensor:
    """Softmax loss plus L2 penalty of the three-layer convnet, in torch (float64)."""
    t = {k: _t(v) for k, v in params.items()}
    loss = functional.cross_entropy(_convnet_scores(X, t), torch.as_tensor(y))
    return loss + 0.5 * reg * sum((t[k] ** 2).sum() for k in ("W1", "W2", "W3"))


def check_three_layer_convnet_init() -> None:
    """Check ``ThreeLayerConvNet.__init__``: parameter names, shapes, dtype, zero biases,
    weights drawn with the standard deviation ``weight_scale``."""
    from cs231n_utils.classifiers.cnn import ThreeLayerConvNet

    np.random.seed(0)
    C, H, W, F, fs, hidden, classes = 3, 16, 12, 20, 5, 50, 7
    model = ThreeLayerConvNet(input_dim=(C, H, W), num_filters=F, filter_size=fs,
                              hidden_dim=hidden, num_classes=classes, weight_scale=0.05,
                              dtype=np.float64)
    shapes = {"W1": (F, C, fs, fs), "b1": (F,), "W2": (F * (H // 2) * (W // 2), hidden),
              "b2": (hidden,), "W3": (hidden, classes), "b3": (classes,)}
    assert isinstance(model.params, dict) and set(model.params) == set(shapes), (
        f"params must have the keys {sorted(shapes)}, got "
        f"{sorted(model.params) if isinstance(model.params, dict) else model.params!r}")
    for name, shape in shapes.items():
        value = model.params[name]
        assert isinstance(value, np.ndarray) and value.shape == shape, (
            f"params[{name!r}] must have shape {shape}, got {getattr(value, 'shape', value)}")
        assert value.dtype == np.float64, (
            f"params[{name!r}] has dtype {value.dtype}, expected the dtype argument float64")
        if name.startswith("b"):
            assert not value.any(), f"params[{name!r}] must start at zero"
        else:
            std = float(value.std())
            assert 0.8 * 0.05 < std < 1.2 * 0.05 and abs(float(value.mean())) < 0.02, (
                f"params[{name!r}] has mean {value.mean():.3g} and standard deviation "
                f"{std:.3g}; draw it from a normal distribution with mean 0 and standard "
                "deviation weight_scale = 0.05")
    print("PASS ThreeLayerConvNet.__init__: 6 parameters with the right shapes, dtype and "
          "scale")


def check_three_layer_convnet_loss() -> None:
    """Check ``ThreeLayerConvNet.loss``: scores without labels, loss and gradients of all
    six parameters with labels, ``reg`` = 0 and 0.3, against the same network in PyTorch.

    The model is built here with fixed parameters (``__init__`` is not called), so only
    ``self.params``, ``self.reg`` and ``self.dtype`` may be used by ``loss``.
    """
    from cs231n_utils.classifiers.cnn import ThreeLayerConvNet

    rng = np.random.default_rng(80)
    N, C, H, W, F, fs, hidden, classes = 4, 2, 6, 8, 3, 3, 5, 4
    X, y = rng.normal(size=(N, C, H, W)), rng.integers(0, classes, size=N)
    params = {"W1": rng.normal(size=(F, C, fs, fs)) * 0.5, "b1": rng.normal(size=F) * 0.1,
              "W2": rng.normal(size=(F * (H // 2) * (W // 2), hidden)) * 0.3,
              "b2": rng.normal(size=hidden) * 0.1,
              "W3": rng.normal(size=(hidden, classes)) * 0.5,
              "b3": rng.normal(size=classes) * 0.1}
    with torch.no_grad():
        want_scores = _convnet_scores(X, {k: _t(v) for k, v in params.items()}).numpy()
    worst = 0.0
    for reg in (0.0, 0.3):
        model = ThreeLayerConvNet.__new__(ThreeLayerConvNet)
        model.params = {k: v.copy() for k, v in params.items()}
        model.reg, model.dtype = reg, np.float64
        scores = _array(quietly(model.loss, X.copy()), "loss(X) (no labels: the scores)",
                        (N, classes))
        _close(scores, want_scores, "loss(X): scores",
               "conv (stride 1, pad (F-1)//2) - relu - 2x2 max pool - affine - relu - affine")
        loss, grads = _tuple(quietly(model.loss, X.copy(), y.copy()), 2, "loss(X, y)",
                             "loss, grads")
        with torch.no_grad():
            want_loss = _convnet_loss(X, y, params, reg).item()
        worst = max(worst, _close(float(loss), want_loss,
                                  f"loss(X, y) with reg = {reg}: loss",
                                  "add 0.5 * reg * (sum(W1**2) + sum(W2**2) + sum(W3**2))"))
        assert isinstance(grads, dict) and set(grads) == set(params), (
            f"loss(X, y) must return grads with the keys {sorted(params)}, got "
            f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}")
        for name, value in params.items():
            got = _array(grads[name], f"grads[{name!r}] (reg = {reg})", value.shape)

            def f(_: np.ndarray, name: str = name, value: np.ndarray = value,
                  reg: float = reg) -> np.ndarray:
                with torch.no_grad():
                    loss = _convnet_loss(X, y, {**params, name: value}, reg)
                return np.array(loss.item())

            numeric = eval_numerical_gradient_array(f, value, np.array(1.0))
            hint = "the penalty adds reg * W to the gradient of W" if reg else ""
            worst = max(worst, _close(got, numeric, f"grads[{name!r}] with reg = {reg}",
                                      hint, GRAD_TOLERANCE))
    print(f"PASS ThreeLayerConvNet.loss: scores and loss match PyTorch, the 6 gradients "
          f"numerical gradients, reg = 0 and 0.3 (largest relative error {worst:.1e})")


CHECKS: dict[str, Callable[[], None]] = {
    "conv_output_size": check_conv_output_size,
    "conv_param_count": check_conv_param_count,
    "conv_forward_naive": check_conv_forward_naive,
    "conv_backward_naive": check_conv_backward_naive,
    "max_pool_forward_naive": check_max_pool_forward_naive,
    "max_pool_backward_naive": check_max_pool_backward_naive,
    "ThreeLayerConvNet.__init__": check_three_layer_convnet_init,
    "ThreeLayerConvNet.loss": check_three_layer_convnet_loss,
    **TORCH_CHECKS,
}
