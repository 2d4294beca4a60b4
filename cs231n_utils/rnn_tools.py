"""Helpers of the experiments in assignment 07_rnn (given, not graded).

Everything here runs on the recurrent layers the student writes in
:mod:`cs231n_utils.rnn_layers` (looked up when called, so an edited and reloaded module is
used at once), except the PyTorch language model and the ReLU recurrence, which the graded
code does not have.

* Exploding and vanishing gradients: :func:`recurrent_weights` (a hidden-to-hidden matrix
  whose singular values are all the same number, or the identity) and
  :func:`gradient_norms_through_time` (the size of ``dL/dh_t`` as the gradient travels
  back from the last step).
* A small sequence task: :func:`make_recall_task` (remember the first symbol across
  ``distance`` distractors), :class:`SequenceClassifier` (an embedding, a recurrent cell and
  an affine layer read at the last step), :func:`long_dependency_study` (accuracy against
  the distance for several cells).
* Training in NumPy: :func:`train_numpy` (any model with ``params`` and ``loss(*batch)``,
  an update rule of :mod:`cs231n_utils.optim`, optional clipping by the global norm),
  with the minibatch makers :func:`recall_batches`, :func:`char_lm_batches` and
  :func:`epoch_batches`.
* A character-level language model: :class:`CharLSTM` (NumPy, on the student's layers)
  and :class:`TorchCharLM` (the same model in ``torch.nn``), :func:`train_torch_char_lm`,
  :func:`char_cross_entropy` (mean cross-entropy per character, whose ``exp`` is the
  perplexity), :func:`sample_with_temperature` (used by both models' ``sample``).
* Image captioning: :func:`train_captioner` (minibatches and Adam for a
  :class:`~cs231n_utils.classifiers.rnn.CaptioningRNN`) and :func:`show_captions` (images
  with the captions of several models drawn under them).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from cs231n_utils import optim, rnn_layers
from cs231n_utils.training_tools import TrainingHistory, clip_by_global_norm

__all__ = [
    "CELLS",
    "DEFAULT_MODELS",
    "CharLSTM",
    "SequenceClassifier",
    "TorchCharLM",
    "char_cross_entropy",
    "char_lm_batches",
    "epoch_batches",
    "gradient_norms_through_time",
    "long_dependency_study",
    "make_recall_task",
    "recall_batches",
    "recurrent_weights",
    "sample_with_temperature",
    "show_captions",
    "train_captioner",
    "train_numpy",
    "train_torch_char_lm",
]

#: The recurrent cells of :class:`SequenceClassifier` and their number of gate blocks.
#: "relu" is a vanilla RNN with a ReLU instead of tanh (written here, not graded).
CELLS = {"rnn": 1, "relu": 1, "lstm": 4, "gru": 3}

UpdateRule = Callable[[np.ndarray, np.ndarray, dict | None], tuple[np.ndarray, dict]]


# ============================================================================ checks


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _positive_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) \
            or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _choice(name: str, value: object, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return str(value)


def _int_array(name: str, value: object, ndim: int) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "iu" or array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array of integers, got dtype "
                         f"{array.dtype} and shape {array.shape}")
    return array


# ================================================== exploding and vanishing gradients


def recurrent_weights(hidden_dim: int, largest_singular_value: float,
                      rng: np.random.Generator, kind: str = "orthogonal") -> np.ndarray:
    """A hidden-to-hidden matrix ``Wh`` with a chosen largest singular value.

    Parameters
    ----------
    hidden_dim : int
        ``H``; the matrix is (H, H).
    largest_singular_value : float
        ``sigma``, positive.
    rng : numpy.random.Generator
        Source of the random matrix.
    kind : {"orthogonal", "gaussian", "identity"}, default "orthogonal"
        ``"orthogonal"``: ``sigma`` times a random orthogonal matrix, so that *every*
        singular value is ``sigma`` and every direction is stretched alike;
        ``"gaussian"``: a Gaussian matrix rescaled so that its largest singular value is
        ``sigma`` (the others are smaller, down to almost 0); ``"identity"``: ``sigma``
        times the identity (the "IRNN" start for ReLU recurrences).

    Returns
    -------
    numpy.ndarray, shape (H, H), float64
    """
    H = _positive_int("hidden_dim", hidden_dim)
    sigma = _positive_number("largest_singular_value", largest_singular_value)
    kind = _choice("kind", kind, ("orthogonal", "gaussian", "identity"))
    if kind == "identity":
        return sigma * np.eye(H)
    A = rng.standard_normal((H, H))
    if kind == "gaussian":
        return A * (sigma / np.linalg.norm(A, 2))
    Q, R = np.linalg.qr(A)
    return sigma * Q * np.sign(np.diag(R))      # the sign fix makes Q uniformly distributed


def _relu_step_forward(x: np.ndarray, prev_h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                       b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """A vanilla RNN step with a ReLU: ``next_h = max(0, x Wx + prev_h Wh + b)``."""
    next_h = np.maximum(x @ Wx + prev_h @ Wh + b, 0.0)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def _relu_step_backward(dnext_h: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (next_h > 0)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def _relu_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                  b: np.ndarray) -> tuple[np.ndarray, list]:
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx))
    prev_h, cache = h0, []
    for t in range(T):
        prev_h, step_cache = _relu_step_forward(x[:, t], prev_h, Wx, Wh, b)
        h[:, t] = prev_h
        cache.append(step_cache)
    return h, cache


def _relu_backward(dh: np.ndarray, cache: list) -> tuple[np.ndarray, ...]:
    N, T, H = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.empty((N, T, x0.shape[1]), dtype=dh.dtype)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H, dtype=Wx.dtype)
    dprev_h = np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = _relu_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db


def gradient_norms_through_time(
    largest_singular_value: float,
    cell: str = "tanh",
    *,
    num_steps: int = 60,
    hidden_dim: int = 64,
    input_dim: int = 16,
    batch_size: int = 32,
    input_scale: float = 0.3,
    kind: str = "orthogonal",
    gate_bias: float = 1.0,
    seed: int = 0,
) -> np.ndarray:
    """How the gradient of a loss on the last hidden state shrinks or grows back in time.

    A recurrent network with random inputs (Gaussian, times ``input_scale`` / sqrt(D)
    through ``Wx``), a zero start and hidden-to-hidden weights from
    :func:`recurrent_weights` runs ``num_steps`` steps. The loss is ``L = sum(u * h_T)``
    with a random unit vector ``u`` per sequence, so ``dL/dh_T`` has norm 1; the step
    backward passes carry it to the states of the steps before. The student's step
    functions do the work (``rnn_step_*`` for tanh, ``lstm_step_*``, ``gru_step_*``); the
    ReLU recurrence is written here.

    Parameters
    ----------
    largest_singular_value : float
        Of ``Wh`` (of every gate block of it, for the LSTM and the GRU).
    cell : {"tanh", "relu", "lstm", "gru"}, default "tanh"
        A vanilla RNN with tanh or ReLU, an LSTM or a GRU.
    num_steps : int, default 60
        ``T``.
    hidden_dim, input_dim, batch_size : int
        ``H`` (64), ``D`` (16), ``N`` (32).
    input_scale : float, default 0.3
        Size of the input's contribution to the pre-activations (small keeps tanh near
        its linear range, so the effect of ``Wh`` shows).
    kind : {"orthogonal", "gaussian", "identity"}, default "orthogonal"
        See :func:`recurrent_weights`.
    gate_bias : float, default 1.0
        Bias of the gate that keeps the old state: the LSTM's forget gate ``f``, the
        GRU's update gate ``z`` (the other biases are 0).
    seed : int, default 0

    Returns
    -------
    numpy.ndarray, shape (num_steps,)
        Entry ``k`` is the mean over the ``N`` sequences of the norm of the gradient with
        respect to the state ``k`` steps before the last (entry 0 is 1); for the LSTM the
        state is ``(h, c)`` together. Non-finite norms (an overflow) are returned as
        ``inf``.
    """
    cell = _choice("cell", cell, ("tanh", "relu", "lstm", "gru"))
    T = _positive_int("num_steps", num_steps)
    H, D = _positive_int("hidden_dim", hidden_dim), _positive_int("input_dim", input_dim)
    N = _positive_int("batch_size", batch_size)
    scale = _positive_number("input_scale", input_scale)
    rng = np.random.default_rng(seed)
    G = {"tanh": 1, "relu": 1, "lstm": 4, "gru": 3}[cell]
    Wh = np.concatenate([recurrent_weights(H, largest_singular_value, rng, kind)
                         for _ in range(G)], axis=1)
    Wx = rng.standard_normal((D, G * H)) * (scale / math.sqrt(D))
    b = np.zeros(G * H)
    if cell in ("lstm", "gru"):
        b[H:2 * H] = gate_bias                      # f is the 2nd block of i, f, o, g; z of r, z, n
    x = rng.standard_normal((N, T, D))
    h, c = np.zeros((N, H)), np.zeros((N, H))
    caches = []
    u = rng.standard_normal((N, H))
    dh, dc = u / np.linalg.norm(u, axis=1, keepdims=True), np.zeros((N, H))
    norms = [1.0]
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T):
            if cell == "lstm":
                h, c, cache = rnn_layers.lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
            elif cell == "relu":
                h, cache = _relu_step_forward(x[:, t], h, Wx, Wh, b)
            else:
                h, cache = getattr(rnn_layers, f"{'rnn' if cell == 'tanh' else cell}"
                                               f"_step_forward")(x[:, t], h, Wx, Wh, b)
            caches.append(cache)
        for t in range(T - 1, 0, -1):
            if cell == "lstm":
                _, dh, dc, *_ = rnn_layers.lstm_step_backward(dh, dc, caches[t])
            elif cell == "relu":
                dh = _relu_step_backward(dh, caches[t])[1]
            else:
                dh = getattr(rnn_layers, f"{'rnn' if cell == 'tanh' else cell}"
                                         f"_step_backward")(dh, caches[t])[1]
            norms.append(float(np.mean(np.sqrt(np.sum(dh * dh, axis=1)
                                               + np.sum(dc * dc, axis=1)))))
    norms = np.array(norms)
    norms[~np.isfinite(norms)] = np.inf
    return norms


# ======================================================= the long-dependency task


def make_recall_task(num_sequences: int, distance: int, *, num_values: int = 4,
                     num_distractors: int = 4, seed: int | np.random.Generator = 0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Sequences whose answer is their first symbol, asked for ``distance`` steps later.

    Symbols ``0 .. num_values - 1`` are the values; the next ``num_distractors`` symbols
    are distractors; the last symbol, ``num_values + num_distractors``, is the question
    mark. A sequence is one random value, ``distance`` random distractors and the question
    mark (``distance + 2`` symbols); its label is the value. Guessing gets
    ``1 / num_values`` right.

    Parameters
    ----------
    num_sequences : int
        ``N``.
    distance : int
        Distractors between the value and the question (0 or more).
    num_values, num_distractors : int, default 4
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    x : numpy.ndarray of int64, shape (N, distance + 2)
    y : numpy.ndarray of int64, shape (N,)
    """
    N = _positive_int("num_sequences", num_sequences)
    if isinstance(distance, bool) or not isinstance(distance, int | np.integer) or distance < 0:
        raise ValueError(f"distance must be a non-negative integer, got {distance!r}")
    K = _positive_int("num_values", num_values)
    M = _positive_int("num_distractors", num_distractors)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    y = rng.integers(0, K, size=N)
    x = np.empty((N, distance + 2), dtype=np.int64)
    x[:, 0] = y
    x[:, 1:-1] = K + rng.integers(0, M, size=(N, distance))
    x[:, -1] = K + M
    return x, y.astype(np.int64)


