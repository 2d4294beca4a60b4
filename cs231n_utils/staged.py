# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""Backpropagation by hand, on the two examples of the lecture notes.

Each example is written the way the notes write it: the forward pass as a list of small
stages, one elementary operation each, and the backward pass as the same stages visited in
reverse, each turning the gradient of its output into gradients of its inputs with the
chain rule. The functions follow the layer contract of :mod:`cs231n_utils.layers`:
``f, cache = ..._forward(inputs)`` and ``d_inputs = ..._backward(df, cache)``, where
``df`` is the gradient of whatever comes after ``f`` (1.0 when ``f`` is the end).

All functions work elementwise, so the inputs may be Python floats or NumPy arrays of one
shape (each entry is then an independent copy of the example).

Assignment 03_backprop: the forwards are given; the backwards are yours.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "add_multiply_backward",
    "add_multiply_forward",
    "staged_example_backward",
    "staged_example_forward",
]

Number = Any  # a float, or a NumPy array of floats (elementwise)


# ======================================================================= f = (x + y) z


def add_multiply_forward(x: Number, y: Number, z: Number) -> tuple[Number, tuple]:
    """Forward pass of ``f = (x + y) * z`` in two stages: ``q = x + y``, ``f = q * z``.

    Parameters
    ----------
    x, y, z : float or numpy.ndarray
        Inputs (arrays of one shape are handled elementwise).

    Returns
    -------
    f : float or numpy.ndarray
        The output.
    cache : tuple
        ``(x, y, z, q)``, for :func:`add_multiply_backward`.
    """
    q = x + y
    f = q * z
    return f, (x, y, z, q)


def add_multiply_backward(df: Number, cache: tuple) -> tuple[Number, Number, Number]:
    """Backward pass of :func:`add_multiply_forward`, stage by stage in reverse.

    Parameters
    ----------
    df : float or numpy.ndarray
        Gradient of the final result with respect to ``f`` (1.0 if ``f`` is the result).
    cache : tuple
        ``(x, y, z, q)`` from :func:`add_multiply_forward`.

    Returns
    -------
    dx, dy, dz : float or numpy.ndarray
        Gradients with respect to ``x``, ``y`` and ``z``.
    """
    x, y, z, q = cache
    # YOUR CODE HERE
    raise NotImplementedError(
        'add_multiply_backward is not written yet: fill it in, guided by 03_backprop, section'
        ' 1 "Derivatives and the chain rule".'
    )
    return dx, dy, dz


# ========================================== f = (x + sigmoid(y)) / (sigmoid(x) + (x + y)^2)


def staged_example_forward(x: Number, y: Number) -> tuple[Number, tuple]:
    """Forward pass of ``f = (x + sigmoid(y)) / (sigmoid(x) + (x + y) ** 2)``, in 8 stages.

    The stages, numbered as in the lecture notes::

        (1) sigy   = 1 / (1 + exp(-y))      sigmoid in the numerator
        (2) num    = x + sigy               numerator
        (3) sigx   = 1 / (1 + exp(-x))      sigmoid in the denominator
        (4) xpy    = x + y
        (5) xpysqr = xpy ** 2
        (6) den    = sigx + xpysqr          denominator
        (7) invden = 1 / den
        (8) f      = num * invden

    Parameters
    ----------
    x, y : float or numpy.ndarray
        Inputs (arrays of one shape are handled elementwise).

    Returns
    -------
    f : float or numpy.ndarray
        The output.
    cache : tuple
        ``(x, y, sigy, num, sigx, xpy, xpysqr, den, invden)``, every input and
        intermediate value, for :func:`staged_example_backward`.
    """
    sigy = 1.0 / (1.0 + np.exp(-y))    # (1)
    num = x + sigy                     # (2)
    sigx = 1.0 / (1.0 + np.exp(-x))    # (3)
    xpy = x + y                        # (4)
    xpysqr = xpy**2                    # (5)
    den = sigx + xpysqr                # (6)
    invden = 1.0 / den                 # (7)
    f = num * invden                   # (8)
    return f, (x, y, sigy, num, sigx, xpy, xpysqr, den, invden)


def staged_example_backward(df: Number, cache: tuple) -> tuple[Number, Number]:
    """Backward pass of :func:`staged_example_forward`: stages (8) down to (1).

    Every forward stage gets one backward stage that multiplies the gradient of the
    stage's output by the stage's local derivative. ``x`` and ``y`` are used by more than
    one stage: their gradients are the **sums** of what each stage sends back.

    Parameters
    ----------
    df : float or numpy.ndarray
        Gradient of the final result with respect to ``f`` (1.0 if ``f`` is the result).
    cache : tuple
        ``(x, y, sigy, num, sigx, xpy, xpysqr, den, invden)`` from
        :func:`staged_example_forward`.

    Returns
    -------
    dx, dy : float or numpy.ndarray
        Gradients with respect to ``x`` and ``y``.
    """
    x, y, sigy, num, sigx, xpy, xpysqr, den, invden = cache
    # YOUR CODE HERE
    raise NotImplementedError(
        'staged_example_backward is not written yet: fill it in, guided by 03_backprop, '
        'section 3 "A staged example: forward and backward".'
    )
    return dx, dy
