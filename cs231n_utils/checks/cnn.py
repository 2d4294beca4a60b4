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
with ``PASS``. When the wrong result is a usual mistake (the conv without its bias, average
instead of max pooling, the penalty missing from the gradients...), the reason starts by
naming it: the mistake catalogue, :mod:`cs231n_utils.checks.catalogue.cnn`. A function
that is not written yet raises its ``NotImplementedError`` unchanged. The checks write
nothing to stderr.

The comparisons themselves are the public ``judge_*`` functions: the visible checks call
them on their own inputs, and the trusted grader (``solutions/hidden_tests/04_cnn.py``)
calls them on hidden inputs with what the student's code returned in the sandbox, with
``reveal=False`` (the messages then name no expected value).

>>> from cs231n_utils.checks.cnn import check_conv_forward_naive
>>> check_conv_forward_naive()  # doctest: +SKIP
PASS conv_forward_naive: matches torch conv2d on 4 configurations (largest relative error 3.1e-16)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from cs231n_utils.checks.mistakes import diagnosing
from cs231n_utils.gradient_check import eval_numerical_gradient_array, rel_error

__all__ = [
    "CHECKS",
    "check_conv_backward_naive",
    "check_conv_forward_naive",
    "check_conv_output_size",
    "check_conv_param_count",
    "check_max_pool_backward_naive",
    "check_max_pool_forward_naive",
    "check_three_layer_convnet_init",
    "check_three_layer_convnet_loss",
    "judge_conv_backward",
    "judge_conv_forward",
    "judge_conv_output_size",
    "judge_conv_param_count",
    "judge_convnet_loss",
    "judge_convnet_scores",
    "judge_max_pool_backward",
    "judge_max_pool_forward",
    "judge_three_layer_convnet_init",
]

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
           tolerance: float = TOLERANCE, reveal: bool = True) -> float:
    """Assert ``rel_error(got, want) <= tolerance``; return it. ``reveal=False``: the message
    names the worst index but no value."""
    error = rel_error(got, want)
    if not error <= tolerance:
        worst = np.unravel_index(np.argmax(np.abs(got - want)), np.shape(want))
        index = tuple(int(i) for i in worst)
        if not np.ndim(want):
            where = ""
        elif reveal:
            where = (f" (e.g. at index {index}: {np.asarray(got)[worst]:.6g}, expected "
                     f"{np.asarray(want)[worst]:.6g})")
        else:
            where = f" (largest at index {index})"
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


def judge_conv_output_size(size: int, filter_size: int, stride: int, pad: int, got: Any,
                           error: str | None = None, reveal: bool = True) -> None:
    """Assert that ``conv_output_size(size, filter_size, stride, pad)`` did the right thing.

    Parameters
    ----------
    size, filter_size, stride, pad : int
        The arguments.
    got : Any
        What it returned (ignored when it raised).
    error : str or None
        The message of the ``ValueError`` it raised, or None if it returned.
    reveal : bool
        False: the message names no expected value (the trusted grader's hidden cases).

    Raises
    ------
    AssertionError
        If a valid case did not return the window count as an integer, or an invalid one
        did not raise (or raised without naming the stride when the filter fits).
    """
    call = f"conv_output_size({size}, {filter_size}, {stride}, {pad})"
    want = _positions(size, filter_size, stride, pad)
    if want is None:
        if error is None:
            ratio = (f" ((W - F + 2P) / S + 1 = {(size - filter_size + 2 * pad) / stride + 1:g})"
                     if reveal else "")
            raise AssertionError(f"{call} returned {got!r}; these do not tile the "
                                 f"input{ratio}: raise a ValueError")
        if filter_size <= size + 2 * pad:
            assert "stride" in error, (
                f"{call} raised ValueError({error!r}): name the stride in the message")
        return
    assert error is None, (
        f"{call} raised ValueError({error!r}), but these hyper-parameters tile the input: "
        "return the output size")
    assert got == want and isinstance(got, int | np.integer), (
        f"{call} returned {got!r}, "
        + (f"expected the integer {want}" if reveal else "not the right integer"))


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
                    if _positions(size, f, s, p) is None:
                        try:
                            got = conv_output_size(size, f, s, p)
                        except ValueError as error:
                            judge_conv_output_size(size, f, s, p, None, str(error))
                            continue
                        judge_conv_output_size(size, f, s, p, got)
                    got = conv_output_size(size, f, s, p)
                    judge_conv_output_size(size, f, s, p, got)
                    tried += 1
    print(f"PASS conv_output_size: the lecture's examples, {tried} valid and the invalid "
          "small cases")


