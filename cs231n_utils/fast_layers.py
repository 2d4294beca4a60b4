"""Fast convolution and max pooling layers, in plain NumPy.

The same layers as ``conv_forward_naive`` & co. in :mod:`cs231n_utils.layers`, with the
same contract (``out, cache = forward(...)``, gradients returned in the forward's input
order), but written so that NumPy does the loops in C:

* a convolution becomes ONE matrix product per image thanks to **im2col**, which copies
  every receptive field of the (padded) input into a column of a matrix;
* its backward pass is two more matrix products and **col2im**, the adjoint of im2col,
  which adds the columns back into image positions (a pixel shared by several receptive
  fields receives the sum of their contributions);
* max pooling takes the elementwise maximum of the ``pool_height * pool_width`` strided
  views of the input (one per position inside the window), remembering which view won.

Nothing here is graded: use these layers once your naive versions pass their checks, to
train convolutional networks in a reasonable time. Only NumPy is used.

Notes
-----
Column layout (see :func:`im2col`): ``(N, C * HH * WW, H_out * W_out)``. Image ``n`` gives
a ``(C * HH * WW, H_out * W_out)`` matrix whose column ``p`` is the receptive field of
output position ``p``, flattened in the same order as one filter ``w[f]``. Then
``w.reshape(F, -1) @ cols`` is ``(N, F, H_out * W_out)``: already the output, in
``(N, F, H_out, W_out)`` order, with no transpose.

Memory: the columns hold every input pixel ``HH * WW`` times (49 times for 7 x 7 filters,
about 60 MB for a batch of 50 CIFAR images in float64). So the convolution handles the
batch in blocks of a few images (about ``BLOCK_BYTES`` of columns each), which stay in the
CPU's cache, and the backward pass runs im2col again instead of keeping the columns: one
more cheap copy, much less memory traffic.

Dtypes: the layers compute in the common dtype of their inputs, at least float32 (float32
in, float32 out and gradients; float64 stays float64; integers become float64).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from cs231n_utils.conv_inputs import check_conv_inputs, check_pool_inputs, output_size

__all__ = [
    "col2im",
    "conv_backward_fast",
    "conv_forward_fast",
    "im2col",
    "max_pool_backward_fast",
    "max_pool_forward_fast",
]

# The convolution works on blocks of images whose columns take about this many bytes: a
# block's columns then stay in the CPU's cache between im2col and the matrix products,
# and no array of the size of a whole batch's columns is ever allocated.
BLOCK_BYTES = 4 * 2**20


# ============================================================================ helpers


def _float_dtype(*arrays: np.ndarray) -> np.dtype:
    """The dtype to compute in: the inputs' common type, at least float32.

    float32 inputs stay float32 (half the memory traffic, twice the speed); float64 stays
    float64; integer inputs are computed in float64.
    """
    return np.result_type(*(a.dtype for a in arrays), np.float32)


def _pad(x: np.ndarray, pad: int) -> np.ndarray:
    """``x`` with ``pad`` zeros on both sides of its last two axes (``x`` itself if 0).

    Faster than ``np.pad``: allocate zeros, copy the interior.
    """
    if pad == 0:
        return x
    N, C, H, W = x.shape
    x_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=x.dtype)
    x_pad[:, :, pad:pad + H, pad:pad + W] = x
    return x_pad


def _windows(x: np.ndarray, HH: int, WW: int, stride: int, H_out: int,
             W_out: int) -> np.ndarray:
    """A read-only VIEW (no copy) of ``x`` (N, C, H, W), shape (N, C, HH, WW, H_out, W_out).

    ``view[n, c, i, j, y, z] = x[n, c, y * stride + i, z * stride + j]``: for each offset
    ``(i, j)`` inside the filter, the ``(H_out, W_out)`` grid of the pixels that offset
    touches. Only the strides change: one step in ``y`` is ``stride`` rows of ``x``.
    """
    sN, sC, sH, sW = x.strides
    N, C = x.shape[:2]
    return as_strided(x, shape=(N, C, HH, WW, H_out, W_out),
                      strides=(sN, sC, sH, sW, stride * sH, stride * sW), writeable=False)


# ============================================================================ im2col


def im2col(x: np.ndarray, filter_height: int, filter_width: int, stride: int,
           pad: int) -> np.ndarray:
    """Copy every receptive field of the zero-padded images into a column.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Images.
    filter_height, filter_width : int
        Size ``HH x WW`` of the receptive field (the filter).
    stride : int
        Step between receptive fields, in pixels, along both axes.
    pad : int
        Zeros added on each side of both spatial axes before sliding.

    Returns
    -------
    cols : ndarray, shape (N, C * HH * WW, H_out * W_out)
        ``cols[n, (c * HH + i) * WW + j, y * W_out + z] = x_pad[n, c, y * stride + i,
        z * stride + j]``, with ``H_out = (H + 2 * pad - HH) // stride + 1`` (likewise
        ``W_out``). Row order matches ``w.reshape(F, -1)`` for filters ``w`` of shape
        ``(F, C, HH, WW)``; column order matches the output's ``(H_out, W_out)``. Same dtype
        as ``x``; a new contiguous array.

    Raises
    ------
    ValueError
        If the filter does not fit in the padded input or ``stride`` does not tile it.
    """
    N, C, H, W = x.shape
    H_out = output_size(H, filter_height, stride, pad, what="height", names="stride/pad")
    W_out = output_size(W, filter_width, stride, pad, what="width", names="stride/pad")
    windows = _windows(_pad(x, pad), filter_height, filter_width, stride, H_out, W_out)
    # The view already has the order we want: copy it into a contiguous matrix (the one
    # copy of im2col), seen through the view's 6-D shape while it is filled.
    cols = np.empty((N, C * filter_height * filter_width, H_out * W_out), dtype=x.dtype)
    cols.reshape(windows.shape)[...] = windows
    return cols


def col2im(cols: np.ndarray, x_shape: tuple[int, int, int, int], filter_height: int,
           filter_width: int, stride: int, pad: int) -> np.ndarray:
    """Add columns back into images: the adjoint (transpose) of :func:`im2col`.

    Every entry of ``cols`` is added to the pixel :func:`im2col` copied it from; a pixel
    that belongs to several receptive fields receives the sum. So this is *not* the
    inverse of im2col, but its transpose: ``np.sum(im2col(x, ...) * cols) ==
    np.sum(x * col2im(cols, x.shape, ...))`` for all ``x`` and ``cols``, which is exactly
    what a backward pass needs (``dx = col2im(dcols)``).

    Parameters
    ----------
    cols : ndarray, shape (N, C * HH * WW, H_out * W_out)
        Columns laid out as :func:`im2col` returns them (e.g. the gradient of the loss with
        respect to im2col's output).
    x_shape : tuple of int
        ``(N, C, H, W)``, the shape of the images (before padding).
    filter_height, filter_width, stride, pad : int
        As given to :func:`im2col`.

    Returns
    -------
    x : ndarray, shape (N, C, H, W)
        Same dtype as ``cols``; the padding's share is dropped.

    Raises
    ------
    ValueError
        If the hyper-parameters do not tile ``x_shape`` or ``cols`` has the wrong shape.
    """
    N, C, H, W = x_shape
    HH, WW = filter_height, filter_width
    H_out = output_size(H, HH, stride, pad, what="height", names="stride/pad")
    W_out = output_size(W, WW, stride, pad, what="width", names="stride/pad")
    if cols.shape != (N, C * HH * WW, H_out * W_out):
        raise ValueError(f"cols must have shape (N, C * HH * WW, H_out * W_out) = "
                         f"{(N, C * HH * WW, H_out * W_out)}; got {cols.shape}")
    cols6 = cols.reshape(N, C, HH, WW, H_out, W_out)
    x_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=cols.dtype)
    # One loop step per offset (i, j) inside the filter, HH * WW steps in all: the values
    # im2col took from the strided slice x_pad[:, :, i::stride, j::stride] go back there.
    # Inside one step no two values land on the same pixel, so a plain += is right (no
    # np.add.at); pixels shared by several receptive fields are reached by several steps.
    for i in range(HH):
        for j in range(WW):
            rows = slice(i, i + stride * H_out, stride)
            columns = slice(j, j + stride * W_out, stride)
            x_pad[:, :, rows, columns] += cols6[:, :, i, j]
    if pad == 0:
        return x_pad
    return x_pad[:, :, pad:pad + H, pad:pad + W]


# ======================================================================= convolution


def _image_blocks(N: int, bytes_per_image: int) -> list[slice]:
    """Slices of the batch, each of as many images as fit in ``BLOCK_BYTES`` of columns."""
    step = max(1, BLOCK_BYTES // bytes_per_image)
    return [slice(start, min(start + step, N)) for start in range(0, N, step)]


def conv_forward_fast(x: np.ndarray, w: np.ndarray, b: np.ndarray,
                      conv_param: Mapping[str, Any]) -> tuple[np.ndarray, tuple]:
    """Forward pass of a convolutional layer, with im2col and a matrix product.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input images.
    w : ndarray, shape (F, C, HH, WW)
        Filters.
    b : ndarray, shape (F,)
        Biases, one per filter.
    conv_param : dict
        ``'stride'``: step in pixels between receptive fields (>= 1); ``'pad'``: zeros
        added on each side of both spatial axes (>= 0).

    Returns
    -------
    out : ndarray, shape (N, F, H_out, W_out)
        ``H_out = (H + 2 * pad - HH) / stride + 1``, ``W_out = (W + 2 * pad - WW) / stride
        + 1``. The inputs' dtype (float32 stays float32; see the module's notes).
    cache : tuple
        What :func:`conv_backward_fast` needs: ``(x, w, stride, pad)``, references to the
        inputs (converted to the computing dtype). The columns are not kept.

    Raises
    ------
    ValueError
        If the shapes do not fit or ``stride``/``pad`` do not tile the input (message from
        :func:`cs231n_utils.conv_inputs.check_conv_inputs`).
    """
    stride, pad, H_out, W_out = check_conv_inputs(x, w, b, conv_param)
    dtype = _float_dtype(x, w, b)
    x, w, b = (a.astype(dtype, copy=False) for a in (x, w, b))
    N = x.shape[0]
    F, C, HH, WW = w.shape
    w_rows = w.reshape(F, C * HH * WW)   # row f: filter f, flattened in im2col's row order
    out = np.empty((N, F, H_out * W_out), dtype=dtype)
    for block in _image_blocks(N, w_rows[0].nbytes * H_out * W_out):
        cols = im2col(x[block], HH, WW, stride, pad)    # (n, C*HH*WW, H_out*W_out)
        out_block = out[block]                          # a view: written in place
        np.matmul(w_rows, cols, out=out_block)          # (n, F, H_out*W_out), per image
        out_block += b[:, None]
    return out.reshape(N, F, H_out, W_out), (x, w, stride, pad)


def conv_backward_fast(dout: np.ndarray,
                       cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a convolutional layer.

    Parameters
    ----------
    dout : ndarray, shape (N, F, H_out, W_out)
        Gradient of the loss with respect to the layer's output.
    cache : tuple
        From :func:`conv_forward_fast`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        Gradient with respect to ``x``.
    dw : ndarray, shape (F, C, HH, WW)
        Gradient with respect to ``w``.
    db : ndarray, shape (F,)
        Gradient with respect to ``b``.

    All three have the forward's computing dtype (float32 stays float32).
    """
    x, w, stride, pad = cache
    N = x.shape[0]
    F, C, HH, WW = w.shape
    w_rows = w.reshape(F, C * HH * WW)
    dout = dout.astype(x.dtype, copy=False).reshape(N, F, -1)   # (N, F, H_out*W_out)
    db = dout.sum(axis=(0, 2))
    dw_rows = np.zeros_like(w_rows)
    dx = np.empty(x.shape, dtype=x.dtype)
    # Forward, per image: out = w_rows @ cols. So dw_rows = sum over images of
    # dout @ cols.T, and dcols = w_rows.T @ dout, which col2im sends back to the pixels.
    for block in _image_blocks(N, w_rows[0].nbytes * dout.shape[2]):
        cols = im2col(x[block], HH, WW, stride, pad)    # again: cheaper than keeping it
        dout_block = dout[block]
        dw_rows += np.matmul(dout_block, cols.transpose(0, 2, 1)).sum(axis=0)
        dcols = w_rows.T @ dout_block                   # (n, C*HH*WW, H_out*W_out)
        dx[block] = col2im(dcols, x[block].shape, HH, WW, stride, pad)
    return dx, dw_rows.reshape(w.shape), db


