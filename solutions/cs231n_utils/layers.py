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
Assignment 05_training: more activations (tanh, leaky ReLU, maxout), batch and layer
normalisation (also over the channels of images), inverted dropout, group
normalisation.
"""

from __future__ import annotations

import numpy as np

from cs231n_utils.conv_inputs import check_conv_inputs, check_pool_inputs
from cs231n_utils.norm_inputs import (
    check_dropout_param,
    check_groupnorm_inputs,
    check_maxout_inputs,
    check_norm_inputs,
    check_norm_param,
)

__all__ = [
    "affine_backward",
    "affine_forward",
    "batchnorm_backward",
    "batchnorm_backward_alt",
    "batchnorm_forward",
    "conv_backward_naive",
    "conv_forward_naive",
    "dropout_backward",
    "dropout_forward",
    "layernorm_backward",
    "layernorm_forward",
    "leaky_relu_backward",
    "leaky_relu_forward",
    "max_pool_backward_naive",
    "max_pool_forward_naive",
    "maxout_backward",
    "maxout_forward",
    "relu_backward",
    "relu_forward",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax_loss",
    "spatial_batchnorm_backward",
    "spatial_batchnorm_forward",
    "spatial_groupnorm_backward",
    "spatial_groupnorm_forward",
    "svm_loss",
    "tanh_backward",
    "tanh_forward",
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


def tanh_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of the hyperbolic tangent, ``out = tanh(x)`` elementwise.

    A rescaled sigmoid, ``tanh(x) = 2 * sigmoid(2x) - 1``: it saturates as the sigmoid
    does, but its outputs lie in (-1, 1) and are centred on 0.

    Parameters
    ----------
    x : numpy.ndarray, any shape
        Inputs. Left unchanged.

    Returns
    -------
    out : numpy.ndarray, shape of ``x``
        Values in (-1, 1).
    cache : numpy.ndarray
        ``out``: like the sigmoid, the backward pass needs only the output.
    """
    ### BEGIN SOLUTION (05_training, section 1 "Activation functions")
    out = np.tanh(x)
    ### END SOLUTION
    cache = out
    return out, cache


def tanh_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """Backward pass of tanh: its local gradient is ``1 - out ** 2``.

    Parameters
    ----------
    dout : numpy.ndarray, any shape
        Upstream gradient.
    cache : numpy.ndarray
        The output ``out`` of :func:`tanh_forward`, shape of ``dout``.

    Returns
    -------
    dx : numpy.ndarray, shape of ``dout``
        Gradient with respect to the forward's input ``x``.
    """
    out = cache
    ### BEGIN SOLUTION (05_training, section 1 "Activation functions")
    dx = dout * (1.0 - out * out)
    ### END SOLUTION
    return dx


def _check_alpha(alpha: float) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.floating) \
            or not 0 <= alpha < 1:
        raise ValueError(f"alpha must be a number in [0, 1), the slope for x < 0; got {alpha!r}")


def leaky_relu_forward(x: np.ndarray, alpha: float = 0.01) -> tuple[np.ndarray, tuple]:
    """Forward pass of a leaky ReLU: ``out = x`` where ``x > 0``, ``alpha * x`` elsewhere.

    The small slope ``alpha`` for negative inputs keeps a gradient flowing through units
    that a plain ReLU would switch off for good ("dead" ReLUs).

    Parameters
    ----------
    x : numpy.ndarray, any shape
        Inputs. Left unchanged.
    alpha : float, default 0.01
        Slope for ``x <= 0``, in [0, 1) (0 gives the plain ReLU).

    Returns
    -------
    out : numpy.ndarray, shape of ``x``
    cache : tuple
        ``(x, alpha)``, for :func:`leaky_relu_backward`.

    Raises
    ------
    ValueError
        If ``alpha`` is not in [0, 1).
    """
    _check_alpha(alpha)
    ### BEGIN SOLUTION (05_training, section 1 "Activation functions")
    out = np.where(x > 0, x, alpha * x)
    ### END SOLUTION
    cache = (x, alpha)
    return out, cache