def judge_conv_param_count(filter_size: int, depth: int, num_filters: int, got: Any,
                           reveal: bool = True) -> None:
    """Assert that ``got``, what ``conv_param_count(filter_size, depth, num_filters)``
    returned, is the number of parameters of ``torch.nn.Conv2d(depth, num_filters,
    filter_size)`` (``reveal=False``: the message does not say that number)."""
    layer = torch.nn.Conv2d(depth, num_filters, kernel_size=filter_size)
    want = sum(p.numel() for p in layer.parameters())
    assert got == want, (
        f"conv_param_count({filter_size}, {depth}, {num_filters}) returned {got!r}, "
        + (f"expected {want}" if reveal else "which is wrong")
        + ": F * F * D weights per filter, K filters, K biases")


def check_conv_param_count() -> None:
    """Check ``conv_param_count`` against the parameters of ``torch.nn.Conv2d``."""
    conv_param_count = _graded("conv_arithmetic", "conv_param_count")
    cases = [(3, 3, 64), (11, 3, 96), (1, 256, 64), (7, 512, 4096), (5, 1, 1)]
    for f, d, k in cases:
        judge_conv_param_count(f, d, k, conv_param_count(f, d, k))
    print(f"PASS conv_param_count: matches torch.nn.Conv2d on {len(cases)} layers")


# ------------------------------------------------------------------ convolution (3, 4)


def _conv_label(function: str, x: np.ndarray, w: np.ndarray, conv_param: dict) -> str:
    return (f"{function} with x {tuple(x.shape)}, w {tuple(w.shape)}, stride "
            f"{conv_param['stride']}, pad {conv_param['pad']}")


def judge_conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: dict,
                       out: Any, x_after: np.ndarray, w_after: np.ndarray,
                       reveal: bool = True) -> float:
    """Assert that ``out``, what ``conv_forward_naive(x, w, b, conv_param)`` returned first,
    matches ``torch.nn.functional.conv2d`` (float64) and that ``x`` and ``w`` were left as
    they were (``x_after``, ``w_after``: the arrays passed, after the call); return the
    relative error. ``reveal=False``: the message names no expected value."""
    want = functional.conv2d(_t(x), _t(w), _t(b), stride=conv_param["stride"],
                             padding=conv_param["pad"]).numpy()
    _unchanged(x, x_after, "conv_forward_naive", "x")
    _unchanged(w, w_after, "conv_forward_naive", "w")
    label = _conv_label("conv_forward_naive", x, w, conv_param)
    out = _array(out, f"{label}: out", want.shape)
    return _close(out, want, label, "out[n, f, i, j] = sum(window * w[f]) + b[f]; pad with "
                  "zeros first, move the window by stride", reveal=reveal)


def check_conv_forward_naive() -> None:
    """Check ``conv_forward_naive`` against ``torch.nn.functional.conv2d`` (float64)."""
    conv_forward_naive = _graded("layers", "conv_forward_naive")
    rng = np.random.default_rng(40)
    worst = 0.0
    for case in CONV_CASES:
        x, w, b, conv_param = _conv_case(rng, case)
        saved = x.copy(), w.copy(), b.copy()
        result = _tuple(quietly(conv_forward_naive, x, w, b, dict(conv_param)), 2,
                        "conv_forward_naive", "out, cache")
        worst = max(worst, judge_conv_forward(*saved, conv_param, result[0], x, w))
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


def judge_conv_backward(x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: dict,
                        dout: np.ndarray, grads: tuple, autograd: bool = False,
                        reveal: bool = True) -> float:
    """Assert that ``grads`` = (dx, dw, db), what ``conv_backward_naive(dout, (x, w, b,
    conv_param))`` returned, are the gradients of ``sum(conv2d(x, w, b) * dout)``; return
    the largest relative error.

    Parameters
    ----------
    x, w, b, conv_param, dout : the inputs (trusted copies).
    grads : tuple
        The three returned gradients.
    autograd : bool
        The oracle: False, numerical gradients of ``torch.nn.functional.conv2d`` (centred
        differences, tolerance ``GRAD_TOLERANCE``); True, PyTorch's autograd (``TOLERANCE``).
    reveal : bool
        False: the message names no expected value.
    """
    s, p = conv_param["stride"], conv_param["pad"]

    def conv(x_: torch.Tensor, w_: torch.Tensor, b_: torch.Tensor) -> torch.Tensor:
        return functional.conv2d(x_, w_, b_, stride=s, padding=p)

    wants = (_torch_grads if autograd else _numeric_grads)(conv, [x, w, b], dout)
    tolerance = TOLERANCE if autograd else GRAD_TOLERANCE
    label = _conv_label("conv_backward_naive", x, w, conv_param)
    hints = {"dx": "each window gets dout[n, f, i, j] * w[f]; overlapping windows add "
                   "up; drop the padding at the end",
             "dw": "w[f] gets dout[n, f, i, j] * window, summed over n, i, j",
             "db": "sum dout over N, H_out, W_out"}
    worst = 0.0
    for name, got, want in zip(("dx", "dw", "db"), grads, wants, strict=True):
        got = _array(got, f"{label}: {name}", want.shape)
        worst = max(worst, _close(got, want, f"{label}: {name}", hints[name], tolerance,
                                  reveal))
    return worst


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
        cache = (x.copy(), w.copy(), b.copy(), dict(conv_param))
        grads = _tuple(quietly(conv_backward_naive, dout.copy(), cache), 3,
                       "conv_backward_naive", "dx, dw, db")
        worst = max(worst, judge_conv_backward(x, w, b, conv_param, dout, grads))
    print(f"PASS conv_backward_naive: dx, dw, db match numerical gradients on "
          f"{len(CONV_CASES)} configurations (largest relative error {worst:.1e})")


