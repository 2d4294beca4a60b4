# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""Layers of recurrent networks: vanilla RNN, LSTM and GRU, and the layers around them.

Same contract as :mod:`cs231n_utils.layers`: a forward returns ``(out, cache)`` (an LSTM
step returns ``(next_h, next_c, cache)``) and a backward returns the gradients in the order
of the forward's inputs. Shapes: ``N`` sequences (a minibatch), ``T`` time steps, inputs of
``D`` numbers, hidden states of ``H`` numbers, a vocabulary of ``V`` words.

* A **step** function computes one time step for the whole minibatch; the sequence
  functions (``rnn_forward``, ``lstm_forward``, ``gru_forward``) run the step over the
  ``T`` steps, and their backward passes run backpropagation through time: the step's
  backward from the last step to the first, each step's ``dprev_h`` added to the upstream
  gradient of the step before, and the weights' gradients summed over the steps.
* **Word embedding** turns integer word indices into vectors, **temporal affine** applies
  one affine layer at every time step, **temporal softmax loss** scores a vocabulary at
  every time step, counting only the positions a mask selects.
* LSTM gates are in CS231n's order **i, f, o, g** (input, forget, output, candidate) along
  the ``4H`` axis of ``Wx``, ``Wh`` and ``b``; GRU gates in PyTorch's order **r, z, n**
  (reset, update, candidate) along the ``3H`` axis.

Assignment 07_rnn.
"""

from __future__ import annotations

import numpy as np

from cs231n_utils.rnn_inputs import (
    check_mask_and_labels,
    check_sequence_inputs,
    check_step_inputs,
    check_temporal_affine_inputs,
    check_word_indices,
)

__all__ = [
    "gru_backward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
    "lstm_backward",
    "lstm_forward",
    "lstm_step_backward",
    "lstm_step_forward",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
    "temporal_affine_backward",
    "temporal_affine_forward",
    "temporal_softmax_loss",
    "word_embedding_backward",
    "word_embedding_forward",
]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic sigmoid without overflow (given, as in 03)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# ======================================================================= vanilla RNN


def rnn_step_forward(
    x: np.ndarray, prev_h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, tuple]:
    """One time step of a vanilla RNN: ``next_h = tanh(x @ Wx + prev_h @ Wh + b)``.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, D)
        Inputs at this time step.
    prev_h : numpy.ndarray, shape (N, H)
        Hidden state of the previous time step.
    Wx : numpy.ndarray, shape (D, H)
        Input-to-hidden weights.
    Wh : numpy.ndarray, shape (H, H)
        Hidden-to-hidden weights.
    b : numpy.ndarray, shape (H,)
        Biases.

    Returns
    -------
    next_h : numpy.ndarray, shape (N, H)
    cache : tuple
        ``(x, prev_h, Wx, Wh, next_h)``, for :func:`rnn_step_backward`.
    """
    check_step_inputs(x, prev_h, Wx, Wh, b, gates=1)
    # YOUR CODE HERE
    raise NotImplementedError(
        'rnn_step_forward is not written yet: fill it in, guided by 07_rnn, section 1 "A '
        'vanilla RNN step".'
    )
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache


def rnn_step_backward(
    dnext_h: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`rnn_step_forward`.

    Parameters
    ----------
    dnext_h : numpy.ndarray, shape (N, H)
        Upstream gradient with respect to ``next_h``.
    cache : tuple
        ``(x, prev_h, Wx, Wh, next_h)`` from the forward.

    Returns
    -------
    dx : numpy.ndarray, shape (N, D)
    dprev_h : numpy.ndarray, shape (N, H)
    dWx : numpy.ndarray, shape (D, H)
    dWh : numpy.ndarray, shape (H, H)
    db : numpy.ndarray, shape (H,)
    """
    x, prev_h, Wx, Wh, next_h = cache
    # YOUR CODE HERE
    raise NotImplementedError(
        'rnn_step_backward is not written yet: fill it in, guided by 07_rnn, section 1 "A '
        'vanilla RNN step".'
    )
    return dx, dprev_h, dWx, dWh, db