class SequenceClassifier:
    """Embedding, a recurrent cell over the sequence, an affine layer on the last state.

    ``loss(x, y)`` is the softmax loss of the scores read at the last time step: the
    student's ``word_embedding``, ``<cell>_forward/backward``, ``temporal_affine`` and
    ``temporal_softmax_loss`` (on a time axis of length 1).

    Parameters
    ----------
    vocab_size : int
        Number of input symbols.
    num_classes : int
    cell : {"rnn", "relu", "lstm", "gru"}, default "rnn"
    hidden_dim : int, default 32
    embed_dim : int, default 16
    forget_bias : float, default 1.0
        Initial bias of the LSTM's forget gate (a common start: remember by default).
    recurrent : {"orthogonal", "gaussian", "identity"}, default "orthogonal"
        How each gate block of ``Wh`` starts (:func:`recurrent_weights` with singular
        value ``recurrent_scale``).
    recurrent_scale : float, default 1.0
    seed : int, default 0
    dtype : numpy dtype, default numpy.float64

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``W_embed`` (V, E), ``Wx`` (E, G H), ``Wh`` (H, G H), ``b`` (G H,), ``W_out`` (H, C),
        ``b_out`` (C,).
    """

    def __init__(self, vocab_size: int, num_classes: int, cell: str = "rnn", *,
                 hidden_dim: int = 32, embed_dim: int = 16, forget_bias: float = 1.0,
                 recurrent: str = "orthogonal", recurrent_scale: float = 1.0, seed: int = 0,
                 dtype: type = np.float64) -> None:
        V, C = _positive_int("vocab_size", vocab_size), _positive_int("num_classes", num_classes)
        self.cell = _choice("cell", cell, CELLS)
        H, E = _positive_int("hidden_dim", hidden_dim), _positive_int("embed_dim", embed_dim)
        rng = np.random.default_rng(seed)
        G = CELLS[self.cell]
        b = np.zeros(G * H)
        if self.cell == "lstm":
            b[H:2 * H] = forget_bias
        self.params = {
            "W_embed": rng.standard_normal((V, E)),
            "Wx": rng.standard_normal((E, G * H)) / math.sqrt(E),
            "Wh": np.concatenate([recurrent_weights(H, recurrent_scale, rng, recurrent)
                                  for _ in range(G)], axis=1),
            "b": b,
            "W_out": rng.standard_normal((H, C)) / math.sqrt(H),
            "b_out": np.zeros(C),
        }
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}

    def _cell(self) -> tuple[Callable, Callable]:
        if self.cell == "relu":
            return _relu_forward, _relu_backward
        return (getattr(rnn_layers, f"{self.cell}_forward"),
                getattr(rnn_layers, f"{self.cell}_backward"))

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Class scores (N, C) of sequences ``x`` (N, T) of symbols."""
        x = _int_array("x", x, 2)
        p = self.params
        forward, _ = self._cell()
        emb, _ = rnn_layers.word_embedding_forward(x, p["W_embed"])
        h0 = np.zeros((len(x), p["Wh"].shape[0]), dtype=emb.dtype)
        h, _ = forward(emb, h0, p["Wx"], p["Wh"], p["b"])
        return h[:, -1] @ p["W_out"] + p["b_out"]

    def loss(self, x: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Mean softmax loss of the last step's scores, and the gradients of all params."""
        x, y = _int_array("x", x, 2), _int_array("y", y, 1)
        if len(y) != len(x):
            raise ValueError(f"y must have one label per sequence of x: {len(x)}, got {len(y)}")
        p = self.params
        forward, backward = self._cell()
        emb, emb_cache = rnn_layers.word_embedding_forward(x, p["W_embed"])
        h0 = np.zeros((len(x), p["Wh"].shape[0]), dtype=emb.dtype)
        h, cell_cache = forward(emb, h0, p["Wx"], p["Wh"], p["b"])
        last = h[:, -1:]                                             # (N, 1, H)
        scores, out_cache = rnn_layers.temporal_affine_forward(last, p["W_out"], p["b_out"])
        loss, dscores = rnn_layers.temporal_softmax_loss(
            scores, y[:, None], np.ones((len(y), 1), dtype=bool))
        grads = {}
        dlast, grads["W_out"], grads["b_out"] = rnn_layers.temporal_affine_backward(
            dscores, out_cache)
        dh = np.zeros_like(h)
        dh[:, -1:] = dlast
        demb, _, grads["Wx"], grads["Wh"], grads["b"] = backward(dh, cell_cache)
        grads["W_embed"] = rnn_layers.word_embedding_backward(demb, emb_cache)
        return loss, grads

    def accuracy(self, x: np.ndarray, y: np.ndarray, batch_size: int = 500) -> float:
        """Share of sequences whose highest score is the label."""
        right = [np.argmax(self.scores(x[i:i + batch_size]), axis=1) == y[i:i + batch_size]
                 for i in range(0, len(x), batch_size)]
        return float(np.mean(np.concatenate(right)))