def leaky_relu_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Backward pass of a leaky ReLU: the local gradient is 1 where ``x > 0``, ``alpha``
    elsewhere (at ``x = 0`` too, as PyTorch's ``leaky_relu``).

    Parameters
    ----------
    dout : numpy.ndarray, any shape
        Upstream gradient.
    cache : tuple
        ``(x, alpha)`` from :func:`leaky_relu_forward`, ``x`` of the shape of ``dout``.

    Returns
    -------
    dx : numpy.ndarray, shape of ``dout``
        Gradient with respect to ``x``.
    """
    x, alpha = cache
    ### BEGIN SOLUTION (05_training, section 1 "Activation functions")
    dx = np.where(x > 0, dout, alpha * dout)
    ### END SOLUTION
    return dx


def maxout_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Forward pass of a maxout layer: each unit is the largest of ``K`` affine pieces.

    ``out[n, m] = max_k (x_flat[n] @ w[:, m, k] + b[m, k])``. With ``K = 2`` and one piece
    fixed at zero this is a ReLU; a maxout unit never dies, at the price of ``K`` times the
    parameters.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, d_1, ..., d_k)
        Inputs, flattened per example into ``D = d_1 * ... * d_k`` numbers.
    w : numpy.ndarray, shape (D, M, K)
        Weights: ``K`` pieces for each of the ``M`` units.
    b : numpy.ndarray, shape (M, K)
        Biases of the pieces.

    Returns
    -------
    out : numpy.ndarray, shape (N, M)
    cache : tuple
        ``(x, w, b, winner)`` where ``winner`` (N, M) holds the index ``k`` of the piece that
        won (the first one on a tie, as ``np.argmax``), for :func:`maxout_backward`.

    Raises
    ------
    ValueError
        If the shapes of ``x``, ``w`` and ``b`` do not fit together.
    """
    check_maxout_inputs(x, w, b)
    ### BEGIN SOLUTION (05_training, section 1 "Activation functions")
    D, M, K = w.shape
    pieces = (x.reshape(x.shape[0], D) @ w.reshape(D, M * K)).reshape(-1, M, K) + b
    winner = np.argmax(pieces, axis=2)                                 # (N, M)
    out = np.take_along_axis(pieces, winner[:, :, None], axis=2)[:, :, 0]
    ### END SOLUTION
    cache = (x, w, b, winner)
    return out, cache


def maxout_backward(
    dout: np.ndarray, cache: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a maxout layer: each unit's gradient flows into its winning piece.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, M)
        Upstream gradient.
    cache : tuple
        ``(x, w, b, winner)`` from :func:`maxout_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, d_1, ..., d_k)
        Gradient with respect to ``x``.
    dw : numpy.ndarray, shape (D, M, K)
        Gradient with respect to ``w``.
    db : numpy.ndarray, shape (M, K)
        Gradient with respect to ``b``.
    """
    x, w, b, winner = cache
    ### BEGIN SOLUTION (05_training, section 1 "Activation functions")
    D, M, K = w.shape
    # The gradient with respect to every piece: dout where the piece won, 0 elsewhere.
    dpieces = np.zeros((dout.shape[0], M, K), dtype=np.result_type(dout, w))
    np.put_along_axis(dpieces, winner[:, :, None], dout[:, :, None], axis=2)
    x_rows = x.reshape(x.shape[0], D)
    dx = (dpieces.reshape(-1, M * K) @ w.reshape(D, M * K).T).reshape(x.shape)
    dw = (x_rows.T @ dpieces.reshape(-1, M * K)).reshape(D, M, K)
    db = dpieces.sum(axis=0)
    ### END SOLUTION
    return dx, dw, db


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


# ===================================================================== normalisation
# Batch normalisation makes every feature of a layer's input zero-mean and unit-variance
# over the minibatch, then lets the network rescale it (gamma) and shift it (beta). Layer
# normalisation does the same over the features of each example instead, so it does not
# depend on the other examples of the batch.


def batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, bn_param: dict
) -> tuple[np.ndarray, tuple]:
    """Forward pass of batch normalisation.

    In training mode every feature (column) is normalised with the mean and the (biased)
    variance of the minibatch, ``x_hat = (x - mean) / sqrt(var + eps)``, and
    ``out = gamma * x_hat + beta``. Running averages of the batch statistics are kept in
    ``bn_param``::

        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var

    In test mode those running averages are used instead of the batch's statistics, so an
    example's output does not depend on the rest of its batch.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, D)
        A minibatch. Left unchanged.
    gamma : numpy.ndarray, shape (D,)
        Scale of each feature after normalisation.
    beta : numpy.ndarray, shape (D,)
        Shift of each feature after normalisation.
    bn_param : dict
        ``'mode'``: ``'train'`` or ``'test'`` (required); ``'eps'`` (default 1e-5), added to
        the variance; ``'momentum'`` (default 0.9) of the running averages;
        ``'running_mean'`` and ``'running_var'``, shape (D,), zeros when missing. The
        running averages are updated in this dict in training mode.

    Returns
    -------
    out : numpy.ndarray, shape (N, D)
    cache : tuple
        ``(x, x_hat, mean, var, gamma, beta, eps)``, with ``mean`` and ``var`` of shape
        (D,) the statistics that were used (the batch's in training mode), for the
        backward passes (which are for training mode).

    Raises
    ------
    ValueError
        If a shape does not fit, or a key of ``bn_param`` is wrong (naming the key).
    """
    check_norm_param(bn_param, "bn_param", needs_mode=True)
    check_norm_inputs(x, gamma, beta)
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    ### BEGIN SOLUTION (05_training, section 4 "Batch normalisation")
    if mode == "train":
        mean = x.mean(axis=0)
        centred = x - mean
        var = (centred * centred).mean(axis=0)          # the biased variance
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
        centred = x - mean
    x_hat = centred * (1.0 / np.sqrt(var + eps))        # D divisions, not N * D
    out = gamma * x_hat + beta
    ### END SOLUTION
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    cache = (x, x_hat, mean, var, gamma, beta, eps)
    return out, cache


def batchnorm_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of batch normalisation (training mode), stage by stage.

    Draw the forward pass as a graph of small steps (mean, centring, variance, square
    root, division, scale, shift) and backpropagate through each in turn, as in 03.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, D)
        Upstream gradient.
    cache : tuple
        ``(x, x_hat, mean, var, gamma, beta, eps)`` from :func:`batchnorm_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, D)
        Gradient with respect to ``x``.
    dgamma : numpy.ndarray, shape (D,)
        Gradient with respect to ``gamma``.
    dbeta : numpy.ndarray, shape (D,)
        Gradient with respect to ``beta``.
    """
    x, x_hat, mean, var, gamma, beta, eps = cache
    ### BEGIN SOLUTION (05_training, section 4 "Batch normalisation")
    N = x.shape[0]
    centred = x - mean                       # x_hat = centred * inv_std
    std = np.sqrt(var + eps)
    inv_std = 1.0 / std
    dbeta = dout.sum(axis=0)                 # out = gamma * x_hat + beta
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    dcentred = dx_hat * inv_std              # first path into centred
    dinv_std = (dx_hat * centred).sum(axis=0)
    dstd = -dinv_std / std**2                # inv_std = 1 / std
    dvar = dstd * 0.5 / std                  # std = sqrt(var + eps)
    dcentred += 2.0 * centred * dvar / N     # var = mean(centred ** 2): second path
    dmean = -dcentred.sum(axis=0)            # centred = x - mean
    dx = dcentred + dmean / N                # mean = sum(x) / N
    ### END SOLUTION
    return dx, dgamma, dbeta


def batchnorm_backward_alt(
    dout: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of batch normalisation (training mode) in one simplified expression.

    Working the chain rule through on paper, the stages collapse into::

        dx = gamma / sqrt(var + eps) * (dout - mean(dout) - x_hat * mean(dout * x_hat))

    with the means over the batch (axis 0).

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, D)
        Upstream gradient.
    cache : tuple
        ``(x, x_hat, mean, var, gamma, beta, eps)`` from :func:`batchnorm_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, D)
    dgamma : numpy.ndarray, shape (D,)
    dbeta : numpy.ndarray, shape (D,)
    """
    x, x_hat, mean, var, gamma, beta, eps = cache
    ### BEGIN SOLUTION (05_training, section 4 "Batch normalisation")
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    # (D,)-vectors first, so that only three passes go over the (N, D) arrays.
    scale = gamma / np.sqrt(var + eps)
    dx = (dout - dbeta / N - x_hat * (dgamma / N)) * scale
    ### END SOLUTION
    return dx, dgamma, dbeta


def layernorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, ln_param: dict
) -> tuple[np.ndarray, tuple]:
    """Forward pass of layer normalisation.

    Each example (row) is normalised over its own ``D`` features,
    ``x_hat = (x - mean) / sqrt(var + eps)`` with the mean and (biased) variance of the
    row, then ``out = gamma * x_hat + beta`` per feature. No batch statistics, so the same
    in training and at test time.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, D)
        A minibatch. Left unchanged.
    gamma : numpy.ndarray, shape (D,)
        Scale of each feature.
    beta : numpy.ndarray, shape (D,)
        Shift of each feature.
    ln_param : dict
        ``'eps'`` (default 1e-5). Other keys (a ``'mode'``, say) are ignored.

    Returns
    -------
    out : numpy.ndarray, shape (N, D)
    cache : tuple
        ``(x, x_hat, mean, var, gamma, beta, eps)``, with ``mean`` and ``var`` of shape
        (N,), one per example, for :func:`layernorm_backward`.

    Raises
    ------
    ValueError
        If a shape does not fit or ``ln_param['eps']`` is not > 0.
    """
    check_norm_param(ln_param, "ln_param", needs_mode=False)
    check_norm_inputs(x, gamma, beta)
    eps = ln_param.get("eps", 1e-5)
    ### BEGIN SOLUTION (05_training, section 5 "Layer normalisation")
    mean = x.mean(axis=1)
    var = x.var(axis=1)
    x_hat = (x - mean[:, None]) / np.sqrt(var + eps)[:, None]
    out = gamma * x_hat + beta
    ### END SOLUTION
    cache = (x, x_hat, mean, var, gamma, beta, eps)
    return out, cache


