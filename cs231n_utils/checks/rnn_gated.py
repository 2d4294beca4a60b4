"""Visible checks of assignment 07_rnn, second part: the LSTM, the GRU and the image
captioning network.

Each check builds its own small seeded inputs, calls exactly ONE graded function, and
compares it with an answer computed here, independently of the student's code:

* forward passes against PyTorch's own cells, :class:`torch.nn.LSTMCell` and
  :class:`torch.nn.GRUCell`, with the weights copied in (float64). Our LSTM keeps its
  gates in CS231n's order ``i, f, o, g`` and PyTorch in the order ``i, f, g, o``, so the
  last two blocks of columns are swapped on the way; our GRU has one bias (PyTorch's
  ``bias_ih``) and PyTorch's ``bias_hh`` is set to zero. The LSTM checks also reproduce
  CS231n's published numbers;
* backward passes against numerical gradients (centred differences of a forward pass
  written here with NumPy, :mod:`cs231n_utils.gradient_check`), in float64. A backward
  check builds the ``cache`` itself, in the format the docstrings give (a step's tuple;
  for a whole sequence the list of the steps' tuples), so it does not depend on the
  student's forward;
* ``CaptioningRNN.loss`` (for the vanilla RNN, the LSTM and the GRU, on captions padded
  with ``<NULL>``): the loss and the gradient of every parameter against PyTorch autograd
  of the same network written with PyTorch's cells and ``cross_entropy`` (its
  ``ignore_index`` is the mask), on a model whose parameters are set after it is built
  (so the random initialisation does not matter); and CS231n's published losses;
* ``CaptioningRNN.sample``: the captions against greedy decoding with PyTorch's cells.

The comparisons (shapes, tolerances, messages and their advice) are the public
``judge_*`` functions. When the student's output matches a usual mistake (the LSTM's
gates in PyTorch's order, the forget gate applied to the candidate, ``dprev_c`` without
the forget gate, a cell state that does not start at zero, the GRU's ``z`` and ``1 - z``
swapped, the captioning loss without its mask, a sampler that does not feed back its own
words...), the message names it first: the mistakes are the catalogue
:mod:`cs231n_utils.checks.catalogue.rnn`, whose wrong variants start from the oracles
below (their ``variant`` arguments), and every check is wrapped by
:func:`cs231n_utils.checks.mistakes.diagnosing`. The trusted
grader's hidden tests (``solutions/hidden_tests/07_rnn.py``) hand the same judges what a
submission returned on hidden inputs, with ``reveal=False``: then no message names an
expected value.

A check raises ``AssertionError`` with a one-line reason, or prints one line starting
with ``PASS``. A function that is not written yet raises its ``NotImplementedError``
unchanged. The checks write nothing to stderr and leave NumPy's and PyTorch's global
random states as they found them. PyTorch is imported inside the functions that use it.
The checks are merged into :mod:`cs231n_utils.checks.rnn` (which names the assignment)
through :data:`CHECKS`.

>>> from cs231n_utils.checks.rnn_gated import check_lstm_step_forward
>>> check_lstm_step_forward()  # doctest: +SKIP
PASS lstm_step_forward: CS231n's published values and torch.nn.LSTMCell on random ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.special import expit

from cs231n_utils.checks.common import assert_close_to_largest as _assert_close
from cs231n_utils.checks.common import finite_array as _array
from cs231n_utils.checks.common import finite_number as _number
from cs231n_utils.checks.common import graded as _graded
from cs231n_utils.checks.common import numeric_grads as _numeric_grads
from cs231n_utils.checks.common import quietly
from cs231n_utils.checks.common import relative_to_largest as relative_error
from cs231n_utils.checks.common import restoring_random_state as _restoring_random_state
from cs231n_utils.checks.common import result_tuple as _tuple
from cs231n_utils.checks.common import unchanged as _unchanged
from cs231n_utils.checks.mistakes import diagnosing

__all__ = [
    "CAPTIONING_CELLS",
    "CAPTIONING_PARAMS",
    "CHECKS",
    "GRAD_TOLERANCE",
    "PUBLISHED_CAPTIONING_LOSS",
    "VALUE_TOLERANCE",
    "captioning_oracle",
    "check_captioning_loss",
    "check_captioning_sample",
    "check_gru_backward",
    "check_gru_forward",
    "check_gru_step_backward",
    "check_gru_step_forward",
    "check_lstm_backward",
    "check_lstm_forward",
    "check_lstm_step_backward",
    "check_lstm_step_forward",
    "greedy_oracle",
    "gru_step_backward_oracle",
    "gru_step_oracle",
    "judge_captioning_loss",
    "judge_captioning_sample",
    "judge_returned",
    "judge_sequence_backward",
    "judge_sequence_forward",
    "judge_step_backward",
    "judge_step_forward",
    "lstm_step_backward_oracle",
    "lstm_step_oracle",
    "relative_error",
    "sequence_backward_oracle",
    "sequence_oracle",
    "torch_recurrent",
]

#: Largest relative error accepted between two computations that are exact up to
#: rounding (a forward pass against PyTorch's cell, gradients against autograd), float64.
VALUE_TOLERANCE = 1e-9
#: Largest relative error accepted between an analytic and a numerical gradient.
GRAD_TOLERANCE = 1e-7
#: Arrays whose largest entry is below this are compared absolutely.
FLOOR = 1e-8
#: A gradient is compared with its own largest entry, but at least with this fraction of
#: the largest entry of all the gradients compared with it.
GRAD_FLOOR = 1e-2
#: Relative error accepted against a published number (given to 12 significant digits).
PUBLISHED_TOLERANCE = 1e-10
#: A greedy choice is only judged where the best word's score beats the second best by
#: more than this (elsewhere rounding may pick either).
SAMPLE_MARGIN = 1e-9

#: The cell types the captioning checks (and hidden tests) use: CS231n's two. The GRU
#: (beyond CS231n) has its own cells; with it here, a submission without a GRU would
#: lose the captioning points too.
CAPTIONING_CELLS = ("rnn", "lstm")
#: The parameters of a CaptioningRNN, in the order of its docstring.
CAPTIONING_PARAMS = ("W_proj", "b_proj", "W_embed", "Wx", "Wh", "b", "W_vocab", "b_vocab")
#: CS231n's published losses of CaptioningRNN (N, D, W, H = 10, 20, 30, 40, the
#: vocabulary {'<NULL>': 0, 'cat': 2, 'dog': 3}, T + 1 = 13 words, every parameter
#: ``linspace(-1.4, 1.3)``, captions ``arange % V``): cell type -> (the features'
#: ``linspace`` range, the loss).
PUBLISHED_CAPTIONING_LOSS = {"rnn": ((-1.5, 0.3), 9.83235591003),
                             "lstm": ((-0.5, 1.7), 9.82445935443)}

_GATES = {"rnn": 1, "lstm": 4, "gru": 3}
_STEP_INPUTS = {"lstm": ("x", "prev_h", "prev_c", "Wx", "Wh", "b"),
                "gru": ("x", "prev_h", "Wx", "Wh", "b")}
_STEP_GRADS = {"lstm": ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"),
               "gru": ("dx", "dprev_h", "dWx", "dWh", "db")}
_SEQUENCE_INPUTS = ("x", "h0", "Wx", "Wh", "b")
_SEQUENCE_GRADS = ("dx", "dh0", "dWx", "dWh", "db")


# ------------------------------------------------------------------------ helpers


def judge_returned(function: str, kind: str, length: int | None, count: int,
                   names: str) -> None:
    """Assert that a function returned a tuple (or list) of ``count`` items, from the
    type name ``kind`` and the ``length`` of what it returned (the hidden tests' probes
    send back these two, not the object)."""
    ok = kind in ("tuple", "list") and length == count
    assert ok, f"{function} must return a tuple ({names}); got {kind}" + (
        f" of length {length}" if kind in ("tuple", "list") else "")


def _blocks(a: np.ndarray, count: int) -> list[np.ndarray]:
    """The ``count`` blocks of columns of ``a`` (N, count * H)."""
    H = a.shape[1] // count
    return [a[:, k * H:(k + 1) * H] for k in range(count)]


def _torch_order(H: int) -> np.ndarray:
    """The columns of our LSTM weights (gates i, f, o, g) in PyTorch's order i, f, g, o."""
    return np.arange(4 * H).reshape(4, H)[[0, 1, 3, 2]].ravel()


