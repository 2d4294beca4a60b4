"""Hidden tests of 07_rnn, decided by the trusted grader (see cs231n_utils.course.trusted).

Inputs are made here with fixed seeds (random shapes; the visible checks use fixed ones).
Probes run in the sandbox: they only call the student's function on a case and send back
what came out (outputs, gradients, the inputs after the call). Judges run on the trusted
side: they compute the expected values with PyTorch in float64 through the oracles of
``cs231n_utils.checks.rnn`` (``torch.nn.RNNCell`` with the weights copied in, one step or
run over the sequence, and autograd; ``torch.nn.functional.embedding``, the affine layer
on tensors, ``cross_entropy`` with a mask) and compare with the visible checks' judges,
with ``reveal=False``. PyTorch is imported inside the functions that need it.

Both sides of every comparison are exact up to rounding, so the tolerance is the checks'
``VALUE_TOLERANCE`` (relative error 1e-9) throughout, measured by the checks'
``relative_error``: entries below ``SMALL`` (1e-4) times an array's largest, such as a
confident prediction's ``p - 1``, are compared with that size, and the loss with the size
of the scores it sums. The pre-activations stay moderate (weights of scale
1 / sqrt(fan-in)), so tanh's derivative 1 - h ** 2 is never a difference of nearly equal
numbers.

The backward tests build the cache from the trusted side's numbers (hidden states
computed by PyTorch), in the format the docstrings fix, so they do not depend on the
student's forward; ``rnn_backward`` may call the student's ``rnn_step_backward``, as the
notebook asks. The word indices repeat (small vocabularies), the masks select some
positions only (one case drops a whole sequence; the labels at masked positions are
random), and one case of the loss has scores of size 1000 (log-sum-exp).

Part 2 (the LSTM, the GRU and CaptioningRNN) uses the comparisons of
``cs231n_utils.checks.rnn_gated``: PyTorch's own cells (``LSTMCell`` with the gates
reordered from i, f, g, o to our i, f, o, g; ``GRUCell`` with ``bias_hh = 0``) and
autograd; the captioning loss against ``cross_entropy`` with ``ignore_index`` = ``<NULL>``
summed and divided by N, on a model whose parameters are set to the case's after
``__init__`` (so the initialisation does not matter); sampled captions must equal greedy
decoding up to the first ``<END>``. The captioning tests use CS231n's cells, rnn and lstm
(a submission without a GRU loses only the GRU's cells).

Every test has a ``call`` (trusted side): the graded call a case made, rebuilt from the
case's inputs and what the probe sent back (a stand-in model for ``CaptioningRNN``), so
that a failure names the catalogued mistake (cs231n_utils.checks.catalogue.rnn) that
every case's result matches.

Seeds: 7100-7149 rnn_step_forward, 7150-7199 rnn_step_backward, 7200-7249 rnn_forward,
7250-7299 rnn_backward, 7300-7329 word_embedding_forward, 7330-7359
word_embedding_backward, 7360-7389 temporal_affine_forward, 7390-7419
temporal_affine_backward, 7420-7469 temporal_softmax_loss; 7500-7999 part 2.
"""

from types import SimpleNamespace

import numpy as np

from cs231n_utils.checks.mistakes import Call, hidden_call
from cs231n_utils.checks.rnn import (
    VALUE_TOLERANCE,
    judge_rnn_backward,
    judge_rnn_forward,
    judge_rnn_step_backward,
    judge_rnn_step_forward,
    judge_temporal_affine_backward,
    judge_temporal_affine_forward,
    judge_temporal_softmax_loss,
    judge_word_embedding_backward,
    judge_word_embedding_forward,
    rnn_step_caches,
    torch_sequence,
    torch_step,
    torch_temporal_softmax_loss,
)
from cs231n_utils.checks.rnn_gated import (
    CAPTIONING_CELLS,
    CAPTIONING_PARAMS,
    captioning_oracle,
    greedy_oracle,
    gru_step_oracle,
    judge_captioning_loss,
    judge_captioning_sample,
    judge_returned,
    judge_sequence_backward,
    judge_sequence_forward,
    judge_step_backward,
    judge_step_forward,
    lstm_step_oracle,
    sequence_oracle,
    torch_recurrent,
)
from cs231n_utils.checks.rnn_gated import VALUE_TOLERANCE as GATED_TOLERANCE
from cs231n_utils.course.trusted import HiddenTest

EXACT = VALUE_TOLERANCE
STEP = ("x", "prev_h", "Wx", "Wh", "b")
SEQUENCE = ("x", "h0", "Wx", "Wh", "b")


# ----------------------------------------------------------------------- helpers
# The ``call_*`` functions (trusted side) rebuild the call of the graded function that one
# case made, from the case's inputs and what the probe sent back, for the mistake
# catalogue (cs231n_utils.checks.catalogue.rnn).

RNN_GRADS = ("dx", "dprev_h", "dWx", "dWh", "db")
SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "db")


def _call_first(inputs: tuple, *names: str):
    """``call(case, got)`` of a function that returns ``(*names, cache)``: the case's
    ``inputs`` as its arguments."""
    def call(case, got) -> Call:
        return hidden_call([case[k] for k in inputs], (*(got.get(n) for n in names), None))
    return call


def _grads(got, names) -> tuple:
    return tuple(got.get(n) for n in names)


def _sizes(rng: np.random.Generator, *names: str) -> dict[str, int]:
    """Random sizes of 1 to 7 (N, T, D, H, V, M...)."""
    return dict(zip(names, (int(n) for n in rng.integers(1, 8, size=len(names))), strict=True))


def _context(**sizes) -> str:
    return " (" + ", ".join(f"{k}={int(v)}" for k, v in sizes.items()) + ")"