# ========================================================================= training


def recall_batches(distance: int, batch_size: int, num_batches: int, *, seed: int = 0,
                   **task: Any) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``num_batches`` fresh minibatches of :func:`make_recall_task` (new sequences each
    time, so a model cannot memorise them)."""
    num_batches = _positive_int("num_batches", num_batches)
    rng = np.random.default_rng(seed)
    for _ in range(num_batches):
        yield make_recall_task(batch_size, distance, seed=rng, **task)


def epoch_batches(arrays: Sequence[np.ndarray], batch_size: int, num_epochs: int, *,
                  seed: int = 0) -> Iterator[tuple[np.ndarray, ...]]:
    """Minibatches of rows of ``arrays`` (same first dimension), reshuffled every epoch;
    the last, smaller batch of an epoch is kept."""
    if not arrays or any(len(a) != len(arrays[0]) for a in arrays):
        raise ValueError("arrays must be a non-empty sequence of arrays with the same number "
                         f"of rows, got {[len(a) for a in arrays]}")
    B, E = _positive_int("batch_size", batch_size), _positive_int("num_epochs", num_epochs)
    rng = np.random.default_rng(seed)
    for _ in range(E):
        order = rng.permutation(len(arrays[0]))
        for i in range(0, len(order), B):
            rows = order[i:i + B]
            yield tuple(a[rows] for a in arrays)


def train_numpy(
    model: Any,
    batches: Iterable[tuple],
    *,
    update_rule: UpdateRule | None = None,
    optim_config: Mapping[str, Any] | None = None,
    clip_norm: float | None = None,
    lr_schedule: Callable[[int], float] | None = None,
    progress: bool = False,
    desc: str | None = None,
    total: int | None = None,
) -> TrainingHistory:
    """Train a NumPy model: for every batch, ``loss, grads = model.loss(*batch)`` and one
    update of every parameter.

    Parameters
    ----------
    model : object
        With ``params`` (dict of arrays) and ``loss(*batch) -> (loss, grads)``.
    batches : iterable of tuples
        The arguments of each call of ``model.loss`` (e.g. from :func:`char_lm_batches`).
    update_rule : callable, default :func:`cs231n_utils.optim.adam`
        ``next_w, config = update_rule(w, dw, config)``.
    optim_config : dict, optional
        Hyper-parameters of the rule; every parameter gets its own copy.
    clip_norm : float, optional
        Clip the gradients to this global norm first
        (:func:`~cs231n_utils.training_tools.clip_by_global_norm`).
    lr_schedule : callable, optional
        ``lr_schedule(iteration) -> learning rate`` (iteration from 0), set before each
        update.
    progress : bool, default False
        Show a tqdm bar (with ``desc`` and ``total``).

    Returns
    -------
    TrainingHistory
        ``loss`` and ``grad_norm`` (before clipping) of every iteration; ``diverged`` if the
        loss or the gradient became NaN or infinite (training stops there, the last loss
        is recorded as NaN).
    """
    update_rule = optim.adam if update_rule is None else update_rule
    if clip_norm is not None:
        clip_norm = _positive_number("clip_norm", clip_norm)
    configs = {name: dict(optim_config or {}) for name in model.params}
    history = TrainingHistory()
    bar = tqdm(batches, desc=desc, total=total, disable=not progress, leave=False)
    for it, batch in enumerate(bar):
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grads = model.loss(*batch)
            norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64)))
                                 for g in grads.values()))
        if not (math.isfinite(loss) and math.isfinite(norm)):
            history.diverged = True
            history.loss.append(float("nan"))
            history.grad_norm.append(norm if math.isfinite(norm) else float("inf"))
            break
        if clip_norm is not None:
            grads, _ = clip_by_global_norm(grads, clip_norm)
        history.loss.append(float(loss))
        history.grad_norm.append(norm)
        if lr_schedule is not None:
            for config in configs.values():
                config["learning_rate"] = lr_schedule(it)
        for name in model.params:
            model.params[name], configs[name] = update_rule(model.params[name], grads[name],
                                                            configs[name])
        if progress and it % 20 == 0:
            bar.set_postfix(loss=f"{loss:.3f}")
    bar.close()
    return history


#: The models of :func:`long_dependency_study` by default: name -> SequenceClassifier options.
DEFAULT_MODELS = {"RNN": {"cell": "rnn"}, "LSTM": {"cell": "lstm"}, "GRU": {"cell": "gru"}}


def long_dependency_study(
    distances: Sequence[int],
    models: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    num_iterations: int = 250,
    batch_size: int = 32,
    hidden_dim: int = 32,
    learning_rate: float = 1e-2,
    clip_norm: float | None = 5.0,
    num_test: int = 1000,
    seed: int = 0,
    progress: bool = True,
    **task: Any,
) -> dict[str, list[float]]:
    """Train one :class:`SequenceClassifier` per model and distance on the recall task
    (:func:`make_recall_task`) and measure its accuracy on fresh test sequences.

    Every model of the same distance starts from the same seed, sees the same minibatches
    and is tested on the same sequences. Training: Adam with ``learning_rate``, gradients
    clipped to the global norm ``clip_norm``.

    Parameters
    ----------
    distances : sequence of int
        Numbers of distractors between the value and the question.
    models : dict of str to dict, optional
        A name for every model and its :class:`SequenceClassifier` options (``cell`` and
        e.g. ``forget_bias``); by default :data:`DEFAULT_MODELS` (RNN, LSTM and GRU).
    num_iterations, batch_size, hidden_dim : int
        Minibatches of training (250), sequences per minibatch (32), ``H`` (32).
    learning_rate : float, default 1e-2
    clip_norm : float or None, default 5.0
    num_test : int, default 1000
        Test sequences per distance.
    seed : int, default 0
    progress : bool, default True
        A tqdm bar over the runs.
    **task
        Passed to :func:`make_recall_task` (``num_values``, ``num_distractors``).

    Returns
    -------
    dict of str to list of float
        For every model, the test accuracy at each distance.
    """
    models = DEFAULT_MODELS if models is None else models
    for name, options in models.items():
        if not isinstance(options, Mapping) or "cell" not in options:
            raise ValueError(f"models[{name!r}] must be a dict with a 'cell' ({tuple(CELLS)}) "
                             f"and other SequenceClassifier options, got {options!r}")
    num_values = int(task.get("num_values", 4))
    vocab = num_values + int(task.get("num_distractors", 4)) + 1
    results: dict[str, list[float]] = {name: [] for name in models}
    runs = [(d, name) for d in distances for name in models]
    for distance, name in tqdm(runs, desc="long dependencies", disable=not progress):
        x_test, y_test = make_recall_task(num_test, distance, seed=10_000 + seed + distance,
                                          **task)
        options = dict(models[name])
        model = SequenceClassifier(vocab, num_values, options.pop("cell"),
                                   hidden_dim=hidden_dim, seed=seed, **options)
        train_numpy(model, recall_batches(distance, batch_size, num_iterations,
                                          seed=seed + distance, **task),
                    optim_config={"learning_rate": learning_rate}, clip_norm=clip_norm)
        results[name].append(model.accuracy(x_test, y_test))
    return results


# ============================================================ character language model


def char_lm_batches(ids: np.ndarray, batch_size: int, seq_len: int, num_batches: int, *,
                    seed: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``num_batches`` minibatches of a text for a language model, epoch after epoch.

    The epochs come from :func:`cs231n_utils.data.text.char_batches` (the text cut into
    consecutive windows at a random offset, shuffled) with one generator seeded by
    ``seed``, so the order is new every epoch and the same for the same seed.

    Yields
    ------
    x, y : numpy.ndarray of int64, shape (batch_size, seq_len)
        Input characters and the next character at every position.
    """
    from cs231n_utils.data.text import char_batches

    num_batches = _positive_int("num_batches", num_batches)
    rng = np.random.default_rng(seed)
    made = 0
    while True:
        for batch in char_batches(ids, batch_size, seq_len, rng):
            yield batch
            made += 1
            if made == num_batches:
                return