# ------------------------------------------------------- NumPy oracles and variants


def lstm_step_oracle(x: np.ndarray, prev_h: np.ndarray, prev_c: np.ndarray,
                     Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray,
                     variant: str = "") -> tuple[np.ndarray, np.ndarray, tuple]:
    """One LSTM step written here (gates ``i, f, o, g``): ``next_h, next_c`` and the
    cache ``(x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)``.

    ``variant`` computes a usual mistake instead: ``"ifgo"`` (the blocks read in
    PyTorch's order), ``"f_on_g"`` (``next_c = i * prev_c + f * g``), ``"no_tanh"``
    (``next_h = o * next_c``), ``"sigmoid_g"`` (``g = sigmoid(a_g)``).
    """
    a_i, a_f, a_o, a_g = _blocks(x @ Wx + prev_h @ Wh + b, 4)
    if variant == "ifgo":
        a_o, a_g = a_g, a_o
    i, f, o = expit(a_i), expit(a_f), expit(a_o)
    g = expit(a_g) if variant == "sigmoid_g" else np.tanh(a_g)
    next_c = i * prev_c + f * g if variant == "f_on_g" else f * prev_c + i * g
    next_h = o * next_c if variant == "no_tanh" else o * np.tanh(next_c)
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


def lstm_step_backward_oracle(dnext_h: np.ndarray, dnext_c: np.ndarray, cache: tuple,
                              variant: str = "") -> tuple[np.ndarray, ...]:
    """The backward pass of one LSTM step written here, for the usual mistakes only (the
    checks take the right gradients from numerical differences or PyTorch autograd):
    ``"no_forget"`` (``dprev_c`` without the forget gate), ``"c_skips_h"`` (``next_c``'s
    path into ``next_h`` forgotten), ``"ifgo"`` (gate gradients concatenated in PyTorch's
    order). Returns ``dx, dprev_h, dprev_c, dWx, dWh, db``."""
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tanh_c = np.tanh(next_c)
    dc = dnext_c if variant == "c_skips_h" else dnext_c + dnext_h * o * (1 - tanh_c**2)
    parts = [dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dnext_h * tanh_c * o * (1 - o),
             dc * i * (1 - g * g)]
    if variant == "ifgo":
        parts = [parts[0], parts[1], parts[3], parts[2]]
    da = np.concatenate(parts, axis=1)
    dprev_c = dc if variant == "no_forget" else dc * f
    return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def gru_step_oracle(x: np.ndarray, prev_h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                    b: np.ndarray, variant: str = "") -> tuple[np.ndarray, tuple]:
    """One GRU step written here (gates ``r, z, n`` as :class:`torch.nn.GRUCell` with
    ``bias_hh = 0``): ``next_h`` and the cache ``(x, prev_h, Wx, Wh, r, z, n, hn)``.

    ``variant`` computes a usual mistake instead: ``"z_swapped"`` (``next_h = z * n +
    (1 - z) * prev_h``), ``"reset_before"`` (``n = tanh(x Wx_n + b_n + (r * prev_h) Wh_n)``,
    the reset gate applied before the matrix product), ``"zr"`` (the blocks of r and z
    swapped).
    """
    ax_r, ax_z, ax_n = _blocks(x @ Wx + b, 3)
    ah_r, ah_z, hn = _blocks(prev_h @ Wh, 3)
    if variant == "zr":
        ax_r, ax_z, ah_r, ah_z = ax_z, ax_r, ah_z, ah_r
    r, z = expit(ax_r + ah_r), expit(ax_z + ah_z)
    if variant == "reset_before":
        n = np.tanh(ax_n + (r * prev_h) @ _blocks(Wh, 3)[2])
    else:
        n = np.tanh(ax_n + r * hn)
    next_h = z * n + (1 - z) * prev_h if variant == "z_swapped" else (1 - z) * n + z * prev_h
    return next_h, (x, prev_h, Wx, Wh, r, z, n, hn)


def gru_step_backward_oracle(dnext_h: np.ndarray, cache: tuple,
                             variant: str = "") -> tuple[np.ndarray, ...]:
    """The backward pass of one GRU step written here, for the usual mistakes only:
    ``"no_direct"`` (``dprev_h`` without the direct path ``dnext_h * z``), ``"dz_sign"``
    (``dz = dnext_h * (n - prev_h)``), ``"hn_without_r"`` (the gradient of ``prev_h @
    Wh_n`` not multiplied by ``r``). Returns ``dx, dprev_h, dWx, dWh, db``."""
    x, prev_h, Wx, Wh, r, z, n, hn = cache
    dz = dnext_h * ((n - prev_h) if variant == "dz_sign" else (prev_h - n))
    dan = dnext_h * (1 - z) * (1 - n * n)
    dar = dan * hn * r * (1 - r)
    daz = dz * z * (1 - z)
    dax = np.concatenate([dar, daz, dan], axis=1)
    dah = np.concatenate([dar, daz, dan if variant == "hn_without_r" else dan * r], axis=1)
    dprev_h = dah @ Wh.T + (0.0 if variant == "no_direct" else dnext_h * z)
    return dax @ Wx.T, dprev_h, x.T @ dax, prev_h.T @ dah, dax.sum(axis=0)


def sequence_oracle(kind: str, x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                    b: np.ndarray, variant: str = "") -> tuple[np.ndarray, list]:
    """A whole sequence written here (``kind`` "lstm" or "gru"): ``h`` (N, T, H) and the
    list of the steps' caches. The LSTM's cell state starts at zero.

    ``variant``: ``"c0_h0"`` (the LSTM's cell state starts at ``h0``), ``"shifted"``
    (``h[:, t]`` the state before reading ``x[:, t]``), or a step variant of
    :func:`lstm_step_oracle` / :func:`gru_step_oracle`.
    """
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    prev_h = h0
    prev_c = h0 if variant == "c0_h0" else np.zeros_like(h0)
    caches = []
    for t in range(T):
        if kind == "lstm":
            next_h, prev_c, cache = lstm_step_oracle(x[:, t], prev_h, prev_c, Wx, Wh, b,
                                                     variant)
        else:
            next_h, cache = gru_step_oracle(x[:, t], prev_h, Wx, Wh, b, variant)
        h[:, t] = prev_h if variant == "shifted" else next_h
        prev_h = next_h
        caches.append(cache)
    return h, caches


def sequence_backward_oracle(kind: str, dh: np.ndarray, caches: Sequence[tuple],
                             variant: str = "") -> tuple[np.ndarray, ...]:
    """Backpropagation through time written here, for the usual mistakes only:
    ``"no_carry_h"`` (``dprev_h`` not added to the step before), ``"no_carry_c"`` (the
    LSTM's ``dprev_c`` not carried back), ``"no_sum"`` (the weights' gradients of the
    first step only), or a step variant of :func:`lstm_step_backward_oracle` /
    :func:`gru_step_backward_oracle`. Returns ``dx, dh0, dWx, dWh, db``."""
    N, T, H = dh.shape
    dx = np.zeros((N, T, caches[0][0].shape[1]))
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    sums: list[np.ndarray] = []
    for t in reversed(range(T)):
        upstream = dh[:, t] + (0.0 if variant == "no_carry_h" else dprev_h)
        if kind == "lstm":
            dx[:, t], dprev_h, dprev_c, *weights = lstm_step_backward_oracle(
                upstream, 0.0 * dprev_c if variant == "no_carry_c" else dprev_c, caches[t],
                variant)
        else:
            dx[:, t], dprev_h, *weights = gru_step_backward_oracle(upstream, caches[t],
                                                                     variant)
        if variant == "no_sum" or not sums:
            sums = list(weights)
        else:
            sums = [s + w for s, w in zip(sums, weights, strict=True)]
    return (dx, dprev_h, *sums)