def _weights(rng: np.random.Generator, D: int, H: int) -> dict:
    """Wx (D, H), Wh (H, H) of scale 1 / sqrt(fan-in), b (H,): moderate pre-activations."""
    return {"Wx": rng.normal(size=(D, H)) / np.sqrt(D), "Wh": rng.normal(size=(H, H)) / np.sqrt(H),
            "b": rng.normal(size=H) * 0.5}


def _step_cases(seed: int) -> list[dict]:
    out = []
    for case in range(4):
        rng = np.random.default_rng(seed + case)
        s = _sizes(rng, "N", "D", "H")
        out.append({"x": rng.normal(size=(s["N"], s["D"])),
                    "prev_h": rng.normal(size=(s["N"], s["H"])) * 0.8,
                    **_weights(rng, s["D"], s["H"]),
                    "dnext_h": rng.normal(size=(s["N"], s["H"]))})
    return out


def _sequence_cases(seed: int) -> list[dict]:
    out = []
    for case in range(4):
        rng = np.random.default_rng(seed + case)
        s = _sizes(rng, "N", "T", "D", "H")
        out.append({"x": rng.normal(size=(s["N"], s["T"], s["D"])),
                    "h0": rng.normal(size=(s["N"], s["H"])) * 0.8,
                    **_weights(rng, s["D"], s["H"]),
                    "dh": rng.normal(size=(s["N"], s["T"], s["H"]))})
    return out


# ------------------------------------------------------------ 1. an RNN step


def rnn_step_forward_cases() -> list[dict]:
    return _step_cases(7108)


def probe_rnn_step_forward(case):
    from cs231n_utils.rnn_layers import rnn_step_forward

    given = [case[k].copy() for k in STEP]
    next_h, _ = rnn_step_forward(*given)
    return {"next_h": next_h, **{f"after.{k}": v for k, v in zip(STEP, given, strict=True)}}


def judge_rnn_step_forward_case(case, got):
    inputs = [case[k] for k in STEP]
    (want,), _ = torch_step("rnn", *inputs)
    N, D = case["x"].shape
    judge_rnn_step_forward(*inputs, got["next_h"], [got[f"after.{k}"] for k in STEP], want,
                           EXACT, _context(N=N, D=D, H=case["b"].shape[0]), reveal=False)


def rnn_step_backward_cases() -> list[dict]:
    """The cache's next_h is computed by PyTorch, as autograd computes it."""
    out = []
    for case in _step_cases(7150):
        (case["next_h"],), _ = torch_step("rnn", *(case[k] for k in STEP))
        out.append(case)
    return out


def probe_rnn_step_backward(case):
    from cs231n_utils.rnn_layers import rnn_step_backward

    cache = tuple(case[k].copy() for k in ("x", "prev_h", "Wx", "Wh", "next_h"))
    dx, dprev_h, dWx, dWh, db = rnn_step_backward(case["dnext_h"].copy(), cache)
    return {"dx": dx, "dprev_h": dprev_h, "dWx": dWx, "dWh": dWh, "db": db}


def judge_rnn_step_backward_case(case, got):
    _, want = torch_step("rnn", *(case[k] for k in STEP), upstream=[case["dnext_h"]])
    cache = tuple(case[k] for k in ("x", "prev_h", "Wx", "Wh", "next_h"))
    N, D = case["x"].shape
    judge_rnn_step_backward(case["dnext_h"], cache,
                            [got[k] for k in ("dx", "dprev_h", "dWx", "dWh", "db")], want,
                            EXACT, _context(N=N, D=D, H=case["b"].shape[0]), reveal=False)


def call_rnn_step_backward(case, got) -> Call:
    cache = tuple(case[k] for k in ("x", "prev_h", "Wx", "Wh", "next_h"))
    return hidden_call((case["dnext_h"], cache), _grads(got, RNN_GRADS))


# ----------------------------------------------- 2. backpropagation through time


def rnn_forward_cases() -> list[dict]:
    return _sequence_cases(7200)


def probe_rnn_forward(case):
    from cs231n_utils.rnn_layers import rnn_forward

    given = [case[k].copy() for k in SEQUENCE]
    h, _ = rnn_forward(*given)
    return {"h": h, **{f"after.{k}": v for k, v in zip(SEQUENCE, given, strict=True)}}


def judge_rnn_forward_case(case, got):
    inputs = [case[k] for k in SEQUENCE]
    want, _ = torch_sequence("rnn", *inputs)
    N, T, D = case["x"].shape
    judge_rnn_forward(*inputs, got["h"], [got[f"after.{k}"] for k in SEQUENCE], want, EXACT,
                      _context(N=N, T=T, D=D, H=case["b"].shape[0]), reveal=False)


def rnn_backward_cases() -> list[dict]:
    """The hidden states ``h`` of the cache are computed by PyTorch."""
    out = []
    for case in _sequence_cases(7250):
        case["h"], _ = torch_sequence("rnn", *(case[k] for k in SEQUENCE))
        out.append(case)
    return out


def probe_rnn_backward(case):
    from cs231n_utils.rnn_layers import rnn_backward

    cache = rnn_step_caches(case["x"], case["h0"], case["Wx"], case["Wh"], case["h"])
    dx, dh0, dWx, dWh, db = rnn_backward(case["dh"].copy(), cache)
    return {"dx": dx, "dh0": dh0, "dWx": dWx, "dWh": dWh, "db": db}


def judge_rnn_backward_case(case, got):
    _, want = torch_sequence("rnn", *(case[k] for k in SEQUENCE), dh=case["dh"])
    N, T, D = case["x"].shape
    judge_rnn_backward(case["dh"], case["x"], case["h0"], case["Wx"], case["Wh"], case["h"],
                       [got[k] for k in ("dx", "dh0", "dWx", "dWh", "db")], want, EXACT,
                       _context(N=N, T=T, D=D, H=case["b"].shape[0]), reveal=False)


