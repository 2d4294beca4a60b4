"""Layers of a neural network, each a forward and a backward function.

Every layer follows the same contract, so layers can be stacked like bricks:

* ``out, cache = <layer>_forward(inputs...)`` computes the output and keeps in ``cache``
  whatever the backward pass will need;
* ``d_inputs... = <layer>_backward(dout, cache)`` receives ``dout``, the gradient of the
  final loss with respect to ``out`` (same shape as ``out``), and returns the gradient of
  the loss with respect to each input, **in the order of the forward's inputs**, each with
  that input's shape.

Loss layers end a network: ``loss, dx = <name>_loss(x, y)`` returns the scalar loss
(averaged over the ``N`` examples) and its gradient with respect to the scores ``x``.

The file is organised by kind of layer; later assignments add sections (convolutions,
normalisation, dropout) below the ones here.

Assignment 03_backprop: affine, ReLU and sigmoid layers, SVM and softmax losses.
Assignment 04_cnn: convolution and max pooling, written the plain way ("naive", with
loops); their fast versions are given in :mod:`cs231n_utils.fast_layers`.
"""

from __future__ import annotations

import numpy as np

from cs231n_utils.conv_inputs import check_conv_inputs, check_pool_inputs

__all__ = [
    "affine_backward",
    "affine_forward",
    "conv_backward_naive",
    "conv_forward_naive",
    "max_pool_backward_naive",
    "max_pool_forward_naive",
    "relu_backward",
    "relu_forward",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax_loss",
    "svm_loss",
]


# ============================================================================ affine
# A fully connected ("affine") layer: every output is a weighted sum of every input, plus
# a bias. Inputs of any shape (N, d_1, ..., d_k) are flattened per example into rows of
# D = d_1 * ... * d_k numbers.


def _check_affine_inputs(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
    """Raise a ValueError naming the argument when the shapes of x, w, b do not fit."""
    if w.ndim != 2:
        raise ValueError(f"w must be 2-D, shape (D, M); got shape {w.shape}")
    D, M = w.shape
    if x.ndim < 1 or int(np.prod(x.shape[1:])) != D:
        raise ValueError(
            f"x must have shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D = {D} "
            f"(the rows of w); got shape {x.shape}"
        )
    if b.shape != (M,):
        raise ValueError(f"b must have shape (M,) = ({M},), one bias per column of w; "
                         f"got shape {b.shape}")


def affine_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Forward pass of an affine (fully connected) layer: ``out = x_flat @ w + b``.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, d_1, ..., d_k)
        A minibatch of ``N`` examples; example ``i`` is flattened into a row of
        ``D = d_1 * ... * d_k`` numbers.
    w : numpy.ndarray, shape (D, M)
        Weights.
    b : numpy.ndarray, shape (M,)
        Biases.

    Returns
    -------
    out : numpy.ndarray, shape (N, M)
        The layer's output.
    cache : tuple
        ``(x, w, b)``, for :func:`affine_backward`.

    Raises
    ------
    ValueError
        If the shapes of ``x``, ``w`` and ``b`` do not fit together.
    """
    _check_affine_inputs(x, w, b)
    ### BEGIN SOLUTION (03_backprop, section 5 "The affine layer")
    out = x.reshape(x.shape[0], -1) @ w + b
    ### END SOLUTION
    cache = (x, w, b)
    return out, cache


def affine_backward(
    dout: np.ndarray, cache: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of an affine layer.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, M)
        Upstream gradient, dLoss/dout.
    cache : tuple
        ``(x, w, b)`` as stored by :func:`affine_forward`: ``x`` of shape
        ``(N, d_1, ..., d_k)``, ``w`` of shape ``(D, M)``, ``b`` of shape ``(M,)``.

    Returns
    -------
    dx : numpy.ndarray, shape (N, d_1, ..., d_k)
        Gradient with respect to ``x`` (the shape of ``x``, not flattened).
    dw : numpy.ndarray, shape (D, M)
        Gradient with respect to ``w``.
    db : numpy.ndarray, shape (M,)
        Gradient with respect to ``b``.
    """
    x, w, b = cache
    ### BEGIN SOLUTION (03_backprop, section 5 "The affine layer")
    x_rows = x.reshape(x.shape[0], -1)       # (N, D)
    dx = (dout @ w.T).reshape(x.shape)       # (N, M) @ (M, D) -> (N, D) -> shape of x
    dw = x_rows.T @ dout                     # (D, N) @ (N, M) -> (D, M)
    db = dout.sum(axis=0)                    # b was added to every row: sum over rows
    ### END SOLUTION
    return dx, dw, db


