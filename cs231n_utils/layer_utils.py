# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F821, F841
"""Sandwich layers: a few layers that often follow each other, as one layer.

A sandwich's forward calls its layers' forwards in order and keeps their caches; its
backward calls their backwards in the reverse order. Same contract as
:mod:`cs231n_utils.layers`: ``out, cache = ..._forward(...)`` and
``d_inputs... = ..._backward(dout, cache)`` in the order of the forward's inputs.

Assignment 03_backprop: affine followed by ReLU.
Assignment 05_training: affine, then batch or layer normalisation, then ReLU.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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

__all__ = [
    "affine_norm_relu_backward",
    "affine_norm_relu_forward",
    "affine_relu_backward",
    "affine_relu_forward",
]

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