def call_rnn_backward(case, got) -> Call:
    cache = rnn_step_caches(case["x"], case["h0"], case["Wx"], case["Wh"], case["h"])
    return hidden_call((case["dh"], cache), _grads(got, SEQUENCE_GRADS))


# --------------------------------------- 3. word embeddings and temporal layers


def _word_cases(seed: int) -> list[dict]:
    """Word indices of a small vocabulary (so they repeat), int64 and one case int32."""
    out = []
    for case in range(4):
        rng = np.random.default_rng(seed + case)
        s = _sizes(rng, "N", "T", "D")
        N, T = s["N"] + 1, s["T"] + 2                       # at least 6 positions
        V = int(rng.integers(2, 6))
        x = rng.integers(0, V, size=(N, T))
        out.append({"x": x.astype(np.int32) if case == 3 else x,
                    "W": rng.normal(size=(V, s["D"])),
                    "dout": rng.normal(size=(N, T, s["D"]))})
    return out


def word_embedding_forward_cases() -> list[dict]:
    return _word_cases(7300)


def probe_word_embedding_forward(case):
    from cs231n_utils.rnn_layers import word_embedding_forward

    x, W = case["x"].copy(), case["W"].copy()
    out, _ = word_embedding_forward(x, W)
    return {"out": out, "after.x": x, "after.W": W}


def judge_word_embedding_forward_case(case, got):
    import torch
    from torch.nn import functional

    x, W = case["x"], case["W"]
    want = functional.embedding(torch.tensor(x.astype(np.int64)), torch.tensor(W)).numpy()
    judge_word_embedding_forward(x, W, got["out"], (got["after.x"], got["after.W"]), want,
                                 EXACT, _context(N=x.shape[0], T=x.shape[1], V=W.shape[0],
                                                 D=W.shape[1]), reveal=False)


def word_embedding_backward_cases() -> list[dict]:
    return _word_cases(7330)


def probe_word_embedding_backward(case):
    from cs231n_utils.rnn_layers import word_embedding_backward

    return {"dW": word_embedding_backward(case["dout"].copy(),
                                          (case["x"].copy(), case["W"].copy()))}


def judge_word_embedding_backward_case(case, got):
    import torch
    from torch.nn import functional

    x, W, dout = case["x"], case["W"], case["dout"]
    weight = torch.tensor(W, requires_grad=True)
    out = functional.embedding(torch.tensor(x.astype(np.int64)), weight)
    (want,) = torch.autograd.grad(out, [weight], torch.tensor(dout))
    judge_word_embedding_backward(x, dout, W.shape[0], got["dW"], want.numpy(), EXACT,
                                  _context(N=x.shape[0], T=x.shape[1], V=W.shape[0],
                                           D=W.shape[1]), reveal=False)


def call_word_embedding_backward(case, got) -> Call:
    return hidden_call((case["dout"], (case["x"], case["W"])), got.get("dW"))


def _affine_cases(seed: int) -> list[dict]:
    out = []
    for case in range(4):
        rng = np.random.default_rng(seed + case)
        s = _sizes(rng, "N", "T", "D", "M")
        out.append({"x": rng.normal(size=(s["N"], s["T"], s["D"])),
                    "w": rng.normal(size=(s["D"], s["M"])), "b": rng.normal(size=s["M"]),
                    "dout": rng.normal(size=(s["N"], s["T"], s["M"]))})
    return out


def _torch_affine(case: dict) -> tuple[np.ndarray, list[np.ndarray]]:
    """``x @ w + b`` on tensors and its gradients for the upstream ``dout``."""
    import torch

    leaves = [torch.tensor(case[k], requires_grad=True) for k in "xwb"]
    x, w, b = leaves
    out = x @ w + b
    grads = torch.autograd.grad(out, leaves, torch.tensor(case["dout"]))
    return out.detach().numpy(), [g.numpy() for g in grads]


def temporal_affine_forward_cases() -> list[dict]:
    return _affine_cases(7360)


def probe_temporal_affine_forward(case):
    from cs231n_utils.rnn_layers import temporal_affine_forward

    x, w, b = case["x"].copy(), case["w"].copy(), case["b"].copy()
    out, _ = temporal_affine_forward(x, w, b)
    return {"out": out, "after.x": x, "after.w": w, "after.b": b}


def judge_temporal_affine_forward_case(case, got):
    want, _ = _torch_affine(case)
    N, T, D = case["x"].shape
    judge_temporal_affine_forward(case["x"], case["w"], case["b"], got["out"],
                                  [got[f"after.{k}"] for k in "xwb"], want, EXACT,
                                  _context(N=N, T=T, D=D, M=case["b"].shape[0]), reveal=False)


def temporal_affine_backward_cases() -> list[dict]:
    return _affine_cases(7390)


def probe_temporal_affine_backward(case):
    from cs231n_utils.rnn_layers import temporal_affine_backward

    cache = (case["x"].copy(), case["w"].copy(), case["b"].copy())
    dx, dw, db = temporal_affine_backward(case["dout"].copy(), cache)
    return {"dx": dx, "dw": dw, "db": db}


def judge_temporal_affine_backward_case(case, got):
    _, want = _torch_affine(case)
    N, T, D = case["x"].shape
    judge_temporal_affine_backward(case["x"], case["w"], case["dout"],
                                   [got[k] for k in ("dx", "dw", "db")], want, EXACT,
                                   _context(N=N, T=T, D=D, M=case["b"].shape[0]),
                                   reveal=False)