def sample_with_temperature(scores: np.ndarray, temperature: float,
                            rng: np.random.Generator) -> np.ndarray:
    """Draw one index per row from ``softmax(scores / temperature)``.

    A temperature below 1 sharpens the distribution towards the highest score (towards
    greedy choice as it goes to 0); above 1 flattens it towards uniform.

    Parameters
    ----------
    scores : numpy.ndarray, shape (V,) or (N, V)
        Unnormalised log-probabilities.
    temperature : float
        Positive.
    rng : numpy.random.Generator

    Returns
    -------
    numpy.ndarray of int64, shape () or (N,)
    """
    temperature = _positive_number("temperature", temperature)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim not in (1, 2) or scores.shape[-1] == 0:
        raise ValueError(f"scores must have shape (V,) or (N, V) with V >= 1, got {scores.shape}")
    z = np.atleast_2d(scores) / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    cumulative = np.cumsum(p, axis=1)
    u = rng.random((len(z), 1)) * cumulative[:, -1:]
    picks = np.minimum((cumulative <= u).sum(axis=1), z.shape[1] - 1).astype(np.int64)
    return picks[0] if scores.ndim == 1 else picks


class CharLSTM:
    """A character-level language model in NumPy, on the student's layers.

    ``x`` (N, T) characters -> ``word_embedding`` (N, T, E) -> ``lstm_forward`` from
    ``h0 = 0`` (N, T, H) -> ``temporal_affine`` (N, T, V) scores of the next character.
    The loss is the mean cross-entropy per character: ``temporal_softmax_loss`` with every
    position selected, divided by ``T`` (it divides by ``N`` only).

    Parameters
    ----------
    vocab_size : int
        ``V``.
    embed_dim : int, default 32
        ``E``.
    hidden_dim : int, default 128
        ``H``.
    forget_bias : float, default 1.0
        Initial bias of the forget gate.
    seed : int, default 0
    dtype : numpy dtype, default numpy.float32

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``W_embed`` (V, E), ``Wx`` (E, 4H), ``Wh`` (H, 4H), ``b`` (4H,) in the gate order
        i, f, o, g, ``W_vocab`` (H, V), ``b_vocab`` (V,).
    """

    def __init__(self, vocab_size: int, *, embed_dim: int = 32, hidden_dim: int = 128,
                 forget_bias: float = 1.0, seed: int = 0, dtype: type = np.float32) -> None:
        V = _positive_int("vocab_size", vocab_size)
        E, H = _positive_int("embed_dim", embed_dim), _positive_int("hidden_dim", hidden_dim)
        rng = np.random.default_rng(seed)
        b = np.zeros(4 * H)
        b[H:2 * H] = forget_bias
        self.params = {
            "W_embed": rng.standard_normal((V, E)) * 0.1,
            "Wx": rng.standard_normal((E, 4 * H)) / math.sqrt(E),
            "Wh": rng.standard_normal((H, 4 * H)) / math.sqrt(H),
            "b": b,
            "W_vocab": rng.standard_normal((H, V)) / math.sqrt(H),
            "b_vocab": np.zeros(V),
        }
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}

    @property
    def hidden_dim(self) -> int:
        return self.params["Wh"].shape[0]

    def _check_batch(self, x: np.ndarray) -> np.ndarray:
        x = _int_array("x", x, 2)
        V = self.params["W_embed"].shape[0]
        if x.size and (x.min() < 0 or x.max() >= V):
            raise ValueError(f"x must hold character indices in [0, {V}), got {x.min()} "
                             f"to {x.max()}")
        return x

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Scores (N, T, V) of the next character after every position of ``x`` (N, T)."""
        x = self._check_batch(x)
        p = self.params
        emb, _ = rnn_layers.word_embedding_forward(x, p["W_embed"])
        h0 = np.zeros((len(x), self.hidden_dim), dtype=emb.dtype)
        h, _ = rnn_layers.lstm_forward(emb, h0, p["Wx"], p["Wh"], p["b"])
        return rnn_layers.temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])[0]

    def loss(self, x: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy per character (nats) and the gradients of all parameters.

        Parameters
        ----------
        x, y : numpy.ndarray of int, shape (N, T)
            Characters and the characters that follow them.
        """
        x = self._check_batch(x)
        y = _int_array("y", y, 2)
        if y.shape != x.shape:
            raise ValueError(f"y must have the shape of x {x.shape}, got {y.shape}")
        p = self.params
        T = x.shape[1]
        emb, emb_cache = rnn_layers.word_embedding_forward(x, p["W_embed"])
        h0 = np.zeros((len(x), self.hidden_dim), dtype=emb.dtype)
        h, lstm_cache = rnn_layers.lstm_forward(emb, h0, p["Wx"], p["Wh"], p["b"])
        scores, vocab_cache = rnn_layers.temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])
        loss, dscores = rnn_layers.temporal_softmax_loss(scores, y, np.ones(y.shape, bool))
        loss, dscores = loss / T, dscores / T
        grads = {}
        dh, grads["W_vocab"], grads["b_vocab"] = rnn_layers.temporal_affine_backward(
            dscores, vocab_cache)
        demb, _, grads["Wx"], grads["Wh"], grads["b"] = rnn_layers.lstm_backward(dh, lstm_cache)
        grads["W_embed"] = rnn_layers.word_embedding_backward(demb, emb_cache)
        return loss, grads

    def sample(self, prime: np.ndarray, length: int, temperature: float = 1.0,
               seed: int = 0) -> np.ndarray:
        """Continue the characters ``prime`` (1-D, at least one) by ``length`` sampled ones.

        The prime is read one step at a time with ``lstm_step_forward``, carrying ``h`` and
        ``c``; then each sampled character (:func:`sample_with_temperature`) is the next
        input.

        Returns
        -------
        numpy.ndarray of int64, shape (length,)
            The new characters only.
        """
        prime = _int_array("prime", prime, 1)
        length = _positive_int("length", length)
        if len(prime) == 0:
            raise ValueError("prime must hold at least one character")
        self._check_batch(prime[None])
        rng = np.random.default_rng(seed)
        p = self.params
        dtype = p["Wx"].dtype
        h = np.zeros((1, self.hidden_dim), dtype=dtype)
        c = np.zeros_like(h)
        out = np.empty(length, dtype=np.int64)
        char = int(prime[0])
        for t in range(len(prime) - 1 + length):
            h, c, _ = rnn_layers.lstm_step_forward(p["W_embed"][[char]], h, c, p["Wx"],
                                                   p["Wh"], p["b"])
            if t + 1 < len(prime):
                char = int(prime[t + 1])
            else:
                char = int(sample_with_temperature((h @ p["W_vocab"] + p["b_vocab"])[0],
                                                   temperature, rng))
                out[t + 1 - len(prime)] = char
        return out


