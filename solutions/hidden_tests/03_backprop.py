"""Hidden tests of 03_backprop, decided by the trusted grader (see cs231n_utils.course.trusted).

Inputs are made here with fixed seeds (small random shapes; the visible checks use
fixed ones). Probes run in the sandbox: they only call the student's function on a case
and send back what it returned (and the inputs after the call, where a function must
leave them alone). Judges run on the trusted side: they compute the expected values with
PyTorch autograd, in float64, and compare with the visible checks' judges
(``cs231n_utils.checks.backprop``) with ``reveal=False``. PyTorch is imported inside the
functions that need it, so the sandbox never loads it.

Both sides of every comparison are exact up to rounding, so the tolerances are far tighter
than a numerical gradient allows: the checks' ``VALUE_TOLERANCE`` (relative error 1e-9)
for arrays, 0 for the ReLU layers (exact), 1e-10 for a Value's local derivatives and 1e-9
for the gradients that ``Value.backward`` finds (those of the old in-notebook tests).
"""

from types import SimpleNamespace

import numpy as np

from cs231n_utils.checks.backprop import (
    DEEP_CHAIN,
    SIGMOID_ERRSTATE,
    VALUE_OP_HINTS,
    VALUE_TOLERANCE,
    judge_add_multiply_backward,
    judge_affine_backward,
    judge_affine_forward,
    judge_affine_relu_backward,
    judge_affine_relu_forward,
    judge_deep_chain,
    judge_relu_backward,
    judge_relu_forward,
    judge_sigmoid_backward,
    judge_sigmoid_forward,
    judge_softmax_loss,
    judge_staged_example_backward,
    judge_svm_loss,
    judge_two_layer_net_init,
    judge_two_layer_net_loss,
    judge_two_layer_net_scores,
    judge_value_backward,
    judge_value_op,
)
from cs231n_utils.checks.mistakes import Call, hidden_call
from cs231n_utils.course.trusted import HiddenTest

EXACT = VALUE_TOLERANCE
#: Tolerances of a Value's local derivatives against autograd (those of the old tests).
LOCAL_TOLERANCE = {"rel_tol": 1e-10, "abs_tol": 1e-10}
#: Outputs of the sigmoid down to this size are compared relatively (its tail must be
#: e ** x, not 0 or a rounded difference).
SIGMOID_FLOOR = 1e-300
PARAMS = ("W1", "b1", "W2", "b2")


# ----------------------------------------------------------------------- helpers


def _shape(rng: np.random.Generator, largest: int, max_rank: int) -> tuple[int, ...]:
    """A random shape of 1 to ``max_rank`` axes, each of 1 to ``largest - 1`` entries."""
    rank = int(rng.integers(1, max_rank + 1))
    return tuple(int(n) for n in rng.integers(1, largest, size=rank))


def _x_w_b(rng: np.random.Generator) -> dict:
    """x of shape (N, d_1, ..., d_k) with k = 1 to 3, w (D, M), b (M,)."""
    N, M = (int(n) for n in rng.integers(1, 7, size=2))
    dims = _shape(rng, 5, 3)
    D = int(np.prod(dims))
    return {"x": rng.normal(size=(N, *dims)), "w": rng.normal(size=(D, M)),
            "b": rng.normal(size=M)}


def _autograd(f, arrays: list, upstream: np.ndarray | None = None) -> tuple:
    """``f`` applied to float64 leaf tensors made from ``arrays``; returns its value and
    the gradients of ``sum(value * upstream)`` (of the value itself when ``upstream`` is
    None) with respect to each leaf, as arrays."""
    import torch

    leaves = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
              for a in arrays]
    value = f(*leaves)
    grads = torch.autograd.grad(
        value, leaves, None if upstream is None else torch.tensor(upstream),
        allow_unused=True)
    grads = [np.zeros(np.shape(a)) if g is None else g.numpy()
             for a, g in zip(arrays, grads, strict=True)]
    return value.detach().numpy(), grads


def _affine(x, w, b):
    """The affine layer on tensors (the oracle's own words)."""
    return x.reshape(x.shape[0], -1) @ w + b


# ------------------------------------------------------------ staged examples


def add_multiply_cases() -> list[dict]:
    out = []
    for case in range(3):
        rng = np.random.default_rng(1100 + case)
        shape = _shape(rng, 5, 2)
        x, y, z, df = (rng.normal(size=shape) * 3 for _ in range(4))
        out.append({"x": x, "y": y, "z": z, "df": df})
    return out


