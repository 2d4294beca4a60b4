"""Hidden tests of 04_cnn, decided by the trusted grader (see cs231n_utils.course.trusted).

Inputs are made here with fixed seeds. Probes run in the sandbox: they call the student's
function or build the student's module (float64, under a fixed torch seed) and send back
what came out, as plain data. Judges run on the trusted side and use the visible checks'
comparisons with ``reveal=False``: ``cs231n_utils.checks.cnn`` (conv arithmetic, the naive
layers and ``ThreeLayerConvNet``, against PyTorch) and ``cs231n_utils.checks.cnn_torch``
(the PyTorch modules, rebuilt from their parameters as a ``PlainModule`` and compared with
``torch.nn.functional``).
"""

from types import SimpleNamespace

import numpy as np
import torch

from cs231n_utils.checks.cnn import (
    judge_conv_backward,
    judge_conv_forward,
    judge_conv_output_size,
    judge_conv_param_count,
    judge_convnet_loss,
    judge_convnet_scores,
    judge_max_pool_backward,
    judge_max_pool_forward,
    judge_three_layer_convnet_init,
)
from cs231n_utils.checks.cnn_torch import (
    PlainModule,
    judge_inception_module,
    judge_residual_block,
    judge_three_layer_convnet_torch,
    judge_vgg_block,
    plain_run,
)
from cs231n_utils.checks.mistakes import Call, hidden_call
from cs231n_utils.course.trusted import HiddenTest

# ------------------------------------------------------------------ shared helpers


def _returned(result, count: int, **parts: int) -> dict:
    """Sandbox side: the type (and length) of what a function returned, and the items at
    the positions ``parts`` names when it is a tuple of ``count`` (None items left out)."""
    out = {"returned": type(result).__name__}
    if isinstance(result, tuple | list):
        out["returned_len"] = len(result)
        if len(result) == count:
            out.update({name: result[i] for name, i in parts.items() if result[i] is not None})
    return out


def _mapping(value, prefix: str) -> dict:
    """Sandbox side: a dict the student's code made (keys, values, types of the values),
    or the type of what it is instead."""
    if not isinstance(value, dict):
        return {f"{prefix}_type": type(value).__name__}
    out = {f"{prefix}_keys": np.array([str(k) for k in value], dtype=str)}
    for key, item in value.items():
        name = str(key)
        if name.isidentifier() and len(name) <= 40:
            out[f"{prefix}_kind:{name}"] = type(item).__name__
            if item is not None:
                out[f"{prefix}:{name}"] = item
    return out