#: Where each block of PyTorch's LSTM weights (i, f, g, o) sits in ours (i, f, o, g).
_TORCH_GATES = (0, 1, 3, 2)


def _to_torch_gates(W: np.ndarray) -> np.ndarray:
    """Reorder the 4H blocks of the last axis from (i, f, o, g) to PyTorch's (i, f, g, o)."""
    H = W.shape[-1] // 4
    return np.concatenate([W[..., k * H:(k + 1) * H] for k in _TORCH_GATES], axis=-1)


class TorchCharLM(nn.Module):
    """The character-level language model in ``torch.nn``: ``nn.Embedding``, ``nn.LSTM``
    (batch first), ``nn.Linear``.

    Parameters
    ----------
    vocab_size : int
    embed_dim : int, default 32
    hidden_dim : int, default 128
    num_layers : int, default 1
        Stacked LSTM layers.
    dropout : float, default 0.0
        Between stacked layers (PyTorch's ``nn.LSTM(dropout=...)``).
    """

    def __init__(self, vocab_size: int, embed_dim: int = 32, hidden_dim: int = 128,
                 num_layers: int = 1, dropout: float = 0.0) -> None:
        super().__init__()
        V = _positive_int("vocab_size", vocab_size)
        E, H = _positive_int("embed_dim", embed_dim), _positive_int("hidden_dim", hidden_dim)
        L = _positive_int("num_layers", num_layers)
        self.embed = nn.Embedding(V, E)
        self.lstm = nn.LSTM(E, H, num_layers=L, batch_first=True,
                            dropout=dropout if L > 1 else 0.0)
        self.out = nn.Linear(H, V)

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Scores (N, T, V) of the next character, and the LSTM's final ``(h, c)``."""
        h, state = self.lstm(self.embed(x), state)
        return self.out(h), state

    @classmethod
    def from_numpy(cls, model: CharLSTM) -> TorchCharLM:
        """A one-layer copy of a :class:`CharLSTM` (same outputs up to rounding).

        PyTorch keeps the LSTM gates in the order i, f, g, o and has two biases; the copy
        reorders the blocks and puts ``b`` into ``bias_ih_l0`` with ``bias_hh_l0 = 0``.
        """
        p = {k: np.asarray(v, dtype=np.float32) for k, v in model.params.items()}
        V, E = p["W_embed"].shape
        torch_model = cls(V, E, model.hidden_dim)
        with torch.no_grad():
            torch_model.embed.weight.copy_(torch.from_numpy(p["W_embed"]))
            torch_model.lstm.weight_ih_l0.copy_(torch.from_numpy(_to_torch_gates(p["Wx"]).T))
            torch_model.lstm.weight_hh_l0.copy_(torch.from_numpy(_to_torch_gates(p["Wh"]).T))
            torch_model.lstm.bias_ih_l0.copy_(torch.from_numpy(_to_torch_gates(p["b"])))
            torch_model.lstm.bias_hh_l0.zero_()
            torch_model.out.weight.copy_(torch.from_numpy(p["W_vocab"].T))
            torch_model.out.bias.copy_(torch.from_numpy(p["b_vocab"]))
        return torch_model

    @torch.no_grad()
    def sample(self, prime: np.ndarray, length: int, temperature: float = 1.0,
               seed: int = 0) -> np.ndarray:
        """As :meth:`CharLSTM.sample`: the ``length`` characters that follow ``prime``."""
        prime = _int_array("prime", prime, 1)
        length = _positive_int("length", length)
        if len(prime) == 0:
            raise ValueError("prime must hold at least one character")
        rng = np.random.default_rng(seed)
        was_training = self.training
        self.eval()
        scores, state = self(torch.as_tensor(prime[None], dtype=torch.long))
        out = np.empty(length, dtype=np.int64)
        for t in range(length):
            out[t] = sample_with_temperature(scores[0, -1].double().numpy(), temperature, rng)
            scores, state = self(torch.tensor([[out[t]]]), state)
        self.train(was_training)
        return out