def probe_add_multiply_backward(case):
    from cs231n_utils.staged import add_multiply_backward

    x, y, z = case["x"].copy(), case["y"].copy(), case["z"].copy()
    dx, dy, dz = add_multiply_backward(case["df"].copy(), (x, y, z, x + y))
    return {"dx": dx, "dy": dy, "dz": dz}


def judge_add_multiply(case, got):
    _, want = _autograd(lambda x, y, z: (x + y) * z, [case["x"], case["y"], case["z"]],
                        case["df"])
    judge_add_multiply_backward([got["dx"], got["dy"], got["dz"]], want,
                                f" (inputs of shape {case['x'].shape})", EXACT, reveal=False)


#: The names of the staged example's cache, in its order.
STAGED_CACHE = ("x", "y", "sigy", "num", "sigx", "xpy", "xpysqr", "den", "invden")


def staged_cases() -> list[dict]:
    """Random points and upstream gradients, with the cache of the notes' forward stages."""
    out = []
    for case in range(3):
        rng = np.random.default_rng(1300 + case)
        shape = _shape(rng, 6, 2)
        x, y, df = (rng.normal(size=shape) * 2.5 for _ in range(3))
        sigy, sigx = 1.0 / (1.0 + np.exp(-y)), 1.0 / (1.0 + np.exp(-x))
        num, xpy = x + sigy, x + y
        xpysqr = xpy**2
        den = sigx + xpysqr
        out.append({"x": x, "y": y, "df": df, "sigy": sigy, "num": num, "sigx": sigx,
                    "xpy": xpy, "xpysqr": xpysqr, "den": den, "invden": 1.0 / den})
    return out


def probe_staged_example_backward(case):
    from cs231n_utils.staged import staged_example_backward

    cache = tuple(case[name].copy() for name in STAGED_CACHE)
    dx, dy = staged_example_backward(case["df"].copy(), cache)
    return {"dx": dx, "dy": dy}


def judge_staged(case, got):
    import torch

    def f(x, y):
        return (x + torch.sigmoid(y)) / (torch.sigmoid(x) + (x + y) ** 2)

    _, want = _autograd(f, [case["x"], case["y"]], case["df"])
    cache = tuple(case[name] for name in STAGED_CACHE)
    judge_staged_example_backward(case["df"], cache, [got["dx"], got["dy"]], want,
                                  f"points of shape {case['x'].shape}", EXACT, reveal=False)


# ----------------------------------------------------------------------- affine


def affine_forward_cases() -> list[dict]:
    return [_x_w_b(np.random.default_rng(1500 + case)) for case in range(4)]


def probe_affine_forward(case):
    from cs231n_utils.layers import affine_forward

    x, w, b = case["x"].copy(), case["w"].copy(), case["b"].copy()
    out, _ = affine_forward(x, w, b)
    return {"out": out, "x_after": x, "w_after": w, "b_after": b}


def judge_affine_forward_case(case, got):
    want, _ = _autograd(_affine, [case["x"], case["w"], case["b"]],
                        np.ones((len(case["x"]), len(case["b"]))))
    judge_affine_forward(case["x"], case["w"], case["b"], got["out"],
                         (got["x_after"], got["w_after"], got["b_after"]), want, EXACT,
                         reveal=False)


def affine_backward_cases() -> list[dict]:
    out = []
    for case in range(4):
        rng = np.random.default_rng(1550 + case)
        inputs = _x_w_b(rng)
        inputs["dout"] = rng.normal(size=(len(inputs["x"]), len(inputs["b"])))
        out.append(inputs)
    return out


def probe_affine_backward(case):
    from cs231n_utils.layers import affine_backward

    cache = (case["x"].copy(), case["w"].copy(), case["b"].copy())
    dx, dw, db = affine_backward(case["dout"].copy(), cache)
    return {"dx": dx, "dw": dw, "db": db}


def judge_affine_backward_case(case, got):
    _, want = _autograd(_affine, [case["x"], case["w"], case["b"]], case["dout"])
    judge_affine_backward([got["dx"], got["dw"], got["db"]], want, EXACT, reveal=False)


# ------------------------------------------------------------------ activations


def relu_cases(seed: int) -> list[dict]:
    """Arrays of 1 to 4 axes with about a fifth of the entries exactly 0 (where both the
    output and the gradient must be 0), and an upstream gradient."""
    out = []
    for case in range(3):
        rng = np.random.default_rng(seed + case)
        shape = _shape(rng, 6, 4)
        x = rng.normal(size=shape)
        x[rng.random(shape) < 0.2] = 0.0
        out.append({"x": x, "dout": rng.normal(size=shape)})
    return out