class _Described:
    """Stands for a value that did not come back as data: prints as its description."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def _mapping_from(got: dict, prefix: str, arrays_only: bool = False):
    """Trusted side: the dict :func:`_mapping` sent, rebuilt (values that were not NumPy
    arrays become descriptions when ``arrays_only``), or a description of what it was."""
    if f"{prefix}_type" in got:
        return _Described(f"a {got[f'{prefix}_type']}")
    out = {}
    for key in got[f"{prefix}_keys"].tolist():
        kind = str(got.get(f"{prefix}_kind:{key}", "NoneType"))
        value = got.get(f"{prefix}:{key}")
        if kind != "NoneType" and (value is None or (arrays_only and kind != "ndarray")):
            value = _Described(f"a {kind}")
        out[key] = value
    return out


def _expect_tuple(got: dict, count: int, function: str, names: str) -> None:
    """Trusted side: the same failure as the visible checks' when a function does not
    return a tuple of ``count``."""
    kind, length = str(got["returned"]), int(got.get("returned_len", -1))
    assert kind in ("tuple", "list") and length == count, (
        f"{function} must return a tuple ({names}); got {kind}"
        + (f" of length {length}" if length >= 0 else ""))


def _ints(case, *keys: str) -> list[int]:
    return [int(case[k]) for k in keys]


def _value(array):
    """A 0-d array as its Python scalar (so a float shows as 3.0 and an int as 3)."""
    if array is None:
        return None
    return array.item() if array.ndim == 0 else array


# ---------------------------------------------------------------- conv arithmetic


def output_size_cases() -> list[dict]:
    """300 random (size, filter, stride, pad), about half of which do not tile."""
    rng = np.random.default_rng(4000)
    out = []
    for _ in range(300):
        size, f = int(rng.integers(1, 300)), int(rng.integers(1, 12))
        s, p = int(rng.integers(1, 6)), int(rng.integers(0, 5))
        out.append({"size": np.array(size), "f": np.array(f), "s": np.array(s),
                    "p": np.array(p)})
    return out


def probe_conv_output_size(case):
    from cs231n_utils.conv_arithmetic import conv_output_size

    args = (int(case["size"]), int(case["f"]), int(case["s"]), int(case["p"]))
    try:
        got = conv_output_size(*args)
    except ValueError as error:  # anything else (NotImplementedError) fails the test
        return {"error": str(error)[:500]}
    return {} if got is None else {"out": got}


def judge_conv_output_size_case(case, got):
    judge_conv_output_size(int(case["size"]), int(case["f"]), int(case["s"]), int(case["p"]),
                           _value(got.get("out")),
                           str(got["error"]) if "error" in got else None, reveal=False)


def call_conv_output_size(case, got) -> Call:
    """Trusted side: the call one case made, for the mistake catalogue (a case that raised
    returned nothing, which no catalogued variant reproduces)."""
    return hidden_call(_ints(case, "size", "f", "s", "p"), _value(got.get("out")))


def param_count_cases() -> list[dict]:
    rng = np.random.default_rng(4010)
    return [dict(zip("fdk", (np.array(int(n)) for n in rng.integers(1, 20, size=3)),
                     strict=True)) for _ in range(10)]


def probe_conv_param_count(case):
    from cs231n_utils.conv_arithmetic import conv_param_count

    got = conv_param_count(int(case["f"]), int(case["d"]), int(case["k"]))
    return {} if got is None else {"out": got}


def judge_conv_param_count_case(case, got):
    judge_conv_param_count(int(case["f"]), int(case["d"]), int(case["k"]),
                           _value(got.get("out")), reveal=False)


def call_conv_param_count(case, got) -> Call:
    return hidden_call(_ints(case, "f", "d", "k"), _value(got.get("out")))


# ------------------------------------------------------------------- naive layers


def _conv_shapes(rng: np.random.Generator) -> tuple:
    """Random convolution shapes whose stride and padding tile the input."""
    N, C, F = (int(n) for n in rng.integers(1, 4, size=3))
    HH, WW = (int(n) for n in rng.integers(1, 5, size=2))
    s, p = int(rng.integers(1, 4)), int(rng.integers(0, 3))
    H = max(HH - 2 * p, 0) + s * int(rng.integers(1, 4))
    W = max(WW - 2 * p, 0) + s * int(rng.integers(1, 4))
    H += (HH - 2 * p - H) % s  # (H + 2p - HH) a multiple of s
    W += (WW - 2 * p - W) % s
    return N, C, F, H, W, HH, WW, s, p


def conv_cases(seed: int, backward: bool) -> list[dict]:
    out = []
    for case in range(5):
        rng = np.random.default_rng(seed + case)
        N, C, F, H, W, HH, WW, s, p = _conv_shapes(rng)
        data = {"x": rng.normal(size=(N, C, H, W)), "w": rng.normal(size=(F, C, HH, WW)),
                "b": rng.normal(size=F), "stride": np.array(s), "pad": np.array(p)}
        if backward:
            data["dout"] = rng.normal(size=(N, F, (H + 2 * p - HH) // s + 1,
                                            (W + 2 * p - WW) // s + 1))
        out.append(data)
    return out


def _conv_param(case) -> dict:
    return {"stride": int(case["stride"]), "pad": int(case["pad"])}


def probe_conv_forward(case):
    from cs231n_utils.layers import conv_forward_naive

    x, w, b = case["x"].copy(), case["w"].copy(), case["b"].copy()
    with np.errstate(all="ignore"):
        result = conv_forward_naive(x, w, b, _conv_param(case))
    return {**_returned(result, 2, out=0), "x_after": x, "w_after": w}


def judge_conv_forward_case(case, got):
    _expect_tuple(got, 2, "conv_forward_naive", "out, cache")
    judge_conv_forward(case["x"], case["w"], case["b"], _conv_param(case), got.get("out"),
                       got["x_after"], got["w_after"], reveal=False)


def call_conv_forward(case, got) -> Call:
    return hidden_call((case["x"], case["w"], case["b"], _conv_param(case)),
                       (got.get("out"), None))


def probe_conv_backward(case):
    from cs231n_utils.layers import conv_backward_naive

    cache = (case["x"].copy(), case["w"].copy(), case["b"].copy(), _conv_param(case))
    with np.errstate(all="ignore"):
        result = conv_backward_naive(case["dout"].copy(), cache)
    return _returned(result, 3, dx=0, dw=1, db=2)


def judge_conv_backward_case(case, got):
    _expect_tuple(got, 3, "conv_backward_naive", "dx, dw, db")
    judge_conv_backward(case["x"], case["w"], case["b"], _conv_param(case), case["dout"],
                        (got.get("dx"), got.get("dw"), got.get("db")), autograd=True,
                        reveal=False)


def call_conv_backward(case, got) -> Call:
    cache = (case["x"], case["w"], case["b"], _conv_param(case))
    return hidden_call((case["dout"], cache), (got.get("dx"), got.get("dw"), got.get("db")))


def pool_cases(seed: int, count: int, backward: bool) -> list[dict]:
    """Random pooling windows and strides (overlapping too); odd cases of the backward
    pass have tied maxima (rounded inputs)."""
    out = []
    for case in range(count):
        rng = np.random.default_rng(seed + case)
        ph, pw, s = (int(n) for n in rng.integers(1, 4, size=3))
        H, W = ph + s * int(rng.integers(0, 4)), pw + s * int(rng.integers(0, 4))
        x = rng.normal(size=(int(rng.integers(1, 4)), int(rng.integers(1, 4)), H, W))
        ties = backward and case % 2 == 1
        data = {"x": np.round(x) if ties else x, "pool_height": np.array(ph),
                "pool_width": np.array(pw), "stride": np.array(s), "ties": np.array(ties)}
        if backward:
            data["dout"] = rng.normal(size=x.shape[:2] + ((H - ph) // s + 1,
                                                          (W - pw) // s + 1))
        out.append(data)
    return out


def _pool_param(case) -> dict:
    return {key: int(case[key]) for key in ("pool_height", "pool_width", "stride")}


def probe_max_pool_forward(case):
    from cs231n_utils.layers import max_pool_forward_naive

    x = case["x"].copy()
    with np.errstate(all="ignore"):
        result = max_pool_forward_naive(x, _pool_param(case))
    return {**_returned(result, 2, out=0), "x_after": x}


def judge_max_pool_forward_case(case, got):
    _expect_tuple(got, 2, "max_pool_forward_naive", "out, cache")
    judge_max_pool_forward(case["x"], _pool_param(case), got.get("out"), got["x_after"],
                           reveal=False)


def call_max_pool_forward(case, got) -> Call:
    return hidden_call((case["x"], _pool_param(case)), (got.get("out"), None))


def probe_max_pool_backward(case):
    from cs231n_utils.layers import max_pool_backward_naive

    with np.errstate(all="ignore"):
        dx = max_pool_backward_naive(case["dout"].copy(), (case["x"].copy(), _pool_param(case)))
    return {} if dx is None else {"dx": dx}


def judge_max_pool_backward_case(case, got):
    judge_max_pool_backward(case["x"], _pool_param(case), case["dout"], got.get("dx"),
                            bool(case["ties"]), autograd=True, reveal=False)


def call_max_pool_backward(case, got) -> Call:
    return hidden_call((case["dout"], (case["x"], _pool_param(case))), got.get("dx"))


# ------------------------------------------------------------ ThreeLayerConvNet


def convnet_init_cases() -> list[dict]:
    """Three small random nets (layout only), and one large enough to test the weights'
    scale."""
    out = []
    for case in range(3):
        rng = np.random.default_rng(4500 + case)
        C, F, hidden, classes = (int(n) for n in rng.integers(1, 9, size=4))
        H, W = (2 * int(n) for n in rng.integers(2, 6, size=2))
        out.append({"input_dim": np.array([C, H, W]), "num_filters": np.array(F),
                    "filter_size": np.array(int(rng.choice([1, 3, 5]))),
                    "hidden_dim": np.array(hidden), "num_classes": np.array(classes),
                    "weight_scale": np.array(0.1), "seed": np.array(case),
                    "check_scale": np.array(False)})
    out.append({"input_dim": np.array([3, 8, 10]), "num_filters": np.array(24),
                "filter_size": np.array(5), "hidden_dim": np.array(40),
                "num_classes": np.array(12), "weight_scale": np.array(0.02),
                "seed": np.array(4503), "check_scale": np.array(True)})
    return out


def probe_convnet_init(case):
    from cs231n_utils.classifiers.cnn import ThreeLayerConvNet

    np.random.seed(int(case["seed"]))
    model = ThreeLayerConvNet(
        input_dim=tuple(int(d) for d in case["input_dim"]),
        num_filters=int(case["num_filters"]), filter_size=int(case["filter_size"]),
        hidden_dim=int(case["hidden_dim"]), num_classes=int(case["num_classes"]),
        weight_scale=float(case["weight_scale"]), dtype=np.float64)
    return _mapping(getattr(model, "params", None), "params")


def judge_convnet_init_case(case, got):
    judge_three_layer_convnet_init(
        tuple(int(d) for d in case["input_dim"]), int(case["num_filters"]),
        int(case["filter_size"]), int(case["hidden_dim"]), int(case["num_classes"]),
        float(case["weight_scale"]), _mapping_from(got, "params", arrays_only=True),
        check_scale=bool(case["check_scale"]), reveal=False)


CONVNET_PARAMS = ("W1", "b1", "W2", "b2", "W3", "b3")


def convnet_loss_cases() -> list[dict]:
    out = []
    for case in range(3):
        rng = np.random.default_rng(4600 + case)
        N, C, F, hidden, classes = (int(n) for n in rng.integers(1, 6, size=5))
        H, W = (2 * int(n) for n in rng.integers(1, 5, size=2))
        fs, reg = int(rng.choice([1, 3, 5])), round(float(rng.uniform(0, 1)), 3)
        params = {"W1": rng.normal(size=(F, C, fs, fs)) * 0.5, "b1": rng.normal(size=F),
                  "W2": rng.normal(size=(F * H * W // 4, hidden)) * 0.5,
                  "b2": rng.normal(size=hidden), "W3": rng.normal(size=(hidden, classes)),
                  "b3": rng.normal(size=classes)}
        out.append({"X": rng.normal(size=(N, C, H, W)),
                    "y": rng.integers(0, classes, size=N), "reg": np.array(reg),
                    **params})
    return out


def probe_convnet_loss(case):
    from cs231n_utils.classifiers.cnn import ThreeLayerConvNet

    model = ThreeLayerConvNet.__new__(ThreeLayerConvNet)
    model.params = {k: case[k].copy() for k in CONVNET_PARAMS}
    model.reg, model.dtype = float(case["reg"]), np.float64
    with np.errstate(all="ignore"):
        scores = model.loss(case["X"].copy())
        result = model.loss(case["X"].copy(), case["y"].copy())
    out = {} if scores is None else {"scores": scores}
    out.update(_returned(result, 2, loss=0))
    if isinstance(result, tuple | list) and len(result) == 2:
        out.update(_mapping(result[1], "grads"))
    return out


def judge_convnet_loss_case(case, got):
    params = {k: case[k] for k in CONVNET_PARAMS}
    judge_convnet_scores(case["X"], params, got.get("scores"), reveal=False)
    _expect_tuple(got, 2, "loss(X, y)", "loss, grads")
    judge_convnet_loss(case["X"], case["y"], params, float(case["reg"]),
                       _value(got.get("loss")), _mapping_from(got, "grads"), autograd=True,
                       reveal=False)


def call_convnet_loss(case, got) -> Call:
    """Trusted side: the labelled call of one case (the model is its parameters and reg)."""
    model = SimpleNamespace(params={k: case[k] for k in CONVNET_PARAMS},
                            reg=float(case["reg"]), dtype=np.float64)
    return hidden_call((model, case["X"], case["y"]),
                       (_value(got.get("loss")), _mapping_from(got, "grads")))


# -------------------------------------------------------------- PyTorch modules


# The parameters are the grader's: each case holds random values for every entry of the
# module's state_dict that the docstring names ("load:<name>" for parameters, "init:<name>"
# for batch-norm statistics), the probe copies them into the student's module after
# __init__, and the judge computes the expected output from the case's copy of the
# parameters (the reported ones serve the layer checks only). The statistics are read back
# as reported: the training-mode forward updates them.


def _weights(rng: np.random.Generator, shapes: dict) -> dict:
    """Random values for conv/linear layers; ``shapes`` maps a layer's name to (the shape
    of its weight, whether it has a bias)."""
    out = {}
    for name, (shape, bias) in shapes.items():
        fan_in = int(np.prod(shape[1:]))
        out[f"load:{name}.weight"] = rng.normal(size=shape) / np.sqrt(fan_in)
        if bias:
            out[f"load:{name}.bias"] = rng.normal(size=shape[0]) * 0.5
    return out


def _batch_norm(rng: np.random.Generator, name: str, channels: int) -> dict:
    return {f"load:{name}.weight": rng.uniform(0.5, 1.5, size=channels),
            f"load:{name}.bias": rng.normal(size=channels) * 0.5,
            f"init:{name}.running_mean": rng.normal(size=channels) * 0.5,
            f"init:{name}.running_var": rng.uniform(0.5, 2.0, size=channels)}


def _state(case, *kinds: str) -> dict:
    """The case's state_dict entries of these kinds, by their state_dict names."""
    return {key.partition(":")[2]: value for key, value in case.items()
            if key.partition(":")[0] in kinds}