def call_temporal_affine_backward(case, got) -> Call:
    return hidden_call((case["dout"], (case["x"], case["w"], case["b"])),
                       _grads(got, ("dx", "dw", "db")))


def temporal_softmax_loss_cases() -> list[dict]:
    """Random N, T (at least 2 each), V 2 to 9, scores of scale 0.1 to 10 (and 1000 in the
    last case), about half the positions selected (the first always); case 2 drops a
    whole sequence, case 3 selects every position."""
    out = []
    for case in range(5):
        rng = np.random.default_rng(7420 + case)
        N, T, V = int(rng.integers(2, 7)), int(rng.integers(2, 8)), int(rng.integers(2, 10))
        scale = 1000.0 if case == 4 else 10.0 ** rng.uniform(-1, 1)
        mask = rng.random((N, T)) < 0.55
        mask[0, 0] = True
        if case == 2:
            mask[-1] = False
        if case == 3:
            mask[:] = True
        out.append({"x": rng.normal(size=(N, T, V)) * scale,
                    "y": rng.integers(0, V, size=(N, T)), "mask": mask})
    return out


def probe_temporal_softmax_loss(case):
    from cs231n_utils.rnn_layers import temporal_softmax_loss

    x, y, mask = case["x"].copy(), case["y"].copy(), case["mask"].copy()
    loss, dx = temporal_softmax_loss(x, y, mask)
    return {"loss": loss, "dx": dx, "after.x": x, "after.y": y, "after.mask": mask}


def judge_temporal_softmax_loss_case(case, got):
    x, y, mask = case["x"], case["y"], case["mask"]
    want_loss, want_dx = torch_temporal_softmax_loss(x, y, mask)
    N, T, V = x.shape
    judge_temporal_softmax_loss(x, y, mask, got["loss"], got["dx"],
                                [got[f"after.{k}"] for k in ("x", "y", "mask")], want_loss,
                                want_dx, EXACT, EXACT, _context(N=N, T=T, V=V), reveal=False)


def call_temporal_softmax_loss(case, got) -> Call:
    return hidden_call((case["x"], case["y"], case["mask"]), (got.get("loss"), got.get("dx")))


# ======================================================================
# Part 2: the LSTM, the GRU and the captioning network
# (seeds 7500-7999; helpers prefixed _gated_; comparisons of checks.rnn_gated)
# ----------------------------------------------------------------- shared helpers

#: The inputs of each graded function, in the order of its signature.
_GATED_STEP_INPUTS = {"lstm": ("x", "prev_h", "prev_c", "Wx", "Wh", "b"),
                      "gru": ("x", "prev_h", "Wx", "Wh", "b")}
_GATED_SEQUENCE_INPUTS = ("x", "h0", "Wx", "Wh", "b")
#: The gate values of each cell's step cache, after its inputs.
_GATED_CACHE_GATES = {"lstm": ("i", "f", "o", "g", "next_c"), "gru": ("r", "z", "n", "hn")}
_GATED_GATES = {"rnn": 1, "lstm": 4, "gru": 3}
_GATED_STEP_GRADS = {"lstm": ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"),
                     "gru": ("dx", "dprev_h", "dWx", "dWh", "db")}
_GATED_SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "db")
_GATED_SPECIAL = ("<NULL>", "<START>", "<END>")


def _gated_plain(value) -> bool:
    """Sandbox side: whether ``value`` can be sent back as plain data (numbers or arrays
    of numbers)."""
    if value is None or isinstance(value, str):
        return False
    try:
        return np.asarray(value).dtype.kind in "biufc"
    except (TypeError, ValueError):
        return False


def _gated_returned(result, count: int, names: tuple) -> dict:
    """Sandbox side: the type and length of what a function returned, and its first
    items (named ``names``) where they are plain data."""
    out = {"returned": type(result).__name__}
    if isinstance(result, tuple | list):
        out["returned_len"] = len(result)
        if len(result) == count:
            out.update({name: result[k] for k, name in enumerate(names)
                        if _gated_plain(result[k])})
    return out


def _gated_check_returned(got, function: str, count: int, names: tuple) -> None:
    """Trusted side: what the function returned must be a tuple of ``count`` items."""
    length = got.get("returned_len")
    judge_returned(function, str(got.get("returned", "")),
                   None if length is None else int(length), count, ", ".join(names))


def _gated_what(case, *names: str) -> str:
    """The case's sizes, for the messages: e.g. ``N=2, D=3, H=4``."""
    return ", ".join(f"{name}={int(case['size:' + name])}" for name in names)


def _gated_sizes(rng: np.random.Generator, *names: str, largest: int = 6) -> dict:
    """Random sizes from 1 to ``largest - 1``, as ``size:<name>`` entries."""
    return {f"size:{name}": int(rng.integers(1, largest)) for name in names}


def _gated_weights(rng: np.random.Generator, kind: str, D: int, H: int) -> dict:
    """Random Wx (D, G H), Wh (H, G H), b (G H,) with a random scale (gates saturated
    at times)."""
    G, scale = _GATED_GATES[kind], float(rng.uniform(0.5, 3.0))
    return {"Wx": rng.normal(size=(D, G * H)) * scale / np.sqrt(D),
            "Wh": rng.normal(size=(H, G * H)) * scale / np.sqrt(H),
            "b": rng.normal(size=G * H) * 0.5}


def _gated_step_cache(kind: str, case, prefix: str = "cache") -> tuple:
    """The step cache of the docstring from the case: inputs, then gate values."""
    inputs = [case[name] for name in _GATED_STEP_INPUTS[kind] if name != "b"]
    return tuple(np.array(a, copy=True) for a in
                 (*inputs, *(case[f"{prefix}.{name}"] for name in _GATED_CACHE_GATES[kind])))