# ------------------------------------------------------------------ max pooling (5)


def _pool_inputs(rng: np.random.Generator, case: tuple) -> tuple[np.ndarray, dict]:
    shape, ph, pw, s = case
    return rng.normal(size=shape), {"pool_height": ph, "pool_width": pw, "stride": s}


def _pool_label(function: str, x: np.ndarray, pool_param: dict) -> str:
    return (f"{function} with x {tuple(x.shape)}, pool {pool_param['pool_height']}x"
            f"{pool_param['pool_width']}, stride {pool_param['stride']}")


def _pool(pool_param: dict) -> Callable[[torch.Tensor], torch.Tensor]:
    def pool(x_: torch.Tensor) -> torch.Tensor:
        return functional.max_pool2d(x_, (pool_param["pool_height"], pool_param["pool_width"]),
                                     stride=pool_param["stride"])
    return pool


def judge_max_pool_forward(x: np.ndarray, pool_param: dict, out: Any, x_after: np.ndarray,
                           reveal: bool = True) -> float:
    """Assert that ``out``, what ``max_pool_forward_naive(x, pool_param)`` returned first,
    matches ``torch.nn.functional.max_pool2d`` and that ``x`` was left as it was
    (``x_after``: the array passed, after the call); return the relative error.
    ``reveal=False``: the message names no expected value."""
    want = _pool(pool_param)(_t(x)).numpy()
    _unchanged(x, x_after, "max_pool_forward_naive", "x")
    label = _pool_label("max_pool_forward_naive", x, pool_param)
    out = _array(out, f"{label}: out", want.shape)
    return _close(out, want, label, "each output is the max of its window, per channel",
                  reveal=reveal)


def check_max_pool_forward_naive() -> None:
    """Check ``max_pool_forward_naive`` against ``torch.nn.functional.max_pool2d``."""
    max_pool_forward_naive = _graded("layers", "max_pool_forward_naive")
    rng = np.random.default_rng(50)
    for case in POOL_CASES:
        x, pool_param = _pool_inputs(rng, case)
        saved = x.copy()
        result = _tuple(quietly(max_pool_forward_naive, x, dict(pool_param)), 2,
                        "max_pool_forward_naive", "out, cache")
        judge_max_pool_forward(saved, pool_param, result[0], x)
    print(f"PASS max_pool_forward_naive: matches torch max_pool2d on {len(POOL_CASES)} "
          "configurations")


