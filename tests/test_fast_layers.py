"""cs231n_utils.fast_layers (a helper, not graded) against PyTorch: conv2d and max_pool2d,
forward and autograd backward, in float64 (tight) and float32 (loose), on random shapes,
strides, paddings and (non-square) filters; ties and overlapping windows in pooling; im2col
and col2im as a pair of adjoint maps; bad hyper-parameters.
"""

import numpy as np
import pytest
import torch
from torch.nn import functional

from cs231n_utils import fast_layers
from cs231n_utils.fast_layers import (
    col2im,
    conv_backward_fast,
    conv_forward_fast,
    im2col,
    max_pool_backward_fast,
    max_pool_forward_fast,
)

SEEDS = range(12)
TOLERANCES = {np.float64: {"rtol": 1e-10, "atol": 1e-12}, np.float32: {"rtol": 2e-4, "atol": 2e-5}}


def assert_close(got, want, dtype):
    """Close to the torch tensor ``want``, with the tolerance of ``dtype``; same dtype."""
    want = want.detach().numpy()
    assert got.shape == want.shape
    assert got.dtype == dtype, f"dtype {got.dtype}, expected {np.dtype(dtype)}"
    scale = max(float(np.max(np.abs(want), initial=0.0)), 1.0)  # float32 sums lose digits
    tol = TOLERANCES[dtype]
    np.testing.assert_allclose(got, want, rtol=tol["rtol"], atol=tol["atol"] * scale)


def random_conv_case(rng):
    """x, w, b and conv_param with random sizes; the stride always tiles the padded input."""
    N, C, F = (int(n) for n in rng.integers(1, 5, size=3))
    HH, WW = (int(n) for n in rng.integers(1, 6, size=2))     # often non-square
    stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, 4))
    H_out, W_out = (int(n) for n in rng.integers(1, 7, size=2))
    H = (H_out - 1) * stride + HH - 2 * pad
    W = (W_out - 1) * stride + WW - 2 * pad
    if H < 1 or W < 1:                                         # too much padding: drop it
        pad = 0
        H, W = (H_out - 1) * stride + HH, (W_out - 1) * stride + WW
    x = rng.normal(size=(N, C, H, W))
    w = rng.normal(size=(F, C, HH, WW))
    b = rng.normal(size=F)
    return x, w, b, {"stride": stride, "pad": pad}


def torch_conv(x, w, b, conv_param, dout):
    """PyTorch's output and (dx, dw, db) by autograd."""
    tx, tw, tb = (torch.from_numpy(a).requires_grad_(True) for a in (x, w, b))
    out = functional.conv2d(tx, tw, tb, stride=conv_param["stride"], padding=conv_param["pad"])
    out.backward(torch.from_numpy(dout))
    return out, (tx.grad, tw.grad, tb.grad)


def torch_pool(x, pool_param, dout):
    tx = torch.from_numpy(x).requires_grad_(True)
    out = functional.max_pool2d(tx, (pool_param["pool_height"], pool_param["pool_width"]),
                                stride=pool_param["stride"])
    out.backward(torch.from_numpy(dout))
    return out, tx.grad