def _gated_sequence_caches(kind: str, case) -> list:
    """The list of the steps' caches of the docstring from the case."""
    caches = []
    for t in range(case["x"].shape[1]):
        inputs = [case["x"][:, t], case[f"cache.{t}.prev_h"]]
        if kind == "lstm":
            inputs.append(case[f"cache.{t}.prev_c"])
        inputs += [case["Wx"], case["Wh"]]
        gates = [case[f"cache.{t}.{name}"] for name in _GATED_CACHE_GATES[kind]]
        caches.append(tuple(np.array(a, copy=True) for a in (*inputs, *gates)))
    return caches


# ===================================================================== step forward


def _gated_step_cases(kind: str, seed: int, count: int = 4) -> list[dict]:
    out = []
    for k in range(count):
        rng = np.random.default_rng(seed + k)
        case = _gated_sizes(rng, "N", "D", "H")
        N, D, H = (case[f"size:{n}"] for n in "NDH")
        case.update(x=rng.normal(size=(N, D)), prev_h=rng.normal(size=(N, H)))
        if kind == "lstm":
            case["prev_c"] = rng.normal(size=(N, H)) * 1.5
        case.update(_gated_weights(rng, kind, D, H))
        out.append(case)
    return out


def lstm_step_forward_cases() -> list[dict]:
    return _gated_step_cases("lstm", 7500)


def gru_step_forward_cases() -> list[dict]:
    return _gated_step_cases("gru", 7600)


def _gated_probe_step_forward(kind: str, forward, case) -> dict:
    given = {name: case[name].copy() for name in _GATED_STEP_INPUTS[kind]}
    with np.errstate(all="ignore"):
        result = forward(*given.values())
    names = ("next_h", "next_c", "cache") if kind == "lstm" else ("next_h", "cache")
    got = _gated_returned(result, len(names), names[:-1])
    got.update({f"after:{name}": value for name, value in given.items()})
    return got


def probe_lstm_step_forward(case):
    from cs231n_utils.rnn_layers import lstm_step_forward

    return _gated_probe_step_forward("lstm", lstm_step_forward, case)


def probe_gru_step_forward(case):
    from cs231n_utils.rnn_layers import gru_step_forward

    return _gated_probe_step_forward("gru", gru_step_forward, case)


def _gated_judge_step_forward(kind: str):
    def judge(case, got):
        names = ("next_h", "next_c") if kind == "lstm" else ("next_h",)
        _gated_check_returned(got, f"{kind}_step_forward", len(names) + 1, (*names, "cache"))
        out = torch_recurrent(kind, case["x"][:, None], case["prev_h"], case["Wx"],
                              case["Wh"], case["b"], c0=case.get("prev_c"))
        want = (out["h"][:, 0], out["c"][:, 0]) if kind == "lstm" else (out["h"][:, 0],)
        after = {name: got.get(f"after:{name}") for name in _GATED_STEP_INPUTS[kind]}
        judge_step_forward(kind, case, [got.get(name) for name in names], after, want,
                           _gated_what(case, "N", "D", "H"), GATED_TOLERANCE, reveal=False)
    return judge


def _gated_call_step_forward(kind: str):
    names = ("next_h", "next_c") if kind == "lstm" else ("next_h",)
    return _call_first(_GATED_STEP_INPUTS[kind], *names)


# ==================================================================== step backward


def _gated_step_backward_cases(kind: str, seed: int, count: int = 4) -> list[dict]:
    out = []
    for case in _gated_step_cases(kind, seed, count):
        rng = np.random.default_rng(seed + 5 + len(out))
        N, H = case["prev_h"].shape
        args = [case[name] for name in _GATED_STEP_INPUTS[kind]]
        if kind == "lstm":
            cache = lstm_step_oracle(*args)[2]
        else:
            cache = gru_step_oracle(*args)[1]
        gates = cache[len(_GATED_STEP_INPUTS[kind]) - 1:]
        case.update({f"cache.{name}": value
                     for name, value in zip(_GATED_CACHE_GATES[kind], gates, strict=True)})
        case["dnext_h"] = rng.normal(size=(N, H))
        if kind == "lstm":
            case["dnext_c"] = rng.normal(size=(N, H))
        out.append(case)
    return out


def lstm_step_backward_cases() -> list[dict]:
    return _gated_step_backward_cases("lstm", 7510)


def gru_step_backward_cases() -> list[dict]:
    return _gated_step_backward_cases("gru", 7610)


def _gated_probe_step_backward(kind: str, backward, case) -> dict:
    upstream = [case["dnext_h"].copy()] + ([case["dnext_c"].copy()] if kind == "lstm" else [])
    with np.errstate(all="ignore"):
        result = backward(*upstream, _gated_step_cache(kind, case))
    names = _GATED_STEP_GRADS[kind]
    return _gated_returned(result, len(names), names)


def probe_lstm_step_backward(case):
    from cs231n_utils.rnn_layers import lstm_step_backward

    return _gated_probe_step_backward("lstm", lstm_step_backward, case)


def probe_gru_step_backward(case):
    from cs231n_utils.rnn_layers import gru_step_backward

    return _gated_probe_step_backward("gru", gru_step_backward, case)


def _gated_judge_step_backward(kind: str):
    def judge(case, got):
        names = _GATED_STEP_GRADS[kind]
        _gated_check_returned(got, f"{kind}_step_backward", len(names), names)
        out = torch_recurrent(kind, case["x"][:, None], case["prev_h"], case["Wx"],
                              case["Wh"], case["b"], c0=case.get("prev_c"),
                              dh=case["dnext_h"][:, None], dc_last=case.get("dnext_c"))
        want = [out["dx"][:, 0], out["dh0"]] + ([out["dc0"]] if kind == "lstm" else [])
        want += [out["dWx"], out["dWh"], out["db"]]
        upstream = (case["dnext_h"], case["dnext_c"]) if kind == "lstm" else (case["dnext_h"],)
        judge_step_backward(kind, upstream, _gated_step_cache(kind, case),
                            [got.get(name) for name in names], want,
                            _gated_what(case, "N", "D", "H"), GATED_TOLERANCE, reveal=False)
    return judge