def probe_relu_forward(case):
    from cs231n_utils.layers import relu_forward

    x = case["x"].copy()
    out, _ = relu_forward(x)
    return {"out": out, "x_after": x}


def judge_relu_forward_case(case, got):
    import torch

    want, _ = _autograd(torch.relu, [case["x"]], case["dout"])
    judge_relu_forward(case["x"], got["out"], got["x_after"], want, 0.0, reveal=False)


def probe_relu_backward(case):
    from cs231n_utils.layers import relu_backward

    return {"dx": relu_backward(case["dout"].copy(), case["x"].copy())}


def judge_relu_backward_case(case, got):
    import torch

    _, (want,) = _autograd(torch.relu, [case["x"]], case["dout"])
    judge_relu_backward(case["x"], got["dx"], want, 0.0, reveal=False)


def sigmoid_forward_cases() -> list[dict]:
    """Scores of scale 1 to 300, and one case in the far tails (+-800 must not overflow,
    e ** x near -700 must stay e ** x)."""
    out = []
    for case in range(3):
        rng = np.random.default_rng(1700 + case)
        shape = _shape(rng, 6, 3)
        out.append({"x": rng.normal(size=shape) * 10.0 ** rng.uniform(0, 2.5)})
    out.append({"x": np.array([[-800.0, -745.0, -700.0, -300.0, -40.0, -1e-3],
                               [800.0, 745.0, 700.0, 40.0, 0.0, 1e-3]])})
    return out


def probe_sigmoid_forward(case):
    """Called as the visible check calls it: an overflow raises, and is reported."""
    from cs231n_utils.layers import sigmoid_forward

    x = case["x"].copy()
    try:
        with np.errstate(**SIGMOID_ERRSTATE):
            out, _ = sigmoid_forward(x)
    except FloatingPointError as error:
        return {"overflow": str(error), "x_after": x}
    return {"out": out, "x_after": x}


def judge_sigmoid_forward_case(case, got):
    import torch

    want = torch.sigmoid(torch.tensor(case["x"])).numpy()
    overflow = str(got["overflow"]) if "overflow" in got else None
    judge_sigmoid_forward(case["x"], got.get("out"), got["x_after"], want, EXACT,
                          SIGMOID_FLOOR, overflow, reveal=False)


def sigmoid_backward_cases() -> list[dict]:
    """The cache is the sigmoid's output computed by PyTorch, so that the student's
    backward and autograd start from the very same numbers."""
    import torch

    out = []
    for case in range(3):
        rng = np.random.default_rng(1750 + case)
        shape = _shape(rng, 6, 3)
        x = rng.normal(size=shape) * 3
        out.append({"x": x, "out": torch.sigmoid(torch.tensor(x)).numpy(),
                    "dout": rng.normal(size=shape)})
    return out


def probe_sigmoid_backward(case):
    from cs231n_utils.layers import sigmoid_backward

    return {"dx": sigmoid_backward(case["dout"].copy(), case["out"].copy())}


def judge_sigmoid_backward_case(case, got):
    import torch

    _, (want,) = _autograd(torch.sigmoid, [case["x"]], case["dout"])
    judge_sigmoid_backward(got["dx"], want, EXACT, reveal=False)


# ------------------------------------------------------------------------ losses


def loss_cases(seed: int, scale: tuple[float, float]) -> list[dict]:
    """N = 1 to 11 examples, C = 2 to 8 classes, scores of scale 10 ** U(scale)."""
    out = []
    for case in range(4):
        rng = np.random.default_rng(seed + case)
        N, C = int(rng.integers(1, 12)), int(rng.integers(2, 9))
        x = rng.normal(size=(N, C)) * 10.0 ** rng.uniform(*scale)
        out.append({"x": x, "y": rng.integers(0, C, size=N)})
    return out


def _probe_loss(case, name):
    from cs231n_utils import layers

    x = case["x"].copy()
    loss, dx = getattr(layers, name)(x, case["y"].copy())
    return {"loss": loss, "dx": dx, "x_after": x}


def probe_svm_loss(case):
    return _probe_loss(case, "svm_loss")


def probe_softmax_loss(case):
    return _probe_loss(case, "softmax_loss")


def judge_svm(case, got):
    import torch
    from torch.nn import functional

    x, y = case["x"], case["y"]
    labels = torch.tensor(y)
    # multi_margin_loss averages over the C classes too: undo that
    want, (want_dx,) = _autograd(
        lambda s: functional.multi_margin_loss(s, labels, margin=1.0) * x.shape[1], [x])
    judge_svm_loss(x, got["loss"], got["dx"], got["x_after"], float(want), want_dx,
                   f"N = {x.shape[0]}, C = {x.shape[1]}", EXACT, EXACT, reveal=False)