# ======================================================================= convolution


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", SEEDS)
def test_conv_forward_and_backward_match_torch(seed, dtype):
    rng = np.random.default_rng(seed)
    x, w, b, conv_param = (a.astype(dtype) if isinstance(a, np.ndarray) else a
                           for a in random_conv_case(rng))
    out, cache = conv_forward_fast(x, w, b, conv_param)
    dout = rng.normal(size=out.shape).astype(dtype)
    want_out, want_grads = torch_conv(x, w, b, conv_param, dout)
    assert_close(out, want_out, dtype)
    grads = conv_backward_fast(dout, cache)
    assert len(grads) == 3
    for got, want in zip(grads, want_grads, strict=True):
        assert_close(got, want, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("HH, WW, pad", [(3, 3, 1), (7, 7, 3)])
def test_conv_cifar_sized_batch_matches_torch(HH, WW, pad, dtype):
    """The benchmark's shapes, smaller batch: enough pixels that float32 rounding shows."""
    rng = np.random.default_rng(HH)
    x = rng.normal(size=(4, 3, 32, 32)).astype(dtype)
    w = rng.normal(size=(8, 3, HH, WW)).astype(dtype)
    b = rng.normal(size=8).astype(dtype)
    conv_param = {"stride": 1, "pad": pad}
    out, cache = conv_forward_fast(x, w, b, conv_param)
    dout = rng.normal(size=out.shape).astype(dtype)
    want_out, want_grads = torch_conv(x, w, b, conv_param, dout)
    assert out.shape == (4, 8, 32, 32)
    assert_close(out, want_out, dtype)
    for got, want in zip(conv_backward_fast(dout, cache), want_grads, strict=True):
        assert_close(got, want, dtype)


def test_conv_inputs_are_not_modified():
    rng = np.random.default_rng(0)
    x, w, b, conv_param = random_conv_case(rng)
    copies = [a.copy() for a in (x, w, b)]
    out, cache = conv_forward_fast(x, w, b, conv_param)
    dout = rng.normal(size=out.shape)
    dout_copy = dout.copy()
    conv_backward_fast(dout, cache)
    for a, copy in zip((x, w, b, dout), (*copies, dout_copy), strict=True):
        np.testing.assert_array_equal(a, copy)


@pytest.mark.parametrize(
    "conv_param, shape",
    [({"stride": 2, "pad": 1}, (1, 1, 6, 6)),     # (6 + 2 - 3) / 2 + 1 = 3.5
     ({"stride": 3, "pad": 0}, (1, 1, 7, 5)),     # (7 - 3) / 3 + 1 is not an integer
     ({"stride": 0, "pad": 1}, (1, 1, 5, 5))],
)
def test_conv_rejects_a_stride_that_does_not_tile(conv_param, shape):
    x = np.zeros(shape)
    w, b = np.zeros((2, 1, 3, 3)), np.zeros(2)
    with pytest.raises(ValueError, match="stride"):
        conv_forward_fast(x, w, b, conv_param)


# ======================================================================= max pooling


def random_pool_case(rng):
    N, C = (int(n) for n in rng.integers(1, 4, size=2))
    ph, pw = (int(n) for n in rng.integers(1, 4, size=2))
    stride = int(rng.integers(1, 4))
    H_out, W_out = (int(n) for n in rng.integers(1, 6, size=2))
    x = rng.normal(size=(N, C, (H_out - 1) * stride + ph, (W_out - 1) * stride + pw))
    return x, {"pool_height": ph, "pool_width": pw, "stride": stride}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", SEEDS)
def test_max_pool_forward_and_backward_match_torch(seed, dtype):
    rng = np.random.default_rng(seed)
    x, pool_param = random_pool_case(rng)
    x = x.astype(dtype)
    out, cache = max_pool_forward_fast(x, pool_param)
    dout = rng.normal(size=out.shape).astype(dtype)
    want_out, want_dx = torch_pool(x, pool_param, dout)
    assert_close(out, want_out, dtype)
    assert_close(max_pool_backward_fast(dout, cache), want_dx, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size, stride", [(2, 1), (3, 1), (3, 2)])
def test_overlapping_windows_add_their_gradients(size, stride, dtype):
    rng = np.random.default_rng(size * 10 + stride)
    pool_param = {"pool_height": size, "pool_width": size, "stride": stride}
    side = 4 * stride + size
    # Few distinct values: many ties, and pixels that win several windows.
    x = rng.integers(0, 3, size=(2, 3, side, side)).astype(dtype)
    out, cache = max_pool_forward_fast(x, pool_param)
    dout = rng.normal(size=out.shape).astype(dtype)
    want_out, want_dx = torch_pool(x, pool_param, dout)
    assert_close(out, want_out, dtype)
    dx = max_pool_backward_fast(dout, cache)
    assert_close(dx, want_dx, dtype)
    assert np.max(np.abs(dx)) > np.max(np.abs(dout))   # some pixel collected several


@pytest.mark.parametrize("pool_param", [
    {"pool_height": 2, "pool_width": 2, "stride": 2},
    {"pool_height": 2, "pool_width": 3, "stride": 1},
])
def test_ties_send_the_gradient_to_the_first_maximum(pool_param):
    x = np.full((1, 2, 5, 7) if pool_param["stride"] == 1 else (1, 2, 4, 6), 1.5)
    out, cache = max_pool_forward_fast(x, pool_param)
    dout = np.arange(1.0, out.size + 1).reshape(out.shape)
    dx = max_pool_backward_fast(dout, cache)
    want_out, want_dx = torch_pool(x, pool_param, dout)
    assert_close(out, want_out, np.float64)
    assert_close(dx, want_dx, np.float64)
    if pool_param["stride"] == 2:    # every window's top-left pixel gets its whole gradient
        np.testing.assert_array_equal(dx[:, :, ::2, ::2], dout)
        assert np.count_nonzero(dx) == dout.size


def test_large_pooling_windows_keep_the_right_switch():
    """A 12 x 12 window has 144 positions: more than an int8 switch can hold."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 2, 24, 24))
    pool_param = {"pool_height": 12, "pool_width": 12, "stride": 12}
    out, cache = max_pool_forward_fast(x, pool_param)
    dout = rng.normal(size=out.shape)
    want_out, want_dx = torch_pool(x, pool_param, dout)
    assert_close(out, want_out, np.float64)
    assert_close(max_pool_backward_fast(dout, cache), want_dx, np.float64)


def test_pool_rejects_a_stride_that_does_not_tile():
    with pytest.raises(ValueError, match="stride"):
        max_pool_forward_fast(np.zeros((1, 1, 32, 32)),
                              {"pool_height": 3, "pool_width": 3, "stride": 2})


# ======================================================================= im2col / col2im


@pytest.mark.parametrize("seed", range(6))
def test_im2col_and_col2im_are_adjoint(seed):
    rng = np.random.default_rng(seed)
    x, w, _, conv_param = random_conv_case(rng)
    HH, WW = w.shape[2:]
    args = (HH, WW, conv_param["stride"], conv_param["pad"])
    cols = im2col(x, *args)
    c = rng.normal(size=cols.shape)
    back = col2im(c, x.shape, *args)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-10)


def test_im2col_layout_is_the_documented_one():
    """cols[n, (c * HH + i) * WW + j, y * W_out + z] = x_pad[n, c, y*s + i, z*s + j]."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 7, 10))
    HH, WW, s, pad = 3, 2, 2, 1
    cols = im2col(x, HH, WW, s, pad)
    H_out, W_out = (7 + 2 - 3) // 2 + 1, (10 + 2 - 2) // 2 + 1
    assert cols.shape == (2, 3 * HH * WW, H_out * W_out)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    for n, c, i, j, y, z in [(0, 0, 0, 0, 0, 0), (1, 2, 2, 1, 3, 4), (0, 1, 1, 0, 2, 1)]:
        assert cols[n, (c * HH + i) * WW + j, y * W_out + z] == x_pad[n, c, y * s + i, z * s + j]
    # and w.reshape(F, -1) @ cols is the convolution, already in (N, F, H_out * W_out) order
    w = rng.normal(size=(4, 3, HH, WW))
    want = functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=s, padding=pad)
    got = (w.reshape(4, -1) @ cols).reshape(2, 4, H_out, W_out)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-12)