# ---------------------------------------------------------------- PyTorch oracles


def _torch_step(kind: str, Wx: Any, Wh: Any, b: Any) -> Callable[[Any, Any], Any]:
    """A step function ``step(x, state) -> state`` of PyTorch's own cell (``kind`` "rnn",
    "lstm" or "gru"), with our weights (tensors, perhaps leaves of a graph) copied in."""
    import torch
    from torch import nn

    cell_class = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[kind]
    D, H = Wx.shape[0], Wh.shape[0]
    cell = nn.utils.skip_init(cell_class, D, H, dtype=torch.float64)  # no random draws
    if kind == "lstm":
        order = torch.as_tensor(_torch_order(H))
        Wx, Wh, b = Wx[:, order], Wh[:, order], b[order]
    weights = {"weight_ih": Wx.T, "weight_hh": Wh.T, "bias_ih": b,
               "bias_hh": torch.zeros_like(b)}

    def step(x: Any, state: Any) -> Any:
        return torch.func.functional_call(cell, weights, (x, state))

    return step


def _torch_sequence(kind: str, x: Any, h0: Any, Wx: Any, Wh: Any, b: Any,
                    c0: Any = None) -> tuple[Any, Any]:
    """PyTorch's cell over ``x`` (N, T, D) from ``h0`` (and ``c0``, zero if None, for an
    LSTM): the hidden states (N, T, H) and, for an LSTM, the cell states (else None)."""
    import torch

    step = _torch_step(kind, Wx, Wh, b)
    h, c = h0, (torch.zeros_like(h0) if c0 is None else c0)
    hs, cs = [], []
    for t in range(x.shape[1]):
        if kind == "lstm":
            h, c = step(x[:, t], (h, c))
            cs.append(c)
        else:
            h = step(x[:, t], h)
        hs.append(h)
    return torch.stack(hs, dim=1), (torch.stack(cs, dim=1) if kind == "lstm" else None)


def torch_recurrent(kind: str, x: np.ndarray, h0: np.ndarray, Wx: np.ndarray,
                    Wh: np.ndarray, b: np.ndarray, c0: np.ndarray | None = None,
                    dh: np.ndarray | None = None,
                    dc_last: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """A recurrent layer computed by PyTorch's own cell (:class:`torch.nn.RNNCell`,
    ``LSTMCell`` or ``GRUCell``, ``kind`` "rnn", "lstm" or "gru") in float64, with our
    weights copied in (the LSTM's gates reordered, ``bias_hh`` zero).

    Parameters
    ----------
    kind : str
        The cell.
    x : numpy.ndarray, shape (N, T, D)
    h0 : numpy.ndarray, shape (N, H)
    Wx, Wh, b : numpy.ndarray
        Our weights: (D, G * H), (H, G * H), (G * H,).
    c0 : numpy.ndarray, shape (N, H), optional
        The LSTM's first cell state (zero if not given).
    dh : numpy.ndarray, shape (N, T, H), optional
        Upstream gradient of the hidden states: with it, the gradients are computed too.
    dc_last : numpy.ndarray, shape (N, H), optional
        Upstream gradient of the LSTM's last cell state.

    Returns
    -------
    dict
        ``h`` (N, T, H); for an LSTM ``c`` (N, T, H); with ``dh`` the gradients of
        ``sum(h * dh) + sum(c[:, -1] * dc_last)``: ``dx``, ``dh0``, ``dWx``, ``dWh``,
        ``db`` and for an LSTM ``dc0``.
    """
    import torch

    arrays = {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}
    if kind == "lstm":
        arrays["c0"] = np.zeros_like(h0) if c0 is None else c0
    leaves = {name: torch.tensor(np.asarray(value, dtype=np.float64),
                                 requires_grad=dh is not None)
              for name, value in arrays.items()}
    h, c = _torch_sequence(kind, leaves["x"], leaves["h0"], leaves["Wx"], leaves["Wh"],
                           leaves["b"], leaves.get("c0"))
    out = {"h": h.detach().numpy()}
    if c is not None:
        out["c"] = c.detach().numpy()
    if dh is not None:
        total = torch.sum(h * torch.as_tensor(dh))
        if dc_last is not None:
            total = total + torch.sum(c[:, -1] * torch.as_tensor(dc_last))
        grads = torch.autograd.grad(total, list(leaves.values()), allow_unused=True)
        for name, grad in zip(leaves, grads, strict=True):
            out[f"d{name}"] = (np.zeros_like(arrays[name], dtype=np.float64) if grad is None
                               else grad.numpy())
    return out


def captioning_oracle(cell_type: str, params: Mapping[str, np.ndarray],
                      features: np.ndarray, captions: np.ndarray, null: int,
                      variant: str = "", grads: bool = True
                      ) -> tuple[float, dict[str, np.ndarray]]:
    """The captioning network's loss and gradients by PyTorch autograd (float64), written
    with PyTorch's cells and ``cross_entropy(..., ignore_index=null)`` summed and divided
    by N.

    ``variant`` computes a usual mistake instead: ``"no_mask"`` (the ``<NULL>`` targets
    counted), ``"h0_zero"`` (the first hidden state zero, not the projected features),
    ``"per_word"`` (divided by the number of words, not N), ``"same_word"`` (the targets
    are the input words, not the next ones).
    """
    import torch
    from torch.nn import functional

    leaves = {name: torch.tensor(np.asarray(params[name], dtype=np.float64),
                                 requires_grad=grads) for name in CAPTIONING_PARAMS}
    captions = torch.as_tensor(np.asarray(captions, dtype=np.int64))
    captions_in = captions[:, :-1]
    captions_out = captions_in if variant == "same_word" else captions[:, 1:]
    features_t = torch.as_tensor(np.asarray(features, dtype=np.float64))
    h0 = features_t @ leaves["W_proj"] + leaves["b_proj"]
    if variant == "h0_zero":
        h0 = torch.zeros_like(h0)
    x = leaves["W_embed"][captions_in]
    h, _ = _torch_sequence(cell_type, x, h0, leaves["Wx"], leaves["Wh"], leaves["b"])
    scores = h @ leaves["W_vocab"] + leaves["b_vocab"]
    V = scores.shape[-1]
    ignore = -100 if variant == "no_mask" else int(null)
    total = functional.cross_entropy(scores.reshape(-1, V), captions_out.reshape(-1),
                                     ignore_index=ignore, reduction="sum")
    count = (captions_out != null).sum() if variant == "per_word" else len(captions)
    loss = total / count
    if not grads:
        return float(loss.detach()), {}
    values = torch.autograd.grad(loss, list(leaves.values()))
    return float(loss.detach()), {name: g.numpy() for name, g in zip(leaves, values, strict=True)}


def greedy_oracle(cell_type: str, params: Mapping[str, np.ndarray], features: np.ndarray,
                  start: int, max_length: int, variant: str = ""
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Greedy decoding with PyTorch's cells (float64): the captions (N, max_length) and,
    at each step, by how much the chosen word's score beats the second best (N,
    max_length; infinite with a vocabulary of one word).

    ``variant`` computes a usual mistake instead: ``"start_fed"`` (``<START>`` fed at
    every step), ``"c_frozen"`` (the LSTM's cell state never updated), ``"h0_zero"`` (the
    first hidden state zero), ``"shifted"`` (``<START>`` written as the first word).
    """
    import torch

    p = {name: torch.as_tensor(np.asarray(params[name], dtype=np.float64))
         for name in CAPTIONING_PARAMS}
    N = len(features)
    captions = np.zeros((N, max_length), dtype=np.int64)
    margins = np.full((N, max_length), np.inf)
    with torch.no_grad():
        step = _torch_step(cell_type, p["Wx"], p["Wh"], p["b"])
        h = torch.as_tensor(np.asarray(features, dtype=np.float64)) @ p["W_proj"] + p["b_proj"]
        if variant == "h0_zero":
            h = torch.zeros_like(h)
        c = torch.zeros_like(h)
        words = torch.full((N,), int(start), dtype=torch.int64)
        first = 0
        if variant == "shifted":
            captions[:, 0], first = start, 1
        for t in range(first, max_length):
            x = p["W_embed"][torch.full_like(words, int(start)) if variant == "start_fed"
                             else words]
            if cell_type == "lstm":
                h, c_next = step(x, (h, c))
                c = c if variant == "c_frozen" else c_next
            else:
                h = step(x, h)
            scores = (h @ p["W_vocab"] + p["b_vocab"]).numpy()
            words = torch.as_tensor(np.argmax(scores, axis=1))
            captions[:, t] = words.numpy()
            if scores.shape[1] > 1:
                top = np.sort(scores, axis=1)
                margins[:, t] = top[:, -1] - top[:, -2]
    return captions, margins


# ==================================================================== step checks

def _step_outputs(kind: str, inputs: Mapping[str, np.ndarray],
                  variant: str = "") -> tuple[np.ndarray, ...]:
    """``(next_h, next_c)`` (LSTM) or ``(next_h,)`` (GRU) of a NumPy step oracle."""
    if kind == "lstm":
        return lstm_step_oracle(*(inputs[k] for k in _STEP_INPUTS["lstm"]), variant)[:2]
    return gru_step_oracle(*(inputs[k] for k in _STEP_INPUTS["gru"]), variant)[:1]


def judge_step_forward(kind: str, inputs: Mapping[str, np.ndarray], outputs: Sequence[Any],
                       after: Mapping[str, Any] | None, want: Sequence[np.ndarray],
                       what: str, tol: float = VALUE_TOLERANCE,
                       reveal: bool = True) -> float:
    """Assert that a step's forward pass (``kind`` "lstm": ``lstm_step_forward``, or
    "gru": ``gru_step_forward``) returned ``outputs`` (``next_h, next_c`` or ``next_h``)
    matching ``want`` within ``tol``, and left its inputs as they were (``after``, the
    inputs after the call, or None).

    Parameters
    ----------
    kind : str
        "lstm" or "gru".
    inputs : mapping
        The inputs given: ``x, prev_h, (prev_c,) Wx, Wh, b``.
    outputs : sequence
        What the function returned first (``next_h, next_c`` or ``next_h``).
    after : mapping or None
        The inputs after the call.
    want : sequence of numpy.ndarray
        The expected outputs.
    what : str
        Which inputs, for the messages.
    tol : float
        Largest relative error accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    function = f"{kind}_step_forward"
    if after is not None:
        for name in _STEP_INPUTS[kind]:
            _unchanged(inputs[name], np.asarray(after.get(name)), function, name)
    names = ("next_c", "next_h") if kind == "lstm" else ("next_h",)
    order = (1, 0) if kind == "lstm" else (0,)
    shape = np.shape(inputs["prev_h"])
    worst = 0.0
    for name, k in zip(names, order, strict=True):
        got = _array(outputs[k], f"{function} ({what}): {name}", shape)
        worst = max(worst, _assert_close(got, want[k], f"{function} ({what}): {name}", tol,
                                         reveal=reveal))
    return worst