def _gated_call_step_backward(kind: str):
    def call(case, got) -> Call:
        upstream = [case["dnext_h"]] + ([case["dnext_c"]] if kind == "lstm" else [])
        return hidden_call((*upstream, _gated_step_cache(kind, case)),
                           _grads(got, _GATED_STEP_GRADS[kind]))
    return call


# ======================================================================== sequences


def _gated_sequence_cases(kind: str, seed: int, count: int = 4) -> list[dict]:
    out = []
    for k in range(count):
        rng = np.random.default_rng(seed + k)
        case = _gated_sizes(rng, "N", "T", "D", "H")
        N, T, D, H = (case[f"size:{n}"] for n in "NTDH")
        case.update(x=rng.normal(size=(N, T, D)), h0=rng.normal(size=(N, H)))
        case.update(_gated_weights(rng, kind, D, H))
        out.append(case)
    return out


def lstm_forward_cases() -> list[dict]:
    return _gated_sequence_cases("lstm", 7520)


def gru_forward_cases() -> list[dict]:
    return _gated_sequence_cases("gru", 7620)


def _gated_probe_sequence_forward(forward, case) -> dict:
    given = {name: case[name].copy() for name in _GATED_SEQUENCE_INPUTS}
    with np.errstate(all="ignore"):
        result = forward(*given.values())
    got = _gated_returned(result, 2, ("h",))
    got.update({f"after:{name}": value for name, value in given.items()})
    return got


def probe_lstm_forward(case):
    from cs231n_utils.rnn_layers import lstm_forward

    return _gated_probe_sequence_forward(lstm_forward, case)


def probe_gru_forward(case):
    from cs231n_utils.rnn_layers import gru_forward

    return _gated_probe_sequence_forward(gru_forward, case)


def _gated_judge_sequence_forward(kind: str):
    def judge(case, got):
        _gated_check_returned(got, f"{kind}_forward", 2, ("h", "cache"))
        want = torch_recurrent(kind, *(case[name] for name in _GATED_SEQUENCE_INPUTS))["h"]
        after = {name: got.get(f"after:{name}") for name in _GATED_SEQUENCE_INPUTS}
        judge_sequence_forward(kind, case, got.get("h"), after, want,
                               _gated_what(case, "N", "T", "D", "H"), GATED_TOLERANCE,
                               reveal=False)
    return judge


def _gated_sequence_backward_cases(kind: str, seed: int, count: int = 4) -> list[dict]:
    out = []
    for case in _gated_sequence_cases(kind, seed, count):
        rng = np.random.default_rng(seed + 5 + len(out))
        h, caches = sequence_oracle(kind, *(case[name] for name in _GATED_SEQUENCE_INPUTS))
        for t, cache in enumerate(caches):
            case[f"cache.{t}.prev_h"] = cache[1]
            if kind == "lstm":
                case[f"cache.{t}.prev_c"] = cache[2]
            gates = cache[len(_GATED_STEP_INPUTS[kind]) - 1:]
            case.update({f"cache.{t}.{name}": value
                         for name, value in zip(_GATED_CACHE_GATES[kind], gates, strict=True)})
        case["dh"] = rng.normal(size=h.shape)
        out.append(case)
    return out


def lstm_backward_cases() -> list[dict]:
    return _gated_sequence_backward_cases("lstm", 7530)


def gru_backward_cases() -> list[dict]:
    return _gated_sequence_backward_cases("gru", 7630)


def _gated_probe_sequence_backward(kind: str, backward, case) -> dict:
    with np.errstate(all="ignore"):
        result = backward(case["dh"].copy(), _gated_sequence_caches(kind, case))
    return _gated_returned(result, 5, _GATED_SEQUENCE_GRADS)


def probe_lstm_backward(case):
    from cs231n_utils.rnn_layers import lstm_backward

    return _gated_probe_sequence_backward("lstm", lstm_backward, case)


def probe_gru_backward(case):
    from cs231n_utils.rnn_layers import gru_backward

    return _gated_probe_sequence_backward("gru", gru_backward, case)


def _gated_judge_sequence_backward(kind: str):
    def judge(case, got):
        _gated_check_returned(got, f"{kind}_backward", 5, _GATED_SEQUENCE_GRADS)
        out = torch_recurrent(kind, *(case[name] for name in _GATED_SEQUENCE_INPUTS),
                              dh=case["dh"])
        judge_sequence_backward(kind, case["dh"], _gated_sequence_caches(kind, case),
                                [got.get(name) for name in _GATED_SEQUENCE_GRADS],
                                [out[name] for name in _GATED_SEQUENCE_GRADS],
                                _gated_what(case, "N", "T", "D", "H"), GATED_TOLERANCE,
                                reveal=False)
    return judge


def _gated_call_sequence_backward(kind: str):
    def call(case, got) -> Call:
        return hidden_call((case["dh"], _gated_sequence_caches(kind, case)),
                           _grads(got, _GATED_SEQUENCE_GRADS))
    return call


# ======================================================================= captioning


def _gated_vocab(rng: np.random.Generator, words: int) -> np.ndarray:
    """The words of a vocabulary, ``vocab[k]`` the word of index k: the special words
    at random places among ``words`` others."""
    return rng.permutation(np.array([*_GATED_SPECIAL, *(f"w{k}" for k in range(words))]))


