"""Argument checks shared by the convolution and pooling layers (naive and fast).

A convolution slides a filter of ``HH x WW`` over the zero-padded input in steps of
``stride``; it must land exactly on the far edge, i.e. ``(H + 2 * pad - HH)`` must be a
multiple of ``stride`` (likewise for the width). These helpers check the shapes and the
hyper-parameters once, with messages that name the offending argument and say what would
work, and return the output size. They are not graded: the layers call them before any
code a student writes, so a wrong argument always gets the same clear error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["check_conv_inputs", "check_pool_inputs", "output_size"]


def _positive_int(params: Mapping[str, Any], key: str, name: str,
                  minimum: int = 1) -> int:
    if key not in params:
        raise ValueError(f"{name} must have the key {key!r}; got keys {sorted(params)}")
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}[{key!r}] must be an integer >= {minimum}; got {value!r}")
    return int(value)


def output_size(size: int, filter_size: int, stride: int, pad: int, *,
                what: str = "height", names: str = "stride/pad") -> int:
    """Output size ``(size - filter_size + 2 * pad) / stride + 1`` when it is exact.

    Raises a ValueError naming the hyper-parameters (and nearby values that work) when the
    filter does not fit in the padded input or the steps do not tile it.
    """
    span = size + 2 * pad - filter_size
    if span < 0:
        raise ValueError(
            f"{names}: the window {what} {filter_size} is larger than the "
            + (f"input {what} {size}: use a smaller window (pooling does not pad)"
               if "pool" in names else
               f"padded input {what} {size} + 2 * {pad} = {size + 2 * pad}: use a smaller "
               "filter or more padding")
        )
    if span % stride:
        good = [s for s in range(1, min(span, 8) + 1) if span % s == 0] or [1]
        letter = "H" if what == "height" else "W"
        raise ValueError(
            f"{names} do not tile the input {what}: ({letter} - F + 2P) / S + 1 = "
            f"({size} - {filter_size} + 2*{pad}) / {stride} + 1 = {span / stride + 1:g} "
            f"is not an integer; strides that fit: {good}, or change the padding"
        )
    return span // stride + 1


def _check_images(x: np.ndarray) -> None:
    if not isinstance(x, np.ndarray) or x.ndim != 4:
        shape = getattr(x, "shape", type(x).__name__)
        raise ValueError(f"x must be a 4-D array of images, shape (N, C, H, W); got {shape}")


def check_conv_inputs(x: np.ndarray, w: np.ndarray, b: np.ndarray,
                      conv_param: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """Check a convolution's arguments; return ``(stride, pad, H_out, W_out)``.

    ``x`` is ``(N, C, H, W)``, ``w`` is ``(F, C, HH, WW)``, ``b`` is ``(F,)``, and
    ``conv_param`` holds ``'stride'`` (>= 1) and ``'pad'`` (>= 0).
    """
    _check_images(x)
    if not isinstance(w, np.ndarray) or w.ndim != 4:
        raise ValueError("w must be a 4-D array of filters, shape (F, C, HH, WW); "
                         f"got {getattr(w, 'shape', type(w).__name__)}")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"w must have as many channels as x: w.shape[1] = {w.shape[1]}, "
                         f"x.shape[1] = {x.shape[1]} (w is (F, C, HH, WW), x is (N, C, H, W))")
    if not isinstance(b, np.ndarray) or b.shape != (w.shape[0],):
        raise ValueError(f"b must have shape (F,) = ({w.shape[0]},), one bias per filter; "
                         f"got {getattr(b, 'shape', type(b).__name__)}")
    if not isinstance(conv_param, Mapping):
        raise ValueError("conv_param must be a dict with keys 'stride' and 'pad'; "
                         f"got {type(conv_param).__name__}")
    stride = _positive_int(conv_param, "stride", "conv_param")
    pad = _positive_int(conv_param, "pad", "conv_param", minimum=0)
    names = f"conv_param['stride'] and conv_param['pad'] with the {w.shape[2]}x{w.shape[3]} filter"
    H_out = output_size(x.shape[2], w.shape[2], stride, pad, what="height", names=names)
    W_out = output_size(x.shape[3], w.shape[3], stride, pad, what="width", names=names)
    return stride, pad, H_out, W_out


def check_pool_inputs(x: np.ndarray,
                      pool_param: Mapping[str, Any]) -> tuple[int, int, int, int, int]:
    """Check a max pooling's arguments; return ``(pool_height, pool_width, stride, H_out, W_out)``.

    ``x`` is ``(N, C, H, W)``; ``pool_param`` holds ``'pool_height'``, ``'pool_width'`` and
    ``'stride'`` (all >= 1). Pooling never pads.
    """
    _check_images(x)
    if not isinstance(pool_param, Mapping):
        raise ValueError("pool_param must be a dict with keys 'pool_height', 'pool_width' "
                         f"and 'stride'; got {type(pool_param).__name__}")
    ph = _positive_int(pool_param, "pool_height", "pool_param")
    pw = _positive_int(pool_param, "pool_width", "pool_param")
    stride = _positive_int(pool_param, "stride", "pool_param")
    H_out = output_size(x.shape[2], ph, stride, 0, what="height",
                        names="pool_param['pool_height'] and pool_param['stride']")
    W_out = output_size(x.shape[3], pw, stride, 0, what="width",
                        names="pool_param['pool_width'] and pool_param['stride']")
    return ph, pw, stride, H_out, W_out