def test_col2im_adds_overlapping_contributions():
    """Ones through col2im count how many receptive fields hold each pixel."""
    cols = np.ones((1, 9, 9))                      # 5 x 5 image, 3 x 3 filter, stride 1
    counts = col2im(cols, (1, 1, 5, 5), 3, 3, 1, 0)[0, 0]
    per_axis = np.array([1, 2, 3, 2, 1])
    np.testing.assert_array_equal(counts, np.outer(per_axis, per_axis))


def test_im2col_rejects_a_stride_that_does_not_tile():
    with pytest.raises(ValueError, match="stride"):
        im2col(np.zeros((1, 1, 6, 6)), 3, 3, 2, 0)
    with pytest.raises(ValueError, match="stride"):
        col2im(np.zeros((1, 9, 4)), (1, 1, 6, 6), 3, 3, 2, 0)


@pytest.mark.parametrize("pad", [0, 2])
def test_conv_by_blocks_of_one_image_gives_the_same_result(monkeypatch, pad):
    """The batch is cut into blocks of images (fast_layers.BLOCK_BYTES); one image per
    block must give what one block of the whole batch gives."""
    rng = np.random.default_rng(7)
    x, w, b = rng.normal(size=(5, 2, 9, 8)), rng.normal(size=(3, 2, 3, 4)), rng.normal(size=3)
    conv_param = {"stride": 1, "pad": pad}
    out, cache = conv_forward_fast(x, w, b, conv_param)
    dout = rng.normal(size=out.shape)
    grads = conv_backward_fast(dout, cache)
    monkeypatch.setattr(fast_layers, "BLOCK_BYTES", 1)
    out_1, cache_1 = conv_forward_fast(x, w, b, conv_param)
    np.testing.assert_allclose(out_1, out, rtol=1e-12, atol=1e-12)
    for got, want in zip(conv_backward_fast(dout, cache_1), grads, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_im2col_returns_a_new_array_even_when_a_view_would_do():
    x = np.arange(12.0).reshape(1, 3, 2, 2)
    cols = im2col(x, 1, 1, 1, 0)            # 1 x 1 filters: the columns are the pixels
    np.testing.assert_array_equal(cols, x.reshape(1, 3, 4))
    assert not np.shares_memory(cols, x) and cols.flags.writeable


# ================================================================ against the naive ones


@pytest.mark.parametrize("seed", range(4))
def test_fast_layers_agree_with_the_naive_solutions(seed):
    # The naive layers are the course's solutions here (tests/conftest.py overlays them).
    from cs231n_utils import layers

    rng = np.random.default_rng(100 + seed)
    x, w, b, conv_param = random_conv_case(rng)
    out_fast, cache_fast = conv_forward_fast(x, w, b, conv_param)
    out_naive, cache_naive = layers.conv_forward_naive(x, w, b, conv_param)
    np.testing.assert_allclose(out_fast, out_naive, rtol=1e-10, atol=1e-12)
    dout = rng.normal(size=out_fast.shape)
    for fast, naive in zip(conv_backward_fast(dout, cache_fast),
                           layers.conv_backward_naive(dout, cache_naive), strict=True):
        np.testing.assert_allclose(fast, naive, rtol=1e-10, atol=1e-12)

    pool_param = {"pool_height": 2, "pool_width": 3, "stride": 1 + seed % 2}
    x = np.round(rng.normal(size=(2, 3, 6, 7)), 1)  # some ties; strides 1 and 2 both tile
    pooled_fast, pcache_fast = max_pool_forward_fast(x, pool_param)
    pooled_naive, pcache_naive = layers.max_pool_forward_naive(x, pool_param)
    np.testing.assert_array_equal(pooled_fast, pooled_naive)
    dpool = rng.normal(size=pooled_fast.shape)
    np.testing.assert_allclose(max_pool_backward_fast(dpool, pcache_fast),
                               layers.max_pool_backward_naive(dpool, pcache_naive),
                               rtol=1e-12, atol=1e-12)