def layernorm_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of layer normalisation.

    The batch normalisation backward with the roles of the axes swapped: the statistics
    are per row, so the means of the simplified expression run over the features (axis 1),
    while ``gamma`` and ``beta`` still collect their gradients over the batch (axis 0).

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, D)
        Upstream gradient.
    cache : tuple
        ``(x, x_hat, mean, var, gamma, beta, eps)`` from :func:`layernorm_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, D)
    dgamma : numpy.ndarray, shape (D,)
    dbeta : numpy.ndarray, shape (D,)
    """
    x, x_hat, mean, var, gamma, beta, eps = cache
    ### BEGIN SOLUTION (05_training, section 5 "Layer normalisation")
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    inv_std = 1.0 / np.sqrt(var + eps)[:, None]
    dx = inv_std * (dx_hat - dx_hat.mean(axis=1, keepdims=True)
                    - x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True))
    ### END SOLUTION
    return dx, dgamma, dbeta


def spatial_batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, bn_param: dict
) -> tuple[np.ndarray, tuple]:
    """Forward pass of spatial batch normalisation, for images.

    A convolutional layer applies the same filter everywhere, so each channel is
    normalised with the statistics of all its ``N * H * W`` values: batch normalisation
    with the channels as the features. (Reshape so that the channels are the last axis,
    then call :func:`batchnorm_forward`.)

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C, H, W)
        A minibatch of images or feature maps. Left unchanged.
    gamma : numpy.ndarray, shape (C,)
        Scale of each channel.
    beta : numpy.ndarray, shape (C,)
        Shift of each channel.
    bn_param : dict
        As for :func:`batchnorm_forward`; running averages of shape (C,).

    Returns
    -------
    out : numpy.ndarray, shape (N, C, H, W)
    cache : tuple
        What :func:`spatial_batchnorm_backward` needs (the cache of
        :func:`batchnorm_forward` on the reshaped input).

    Raises
    ------
    ValueError
        If a shape does not fit, or a key of ``bn_param`` is wrong (naming the key).
    """
    check_norm_param(bn_param, "bn_param", needs_mode=True)
    check_norm_inputs(x, gamma, beta, spatial=True)
    ### BEGIN SOLUTION (05_training, section 6 "Spatial batch normalisation")
    N, C, H, W = x.shape
    rows = x.transpose(0, 2, 3, 1).reshape(-1, C)           # (N * H * W, C)
    out_rows, cache = batchnorm_forward(rows, gamma, beta, bn_param)
    out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
    return out, cache


def spatial_batchnorm_backward(
    dout: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of spatial batch normalisation.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, C, H, W)
        Upstream gradient.
    cache : tuple
        From :func:`spatial_batchnorm_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, C, H, W)
    dgamma : numpy.ndarray, shape (C,)
    dbeta : numpy.ndarray, shape (C,)
    """
    ### BEGIN SOLUTION (05_training, section 6 "Spatial batch normalisation")
    N, C, H, W = dout.shape
    drows = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    dx_rows, dgamma, dbeta = batchnorm_backward_alt(drows, cache)
    dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
    return dx, dgamma, dbeta


# =========================================================================== dropout
# Inverted dropout: in training each unit is kept with probability p and the kept ones
# are divided by p, so that the expected output equals the input; at test time the layer
# does nothing.


def dropout_forward(x: np.ndarray, dropout_param: dict) -> tuple[np.ndarray, tuple]:
    """Forward pass of inverted dropout.

    Parameters
    ----------
    x : numpy.ndarray, any shape
        Inputs. Left unchanged.
    dropout_param : dict
        ``'p'``: the probability of KEEPING each unit, in (0, 1] (1 keeps everything);
        ``'mode'``: ``'train'`` (drop) or ``'test'`` (identity); ``'seed'`` (optional):
        when given, ``np.random.seed(seed)`` is called first, so the mask is reproducible
        (for gradient checks).

    Returns
    -------
    out : numpy.ndarray, shape of ``x``
        In training ``x * mask`` with ``mask = (np.random.rand(*x.shape) < p) / p``; at
        test time ``x`` itself.
    cache : tuple
        ``(dropout_param, mask)``; ``mask`` is None in test mode.

    Raises
    ------
    ValueError
        If a key of ``dropout_param`` is wrong (naming the key).
    """
    check_dropout_param(dropout_param)
    p, mode = dropout_param["p"], dropout_param["mode"]
    if dropout_param.get("seed") is not None:
        np.random.seed(dropout_param["seed"])
    mask = None
    ### BEGIN SOLUTION (05_training, section 7 "Dropout")
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
    else:
        out = x
    ### END SOLUTION
    cache = (dropout_param, mask)
    return out, cache


def dropout_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Backward pass of inverted dropout.

    Parameters
    ----------
    dout : numpy.ndarray, any shape
        Upstream gradient.
    cache : tuple
        ``(dropout_param, mask)`` from :func:`dropout_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape of ``dout``
        Gradient with respect to the forward's ``x``.
    """
    dropout_param, mask = cache
    ### BEGIN SOLUTION (05_training, section 7 "Dropout")
    if dropout_param["mode"] == "train":
        dx = dout * mask
    else:
        dx = dout
    ### END SOLUTION
    return dx