# ======================================================================= activations
# Elementwise non-linearities. Without them a stack of affine layers would collapse into
# a single affine layer.


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of a rectified linear unit: ``out = max(0, x)`` elementwise.

    Parameters
    ----------
    x : numpy.ndarray, any shape
        Inputs. Left unchanged.

    Returns
    -------
    out : numpy.ndarray, shape of ``x``
        The output.
    cache : numpy.ndarray
        ``x``, for :func:`relu_backward`.
    """
    ### BEGIN SOLUTION (03_backprop, section 6 "ReLU and sigmoid layers")
    out = np.maximum(x, 0)
    ### END SOLUTION
    cache = x
    return out, cache


def relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """Backward pass of a ReLU: the gradient passes where ``x > 0`` and is 0 elsewhere.

    At ``x == 0`` exactly, where the ReLU has a kink, the gradient used is 0.

    Parameters
    ----------
    dout : numpy.ndarray, any shape
        Upstream gradient.
    cache : numpy.ndarray
        The input ``x`` of the forward pass, shape of ``dout``.

    Returns
    -------
    dx : numpy.ndarray, shape of ``dout``
        Gradient with respect to ``x``.
    """
    x = cache
    ### BEGIN SOLUTION (03_backprop, section 6 "ReLU and sigmoid layers")
    dx = dout * (x > 0)
    ### END SOLUTION
    return dx


def sigmoid_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of the logistic sigmoid, ``out = 1 / (1 + exp(-x))`` elementwise.

    Computed without overflow for inputs of any size: very negative inputs give outputs
    near 0 and no warning.

    Parameters
    ----------
    x : numpy.ndarray, any shape
        Inputs. Left unchanged.

    Returns
    -------
    out : numpy.ndarray, shape of ``x``
        Values in (0, 1) (they round to 0.0 or 1.0 for ``|x|`` beyond about 37).
    cache : numpy.ndarray
        ``out``: the backward pass needs only the output.
    """
    ### BEGIN SOLUTION (03_backprop, section 6 "ReLU and sigmoid layers")
    # exp(-|x|) is at most 1, so it never overflows; for x < 0 rewrite the sigmoid as
    # exp(x) / (1 + exp(x)) = e / (1 + e) with e = exp(-|x|).
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION
    cache = out
    return out, cache


def sigmoid_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """Backward pass of the sigmoid: its local gradient is ``out * (1 - out)``.

    Parameters
    ----------
    dout : numpy.ndarray, any shape
        Upstream gradient.
    cache : numpy.ndarray
        The output ``out`` of :func:`sigmoid_forward`, shape of ``dout``.

    Returns
    -------
    dx : numpy.ndarray, shape of ``dout``
        Gradient with respect to the forward's input ``x``.
    """
    out = cache
    ### BEGIN SOLUTION (03_backprop, section 6 "ReLU and sigmoid layers")
    dx = dout * out * (1.0 - out)
    ### END SOLUTION
    return dx


# ============================================================================ losses
# Scores x of shape (N, C): x[i, c] is the score of class c for example i; y[i] is the
# index of the correct class. Each loss is averaged over the N examples.


