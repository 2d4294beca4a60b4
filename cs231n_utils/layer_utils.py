# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""Sandwich layers: a few layers that often follow each other, as one layer.

A sandwich's forward calls its layers' forwards in order and keeps their caches; its
backward calls their backwards in the reverse order. Same contract as
:mod:`cs231n_utils.layers`: ``out, cache = ..._forward(...)`` and
``d_inputs... = ..._backward(dout, cache)`` in the order of the forward's inputs.

Assignment 03_backprop: affine followed by ReLU.
Assignment 05_training: affine, then batch or layer normalisation, then ReLU.

Given (as in CS231n, for its convolutional notebook): convolution followed by ReLU, and
convolution, ReLU and max pooling, built on the fast layers of
:mod:`cs231n_utils.fast_layers` and your ReLU of :mod:`cs231n_utils.layers`.

As CS231n's ``layer_utils``, a star import (``from cs231n_utils.layer_utils import *``)
also brings every layer of :mod:`cs231n_utils.layers` and :mod:`cs231n_utils.fast_layers`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cs231n_utils import fast_layers as _fast_layers
from cs231n_utils import layers as _layers
from cs231n_utils.fast_layers import *  # noqa: F403
from cs231n_utils.fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)
from cs231n_utils.layers import *  # noqa: F403

# The answers use these; the student's stub does not, until it is filled in.
from cs231n_utils.layers import (  # noqa: F401
    affine_backward,
    affine_forward,
    batchnorm_backward_alt,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
    relu_backward,
    relu_forward,
)

_SANDWICHES = [
    "affine_norm_relu_backward",
    "affine_norm_relu_forward",
    "affine_relu_backward",
    "affine_relu_forward",
    "conv_relu_backward",
    "conv_relu_forward",
    "conv_relu_pool_backward",
    "conv_relu_pool_forward",
]
__all__ = sorted({*_SANDWICHES, *_layers.__all__, *_fast_layers.__all__})

#: The normalisations a sandwich (and FullyConnectedNet) accepts.
NORMALIZATIONS = ("batchnorm", "layernorm")


def affine_relu_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, tuple[Any, Any]]:
    """An affine layer followed by a ReLU: ``out = max(0, x_flat @ w + b)``.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, d_1, ..., d_k)
        Inputs, flattened per example into ``D = d_1 * ... * d_k`` numbers.
    w : numpy.ndarray, shape (D, M)
        Weights of the affine layer.
    b : numpy.ndarray, shape (M,)
        Biases of the affine layer.

    Returns
    -------
    out : numpy.ndarray, shape (N, M)
        Output of the ReLU.
    cache : tuple
        ``(affine_cache, relu_cache)``, the caches of the two layers, for
        :func:`affine_relu_backward`.
    """
    # YOUR CODE HERE
    raise NotImplementedError(
        'affine_relu_forward is not written yet: fill it in, guided by 03_backprop, section 8'
        ' "The affine-ReLU sandwich".'
    )
    return out, (affine_cache, relu_cache)