# =============================================================== group normalisation
# Group normalisation splits the C channels of each image into G groups of C / G
# neighbouring channels and normalises each group of each image over its channels and
# positions: no batch statistics, so it behaves the same for any batch size. G = 1 is layer
# normalisation over (C, H, W), G = C is instance normalisation (each channel of each image
# on its own).


def spatial_groupnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, G: int, gn_param: dict
) -> tuple[np.ndarray, tuple]:
    """Forward pass of (spatial) group normalisation.

    The channels of each image are split into ``G`` consecutive groups of ``C // G``
    channels (channels ``0 .. C//G - 1`` form group 0, and so on). Each group of each image
    is normalised with the mean and the (biased) variance of its ``C // G * H * W``
    values, ``x_hat = (x - mean) / sqrt(var + eps)``, then every channel is scaled and
    shifted, ``out = gamma * x_hat + beta``. Training and test time compute the same.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C, H, W)
        A minibatch of images or feature maps. Left unchanged.
    gamma : numpy.ndarray, shape (1, C, 1, 1)
        Scale of each channel (CS231n's shape, which broadcasts over x).
    beta : numpy.ndarray, shape (1, C, 1, 1)
        Shift of each channel.
    G : int
        The number of groups; it must divide C.
    gn_param : dict
        ``'eps'`` (default 1e-5), added to the variance. Other keys are ignored.

    Returns
    -------
    out : numpy.ndarray, shape (N, C, H, W)
    cache : tuple
        ``(x, x_hat, mean, var, gamma, beta, G, eps)``: ``x_hat`` of shape (N, C, H, W),
        ``mean`` and ``var`` of shape (N, G), one per group of each image, for
        :func:`spatial_groupnorm_backward`.

    Raises
    ------
    ValueError
        If a shape does not fit, ``G`` does not divide C, or ``gn_param['eps']`` is not > 0.
    """
    check_norm_param(gn_param, "gn_param", needs_mode=False)
    check_groupnorm_inputs(x, gamma, beta, G)
    eps = gn_param.get("eps", 1e-5)
    ### BEGIN SOLUTION (05_training, section 15 "Group normalisation")
    N, C, H, W = x.shape
    groups = x.reshape(N, G, -1)                   # each row: one group of one image
    mean = groups.mean(axis=2)
    var = groups.var(axis=2)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = ((groups - mean[:, :, None]) * inv_std[:, :, None]).reshape(N, C, H, W)
    out = gamma * x_hat + beta
    ### END SOLUTION
    cache = (x, x_hat, mean, var, gamma, beta, G, eps)
    return out, cache