def judge_softmax(case, got):
    import torch
    from torch.nn import functional

    x, y = case["x"], case["y"]
    labels = torch.tensor(y)
    want, (want_dx,) = _autograd(lambda s: functional.cross_entropy(s, labels), [x])
    judge_softmax_loss(x, got["loss"], got["dx"], got["x_after"], float(want), want_dx,
                       f"N = {x.shape[0]}, C = {x.shape[1]}", EXACT, EXACT, reveal=False)


# ------------------------------------------------------------------ the sandwich


def affine_relu_forward_cases() -> list[dict]:
    return [_x_w_b(np.random.default_rng(1900 + case)) for case in range(3)]


def probe_affine_relu_forward(case):
    from cs231n_utils.layer_utils import affine_relu_forward

    out, _ = affine_relu_forward(case["x"].copy(), case["w"].copy(), case["b"].copy())
    return {"out": out}


def _affine_relu(x, w, b):
    import torch

    return torch.relu(_affine(x, w, b))


def judge_affine_relu_forward_case(case, got):
    want, _ = _autograd(_affine_relu, [case["x"], case["w"], case["b"]],
                        np.ones((len(case["x"]), len(case["b"]))))
    judge_affine_relu_forward(got["out"], want, EXACT, reveal=False)


def affine_relu_backward_cases() -> list[dict]:
    """The cache's affine output ``a`` is computed by PyTorch, as autograd computes it, so
    that both see the same signs."""
    import torch

    out = []
    for case in range(3):
        rng = np.random.default_rng(1950 + case)
        inputs = _x_w_b(rng)
        a = _affine(*(torch.tensor(inputs[k]) for k in "xwb")).numpy()
        out.append({**inputs, "a": a, "dout": rng.normal(size=a.shape)})
    return out


def probe_affine_relu_backward(case):
    from cs231n_utils.layer_utils import affine_relu_backward

    cache = ((case["x"].copy(), case["w"].copy(), case["b"].copy()), case["a"].copy())
    dx, dw, db = affine_relu_backward(case["dout"].copy(), cache)
    return {"dx": dx, "dw": dw, "db": db}


def judge_affine_relu_backward_case(case, got):
    _, want = _autograd(_affine_relu, [case["x"], case["w"], case["b"]], case["dout"])
    judge_affine_relu_backward([got["dx"], got["dw"], got["db"]], want, EXACT, reveal=False)


# ------------------------------------------------------------ the two-layer net


def init_cases() -> list[dict]:
    """Sizes with at least about a thousand weights per matrix (their standard deviation is
    then within a few percent of weight_scale), scales 1e-3 to 1e-1, a seed each."""
    out = []
    for case in range(3):
        rng = np.random.default_rng(2000 + case)
        out.append({"D": np.array(int(rng.integers(100, 400))),
                    "H": np.array(int(rng.integers(40, 80))),
                    "C": np.array(int(rng.integers(30, 60))),
                    "weight_scale": np.array(10.0 ** rng.uniform(-3, -1)),
                    "reg": np.array(round(float(rng.uniform(0, 1)), 2)),
                    "seed": np.array(2000 + case)})
    return out


def probe_two_layer_net_init(case):
    from cs231n_utils.classifiers.fc_net import TwoLayerNet

    args = (int(case["D"]), int(case["H"]), int(case["C"]))
    kwargs = {"weight_scale": float(case["weight_scale"]), "reg": float(case["reg"])}
    state = np.random.get_state()
    try:
        np.random.seed(int(case["seed"]))
        model = TwoLayerNet(*args, **kwargs)
        np.random.seed(int(case["seed"]))
        again = TwoLayerNet(*args, **kwargs)
    finally:
        np.random.set_state(state)
    got = {"reg": model.reg, "params_type": type(model.params).__name__}
    if isinstance(model.params, dict):
        got["keys"] = np.array([str(k) for k in model.params], dtype=str)
        for name in PARAMS:
            if name in model.params:
                got[f"params.{name}"] = model.params[name]
            if isinstance(again.params, dict) and name in again.params:
                got[f"again.{name}"] = again.params[name]
    return got


def judge_two_layer_net_init_case(case, got):
    params = None
    if str(got["params_type"]) == "dict":
        params = {str(k): got.get(f"params.{k}") for k in got["keys"]}
    dims = (int(case["D"]), int(case["H"]), int(case["C"]))
    again = {name: got.get(f"again.{name}") for name in PARAMS}
    judge_two_layer_net_init(params, got["reg"].item(), dims, float(case["weight_scale"]),
                             float(case["reg"]), again, reveal=False)