def judge_max_pool_backward(x: np.ndarray, pool_param: dict, dout: np.ndarray, dx: Any,
                            ties: bool, autograd: bool | None = None,
                            reveal: bool = True) -> float:
    """Assert that ``dx``, what ``max_pool_backward_naive(dout, (x, pool_param))`` returned,
    is the gradient of ``sum(max_pool2d(x) * dout)``; return the relative error.

    Parameters
    ----------
    x, pool_param, dout : the inputs (trusted copies).
    dx : Any
        The returned gradient.
    ties : bool
        Whether ``x`` was made with tied maxima (for the label and the hint).
    autograd : bool or None
        The oracle: PyTorch's autograd (tolerance ``TOLERANCE``), or numerical gradients
        (``GRAD_TOLERANCE``; undefined where maxima tie). None: autograd when ``ties``.
    reveal : bool
        False: the message names no expected value.
    """
    autograd = ties if autograd is None else autograd
    (want,) = (_torch_grads if autograd else _numeric_grads)(_pool(pool_param), [x], dout)
    label = (_pool_label("max_pool_backward_naive", x, pool_param)
             + (", tied maxima" if ties else ""))
    dx = _array(dx, f"{label}: dx", x.shape)
    hint = ("only the first maximum of a window (row-major order) gets the gradient"
            if ties else "each window's gradient goes to the position of its maximum; "
                         "overlapping windows add up")
    return _close(dx, want, label, hint, TOLERANCE if autograd else GRAD_TOLERANCE, reveal)


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
        out_shape = _pool(pool_param)(_t(x)).shape
        dout = rng.normal(size=tuple(out_shape))
        result = quietly(max_pool_backward_naive, dout.copy(), (x.copy(), dict(pool_param)))
        judge_max_pool_backward(x, pool_param, dout, result, ties)
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
                  reg: float, tensors: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
    """Softmax loss plus L2 penalty of the three-layer convnet, in torch (float64); of
    ``tensors`` (made from ``params``) when given, e.g. tensors that require a gradient."""
    t = {k: _t(v) for k, v in params.items()} if tensors is None else tensors
    loss = functional.cross_entropy(_convnet_scores(X, t), torch.as_tensor(y))
    return loss + 0.5 * reg * sum((t[k] ** 2).sum() for k in ("W1", "W2", "W3"))