def _build_module(case, name: str, *args: int):
    """Sandbox side: the student's class ``name`` built under the case's torch seed, in
    float64, with the case's parameters loaded."""
    from cs231n_utils.checks.cnn_torch import load_plain_state
    from cs231n_utils.classifiers import cnn_torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(case["seed"]))
        module = getattr(cnn_torch, name)(*args).double()
    load_plain_state(module, _state(case, "load", "init"))
    return module


def _run_module(module, case) -> dict:
    """Sandbox side: the module's state and its output on the case's input."""
    from cs231n_utils.checks.cnn_torch import forward_to_plain, module_to_plain

    return {**module_to_plain(module), **forward_to_plain(module, torch.tensor(case["x"]))}


def _module(case, got) -> PlainModule:
    """Trusted side: the module as reported, with the case's parameters in place of the
    reported ones."""
    module = PlainModule.from_plain(got)
    module.substitute(_state(case, "load"))
    return module


def _x(case) -> torch.Tensor:
    return torch.tensor(case["x"])


def call_forward(case, got) -> Call:
    """Trusted side: the forward call of one case (the module rebuilt from what the probe
    sent, with the case's parameters), for the mistake catalogue."""
    out = got.get("out")
    return hidden_call((_module(case, got), _x(case)),
                       None if out is None else torch.from_numpy(np.array(out)))