def loss_net_cases() -> list[dict]:
    """Small nets with given parameters (``__init__`` is not called), reg 0 in the first."""
    out = []
    for case in range(3):
        rng = np.random.default_rng(2050 + case)
        N, H, C = int(rng.integers(1, 9)), int(rng.integers(2, 12)), int(rng.integers(2, 8))
        dims = _shape(rng, 5, 3)
        D = int(np.prod(dims))
        out.append({"X": rng.normal(size=(N, *dims)), "y": rng.integers(0, C, size=N),
                    "reg": np.array(0.0 if case == 0 else round(float(rng.uniform(0, 1)), 2)),
                    "W1": rng.normal(size=(D, H)) * 0.3, "b1": rng.normal(size=H) * 0.1,
                    "W2": rng.normal(size=(H, C)) * 0.3, "b2": rng.normal(size=C) * 0.1})
    return out


def probe_two_layer_net_loss(case):
    from cs231n_utils.classifiers.fc_net import TwoLayerNet

    model = TwoLayerNet.__new__(TwoLayerNet)
    model.params = {name: case[name].copy() for name in PARAMS}
    model.reg = float(case["reg"])
    scores = model.loss(case["X"].copy())
    loss, grads = model.loss(case["X"].copy(), case["y"].copy())
    got = {"scores": scores, "loss": loss, "grads_type": type(grads).__name__}
    if isinstance(grads, dict):
        got["grads_keys"] = np.array([str(k) for k in grads], dtype=str)
        got.update({f"grads.{name}": grads[name] for name in PARAMS if name in grads})
    got.update({f"params_after.{name}": model.params[name] for name in PARAMS})
    return got


def judge_two_layer_net_loss_case(case, got):
    import torch
    from torch.nn import functional

    X, labels, reg = case["X"], torch.tensor(case["y"]), float(case["reg"])

    def scores_of(W1, b1, W2, b2):
        return torch.relu(_affine(torch.tensor(X), W1, b1)) @ W2 + b2

    def loss_of(W1, b1, W2, b2):
        penalty = 0.5 * reg * ((W1**2).sum() + (W2**2).sum())
        return functional.cross_entropy(scores_of(W1, b1, W2, b2), labels) + penalty

    params = {name: case[name] for name in PARAMS}
    want_scores, _ = _autograd(scores_of, list(params.values()),
                               np.ones((len(X), len(case["b2"]))))
    judge_two_layer_net_scores(got["scores"], want_scores, EXACT, reveal=False)
    want_loss, want_grads = _autograd(loss_of, list(params.values()))
    grads, grads_type = None, str(got["grads_type"])
    if grads_type == "dict":
        grads, grads_type = {str(k): got.get(f"grads.{k}") for k in got["grads_keys"]}, None
    params_after = {name: got[f"params_after.{name}"] for name in PARAMS}
    judge_two_layer_net_loss(got["loss"], grads, params, params_after, reg, float(want_loss),
                             dict(zip(PARAMS, want_grads, strict=True)), EXACT, EXACT,
                             grads_type, reveal=False)


# ------------------------------------------------------------- scalar autograd

#: Each operation of Value: its name in messages, how many inputs, how to apply it (to
#: Values in the sandbox and to tensors on the trusted side alike).
VALUE_OPS = {
    "__add__": ("a + b", 2, lambda a, b: a + b),
    "__mul__": ("a * b", 2, lambda a, b: a * b),
    "exp": ("exp", 1, lambda a: a.exp()),
    "relu": ("relu", 1, lambda a: a.relu()),
    "sigmoid": ("sigmoid", 1, lambda a: a.sigmoid()),
}


def value_op_cases(op: str, seed: int, extra: tuple[float, ...] = ()) -> list[dict]:
    """Five random points (standard deviation 2), and ``extra`` single points."""
    count = VALUE_OPS[op][1]
    rng = np.random.default_rng(seed)
    points = [rng.normal(size=count) * 2 for _ in range(5)]
    return [{"point": p} for p in points + [np.array([v]) for v in extra]]


def pow_cases() -> list[dict]:
    """Exponents 2, -2, 1.5 and -0.5, each at three points between 0.2 and 3."""
    rng = np.random.default_rng(2220)
    return [{"point": rng.uniform(0.2, 3.0, size=1), "exponent": np.array(n)}
            for n in (2.0, -2.0, 1.5, -0.5) for _ in range(3)]