def rnn_forward(
    x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, list]:
    """A vanilla RNN over a whole sequence: :func:`rnn_step_forward` at each of T steps.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, T, D)
        Input sequences.
    h0 : numpy.ndarray, shape (N, H)
        Initial hidden states.
    Wx, Wh, b
        As for :func:`rnn_step_forward`.

    Returns
    -------
    h : numpy.ndarray, shape (N, T, H)
        Hidden states of every time step (``h[:, t]`` after reading ``x[:, t]``).
    cache : list
        The caches of the T steps, for :func:`rnn_backward`.
    """
    check_sequence_inputs(x, h0, Wx, Wh, b, gates=1)
    # YOUR CODE HERE
    raise NotImplementedError(
        'rnn_forward is not written yet: fill it in, guided by 07_rnn, section 2 '
        '"Backpropagation through time".'
    )
    return h, cache


def rnn_backward(
    dh: np.ndarray, cache: list
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backpropagation through time for :func:`rnn_forward`.

    ``dh[:, t]`` is the gradient of the loss with respect to ``h[:, t]`` coming from above
    (the layers that read the hidden states); the gradient that reaches ``h[:, t]`` from
    the next time step must be added to it.

    Parameters
    ----------
    dh : numpy.ndarray, shape (N, T, H)
        Upstream gradients of all hidden states.
    cache : list
        From :func:`rnn_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, T, D)
    dh0 : numpy.ndarray, shape (N, H)
    dWx : numpy.ndarray, shape (D, H)
    dWh : numpy.ndarray, shape (H, H)
    db : numpy.ndarray, shape (H,)
    """
    # YOUR CODE HERE
    raise NotImplementedError(
        'rnn_backward is not written yet: fill it in, guided by 07_rnn, section 2 '
        '"Backpropagation through time".'
    )
    return dx, dh0, dWx, dWh, db


# ====================================================================== around RNNs


def word_embedding_forward(x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Look up the vector of every word: ``out[n, t] = W[x[n, t]]``.

    Parameters
    ----------
    x : numpy.ndarray of int, shape (N, T)
        Word indices, each in ``0 <= x < V``.
    W : numpy.ndarray, shape (V, D)
        One vector per word of the vocabulary.

    Returns
    -------
    out : numpy.ndarray, shape (N, T, D)
    cache : tuple
        ``(x, W)``, for :func:`word_embedding_backward`.

    Raises
    ------
    ValueError
        If ``x`` holds something other than integers in ``[0, V)``.
    """
    check_word_indices(x, W)
    # YOUR CODE HERE
    raise NotImplementedError(
        'word_embedding_forward is not written yet: fill it in, guided by 07_rnn, section 3 '
        '"Word embeddings and temporal layers".'
    )
    cache = (x, W)
    return out, cache


def word_embedding_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Backward pass of :func:`word_embedding_forward`: each word's vector gets the sum
    of the upstream gradients of every position where the word occurs.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, T, D)
        Upstream gradient.
    cache : tuple
        ``(x, W)`` from the forward.

    Returns
    -------
    dW : numpy.ndarray, shape (V, D)
        Gradient with respect to ``W`` (zero for words that do not occur). The word
        indices get no gradient: they are not real numbers.
    """
    x, W = cache
    # YOUR CODE HERE
    raise NotImplementedError(
        'word_embedding_backward is not written yet: fill it in, guided by 07_rnn, section 3 '
        '"Word embeddings and temporal layers".'
    )
    return dW


def temporal_affine_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, tuple]:
    """The same affine layer at every time step: ``out[n, t] = x[n, t] @ w + b``.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, T, D)
    w : numpy.ndarray, shape (D, M)
    b : numpy.ndarray, shape (M,)

    Returns
    -------
    out : numpy.ndarray, shape (N, T, M)
    cache : tuple
        ``(x, w, b)``.

    Raises
    ------
    ValueError
        If the shapes of ``x``, ``w`` and ``b`` do not fit together.
    """
    check_temporal_affine_inputs(x, w, b)
    # YOUR CODE HERE
    raise NotImplementedError(
        'temporal_affine_forward is not written yet: fill it in, guided by 07_rnn, section 3 '
        '"Word embeddings and temporal layers".'
    )
    cache = (x, w, b)
    return out, cache


def temporal_affine_backward(
    dout: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`temporal_affine_forward`.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, T, M)
    cache : tuple
        ``(x, w, b)``.

    Returns
    -------
    dx : numpy.ndarray, shape (N, T, D)
    dw : numpy.ndarray, shape (D, M)
    db : numpy.ndarray, shape (M,)
    """
    x, w, b = cache
    # YOUR CODE HERE
    raise NotImplementedError(
        'temporal_affine_backward is not written yet: fill it in, guided by 07_rnn, section 3'
        ' "Word embeddings and temporal layers".'
    )
    return dx, dw, db


def temporal_softmax_loss(
    x: np.ndarray, y: np.ndarray, mask: np.ndarray, verbose: bool = False
) -> tuple[float, np.ndarray]:
    """Softmax loss at every time step, over the positions ``mask`` selects.

    ``loss = -sum over n, t with mask[n, t] of log softmax(x[n, t])[y[n, t]]``, divided
    by ``N`` (CS231n's convention: the sum over time of each sequence's loss, averaged
    over the minibatch). Unselected positions (padding after the end of a caption)
    contribute nothing to the loss or to its gradient.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, T, V)
        Scores of every word at every position.
    y : numpy.ndarray of int, shape (N, T)
        Right words, ``0 <= y < V``.
    mask : numpy.ndarray of bool, shape (N, T)
        Which positions count; at least one must.
    verbose : bool, default False
        Print the shapes (kept for CS231n's signature).

    Returns
    -------
    loss : float
    dx : numpy.ndarray, shape (N, T, V)
        Gradient of the loss with respect to ``x``.

    Raises
    ------
    ValueError
        If a shape does not fit, ``y`` is out of range, or ``mask`` selects nothing.
    """
    check_mask_and_labels(x, y, mask)
    if verbose:
        print(f"temporal_softmax_loss: x {x.shape}, y {y.shape}, mask {mask.shape}")
    # YOUR CODE HERE
    raise NotImplementedError(
        'temporal_softmax_loss is not written yet: fill it in, guided by 07_rnn, section 3 '
        '"Word embeddings and temporal layers".'
    )
    return float(loss), dx


# ============================================================================== LSTM


def lstm_step_forward(
    x: np.ndarray, prev_h: np.ndarray, prev_c: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, tuple]:
    """One time step of an LSTM.

    With ``a = x @ Wx + prev_h @ Wh + b`` split into four blocks of ``H`` along its last
    axis, in the order ``i, f, o, g``::

        i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)     # input, forget, output gates
        g = tanh(a_g)                                          # candidate cell values
        next_c = f * prev_c + i * g
        next_h = o * tanh(next_c)

    Parameters
    ----------
    x : numpy.ndarray, shape (N, D)
    prev_h : numpy.ndarray, shape (N, H)
    prev_c : numpy.ndarray, shape (N, H)
        Cell state of the previous time step.
    Wx : numpy.ndarray, shape (D, 4H)
    Wh : numpy.ndarray, shape (H, 4H)
    b : numpy.ndarray, shape (4H,)

    Returns
    -------
    next_h : numpy.ndarray, shape (N, H)
    next_c : numpy.ndarray, shape (N, H)
    cache : tuple
        ``(x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)``, for
        :func:`lstm_step_backward`.
    """
    check_step_inputs(x, prev_h, Wx, Wh, b, gates=4, prev_c=prev_c)
    # YOUR CODE HERE
    raise NotImplementedError(
        'lstm_step_forward is not written yet: fill it in, guided by 07_rnn, section 5 '
        '"LSTM".'
    )
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)
    return next_h, next_c, cache


def lstm_step_backward(
    dnext_h: np.ndarray, dnext_c: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`lstm_step_forward`.

    Parameters
    ----------
    dnext_h : numpy.ndarray, shape (N, H)
        Upstream gradient with respect to ``next_h``.
    dnext_c : numpy.ndarray, shape (N, H)
        Upstream gradient with respect to ``next_c`` (from the next time step).
    cache : tuple
        From the forward.

    Returns
    -------
    dx : numpy.ndarray, shape (N, D)
    dprev_h : numpy.ndarray, shape (N, H)
    dprev_c : numpy.ndarray, shape (N, H)
    dWx : numpy.ndarray, shape (D, 4H)
    dWh : numpy.ndarray, shape (H, 4H)
    db : numpy.ndarray, shape (4H,)
    """
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    # YOUR CODE HERE
    raise NotImplementedError(
        'lstm_step_backward is not written yet: fill it in, guided by 07_rnn, section 5 '
        '"LSTM".'
    )
    return dx, dprev_h, dprev_c, dWx, dWh, db


def lstm_forward(
    x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, list]:
    """An LSTM over a whole sequence; the cell state starts at zero.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, T, D)
    h0 : numpy.ndarray, shape (N, H)
        Initial hidden states.
    Wx, Wh, b
        As for :func:`lstm_step_forward`.

    Returns
    -------
    h : numpy.ndarray, shape (N, T, H)
        Hidden states of every time step.
    cache : list
        The caches of the T steps, for :func:`lstm_backward`.
    """
    check_sequence_inputs(x, h0, Wx, Wh, b, gates=4)
    # YOUR CODE HERE
    raise NotImplementedError(
        'lstm_forward is not written yet: fill it in, guided by 07_rnn, section 5 "LSTM".'
    )
    return h, cache


def lstm_backward(
    dh: np.ndarray, cache: list
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backpropagation through time for :func:`lstm_forward`.

    Parameters
    ----------
    dh : numpy.ndarray, shape (N, T, H)
        Upstream gradients of all hidden states.
    cache : list
        From :func:`lstm_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, T, D)
    dh0 : numpy.ndarray, shape (N, H)
    dWx : numpy.ndarray, shape (D, 4H)
    dWh : numpy.ndarray, shape (H, 4H)
    db : numpy.ndarray, shape (4H,)
    """
    # YOUR CODE HERE
    raise NotImplementedError(
        'lstm_backward is not written yet: fill it in, guided by 07_rnn, section 5 "LSTM".'
    )
    return dx, dh0, dWx, dWh, db


# =============================================================================== GRU


def gru_step_forward(
    x: np.ndarray, prev_h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, tuple]:
    """One time step of a GRU (gated recurrent unit), as :class:`torch.nn.GRUCell`.

    With the three blocks of ``H`` columns in the order ``r, z, n``::

        r = sigmoid(x @ Wx_r + prev_h @ Wh_r + b_r)          # reset gate
        z = sigmoid(x @ Wx_z + prev_h @ Wh_z + b_z)          # update gate
        n = tanh(x @ Wx_n + b_n + r * (prev_h @ Wh_n))       # candidate
        next_h = (1 - z) * n + z * prev_h

    Two gates instead of the LSTM's three, and no separate cell state: ``z`` decides how
    much of the old state to keep, which gives gradients the same additive path through
    time.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, D)
    prev_h : numpy.ndarray, shape (N, H)
    Wx : numpy.ndarray, shape (D, 3H)
    Wh : numpy.ndarray, shape (H, 3H)
    b : numpy.ndarray, shape (3H,)

    Returns
    -------
    next_h : numpy.ndarray, shape (N, H)
    cache : tuple
        ``(x, prev_h, Wx, Wh, r, z, n, hn)`` with ``hn = prev_h @ Wh_n``, for
        :func:`gru_step_backward`.
    """
    check_step_inputs(x, prev_h, Wx, Wh, b, gates=3)
    # YOUR CODE HERE
    raise NotImplementedError(
        'gru_step_forward is not written yet: fill it in, guided by 07_rnn, section 6 "GRU".'
    )
    cache = (x, prev_h, Wx, Wh, r, z, n, hn)
    return next_h, cache


def gru_step_backward(
    dnext_h: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`gru_step_forward`.

    Parameters
    ----------
    dnext_h : numpy.ndarray, shape (N, H)
    cache : tuple
        From the forward.

    Returns
    -------
    dx : numpy.ndarray, shape (N, D)
    dprev_h : numpy.ndarray, shape (N, H)
    dWx : numpy.ndarray, shape (D, 3H)
    dWh : numpy.ndarray, shape (H, 3H)
    db : numpy.ndarray, shape (3H,)
    """
    x, prev_h, Wx, Wh, r, z, n, hn = cache
    # YOUR CODE HERE
    raise NotImplementedError(
        'gru_step_backward is not written yet: fill it in, guided by 07_rnn, section 6 "GRU".'
    )
    return dx, dprev_h, dWx, dWh, db


def gru_forward(
    x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, list]:
    """A GRU over a whole sequence (see :func:`rnn_forward` for the shapes; ``Wx`` is
    (D, 3H), ``Wh`` (H, 3H), ``b`` (3H,))."""
    check_sequence_inputs(x, h0, Wx, Wh, b, gates=3)
    # YOUR CODE HERE
    raise NotImplementedError(
        'gru_forward is not written yet: fill it in, guided by 07_rnn, section 6 "GRU".'
    )
    return h, cache


def gru_backward(
    dh: np.ndarray, cache: list
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backpropagation through time for :func:`gru_forward` (outputs as
    :func:`rnn_backward`)."""
    # YOUR CODE HERE
    raise NotImplementedError(
        'gru_backward is not written yet: fill it in, guided by 07_rnn, section 6 "GRU".'
    )
    return dx, dh0, dWx, dWh, db
