"""Hidden tests of 05_training, decided by the trusted grader (see cs231n_utils.course.trusted).

Inputs are made here with fixed seeds (random shapes; the visible checks use fixed ones).
Probes run in the sandbox: they only call the student's functions on a case and send back
what came out (outputs, gradients, the running averages left in ``bn_param``, the items
of a cache, the inputs after the call). Judges run on the trusted side: they compute the
expected values with PyTorch in float64 (``torch.tanh``, ``leaky_relu``, ``batch_norm``,
``layer_norm`` and autograd, through the ``torch_*`` oracles of
``cs231n_utils.checks.training``) and compare with the visible checks' judges, with
``reveal=False``. PyTorch is imported inside the functions that need it.

Both sides of every comparison are exact up to rounding, so the tolerance is the checks'
``VALUE_TOLERANCE`` (relative error 1e-9) throughout; dropout is judged exactly (0 or
``x / p``, the identity at test time) and statistically (kept fraction and mean within
``DROPOUT_SIGMAS`` standard deviations, on at least 2000 units).

Two tests use a second function of the student, as the visible checks do (and CS231n):
``spatial_batchnorm_backward`` gets its free-form cache from the student's
``spatial_batchnorm_forward`` (whose output is checked first), and ``dropout_backward``
gets the cache of the student's seeded ``dropout_forward``; its gradient must be the
derivative of that forward, ``dout * out / x``.

Preprocessing, the affine - norm - ReLU sandwich, FullyConnectedNet and the update rules
(part 2 below) use the comparisons of ``cs231n_utils.checks.training_nets``: expected
values from SciPy (preprocessing: the SVD of the centred data; eigenvectors compared up to
sign), PyTorch (``batch_norm``/``layer_norm`` and autograd for the sandwich and the
network, ``torch.optim`` for the update rules, replayed on the same gradients).
``FullyConnectedNet.loss`` is tested on models made without ``__init__`` (so that a wrong
``__init__`` costs only its own cell), with dropout only where the result does not depend
on how the masks are drawn: in training with a keep ratio of 1 - 1e-6 (every unit kept,
scaled by 1 / p, but for a chance of about 1e-4), and in test mode with a keep ratio well
below 1 (dropout must do nothing there). An update rule may return a new array or ``w``
moved in place: each ``next_w`` is copied right after the call.

Group normalisation (part 3) is judged against ``torch.nn.functional.group_norm`` and its
autograd; its backward pass gets the docstring's cache ``(x, x_hat, mean, var, gamma, beta,
G, eps)`` made here by PyTorch, so it does not depend on the student's forward.

Seeds: 5100-5199 activations, 5400-5499 batch normalisation, 5500-5599 layer
normalisation, 5600-5699 spatial batch normalisation, 5700-5799 dropout, 5800-5999 part 2,
6000-6099 group normalisation.
"""

import numpy as np

from cs231n_utils.checks.common import unchanged
from cs231n_utils.checks.mistakes import Call, hidden_call
from cs231n_utils.checks.training import (
    VALUE_TOLERANCE,
    judge_dropout_backward,
    judge_dropout_forward,
    judge_groupnorm_backward,
    judge_groupnorm_cache,
    judge_groupnorm_output,
    judge_leaky_relu_backward,
    judge_leaky_relu_forward,
    judge_maxout_backward,
    judge_maxout_forward,
    judge_norm_backward,
    judge_norm_cache,
    judge_norm_output,
    judge_running_averages,
    judge_spatial_forward_for_backward,
    judge_tanh_backward,
    judge_tanh_forward,
    torch_grads,
    torch_groupnorm,
    torch_groupnorm_function,
    torch_maxout,
    torch_norm,
    torch_norm_function,
    torch_running_averages,
)
from cs231n_utils.checks.training_nets import (
    NEARLY_ONE,
    OPTIM_DEFAULTS,
    apply_oracle,
    dropout_masks,
    fit_oracle,
    judge_affine_norm_relu_backward,
    judge_affine_norm_relu_forward,
    judge_apply_preprocessing,
    judge_fc_net_init,
    judge_fc_net_loss,
    judge_fc_net_scores,
    judge_fit_preprocessing,
    judge_preprocess_splits,
    judge_update_rule,
    norm_cache,
    torch_optim_run,
)
from cs231n_utils.checks.training_nets import VALUE_TOLERANCE as NETS_TOLERANCE
from cs231n_utils.checks.training_nets import relative_error as nets_relative_error
from cs231n_utils.course.trusted import HiddenTest

EXACT = VALUE_TOLERANCE


# ----------------------------------------------------------------------- helpers


def _shape(rng: np.random.Generator, largest: int, max_rank: int) -> tuple[int, ...]:
    """A random shape of 1 to ``max_rank`` axes, each of 1 to ``largest - 1`` entries."""
    rank = int(rng.integers(1, max_rank + 1))
    return tuple(int(n) for n in rng.integers(1, largest, size=rank))


def _t(array):
    import torch

    return torch.tensor(np.asarray(array, dtype=np.float64))


def _items(cache, prefix: str = "cache") -> dict:
    """Sandbox side: a cache's items that are numbers or arrays (by position), with the
    cache's type and length, so that the judge can check its layout."""
    got = {f"{prefix}_type": type(cache).__name__}
    if isinstance(cache, tuple | list):
        got[f"{prefix}_len"] = len(cache)
        for index, item in enumerate(cache):
            if isinstance(item, np.ndarray | float | int | np.floating | np.integer) \
                    and not isinstance(item, bool):
                got[f"{prefix}.{index}"] = item
    return got


def _cache_from(got: dict, prefix: str = "cache"):
    """Trusted side: the items :func:`_items` sent (NaN where one was not an array), or
    None when the cache was not a tuple or list; and its type name."""
    if f"{prefix}_len" not in got:
        return None, str(got[f"{prefix}_type"])
    count = int(got[f"{prefix}_len"])
    return ([got.get(f"{prefix}.{i}", np.nan) for i in range(count)],
            str(got[f"{prefix}_type"]))


def _norm_param(case: dict) -> dict:
    """Sandbox side: the case's bn_param / ln_param keys (absent keys take defaults)."""
    param = {}
    for key in ("eps", "momentum"):
        if key in case:
            param[key] = float(case[key])
    for key in ("running_mean", "running_var"):
        if key in case:
            param[key] = case[key].copy()
    return param


