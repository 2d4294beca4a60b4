# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""The arithmetic of a convolutional layer: how big its output is, how many parameters it has.

A convolutional layer is set by four hyper-parameters: the number of filters ``K``, their
spatial size ``F`` (``F x F``), the stride ``S`` and the zero padding ``P``. On an input
of width ``W`` and depth ``D`` it produces

* an output of width ``(W - F + 2P) / S + 1`` (likewise for the height) and depth ``K``;
* ``F * F * D`` weights per filter (weight sharing: the same filter at every position),
  so ``F * F * D * K`` weights and ``K`` biases in all.

Assignment 04_cnn, section 2.
"""

from __future__ import annotations

__all__ = ["conv_output_size", "conv_param_count"]


def conv_output_size(size: int, filter_size: int, stride: int = 1, pad: int = 0) -> int:
    """Width (or height) of a convolution's output: ``(W - F + 2P) / S + 1``.

    Parameters
    ----------
    size : int
        Input width ``W`` (>= 1).
    filter_size : int
        Filter width ``F`` (>= 1).
    stride : int
        Step ``S`` between neighbouring filter positions (>= 1).
    pad : int
        Zeros ``P`` added on each side (>= 0).

    Returns
    -------
    int
        The output width.

    Raises
    ------
    ValueError
        If a hyper-parameter is out of range, if the filter is wider than the padded
        input, or if ``(W - F + 2P)`` is not a multiple of ``S`` (the filter would not land
        exactly on the far edge). The message names the hyper-parameters and their values.
    """
    # YOUR CODE HERE
    raise NotImplementedError(
        'conv_output_size is not written yet: fill it in, guided by 04_cnn, section 2 "The '
        'arithmetic of a conv layer".'
    )


def conv_param_count(filter_size: int, depth: int, num_filters: int) -> int:
    """Number of parameters of a convolutional layer: ``F * F * D * K`` weights + ``K`` biases.

    Parameters
    ----------
    filter_size : int
        Filter width and height ``F``.
    depth : int
        Depth ``D`` of the input (its number of channels); each filter spans all of it.
    num_filters : int
        Number of filters ``K`` (the depth of the output).

    Returns
    -------
    int
        The number of weights and biases.
    """
    # YOUR CODE HERE
    raise NotImplementedError(
        'conv_param_count is not written yet: fill it in, guided by 04_cnn, section 2 "The '
        'arithmetic of a conv layer".'
    )