def judge_three_layer_convnet_init(input_dim: tuple[int, int, int], num_filters: int,
                                   filter_size: int, hidden_dim: int, num_classes: int,
                                   weight_scale: float, params: Any, check_scale: bool = True,
                                   reveal: bool = True) -> None:
    """Assert that ``params``, the ``params`` of ``ThreeLayerConvNet(input_dim, num_filters,
    filter_size, hidden_dim, num_classes, weight_scale, dtype=np.float64)``, has the six
    entries with the docstring's shapes, dtype float64, zero biases and (``check_scale``)
    weights with mean about 0 and standard deviation about ``weight_scale``.

    ``check_scale`` needs weights of a few hundred entries each to be a fair test.
    ``reveal`` is accepted for symmetry with the other judges: the messages give shapes
    and the weights' own statistics, no value of the student's to aim at.
    """
    C, H, W = input_dim
    F, fs, hidden, classes = num_filters, filter_size, hidden_dim, num_classes
    shapes = {"W1": (F, C, fs, fs), "b1": (F,), "W2": (F * (H // 2) * (W // 2), hidden),
              "b2": (hidden,), "W3": (hidden, classes), "b3": (classes,)}
    assert isinstance(params, dict) and set(params) == set(shapes), (
        f"params must have the keys {sorted(shapes)}, got "
        f"{sorted(params) if isinstance(params, dict) else params!r}")
    for name, shape in shapes.items():
        value = params[name]
        assert isinstance(value, np.ndarray) and value.shape == shape, (
            f"params[{name!r}] must have shape {shape}, got {getattr(value, 'shape', value)}")
        assert value.dtype == np.float64, (
            f"params[{name!r}] has dtype {value.dtype}, expected the dtype argument float64")
        if name.startswith("b"):
            assert not value.any(), f"params[{name!r}] must start at zero"
        elif check_scale:
            std = float(value.std())
            assert (0.8 * weight_scale < std < 1.2 * weight_scale
                    and abs(float(value.mean())) < 0.4 * weight_scale), (
                f"params[{name!r}] has mean {value.mean():.3g} and standard deviation "
                f"{std:.3g}; draw it from a normal distribution with mean 0 and standard "
                f"deviation weight_scale = {weight_scale:g}")


def check_three_layer_convnet_init() -> None:
    """Check ``ThreeLayerConvNet.__init__``: parameter names, shapes, dtype, zero biases,
    weights drawn with the standard deviation ``weight_scale``."""
    ThreeLayerConvNet = _graded("classifiers.cnn", "ThreeLayerConvNet")
    np.random.seed(0)
    C, H, W, F, fs, hidden, classes = 3, 16, 12, 20, 5, 50, 7
    model = ThreeLayerConvNet(input_dim=(C, H, W), num_filters=F, filter_size=fs,
                              hidden_dim=hidden, num_classes=classes, weight_scale=0.05,
                              dtype=np.float64)
    judge_three_layer_convnet_init((C, H, W), F, fs, hidden, classes, 0.05, model.params)
    print("PASS ThreeLayerConvNet.__init__: 6 parameters with the right shapes, dtype and "
          "scale")


def judge_convnet_scores(X: np.ndarray, params: dict[str, np.ndarray], scores: Any,
                         reveal: bool = True) -> float:
    """Assert that ``scores``, what ``ThreeLayerConvNet.loss(X)`` returned with these
    ``params``, are the network's scores computed with ``torch.nn.functional`` (float64);
    return the relative error. ``reveal=False``: the message names no expected value."""
    with torch.no_grad():
        want = _convnet_scores(X, {k: _t(v) for k, v in params.items()}).numpy()
    scores = _array(scores, "loss(X) (no labels: the scores)", want.shape)
    return _close(scores, want, "loss(X): scores",
                  "conv (stride 1, pad (F-1)//2) - relu - 2x2 max pool - affine - relu - affine",
                  reveal=reveal)


def judge_convnet_loss(X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray],
                       reg: float, loss: Any, grads: Any, autograd: bool = False,
                       reveal: bool = True) -> float:
    """Assert that ``loss, grads``, what ``ThreeLayerConvNet.loss(X, y)`` returned with these
    ``params`` and ``reg``, are the softmax loss plus L2 penalty computed with PyTorch and
    its gradients; return the largest relative error.

    Parameters
    ----------
    X, y, params, reg : the inputs (trusted copies).
    loss, grads : Any
        What came back.
    autograd : bool
        The gradients' oracle: False, numerical gradients of the PyTorch loss (tolerance
        ``GRAD_TOLERANCE``); True, PyTorch's autograd (``TOLERANCE``).
    reveal : bool
        False: the message names no expected value.
    """
    with torch.no_grad():
        want_loss = _convnet_loss(X, y, params, reg).item()
    worst = _close(float(loss), want_loss, f"loss(X, y) with reg = {reg}: loss",
                   "add 0.5 * reg * (sum(W1**2) + sum(W2**2) + sum(W3**2))", reveal=reveal)
    assert isinstance(grads, dict) and set(grads) == set(params), (
        f"loss(X, y) must return grads with the keys {sorted(params)}, got "
        f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}")
    if autograd:
        tensors = {k: _t(v, grad=True) for k, v in params.items()}
        _convnet_loss(X, y, params, reg, tensors).backward()
    for name, value in params.items():
        got = _array(grads[name], f"grads[{name!r}] (reg = {reg})", value.shape)
        if autograd:
            want = tensors[name].grad.numpy()
        else:
            def f(_: np.ndarray, name: str = name, value: np.ndarray = value) -> np.ndarray:
                with torch.no_grad():
                    loss = _convnet_loss(X, y, {**params, name: value}, reg)
                return np.array(loss.item())

            want = eval_numerical_gradient_array(f, value, np.array(1.0))
        hint = "the penalty adds reg * W to the gradient of W" if reg else ""
        worst = max(worst, _close(got, want, f"grads[{name!r}] with reg = {reg}", hint,
                                  TOLERANCE if autograd else GRAD_TOLERANCE, reveal))
    return worst


def check_three_layer_convnet_loss() -> None:
    """Check ``ThreeLayerConvNet.loss``: scores without labels, loss and gradients of all
    six parameters with labels, ``reg`` = 0 and 0.3, against the same network in PyTorch.

    The model is built here with fixed parameters (``__init__`` is not called), so only
    ``self.params``, ``self.reg`` and ``self.dtype`` may be used by ``loss``.
    """
    ThreeLayerConvNet = _graded("classifiers.cnn", "ThreeLayerConvNet")
    rng = np.random.default_rng(80)
    N, C, H, W, F, fs, hidden, classes = 4, 2, 6, 8, 3, 3, 5, 4
    X, y = rng.normal(size=(N, C, H, W)), rng.integers(0, classes, size=N)
    params = {"W1": rng.normal(size=(F, C, fs, fs)) * 0.5, "b1": rng.normal(size=F) * 0.1,
              "W2": rng.normal(size=(F * (H // 2) * (W // 2), hidden)) * 0.3,
              "b2": rng.normal(size=hidden) * 0.1,
              "W3": rng.normal(size=(hidden, classes)) * 0.5,
              "b3": rng.normal(size=classes) * 0.1}
    worst = 0.0
    for reg in (0.0, 0.3):
        model = ThreeLayerConvNet.__new__(ThreeLayerConvNet)
        model.params = {k: v.copy() for k, v in params.items()}
        model.reg, model.dtype = reg, np.float64
        judge_convnet_scores(X, params, quietly(model.loss, X.copy()))
        loss, grads = _tuple(quietly(model.loss, X.copy(), y.copy()), 2, "loss(X, y)",
                             "loss, grads")
        worst = max(worst, judge_convnet_loss(X, y, params, reg, loss, grads))
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
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.cnn);
#: the torch checks merged in are wrapped in their own module already.
CHECKS = diagnosing(ASSIGNMENT, CHECKS, globals())