# ======================================================================= max pooling


def max_pool_forward_fast(x: np.ndarray,
                          pool_param: Mapping[str, Any]) -> tuple[np.ndarray, tuple]:
    """Forward pass of a max pooling layer (no padding).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input.
    pool_param : dict
        ``'pool_height'``, ``'pool_width'``: size of each window; ``'stride'``: step
        between windows (windows overlap when it is smaller than the window).

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out)
        ``H_out = (H - pool_height) / stride + 1`` (likewise ``W_out``); the largest value
        of each window. Same dtype as ``x``.
    cache : tuple
        What :func:`max_pool_backward_fast` needs: ``(x_shape, switches, pool_height,
        pool_width, stride)``, where ``switches`` (N, C, H_out, W_out) holds, for each
        window, the row-major position ``i * pool_width + j`` of its first maximum.

    Raises
    ------
    ValueError
        If the window does not fit or ``stride`` does not tile the input (message from
        :func:`cs231n_utils.conv_inputs.check_pool_inputs`).
    """
    ph, pw, stride, H_out, W_out = check_pool_inputs(x, pool_param)
    # view[:, :, i, j] is the (H_out, W_out) grid of the pixels at offset (i, j) of their
    # window: instead of looping over the windows, loop over the ph * pw offsets and take
    # elementwise maxima of whole grids.
    view = _windows(x, ph, pw, stride, H_out, W_out)
    out = view[:, :, 0, 0].copy()
    switches = np.zeros(out.shape, dtype=np.int8 if ph * pw <= 127 else np.int32)
    candidate = np.empty_like(out)
    better = np.empty(out.shape, dtype=bool)
    for k in range(1, ph * pw):                 # k = i * pw + j, row-major in the window
        # One copy of the strided grid into a contiguous buffer: the two operations below
        # then run on contiguous memory, which NumPy does several times faster.
        np.copyto(candidate, view[:, :, k // pw, k % pw])
        # Strictly greater: on a tie the earlier offset keeps the switch (as in PyTorch).
        np.greater(candidate, out, out=better)
        # switches = where(better, k, switches), written as a maximum because k is larger
        # than every switch so far (np.where and masked copies are several times slower).
        np.maximum(switches, better.astype(switches.dtype) * k, out=switches)
        np.maximum(out, candidate, out=out)
    return out, (x.shape, switches, ph, pw, stride)


def max_pool_backward_fast(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """Backward pass of a max pooling layer.

    Each window's gradient goes to the (first) position of its maximum only; where
    windows overlap, a pixel collects the gradients of every window it wins.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H_out, W_out)
        Gradient of the loss with respect to the pooled output.
    cache : tuple
        From :func:`max_pool_forward_fast`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        Gradient with respect to ``x``; same dtype as ``dout``.
    """
    x_shape, switches, ph, pw, stride = cache
    N, C, H_out, W_out = switches.shape
    # stride == window: every pixel is in exactly one window and receives a value below,
    # so dx needs no zeros first. Windows overlap when the stride is smaller: then a pixel
    # may win several windows and its gradients must add up.
    tiles = stride == ph and stride == pw
    overlap = stride < ph or stride < pw
    dx = np.empty(x_shape, dtype=dout.dtype) if tiles else np.zeros(x_shape, dtype=dout.dtype)
    grad = np.empty_like(dout)
    for k in range(ph * pw):
        i, j = divmod(k, pw)
        # The pixels at offset (i, j) of every window: a strided view of dx, no copy.
        target = dx[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride]
        np.multiply(dout, switches == k, out=grad)   # dout where offset k won, 0 elsewhere
        if overlap:
            target += grad
        else:
            target[...] = grad
    return dx
