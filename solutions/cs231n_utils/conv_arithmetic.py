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
    ### BEGIN SOLUTION (04_cnn, section 2 "The arithmetic of a conv layer")
    for name, value, least in (("size", size, 1), ("filter_size", filter_size, 1),
                               ("stride", stride, 1), ("pad", pad, 0)):
        if int(value) != value or value < least:
            raise ValueError(f"{name} must be an integer >= {least}; got {value!r}")
    covered = size - filter_size + 2 * pad
    if covered < 0:
        raise ValueError(f"filter_size={filter_size} does not fit in the input: "
                         f"size + 2 * pad = {size} + 2 * {pad} = {size + 2 * pad}")
    if covered % stride != 0:
        raise ValueError(f"stride={stride} and pad={pad} do not tile size={size} with "
                         f"filter_size={filter_size}: ({size} - {filter_size} + 2 * {pad}) "
                         f"/ {stride} + 1 = {covered / stride + 1:g} is not an integer")
    return int(covered // stride + 1)
    ### END SOLUTION


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
    ### BEGIN SOLUTION (04_cnn, section 2 "The arithmetic of a conv layer")
    weights_per_filter = filter_size * filter_size * depth
    return int(weights_per_filter * num_filters + num_filters)
    ### END SOLUTION