def spatial_groupnorm_backward(
    dout: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of (spatial) group normalisation.

    Within a group of an image this is the layer normalisation backward on the group's
    values (the means run over the group); ``gamma`` and ``beta`` collect their gradients
    from every image and position of their channel.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, C, H, W)
        Upstream gradient.
    cache : tuple
        ``(x, x_hat, mean, var, gamma, beta, G, eps)`` from
        :func:`spatial_groupnorm_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, C, H, W)
    dgamma : numpy.ndarray, shape (1, C, 1, 1)
        The shape of ``gamma``.
    dbeta : numpy.ndarray, shape (1, C, 1, 1)
    """
    x, x_hat, mean, var, gamma, beta, G, eps = cache
    ### BEGIN SOLUTION (05_training, section 15 "Group normalisation")
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)
    dx_hat = (dout * gamma).reshape(N, G, -1)
    rows = x_hat.reshape(N, G, -1)
    inv_std = 1.0 / np.sqrt(var + eps)[:, :, None]
    dx = inv_std * (dx_hat - dx_hat.mean(axis=2, keepdims=True)
                    - rows * (dx_hat * rows).mean(axis=2, keepdims=True))
    dx = dx.reshape(N, C, H, W)
    ### END SOLUTION
    return dx, dgamma, dbeta