def _gated_params(rng: np.random.Generator, cell_type: str, V: int, D: int, W: int, H: int,
                  scale: float) -> dict:
    """Random parameters of a CaptioningRNN, as ``param:<name>`` entries."""
    G = _GATED_GATES[cell_type]
    shapes = {"W_proj": (D, H), "b_proj": (H,), "W_embed": (V, W), "Wx": (W, G * H),
              "Wh": (H, G * H), "b": (G * H,), "W_vocab": (H, V), "b_vocab": (V,)}
    out = {}
    for name, shape in shapes.items():
        spread = scale / np.sqrt(shape[0]) if len(shape) == 2 else 0.3
        out[f"param:{name}"] = rng.normal(size=shape) * (1.0 if name == "W_embed" else spread)
    return out


def _gated_case_params(case) -> dict:
    return {name: case[f"param:{name}"] for name in CAPTIONING_PARAMS}


def _gated_index(case, word: str) -> int:
    return int(np.flatnonzero(case["vocab"] == word)[0])


def captioning_loss_cases() -> list[dict]:
    """Two models of each cell type; T + 1 = 4 to 8 words per caption: <START>, words,
    <END>, <NULL> padding (the first caption has one word, so every case has padding;
    others may run to the end); the special words at random indices."""
    out = []
    for k, cell_type in enumerate(np.repeat(CAPTIONING_CELLS, 2)):
        rng = np.random.default_rng(7700 + k)
        case = {"cell_type": str(cell_type), **_gated_sizes(rng, "N", "D", "W", "H"),
                "size:T": int(rng.integers(3, 8))}
        N, D, W, H, T = (case[f"size:{n}"] for n in "NDWHT")
        vocab = _gated_vocab(rng, int(rng.integers(1, 6)))
        index = {word: i for i, word in enumerate(vocab)}
        words = np.array([i for i, word in enumerate(vocab) if word not in _GATED_SPECIAL])
        captions = np.full((N, T + 1), index["<NULL>"], dtype=np.int64)
        captions[:, 0] = index["<START>"]
        for n in range(N):
            length = 1 if n == 0 else int(rng.integers(1, T + 1))   # some padding
            captions[n, 1:length + 1] = rng.choice(words, size=length)
            if length < T:
                captions[n, length + 1] = index["<END>"]
        case.update(vocab=vocab, captions=captions, features=rng.normal(size=(N, D)),
                    **_gated_params(rng, str(cell_type), len(vocab), D, W, H,
                                    float(rng.uniform(0.5, 2.5))))
        out.append(case)
    return out


def _gated_model(case):
    """Sandbox side: the student's CaptioningRNN with the case's parameters (float64)."""
    from cs231n_utils.classifiers.rnn import CaptioningRNN

    params = _gated_case_params(case)
    D, H = params["W_proj"].shape
    model = CaptioningRNN({str(word): i for i, word in enumerate(case["vocab"])},
                          input_dim=D, wordvec_dim=params["W_embed"].shape[1], hidden_dim=H,
                          cell_type=str(case["cell_type"]), dtype=np.float64)
    for name, value in params.items():
        model.params[name] = value.copy()
    return model


def probe_captioning_loss(case):
    model = _gated_model(case)
    with np.errstate(all="ignore"):
        result = model.loss(case["features"].copy(), case["captions"].copy())
    got = _gated_returned(result, 2, ("loss",))
    if isinstance(result, tuple | list) and len(result) == 2:
        grads = result[1]
        if isinstance(grads, dict):
            got["grads_keys"] = np.array([str(key) for key in grads], dtype=str)
            got.update({f"grad:{key}": value for key, value in grads.items()
                        if str(key) in CAPTIONING_PARAMS and _gated_plain(value)})
        else:
            got["grads_type"] = type(grads).__name__
    params = model.params if isinstance(model.params, dict) else {}
    got.update({f"after:{name}": value for name, value in params.items()
                if str(name) in CAPTIONING_PARAMS and _gated_plain(value)})
    return got


def judge_captioning_loss_case(case, got):
    _gated_check_returned(got, "CaptioningRNN.loss", 2, ("loss", "grads"))
    cell_type, params = str(case["cell_type"]), _gated_case_params(case)
    null = _gated_index(case, "<NULL>")
    if "grads_keys" in got:
        grads = {str(key): got.get(f"grad:{key}") for key in got["grads_keys"]}
    else:
        grads = f"a {got.get('grads_type', 'missing value')}"
    after = {name: got.get(f"after:{name}") for name in CAPTIONING_PARAMS}
    want_loss, want_grads = captioning_oracle(cell_type, params, case["features"],
                                              case["captions"], null)
    judge_captioning_loss(cell_type, params, case["features"], case["captions"], null,
                          got.get("loss"), grads, after, want_loss, want_grads,
                          f"cell_type={cell_type!r}, " + _gated_what(case, "N", "T", "D",
                                                                      "W", "H"),
                          GATED_TOLERANCE, GATED_TOLERANCE, reveal=False)


def _gated_stand_in(case) -> SimpleNamespace:
    """Trusted side: the model of a case, as the catalogue's variants read it."""
    return SimpleNamespace(params=_gated_case_params(case), cell_type=str(case["cell_type"]),
                           word_to_idx={str(w): i for i, w in enumerate(case["vocab"])})


def call_captioning_loss(case, got) -> Call:
    return hidden_call((_gated_stand_in(case), case["features"], case["captions"]),
                       (got.get("loss"), None))


