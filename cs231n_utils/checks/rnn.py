"""Visible checks of assignment 07_rnn (recurrent networks), and the helpers they share.

Each check builds its own small seeded inputs, calls exactly ONE graded function of
``rnn_layers.py``, and compares it with an answer computed independently of the student's
code:

* the vanilla RNN step and sequence against CS231n's published values (the ``linspace``
  inputs of its notebook) and against ``torch.nn.RNNCell`` with the same weights copied in
  (float64);
* word embedding and the temporal affine layer against a plain loop over the positions
  (and CS231n's published embedding);
* every backward pass against numerical gradients (centred differences, float64,
  :mod:`cs231n_utils.gradient_check`) of a forward pass written here. A backward check
  builds the ``cache`` itself, in the format the docstring gives, so it does not depend
  on the student's forward (``rnn_backward``'s cache is the list of the T steps' caches);
* the temporal softmax loss against ``torch.nn.functional.cross_entropy`` with a mask
  (the sum over the selected positions divided by N), CS231n's sanity checks (about 2.3,
  23 and 2.3 for tiny scores), scores of size 1000 (log-sum-exp), a sequence masked out
  completely, and the numerical gradient; masked positions must get exactly zero gradient.

The LSTM, GRU and ``CaptioningRNN`` checks live in :mod:`cs231n_utils.checks.rnn_gated`;
they are importable from here (``from cs231n_utils.checks.rnn import check_lstm_forward``)
and :data:`CHECKS` holds both files' checks. They are loaded on first use (a module
``__getattr__``), so that ``rnn_gated`` may import the helpers below without a circular
import, whichever module is imported first.

Public helpers (for the hidden tests and for ``rnn_gated``):

* tolerances: :data:`GRAD_TOLERANCE` (analytic against numerical gradients, 1e-7),
  :data:`VALUE_TOLERANCE` (two exact float64 computations, 1e-9),
  :data:`PUBLISHED_TOLERANCE` (against CS231n's values printed with 8 decimals, 1e-7);
* comparisons: :func:`relative_error` (CS231n's elementwise relative error, except that
  entries below :data:`SMALL` times the array's largest are compared with that size: they
  carry the rounding of the large numbers they were computed from), :func:`rel_error`
  (CS231n's own), :func:`assert_close` (one-line message; ``reveal=False`` names where, not
  the value), :func:`judge_outputs` (shape, finiteness, closeness and hints of several
  outputs);
* oracles: :func:`numeric_grads` (numerical gradients of a forward of several inputs),
  :func:`torch_step` and :func:`torch_sequence` (one step or a whole sequence of
  ``torch.nn.RNNCell``/``LSTMCell``/``GRUCell`` with the weights copied in from the
  CS231n layout: LSTM gates i, f, o, g permuted to PyTorch's i, f, g, o, GRU with
  ``bias_hh = 0``, and autograd's gradients given back in the CS231n layout),
  :func:`torch_temporal_softmax_loss` (``cross_entropy`` with a mask);
* :func:`rnn_step_caches`: the cache list of ``rnn_forward`` from its hidden states.

The comparisons of each graded function are the public ``judge_*`` functions: a check
calls its graded function, computes the expected values with its oracle and hands both to
the judge. The trusted grader's hidden tests (``solutions/hidden_tests/07_rnn.py``) hand
the same judges what a submission returned on hidden inputs, with expected values from
PyTorch, and ``reveal=False``: then no message names an expected value. When the answer
matches a usual mistake (the hidden state not carried back through time, the weights'
gradients not summed over the time steps, tanh's derivative taken at the wrong point,
repeated words losing their gradient, the loss divided by the number of selected
positions instead of N, the mask ignored...), the message names it first: the mistakes
are the catalogue :mod:`cs231n_utils.checks.catalogue.rnn`, and every check is wrapped by
:func:`cs231n_utils.checks.mistakes.diagnosing`.

A check raises ``AssertionError`` with a one-line reason, or prints one line starting
with ``PASS``. A function that is not written yet raises its ``NotImplementedError``
unchanged. The checks write nothing to stderr. PyTorch is imported inside the functions
that use it, so importing this module (as the hidden tests do in the sandbox) does not
load it.

>>> from cs231n_utils.checks.rnn import check_rnn_step_forward
>>> check_rnn_step_forward()  # doctest: +SKIP
PASS rnn_step_forward: matches CS231n's published next_h and torch.nn.RNNCell ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.special import logsumexp, softmax

from cs231n_utils.checks.common import finite_array as _array
from cs231n_utils.checks.common import graded as _graded
from cs231n_utils.checks.common import numeric_grads, quietly
from cs231n_utils.checks.common import result_tuple as _tuple
from cs231n_utils.checks.common import unchanged as _unchanged
from cs231n_utils.checks.mistakes import diagnosing
from cs231n_utils.gradient_check import rel_error

ASSIGNMENT = "07_rnn"

__all__ = [
    "CELL_GATES",
    "CHECKS",  # noqa: F822 (provided by __getattr__, with the checks of rnn_gated)
    "GRAD_TOLERANCE",
    "PUBLISHED_TOLERANCE",
    "SMALL",
    "VALUE_TOLERANCE",
    "assert_close",
    "check_rnn_backward",
    "check_rnn_forward",
    "check_rnn_step_backward",
    "check_rnn_step_forward",
    "check_temporal_affine_backward",
    "check_temporal_affine_forward",
    "check_temporal_softmax_loss",
    "check_word_embedding_backward",
    "check_word_embedding_forward",
    "judge_outputs",
    "judge_rnn_backward",
    "judge_rnn_forward",
    "judge_rnn_step_backward",
    "judge_rnn_step_forward",
    "judge_temporal_affine_backward",
    "judge_temporal_affine_forward",
    "judge_temporal_softmax_loss",
    "judge_word_embedding_backward",
    "judge_word_embedding_forward",
    "numeric_grads",
    "rel_error",
    "relative_error",
    "rnn_step_caches",
    "torch_sequence",
    "torch_step",
    "torch_temporal_softmax_loss",
]

#: Largest relative error accepted between an analytic and a numerical gradient
#: (CS231n asks for about 1e-7 or less in float64).
GRAD_TOLERANCE = 1e-7
#: Largest relative error accepted for values computed two ways in float64 (forward
#: passes against PyTorch; every comparison of the hidden tests).
VALUE_TOLERANCE = 1e-9
#: Largest relative error accepted against CS231n's published values (printed with 8
#: decimals, so they are off by up to 5e-9).
PUBLISHED_TOLERANCE = 1e-7
#: Entries smaller than this fraction of an array's largest (or of a given scale) are
#: compared with that size rather than their own: a probability's ``p - 1`` near 1, or a
#: sum that cancels, carries the rounding of the large numbers it came from.
SMALL = 1e-4
#: Gate blocks along the last axis of Wx, Wh and b for each kind of cell.
CELL_GATES = {"rnn": 1, "lstm": 4, "gru": 3}

#: The checks of :mod:`cs231n_utils.checks.rnn_gated`, importable from this module.
GATED_CHECKS = (
    "check_lstm_step_forward", "check_lstm_step_backward", "check_lstm_forward",
    "check_lstm_backward", "check_gru_step_forward", "check_gru_step_backward",
    "check_gru_forward", "check_gru_backward", "check_captioning_loss",
    "check_captioning_sample",
)


# ------------------------------------------------------------------------- helpers


def relative_error(got: Any, want: Any, scale: float | None = None) -> float:
    """``max(|got - want| / max(1e-8, SMALL * scale, |got| + |want|))``: CS231n's
    elementwise relative error, where entries smaller than ``SMALL`` times ``scale`` (by
    default the largest entry of ``want``) are compared with that size.

    Parameters
    ----------
    got, want : array_like
        Arrays of the same shape (or two numbers).
    scale : float, optional
        The size of the numbers ``want`` was computed from (for a sum that may cancel).

    Returns
    -------
    float
        The largest relative error; NaN if ``got`` holds a NaN.
    """
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise ValueError(f"got has shape {got.shape}, want {want.shape}")
    if want.size == 0:
        return 0.0
    size = float(np.max(np.abs(want))) if scale is None else float(scale)
    floor = max(1e-8, SMALL * size)
    return float(np.max(np.abs(got - want) / np.maximum(floor, np.abs(got) + np.abs(want))))


def assert_close(got: Any, want: Any, what: str, tol: float, hint: str = "", *,
                 scale: float | None = None, reveal: bool = True) -> float:
    """Assert that ``relative_error(got, want, scale) <= tol``; return the error.

    Parameters
    ----------
    got, want : array_like
        The answer and the expected values (same shape).
    what : str
        What is compared, the start of the message.
    tol : float
        Largest relative error accepted.
    hint : str
        Appended to the message when the comparison fails.
    scale : float, optional
        See :func:`relative_error`.
    reveal : bool
        Whether the message may name an expected value; False: it names the index of the
        largest difference only (hidden inputs).

    Returns
    -------
    float
        The relative error.
    """
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    error = relative_error(got, want, scale)
    if not error <= tol:
        where = ""
        if want.ndim:
            worst = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
            index = tuple(int(i) for i in worst)
            where = (f" (e.g. at index {index}: {got[worst]:.6g}, expected {want[worst]:.6g})"
                     if reveal else f" (largest at index {index})")
        elif reveal:
            where = f" ({float(got):.10g}, expected {float(want):.10g})"
        raise AssertionError(f"{what}: relative error {error:.1e} exceeds {tol:g}{where}"
                             + (f"; {hint}" if hint else ""))
    return error


def _shaped(value: Any, what: str, shape: tuple[int, ...], hint: str = "") -> np.ndarray:
    """``value`` as a finite float64 array of ``shape``; a wrong shape names ``hint``."""
    if value is not None and hint:
        got = np.shape(value)
        assert got == shape, f"{what} has shape {got}, expected {shape}; {hint}"
    return _array(value, what, shape)


def judge_outputs(function: str, names: Sequence[str], got: Sequence[Any],
                  want: Sequence[np.ndarray], tol: float,
                  defaults: Mapping[str, str] | None = None, *, context: str = "",
                  shape_hints: Mapping[str, str] | None = None,
                  reveal: bool = True) -> float:
    """Assert that each output of ``function`` has its expected shape, is finite and is
    within ``tol`` of the expected values; return the largest relative error.

    Parameters
    ----------
    function : str
        The graded function, for the messages.
    names : sequence of str
        The outputs' names (``"dx"``, ``"dWh"``...), in order.
    got : sequence
        What the function returned, one item per name.
    want : sequence of numpy.ndarray
        The expected values, one per name.
    tol : float
        Largest relative error accepted.
    defaults : mapping, optional
        Name -> the hint given when an output is wrong in no catalogued way.
    context : str
        Appended to the function's name in a message (which inputs).
    shape_hints : mapping, optional
        Name -> what a wrong shape most likely means.
    reveal : bool
        Whether a message may name an expected value (False for hidden inputs).

    Returns
    -------
    float
        The largest relative error.
    """
    defaults, shape_hints = defaults or {}, shape_hints or {}
    worst = 0.0
    for name, g, w in zip(names, got, want, strict=True):
        what = f"{function}{context}: {name}"
        g = _shaped(g, what, np.shape(w), shape_hints.get(name, ""))
        worst = max(worst, assert_close(g, w, what, tol, defaults.get(name, ""),
                                        reveal=reveal))
    return worst


def _shapes(**sizes: int) -> str:
    """`` (N=3, T=4, ...)`` for the messages."""
    return " (" + ", ".join(f"{k}={v}" for k, v in sizes.items()) + ")"


# -------------------------------------------------------------- PyTorch oracles


def _torch_cell(kind: str, D: int, H: int) -> Any:
    from torch import nn

    cells = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}
    if kind not in cells:
        raise ValueError(f"kind must be one of {sorted(cells)}, got {kind!r}")
    import torch

    with torch.random.fork_rng(devices=[]):  # the random start values are replaced
        return cells[kind](D, H, dtype=torch.float64)


def _torch_parameters(kind: str, Wx: Any, Wh: Any, b: Any) -> dict[str, Any]:
    """PyTorch's parameters of a cell from the CS231n layout, as tensor expressions (so
    that autograd reaches ``Wx``, ``Wh`` and ``b``). ``bias_hh`` is 0."""
    import torch

    H = Wh.shape[0]
    order = np.arange(CELL_GATES[kind] * H)
    if kind == "lstm":      # CS231n's blocks i, f, o, g -> PyTorch's i, f, g, o
        order = np.concatenate([order[:2 * H], order[3 * H:], order[2 * H:3 * H]])
    index = torch.tensor(order)
    return {"weight_ih": Wx[:, index].T, "weight_hh": Wh[:, index].T, "bias_ih": b[index],
            "bias_hh": torch.zeros(len(order), dtype=b.dtype)}


def _leaves(arrays: Sequence[Any]) -> list[Any]:
    import torch

    return [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]


def _grads(outputs: Sequence[Any], leaves: Sequence[Any],
           upstream: Sequence[np.ndarray]) -> list[np.ndarray]:
    import torch

    grads = torch.autograd.grad(list(outputs), list(leaves),
                                [torch.tensor(np.asarray(u, dtype=np.float64))
                                 for u in upstream], allow_unused=True)
    return [np.zeros(tuple(leaf.shape)) if g is None else g.numpy()
            for leaf, g in zip(leaves, grads, strict=True)]


def torch_step(kind: str, x: np.ndarray, prev_h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
               b: np.ndarray, prev_c: np.ndarray | None = None,
               upstream: Sequence[np.ndarray] | None = None) -> tuple[tuple, list | None]:
    """One time step of ``torch.nn.RNNCell``, ``LSTMCell`` or ``GRUCell`` (float64) with
    the weights of the CS231n layout copied in, and autograd's gradients.

    Parameters
    ----------
    kind : {"rnn", "lstm", "gru"}
        The cell. "rnn": tanh; "lstm": ``Wx`` (D, 4H) with CS231n's gate order i, f, o, g;
        "gru": ``Wx`` (D, 3H) in the order r, z, n, ``b`` added on the input side only (as
        ``GRUCell`` with ``bias_hh = 0``).
    x, prev_h, Wx, Wh, b : numpy.ndarray
        As the graded step functions take them.
    prev_c : numpy.ndarray, optional
        The previous cell state (LSTM only; zeros when None).
    upstream : sequence of numpy.ndarray, optional
        ``(dnext_h,)``, or ``(dnext_h, dnext_c)`` for an LSTM; None: no gradients.

    Returns
    -------
    outputs : tuple of numpy.ndarray
        ``(next_h,)``, or ``(next_h, next_c)`` for an LSTM.
    grads : list of numpy.ndarray or None
        The gradients of ``sum(output * upstream)`` in the order of the graded backward:
        ``dx, dprev_h, dWx, dWh, db``; for an LSTM ``dx, dprev_h, dprev_c, dWx, dWh, db``.
    """
    from torch.func import functional_call

    lstm = kind == "lstm"
    if lstm and prev_c is None:
        prev_c = np.zeros_like(prev_h, dtype=np.float64)
    arrays = [x, prev_h, prev_c, Wx, Wh, b] if lstm else [x, prev_h, Wx, Wh, b]
    leaves = _leaves(arrays)
    tx, th, *rest = leaves
    tc, (tWx, tWh, tb) = (rest[0], rest[1:]) if lstm else (None, rest)
    cell = _torch_cell(kind, np.shape(x)[1], np.shape(prev_h)[1])
    params = _torch_parameters(kind, tWx, tWh, tb)
    outputs = functional_call(cell, params, (tx, (th, tc) if lstm else th))
    outputs = tuple(outputs) if lstm else (outputs,)
    grads = None if upstream is None else _grads(outputs, leaves, upstream)
    return tuple(o.detach().numpy() for o in outputs), grads


def torch_sequence(kind: str, x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                   b: np.ndarray,
                   dh: np.ndarray | None = None) -> tuple[np.ndarray, list | None]:
    """A cell of ``torch.nn`` (see :func:`torch_step`) run over the T steps of ``x``
    (N, T, D) from ``h0`` (an LSTM's cell state starts at 0), and autograd's gradients.

    Returns
    -------
    h : numpy.ndarray, shape (N, T, H)
        The hidden state after each step.
    grads : list of numpy.ndarray or None
        With ``dh`` (N, T, H) given: the gradients of ``sum(h * dh)``,
        ``dx, dh0, dWx, dWh, db``, as the graded ``*_backward`` return them.
    """
    import torch
    from torch.func import functional_call

    leaves = _leaves([x, h0, Wx, Wh, b])
    tx, th, tWx, tWh, tb = leaves
    cell = _torch_cell(kind, np.shape(x)[2], np.shape(h0)[1])
    params = _torch_parameters(kind, tWx, tWh, tb)
    state = (th, torch.zeros_like(th)) if kind == "lstm" else th
    hs = []
    for t in range(np.shape(x)[1]):
        state = functional_call(cell, params, (tx[:, t], state))
        hs.append(state[0] if kind == "lstm" else state)
    h = torch.stack(hs, dim=1)
    grads = None if dh is None else _grads([h], leaves, [dh])
    return h.detach().numpy(), grads


def torch_temporal_softmax_loss(x: np.ndarray, y: np.ndarray,
                                mask: np.ndarray) -> tuple[float, np.ndarray]:
    """``torch.nn.functional.cross_entropy`` at every position (no reduction), times the
    mask, summed and divided by N; and its gradient with respect to ``x`` (autograd).

    Returns
    -------
    loss : float
    dx : numpy.ndarray, shape (N, T, V)
    """
    import torch
    from torch.nn import functional

    N, T, V = np.shape(x)
    (scores,) = _leaves([x])
    each = functional.cross_entropy(scores.reshape(N * T, V),
                                    torch.tensor(np.asarray(y, dtype=np.int64).reshape(-1)),
                                    reduction="none")
    loss = (each * torch.tensor(np.asarray(mask, dtype=np.float64).reshape(-1))).sum() / N
    (dx,) = torch.autograd.grad(loss, [scores])
    return float(loss.detach()), dx.numpy()


# ----------------------------------------------------------- NumPy references
# Written here, independently of the graded code: the forward passes that the numerical
# gradients differentiate, and the oracles the catalogue's wrong variants start from.


def _rnn_step(x: np.ndarray, prev_h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
              b: np.ndarray) -> np.ndarray:
    return np.tanh(x @ Wx + prev_h @ Wh + b)


def _rnn_states(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                b: np.ndarray, carry: bool = True) -> np.ndarray:
    """The hidden states (N, T, H); ``carry=False``: every step starts from ``h0``."""
    states, h = [], h0
    for t in range(x.shape[1]):
        h = _rnn_step(x[:, t], h if carry else h0, Wx, Wh, b)
        states.append(h)
    return np.stack(states, axis=1)


def rnn_step_caches(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                    h: np.ndarray) -> list[tuple]:
    """The cache that ``rnn_forward`` returns, from its inputs and hidden states ``h``
    (N, T, H): one ``(x_t, prev_h, Wx, Wh, next_h)`` per step (copies)."""
    caches, prev = [], h0
    for t in range(np.shape(x)[1]):
        caches.append((x[:, t].copy(), prev.copy(), Wx.copy(), Wh.copy(), h[:, t].copy()))
        prev = h[:, t]
    return caches


def _step_grads(da: np.ndarray, x: np.ndarray, prev_h: np.ndarray, Wx: np.ndarray,
                Wh: np.ndarray) -> list[np.ndarray]:
    """dx, dprev_h, dWx, dWh, db of an affine step ``x @ Wx + prev_h @ Wh + b`` from the
    gradient ``da`` of its output."""
    return [da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)]


def _bptt(dh: np.ndarray, x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
          h: np.ndarray, *, carry: bool = True, keep: str = "sum",
          forward_order: bool = False) -> list[np.ndarray]:
    """Backpropagation through time of the vanilla RNN, with catalogued mistakes:
    ``carry=False`` (dprev_h not added to the next step back), ``keep`` "first" or "last"
    (the weights' gradients of one step only, overwritten instead of summed),
    ``forward_order`` (the steps visited from t = 0 on)."""
    N, T, _ = x.shape
    dx = np.zeros(x.shape)
    dW = [np.zeros(Wx.shape), np.zeros(Wh.shape), np.zeros(Wh.shape[1])]
    dprev = np.zeros(h0.shape)
    for t in (range(T) if forward_order else reversed(range(T))):
        prev_h = h0 if t == 0 else h[:, t - 1]
        da = (dh[:, t] + (dprev if carry else 0.0)) * (1.0 - h[:, t] ** 2)
        dx[:, t], dprev, *step = _step_grads(da, x[:, t], prev_h, Wx, Wh)
        if keep == "sum":
            dW = [a + s for a, s in zip(dW, step, strict=True)]
        elif (keep, t) in (("first", 0), ("last", T - 1)):
            dW = step
    return [dx, dprev, *dW]


def _embed(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Word vectors by a plain loop over the positions."""
    N, T = x.shape
    out = np.empty((N, T, W.shape[1]))
    for n in range(N):
        for t in range(T):
            out[n, t] = W[x[n, t]]
    return out


def _temporal_affine(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The affine layer by a plain loop over the time steps."""
    return np.stack([x[:, t] @ w + b for t in range(x.shape[1])], axis=1)


def _per_position(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each position's softmax loss (N, T) and its gradient with respect to the scores
    (N, T, V), without a mask or any division."""
    nll = logsumexp(x, axis=2) - np.take_along_axis(x, y[..., None], axis=2)[..., 0]
    grad = softmax(x, axis=2)
    np.put_along_axis(grad, y[..., None], np.take_along_axis(grad, y[..., None], 2) - 1, 2)
    return nll, grad


# ------------------------------------------------ 1. A vanilla RNN step


#: CS231n's check of rnn_step_forward: N, D, H = 3, 10, 4 and linspace inputs.
PUBLISHED_STEP = {
    "x": (-0.4, 0.7, (3, 10)), "prev_h": (-0.2, 0.5, (3, 4)), "Wx": (-0.1, 0.9, (10, 4)),
    "Wh": (-0.3, 0.7, (4, 4)), "b": (-0.2, 0.4, (4,)),
    "next_h": [[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
               [0.66854692, 0.79562378, 0.87755553, 0.92795967],
               [0.97934501, 0.99144213, 0.99646691, 0.99854353]],
}
#: CS231n's check of rnn_forward: N, T, D, H = 2, 3, 4, 5 and linspace inputs.
PUBLISHED_SEQUENCE = {
    "x": (-0.1, 0.3, (2, 3, 4)), "h0": (-0.3, 0.1, (2, 5)), "Wx": (-0.2, 0.4, (4, 5)),
    "Wh": (-0.4, 0.1, (5, 5)), "b": (-0.7, 0.1, (5,)),
    "h": [[[-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
           [-0.39525808, -0.22554661, -0.0409454, 0.14649412, 0.32397316],
           [-0.42305111, -0.24223728, -0.04287027, 0.15997045, 0.35014525]],
          [[-0.55857474, -0.39065825, -0.19198182, 0.02378408, 0.23735671],
           [-0.27150199, -0.07088804, 0.13562939, 0.33099728, 0.50158768],
           [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]]],
}
#: CS231n's check of word_embedding_forward: V, D = 5, 3.
PUBLISHED_EMBEDDING = {
    "x": [[0, 3, 1, 2], [2, 1, 0, 3]], "W": (0.0, 1.0, (5, 3)),
    "out": [[[0.0, 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429],
             [0.21428571, 0.28571429, 0.35714286], [0.42857143, 0.5, 0.57142857]],
            [[0.42857143, 0.5, 0.57142857], [0.21428571, 0.28571429, 0.35714286],
             [0.0, 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429]]],
}


def _linspace(spec: tuple[float, float, tuple[int, ...]]) -> np.ndarray:
    low, high, shape = spec
    return np.linspace(low, high, num=int(np.prod(shape))).reshape(shape)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def judge_rnn_step_forward(x: np.ndarray, prev_h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                           b: np.ndarray, next_h: Any, after: Sequence[np.ndarray],
                           want: np.ndarray, tol: float = VALUE_TOLERANCE, context: str = "",
                           reveal: bool = True) -> float:
    """Assert that ``rnn_step_forward(x, prev_h, Wx, Wh, b)`` left its inputs as they were
    (``after``, in the same order) and that ``next_h`` has shape (N, H) and matches
    ``want`` within ``tol``; return the relative error.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    for name, before, left in zip(("x", "prev_h", "Wx", "Wh", "b"), (x, prev_h, Wx, Wh, b),
                                  after, strict=True):
        _unchanged(before, left, "rnn_step_forward", name)
    N, H = prev_h.shape
    what = f"rnn_step_forward{context}: next_h"
    next_h = _shaped(next_h, what, (N, H), "one hidden state of H numbers per sequence")
    hint = "next_h = tanh(x @ Wx + prev_h @ Wh + b)"
    return assert_close(next_h, want, what, tol, hint, reveal=reveal)


def check_rnn_step_forward() -> None:
    """Check ``rnn_step_forward`` on CS231n's inputs (against its published ``next_h``) and
    on random inputs (N=4, D=5, H=6) against ``torch.nn.RNNCell`` with the same weights;
    inputs left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if ``next_h`` is wrong or an input is changed.
    """
    rnn_step_forward = _graded("rnn_layers", "rnn_step_forward")
    names = ("x", "prev_h", "Wx", "Wh", "b")
    published = [_linspace(PUBLISHED_STEP[k]) for k in names]
    given = [a.copy() for a in published]
    result = _tuple(quietly(rnn_step_forward, *given), 2, "rnn_step_forward",
                    "next_h, cache")
    judge_rnn_step_forward(*published, result[0], given, np.array(PUBLISHED_STEP["next_h"]),
                           PUBLISHED_TOLERANCE, " on CS231n's linspace inputs")
    rng = np.random.default_rng(7000)
    N, D, H = 4, 5, 6
    inputs = [rng.normal(size=(N, D)), rng.normal(size=(N, H)),
              rng.normal(size=(D, H)) / np.sqrt(D), rng.normal(size=(H, H)) / np.sqrt(H),
              rng.normal(size=H) * 0.5]
    given = [a.copy() for a in inputs]
    result = _tuple(quietly(rnn_step_forward, *given), 2, "rnn_step_forward",
                    "next_h, cache")
    (want,), _ = torch_step("rnn", *inputs)
    error = judge_rnn_step_forward(*inputs, result[0], given, want,
                                   context=_shapes(N=N, D=D, H=H))
    print(f"PASS rnn_step_forward: matches CS231n's published next_h and torch.nn.RNNCell "
          f"with the same weights (relative error {error:.1e})")


RNN_STEP_GRADS = ("dx", "dprev_h", "dWx", "dWh", "db")


def judge_rnn_step_backward(dnext_h: np.ndarray, cache: tuple, got: Sequence[Any],
                            want: Sequence[np.ndarray], tol: float = GRAD_TOLERANCE,
                            context: str = "", reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dprev_h, dWx, dWh, db)`` that
    ``rnn_step_backward(dnext_h, cache)`` returned, matches ``want`` in shape and within
    ``tol``; return the largest relative error.

    ``cache`` is the ``(x, prev_h, Wx, Wh, next_h)`` given to the function (the usual
    mistakes are named by the catalogue, :mod:`cs231n_utils.checks.catalogue.rnn`).
    ``reveal=False``: no message names an expected value.
    """
    defaults = dict.fromkeys(RNN_STEP_GRADS, "with da = dnext_h * (1 - next_h ** 2): "
                             "dx = da @ Wx.T, dprev_h = da @ Wh.T, dWx = x.T @ da, "
                             "dWh = prev_h.T @ da, db = da summed over the batch")
    return judge_outputs("rnn_step_backward", RNN_STEP_GRADS, got, want, tol, defaults,
                         context=context, reveal=reveal)


def check_rnn_step_backward() -> None:
    """Check ``rnn_step_backward`` against numerical gradients of ``tanh(x @ Wx + prev_h @
    Wh + b)`` (N=4, D=5, H=6), with the cache ``(x, prev_h, Wx, Wh, next_h)`` built here.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    rnn_step_backward = _graded("rnn_layers", "rnn_step_backward")
    rng = np.random.default_rng(7001)
    N, D, H = 4, 5, 6
    inputs = [rng.normal(size=(N, D)), rng.normal(size=(N, H)),
              rng.normal(size=(D, H)) / np.sqrt(D), rng.normal(size=(H, H)) / np.sqrt(H),
              rng.normal(size=H) * 0.5]
    dnext_h = rng.normal(size=(N, H))
    x, prev_h, Wx, Wh, b = inputs
    cache = (x.copy(), prev_h.copy(), Wx.copy(), Wh.copy(), _rnn_step(*inputs))
    got = _tuple(quietly(rnn_step_backward, dnext_h.copy(), cache), 5, "rnn_step_backward",
                 ", ".join(RNN_STEP_GRADS))
    numeric = numeric_grads(_rnn_step, inputs, dnext_h)
    cache = (x, prev_h, Wx, Wh, _rnn_step(*inputs))
    worst = judge_rnn_step_backward(dnext_h, cache, got, numeric,
                                    context=_shapes(N=N, D=D, H=H))
    print(f"PASS rnn_step_backward: dx, dprev_h, dWx, dWh, db match numerical gradients "
          f"(largest relative error {worst:.1e})")


# ------------------------------------------- 2. Backpropagation through time


def judge_rnn_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                      b: np.ndarray, h: Any, after: Sequence[np.ndarray], want: np.ndarray,
                      tol: float = VALUE_TOLERANCE, context: str = "",
                      reveal: bool = True) -> float:
    """Assert that ``rnn_forward(x, h0, Wx, Wh, b)`` left its inputs as they were
    (``after``) and that ``h`` has shape (N, T, H) and matches ``want`` within ``tol``;
    return the relative error.

    ``reveal=False``: no message names an expected value (hidden inputs).
    """
    for name, before, left in zip(("x", "h0", "Wx", "Wh", "b"), (x, h0, Wx, Wh, b), after,
                                  strict=True):
        _unchanged(before, left, "rnn_forward", name)
    N, T, _ = x.shape
    H = h0.shape[1]
    what = f"rnn_forward{context}: h"
    h = _shaped(h, what, (N, T, H), "h[:, t] is the hidden state after step t: (N, T, H)")
    hint = ("run rnn_step_forward for t = 0, ..., T-1 from prev_h = h0, each step's next_h "
       "going to h[:, t] and on to the next step (is your rnn_step_forward's check passing?)")
    return assert_close(h, want, what, tol, hint, reveal=reveal)


def check_rnn_forward() -> None:
    """Check ``rnn_forward`` on CS231n's inputs (against its published ``h``) and on random
    inputs (N=3, T=5, D=4, H=6) against ``torch.nn.RNNCell`` run over the steps; inputs
    left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if ``h`` is wrong or an input is changed.
    """
    rnn_forward = _graded("rnn_layers", "rnn_forward")
    names = ("x", "h0", "Wx", "Wh", "b")
    published = [_linspace(PUBLISHED_SEQUENCE[k]) for k in names]
    given = [a.copy() for a in published]
    result = _tuple(quietly(rnn_forward, *given), 2, "rnn_forward", "h, cache")
    judge_rnn_forward(*published, result[0], given, np.array(PUBLISHED_SEQUENCE["h"]),
                      PUBLISHED_TOLERANCE, " on CS231n's linspace inputs")
    rng = np.random.default_rng(7002)
    N, T, D, H = 3, 5, 4, 6
    inputs = [rng.normal(size=(N, T, D)), rng.normal(size=(N, H)),
              rng.normal(size=(D, H)) / np.sqrt(D), rng.normal(size=(H, H)) / np.sqrt(H),
              rng.normal(size=H) * 0.5]
    given = [a.copy() for a in inputs]
    result = _tuple(quietly(rnn_forward, *given), 2, "rnn_forward", "h, cache")
    want, _ = torch_sequence("rnn", *inputs)
    error = judge_rnn_forward(*inputs, result[0], given, want,
                              context=_shapes(N=N, T=T, D=D, H=H))
    print(f"PASS rnn_forward: matches CS231n's published h and torch.nn.RNNCell over "
          f"{T} steps (relative error {error:.1e})")


RNN_GRADS = ("dx", "dh0", "dWx", "dWh", "db")


def judge_rnn_backward(dh: np.ndarray, x: np.ndarray, h0: np.ndarray, Wx: np.ndarray,
                       Wh: np.ndarray, h: np.ndarray, got: Sequence[Any],
                       want: Sequence[np.ndarray], tol: float = GRAD_TOLERANCE,
                       context: str = "", reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dh0, dWx, dWh, db)`` that ``rnn_backward(dh,
    cache)`` returned, matches ``want`` in shape and within ``tol``; return the largest
    relative error.

    ``x, h0, Wx, Wh`` are the forward's inputs and ``h`` (N, T, H) its hidden states (the
    cache given was :func:`rnn_step_caches` of them). ``reveal=False``: no message names
    an expected value.
    """
    defaults = dict.fromkeys(RNN_GRADS, "from t = T-1 down to 0: rnn_step_backward(dh[:, t] + "
                             "dprev_h, cache[t]), summing dWx, dWh, db; dh0 is the last "
                             "dprev_h (is your rnn_step_backward's check passing?)")
    shape_hints = {"dx": "dx[:, t] is the gradient of x[:, t]: (N, T, D)"}
    return judge_outputs("rnn_backward", RNN_GRADS, got, want, tol, defaults,
                         context=context, shape_hints=shape_hints, reveal=reveal)


def check_rnn_backward() -> None:
    """Check ``rnn_backward`` against numerical gradients of the whole sequence (N=3, T=4,
    D=5, H=6), with the cache (the list of the steps' caches) built here.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    rnn_backward = _graded("rnn_layers", "rnn_backward")
    rng = np.random.default_rng(7003)
    N, T, D, H = 3, 4, 5, 6
    inputs = [rng.normal(size=(N, T, D)), rng.normal(size=(N, H)),
              rng.normal(size=(D, H)) / np.sqrt(D), rng.normal(size=(H, H)) / np.sqrt(H),
              rng.normal(size=H) * 0.5]
    x, h0, Wx, Wh, b = inputs
    dh = rng.normal(size=(N, T, H))
    h = _rnn_states(*inputs)
    got = _tuple(quietly(rnn_backward, dh.copy(), rnn_step_caches(x, h0, Wx, Wh, h)), 5,
                 "rnn_backward", ", ".join(RNN_GRADS))
    numeric = numeric_grads(_rnn_states, inputs, dh)
    worst = judge_rnn_backward(dh, x, h0, Wx, Wh, h, got, numeric,
                               context=_shapes(N=N, T=T, D=D, H=H))
    print(f"PASS rnn_backward: dx, dh0, dWx, dWh, db match numerical gradients through "
          f"{T} steps (largest relative error {worst:.1e})")


# ---------------------------------- 3. Word embeddings and temporal layers


def judge_word_embedding_forward(x: np.ndarray, W: np.ndarray, out: Any,
                                 after: Sequence[np.ndarray], want: np.ndarray,
                                 tol: float = VALUE_TOLERANCE, context: str = "",
                                 reveal: bool = True) -> float:
    """Assert that ``word_embedding_forward(x, W)`` left ``x`` and ``W`` as they were
    (``after``) and that ``out`` has shape (N, T, D) and matches ``want`` within ``tol``;
    return the relative error. ``reveal=False``: no message names an expected value."""
    for name, before, left in zip("xW", (x, W), after, strict=True):
        _unchanged(before, left, "word_embedding_forward", name)
    N, T = x.shape
    what = f"word_embedding_forward{context}: out"
    out = _shaped(out, what, (N, T, W.shape[1]),
                  "one vector of D numbers (a row of W) per word: (N, T, D)")
    return assert_close(out, want, what, tol, "out[n, t] = W[x[n, t]], the row of W of the "
                        "word at that position", reveal=reveal)


def check_word_embedding_forward() -> None:
    """Check ``word_embedding_forward`` on CS231n's example (against its published output)
    and on random word indices with repeats (N=3, T=6, V=5, D=4) against a plain loop;
    inputs left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if the output is wrong or an input is changed.
    """
    word_embedding_forward = _graded("rnn_layers", "word_embedding_forward")
    x, W = np.array(PUBLISHED_EMBEDDING["x"]), _linspace(PUBLISHED_EMBEDDING["W"])
    given = (x.copy(), W.copy())
    result = _tuple(quietly(word_embedding_forward, *given), 2, "word_embedding_forward",
                    "out, cache")
    judge_word_embedding_forward(x, W, result[0], given,
                                 np.array(PUBLISHED_EMBEDDING["out"]), PUBLISHED_TOLERANCE,
                                 " on CS231n's example")
    rng = np.random.default_rng(7004)
    N, T, V, D = 3, 6, 5, 4
    x, W = rng.integers(0, V, size=(N, T)), rng.normal(size=(V, D))
    given = (x.copy(), W.copy())
    result = _tuple(quietly(word_embedding_forward, *given), 2, "word_embedding_forward",
                    "out, cache")
    error = judge_word_embedding_forward(x, W, result[0], given, _embed(x, W),
                                         context=_shapes(N=N, T=T, V=V, D=D))
    print(f"PASS word_embedding_forward: matches CS231n's published vectors and a loop "
          f"over the positions (relative error {error:.1e})")


def judge_word_embedding_backward(x: np.ndarray, dout: np.ndarray, V: int, dW: Any,
                                  want: np.ndarray, tol: float = GRAD_TOLERANCE,
                                  context: str = "", reveal: bool = True) -> float:
    """Assert that ``dW``, what ``word_embedding_backward(dout, (x, W))`` returned for a
    ``W`` of ``V`` rows, has shape (V, D) and matches ``want`` within ``tol``; return the
    relative error. A word that occurs more than once must collect every occurrence's
    gradient. ``reveal=False``: no message names an expected value."""
    D = dout.shape[2]
    what = f"word_embedding_backward{context}: dW"
    dW = _shaped(dW, what, (V, D), "one row per word of the vocabulary, like W")
    hint = "dW[v] is the sum of dout[n, t] over the positions where x[n, t] == v"
    return assert_close(dW, want, what, tol, hint, reveal=reveal)


def check_word_embedding_backward() -> None:
    """Check ``word_embedding_backward`` against the numerical gradient of the embedding
    (N=3, T=5, V=6, D=4: several words occur more than once, one not at all).

    Raises
    ------
    AssertionError
        With a one-line reason, if ``dW`` is wrong.
    """
    word_embedding_backward = _graded("rnn_layers", "word_embedding_backward")
    rng = np.random.default_rng(7005)
    N, T, V, D = 3, 5, 6, 4
    x = rng.integers(0, V - 1, size=(N, T))          # word V - 1 never occurs
    W, dout = rng.normal(size=(V, D)), rng.normal(size=(N, T, D))
    dW = quietly(word_embedding_backward, dout.copy(), (x.copy(), W.copy()))
    (numeric,) = numeric_grads(lambda W: _embed(x, W), [W], dout)
    error = judge_word_embedding_backward(x, dout, V, dW, numeric,
                                          context=_shapes(N=N, T=T, V=V, D=D))
    print(f"PASS word_embedding_backward: matches the numerical gradient, repeated words "
          f"included (relative error {error:.1e})")


def judge_temporal_affine_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, out: Any,
                                  after: Sequence[np.ndarray], want: np.ndarray,
                                  tol: float = VALUE_TOLERANCE, context: str = "",
                                  reveal: bool = True) -> float:
    """Assert that ``temporal_affine_forward(x, w, b)`` left its inputs as they were
    (``after``) and that ``out`` has shape (N, T, M) and matches ``want`` within ``tol``;
    return the relative error. ``reveal=False``: no message names an expected value."""
    for name, before, left in zip("xwb", (x, w, b), after, strict=True):
        _unchanged(before, left, "temporal_affine_forward", name)
    N, T, _ = x.shape
    what = f"temporal_affine_forward{context}: out"
    out = _shaped(out, what, (N, T, w.shape[1]), "one affine layer at every position: "
                  "out[n, t] = x[n, t] @ w + b, (N, T, M)")
    hint = "out[n, t] = x[n, t] @ w + b at every position"
    return assert_close(out, want, what, tol, hint, reveal=reveal)


def check_temporal_affine_forward() -> None:
    """Check ``temporal_affine_forward`` (N=2, T=5, D=4, M=3) against a loop over the time
    steps; inputs left unchanged.

    Raises
    ------
    AssertionError
        With a one-line reason, if the output is wrong or an input is changed.
    """
    temporal_affine_forward = _graded("rnn_layers", "temporal_affine_forward")
    rng = np.random.default_rng(7006)
    N, T, D, M = 2, 5, 4, 3
    x, w, b = rng.normal(size=(N, T, D)), rng.normal(size=(D, M)), rng.normal(size=M)
    given = (x.copy(), w.copy(), b.copy())
    result = _tuple(quietly(temporal_affine_forward, *given), 2, "temporal_affine_forward",
                    "out, cache")
    error = judge_temporal_affine_forward(x, w, b, result[0], given, _temporal_affine(x, w, b),
                                          context=_shapes(N=N, T=T, D=D, M=M))
    print(f"PASS temporal_affine_forward: x[:, t] @ w + b at every time step (relative error "
          f"{error:.1e})")


AFFINE_GRADS = ("dx", "dw", "db")


def judge_temporal_affine_backward(x: np.ndarray, w: np.ndarray, dout: np.ndarray,
                                   got: Sequence[Any], want: Sequence[np.ndarray],
                                   tol: float = GRAD_TOLERANCE, context: str = "",
                                   reveal: bool = True) -> float:
    """Assert that ``got``, the ``(dx, dw, db)`` that ``temporal_affine_backward(dout,
    (x, w, b))`` returned, matches ``want`` in shape and within ``tol``; return the
    largest relative error. ``reveal=False``: no message names an expected value."""
    sums = "w and b serve every position: sum over the N sequences AND the T steps"
    shape_hints = {"db": f"{sums}: (M,)", "dw": f"{sums}: (D, M), like w",
                   "dx": "one gradient per input: (N, T, D), like x"}
    defaults = {"dx": "dx = dout @ w.T", "dw": "dw = sum over n, t of outer(x[n, t], "
                "dout[n, t])", "db": "db = dout summed over the first two axes"}
    return judge_outputs("temporal_affine_backward", AFFINE_GRADS, got, want, tol, defaults,
                         context=context, shape_hints=shape_hints, reveal=reveal)


def check_temporal_affine_backward() -> None:
    """Check ``temporal_affine_backward`` against numerical gradients (N=2, T=3, D=4,
    M=5), with the cache ``(x, w, b)`` built here.

    Raises
    ------
    AssertionError
        With a one-line reason, if a gradient is wrong.
    """
    temporal_affine_backward = _graded("rnn_layers", "temporal_affine_backward")
    rng = np.random.default_rng(7007)
    N, T, D, M = 2, 3, 4, 5
    x, w, b = rng.normal(size=(N, T, D)), rng.normal(size=(D, M)), rng.normal(size=M)
    dout = rng.normal(size=(N, T, M))
    got = _tuple(quietly(temporal_affine_backward, dout.copy(), (x.copy(), w.copy(), b.copy())),
                 3, "temporal_affine_backward", "dx, dw, db")
    numeric = numeric_grads(_temporal_affine, [x, w, b], dout)
    worst = judge_temporal_affine_backward(x, w, dout, got, numeric,
                                           context=_shapes(N=N, T=T, D=D, M=M))
    print(f"PASS temporal_affine_backward: dx, dw, db match numerical gradients (largest "
          f"relative error {worst:.1e})")


def judge_temporal_softmax_loss(x: np.ndarray, y: np.ndarray, mask: np.ndarray, loss: Any,
                                dx: Any, after: Sequence[np.ndarray], want_loss: float,
                                want_dx: np.ndarray, tol: float = VALUE_TOLERANCE,
                                tol_dx: float = VALUE_TOLERANCE, context: str = "",
                                reveal: bool = True) -> float:
    """Assert that ``temporal_softmax_loss(x, y, mask)`` left its inputs as they were
    (``after``: x, y, mask), returned a finite ``loss`` within ``tol`` of ``want_loss``
    and a ``dx`` of shape (N, T, V) that is exactly 0 at every masked-out position and
    within ``tol_dx`` of ``want_dx``; return the largest relative error.

    A loss or ``dx`` that is not finite with large scores asks for the log-sum-exp shift.
    ``reveal=False``: no message names an expected value.
    """
    for name, before, left in zip(("x", "y", "mask"), (x, y, mask), after, strict=True):
        _unchanged(before, left, "temporal_softmax_loss", name)
    N, T, V = x.shape
    mask = np.asarray(mask, dtype=bool)
    count = int(mask.sum())
    large = float(np.max(np.abs(x)))
    stable = ("; subtract each position's largest score before np.exp (log-sum-exp): "
              f"scores here reach {large:.0f} in size" if large > 300 else "")
    if loss is not None and np.shape(loss) in ((), (1,)):
        assert np.all(np.isfinite(np.asarray(loss, dtype=np.float64))), (
            f"temporal_softmax_loss{context}: the loss is {float(np.ravel(loss)[0])}{stable}")
        loss = np.reshape(loss, ())
    what = f"temporal_softmax_loss{context}: loss"
    loss = _array(loss, what, ())
    hint = ("loss = sum over the positions with mask True of -log softmax(x[n, t])[y[n, t]], "
            "divided by N")
    # each selected position adds logsumexp(x[n, t]) - x[n, t, y]: two numbers of the
    # size of the scores, which cancel when the prediction is confident and right
    terms = count / N * max(1.0, large)
    worst = assert_close(loss, want_loss, what, tol, hint, scale=terms, reveal=reveal)

    what = f"temporal_softmax_loss{context}: dx"
    if dx is not None and np.shape(dx) == (N, T, V):
        assert np.all(np.isfinite(np.asarray(dx, dtype=np.float64))), (
            f"{what} holds NaN or infinite values{stable}")
    dx = _array(dx, what, (N, T, V))
    if count < mask.size:
        masked = np.abs(dx[~mask]).max()
        assert masked == 0, (
            f"{what} is not 0 at the positions where mask is False (up to {masked:.2g}): "
            "they contribute nothing to the loss, so nothing to its gradient; multiply "
            "by the mask")
    hint = "dx = (softmax(x) - 1 at the label) / N at the selected positions, 0 elsewhere"
    return max(worst, assert_close(dx, want_dx, what, tol_dx, hint, reveal=reveal))


def _softmax_case(rng: np.random.Generator, N: int, T: int, V: int, scale: float,
                  keep: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = rng.normal(size=(N, T, V)) * scale
    y = rng.integers(0, V, size=(N, T))
    mask = rng.random((N, T)) < keep
    mask.flat[0] = True
    return x, y, mask


def check_temporal_softmax_loss() -> None:
    """Check ``temporal_softmax_loss``: CS231n's sanity checks (tiny scores: the loss is
    about T * (fraction selected) * log V: 2.3, 23 and 2.3), scores of size 1000 (which
    need the log-sum-exp shift), a mask that drops a whole sequence, against
    ``torch.nn.functional.cross_entropy`` with the mask (the sum divided by N); and ``dx``
    against the numerical gradient (N=7, T=8, V=9, as CS231n); inputs left unchanged,
    masked positions exactly 0 in ``dx``.

    Raises
    ------
    AssertionError
        With a one-line reason, if the loss or ``dx`` is wrong or an input is changed.
    """
    temporal_softmax_loss = _graded("rnn_layers", "temporal_softmax_loss")
    rng = np.random.default_rng(7008)
    N, T, V = 7, 8, 9
    x, y, mask = _softmax_case(rng, N, T, V, 1.0, 0.6)
    mask[1] = False                                   # a sequence with no word counted
    given = (x.copy(), y.copy(), mask.copy())
    loss, dx = _tuple(quietly(temporal_softmax_loss, *given), 2, "temporal_softmax_loss",
                      "loss, dx")
    want_loss, _ = torch_temporal_softmax_loss(x, y, mask)
    # the loss as the sum of its positions' shares (an upstream gradient of ones): the
    # same gradient, but the positions a step leaves alone cancel exactly (less rounding)
    (numeric,) = numeric_grads(lambda x: _per_position(x, y)[0] * mask / N, [x],
                               np.ones((N, T)))
    worst = judge_temporal_softmax_loss(x, y, mask, loss, dx, given, want_loss, numeric,
                                        tol_dx=GRAD_TOLERANCE,
                                        context=_shapes(N=N, T=T, V=V))
    sanity = []
    cases = [((100, 1, 10), 0.001, 1.0), ((100, 10, 10), 0.001, 1.0),
             ((5000, 10, 10), 0.001, 0.1), ((4, 3, 6), 1000.0, 0.7)]
    for (N, T, V), scale, keep in cases:
        x, y, mask = _softmax_case(rng, N, T, V, scale, keep)
        given = (x.copy(), y.copy(), mask.copy())
        loss, dx = _tuple(quietly(temporal_softmax_loss, *given), 2, "temporal_softmax_loss",
                          "loss, dx")
        want_loss, want_dx = torch_temporal_softmax_loss(x, y, mask)
        judge_temporal_softmax_loss(x, y, mask, loss, dx, given, want_loss, want_dx,
                                    context=_shapes(N=N, T=T, V=V) + (
                                        f" with scores of size {scale:g}"))
        if scale < 1:
            sanity.append(f"{float(np.asarray(loss)):.2f}")
    print(f"PASS temporal_softmax_loss: CS231n's sanity checks give {', '.join(sanity)} "
          f"(about 2.3, 23, 2.3); matches torch cross_entropy with the mask, also for "
          f"scores of size 1000; dx matches the numerical gradient, 0 where masked "
          f"(largest relative error {worst:.1e})")


# ----------------------------------------------------------------------- CHECKS

#: This file's checks, in the notebook's order (sections 1-3).
OWN_CHECKS: dict[str, Callable[[], None]] = {
    "rnn_step_forward": check_rnn_step_forward,
    "rnn_step_backward": check_rnn_step_backward,
    "rnn_forward": check_rnn_forward,
    "rnn_backward": check_rnn_backward,
    "word_embedding_forward": check_word_embedding_forward,
    "word_embedding_backward": check_word_embedding_backward,
    "temporal_affine_forward": check_temporal_affine_forward,
    "temporal_affine_backward": check_temporal_affine_backward,
    "temporal_softmax_loss": check_temporal_softmax_loss,
}
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.rnn);
#: the checks of rnn_gated are wrapped there, and :data:`CHECKS` merges both.
OWN_CHECKS = diagnosing(ASSIGNMENT, OWN_CHECKS, globals())


def __getattr__(name: str) -> Any:
    """``CHECKS`` (graded function -> its visible check: this file's, then those of
    :mod:`cs231n_utils.checks.rnn_gated`) and the checks of ``rnn_gated`` by name, loaded
    on first use (so that ``rnn_gated`` may import this module's helpers)."""
    if name == "CHECKS" or name in GATED_CHECKS:
        from cs231n_utils.checks import rnn_gated

        found = {check: getattr(rnn_gated, check) for check in GATED_CHECKS}
        globals().update(found)
        globals()["CHECKS"] = {**OWN_CHECKS, **rnn_gated.CHECKS}
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "CHECKS", *GATED_CHECKS})