def _apply(op: str, case: dict, inputs: list):
    """Apply Value's ``op`` (with the case's exponent for ``__pow__``) to ``inputs``."""
    if op == "__pow__":
        return inputs[0] ** float(case["exponent"])
    return VALUE_OPS[op][2](*inputs)


def _probe_value_op(case, op):
    from cs231n_utils.autograd import Value

    inputs = [Value(float(v)) for v in case["point"]]
    out = _apply(op, case, inputs)
    if not isinstance(out, Value):
        return {"is_value": False}
    parents = tuple(out.parents)
    parents_ok = len(parents) == len(inputs) and all(
        p is v for p, v in zip(parents, inputs, strict=True))
    return {"is_value": True, "data": out.data, "parents_ok": parents_ok,
            "local": np.array([float(g) for g in out.local_grads])}


def probe_value_add(case):
    return _probe_value_op(case, "__add__")


def probe_value_mul(case):
    return _probe_value_op(case, "__mul__")


def probe_value_pow(case):
    return _probe_value_op(case, "__pow__")


def probe_value_exp(case):
    return _probe_value_op(case, "exp")


def probe_value_relu(case):
    return _probe_value_op(case, "relu")


def probe_value_sigmoid(case):
    return _probe_value_op(case, "sigmoid")


def judge_value(op: str):
    """The judge of ``Value.<op>``: data and local derivatives against autograd."""
    def judge_case(case, got):
        import torch

        point = [float(v) for v in case["point"]]
        leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
        want = _apply(op, case, leaves)
        want_local = [float(g) for g in torch.autograd.grad(want, leaves)]
        name = f"a ** {float(case['exponent']):g}" if op == "__pow__" else VALUE_OPS[op][0]
        is_value = bool(got["is_value"])
        judge_value_op(
            name, point, is_value, float(got["data"]) if is_value else np.nan,
            is_value and bool(got["parents_ok"]),
            tuple(float(g) for g in got["local"]) if is_value else (), want.item(),
            want_local, VALUE_OP_HINTS[op], oracle="PyTorch autograd", **LOCAL_TOLERANCE,
            reveal=False)
    return judge_case


def value_backward_cases() -> list[dict]:
    """Random graphs built with the constructor only: 1 to 4 inputs, then 5 to 39 values,
    each with 1 to 3 parents among the values before it and random local derivatives
    (``parents`` padded with -1); and the chain of ``DEEP_CHAIN`` values."""
    out = []
    for case in range(3):
        rng = np.random.default_rng(2300 + case)
        num_inputs, num_nodes = int(rng.integers(1, 5)), int(rng.integers(5, 40))
        parents = np.full((num_nodes, 3), -1)
        local = np.zeros((num_nodes, 3))
        for node in range(num_nodes):
            k = int(rng.integers(1, min(3, num_inputs + node) + 1))
            parents[node, :k] = rng.choice(num_inputs + node, size=k, replace=False)
            local[node, :k] = rng.normal(size=k)
        out.append({"inputs": rng.normal(size=num_inputs), "parents": parents,
                    "local": local})
    out.append({"chain": np.array(DEEP_CHAIN)})
    return out


def probe_value_backward(case):
    from cs231n_utils.autograd import Value

    if "chain" in case:
        start = end = Value(1.0)
        for _ in range(int(case["chain"])):
            end = Value(end.data, (end,), (1.0,))
        try:
            end.backward()
        except RecursionError:
            return {"recursion_error": True}
        return {"start_grad": start.grad}
    values = [Value(float(v)) for v in case["inputs"]]
    for picks, local in zip(case["parents"], case["local"], strict=True):
        used = [int(i) for i in picks if i >= 0]
        values.append(Value(0.0, tuple(values[i] for i in used),
                            tuple(float(g) for g in local[:len(used)])))
    inputs, out = values[:len(case["inputs"])], values[-1]
    got = {}
    for attempt in ("first", "second"):
        out.backward()
        got[f"{attempt}.out_grad"] = out.grad
        got[f"{attempt}.grads"] = np.array([float(v.grad) for v in inputs])
        got[f"{attempt}.all"] = np.array([float(v.grad) for v in values])
    return got


def judge_value_backward_case(case, got):
    if "chain" in case:
        recursion_error = bool(got.get("recursion_error", False))
        judge_deep_chain(np.nan if recursion_error else float(got["start_grad"]),
                         int(case["chain"]), recursion_error, reveal=False)
        return

    def graph(*leaves):
        values = list(leaves)
        for picks, local in zip(case["parents"], case["local"], strict=True):
            values.append(sum(float(g) * values[int(i)]
                              for i, g in zip(picks, local, strict=True) if i >= 0))
        return values[-1]

    _, want = _autograd(graph, list(case["inputs"]))
    what = f"a random graph of {len(case['inputs'])} inputs and {len(case['local'])} values"
    for attempt in ("first", "second"):
        judge_value_backward(what, attempt, float(got[f"{attempt}.out_grad"]),
                             [float(g) for g in got[f"{attempt}.grads"]],
                             [float(g) for g in want], rel_tol=1e-9, abs_tol=1e-9,
                             reveal=False)