def _statistics(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and biased variance over ``axis``, by PyTorch."""
    import torch

    t = _t(x)
    return t.mean(dim=axis).numpy(), torch.var(t, dim=axis, correction=0).numpy()


def _probe_norm_steps(case: dict, function, kind: str) -> dict:
    """Sandbox side: training steps on each batch of ``case['x']`` with one bn_param,
    then a test-mode call on ``case['x_test']``; outputs, inputs after, the cache of the
    first step (2-D batch norm) and the running averages after each phase."""
    param = {"mode": "train", **_norm_param(case)}
    got = {}
    for step, batch in enumerate(case["x"]):
        x, gamma, beta = batch.copy(), case["gamma"].copy(), case["beta"].copy()
        out, cache = function(x, gamma, beta, param)
        got.update({f"out{step}": out, f"x_after{step}": x, f"gamma_after{step}": gamma,
                    f"beta_after{step}": beta})
        if step == 0 and kind == "batch":
            got.update(_items(cache))
        for key in ("running_mean", "running_var"):   # for the mistake catalogue
            if _plain_array(param.get(key)):
                got[f"step{step}.{key}"] = np.array(param[key], copy=True)
    for key in ("running_mean", "running_var"):
        if param.get(key) is not None:
            got[f"train.{key}"] = param[key]
    param["mode"] = "test"
    out, _ = function(case["x_test"].copy(), case["gamma"].copy(), case["beta"].copy(), param)
    got["test.out"] = out
    for key in ("running_mean", "running_var"):
        if param.get(key) is not None:
            got[f"test.{key}"] = param[key]
    return got


def _plain_array(value) -> bool:
    """Sandbox side: whether ``value`` is an array of numbers (plain data)."""
    try:
        return value is not None and np.asarray(value).dtype.kind in "biuf"
    except Exception:  # noqa: BLE001 (whatever a student's object does)
        return False


def _norm_steps_calls(case: dict, got: dict) -> list[Call]:
    """Trusted side, for the mistake catalogue: the calls of :func:`_probe_norm_steps`,
    the inputs from the case and each call's bn_param as the previous call left it
    (the running averages the student's function stored there)."""
    param = {"mode": "train", **_norm_param(case)}
    calls = []
    arrays = (case["gamma"], case["beta"])

    def after(prefix: str) -> dict:
        left = dict(param)
        for key in ("running_mean", "running_var"):
            left[key] = got.get(f"{prefix}.{key}")
        return left

    for step, batch in enumerate(case["x"]):
        left = after(f"step{step}")
        calls.append(hidden_call((batch, *arrays, param), (got.get(f"out{step}"), None),
                                 (batch, *arrays, left)))
        param = left
    param = {**param, "mode": "test"}
    calls.append(hidden_call((case["x_test"], *arrays, param), (got.get("test.out"), None),
                             (case["x_test"], *arrays, after("test"))))
    return calls


def _judge_norm_steps(case: dict, got: dict, kind: str) -> None:
    """Trusted side of :func:`_probe_norm_steps`."""
    gamma, beta = case["gamma"], case["beta"]
    eps = float(case.get("eps", 1e-5))
    momentum = float(case.get("momentum", 0.9))
    C = gamma.size
    mean0 = case.get("running_mean", np.zeros(C))
    var0 = case.get("running_var", np.zeros(C))
    function = "batchnorm_forward" if kind == "batch" else "spatial_batchnorm_forward"
    batches = list(case["x"])
    for step, batch in enumerate(batches):
        for name, given in (("x", batch), ("gamma", gamma), ("beta", beta)):
            unchanged(given, got[f"{name}_after{step}"], function, name)
        context = f"train, step {step + 1} of {len(batches)}, x of shape {batch.shape}"
        judge_norm_output(kind, batch, gamma, beta, eps, got[f"out{step}"],
                          torch_norm(kind, batch, gamma, beta, eps), context, reveal=False)
    if kind == "batch":
        x = batches[0]
        mean, var = _statistics(x, 0)
        x_hat = torch_norm("batch", x, np.ones(C), np.zeros(C), eps)
        judge_norm_cache("batch", *_cache_from(got), x, gamma, beta, eps, x_hat, mean, var,
                         f"train, x of shape {x.shape}", EXACT, reveal=False)
    axes = (0,) if kind == "batch" else (0, 2, 3)
    want = torch_running_averages(batches, axes, momentum, mean0, var0)
    context = (f"{len(batches)} training step{'s' if len(batches) > 1 else ''}, momentum "
               + ("given" if "momentum" in case else "by default"))
    judge_running_averages(kind, batches, momentum, mean0, var0,
                           got.get("train.running_mean"), got.get("train.running_var"),
                           *want, context, EXACT, reveal=False)
    x_test = case["x_test"]
    judge_norm_output(kind, x_test, gamma, beta, eps, got["test.out"],
                      torch_norm(kind, x_test, gamma, beta, eps, *want),
                      f"test mode, x of shape {x_test.shape}", want, reveal=False)
    judge_running_averages(kind, [], momentum, *want, got.get("test.running_mean"),
                           got.get("test.running_var"), got["train.running_mean"],
                           got["train.running_var"], "test mode", reveal=False)


# ------------------------------------------------------------------ activations


def tanh_forward_cases() -> list[dict]:
    """Arrays of 1 to 4 axes of scale 0.1 to 10, and one of far-out inputs (+-800 must not
    overflow)."""
    out = []
    for case in range(3):
        rng = np.random.default_rng(5100 + case)
        out.append({"x": rng.normal(size=_shape(rng, 8, 4)) * 10.0 ** rng.uniform(-1, 1)})
    out.append({"x": np.array([[-800.0, -300.0, -20.0, -1e-3, 0.0],
                               [800.0, 300.0, 20.0, 1e-3, 2.5]])})
    return out


def probe_tanh_forward(case):
    from cs231n_utils.layers import tanh_forward

    x = case["x"].copy()
    out, _ = tanh_forward(x)
    return {"out": out, "x_after": x}


def judge_tanh_forward_case(case, got):
    import torch

    want = torch.tanh(_t(case["x"])).numpy()
    judge_tanh_forward(case["x"], got["out"], got["x_after"], want, EXACT, reveal=False)


def call_tanh_forward(case, got) -> Call:
    """Trusted side: the call one case made, for the mistake catalogue."""
    return hidden_call((case["x"],), (got.get("out"), None))


def tanh_backward_cases() -> list[dict]:
    """The cache is tanh's output computed by PyTorch (inputs of scale 1.5, away from the
    flat tails where 1 - out ** 2 loses digits), as autograd computes it."""
    import torch

    out = []
    for case in range(4):
        rng = np.random.default_rng(5110 + case)
        shape = _shape(rng, 9, 3)
        x = rng.normal(size=shape) * 1.5
        out.append({"x": x, "out": torch.tanh(_t(x)).numpy(), "dout": rng.normal(size=shape)})
    return out


def probe_tanh_backward(case):
    from cs231n_utils.layers import tanh_backward

    return {"dx": tanh_backward(case["dout"].copy(), case["out"].copy())}


def judge_tanh_backward_case(case, got):
    import torch

    _, (want,) = torch_grads(torch.tanh, [case["x"]], case["dout"])
    judge_tanh_backward(case["out"], case["dout"], got["dx"], want, EXACT, reveal=False)


def call_tanh_backward(case, got) -> Call:
    """Trusted side: the call one case made (the cache is tanh's output)."""
    return hidden_call((case["dout"], case["out"]), got.get("dx"))


def leaky_relu_cases(seed: int) -> list[dict]:
    """Arrays with about a fifth of the entries exactly 0, an upstream gradient, and alpha
    (none in the first case: the default 0.01; then 0.2, 0, 0.01)."""
    out = []
    for case, alpha in enumerate((None, 0.2, 0.0, 0.01)):
        rng = np.random.default_rng(seed + case)
        shape = _shape(rng, 8, 4)
        x = rng.normal(size=shape)
        x[rng.random(shape) < 0.2] = 0.0
        item = {"x": x, "dout": rng.normal(size=shape)}
        if alpha is not None:
            item["alpha"] = np.array(alpha)
        out.append(item)
    return out


def probe_leaky_relu_forward(case):
    from cs231n_utils.layers import leaky_relu_forward

    x = case["x"].copy()
    if "alpha" in case:
        out, _ = leaky_relu_forward(x, float(case["alpha"]))
    else:
        out, _ = leaky_relu_forward(x)
    return {"out": out, "x_after": x}


def judge_leaky_relu_forward_case(case, got):
    from torch.nn import functional

    alpha = float(case.get("alpha", 0.01))
    want = functional.leaky_relu(_t(case["x"]), alpha).numpy()
    judge_leaky_relu_forward(case["x"], alpha, got["out"], got["x_after"], want, EXACT,
                             reveal=False)


def call_leaky_relu_forward(case, got) -> Call:
    """Trusted side: the call one case made (alpha given, or the default)."""
    args = (case["x"],) if "alpha" not in case else (case["x"], float(case["alpha"]))
    return hidden_call(args, (got.get("out"), None))


def probe_leaky_relu_backward(case):
    from cs231n_utils.layers import leaky_relu_backward

    alpha = float(case.get("alpha", 0.01))
    return {"dx": leaky_relu_backward(case["dout"].copy(), (case["x"].copy(), alpha))}


def judge_leaky_relu_backward_case(case, got):
    from torch.nn import functional

    alpha = float(case.get("alpha", 0.01))
    _, (want,) = torch_grads(lambda x: functional.leaky_relu(x, alpha), [case["x"]],
                             case["dout"])
    judge_leaky_relu_backward(case["x"], alpha, case["dout"], got["dx"], want, EXACT,
                              reveal=False)


def call_leaky_relu_backward(case, got) -> Call:
    """Trusted side: the call one case made, the cache (x, alpha) from the case."""
    return hidden_call((case["dout"], (case["x"], float(case.get("alpha", 0.01)))),
                       got.get("dx"))


def _maxout_inputs(rng: np.random.Generator) -> dict:
    """x (N, d_1, ..., d_k) with k = 1 to 3, w (D, M, K), b (M, K), K = 1 to 4."""
    N, M, K = int(rng.integers(1, 7)), int(rng.integers(1, 6)), int(rng.integers(1, 5))
    dims = _shape(rng, 5, 3)
    D = int(np.prod(dims))
    return {"x": rng.normal(size=(N, *dims)), "w": rng.normal(size=(D, M, K)),
            "b": rng.normal(size=(M, K))}


def maxout_forward_cases() -> list[dict]:
    return [_maxout_inputs(np.random.default_rng(5130 + case)) for case in range(4)]


def probe_maxout_forward(case):
    from cs231n_utils.layers import maxout_forward

    x, w, b = case["x"].copy(), case["w"].copy(), case["b"].copy()
    out, _ = maxout_forward(x, w, b)
    return {"out": out, "x_after": x, "w_after": w, "b_after": b}


def judge_maxout_forward_case(case, got):
    want = torch_maxout(_t(case["x"]), _t(case["w"]), _t(case["b"])).numpy()
    judge_maxout_forward(case["x"], case["w"], case["b"], got["out"],
                         (got["x_after"], got["w_after"], got["b_after"]), want, EXACT,
                         reveal=False)


def call_maxout_forward(case, got) -> Call:
    """Trusted side: the call one case made, for the mistake catalogue."""
    return hidden_call((case["x"], case["w"], case["b"]), (got.get("out"), None))


def maxout_backward_cases() -> list[dict]:
    """The cache's winners are the pieces PyTorch's max picks, so that the student's
    backward and autograd send the gradient to the same pieces."""
    import torch

    out = []
    for case in range(4):
        rng = np.random.default_rng(5150 + case)
        inputs = _maxout_inputs(rng)
        x, w, b = (_t(inputs[k]) for k in "xwb")
        pieces = torch.einsum("nd,dmk->nmk", x.reshape(x.shape[0], -1), w) + b
        winner = pieces.max(dim=2).indices.numpy()
        out.append({**inputs, "winner": winner, "dout": rng.normal(size=winner.shape)})
    return out


def probe_maxout_backward(case):
    from cs231n_utils.layers import maxout_backward

    cache = (case["x"].copy(), case["w"].copy(), case["b"].copy(), case["winner"].copy())
    dx, dw, db = maxout_backward(case["dout"].copy(), cache)
    return {"dx": dx, "dw": dw, "db": db}


def call_maxout_backward(case, got) -> Call:
    """Trusted side: the call one case made, the cache (x, w, b, winner) from the case."""
    return hidden_call((case["dout"], (case["x"], case["w"], case["b"], case["winner"])),
                       (got.get("dx"), got.get("dw"), got.get("db")))


def judge_maxout_backward_case(case, got):
    _, want = torch_grads(torch_maxout, [case["x"], case["w"], case["b"]], case["dout"])
    judge_maxout_backward(case["x"], case["w"], case["b"], case["winner"], case["dout"],
                          [got["dx"], got["dw"], got["db"]], want, EXACT, reveal=False)


# ------------------------------------------------------- batch normalisation


def batchnorm_forward_cases() -> list[dict]:
    """1, 2 or 3 training steps on batches of N = 3 to 11 examples, D = 1 to 6 features of
    different scales and means, then a test-mode batch; eps and momentum given or not,
    running averages given or not (then they start at zero)."""
    out = []
    for case in range(4):
        rng = np.random.default_rng(5400 + case)
        S, N, D = 1 + (case + 1) % 3, int(rng.integers(3, 12)), int(rng.integers(1, 7))
        scale, shift = rng.uniform(0.1, 3, size=D), rng.normal(size=D) * 2
        item = {"x": rng.normal(size=(S, N, D)) * scale + shift,
                "x_test": rng.normal(size=(int(rng.integers(1, 8)), D)) * scale + shift,
                "gamma": rng.normal(size=D), "beta": rng.normal(size=D)}
        if case % 2:
            item["eps"] = np.array(10.0 ** rng.uniform(-4, -1))
        if case in (1, 2):
            item["momentum"] = np.array(round(float(rng.uniform(0.6, 0.95)), 2))
        if case >= 2:
            item["running_mean"] = rng.normal(size=D)
            item["running_var"] = rng.uniform(0.5, 2, size=D)
        out.append(item)
    return out


def probe_batchnorm_forward(case):
    from cs231n_utils.layers import batchnorm_forward

    return _probe_norm_steps(case, batchnorm_forward, "batch")


def judge_batchnorm_forward_case(case, got):
    _judge_norm_steps(case, got, "batch")


def norm_backward_cases(seed: int, kind: str) -> list[dict]:
    """x (N, D) with N = 3 to 11 and D = 1 to 6 ("batch") or N = 1 to 8 and D = 3 to 9
    ("layer"), gamma, beta, dout, eps given or not, and the docstring's cache made by
    PyTorch: (x, x_hat, mean, var, gamma, beta, eps)."""
    out = []
    for case in range(4):
        rng = np.random.default_rng(seed + case)
        if kind == "batch":
            N, D = int(rng.integers(3, 12)), int(rng.integers(1, 7))
            x = rng.normal(size=(N, D)) * rng.uniform(0.1, 3, size=D) + rng.normal(size=D)
        else:
            N, D = int(rng.integers(1, 9)), int(rng.integers(3, 10))
            x = (rng.normal(size=(N, D)) * rng.uniform(0.1, 3, size=(N, 1))
                 + rng.normal(size=(N, 1)))
        eps = 10.0 ** rng.uniform(-5, -1) if case % 2 else 1e-5
        axis = 0 if kind == "batch" else 1
        mean, var = _statistics(x, axis)
        x_hat = torch_norm(kind, x, np.ones(D), np.zeros(D), eps)
        out.append({"x": x, "gamma": rng.normal(size=D), "beta": rng.normal(size=D),
                    "dout": rng.normal(size=(N, D)), "eps": np.array(eps), "x_hat": x_hat,
                    "mean": mean, "var": var})
    return out


def _probe_norm_backward(case, name):
    from cs231n_utils import layers

    cache = (case["x"].copy(), case["x_hat"].copy(), case["mean"].copy(), case["var"].copy(),
             case["gamma"].copy(), case["beta"].copy(), float(case["eps"]))
    dx, dgamma, dbeta = getattr(layers, name)(case["dout"].copy(), cache)
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def probe_batchnorm_backward(case):
    return _probe_norm_backward(case, "batchnorm_backward")


def probe_batchnorm_backward_alt(case):
    return _probe_norm_backward(case, "batchnorm_backward_alt")


def probe_layernorm_backward(case):
    return _probe_norm_backward(case, "layernorm_backward")


def call_norm_backward(case, got) -> Call:
    """Trusted side: the call one case made, with the docstring's cache of the case."""
    cache = (case["x"], case["x_hat"], case["mean"], case["var"], case["gamma"],
             case["beta"], float(case["eps"]))
    return hidden_call((case["dout"], cache), (got.get("dx"), got.get("dgamma"),
                                               got.get("dbeta")))


def judge_norm_backward_of(kind: str, name: str):
    """The judge of a normalisation backward: its gradients against autograd."""
    def judge_case(case, got):
        eps = float(case["eps"])
        x, gamma = case["x"], case["gamma"]
        _, want = torch_grads(torch_norm_function(kind, eps), [x, gamma, case["beta"]],
                              case["dout"])
        judge_norm_backward(kind, name, x, gamma, eps, case["dout"],
                            [got["dx"], got["dgamma"], got["dbeta"]], want,
                            f"x of shape {x.shape}", EXACT, reveal=False)
    return judge_case


# ------------------------------------------------------- layer normalisation


def layernorm_forward_cases() -> list[dict]:
    """x (N, D) with rows of different scales and means, one square case (N == D), eps
    given or not, once with an extra 'mode' key (which must be ignored)."""
    out = []
    for case in range(4):
        rng = np.random.default_rng(5500 + case)
        N, D = int(rng.integers(1, 9)), int(rng.integers(3, 10))
        if case == 2:
            N = D
        item = {"x": (rng.normal(size=(N, D)) * rng.uniform(0.1, 3, size=(N, 1))
                      + rng.normal(size=(N, 1))),
                "gamma": rng.normal(size=D), "beta": rng.normal(size=D)}
        if case % 2:
            item["eps"] = np.array(10.0 ** rng.uniform(-4, -1))
        if case == 3:
            item["with_mode"] = np.array(True)
        out.append(item)
    return out


def probe_layernorm_forward(case):
    from cs231n_utils.layers import layernorm_forward

    param = _norm_param(case)
    if "with_mode" in case:
        param["mode"] = "train"
    x, gamma, beta = case["x"].copy(), case["gamma"].copy(), case["beta"].copy()
    out, cache = layernorm_forward(x, gamma, beta, param)
    return {"out": out, "x_after": x, "gamma_after": gamma, "beta_after": beta,
            **_items(cache)}


def judge_layernorm_forward_case(case, got):
    x, gamma, beta = case["x"], case["gamma"], case["beta"]
    eps = float(case.get("eps", 1e-5))
    for name in ("x", "gamma", "beta"):
        unchanged(case[name], got[f"{name}_after"], "layernorm_forward", name)
    context = f"x of shape {x.shape}"
    judge_norm_output("layer", x, gamma, beta, eps, got["out"],
                      torch_norm("layer", x, gamma, beta, eps), context, reveal=False)
    D = gamma.size
    mean, var = _statistics(x, 1)
    x_hat = torch_norm("layer", x, np.ones(D), np.zeros(D), eps)
    judge_norm_cache("layer", *_cache_from(got), x, gamma, beta, eps, x_hat, mean, var,
                     context, EXACT, reveal=False)


def call_layernorm_forward(case, got) -> Call:
    """Trusted side: the call one case made (ln_param as the probe builds it)."""
    param = _norm_param(case)
    if "with_mode" in case:
        param["mode"] = "train"
    return hidden_call((case["x"], case["gamma"], case["beta"], param),
                       (got.get("out"), None))


# ------------------------------------------------ spatial batch normalisation


def _images(rng: np.random.Generator, N: int, C: int, H: int, W: int,
            scale: np.ndarray, shift: np.ndarray) -> np.ndarray:
    return rng.normal(size=(N, C, H, W)) * scale[None, :, None, None] + shift[None, :, None, None]


def _image_shape(rng: np.random.Generator) -> tuple[int, int, int, int]:
    """(N, C, H, W) with at least 3 values per channel."""
    while True:
        N, C, H, W = (int(n) for n in rng.integers(1, 5, size=4))
        if N * H * W >= 3:
            return N, C, H, W


def spatial_forward_cases() -> list[dict]:
    """1, 2 or 3 training steps on images, then a test-mode batch; eps, momentum and the
    running averages given or not, as for batchnorm_forward."""
    out = []
    for case in range(4):
        rng = np.random.default_rng(5600 + case)
        N, C, H, W = _image_shape(rng)
        S = 1 + (case + 2) % 3
        scale, shift = rng.uniform(0.3, 3, size=C), rng.normal(size=C) * 2
        item = {"x": np.stack([_images(rng, N, C, H, W, scale, shift) for _ in range(S)]),
                "x_test": _images(rng, int(rng.integers(1, 4)), C, H, W, scale, shift),
                "gamma": rng.normal(size=C), "beta": rng.normal(size=C)}
        if case % 2 == 0:
            item["eps"] = np.array(10.0 ** rng.uniform(-4, -1))
        if case in (0, 3):
            item["momentum"] = np.array(round(float(rng.uniform(0.6, 0.95)), 2))
        if case >= 2:
            item["running_mean"] = rng.normal(size=C)
            item["running_var"] = rng.uniform(0.5, 2, size=C)
        out.append(item)
    return out


def probe_spatial_batchnorm_forward(case):
    from cs231n_utils.layers import spatial_batchnorm_forward

    return _probe_norm_steps(case, spatial_batchnorm_forward, "spatial")


def judge_spatial_batchnorm_forward_case(case, got):
    _judge_norm_steps(case, got, "spatial")


def spatial_backward_cases() -> list[dict]:
    out = []
    for case in range(4):
        rng = np.random.default_rng(5650 + case)
        N, C, H, W = _image_shape(rng)
        x = _images(rng, N, C, H, W, rng.uniform(0.3, 3, size=C), rng.normal(size=C))
        out.append({"x": x, "gamma": rng.normal(size=C), "beta": rng.normal(size=C),
                    "dout": rng.normal(size=x.shape),
                    "eps": np.array(10.0 ** rng.uniform(-5, -1) if case % 2 else 1e-5)})
    return out


def probe_spatial_batchnorm_backward(case):
    """The cache is free-form: it comes from the student's own forward (training mode)."""
    from cs231n_utils.layers import spatial_batchnorm_backward, spatial_batchnorm_forward

    param = {"mode": "train", "eps": float(case["eps"])}
    out, cache = spatial_batchnorm_forward(case["x"].copy(), case["gamma"].copy(),
                                           case["beta"].copy(), param)
    dx, dgamma, dbeta = spatial_batchnorm_backward(case["dout"].copy(), cache)
    return {"out": out, "dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def call_spatial_batchnorm_backward(case, got) -> Call:
    """Trusted side, for the mistake catalogue: the call with the cache of the docstring
    made here from the case (batchnorm_forward's cache of the images' rows, channels
    last), not the free-form one the student's forward made."""
    x, eps = case["x"], float(case["eps"])
    C = x.shape[1]
    rows = x.transpose(0, 2, 3, 1).reshape(-1, C)
    mean, var = _statistics(rows, 0)
    x_hat = torch_norm("batch", rows, np.ones(C), np.zeros(C), eps)
    cache = (rows, x_hat, mean, var, case["gamma"], case["beta"], eps)
    return hidden_call((case["dout"], cache), (got.get("dx"), got.get("dgamma"),
                                               got.get("dbeta")))


def judge_spatial_batchnorm_backward_case(case, got):
    eps = float(case["eps"])
    x, gamma, beta = case["x"], case["gamma"], case["beta"]
    judge_spatial_forward_for_backward(x, got["out"], torch_norm("spatial", x, gamma, beta, eps))
    _, want = torch_grads(torch_norm_function("spatial", eps), [x, gamma, beta], case["dout"])
    judge_norm_backward("spatial", "spatial_batchnorm_backward", x, gamma, eps, case["dout"],
                        [got["dx"], got["dgamma"], got["dbeta"]], want,
                        f"x of shape {x.shape}", EXACT, reveal=False)


# ------------------------------------------------------------------------ dropout


def _nonzero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Inputs of both signs and mixed scales, none of them 0 (out / x must be defined)."""
    x = rng.normal(size=shape) * 10.0 ** rng.uniform(-1, 1)
    return np.where(np.abs(x) < 1e-3, 1.0, x)


def dropout_forward_cases() -> list[dict]:
    """2000 to 9000 units in 2 to 4 axes, keep probabilities 0.1 to 1, random seeds."""
    out = []
    for case, p in enumerate((0.1, 0.35, 0.5, 0.8, 1.0)):
        rng = np.random.default_rng(5700 + case)
        while True:
            shape = (int(rng.integers(20, 60)), *_shape(rng, 30, 3))
            if 2000 <= int(np.prod(shape)) <= 9000:
                break
        out.append({"x": _nonzero(rng, shape), "p": np.array(p),
                    "seed": np.array(int(rng.integers(0, 2**31 - 2)))})
    return out


def probe_dropout_forward(case):
    """Two training calls with the same seed, one with the next seed, one in test mode."""
    from cs231n_utils.layers import dropout_forward

    p, seed = float(case["p"]), int(case["seed"])
    got = {}
    for name, mode, s in (("out", "train", seed), ("again", "train", seed),
                          ("other", "train", seed + 1), ("test", "test", seed)):
        x = case["x"].copy()
        out, _ = dropout_forward(x, {"mode": mode, "p": p, "seed": s})
        got[name], got[f"x_after.{name}"] = out, x
    return got


def judge_dropout_forward_case(case, got):
    x = case["x"]
    for name in ("again", "other", "test"):
        unchanged(x, got[f"x_after.{name}"], "dropout_forward", "x")
    judge_dropout_forward(x, float(case["p"]), got["out"], got["again"], got["other"],
                          got["test"], got["x_after.out"], reveal=False)


def call_dropout_forward(case, got) -> list[Call]:
    """Trusted side: the four calls one case made (the inputs from the case)."""
    p, seed = float(case["p"]), int(case["seed"])
    return [hidden_call((case["x"], {"mode": mode, "p": p, "seed": s}), (got.get(name), None))
            for name, mode, s in (("out", "train", seed), ("again", "train", seed),
                                  ("other", "train", seed + 1), ("test", "test", seed))]


def dropout_backward_cases() -> list[dict]:
    out = []
    for case, p in enumerate((0.2, 0.5, 0.75, 1.0)):
        rng = np.random.default_rng(5750 + case)
        shape = _shape(rng, 12, 3)
        out.append({"x": _nonzero(rng, shape), "dout": rng.normal(size=shape),
                    "p": np.array(p), "seed": np.array(int(rng.integers(0, 2**31 - 1)))})
    return out


def probe_dropout_backward(case):
    """The cache comes from the student's own forward (seeded training mode, then test
    mode), as in CS231n's check."""
    from cs231n_utils.layers import dropout_backward, dropout_forward

    p, seed = float(case["p"]), int(case["seed"])
    out, cache = dropout_forward(case["x"].copy(), {"mode": "train", "p": p, "seed": seed})
    dx = dropout_backward(case["dout"].copy(), cache)
    _, test_cache = dropout_forward(case["x"].copy(), {"mode": "test", "p": p})
    dx_test = dropout_backward(case["dout"].copy(), test_cache)
    return {"out": out, "dx": dx, "dx_test": dx_test}


def call_dropout_backward(case, got) -> list[Call]:
    """Trusted side: the two calls one case made, with the docstring's caches rebuilt here
    from the case: ``(dropout_param, mask)``, the mask the seeded forward draws
    (``np.random.seed(seed)``, then ``(np.random.rand(*x.shape) < p) / p``), None in test
    mode."""
    x, p, seed = case["x"], float(case["p"]), int(case["seed"])
    mask = (np.random.RandomState(seed).rand(*x.shape) < p) / p
    train = ({"mode": "train", "p": p, "seed": seed}, mask)
    test = ({"mode": "test", "p": p}, None)
    return [hidden_call((case["dout"], train), got.get("dx")),
            hidden_call((case["dout"], test), got.get("dx_test"))]


def judge_dropout_backward_case(case, got):
    x, dout, p = case["x"], case["dout"], float(case["p"])
    out = np.asarray(got["out"], dtype=np.float64)
    want = dout * out / x if out.shape == x.shape else np.zeros_like(x)
    judge_dropout_backward(x, dout, got["out"], got["dx"], got["dx_test"], want, p, EXACT,
                           reveal=False)


# ======================================================================
# Part 2: preprocessing, the sandwich, FullyConnectedNet, the update rules
# (seeds 5800-5999; helpers prefixed _nets_)
# ----------------------------------------------------------------- shared helpers


def _nets_shape(rng: np.random.Generator, largest: int, max_rank: int) -> tuple[int, ...]:
    """A random shape of 1 to ``max_rank`` axes, each of 1 to ``largest - 1`` entries."""
    rank = int(rng.integers(1, max_rank + 1))
    return tuple(int(n) for n in rng.integers(1, largest, size=rank))


def _nets_plain(value) -> bool:
    """Sandbox side: whether ``value`` can be sent back as plain data."""
    if value is None:
        return False
    try:
        return np.asarray(value).dtype.kind in "biufcU"
    except Exception:  # noqa: BLE001 (whatever a student's object does)
        return False


def _nets_mapping(value, prefix: str) -> dict:
    """Sandbox side: a dict the student's code made (keys, the kind of each value, the
    values that are plain data), or the type of what it is instead."""
    if not isinstance(value, dict):
        return {f"{prefix}_type": type(value).__name__}
    out = {f"{prefix}_keys": np.array([str(k) for k in value], dtype=str)}
    for key, item in value.items():
        name = str(key)
        if name.isidentifier() and len(name) <= 40:
            out[f"{prefix}_kind:{name}"] = type(item).__name__
            if _nets_plain(item):
                out[f"{prefix}:{name}"] = item
    return out


def _nets_mapping_from(got: dict, prefix: str):
    """Trusted side: the dict :func:`_nets_mapping` sent, rebuilt (a value that did not
    come back is None), or the name of the type it was instead."""
    if f"{prefix}_type" in got:
        return f"a {got[f'{prefix}_type']}"
    out = {}
    for key in got[f"{prefix}_keys"].tolist():
        value = got.get(f"{prefix}:{key}")
        out[key] = value.item() if value is not None and value.ndim == 0 else value
    return out


def _nets_returned(result, count: int, **parts: int) -> dict:
    """Sandbox side: the type (and length) of what a function returned, and the items at
    the positions ``parts`` names when it is a tuple of ``count`` (non-plain items left
    out)."""
    out = {"returned": type(result).__name__}
    if isinstance(result, tuple | list):
        out["returned_len"] = len(result)
        if len(result) == count:
            out.update({name: result[i] for name, i in parts.items()
                        if _nets_plain(result[i])})
    return out


def _nets_expect_tuple(got: dict, count: int, function: str, names: str) -> None:
    """Trusted side: the visible checks' failure when a function does not return a tuple
    of ``count``."""
    kind, length = str(got["returned"]), int(got.get("returned_len", -1))
    assert kind in ("tuple", "list") and length == count, (
        f"{function} must return a tuple ({names}); got {kind}"
        + (f" of length {length}" if length >= 0 else ""))


def _nets_none(value):
    """``None`` for the marker -1 (plain data has no None)."""
    return None if int(value) < 0 else int(value)


# ------------------------------------------------------------------ preprocessing


def _nets_separated(rng: np.random.Generator, N: int, D: int, shift: float = 0.0,
                    tiny: bool = False) -> np.ndarray:
    """N examples of D features whose covariance has well separated eigenvalues
    (successive ones at most 0.8 times the previous, checked on the sample), along random
    directions, with a random mean; with ``tiny`` the last feature is nearly constant."""
    while True:
        ratio = rng.uniform(0.35, 0.6)
        scales = 3.0 * ratio ** np.arange(D - int(tiny))
        q = np.linalg.qr(rng.normal(size=(len(scales), len(scales))))[0]
        X = rng.normal(size=(N, len(scales))) * scales @ q.T + rng.normal(size=len(scales)) * 2
        if tiny:
            X = np.hstack([X, 4.0 + 1e-3 * rng.normal(size=(N, 1))])
        X = X + shift
        values = np.sort(np.linalg.eigvalsh(np.cov(X.T, bias=True)))[::-1]
        if np.all(values[1:] < 0.8 * values[:-1]) and values[-1] > 1e-9:
            return X


#: Method and num_components (-1: None) of each preprocessing case.
_NETS_METHODS = [("center", -1), ("standardize", -1), ("pca", -1), ("pca", 0), ("whiten", 0),
                 ("whiten", -1)]


def fit_preprocessing_cases() -> list[dict]:
    out = []
    for case, (method, k) in enumerate(_NETS_METHODS):
        rng = np.random.default_rng(5800 + case)
        D = int(rng.integers(3, 8))
        X = _nets_separated(rng, int(rng.integers(4 * D, 60)), D, tiny=case % 2 == 1)
        k = int(rng.integers(1, D)) if k == 0 else -1
        # standardize: eps large enough that where it goes shows (sqrt(var + eps), not
        # sqrt(var) or sqrt(var) + eps)
        low, high = (-3, -1.5) if method == "standardize" else (-6, -2)
        out.append({"X": X, "method": method, "num_components": np.array(k),
                    "eps": np.array(10.0 ** rng.uniform(low, high))})
    return out


def probe_fit_preprocessing(case):
    from cs231n_utils.preprocessing import fit_preprocessing

    X = case["X"].copy()
    stats = fit_preprocessing(X, str(case["method"]), _nets_none(case["num_components"]),
                              float(case["eps"]))
    return {"X_after": X, **_nets_mapping(stats, "stats")}


def judge_fit_preprocessing_case(case, got):
    method, k, eps = str(case["method"]), _nets_none(case["num_components"]), float(case["eps"])
    judge_fit_preprocessing(case["X"], method, k, eps, _nets_mapping_from(got, "stats"),
                            got["X_after"], fit_oracle(case["X"], method, k, eps),
                            NETS_TOLERANCE, reveal=False)


def call_fit_preprocessing(case, got) -> Call:
    """Trusted side: the call one case made, for the mistake catalogue."""
    return hidden_call((case["X"], str(case["method"]), _nets_none(case["num_components"]),
                        float(case["eps"])), _nets_mapping_from(got, "stats"))


_NETS_STATS_KEYS = ("mean", "scale", "components", "variances")


def apply_preprocessing_cases() -> list[dict]:
    """Statistics fitted (here) on one data set, applied to other data of the same D."""
    out = []
    for case, (method, k) in enumerate(_NETS_METHODS[:2] + _NETS_METHODS[3:5]):
        rng = np.random.default_rng(5810 + case)
        D = int(rng.integers(3, 8))
        X_fit = _nets_separated(rng, int(rng.integers(4 * D, 60)), D, tiny=case % 2 == 1)
        k = int(rng.integers(1, D)) if k == 0 else None
        stats = fit_oracle(X_fit, method, k, 10.0 ** rng.uniform(-5, -1))
        X = rng.normal(size=(int(rng.integers(1, 20)), D)) * 2 + rng.normal(size=D)
        out.append({"X": X, "method": method, "eps": np.array(stats["eps"]),
                    **{f"stats:{key}": stats[key] for key in _NETS_STATS_KEYS if key in stats}})
    return out


def _nets_stats(case) -> dict:
    """The statistics a case holds, as the dict fit_preprocessing makes."""
    stats = {"method": str(case["method"]), "eps": float(case["eps"])}
    stats.update({key: case[f"stats:{key}"].copy() for key in _NETS_STATS_KEYS
                  if f"stats:{key}" in case})
    return stats


def probe_apply_preprocessing(case):
    from cs231n_utils.preprocessing import apply_preprocessing

    X = case["X"].copy()
    out = apply_preprocessing(X, _nets_stats(case))
    return {"X_after": X, **({"out": out} if _nets_plain(out) else {})}


def judge_apply_preprocessing_case(case, got):
    stats = _nets_stats(case)
    judge_apply_preprocessing(case["X"], stats, got.get("out"), got["X_after"],
                              apply_oracle(case["X"], stats), NETS_TOLERANCE, reveal=False)


def call_apply_preprocessing(case, got) -> Call:
    """Trusted side: the call one case made, the statistics from the case."""
    return hidden_call((case["X"], _nets_stats(case)), got.get("out"))


_NETS_SPLITS = ("X_train", "X_val", "X_test")


def preprocess_splits_cases() -> list[dict]:
    """Three splits from different distributions (means, scales, directions), so that
    statistics fitted on the validation or test split differ clearly from the training
    split's."""
    out = []
    for case, (method, k) in enumerate(_NETS_METHODS[1:]):
        rng = np.random.default_rng(5820 + case)
        D = int(rng.integers(3, 7))
        splits = {name: _nets_separated(rng, int(rng.integers(3 * D, 40)), D, shift=2.0 * i,
                                        tiny=case == 0)
                  for i, name in enumerate(_NETS_SPLITS)}
        k = int(rng.integers(1, D)) if k == 0 else -1
        out.append({**splits, "method": method, "num_components": np.array(k),
                    "eps": np.array(10.0 ** rng.uniform(-6, -3))})
    return out


def probe_preprocess_splits(case):
    from cs231n_utils.preprocessing import preprocess_splits

    splits = {name: case[name].copy() for name in _NETS_SPLITS}
    result = preprocess_splits(*splits.values(), str(case["method"]),
                               _nets_none(case["num_components"]), float(case["eps"]))
    got = {**{f"after:{name}": X for name, X in splits.items()},
           **_nets_returned(result, 4, X_train_out=0, X_val_out=1, X_test_out=2)}
    if isinstance(result, tuple | list) and len(result) == 4:
        got.update(_nets_mapping(result[3], "stats"))
    return got


def judge_preprocess_splits_case(case, got):
    method, k, eps = str(case["method"]), _nets_none(case["num_components"]), float(case["eps"])
    _nets_expect_tuple(got, 4, "preprocess_splits", "X_train_out, X_val_out, X_test_out, stats")
    splits = {name: case[name] for name in _NETS_SPLITS}
    result = (got.get("X_train_out"), got.get("X_val_out"), got.get("X_test_out"),
              _nets_mapping_from(got, "stats"))
    stats = fit_oracle(case["X_train"], method, k, eps)
    judge_preprocess_splits(splits, method, k, eps, result,
                            {name: got[f"after:{name}"] for name in _NETS_SPLITS},
                            [apply_oracle(case[name], stats) for name in _NETS_SPLITS], stats,
                            NETS_TOLERANCE, reveal=False)


def call_preprocess_splits(case, got) -> Call:
    """Trusted side: the call one case made, for the mistake catalogue."""
    return hidden_call((*(case[name] for name in _NETS_SPLITS), str(case["method"]),
                        _nets_none(case["num_components"]), float(case["eps"])),
                       (got.get("X_train_out"), got.get("X_val_out"), got.get("X_test_out"),
                        _nets_mapping_from(got, "stats")))


# ------------------------------------------------------- affine - norm - ReLU

_NETS_ARRAYS = ("x", "w", "b", "gamma", "beta")


def _nets_sandwich_inputs(rng: np.random.Generator) -> dict:
    N, M = int(rng.integers(2, 9)), int(rng.integers(2, 8))
    dims = _nets_shape(rng, 5, 3)
    D = int(np.prod(dims))
    return {"x": rng.normal(size=(N, *dims)), "w": rng.normal(size=(D, M)) / np.sqrt(D),
            "b": rng.normal(size=M), "gamma": 1.0 + 0.5 * rng.normal(size=M),
            "beta": 0.5 * rng.normal(size=M)}


def sandwich_forward_cases() -> list[dict]:
    """Batch normalisation in training mode (twice) and test mode (twice, with running
    averages given), layer normalisation (twice); random eps and momentum."""
    out = []
    for case, (normalization, mode) in enumerate(
            [("batchnorm", "train"), ("batchnorm", "train"), ("batchnorm", "test"),
             ("batchnorm", "test"), ("layernorm", "train"), ("layernorm", "train")]):
        rng = np.random.default_rng(5830 + case)
        inputs = _nets_sandwich_inputs(rng)
        M = len(inputs["b"])
        out.append({**inputs, "normalization": normalization, "mode": mode,
                    "eps": np.array(10.0 ** rng.uniform(-5, -2)),
                    "momentum": np.array(rng.uniform(0.5, 0.99)),
                    "running_mean": rng.normal(size=M), "running_var": rng.uniform(0.3, 3, M)})
    return out


def _nets_norm_param(case) -> dict:
    """The norm_param dict of a case, as the docstring describes it."""
    if str(case["normalization"]) == "layernorm":
        return {"eps": float(case["eps"])}
    return {"mode": str(case["mode"]), "eps": float(case["eps"]),
            "momentum": float(case["momentum"]), "running_mean": case["running_mean"].copy(),
            "running_var": case["running_var"].copy()}


def probe_affine_norm_relu_forward(case):
    from cs231n_utils.layer_utils import affine_norm_relu_forward

    arrays = {name: case[name].copy() for name in _NETS_ARRAYS}
    norm_param = _nets_norm_param(case)
    result = affine_norm_relu_forward(*arrays.values(), norm_param,
                                      str(case["normalization"]))
    got = {**{f"after:{name}": value for name, value in arrays.items()},
           **_nets_returned(result, 2, out=0)}
    for key in ("running_mean", "running_var"):
        if _nets_plain(norm_param.get(key)):
            got[f"param:{key}"] = norm_param[key]
    return got


def judge_affine_norm_relu_forward_case(case, got):
    import torch
    from torch.nn import functional

    _nets_expect_tuple(got, 2, "affine_norm_relu_forward", "out, cache")
    t = {name: torch.tensor(case[name]) for name in _NETS_ARRAYS}
    a = t["x"].reshape(len(case["x"]), -1) @ t["w"] + t["b"]
    eps, normalization = float(case["eps"]), str(case["normalization"])
    norm_param = _nets_norm_param(case)
    want_running = None
    if normalization == "layernorm":
        normed = functional.layer_norm(a, (a.shape[1],), t["gamma"], t["beta"], eps)
    elif str(case["mode"]) == "test":
        normed = functional.batch_norm(a, torch.tensor(case["running_mean"]),
                                       torch.tensor(case["running_var"]), t["gamma"],
                                       t["beta"], training=False, eps=eps)
    else:
        normed = functional.batch_norm(a, None, None, t["gamma"], t["beta"], training=True,
                                       eps=eps)
        m = float(case["momentum"])
        want_running = ((m * torch.tensor(case["running_mean"]) + (1 - m) * a.mean(0)).numpy(),
                        (m * torch.tensor(case["running_var"])
                         + (1 - m) * a.var(0, correction=0)).numpy())
    running = None
    if "param:running_mean" in got and "param:running_var" in got:
        running = (got["param:running_mean"], got["param:running_var"])
    judge_affine_norm_relu_forward(
        {name: case[name] for name in _NETS_ARRAYS}, normalization, norm_param, got.get("out"),
        {name: got[f"after:{name}"] for name in _NETS_ARRAYS}, running,
        torch.relu(normed).numpy(), want_running, NETS_TOLERANCE, reveal=False)


def call_affine_norm_relu_forward(case, got) -> Call:
    """Trusted side: the call one case made, with norm_param as the student's function
    left it (its running averages)."""
    args = (*(case[name] for name in _NETS_ARRAYS), _nets_norm_param(case),
            str(case["normalization"]))
    left = _nets_norm_param(case)
    for key in ("running_mean", "running_var"):
        left[key] = got.get(f"param:{key}")
    return hidden_call(args, (got.get("out"), None), (*args[:5], left, args[6]))


def sandwich_backward_cases() -> list[dict]:
    """Three batch-norm and three layer-norm sandwiches, each with its cache built here
    (``norm_cache``: the docstrings' format) and no ReLU input within 1e-6 of its kink."""
    out = []
    for case in range(6):
        rng = np.random.default_rng(5840 + case)
        normalization = "batchnorm" if case < 3 else "layernorm"
        eps = 10.0 ** rng.uniform(-5, -2)
        while True:
            inputs = _nets_sandwich_inputs(rng)
            a = inputs["x"].reshape(len(inputs["x"]), -1) @ inputs["w"] + inputs["b"]
            a_, x_hat, mean, var, _, _, _ = norm_cache(a, inputs["gamma"], inputs["beta"],
                                                       normalization, eps)
            relu_in = inputs["gamma"] * x_hat + inputs["beta"]
            if np.min(np.abs(relu_in)) > 1e-6:
                break
        out.append({**inputs, "normalization": normalization, "eps": np.array(eps),
                    "a": a, "x_hat": x_hat, "mean": mean, "var": var, "relu_in": relu_in,
                    "dout": rng.normal(size=a.shape)})
    return out


def _nets_sandwich_cache(case) -> tuple:
    """The cache of a case: ((x, w, b), norm_cache, relu_cache, normalization)."""
    c = {k: case[k].copy() for k in ("x", "w", "b", "gamma", "beta", "a", "x_hat", "mean",
                                      "var", "relu_in")}
    return ((c["x"], c["w"], c["b"]),
            (c["a"], c["x_hat"], c["mean"], c["var"], c["gamma"], c["beta"], float(case["eps"])),
            c["relu_in"], str(case["normalization"]))


def probe_affine_norm_relu_backward(case):
    from cs231n_utils.layer_utils import affine_norm_relu_backward

    result = affine_norm_relu_backward(case["dout"].copy(), _nets_sandwich_cache(case))
    return _nets_returned(result, 5, dx=0, dw=1, db=2, dgamma=3, dbeta=4)


def call_affine_norm_relu_backward(case, got) -> Call:
    """Trusted side: the call one case made, with the cache built here from the case."""
    return hidden_call((case["dout"], _nets_sandwich_cache(case)),
                       tuple(got.get(name) for name in ("dx", "dw", "db", "dgamma", "dbeta")))


def judge_affine_norm_relu_backward_case(case, got):
    import torch
    from torch.nn import functional

    normalization, eps = str(case["normalization"]), float(case["eps"])
    mask = torch.tensor(case["relu_in"] > 0, dtype=torch.float64)

    def sandwich(x, w, b, gamma, beta):
        a = x.reshape(x.shape[0], -1) @ w + b
        if normalization == "batchnorm":
            normed = functional.batch_norm(a, None, None, gamma, beta, training=True, eps=eps)
        else:
            normed = functional.layer_norm(a, (a.shape[1],), gamma, beta, eps)
        return normed * mask

    leaves = [torch.tensor(case[name], requires_grad=True) for name in _NETS_ARRAYS]
    want = torch.autograd.grad(sandwich(*leaves), leaves, torch.tensor(case["dout"]))
    names = ("dx", "dw", "db", "dgamma", "dbeta")
    _nets_expect_tuple(got, 5, f"affine_norm_relu_backward ({normalization})",
                       ", ".join(names))
    judge_affine_norm_relu_backward(case["dout"], _nets_sandwich_cache(case),
                                    tuple(got.get(name) for name in names),
                                    [g.numpy() for g in want], NETS_TOLERANCE, reveal=False)


# ------------------------------------------------------------- FullyConnectedNet


def fc_net_init_cases() -> list[dict]:
    """Three small nets (layout only: names, shapes, starting values, same seed same
    parameters) and two with at least a thousand weights per matrix (their standard
    deviation is then within a few percent of weight_scale)."""
    out = []
    for case, (normalization, depth, large) in enumerate(
            [("none", 0, False), ("batchnorm", 3, False), ("layernorm", 2, False),
             ("batchnorm", 2, True), ("none", 1, True)]):
        rng = np.random.default_rng(5850 + case)
        low, high = (35, 60) if large else (1, 9)
        hidden = rng.integers(low, high, size=depth)
        out.append({"hidden_dims": np.array(hidden, dtype=np.int64),
                    "input_dim": np.array(int(rng.integers(low, high)) * (3 if large else 1)),
                    "num_classes": np.array(int(rng.integers(max(low, 2), high))),
                    "normalization": normalization,
                    "dropout_keep_ratio": np.array(1.0 if case % 2 else 0.5),
                    "weight_scale": np.array(10.0 ** rng.uniform(-3, -1)),
                    "seed": np.array(5850 + case), "check_scale": np.array(large)})
    return out


def _nets_normalization(case):
    value = str(case["normalization"])
    return None if value == "none" else value


def probe_fc_net_init(case):
    from cs231n_utils.classifiers.fc_net import FullyConnectedNet

    kwargs = {"input_dim": int(case["input_dim"]), "num_classes": int(case["num_classes"]),
              "dropout_keep_ratio": float(case["dropout_keep_ratio"]),
              "normalization": _nets_normalization(case),
              "weight_scale": float(case["weight_scale"]), "dtype": np.float64,
              "seed": int(case["seed"])}
    hidden = [int(h) for h in case["hidden_dims"]]
    model = FullyConnectedNet(list(hidden), **kwargs)
    again = FullyConnectedNet(list(hidden), **kwargs)
    return {**_nets_mapping(getattr(model, "params", None), "params"),
            **_nets_mapping(getattr(again, "params", None), "again")}


def judge_fc_net_init_case(case, got):
    params, again = _nets_mapping_from(got, "params"), _nets_mapping_from(got, "again")
    judge_fc_net_init(params, again if isinstance(again, dict) else {},
                      [int(h) for h in case["hidden_dims"]], int(case["input_dim"]),
                      int(case["num_classes"]), _nets_normalization(case),
                      float(case["weight_scale"]), bool(case["check_scale"]), reveal=False)


def fc_net_loss_cases() -> list[dict]:
    """Small nets with given parameters: no normalisation and reg 0; batch and layer
    normalisation with reg > 0; no hidden layer; dropout (keep 1 - 1e-6) in training; and
    a dropout net (keep well below 1) checked in test mode only."""
    out = []
    plan = [("none", 1, 1.0, True, False), ("batchnorm", 2, 1.0, True, True),
            ("layernorm", 3, 1.0, True, True), ("batchnorm", 0, 1.0, True, True),
            ("batchnorm", 2, NEARLY_ONE, True, True), ("layernorm", 2, 0.0, False, True)]
    for case, (normalization, depth, keep, train, reg) in enumerate(plan):
        rng = np.random.default_rng(5860 + case)
        N, C = int(rng.integers(2, 9)), int(rng.integers(2, 8))
        dims = _nets_shape(rng, 5, 3)
        D = int(np.prod(dims))
        hidden = [int(h) for h in rng.integers(1, 9, size=depth)]
        sizes = [D, *hidden, C]
        item = {"X": rng.normal(size=(N, *dims)), "y": rng.integers(0, C, size=N),
                "normalization": normalization, "hidden_dims": np.array(hidden, dtype=np.int64),
                "reg": np.array(round(float(rng.uniform(0.05, 1)), 2) if reg else 0.0),
                "keep": np.array(keep if keep else round(float(rng.uniform(0.3, 0.8)), 2)),
                "seed": np.array(5860 + case), "train": np.array(train)}
        for i in range(1, len(sizes)):
            item[f"W{i}"] = rng.normal(size=(sizes[i - 1], sizes[i])) * 1.5 / np.sqrt(sizes[i - 1])
            item[f"b{i}"] = 0.3 * rng.normal(size=sizes[i])
            if normalization != "none" and i < len(sizes) - 1:
                item[f"gamma{i}"] = 1.0 + 0.3 * rng.normal(size=sizes[i])
                item[f"beta{i}"] = 0.3 * rng.normal(size=sizes[i])
                if normalization == "batchnorm":
                    item[f"running_mean{i}"] = 0.5 * rng.normal(size=sizes[i])
                    item[f"running_var{i}"] = rng.uniform(0.3, 3.0, size=sizes[i])
        out.append(item)
    return out


def _nets_param_names(case) -> list[str]:
    return [k for k in case if k[:1] in "Wb" or k.startswith(("gamma", "beta"))]


def _nets_bare_net(case):
    """Sandbox side: a FullyConnectedNet with the case's parameters and the documented
    attributes, made without __init__."""
    from cs231n_utils.classifiers.fc_net import FullyConnectedNet

    model = FullyConnectedNet.__new__(FullyConnectedNet)
    normalization, keep = _nets_normalization(case), float(case["keep"])
    model.params = {name: case[name].copy() for name in _nets_param_names(case)}
    model.reg, model.dtype, model.normalization = float(case["reg"]), np.float64, normalization
    model.num_layers = len(case["hidden_dims"]) + 1
    model.use_dropout = keep != 1
    model.dropout_param = ({"mode": "train", "p": keep, "seed": int(case["seed"])}
                           if keep != 1 else {})
    model.bn_params = []
    if normalization == "batchnorm":
        model.bn_params = [{"mode": "train", "running_mean": case[f"running_mean{i}"].copy(),
                            "running_var": case[f"running_var{i}"].copy()}
                           for i in range(1, model.num_layers)]
    elif normalization == "layernorm":
        model.bn_params = [{} for _ in range(1, model.num_layers)]
    return model


def probe_fc_net_loss(case):
    model = _nets_bare_net(case)
    with np.errstate(all="ignore"):
        scores = model.loss(case["X"].copy())
    got = {"scores": scores} if _nets_plain(scores) else {}
    if bool(case["train"]):
        model = _nets_bare_net(case)
        with np.errstate(all="ignore"):
            result = model.loss(case["X"].copy(), case["y"].copy())
        got.update(_nets_returned(result, 2, loss=0))
        if isinstance(result, tuple | list) and len(result) == 2:
            got.update(_nets_mapping(result[1], "grads"))
        got.update(_nets_mapping(model.params, "after"))
    return got


def _nets_model(case):
    """Trusted side: a stand-in for the model of :func:`_nets_bare_net` (the documented
    attributes, from the case), the ``self`` of the catalogue's variants."""
    from types import SimpleNamespace

    normalization, keep = _nets_normalization(case), float(case["keep"])
    L = len(case["hidden_dims"]) + 1
    bn_params = []
    if normalization == "batchnorm":
        bn_params = [{"mode": "train", "running_mean": case[f"running_mean{i}"],
                      "running_var": case[f"running_var{i}"]} for i in range(1, L)]
    elif normalization == "layernorm":
        bn_params = [{} for _ in range(1, L)]
    return SimpleNamespace(
        params={name: case[name] for name in _nets_param_names(case)}, reg=float(case["reg"]),
        dtype=np.float64, normalization=normalization, num_layers=L, use_dropout=keep != 1,
        dropout_param=({"mode": "train", "p": keep, "seed": int(case["seed"])}
                       if keep != 1 else {}), bn_params=bn_params)


def call_fc_net_loss(case, got) -> list[Call]:
    """Trusted side: loss(X) (the scores), and loss(X, y) for a training case, each on a
    model made from the case."""
    calls = [hidden_call((_nets_model(case), case["X"]), got.get("scores"))]
    if bool(case["train"]):
        calls.append(hidden_call((_nets_model(case), case["X"], case["y"]),
                                 (got.get("loss"), _nets_mapping_from(got, "grads"))))
    return calls


def _nets_torch_scores(case, leaves: dict, mode: str):
    """Trusted side: the network's scores with torch.nn.functional, from tensors."""
    import torch
    from torch.nn import functional

    normalization = _nets_normalization(case)
    hidden = [int(h) for h in case["hidden_dims"]]
    keep = float(case["keep"])
    masks = (dropout_masks(int(case["seed"]), keep, len(case["X"]), hidden)
             if keep != 1 and mode == "train" else None)
    h = torch.tensor(case["X"]).reshape(len(case["X"]), -1)
    for i in range(1, len(hidden) + 1):
        a = h @ leaves[f"W{i}"] + leaves[f"b{i}"]
        if normalization == "batchnorm":
            running = ((torch.tensor(case[f"running_mean{i}"]),
                        torch.tensor(case[f"running_var{i}"])) if mode == "test" else (None, None))
            a = functional.batch_norm(a, *running, leaves[f"gamma{i}"], leaves[f"beta{i}"],
                                      training=mode == "train", eps=1e-5)
        elif normalization == "layernorm":
            a = functional.layer_norm(a, (a.shape[1],), leaves[f"gamma{i}"],
                                      leaves[f"beta{i}"], 1e-5)
        h = torch.relu(a)
        if masks is not None:
            h = h * torch.tensor(masks[i - 1])
    L = len(hidden) + 1
    return h @ leaves[f"W{L}"] + leaves[f"b{L}"], masks


def judge_fc_net_loss_case(case, got):
    import torch
    from torch.nn import functional

    normalization, reg = _nets_normalization(case), float(case["reg"])
    names = _nets_param_names(case)
    params = {name: case[name] for name in names}
    hidden = [int(h) for h in case["hidden_dims"]]
    running = ([(case[f"running_mean{i}"], case[f"running_var{i}"])
                for i in range(1, len(hidden) + 1)] if normalization == "batchnorm" else None)
    what = (f"hidden_dims={hidden}, normalization={normalization!r}, reg={reg}"
            + (f", dropout_keep_ratio={float(case['keep'])}" if float(case["keep"]) != 1 else ""))
    leaves = {name: torch.tensor(case[name], requires_grad=True) for name in names}
    want_scores, _ = _nets_torch_scores(case, leaves, "test")
    judge_fc_net_scores(case["X"], params, normalization, running, got.get("scores"),
                        want_scores.detach().numpy(), what, NETS_TOLERANCE, reveal=False)
    if not bool(case["train"]):
        return
    scores, masks = _nets_torch_scores(case, leaves, "train")
    loss = functional.cross_entropy(scores, torch.tensor(case["y"])) + 0.5 * reg * sum(
        (leaves[name] ** 2).sum() for name in names if name.startswith("W"))
    want_grads = dict(zip(names, (g.numpy() for g in torch.autograd.grad(
        loss, [leaves[name] for name in names])), strict=True))
    _nets_expect_tuple(got, 2, "loss(X, y)", "loss, grads")
    grads = _nets_mapping_from(got, "grads")
    after = _nets_mapping_from(got, "after")
    judge_fc_net_loss(case["X"], case["y"], params, reg, normalization, masks, got.get("loss"),
                      grads, after if isinstance(after, dict) else {}, loss.item(), want_grads,
                      what, NETS_TOLERANCE, NETS_TOLERANCE, reveal=False)


# ------------------------------------------------------------------ update rules

#: Each rule's seeds start here (4 cases each).
_NETS_OPTIM_SEEDS = {"sgd_momentum": 5900, "nesterov_momentum": 5920, "adagrad": 5940,
                     "rmsprop": 5960, "adam": 5980}


def _nets_random_hyper(rule: str, rng: np.random.Generator) -> dict:
    draw = {"learning_rate": lambda: 10.0 ** rng.uniform(-3, -1),
            "momentum": lambda: rng.uniform(0.3, 0.95),
            "decay_rate": lambda: rng.uniform(0.6, 0.999),
            "epsilon": lambda: 10.0 ** rng.uniform(-8, -2),
            "beta1": lambda: rng.uniform(0.5, 0.95), "beta2": lambda: rng.uniform(0.8, 0.9999)}
    return {key: float(draw[key]()) for key in OPTIM_DEFAULTS[rule]}


def optim_cases(rule: str) -> list[dict]:
    """Four runs of 3 to 8 steps on parameters of random shape, with gradients of sizes
    1e-3 to 3: the first from config=None (the defaults), the others from a random config."""
    out = []
    for case in range(4):
        rng = np.random.default_rng(_NETS_OPTIM_SEEDS[rule] + case)
        shape = _nets_shape(rng, 6, 3)
        steps = int(rng.integers(3, 9))
        grads = rng.normal(size=(steps, *shape)) * 10.0 ** rng.uniform(-3, 0.5,
                                                                       size=(steps, *shape))
        item = {"w0": rng.normal(size=shape), "grads": grads,
                "defaults": np.array(case == 0)}
        if case:
            item.update({f"config:{k}": np.array(v)
                         for k, v in _nets_random_hyper(rule, rng).items()})
        out.append(item)
    return out


def _nets_probe_rule(case, rule: str) -> dict:
    from cs231n_utils import optim

    rule_fn = getattr(optim, rule)
    config = None if bool(case["defaults"]) else {
        key.split(":", 1)[1]: float(value) for key, value in case.items()
        if key.startswith("config:")}
    w, got = case["w0"].copy(), {}
    for t, dw in enumerate(case["grads"]):
        result = rule_fn(w, dw.copy(), config)
        if not (isinstance(result, tuple | list) and len(result) == 2):
            got["returned"] = type(result).__name__
            got["returned_len"] = len(result) if isinstance(result, tuple | list) else -1
            return got
        w, config = result
        if not _nets_plain(w):
            return {**got, f"w_kind.{t}": type(w).__name__}
        got[f"w.{t}"] = np.array(w, copy=True)
        got.update(_nets_mapping(_nets_snapshot(config), f"state{t}"))
    got.update(_nets_mapping(config, "config"))
    return got


def _nets_snapshot(config):
    """Sandbox side: a copy of a config dict as it is now (its arrays copied: a rule may
    update them in place at the next step)."""
    if not isinstance(config, dict):
        return config
    return {key: (np.array(value, copy=True) if isinstance(value, np.ndarray) else value)
            for key, value in config.items()}


def _nets_hyper(case, rule: str) -> dict:
    """Trusted side: the hyper-parameters in effect (the defaults filled in)."""
    hyper = dict(OPTIM_DEFAULTS[rule])
    if not bool(case["defaults"]):
        hyper.update({key.split(":", 1)[1]: float(value) for key, value in case.items()
                      if key.startswith("config:")})
    return hyper


def _nets_rule_call(rule: str):
    """Trusted side, for the mistake catalogue: the call of the first step whose move
    differs from torch.optim's (the last step if none does; the second if that is the
    first, whose state is still zero), with the parameter and the config the student's
    previous step returned."""
    def call(case, got) -> Call:
        grads = list(case["grads"])
        hyper = _nets_hyper(case, rule)
        want_ws, _ = torch_optim_run(rule, case["w0"], grads, hyper)
        ws = [np.asarray(got[f"w.{t}"], dtype=np.float64) for t in range(len(grads))]
        before = [np.asarray(case["w0"], dtype=np.float64), *ws]
        wants = [np.asarray(case["w0"], dtype=np.float64), *want_ws]
        step = next((t for t in range(len(grads))
                     if not nets_relative_error(before[t + 1] - before[t],
                                                wants[t + 1] - wants[t]) <= NETS_TOLERANCE),
                    len(grads) - 1)
        step = min(max(step, 1), len(grads) - 1)  # a step with a state: the mistakes show
        if step == 0:
            config = None if bool(case["defaults"]) else {
                key.split(":", 1)[1]: float(value) for key, value in case.items()
                if key.startswith("config:")}
        else:
            config = _nets_mapping_from(got, f"state{step - 1}")
        return hidden_call((before[step], grads[step], config),
                           (ws[step], _nets_mapping_from(got, f"state{step}")))
    return call


def _nets_judge_rule(rule: str):
    """The judge of one update rule: every step and the final state against torch.optim."""
    def judge_case(case, got):
        if "returned" in got:
            length = int(got["returned_len"])
            raise AssertionError(f"{rule} must return a tuple (next_w, config); got "
                                 f"{got['returned']}" + (f" of length {length}"
                                                          if length >= 0 else ""))
        hyper = _nets_hyper(case, rule)
        what = "from config=None" if bool(case["defaults"]) else "from a given config"
        grads = list(case["grads"])
        ws = [got.get(f"w.{t}") for t in range(len(grads))]
        want_ws, want_state = torch_optim_run(rule, case["w0"], grads, hyper)
        config = _nets_mapping_from(got, "config") if any(
            k.startswith("config_") for k in got) else "nothing usable"
        judge_update_rule(rule, what, case["w0"], grads, hyper, ws, config, want_ws,
                          want_state, NETS_TOLERANCE, reveal=False)
    return judge_case


def probe_sgd_momentum(case):
    return _nets_probe_rule(case, "sgd_momentum")


def probe_nesterov_momentum(case):
    return _nets_probe_rule(case, "nesterov_momentum")


def probe_adagrad(case):
    return _nets_probe_rule(case, "adagrad")


def probe_rmsprop(case):
    return _nets_probe_rule(case, "rmsprop")


def probe_adam(case):
    return _nets_probe_rule(case, "adam")


# ============================================== part 3: group normalisation (section 15)


def groupnorm_cases(seed: int) -> list[dict]:
    """Images (N, C, H, W), N >= 2, whose channels differ in scale and mean; G a divisor of
    C strictly between 1 and C in three cases (so that every wrong grouping shows), G = 1
    and G = C once each; eps by default or given, once 0.05 on values of scale 0.03 (then
    eps outside the root, no eps and the default eps all give clearly different outputs);
    an upstream gradient."""
    out = []
    for case in range(5):
        rng = np.random.default_rng(seed + case)
        C = int(rng.choice([4, 6, 8, 9]))
        between = [g for g in range(2, C) if C % g == 0]
        G = {2: 1, 3: C}.get(case, int(rng.choice(between)))
        N, H, W = int(rng.integers(2, 5)), int(rng.integers(1, 5)), int(rng.integers(2, 5))
        x = (rng.normal(size=(N, C, H, W)) * rng.uniform(0.3, 3, size=(1, C, 1, 1))
             + rng.normal(size=(1, C, 1, 1)) * 2)
        item = {"x": x, "gamma": rng.normal(size=(1, C, 1, 1)),
                "beta": rng.normal(size=(1, C, 1, 1)), "G": np.array(G),
                "dout": rng.normal(size=x.shape)}
        if case in (1, 2):
            item["eps"] = np.array(10.0 ** rng.uniform(-3, -1.5))
        if case == 4:             # values of scale 0.03: variances near eps, far above 1e-5
            item["x"], item["eps"] = x * 0.03, np.array(0.05)
        out.append(item)
    return out


def _groupnorm_param(case: dict) -> dict:
    return {"eps": float(case["eps"])} if "eps" in case else {}


def _groupnorm_statistics(x: np.ndarray, G: int) -> tuple[np.ndarray, np.ndarray]:
    """Each image's groups' means and biased variances, shape (N, G), by PyTorch."""
    import torch

    rows = _t(x).reshape(x.shape[0], G, -1)
    return rows.mean(dim=2).numpy(), torch.var(rows, dim=2, correction=0).numpy()


def probe_spatial_groupnorm_forward(case):
    from cs231n_utils.layers import spatial_groupnorm_forward

    x, gamma, beta = case["x"].copy(), case["gamma"].copy(), case["beta"].copy()
    out, cache = spatial_groupnorm_forward(x, gamma, beta, int(case["G"]),
                                           _groupnorm_param(case))
    return {"out": out, "x_after": x, "gamma_after": gamma, "beta_after": beta,
            **_items(cache)}


def judge_spatial_groupnorm_forward_case(case, got):
    x, gamma, beta, G = case["x"], case["gamma"], case["beta"], int(case["G"])
    eps = float(case.get("eps", 1e-5))
    for name in ("x", "gamma", "beta"):
        unchanged(case[name], got[f"{name}_after"], "spatial_groupnorm_forward", name)
    context = f"x of shape {x.shape}, G = {G}"
    judge_groupnorm_output(x, got["out"], torch_groupnorm(x, gamma, beta, G, eps), context,
                           EXACT, reveal=False)
    ones, zeros = np.ones_like(gamma), np.zeros_like(beta)
    judge_groupnorm_cache(*_cache_from(got), x, gamma, beta, G, eps,
                          torch_groupnorm(x, ones, zeros, G, eps),
                          *_groupnorm_statistics(x, G), context, EXACT, reveal=False)


def call_spatial_groupnorm_forward(case, got) -> Call:
    """Trusted side: the call one case made (gn_param as the probe builds it)."""
    return hidden_call((case["x"], case["gamma"], case["beta"], int(case["G"]),
                        _groupnorm_param(case)), (got.get("out"), None))


def groupnorm_backward_cases(seed: int) -> list[dict]:
    """:func:`groupnorm_cases` with the items of the docstring's cache made by PyTorch:
    ``x_hat`` and each image's groups' ``mean`` and ``var``, shape (N, G)."""
    out = []
    for case in groupnorm_cases(seed):
        x, G, eps = case["x"], int(case["G"]), float(case.get("eps", 1e-5))
        mean, var = _groupnorm_statistics(x, G)
        x_hat = torch_groupnorm(x, np.ones_like(case["gamma"]), np.zeros_like(case["beta"]),
                                G, eps)
        out.append({**case, "x_hat": x_hat, "mean": mean, "var": var})
    return out


def _groupnorm_cache(case: dict) -> tuple:
    """The docstring's cache ``(x, x_hat, mean, var, gamma, beta, G, eps)`` of a case."""
    return (case["x"], case["x_hat"], case["mean"], case["var"], case["gamma"],
            case["beta"], int(case["G"]), float(case.get("eps", 1e-5)))


def probe_spatial_groupnorm_backward(case):
    from cs231n_utils.layers import spatial_groupnorm_backward

    cache = tuple(v.copy() if isinstance(v, np.ndarray) else v for v in _groupnorm_cache(case))
    dx, dgamma, dbeta = spatial_groupnorm_backward(case["dout"].copy(), cache)
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


def call_spatial_groupnorm_backward(case, got) -> Call:
    """Trusted side: the call one case made, with the docstring's cache of the case."""
    return hidden_call((case["dout"], _groupnorm_cache(case)),
                       (got.get("dx"), got.get("dgamma"), got.get("dbeta")))


def judge_spatial_groupnorm_backward_case(case, got):
    x, G, eps = case["x"], int(case["G"]), float(case.get("eps", 1e-5))
    _, want = torch_grads(torch_groupnorm_function(G, eps), [x, case["gamma"], case["beta"]],
                          case["dout"])
    judge_groupnorm_backward(x, case["dout"], [got["dx"], got["dgamma"], got["dbeta"]], want,
                             f"x of shape {x.shape}, G = {G}", EXACT, reveal=False)


HIDDEN_TESTS = [
    HiddenTest("tanh_forward", "tanh_forward", tanh_forward_cases, probe_tanh_forward,
               judge_tanh_forward_case, call_tanh_forward),
    HiddenTest("tanh_backward", "tanh_backward", tanh_backward_cases, probe_tanh_backward,
               judge_tanh_backward_case, call_tanh_backward),
    HiddenTest("leaky_relu_forward", "leaky_relu_forward", lambda: leaky_relu_cases(5120),
               probe_leaky_relu_forward, judge_leaky_relu_forward_case,
               call_leaky_relu_forward),
    HiddenTest("leaky_relu_backward", "leaky_relu_backward", lambda: leaky_relu_cases(5125),
               probe_leaky_relu_backward, judge_leaky_relu_backward_case,
               call_leaky_relu_backward),
    HiddenTest("maxout_forward", "maxout_forward", maxout_forward_cases,
               probe_maxout_forward, judge_maxout_forward_case, call_maxout_forward),
    HiddenTest("maxout_backward", "maxout_backward", maxout_backward_cases,
               probe_maxout_backward, judge_maxout_backward_case, call_maxout_backward),
    HiddenTest("batchnorm_forward", "batchnorm_forward", batchnorm_forward_cases,
               probe_batchnorm_forward, judge_batchnorm_forward_case,
               lambda case, got: _norm_steps_calls(case, got)),
    HiddenTest("batchnorm_backward", "batchnorm_backward",
               lambda: norm_backward_cases(5450, "batch"), probe_batchnorm_backward,
               judge_norm_backward_of("batch", "batchnorm_backward"), call_norm_backward),
    HiddenTest("batchnorm_backward_alt", "batchnorm_backward_alt",
               lambda: norm_backward_cases(5470, "batch"), probe_batchnorm_backward_alt,
               judge_norm_backward_of("batch", "batchnorm_backward_alt"),
               call_norm_backward),
    HiddenTest("layernorm_forward", "layernorm_forward", layernorm_forward_cases,
               probe_layernorm_forward, judge_layernorm_forward_case,
               call_layernorm_forward),
    HiddenTest("layernorm_backward", "layernorm_backward",
               lambda: norm_backward_cases(5550, "layer"), probe_layernorm_backward,
               judge_norm_backward_of("layer", "layernorm_backward"), call_norm_backward),
    HiddenTest("spatial_batchnorm_forward", "spatial_batchnorm_forward", spatial_forward_cases,
               probe_spatial_batchnorm_forward, judge_spatial_batchnorm_forward_case,
               lambda case, got: _norm_steps_calls(case, got)),
    HiddenTest("spatial_batchnorm_backward", "spatial_batchnorm_backward",
               spatial_backward_cases, probe_spatial_batchnorm_backward,
               judge_spatial_batchnorm_backward_case, call_spatial_batchnorm_backward),
    HiddenTest("dropout_forward", "dropout_forward", dropout_forward_cases,
               probe_dropout_forward, judge_dropout_forward_case, call_dropout_forward),
    HiddenTest("dropout_backward", "dropout_backward", dropout_backward_cases,
               probe_dropout_backward, judge_dropout_backward_case, call_dropout_backward),
    HiddenTest("fit_preprocessing", "fit_preprocessing", fit_preprocessing_cases,
               probe_fit_preprocessing, judge_fit_preprocessing_case,
               call_fit_preprocessing),
    HiddenTest("apply_preprocessing", "apply_preprocessing", apply_preprocessing_cases,
               probe_apply_preprocessing, judge_apply_preprocessing_case,
               call_apply_preprocessing),
    HiddenTest("preprocess_splits", "preprocess_splits", preprocess_splits_cases,
               probe_preprocess_splits, judge_preprocess_splits_case,
               call_preprocess_splits),
    HiddenTest("affine_norm_relu_forward", "affine_norm_relu_forward", sandwich_forward_cases,
               probe_affine_norm_relu_forward, judge_affine_norm_relu_forward_case,
               call_affine_norm_relu_forward),
    HiddenTest("affine_norm_relu_backward", "affine_norm_relu_backward",
               sandwich_backward_cases, probe_affine_norm_relu_backward,
               judge_affine_norm_relu_backward_case,
               call_affine_norm_relu_backward),
    HiddenTest("fc_net_init", "FullyConnectedNet.__init__", fc_net_init_cases,
               probe_fc_net_init, judge_fc_net_init_case),
    HiddenTest("fc_net_loss", "FullyConnectedNet.loss", fc_net_loss_cases, probe_fc_net_loss,
               judge_fc_net_loss_case,
               call_fc_net_loss),
    HiddenTest("sgd_momentum", "sgd_momentum", lambda: optim_cases("sgd_momentum"),
               probe_sgd_momentum, _nets_judge_rule("sgd_momentum"),
               _nets_rule_call("sgd_momentum")),
    HiddenTest("nesterov_momentum", "nesterov_momentum",
               lambda: optim_cases("nesterov_momentum"), probe_nesterov_momentum,
               _nets_judge_rule("nesterov_momentum"), _nets_rule_call("nesterov_momentum")),
    HiddenTest("adagrad", "adagrad", lambda: optim_cases("adagrad"), probe_adagrad,
               _nets_judge_rule("adagrad"), _nets_rule_call("adagrad")),
    HiddenTest("rmsprop", "rmsprop", lambda: optim_cases("rmsprop"), probe_rmsprop,
               _nets_judge_rule("rmsprop"), _nets_rule_call("rmsprop")),
    HiddenTest("adam", "adam", lambda: optim_cases("adam"), probe_adam,
               _nets_judge_rule("adam"), _nets_rule_call("adam")),
    HiddenTest("spatial_groupnorm_forward", "spatial_groupnorm_forward",
               lambda: groupnorm_cases(6000), probe_spatial_groupnorm_forward,
               judge_spatial_groupnorm_forward_case, call_spatial_groupnorm_forward),
    HiddenTest("spatial_groupnorm_backward", "spatial_groupnorm_backward",
               lambda: groupnorm_backward_cases(6050), probe_spatial_groupnorm_backward,
               judge_spatial_groupnorm_backward_case, call_spatial_groupnorm_backward),
]