def three_layer_torch_cases() -> list[dict]:
    out = []
    for case in range(3):
        rng = np.random.default_rng(5000 + case)
        N, C, F, hidden, classes = (int(n) for n in rng.integers(1, 6, size=5))
        H, W = (2 * int(n) for n in rng.integers(2, 6, size=2))
        k = int(rng.choice([1, 3, 5, 7]))
        out.append({"C": np.array(C), "H": np.array(H), "W": np.array(W),
                    "num_filters": np.array(F), "filter_size": np.array(k),
                    "hidden_dim": np.array(hidden), "num_classes": np.array(classes),
                    "x": rng.normal(size=(N, C, H, W)), "seed": np.array(5000 + case),
                    **_weights(rng, {"conv": ((F, C, k, k), True),
                                     "fc1": ((hidden, F * (H // 2) * (W // 2)), True),
                                     "fc2": ((classes, hidden), True)})})
    return out


THREE_LAYER_ARGS = ("num_filters", "filter_size", "hidden_dim", "num_classes")


def probe_three_layer_torch(case):
    model = _build_module(case, "ThreeLayerConvNetTorch", tuple(_ints(case, "C", "H", "W")),
                          *_ints(case, *THREE_LAYER_ARGS))
    return _run_module(model, case)


def judge_three_layer_torch_case(case, got):
    x = _x(case)
    judge_three_layer_convnet_torch(_module(case, got), x, plain_run(got, x.shape),
                                    tuple(_ints(case, "C", "H", "W")),
                                    *_ints(case, *THREE_LAYER_ARGS), reveal=False)


def vgg_cases() -> list[dict]:
    out = []
    for case in range(3):
        rng = np.random.default_rng(5100 + case)
        cin, cout, n, N = (int(v) for v in rng.integers(1, 5, size=4))
        H, W = (int(v) for v in rng.integers(2, 11, size=2))
        out.append({"cin": np.array(cin), "cout": np.array(cout), "n": np.array(n),
                    "x": rng.normal(size=(N, cin, H, W)), "seed": np.array(5100 + case),
                    **_weights(rng, {f"convs.{i}": ((cout, cin if i == 0 else cout, 3, 3),
                                                    True) for i in range(n)})})
    return out


def probe_vgg_block(case):
    return _run_module(_build_module(case, "VGGBlock", *_ints(case, "cin", "cout", "n")), case)


def judge_vgg_block_case(case, got):
    x = _x(case)
    judge_vgg_block(_module(case, got), x, plain_run(got, x.shape),
                    *_ints(case, "cin", "cout", "n"), reveal=False)


INCEPTION_ARGS = ("cin", "c1", "c3r", "c3", "c5r", "c5", "pp")


def inception_cases() -> list[dict]:
    out = []
    for case in range(3):
        rng = np.random.default_rng(5200 + case)
        sizes = [int(v) for v in rng.integers(1, 7, size=7)]
        cin, c1, c3r, c3, c5r, c5, pp = sizes
        N, H, W = (int(v) for v in rng.integers(1, 9, size=3))
        out.append({**{k: np.array(v) for k, v in zip(INCEPTION_ARGS, sizes, strict=True)},
                    "x": rng.normal(size=(N, cin, H, W)), "seed": np.array(5200 + case),
                    **_weights(rng, {"conv1": ((c1, cin, 1, 1), True),
                                     "conv3_reduce": ((c3r, cin, 1, 1), True),
                                     "conv3": ((c3, c3r, 3, 3), True),
                                     "conv5_reduce": ((c5r, cin, 1, 1), True),
                                     "conv5": ((c5, c5r, 5, 5), True),
                                     "pool_proj": ((pp, cin, 1, 1), True)})})
    return out


def probe_inception_module(case):
    module = _build_module(case, "InceptionModule", *_ints(case, *INCEPTION_ARGS))
    return _run_module(module, case)


def judge_inception_module_case(case, got):
    x = _x(case)
    judge_inception_module(_module(case, got), x, plain_run(got, x.shape),
                           *_ints(case, *INCEPTION_ARGS), reveal=False)


def residual_cases() -> list[dict]:
    """Identity shortcuts (even cases) and, mostly, projections (odd cases); strides 1
    and 2; sizes down to 1x1."""
    out = []
    for case in range(4):
        rng = np.random.default_rng(5300 + case)
        cin = int(rng.integers(1, 6))
        cout = cin if case % 2 == 0 else int(rng.integers(1, 7))
        stride = 1 if case == 0 else int(rng.integers(1, 3))
        N, H, W = int(rng.integers(2, 4)), int(rng.integers(1, 10)), int(rng.integers(1, 10))
        data = {"cin": np.array(cin), "cout": np.array(cout), "stride": np.array(stride),
                "x": rng.normal(size=(N, cin, H, W)), "seed": np.array(5300 + case),
                **_weights(rng, {"conv1": ((cout, cin, 3, 3), False),
                                 "conv2": ((cout, cout, 3, 3), False)}),
                **_batch_norm(rng, "bn1", cout), **_batch_norm(rng, "bn2", cout)}
        if cin != cout or stride != 1:
            data.update(_weights(rng, {"shortcut.0": ((cout, cin, 1, 1), False)}))
            data.update(_batch_norm(rng, "shortcut.1", cout))
        out.append(data)
    return out


def probe_residual_block(case):
    """Build (with the case's parameters and batch-norm statistics), run in training mode,
    then in evaluation mode (and send the state: the statistics the training pass
    updated), then with bn2's weight and bias at zero."""
    from torch import nn

    from cs231n_utils.checks.cnn_torch import forward_to_plain, module_to_plain

    block = _build_module(case, "ResidualBlock", *_ints(case, "cin", "cout", "stride"))
    x = torch.tensor(case["x"])
    block.train(True)
    got = forward_to_plain(block, x, "train")
    block.train(False)
    got.update(forward_to_plain(block, x, "eval"))
    got.update(module_to_plain(block))
    bn2 = getattr(block, "bn2", None)
    if isinstance(bn2, nn.BatchNorm2d):
        with torch.no_grad():
            bn2.weight.zero_()
            bn2.bias.zero_()
        got.update(forward_to_plain(block, x, "zero"))
    return got


def residual_stage(case) -> str:
    """The forward whose call the catalogue compares, per case: training mode for cases 0
    and 3, evaluation mode for 1 and 2 (so that both modes' mistakes show)."""
    return "train" if int(case["seed"]) % 4 in (0, 3) else "eval"


def call_residual_block(case, got) -> Call:
    """Trusted side: one forward of the block (see :func:`residual_stage`): in training mode
    the batch norms' statistics as loaded (they do not matter but for a mistake), in
    evaluation mode as reported after the training-mode forward."""
    stage = residual_stage(case)
    block = PlainModule.from_plain(got)
    block.substitute(_state(case, "load", "init") if stage == "train"
                     else _state(case, "load"))
    block.plain_values["training"] = stage == "train"
    conv1 = block.plain_children.get("conv1")
    if conv1 is not None:
        stride = int(case["stride"])
        conv1.plain_values["stride"] = (stride, stride)
    out = got.get(f"{stage}:out")
    return hidden_call((block, _x(case)),
                       None if out is None else torch.from_numpy(np.array(out)))


def judge_residual_block_case(case, got):
    x = _x(case)
    judge_residual_block(_module(case, got), x, plain_run(got, x.shape),
                         *_ints(case, "cin", "cout", "stride"), reveal=False)


HIDDEN_TESTS = [
    HiddenTest("conv_output_size", "conv_output_size", output_size_cases,
               probe_conv_output_size, judge_conv_output_size_case, call_conv_output_size),
    HiddenTest("conv_param_count", "conv_param_count", param_count_cases,
               probe_conv_param_count, judge_conv_param_count_case, call_conv_param_count),
    HiddenTest("conv_forward_naive", "conv_forward_naive", lambda: conv_cases(4100, False),
               probe_conv_forward, judge_conv_forward_case, call_conv_forward),
    HiddenTest("conv_backward_naive", "conv_backward_naive", lambda: conv_cases(4200, True),
               probe_conv_backward, judge_conv_backward_case, call_conv_backward),
    HiddenTest("max_pool_forward_naive", "max_pool_forward_naive",
               lambda: pool_cases(4300, 5, False), probe_max_pool_forward,
               judge_max_pool_forward_case, call_max_pool_forward),
    HiddenTest("max_pool_backward_naive", "max_pool_backward_naive",
               lambda: pool_cases(4400, 6, True), probe_max_pool_backward,
               judge_max_pool_backward_case, call_max_pool_backward),
    HiddenTest("three_layer_convnet_init", "ThreeLayerConvNet.__init__", convnet_init_cases,
               probe_convnet_init, judge_convnet_init_case),
    HiddenTest("three_layer_convnet_loss", "ThreeLayerConvNet.loss", convnet_loss_cases,
               probe_convnet_loss, judge_convnet_loss_case, call_convnet_loss),
    HiddenTest("three_layer_convnet_torch", "ThreeLayerConvNetTorch.forward",
               three_layer_torch_cases, probe_three_layer_torch, judge_three_layer_torch_case,
               call_forward),
    HiddenTest("vgg_block", "VGGBlock.forward", vgg_cases, probe_vgg_block,
               judge_vgg_block_case, call_forward),
    HiddenTest("inception_module", "InceptionModule.forward", inception_cases,
               probe_inception_module, judge_inception_module_case, call_forward),
    HiddenTest("residual_block", "ResidualBlock.forward", residual_cases,
               probe_residual_block, judge_residual_block_case, call_residual_block),
]