# ------------------------------------------ the calls, for the mistake catalogue
# Trusted side: each rebuilds the graded call one case made from the case's inputs and
# what the probe returned (cs231n_utils.checks.catalogue.backprop names the mistake).


def _xwb(case: dict) -> tuple:
    return case["x"], case["w"], case["b"]


def call_add_multiply(case: dict, got: dict) -> Call:
    x, y, z = case["x"], case["y"], case["z"]
    return hidden_call((case["df"], (x, y, z, x + y)), (got["dx"], got["dy"], got["dz"]))


def call_staged(case: dict, got: dict) -> Call:
    cache = tuple(case[name] for name in STAGED_CACHE)
    return hidden_call((case["df"], cache), (got["dx"], got["dy"]))


def call_affine_forward(case: dict, got: dict) -> Call:
    return hidden_call(_xwb(case), (got["out"], None))


def call_affine_backward(case: dict, got: dict) -> Call:
    return hidden_call((case["dout"], _xwb(case)), (got["dx"], got["dw"], got["db"]))


def call_relu_forward(case: dict, got: dict) -> Call:
    return hidden_call((case["x"],), (got["out"], None))


def call_relu_backward(case: dict, got: dict) -> Call:
    return hidden_call((case["dout"], case["x"]), got["dx"])


def call_sigmoid_forward(case: dict, got: dict) -> Call:
    return hidden_call((case["x"],), (got["out"], None) if "out" in got else None)


def call_sigmoid_backward(case: dict, got: dict) -> Call:
    return hidden_call((case["dout"], case["out"]), got["dx"])


def call_loss(case: dict, got: dict) -> Call:
    return hidden_call((case["x"], case["y"]), (got["loss"], got["dx"]))


def call_affine_relu_backward(case: dict, got: dict) -> Call:
    return hidden_call((case["dout"], (_xwb(case), case["a"])),
                       (got["dx"], got["dw"], got["db"]))


def call_two_layer_net_init(case: dict, got: dict) -> Call:
    """The model a stand-in: its parameters and reg as the probe found them."""
    params = None
    if str(got["params_type"]) == "dict":
        params = {str(k): got.get(f"params.{k}") for k in got["keys"]}
    after = SimpleNamespace(params=params, reg=got["reg"].item())
    return hidden_call((SimpleNamespace(),), None, (after,), input_dim=int(case["D"]),
                       hidden_dim=int(case["H"]), num_classes=int(case["C"]),
                       weight_scale=float(case["weight_scale"]), reg=float(case["reg"]))


def call_two_layer_net_loss(case: dict, got: dict) -> Call:
    """The call with labels (the model a stand-in with the case's parameters and reg)."""
    model = SimpleNamespace(params={name: case[name] for name in PARAMS},
                            reg=float(case["reg"]))
    grads = None
    if str(got["grads_type"]) == "dict":
        grads = {str(k): got.get(f"grads.{k}") for k in got["grads_keys"]}
    return hidden_call((model, case["X"], case["y"]), (got["loss"], grads))


def call_value(op: str):
    """The call of ``Value.<op>`` one case made, on Values made here."""
    def call(case: dict, got: dict) -> Call:
        from cs231n_utils.autograd import Value

        inputs = tuple(Value(float(v)) for v in case["point"])
        if op == "__pow__":
            inputs = (*inputs, float(case["exponent"]))
        result = None
        if bool(got["is_value"]):
            result = SimpleNamespace(data=float(got["data"]),
                                     local_grads=tuple(float(g) for g in got["local"]))
        return hidden_call(inputs, result)
    return call


def _graph(case: dict, grads=None):
    """The case's graph made here (``grads``: every value's grad, in the probe's order);
    returns its output."""
    from cs231n_utils.autograd import Value

    values = [Value(float(v)) for v in case["inputs"]]
    for picks, local in zip(case["parents"], case["local"], strict=True):
        used = [int(i) for i in picks if i >= 0]
        values.append(Value(0.0, tuple(values[i] for i in used),
                            tuple(float(g) for g in local[:len(used)])))
    for value, grad in zip(values, [] if grads is None else grads, strict=False):
        value.grad = float(grad)
    return values[-1]