def captioning_sample_cases() -> list[dict]:
    """Two models of each cell type with random parameters and the special words at
    random indices, ``max_length`` from 3 to 8."""
    out = []
    for k, cell_type in enumerate(np.repeat(CAPTIONING_CELLS, 2)):
        rng = np.random.default_rng(7750 + k)
        case = {"cell_type": str(cell_type), **_gated_sizes(rng, "N", "D", "W", "H"),
                "max_length": int(rng.integers(3, 9))}
        N, D, W, H = (case[f"size:{n}"] for n in "NDWH")
        vocab = _gated_vocab(rng, int(rng.integers(2, 7)))
        case.update(vocab=vocab, features=rng.normal(size=(N, D)) * 2,
                    **_gated_params(rng, str(cell_type), len(vocab), D, W, H,
                                    float(rng.uniform(1.5, 3.0))))
        out.append(case)
    return out


def probe_captioning_sample(case):
    model = _gated_model(case)
    with np.errstate(all="ignore"):
        captions = model.sample(case["features"].copy(), int(case["max_length"]))
    if _gated_plain(captions):
        return {"captions": captions}
    return {"captions_type": type(captions).__name__}


def judge_captioning_sample_case(case, got):
    cell_type, params = str(case["cell_type"]), _gated_case_params(case)
    start, max_length = _gated_index(case, "<START>"), int(case["max_length"])
    assert "captions" in got, (
        f"CaptioningRNN.sample must return an integer array (N, max_length), got "
        f"{got.get('captions_type', 'nothing')}")
    want, margins = greedy_oracle(cell_type, params, case["features"], start, max_length)
    judge_captioning_sample(cell_type, params, case["features"], start, max_length,
                            got["captions"], want, margins,
                            f"cell_type={cell_type!r}, " + _gated_what(case, "N", "D", "H")
                            + f", max_length={max_length}", end=_gated_index(case, "<END>"),
                            reveal=False)


def call_captioning_sample(case, got) -> Call:
    return hidden_call((_gated_stand_in(case), case["features"], int(case["max_length"])),
                       got.get("captions"))


HIDDEN_TESTS = [
    HiddenTest("rnn_step_forward", "rnn_step_forward", rnn_step_forward_cases,
               probe_rnn_step_forward, judge_rnn_step_forward_case,
               _call_first(STEP, "next_h")),
    HiddenTest("rnn_step_backward", "rnn_step_backward", rnn_step_backward_cases,
               probe_rnn_step_backward, judge_rnn_step_backward_case,
               call_rnn_step_backward),
    HiddenTest("rnn_forward", "rnn_forward", rnn_forward_cases, probe_rnn_forward,
               judge_rnn_forward_case, _call_first(SEQUENCE, "h")),
    HiddenTest("rnn_backward", "rnn_backward", rnn_backward_cases, probe_rnn_backward,
               judge_rnn_backward_case, call_rnn_backward),
    HiddenTest("word_embedding_forward", "word_embedding_forward",
               word_embedding_forward_cases, probe_word_embedding_forward,
               judge_word_embedding_forward_case, _call_first(("x", "W"), "out")),
    HiddenTest("word_embedding_backward", "word_embedding_backward",
               word_embedding_backward_cases, probe_word_embedding_backward,
               judge_word_embedding_backward_case, call_word_embedding_backward),
    HiddenTest("temporal_affine_forward", "temporal_affine_forward",
               temporal_affine_forward_cases, probe_temporal_affine_forward,
               judge_temporal_affine_forward_case, _call_first(("x", "w", "b"), "out")),
    HiddenTest("temporal_affine_backward", "temporal_affine_backward",
               temporal_affine_backward_cases, probe_temporal_affine_backward,
               judge_temporal_affine_backward_case, call_temporal_affine_backward),
    HiddenTest("temporal_softmax_loss", "temporal_softmax_loss", temporal_softmax_loss_cases,
               probe_temporal_softmax_loss, judge_temporal_softmax_loss_case,
               call_temporal_softmax_loss),
    HiddenTest("lstm_step_forward", "lstm_step_forward", lstm_step_forward_cases,
               probe_lstm_step_forward, _gated_judge_step_forward("lstm"),
               _gated_call_step_forward("lstm")),
    HiddenTest("lstm_step_backward", "lstm_step_backward", lstm_step_backward_cases,
               probe_lstm_step_backward, _gated_judge_step_backward("lstm"),
               _gated_call_step_backward("lstm")),
    HiddenTest("lstm_forward", "lstm_forward", lstm_forward_cases, probe_lstm_forward,
               _gated_judge_sequence_forward("lstm"), _call_first(_GATED_SEQUENCE_INPUTS, "h")),
    HiddenTest("lstm_backward", "lstm_backward", lstm_backward_cases, probe_lstm_backward,
               _gated_judge_sequence_backward("lstm"), _gated_call_sequence_backward("lstm")),
    HiddenTest("gru_step_forward", "gru_step_forward", gru_step_forward_cases,
               probe_gru_step_forward, _gated_judge_step_forward("gru"),
               _gated_call_step_forward("gru")),
    HiddenTest("gru_step_backward", "gru_step_backward", gru_step_backward_cases,
               probe_gru_step_backward, _gated_judge_step_backward("gru"),
               _gated_call_step_backward("gru")),
    HiddenTest("gru_forward", "gru_forward", gru_forward_cases, probe_gru_forward,
               _gated_judge_sequence_forward("gru"), _call_first(_GATED_SEQUENCE_INPUTS, "h")),
    HiddenTest("gru_backward", "gru_backward", gru_backward_cases, probe_gru_backward,
               _gated_judge_sequence_backward("gru"), _gated_call_sequence_backward("gru")),
    HiddenTest("captioning_loss", "CaptioningRNN.loss", captioning_loss_cases,
               probe_captioning_loss, judge_captioning_loss_case, call_captioning_loss),
    HiddenTest("captioning_sample", "CaptioningRNN.sample", captioning_sample_cases,
               probe_captioning_sample, judge_captioning_sample_case,
               call_captioning_sample),
]