def train_torch_char_lm(
    model: TorchCharLM,
    batches: Iterable[tuple[np.ndarray, np.ndarray]],
    *,
    learning_rate: float = 2e-3,
    clip_norm: float | None = 5.0,
    lr_schedule: Callable[[int], float] | None = None,
    progress: bool = False,
    desc: str | None = None,
    total: int | None = None,
) -> list[float]:
    """Train a :class:`TorchCharLM` with Adam on minibatches ``(x, y)`` of characters.

    The loss is the mean cross-entropy per character; gradients are clipped to the global
    norm ``clip_norm`` (``torch.nn.utils.clip_grad_norm_``). ``lr_schedule(iteration)``,
    when given, sets the learning rate before each step.

    Returns
    -------
    list of float
        The loss of every minibatch.
    """
    learning_rate = _positive_number("learning_rate", learning_rate)
    if clip_norm is not None:
        clip_norm = _positive_number("clip_norm", clip_norm)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    model.train()
    losses = []
    bar = tqdm(batches, desc=desc, total=total, disable=not progress, leave=False)
    for it, (x, y) in enumerate(bar):
        if lr_schedule is not None:
            for group in optimizer.param_groups:
                group["lr"] = lr_schedule(it)
        scores, _ = model(torch.as_tensor(x))
        loss = F.cross_entropy(scores.reshape(-1, scores.shape[-1]),
                               torch.as_tensor(y).reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        if clip_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        losses.append(loss.item())
        if progress and it % 20 == 0:
            bar.set_postfix(loss=f"{losses[-1]:.3f}")
    bar.close()
    model.eval()
    return losses


def char_cross_entropy(model: CharLSTM | TorchCharLM, ids: np.ndarray, seq_len: int = 100,
                       batch_size: int = 64) -> float:
    """Mean cross-entropy per character (nats) of a language model on a text.

    The text is cut into consecutive windows of ``seq_len`` characters; each window is read
    from a zero state and every character after its first is scored given the ones before
    it in the window (the last window's targets run to the end of the text; a short rest is
    dropped). ``exp`` of the result is the perplexity: the number of equally likely
    characters that would leave the model as unsure.

    Parameters
    ----------
    model : CharLSTM or TorchCharLM
    ids : numpy.ndarray of int, shape (L,)
        The encoded text, ``L > seq_len``.
    seq_len : int, default 100
    batch_size : int, default 64
        Windows per forward pass.

    Returns
    -------
    float
    """
    ids = _int_array("ids", ids, 1)
    T, B = _positive_int("seq_len", seq_len), _positive_int("batch_size", batch_size)
    n = (len(ids) - 1) // T
    if n < 1:
        raise ValueError(f"ids must be longer than seq_len = {T}, got {len(ids)} characters")
    x = ids[:n * T].reshape(n, T).astype(np.int64)
    y = ids[1:n * T + 1].reshape(n, T).astype(np.int64)
    total = 0.0
    for i in range(0, n, B):
        if isinstance(model, nn.Module):
            with torch.no_grad():
                scores, _ = model.eval()(torch.as_tensor(x[i:i + B]))
                total += float(F.cross_entropy(scores.reshape(-1, scores.shape[-1]).double(),
                                               torch.as_tensor(y[i:i + B]).reshape(-1),
                                               reduction="sum"))
        else:
            scores = model.scores(x[i:i + B]).astype(np.float64)
            shifted = scores - scores.max(axis=2, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
            total -= float(np.take_along_axis(log_p, y[i:i + B, :, None], axis=2).sum())
    return total / (n * T)


# ================================================================== image captioning


def train_captioner(
    model: Any,
    features: np.ndarray,
    captions: np.ndarray,
    *,
    num_epochs: int,
    batch_size: int = 50,
    learning_rate: float = 5e-3,
    lr_decay: float = 1.0,
    clip_norm: float | None = None,
    seed: int = 0,
    progress: bool = False,
    desc: str | None = None,
) -> TrainingHistory:
    """Train a :class:`~cs231n_utils.classifiers.rnn.CaptioningRNN` with Adam.

    Every epoch goes through the scenes once in a new random order, ``batch_size`` at a
    time (the last batch of an epoch may be smaller); after every epoch the learning rate
    is multiplied by ``lr_decay``.

    Parameters
    ----------
    model : CaptioningRNN
        Anything with ``params`` and ``loss(features, captions)``.
    features : numpy.ndarray, shape (N, D)
    captions : numpy.ndarray of int, shape (N, T + 1)
        Encoded captions (``<START>`` ... ``<END>``, ``<NULL>`` padding).
    num_epochs : int
    batch_size : int, default 50
    learning_rate : float, default 5e-3
    lr_decay : float, default 1.0
    clip_norm : float, optional
        Clip the gradients to this global norm.
    seed : int, default 0
        Order of the minibatches.
    progress : bool, default False
        A tqdm bar over the iterations.

    Returns
    -------
    TrainingHistory
        The loss of every minibatch (CS231n's convention: summed over the words of a
        caption, averaged over the captions) and the gradient norms.
    """
    if np.ndim(features) != 2 or np.ndim(captions) != 2 or len(features) != len(captions):
        raise ValueError(f"features (N, D) and captions (N, T + 1) must have the same N; got "
                         f"shapes {np.shape(features)} and {np.shape(captions)}")
    E, B = _positive_int("num_epochs", num_epochs), _positive_int("batch_size", batch_size)
    learning_rate = _positive_number("learning_rate", learning_rate)
    lr_decay = _positive_number("lr_decay", lr_decay)
    per_epoch = math.ceil(len(features) / B)
    return train_numpy(
        model, epoch_batches((features, captions), B, E, seed=seed),
        optim_config={"learning_rate": learning_rate}, clip_norm=clip_norm,
        lr_schedule=lambda it: learning_rate * lr_decay ** (it // per_epoch),
        progress=progress, desc=desc, total=E * per_epoch)


def show_captions(
    images: np.ndarray,
    captions: Mapping[str, Sequence[str]],
    *,
    truth: Sequence[str] | None = None,
    ncols: int = 4,
    width: int = 24,
) -> Any:
    """A grid of images with the captions of several models written under each.

    Parameters
    ----------
    images : numpy.ndarray, shape (n, 1, H, W) or (n, H, W)
        Grey images with values in [0, 1].
    captions : dict of str to list of str
        For every model (the key is its name), one caption per image.
    truth : list of str, optional
        The true captions, written first.
    ncols : int, default 4
        Images per row.
    width : int, default 24
        Characters per line of text (longer captions are wrapped).

    Returns
    -------
    matplotlib.figure.Figure
    """

    X = np.asarray(images)
    if X.ndim == 4 and X.shape[1] == 1:
        X = X[:, 0]
    if X.ndim != 3 or len(X) == 0:
        raise ValueError(f"images must have shape (n, 1, H, W) or (n, H, W) with n >= 1, got "
                         f"{np.shape(images)}")
    rows_of_text = dict(captions)
    if truth is not None:
        rows_of_text = {"true": truth, **rows_of_text}
    for name, texts in rows_of_text.items():
        if len(texts) != len(X):
            raise ValueError(f"captions[{name!r}] must have one caption per image ({len(X)}), "
                             f"got {len(texts)}")
    ncols = _positive_int("ncols", ncols)
    width = _positive_int("width", width)
    nrows = math.ceil(len(X) / ncols)
    lines = [sum(len(textwrap.wrap(f"{name}: {texts[i]}", width)) or 1
                 for name, texts in rows_of_text.items()) for i in range(len(X))]
    text_height = 0.16 * max(lines)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, (2.3 + text_height) * nrows),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    colors = ["black", "tab:blue", "tab:red", "tab:green", "tab:purple"]
    for i, image in enumerate(X):
        ax = axes.ravel()[i]
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        text_lines = []
        for k, (name, texts) in enumerate(rows_of_text.items()):
            wrapped = textwrap.wrap(f"{name}: {texts[i]}", width) or [f"{name}:"]
            text_lines += [(line, colors[k % len(colors)]) for line in wrapped]
        for j, (line, color) in enumerate(text_lines):
            ax.text(0.0, -0.04 - 0.075 * j, line, transform=ax.transAxes, fontsize=8,
                    color=color, va="top", ha="left", family="monospace")
    fig.subplots_adjust(hspace=0.1 + text_height / 2.3, wspace=0.1)
    return fig