def _chain(length: int, start_grad: float = 0.0):
    from cs231n_utils.autograd import Value

    start = end = Value(1.0)
    for _ in range(length):
        end = Value(end.data, (end,), (1.0,))
    start.grad = start_grad
    return end


def call_value_backward(case: dict, got: dict) -> Call:
    """A random graph: the SECOND call (its grads before are those the first one left);
    the chain: its one call (only the first value's grad is known after it)."""
    if "chain" in case:
        length = int(case["chain"])
        start_grad = float(got.get("start_grad", np.nan))
        return hidden_call((_chain(length),), None, (_chain(length, start_grad),))
    return hidden_call((_graph(case, got["first.all"]),), None,
                       (_graph(case, got["second.all"]),))


HIDDEN_TESTS = [
    HiddenTest("add_multiply_backward", "add_multiply_backward", add_multiply_cases,
               probe_add_multiply_backward, judge_add_multiply, call_add_multiply),
    HiddenTest("staged_example_backward", "staged_example_backward", staged_cases,
               probe_staged_example_backward, judge_staged, call_staged),
    HiddenTest("affine_forward", "affine_forward", affine_forward_cases,
               probe_affine_forward, judge_affine_forward_case, call_affine_forward),
    HiddenTest("affine_backward", "affine_backward", affine_backward_cases,
               probe_affine_backward, judge_affine_backward_case, call_affine_backward),
    HiddenTest("relu_forward", "relu_forward", lambda: relu_cases(1600),
               probe_relu_forward, judge_relu_forward_case, call_relu_forward),
    HiddenTest("relu_backward", "relu_backward", lambda: relu_cases(1650),
               probe_relu_backward, judge_relu_backward_case, call_relu_backward),
    HiddenTest("sigmoid_forward", "sigmoid_forward", sigmoid_forward_cases,
               probe_sigmoid_forward, judge_sigmoid_forward_case, call_sigmoid_forward),
    HiddenTest("sigmoid_backward", "sigmoid_backward", sigmoid_backward_cases,
               probe_sigmoid_backward, judge_sigmoid_backward_case, call_sigmoid_backward),
    HiddenTest("svm_loss", "svm_loss", lambda: loss_cases(1800, (0.0, 0.5)),
               probe_svm_loss, judge_svm, call_loss),
    HiddenTest("softmax_loss", "softmax_loss", lambda: loss_cases(1850, (-1.0, 3.0)),
               probe_softmax_loss, judge_softmax, call_loss),
    HiddenTest("affine_relu_forward", "affine_relu_forward", affine_relu_forward_cases,
               probe_affine_relu_forward, judge_affine_relu_forward_case,
               call_affine_forward),
    HiddenTest("affine_relu_backward", "affine_relu_backward", affine_relu_backward_cases,
               probe_affine_relu_backward, judge_affine_relu_backward_case,
               call_affine_relu_backward),
    HiddenTest("two_layer_net_init", "TwoLayerNet.__init__", init_cases,
               probe_two_layer_net_init, judge_two_layer_net_init_case, call_two_layer_net_init),
    HiddenTest("two_layer_net_loss", "TwoLayerNet.loss", loss_net_cases,
               probe_two_layer_net_loss, judge_two_layer_net_loss_case, call_two_layer_net_loss),
    HiddenTest("value_add", "Value.__add__", lambda: value_op_cases("__add__", 2200),
               probe_value_add, judge_value("__add__"), call_value("__add__")),
    HiddenTest("value_mul", "Value.__mul__", lambda: value_op_cases("__mul__", 2210),
               probe_value_mul, judge_value("__mul__"), call_value("__mul__")),
    HiddenTest("value_pow", "Value.__pow__", pow_cases, probe_value_pow,
               judge_value("__pow__"), call_value("__pow__")),
    HiddenTest("value_exp", "Value.exp", lambda: value_op_cases("exp", 2230),
               probe_value_exp, judge_value("exp"), call_value("exp")),
    HiddenTest("value_relu", "Value.relu", lambda: value_op_cases("relu", 2240, (0.0,)),
               probe_value_relu, judge_value("relu"), call_value("relu")),
    HiddenTest("value_sigmoid", "Value.sigmoid",
               lambda: value_op_cases("sigmoid", 2250, (-30.0, 30.0)),
               probe_value_sigmoid, judge_value("sigmoid"), call_value("sigmoid")),
    HiddenTest("value_backward", "Value.backward", value_backward_cases,
               probe_value_backward, judge_value_backward_case, call_value_backward),
]