def _step_inputs(rng: np.random.Generator, kind: str, N: int, D: int, H: int,
                 scale: float = 1.0) -> dict[str, np.ndarray]:
    """Random inputs of one step: x, prev_h, (prev_c,) Wx, Wh, b."""
    G = _GATES[kind]
    inputs = {"x": rng.normal(size=(N, D)), "prev_h": rng.normal(size=(N, H)) * 0.8}
    if kind == "lstm":
        inputs["prev_c"] = rng.normal(size=(N, H))
    inputs.update(Wx=rng.normal(size=(D, G * H)) * scale / np.sqrt(D),
                  Wh=rng.normal(size=(H, G * H)) * scale / np.sqrt(H),
                  b=rng.normal(size=G * H) * 0.5)
    return inputs


def _torch_step_outputs(kind: str, inputs: Mapping[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """``(next_h, next_c)`` or ``(next_h,)`` of one step from PyTorch's cell."""
    out = torch_recurrent(kind, inputs["x"][:, None], inputs["prev_h"], inputs["Wx"],
                          inputs["Wh"], inputs["b"], c0=inputs.get("prev_c"))
    return (out["h"][:, 0], out["c"][:, 0]) if kind == "lstm" else (out["h"][:, 0],)


def _call_step_forward(kind: str, inputs: Mapping[str, np.ndarray]
                       ) -> tuple[tuple, dict[str, np.ndarray]]:
    """Call the student's step forward on copies; what it returned, and the inputs."""
    given = {name: inputs[name].copy() for name in _STEP_INPUTS[kind]}
    forward = _graded("rnn_layers", f"{kind}_step_forward")
    count, names = (3, "next_h, next_c, cache") if kind == "lstm" else (2, "next_h, cache")
    result = _tuple(quietly(forward, *given.values()), count, f"{kind}_step_forward", names)
    return result, given


#: CS231n's published example of lstm_step_forward (N, D, H = 3, 4, 5, linspace inputs).
_LSTM_PUBLISHED_STEP = {
    "next_h": [[0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
               [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.7159181],
               [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299]],
    "next_c": [[0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407],
               [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
               [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]],
}
#: CS231n's published example of lstm_forward (N, D, H, T = 2, 5, 4, 3, linspace inputs).
_LSTM_PUBLISHED_H = [
    [[0.01764008, 0.01823233, 0.01882671, 0.0194232],
     [0.11287491, 0.12146228, 0.13018446, 0.13902939],
     [0.31358768, 0.33338627, 0.35304453, 0.37250975]],
    [[0.45767879, 0.4761092, 0.4936887, 0.51041945],
     [0.6704845, 0.69350089, 0.71486014, 0.7346449],
     [0.81733511, 0.83677871, 0.85403753, 0.86935314]]]
#: The published numbers have 8 decimals.
_PUBLISHED_DECIMALS = 5e-8


def _assert_published(got: np.ndarray, want: Any, what: str) -> None:
    """Compare with a published array given to 8 decimals."""
    want = np.asarray(want)
    error = float(np.max(np.abs(got - want)))
    if not error <= _PUBLISHED_DECIMALS:
        index = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(got - want)),
                                                       want.shape))
        raise AssertionError(f"{what}: differs from CS231n's published values by {error:.1e} "
                             f"(e.g. at index {index}: {got[index]:.8f}, expected "
                             f"{want[index]:.8f})")


def _linspace(low: float, high: float, *shape: int) -> np.ndarray:
    return np.linspace(low, high, num=int(np.prod(shape))).reshape(shape)


def check_lstm_step_forward() -> None:
    """Check ``lstm_step_forward``: CS231n's published example (N, D, H = 3, 4, 5), then
    random inputs against :class:`torch.nn.LSTMCell` with the weights copied in (its gates
    reordered from i, f, g, o to our i, f, o, g).

    Raises
    ------
    AssertionError
        With a one-line reason, if ``next_h`` or ``next_c`` is wrong or an input is changed.
    """
    N, D, H = 3, 4, 5
    published = {"x": _linspace(-0.4, 1.2, N, D), "prev_h": _linspace(-0.3, 0.7, N, H),
                 "prev_c": _linspace(-0.4, 0.9, N, H), "Wx": _linspace(-2.1, 1.3, D, 4 * H),
                 "Wh": _linspace(-0.7, 2.2, H, 4 * H), "b": _linspace(0.3, 0.7, 4 * H)}
    result, given = _call_step_forward("lstm", published)
    want = _step_outputs("lstm", published)
    for k, name in ((1, "next_c"), (0, "next_h")):
        got = _array(result[k], f"lstm_step_forward (CS231n's example): {name}", (N, H))
        _assert_published(got, _LSTM_PUBLISHED_STEP[name],
                          f"lstm_step_forward (CS231n's example): {name}")
    judge_step_forward("lstm", published, result[:2], given, want, "CS231n's example")

    rng = np.random.default_rng(7000)
    worst = 0.0
    for N, D, H, scale in ((4, 3, 5, 1.0), (1, 6, 2, 3.0)):
        inputs = _step_inputs(rng, "lstm", N, D, H, scale)
        result, given = _call_step_forward("lstm", inputs)
        worst = max(worst, judge_step_forward("lstm", inputs, result[:2], given,
                                              _torch_step_outputs("lstm", inputs),
                                              f"N={N}, D={D}, H={H}"))
    print(f"PASS lstm_step_forward: CS231n's published values and torch.nn.LSTMCell on random "
          f"inputs (largest relative error {worst:.1e})")


def check_gru_step_forward() -> None:
    """Check ``gru_step_forward`` on random inputs against :class:`torch.nn.GRUCell` with
    the weights copied in (``bias_hh`` zero).

    Raises
    ------
    AssertionError
        With a one-line reason, if ``next_h`` is wrong or an input is changed.
    """
    rng = np.random.default_rng(7001)
    worst = 0.0
    for N, D, H, scale in ((4, 3, 5, 1.0), (2, 5, 3, 2.5), (1, 2, 1, 1.0)):
        inputs = _step_inputs(rng, "gru", N, D, H, scale)
        result, given = _call_step_forward("gru", inputs)
        worst = max(worst, judge_step_forward("gru", inputs, result[:1], given,
                                              _torch_step_outputs("gru", inputs),
                                              f"N={N}, D={D}, H={H}"))
    print(f"PASS gru_step_forward: matches torch.nn.GRUCell (bias_hh = 0) on random inputs "
          f"(largest relative error {worst:.1e})")


# ------------------------------------------------------------------ step backward

_LSTM_STEP_GRAD_HINTS = {
    "dx": "dx = da @ Wx.T, with da the gradients of the four pre-activations (i, f, o, g)",
    "dprev_h": "dprev_h = da @ Wh.T",
    "dprev_c": "dprev_c = dc * f, with dc = dnext_c + dnext_h * o * (1 - tanh(next_c) ** 2)",
    "dWx": "dWx = x.T @ da",
    "dWh": "dWh = prev_h.T @ da",
    "db": "db = da summed over the minibatch (axis 0)",
}
_GRU_STEP_GRAD_HINTS = {
    "dx": "dx = dax @ Wx.T, with dax the gradients of x @ Wx + b (blocks r, z, n)",
    "dprev_h": "dprev_h = dnext_h * z + dah @ Wh.T, with dah the gradients of prev_h @ Wh",
    "dWx": "dWx = x.T @ dax",
    "dWh": "dWh = prev_h.T @ dah (the block n: r * d(a_n))",
    "db": "db = dax summed over the minibatch (axis 0)",
}


def _judge_grads(function: str, names: Sequence[str], got: Sequence[Any],
                 want: Sequence[np.ndarray], hints: Mapping[str, str], what: str,
                 tol: float, reveal: bool) -> float:
    """Assert that each gradient of ``got`` has the shape of ``want`` and is within
    ``tol`` of it (relative to its own largest entry, at least to :data:`GRAD_FLOOR`
    times the largest entry of all); a wrong one gets its advice from ``hints``."""
    floor = max(FLOOR, GRAD_FLOOR * max(float(np.max(np.abs(w), initial=0.0)) for w in want))
    worst = 0.0
    for name, g, w in zip(names, got, want, strict=True):
        g = _array(g, f"{function} ({what}): {name}", np.shape(w))
        worst = max(worst, _assert_close(g, w, f"{function} ({what}): {name}", tol,
                                         hints.get(name, ""), reveal=reveal, floor=floor))
    return worst


def judge_step_backward(kind: str, upstream: Sequence[np.ndarray], cache: tuple,
                        got: Sequence[Any], want: Sequence[np.ndarray], what: str,
                        tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``got``, the gradients a step's backward pass (``kind`` "lstm":
    ``lstm_step_backward`` ``dx, dprev_h, dprev_c, dWx, dWh, db``; "gru":
    ``gru_step_backward`` ``dx, dprev_h, dWx, dWh, db``) returned for the ``upstream``
    gradients (``dnext_h, dnext_c`` or ``dnext_h``) and ``cache``, match ``want`` within
    ``tol``; a wrong gradient gets the advice of its formula.

    ``reveal=False``: no message names an expected value (hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    hints = _LSTM_STEP_GRAD_HINTS if kind == "lstm" else _GRU_STEP_GRAD_HINTS
    return _judge_grads(f"{kind}_step_backward", _STEP_GRADS[kind], got, want, hints, what,
                        tol, reveal)


def _check_step_backward(kind: str, seed: int) -> float:
    """Numerical gradients of a step (cache built here) against the student's backward."""
    backward = _graded("rnn_layers", f"{kind}_step_backward")
    rng = np.random.default_rng(seed)
    worst = 0.0
    for N, D, H in ((3, 4, 5), (2, 1, 3)):
        inputs = _step_inputs(rng, kind, N, D, H, 1.5)
        args = [inputs[name] for name in _STEP_INPUTS[kind]]
        dnext_h = rng.normal(size=(N, H))
        if kind == "lstm":
            dnext_c = rng.normal(size=(N, H))
            upstream = (dnext_h, dnext_c)
            cache = lstm_step_oracle(*args)[2]
            dout = np.concatenate([dnext_h, dnext_c], axis=1)

            def forward(*a: np.ndarray) -> np.ndarray:
                return np.concatenate(lstm_step_oracle(*a)[:2], axis=1)
        else:
            upstream, dout = (dnext_h,), dnext_h
            cache = gru_step_oracle(*args)[1]

            def forward(*a: np.ndarray) -> np.ndarray:
                return gru_step_oracle(*a)[0]
        numeric = _numeric_grads(forward, [a.copy() for a in args], dout)
        given = tuple(item.copy() for item in cache)
        result = _tuple(quietly(backward, *(u.copy() for u in upstream), given),
                        len(_STEP_GRADS[kind]), f"{kind}_step_backward",
                        ", ".join(_STEP_GRADS[kind]))
        worst = max(worst, judge_step_backward(kind, upstream, cache, result, numeric,
                                               f"N={N}, D={D}, H={H}"))
    return worst


def check_lstm_step_backward() -> None:
    """Check ``lstm_step_backward`` against numerical gradients of ``sum(next_h * dnext_h
    + next_c * dnext_c)``, with the cache ``(x, prev_h, prev_c, Wx, Wh, i, f, o, g,
    next_c)`` built here.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    worst = _check_step_backward("lstm", 7002)
    print(f"PASS lstm_step_backward: the 6 gradients match numerical gradients (largest "
          f"relative error {worst:.1e})")


def check_gru_step_backward() -> None:
    """Check ``gru_step_backward`` against numerical gradients of ``sum(next_h *
    dnext_h)``, with the cache ``(x, prev_h, Wx, Wh, r, z, n, hn)`` built here.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    worst = _check_step_backward("gru", 7003)
    print(f"PASS gru_step_backward: the 5 gradients match numerical gradients (largest "
          f"relative error {worst:.1e})")


# ================================================================ sequence checks

def judge_sequence_forward(kind: str, inputs: Mapping[str, np.ndarray], h: Any,
                           after: Mapping[str, Any] | None, want: np.ndarray, what: str,
                           tol: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``h``, what a sequence's forward pass (``kind`` "lstm": ``lstm_forward``,
    "gru": ``gru_forward``) returned first, has shape (N, T, H) and matches ``want``
    within ``tol``, and that the inputs were left as they were (``after``, or None).

    ``reveal=False``: no message names an expected value (hidden inputs).

    Returns
    -------
    float
        The relative error.
    """
    function = f"{kind}_forward"
    if after is not None:
        for name in _SEQUENCE_INPUTS:
            _unchanged(inputs[name], np.asarray(after.get(name)), function, name)
    N, T, _ = np.shape(inputs["x"])
    h = _array(h, f"{function} ({what}): h", (N, T, np.shape(inputs["h0"])[1]))
    return _assert_close(h, want, f"{function} ({what}): h", tol,
                         f"run {kind}_step_forward for t = 0, ..., T-1 from h0"
                         + (" and a zero cell state" if kind == "lstm" else "")
                         + f" (is your {kind}_step_forward's check passing?)",
                         reveal=reveal)


def _sequence_inputs(rng: np.random.Generator, kind: str, N: int, T: int, D: int, H: int,
                     scale: float = 1.0) -> dict[str, np.ndarray]:
    """Random inputs of a whole sequence: x (N, T, D), h0, Wx, Wh, b."""
    G = _GATES[kind]
    return {"x": rng.normal(size=(N, T, D)), "h0": rng.normal(size=(N, H)) * 0.8,
            "Wx": rng.normal(size=(D, G * H)) * scale / np.sqrt(D),
            "Wh": rng.normal(size=(H, G * H)) * scale / np.sqrt(H),
            "b": rng.normal(size=G * H) * 0.5}


def _call_sequence_forward(kind: str, inputs: Mapping[str, np.ndarray]
                           ) -> tuple[tuple, dict[str, np.ndarray]]:
    given = {name: inputs[name].copy() for name in _SEQUENCE_INPUTS}
    forward = _graded("rnn_layers", f"{kind}_forward")
    result = _tuple(quietly(forward, *given.values()), 2, f"{kind}_forward", "h, cache")
    return result, given


def _torch_h(kind: str, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
    return torch_recurrent(kind, *(inputs[name] for name in _SEQUENCE_INPUTS))["h"]


def check_lstm_forward() -> None:
    """Check ``lstm_forward``: CS231n's published example (N, D, H, T = 2, 5, 4, 3), then
    random sequences against :class:`torch.nn.LSTMCell` run over the time steps from
    ``h0`` and a zero cell state.

    Raises
    ------
    AssertionError
        With a one-line reason, if ``h`` is wrong or an input is changed.
    """
    N, D, H, T = 2, 5, 4, 3
    published = {"x": _linspace(-0.4, 0.6, N, T, D), "h0": _linspace(-0.4, 0.8, N, H),
                 "Wx": _linspace(-0.2, 0.9, D, 4 * H), "Wh": _linspace(-0.3, 0.6, H, 4 * H),
                 "b": _linspace(0.2, 0.7, 4 * H)}
    result, given = _call_sequence_forward("lstm", published)
    h = _array(result[0], "lstm_forward (CS231n's example): h", (N, T, H))
    args = [published[name] for name in _SEQUENCE_INPUTS]
    _assert_published(h, _LSTM_PUBLISHED_H, "lstm_forward (CS231n's example): h")
    judge_sequence_forward("lstm", published, h, given, sequence_oracle("lstm", *args)[0],
                           "CS231n's example")

    rng = np.random.default_rng(7004)
    worst = 0.0
    for N, T, D, H in ((3, 4, 2, 3), (1, 1, 3, 2), (2, 6, 1, 4)):
        inputs = _sequence_inputs(rng, "lstm", N, T, D, H, 1.5)
        result, given = _call_sequence_forward("lstm", inputs)
        worst = max(worst, judge_sequence_forward("lstm", inputs, result[0], given,
                                                  _torch_h("lstm", inputs),
                                                  f"N={N}, T={T}, D={D}, H={H}"))
    print(f"PASS lstm_forward: CS231n's published values and torch.nn.LSTMCell over random "
          f"sequences, c0 = 0 (largest relative error {worst:.1e})")


def check_gru_forward() -> None:
    """Check ``gru_forward`` on random sequences against :class:`torch.nn.GRUCell` run over
    the time steps from ``h0``.

    Raises
    ------
    AssertionError
        With a one-line reason, if ``h`` is wrong or an input is changed.
    """
    rng = np.random.default_rng(7005)
    worst = 0.0
    for N, T, D, H in ((3, 4, 2, 3), (1, 1, 3, 2), (2, 6, 1, 4)):
        inputs = _sequence_inputs(rng, "gru", N, T, D, H, 1.5)
        result, given = _call_sequence_forward("gru", inputs)
        worst = max(worst, judge_sequence_forward("gru", inputs, result[0], given,
                                                  _torch_h("gru", inputs),
                                                  f"N={N}, T={T}, D={D}, H={H}"))
    print(f"PASS gru_forward: matches torch.nn.GRUCell over random sequences (largest "
          f"relative error {worst:.1e})")


_SEQUENCE_GRAD_HINTS = {
    "dx": "dx[:, t] is the dx of step t's backward pass",
    "dh0": "dh0 is the dprev_h of the first step's backward pass",
    "dWx": "sum the steps' dWx",
    "dWh": "sum the steps' dWh",
    "db": "sum the steps' db",
}


def judge_sequence_backward(kind: str, dh: np.ndarray, caches: Sequence[tuple],
                            got: Sequence[Any], want: Sequence[np.ndarray], what: str,
                            tol: float = GRAD_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``got``, the ``dx, dh0, dWx, dWh, db`` that backpropagation through time
    (``kind`` "lstm": ``lstm_backward``, "gru": ``gru_backward``) returned for ``dh`` and
    the steps' ``caches``, match ``want`` within ``tol``; a wrong gradient gets the advice
    of its formula.

    ``reveal=False``: no message names an expected value (hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    return _judge_grads(f"{kind}_backward", _SEQUENCE_GRADS, got, want, _SEQUENCE_GRAD_HINTS,
                        what, tol, reveal)


def _check_sequence_backward(kind: str, seed: int) -> float:
    """Numerical gradients of a sequence (caches built here) against the student's BPTT."""
    backward = _graded("rnn_layers", f"{kind}_backward")
    rng = np.random.default_rng(seed)
    worst = 0.0
    for N, T, D, H in ((2, 3, 4, 3), (3, 1, 2, 2), (1, 5, 2, 2)):
        inputs = _sequence_inputs(rng, kind, N, T, D, H, 1.5)
        args = [inputs[name] for name in _SEQUENCE_INPUTS]
        dh = rng.normal(size=(N, T, H))
        _, caches = sequence_oracle(kind, *args)
        numeric = _numeric_grads(lambda *a: sequence_oracle(kind, *a)[0],
                                 [a.copy() for a in args], dh)
        given = [tuple(item.copy() for item in cache) for cache in caches]
        result = _tuple(quietly(backward, dh.copy(), given), 5, f"{kind}_backward",
                        "dx, dh0, dWx, dWh, db")
        worst = max(worst, judge_sequence_backward(kind, dh, caches, result, numeric,
                                                   f"N={N}, T={T}, D={D}, H={H}"))
    return worst


def check_lstm_backward() -> None:
    """Check ``lstm_backward`` against numerical gradients of ``sum(h * dh)``. The cache is
    built here: the list of the T steps' caches ``(x, prev_h, prev_c, Wx, Wh, i, f, o, g,
    next_c)``, as ``lstm_forward`` makes it.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    worst = _check_sequence_backward("lstm", 7006)
    print(f"PASS lstm_backward: dx, dh0, dWx, dWh, db match numerical gradients through time "
          f"(largest relative error {worst:.1e})")


def check_gru_backward() -> None:
    """Check ``gru_backward`` against numerical gradients of ``sum(h * dh)``. The cache is
    built here: the list of the T steps' caches ``(x, prev_h, Wx, Wh, r, z, n, hn)``, as
    ``gru_forward`` makes it.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    worst = _check_sequence_backward("gru", 7007)
    print(f"PASS gru_backward: dx, dh0, dWx, dWh, db match numerical gradients through time "
          f"(largest relative error {worst:.1e})")


# ====================================================================== captioning

_LOSS_HINT = ("h0 = features @ W_proj + b_proj, the words captions[:, :-1] embedded, the "
              "recurrent layer, the scores, temporal_softmax_loss against captions[:, 1:] "
              "with mask = captions[:, 1:] != <NULL>")
#: The parameters in the order the backward pass reaches them.
_BACKWARD_ORDER = ("W_vocab", "b_vocab", "Wx", "Wh", "b", "W_embed", "W_proj", "b_proj")
_CAPTIONING_GRAD_HINTS = {
    "W_proj": "h0 = features @ W_proj + b_proj: W_proj's gradient is features.T @ dh0, with "
              "dh0 from the recurrent layer's backward pass",
    "b_proj": "b_proj's gradient is dh0 summed over the minibatch",
    "W_embed": "W_embed's gradient is word_embedding_backward of the recurrent layer's dx",
    "Wx": "from {cell}_backward of dh (temporal_affine_backward's dx): run {cell}_backward's "
          "check",
    "Wh": "from {cell}_backward of dh (temporal_affine_backward's dx): run {cell}_backward's "
          "check",
    "b": "from {cell}_backward of dh (temporal_affine_backward's dx): run {cell}_backward's "
         "check",
    "W_vocab": "from temporal_affine_backward of the scores' gradient",
    "b_vocab": "from temporal_affine_backward of the scores' gradient",
}


def judge_captioning_loss(cell_type: str, params: Mapping[str, np.ndarray],
                          features: np.ndarray, captions: np.ndarray, null: int, loss: Any,
                          grads: Any, params_after: Any, want_loss: float,
                          want_grads: Mapping[str, np.ndarray], what: str,
                          tol_loss: float = VALUE_TOLERANCE,
                          tol_grads: float = VALUE_TOLERANCE, reveal: bool = True) -> float:
    """Assert that ``(loss, grads)``, what ``CaptioningRNN.loss(features, captions)``
    returned for a model of ``cell_type`` with ``params`` and ``<NULL>`` at index ``null``,
    match ``want_loss`` and ``want_grads``, and that ``self.params`` was left as it was
    (``params_after``). A wrong loss gets the recipe of the forward pass. The
    gradients are compared in the order the backward pass reaches them (so the first
    wrong one names the layer to look at), each with its own largest entry, but at least
    with :data:`GRAD_FLOOR` times the largest entry of all the gradients.

    Parameters
    ----------
    cell_type : str
        "rnn", "lstm" or "gru".
    params : mapping
        The parameters the model was given.
    features, captions : numpy.ndarray
        The inputs given.
    null : int
        The index of ``<NULL>``.
    loss, grads : Any
        What the method returned (``grads`` a dict of arrays).
    params_after : Any
        ``model.params`` after the call (a dict).
    want_loss : float
        The expected loss.
    want_grads : mapping
        The expected gradient of each parameter.
    what : str
        Which model and inputs, for the messages.
    tol_loss, tol_grads : float
        Largest relative errors accepted.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    for name, value in params.items():
        after = params_after.get(name) if isinstance(params_after, Mapping) else None
        _unchanged(value, np.asarray(after), "CaptioningRNN.loss", f"self.params[{name!r}]")
    loss = _number(loss, f"CaptioningRNN.loss ({what}): the loss")
    worst = _assert_close(loss, want_loss, f"CaptioningRNN.loss ({what}): loss", tol_loss,
                          _LOSS_HINT, reveal=reveal)
    assert isinstance(grads, Mapping), (
        f"CaptioningRNN.loss must return (loss, grads) with grads a dict, got "
        f"{grads if isinstance(grads, str) else type(grads).__name__}")
    keys = {str(k) for k in grads}
    assert keys == set(params), (
        f"CaptioningRNN.loss ({what}): grads must have the keys of self.params "
        f"{sorted(params)}; missing {sorted(set(params) - keys)}, unexpected "
        f"{sorted(keys - set(params))}")
    floor = max(FLOOR, GRAD_FLOOR * max(float(np.max(np.abs(g))) for g in want_grads.values()))
    for name in _BACKWARD_ORDER:       # the first wrong one names the layer to look at
        got = _array(grads[name], f"CaptioningRNN.loss ({what}): grads[{name!r}]",
                     np.shape(params[name]))
        hint = _CAPTIONING_GRAD_HINTS[name].format(cell=cell_type)
        worst = max(worst, _assert_close(got, want_grads[name],
                                         f"CaptioningRNN.loss ({what}): grads[{name!r}]",
                                         tol_grads, hint, reveal=reveal, floor=floor))
    return worst


def _cells() -> str:
    """:data:`CAPTIONING_CELLS` in words: "rnn, lstm and gru"."""
    return " and ".join([", ".join(CAPTIONING_CELLS[:-1]), CAPTIONING_CELLS[-1]])


def _vocabulary(words: int, order: np.ndarray | None = None) -> dict[str, int]:
    """``<NULL>``, ``<START>``, ``<END>`` and ``words`` words, numbered in ``order`` (a
    permutation of the indices) or in that order."""
    names = ["<NULL>", "<START>", "<END>", *(f"w{k}" for k in range(words))]
    order = np.arange(len(names)) if order is None else order
    return {name: int(order[k]) for k, name in enumerate(names)}


def _captions(rng: np.random.Generator, word_to_idx: Mapping[str, int], N: int,
              T: int) -> np.ndarray:
    """(N, T + 1) captions: <START>, 1 or more words, <END>, <NULL> padding (a caption
    may also run to the end, without <END>)."""
    special = {word_to_idx[w] for w in ("<NULL>", "<START>", "<END>")}
    words = np.array(sorted(set(word_to_idx.values()) - special))
    captions = np.full((N, T + 1), word_to_idx["<NULL>"], dtype=np.int64)
    captions[:, 0] = word_to_idx["<START>"]
    for n in range(N):
        length = int(rng.integers(1, T + 1))
        captions[n, 1:length + 1] = rng.choice(words, size=length)
        if length < T:
            captions[n, length + 1] = word_to_idx["<END>"]
    return captions


def _captioning_params(rng: np.random.Generator, cell_type: str, V: int, D: int, W: int,
                       H: int, scale: float = 1.0) -> dict[str, np.ndarray]:
    """Random parameters of a CaptioningRNN (float64), biases not zero."""
    G = _GATES[cell_type]
    shapes = {"W_proj": (D, H), "b_proj": (H,), "W_embed": (V, W), "Wx": (W, G * H),
              "Wh": (H, G * H), "b": (G * H,), "W_vocab": (H, V), "b_vocab": (V,)}
    params = {}
    for name, shape in shapes.items():
        spread = scale / np.sqrt(shape[0]) if len(shape) == 2 else 0.3
        params[name] = rng.normal(size=shape) * (1.0 if name == "W_embed" else spread)
    return params


def _model(word_to_idx: Mapping[str, int], params: Mapping[str, np.ndarray],
           cell_type: str) -> Any:
    """The student's CaptioningRNN with ``params`` set after it is built (float64)."""
    CaptioningRNN = _graded("classifiers.rnn", "CaptioningRNN")

    D, H = params["W_proj"].shape
    model = _restoring_random_state(CaptioningRNN, dict(word_to_idx), input_dim=D,
                                    wordvec_dim=params["W_embed"].shape[1], hidden_dim=H,
                                    cell_type=cell_type, dtype=np.float64)
    for name in CAPTIONING_PARAMS:
        model.params[name] = np.array(params[name], dtype=np.float64, copy=True)
    return model


def check_captioning_loss() -> None:
    """Check ``CaptioningRNN.loss``: CS231n's published losses (vanilla RNN and LSTM), then
    for each cell type ("rnn", "lstm", "gru") the loss and every gradient on captions
    padded with ``<NULL>`` against PyTorch autograd of the same network (PyTorch's cells,
    ``cross_entropy`` with ``ignore_index`` = ``<NULL>``, summed and divided by N). The
    model is built with the given ``__init__`` and its parameters are then set here, so
    the initialisation does not matter.

    Raises
    ------
    AssertionError
        With a one-line reason, if the loss or a gradient is wrong, or ``self.params``
        is changed.
    """
    N, D, W, H, T = 10, 20, 30, 40, 13
    word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}
    CaptioningRNN = _graded("classifiers.rnn", "CaptioningRNN")
    for cell_type, ((low, high), expected) in PUBLISHED_CAPTIONING_LOSS.items():
        model = _restoring_random_state(CaptioningRNN, dict(word_to_idx), input_dim=D,
                                        wordvec_dim=W, hidden_dim=H, cell_type=cell_type,
                                        dtype=np.float64)
        params = {name: _linspace(-1.4, 1.3, *np.shape(value))
                  for name, value in model.params.items()}
        model.params = {name: value.copy() for name, value in params.items()}
        features = _linspace(low, high, N, D)
        captions = (np.arange(N * T) % len(word_to_idx)).reshape(N, T)
        result = _tuple(quietly(model.loss, features.copy(), captions.copy()), 2,
                        "CaptioningRNN.loss", "loss, grads")
        what = f"CS231n's {cell_type} example"
        loss = _number(result[0], f"CaptioningRNN.loss ({what}): the loss")
        _assert_close(loss, expected, f"CaptioningRNN.loss ({what}): loss",
                      PUBLISHED_TOLERANCE, _LOSS_HINT)

    rng = np.random.default_rng(7008)
    worst = 0.0
    for cell_type in CAPTIONING_CELLS:
        # the LSTM's vocabulary has <NULL> elsewhere than at 0
        order = [3, 0, 5, 1, 2, 4, 6] if cell_type == "lstm" else None
        word_to_idx = _vocabulary(4, None if order is None else np.array(order))
        N, D, W, H, T = 4, 5, 3, 4, 5
        params = _captioning_params(rng, cell_type, len(word_to_idx), D, W, H, 1.5)
        features = rng.normal(size=(N, D))
        captions = _captions(rng, word_to_idx, N, T)
        model = _model(word_to_idx, params, cell_type)
        result = _tuple(quietly(model.loss, features.copy(), captions.copy()), 2,
                        "CaptioningRNN.loss", "loss, grads")
        null = word_to_idx["<NULL>"]
        want_loss, want_grads = captioning_oracle(cell_type, params, features, captions, null)
        worst = max(worst, judge_captioning_loss(
            cell_type, params, features, captions, null, result[0], result[1], model.params,
            want_loss, want_grads, f"cell_type={cell_type!r}, N={N}, T={T}"))
    print(f"PASS CaptioningRNN.loss: CS231n's published losses (rnn, lstm) and the loss and "
          f"gradients of {_cells()} models match PyTorch autograd, <NULL> masked (largest "
          f"relative error {worst:.1e})")


def judge_captioning_sample(cell_type: str, params: Mapping[str, np.ndarray],
                            features: np.ndarray, start: int, max_length: int,
                            captions: Any, want: np.ndarray, margins: np.ndarray,
                            what: str, end: int | None = None, reveal: bool = True) -> None:
    """Assert that ``captions``, what ``CaptioningRNN.sample(features, max_length)``
    returned for a model of ``cell_type`` with ``params`` and ``<START>`` at index
    ``start``, is an integer array (N, max_length) equal to greedy decoding, ``want``.

    What follows the first ``<END>`` (index ``end``) of a caption of ``want`` is not
    judged (the docstring calls it meaningless: a sampler may stop there). Where the
    oracle's best word beat the second best by at most :data:`SAMPLE_MARGIN`
    (``margins``), rounding may pick either: from there on a caption is not judged.
    ``reveal=False``: the message does not name the expected words.
    """
    N = len(features)
    assert captions is not None, f"CaptioningRNN.sample ({what}) returned None"
    captions = np.asarray(captions)
    assert captions.shape == (N, max_length), (
        f"CaptioningRNN.sample ({what}): captions have shape {captions.shape}, expected "
        f"{(N, max_length)}")
    assert captions.dtype.kind in "iu", (
        f"CaptioningRNN.sample ({what}): captions must hold integer word indices, got dtype "
        f"{captions.dtype}")

    def differs(got: np.ndarray, wanted: np.ndarray) -> tuple[int, int] | None:
        for n in range(N):
            for t in range(max_length):
                if margins[n, t] <= SAMPLE_MARGIN:
                    break
                if got[n, t] != wanted[n, t]:
                    return n, t
                if end is not None and wanted[n, t] == end:
                    break
        return None

    wrong = differs(captions, want)
    if wrong is None:
        return
    n, t = wrong
    detail = (f": {int(captions[n, t])} where greedy decoding chooses {int(want[n, t])}"
              if reveal else "")
    raise AssertionError(
        f"CaptioningRNN.sample ({what}): caption {n} differs from greedy decoding first at "
        f"step {t}{detail}; start from h0 = features @ W_proj + b_proj and <START>, at "
        "each step take the word of highest score (argmax) and feed it back")


def check_captioning_sample() -> None:
    """Check ``CaptioningRNN.sample`` for each cell type ("rnn", "lstm", "gru"): the
    captions of a model with parameters set here must equal greedy decoding computed
    with PyTorch's cells (start from ``features @ W_proj + b_proj`` and ``<START>``, feed
    back the word of highest score), an integer array (N, max_length); what follows a
    caption's first ``<END>`` is not judged.

    Raises
    ------
    AssertionError
        With a one-line reason, if a caption is wrong.
    """
    rng = np.random.default_rng(7009)
    for cell_type in CAPTIONING_CELLS:
        # the LSTM's vocabulary has <START> elsewhere than at 1
        order = [3, 0, 5, 1, 2, 4, 6, 7] if cell_type == "lstm" else None
        word_to_idx = _vocabulary(5, None if order is None else np.array(order))
        N, D, W, H, max_length = 5, 4, 3, 6, 7
        params = _captioning_params(rng, cell_type, len(word_to_idx), D, W, H, 2.5)
        features = rng.normal(size=(N, D)) * 2
        model = _model(word_to_idx, params, cell_type)
        captions = quietly(model.sample, features.copy(), max_length)
        start = word_to_idx["<START>"]
        want, margins = greedy_oracle(cell_type, params, features, start, max_length)
        judge_captioning_sample(cell_type, params, features, start, max_length, captions,
                                want, margins, f"cell_type={cell_type!r}, N={N}, "
                                f"max_length={max_length}", end=word_to_idx["<END>"])
    print(f"PASS CaptioningRNN.sample: greedy captions of {_cells()} models match decoding "
          "with PyTorch's cells")


#: Graded function -> its visible check, for the command-line summary table.
CHECKS: dict[str, Callable[[], None]] = {
    "lstm_step_forward": check_lstm_step_forward,
    "lstm_step_backward": check_lstm_step_backward,
    "lstm_forward": check_lstm_forward,
    "lstm_backward": check_lstm_backward,
    "gru_step_forward": check_gru_step_forward,
    "gru_step_backward": check_gru_step_backward,
    "gru_forward": check_gru_forward,
    "gru_backward": check_gru_backward,
    "CaptioningRNN.loss": check_captioning_loss,
    "CaptioningRNN.sample": check_captioning_sample,
}
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.rnn).
CHECKS = diagnosing("07_rnn", CHECKS, globals())