def affine_relu_backward(
    dout: np.ndarray, cache: tuple[Any, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`affine_relu_forward`.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, M)
        Upstream gradient.
    cache : tuple
        ``(affine_cache, relu_cache)`` from :func:`affine_relu_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, d_1, ..., d_k)
        Gradient with respect to ``x``.
    dw : numpy.ndarray, shape (D, M)
        Gradient with respect to ``w``.
    db : numpy.ndarray, shape (M,)
        Gradient with respect to ``b``.
    """
    affine_cache, relu_cache = cache
    # YOUR CODE HERE
    raise NotImplementedError(
        'affine_relu_backward is not written yet: fill it in, guided by 03_backprop, section '
        '8 "The affine-ReLU sandwich".'
    )
    return dx, dw, db


def _check_normalization(normalization: str) -> None:
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")


def affine_norm_relu_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
    norm_param: dict, normalization: str,
) -> tuple[np.ndarray, tuple[Any, Any, Any, str]]:
    """An affine layer, then batch or layer normalisation, then a ReLU.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, d_1, ..., d_k)
        Inputs, flattened per example into ``D = d_1 * ... * d_k`` numbers.
    w : numpy.ndarray, shape (D, M)
        Weights of the affine layer.
    b : numpy.ndarray, shape (M,)
        Biases of the affine layer.
    gamma, beta : numpy.ndarray, shape (M,)
        Scale and shift of the normalisation.
    norm_param : dict
        ``bn_param`` of :func:`~cs231n_utils.layers.batchnorm_forward` (updated there) or
        ``ln_param`` of :func:`~cs231n_utils.layers.layernorm_forward`.
    normalization : {"batchnorm", "layernorm"}
        Which normalisation.

    Returns
    -------
    out : numpy.ndarray, shape (N, M)
    cache : tuple
        ``(affine_cache, norm_cache, relu_cache, normalization)``.

    Raises
    ------
    ValueError
        If ``normalization`` is not one of the two.
    """
    _check_normalization(normalization)
    # YOUR CODE HERE
    raise NotImplementedError(
        'affine_norm_relu_forward is not written yet: fill it in, guided by 05_training, '
        'section 8 "A fully connected network of any depth".'
    )
    return out, (affine_cache, norm_cache, relu_cache, normalization)


def affine_norm_relu_backward(
    dout: np.ndarray, cache: tuple[Any, Any, Any, str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`affine_norm_relu_forward`.

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, M)
        Upstream gradient.
    cache : tuple
        ``(affine_cache, norm_cache, relu_cache, normalization)`` from the forward.

    Returns
    -------
    dx : numpy.ndarray, shape (N, d_1, ..., d_k)
    dw : numpy.ndarray, shape (D, M)
    db : numpy.ndarray, shape (M,)
    dgamma : numpy.ndarray, shape (M,)
    dbeta : numpy.ndarray, shape (M,)
    """
    affine_cache, norm_cache, relu_cache, normalization = cache
    # YOUR CODE HERE
    raise NotImplementedError(
        'affine_norm_relu_backward is not written yet: fill it in, guided by 05_training, '
        'section 8 "A fully connected network of any depth".'
    )
    return dx, dw, db, dgamma, dbeta


def conv_relu_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: dict
) -> tuple[np.ndarray, tuple[Any, Any]]:
    """A convolution (the fast layer) followed by a ReLU (given).

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C, H, W)
        Input images.
    w : numpy.ndarray, shape (F, C, HH, WW)
        Filters.
    b : numpy.ndarray, shape (F,)
        Biases.
    conv_param : dict
        ``{"stride": s, "pad": p}``, as for :func:`~cs231n_utils.fast_layers.conv_forward_fast`.

    Returns
    -------
    out : numpy.ndarray, shape (N, F, H_out, W_out)
        Output of the ReLU.
    cache : tuple
        ``(conv_cache, relu_cache)``, for :func:`conv_relu_backward`.
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    return out, (conv_cache, relu_cache)


def conv_relu_backward(
    dout: np.ndarray, cache: tuple[Any, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`conv_relu_forward` (given).

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, F, H_out, W_out)
        Upstream gradient.
    cache : tuple
        ``(conv_cache, relu_cache)`` from :func:`conv_relu_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, C, H, W)
    dw : numpy.ndarray, shape (F, C, HH, WW)
    db : numpy.ndarray, shape (F,)
    """
    conv_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return conv_backward_fast(da, conv_cache)


def conv_relu_pool_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: dict, pool_param: dict
) -> tuple[np.ndarray, tuple[Any, Any, Any]]:
    """A convolution, a ReLU and a max pooling (the fast layers; given).

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C, H, W)
        Input images.
    w : numpy.ndarray, shape (F, C, HH, WW)
        Filters.
    b : numpy.ndarray, shape (F,)
        Biases.
    conv_param : dict
        ``{"stride": s, "pad": p}`` of the convolution.
    pool_param : dict
        ``{"pool_height": ph, "pool_width": pw, "stride": s}`` of the pooling.

    Returns
    -------
    out : numpy.ndarray, shape (N, F, H_pool, W_pool)
        Output of the pooling.
    cache : tuple
        ``(conv_cache, relu_cache, pool_cache)``, for :func:`conv_relu_pool_backward`.
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (conv_cache, relu_cache, pool_cache)


def conv_relu_pool_backward(
    dout: np.ndarray, cache: tuple[Any, Any, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of :func:`conv_relu_pool_forward` (given).

    Parameters
    ----------
    dout : numpy.ndarray, shape (N, F, H_pool, W_pool)
        Upstream gradient.
    cache : tuple
        ``(conv_cache, relu_cache, pool_cache)`` from :func:`conv_relu_pool_forward`.

    Returns
    -------
    dx : numpy.ndarray, shape (N, C, H, W)
    dw : numpy.ndarray, shape (F, C, HH, WW)
    db : numpy.ndarray, shape (F,)
    """
    conv_cache, relu_cache, pool_cache = cache
    ds = max_pool_backward_fast(dout, pool_cache)
    da = relu_backward(ds, relu_cache)
    return conv_backward_fast(da, conv_cache)