def _check_scores_and_labels(x: np.ndarray, y: np.ndarray) -> None:
    """Raise a ValueError naming the argument when x is not (N, C) or y not (N,) labels."""
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x must be scores of shape (N, C) with N >= 1; got shape {x.shape}")
    N, C = x.shape
    if y.shape != (N,):
        raise ValueError(f"y must have shape (N,) = ({N},), one label per row of x; "
                         f"got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= C:
        raise ValueError(f"y must hold integer class labels 0..{C - 1} (C = {C} columns of "
                         f"x); got dtype {y.dtype}, values {y.min()}..{y.max()}")


def svm_loss(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Multiclass SVM (hinge) loss with margin 1, averaged over the examples.

    ``loss = (1 / N) * sum_i sum_{j != y_i} max(0, x[i, j] - x[i, y_i] + 1)``

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C)
        Class scores.
    y : numpy.ndarray of int, shape (N,)
        Correct labels, ``0 <= y[i] < C``.

    Returns
    -------
    loss : float
        The loss.
    dx : numpy.ndarray, shape (N, C)
        Gradient of the loss with respect to ``x``.

    Raises
    ------
    ValueError
        If ``x`` is not ``(N, C)`` or ``y`` does not hold ``N`` labels in ``0..C-1``.
    """
    _check_scores_and_labels(x, y)
    ### BEGIN SOLUTION (03_backprop, section 7 "Loss layers: SVM and softmax")
    N = x.shape[0]
    rows = np.arange(N)
    correct = x[rows, y][:, np.newaxis]               # (N, 1)
    margins = np.maximum(0.0, x - correct + 1.0)      # (N, C)
    margins[rows, y] = 0.0                            # the correct class does not count
    loss = float(margins.sum() / N)
    # Each positive margin pushes its own score up and the correct score down.
    dx = (margins > 0).astype(x.dtype)
    dx[rows, y] = -dx.sum(axis=1)
    dx /= N
    ### END SOLUTION
    return loss, dx


def softmax_loss(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy loss, averaged over the examples.

    ``loss = (1 / N) * sum_i -log(exp(x[i, y_i]) / sum_j exp(x[i, j]))``, computed with the
    log-sum-exp trick, so scores of any size give a finite, correct loss.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C)
        Class scores (logits).
    y : numpy.ndarray of int, shape (N,)
        Correct labels, ``0 <= y[i] < C``.

    Returns
    -------
    loss : float
        The loss.
    dx : numpy.ndarray, shape (N, C)
        Gradient of the loss with respect to ``x``.

    Raises
    ------
    ValueError
        If ``x`` is not ``(N, C)`` or ``y`` does not hold ``N`` labels in ``0..C-1``.
    """
    _check_scores_and_labels(x, y)
    ### BEGIN SOLUTION (03_backprop, section 7 "Loss layers: SVM and softmax")
    N = x.shape[0]
    rows = np.arange(N)
    # Subtracting each row's maximum changes no probability and keeps exp() <= 1.
    shifted = x - x.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs = shifted - log_sum                      # log softmax, (N, C)
    loss = float(-log_probs[rows, y].sum() / N)
    dx = np.exp(log_probs)                             # probabilities
    dx[rows, y] -= 1.0                                 # minus the one-hot target
    dx /= N
    ### END SOLUTION
    return loss, dx


# ======================================================================= convolution
# Images are (N, C, H, W): N examples, C channels, H rows, W columns. A convolutional layer
# has F filters, each (C, HH, WW): it looks at every channel of a small HH x WW window
# (local connectivity), and the same filter is slid over every position of the image
# (weight sharing). conv_param = {"stride": S, "pad": P}: the input is zero-padded by P on
# every side and the filter moves S pixels at a time, so
#     H_out = (H - HH + 2P) / S + 1,   W_out = (W - WW + 2P) / S + 1.
# The argument checks (shapes, and hyper-parameters that tile the input) are done for you
# by cs231n_utils.conv_inputs before your code runs.


def conv_forward_naive(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: dict
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray, dict]]:
    """Forward pass of a convolutional layer, with loops.

    ``out[n, f, i, j] = sum(x_pad[n, :, i*S : i*S + HH, j*S : j*S + WW] * w[f]) + b[f]``
    where ``x_pad`` is ``x`` with ``P`` zeros added on each side of its height and width.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C, H, W)
        Input images.
    w : numpy.ndarray, shape (F, C, HH, WW)
        Filter weights.
    b : numpy.ndarray, shape (F,)
        One bias per filter.
    conv_param : dict
        ``"stride"``: pixels between neighbouring windows (>= 1); ``"pad"``: zeros added on
        every side of the input (>= 0).

    Returns
    -------
    out : numpy.ndarray, shape (N, F, H_out, W_out)
        ``H_out = 1 + (H + 2 * pad - HH) // stride``, ``W_out = 1 + (W + 2 * pad - WW) // stride``.
    cache : tuple
        ``(x, w, b, conv_param)``.

    Raises
    ------
    ValueError
        If the shapes do not fit together or stride/pad do not tile the input.
    """
    stride, pad, H_out, W_out = check_conv_inputs(x, w, b, conv_param)
    ### BEGIN SOLUTION (04_cnn, section 3 "Convolution forward, naive")
    N = x.shape[0]
    F, _, HH, WW = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, H_out, W_out), dtype=np.result_type(x, w, b))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i * stride, j * stride
                    window = x_pad[n, :, top:top + HH, left:left + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    ### END SOLUTION
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(
    dout: np.ndarray, cache: tuple[np.ndarray, np.ndarray, np.ndarray, dict]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a convolutional layer, with loops.

    Every output ``out[n, f, i, j]`` came from one window of the padded input and the whole
    filter ``w[f]``: its gradient ``dout[n, f, i, j]`` flows back to that window (times
    ``w[f]``), to ``w[f]`` (times the window) and to ``b[f]``. Windows overlap when
    ``stride < HH``, so gradients add up. The gradient of the padding is dropped.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, F, H_out, W_out)
        Upstream gradient.
    cache : tuple
        ``(x, w, b, conv_param)`` as returned by :func:`conv_forward_naive`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, C, H, W)
        Gradient with respect to ``x``.
    dw : numpy.ndarray, shape (F, C, HH, WW)
        Gradient with respect to ``w``.
    db : numpy.ndarray, shape (F,)
        Gradient with respect to ``b``.
    """
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    ### BEGIN SOLUTION (04_cnn, section 4 "Convolution backward, naive")
    N, _, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros_like(x_pad, dtype=np.result_type(x, dout))
    dw = np.zeros_like(w, dtype=np.result_type(w, dout))
    db = dout.sum(axis=(0, 2, 3))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i * stride, j * stride
                    g = dout[n, f, i, j]
                    dx_pad[n, :, top:top + HH, left:left + WW] += g * w[f]
                    dw[f] += g * x_pad[n, :, top:top + HH, left:left + WW]
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    ### END SOLUTION
    return dx, dw, db


# ======================================================================= max pooling
# Max pooling shrinks every channel on its own: each pool_height x pool_width window
# (windows start every `stride` pixels) is replaced by its largest value. No padding, no
# parameters.


def max_pool_forward_naive(
    x: np.ndarray, pool_param: dict
) -> tuple[np.ndarray, tuple[np.ndarray, dict]]:
    """Forward pass of max pooling, with loops.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C, H, W)
        Input.
    pool_param : dict
        ``"pool_height"``, ``"pool_width"``: window size; ``"stride"``: pixels between
        neighbouring windows.

    Returns
    -------
    out : numpy.ndarray, shape (N, C, H_out, W_out)
        ``H_out = 1 + (H - pool_height) // stride``, ``W_out = 1 + (W - pool_width) // stride``.
    cache : tuple
        ``(x, pool_param)``.

    Raises
    ------
    ValueError
        If ``x`` is not 4-D or the window and stride do not tile the input.
    """
    ph, pw, stride, H_out, W_out = check_pool_inputs(x, pool_param)
    ### BEGIN SOLUTION (04_cnn, section 5 "Max pooling, naive")
    N, C = x.shape[:2]
    out = np.empty((N, C, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            out[:, :, i, j] = x[:, :, top:top + ph, left:left + pw].max(axis=(2, 3))
    ### END SOLUTION
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout: np.ndarray, cache: tuple[np.ndarray, dict]) -> np.ndarray:
    """Backward pass of max pooling: each window's gradient goes to its maximum only.

    The maximum is the only input that moved the output, so it alone gets
    ``dout[n, c, i, j]``; the other inputs of the window get nothing. Where a window holds
    its maximum more than once, the **first** one in row-major order gets the gradient (as
    in PyTorch). The positions of the maxima are the pooling layer's "switches". Where
    windows overlap (``stride < pool size``), gradients add up.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, C, H_out, W_out)
        Upstream gradient.
    cache : tuple
        ``(x, pool_param)`` as returned by :func:`max_pool_forward_naive`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, C, H, W)
        Gradient with respect to ``x``.
    """
    x, pool_param = cache
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    ### BEGIN SOLUTION (04_cnn, section 5 "Max pooling, naive")
    N, C = x.shape[:2]
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x, dtype=np.result_type(x, dout))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i * stride, j * stride
                    window = x[n, c, top:top + ph, left:left + pw]
                    r, s = np.unravel_index(np.argmax(window), window.shape)  # first max
                    dx[n, c, top + r, left + s] += dout[n, c, i, j]
    ### END SOLUTION
    return dx
