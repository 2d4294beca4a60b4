# %% [markdown]
# # 04 - Convolutional networks
#
# The networks of 03 treat an image as a long list of numbers: every hidden unit is
# connected to every pixel, and nothing tells the network that neighbouring pixels belong
# together or that a sleeve is a sleeve wherever it appears. **Convolutional networks**
# build both facts into the architecture. A convolutional layer looks at small windows
# (local connectivity) and uses the same small filter at every position (weight sharing);
# pooling layers shrink the picture; a few fully connected layers at the end turn the
# features into class scores. This notebook writes these layers from scratch in NumPy,
# makes them fast, trains a small convnet with them, and then moves to PyTorch to build
# the ideas behind VGG, GoogLeNet (Inception) and ResNet.
#
# **What you write.** In `cs231n_utils/`:
#
# - `conv_arithmetic.py`: output size and parameter count of a conv layer (section 2);
# - `layers.py`: convolution forward and backward, max pooling forward and backward, the
#   plain way with loops (sections 3-5);
# - `classifiers/cnn.py`: `ThreeLayerConvNet` (section 8); it uses your ReLU, affine and
#   softmax layers of 03, so those must work (`make check A=03_backprop`);
# - `classifiers/cnn_torch.py`: the same net in PyTorch, a VGG block, an Inception module
#   and a residual block (sections 10-13);
#
# plus a few inline questions. The fast versions of convolution and pooling are given in
# `cs231n_utils/fast_layers.py` (section 6 explains how they work). Each function has a
# graded cell after its section: a visible check that prints `PASS ...` or stops with a
# one-line reason. Your points come from hidden tests on other random shapes against
# PyTorch, which the grader runs outside this notebook: only what your functions and
# modules return counts. From a terminal, `make check A=04_cnn` runs every visible check.
#
# **How long it takes.** Top to bottom, about three to five minutes on a laptop CPU with
# the embedded data. With the environment variable `CS231N_QUICK=1` (the grader sets
# `NBGRADER_EXECUTION`, with the same effect) the training runs shrink and everything
# finishes in well under a minute; the numbers get noisier, but every cell still runs.
#
# **Contents**
# 1. Local connectivity and weight sharing
# 2. The arithmetic of a conv layer
# 3. Convolution forward, naive
# 4. Convolution backward, naive
# 5. Max pooling, naive
# 6. Fast layers: im2col
# 7. Any fully connected layer is a conv layer
# 8. A three-layer convnet
# 9. Training the convnet
# 10. The same network in PyTorch
# 11. VGG blocks: stacks of 3x3 convolutions
# 12. Inception modules and global average pooling
# 13. Residual blocks
# 14. Parameter counts compared
# 15. Training a small residual network
# 16. Summary

# %%
import os

# Most work here is many small matrix products and convolutions. For those, one thread
# is about as fast as several, and on a busy machine several threads can be ten times
# slower (they wait for each other). So we ask NumPy's linear algebra library and PyTorch
# for one thread. This must happen before NumPy and PyTorch are first imported (restart
# the kernel if you change it); set the variables yourself to use more.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# %matplotlib inline
# %load_ext autoreload
# %autoreload 2

import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle
from tqdm.auto import tqdm

from cs231n_utils import fast_layers
from cs231n_utils.data import load_image_data
from cs231n_utils.gradient_check import eval_numerical_gradient_array, rel_error
from cs231n_utils.solver import Solver
from cs231n_utils.vis_utils import show_image_grid, show_images, visualize_grid

# The quick switch: the grader sets NBGRADER_EXECUTION; set CS231N_QUICK=1 yourself.
QUICK = bool(os.environ.get("NBGRADER_EXECUTION") or os.environ.get("CS231N_QUICK"))
plt.rcParams["figure.figsize"] = (9.0, 4.5)
plt.rcParams["image.interpolation"] = "nearest"
print("quick mode" if QUICK else "full mode", "- set CS231N_QUICK=1 for a fast run")

# %% [markdown]
# The data: the embedded Fashion-MNIST subset (or CIFAR-10, if you downloaded it with
# `bash datasets/get_datasets.sh`). Convolutional layers want images as
# `(N, C, H, W)`: example, channel, row, column. We scale the pixels to `[0, 1]` and
# subtract the mean training image, as in 02 and 03, and keep float32, which halves the
# memory and the time of every operation against float64. `raw` keeps the original
# pixels for pictures.

# %%
raw = load_image_data()
mean_image = (raw["X_train"] / 255.0).mean(axis=0)


def to_nchw(X):
    """(N, H, W, C) pixels 0..255 -> (N, C, H, W) float32, scaled and centred."""
    return (X / 255.0 - mean_image).transpose(0, 3, 1, 2).astype(np.float32)


data = {
    "X_train": to_nchw(raw["X_train"]), "y_train": raw["y_train"],
    "X_val": to_nchw(raw["X_val"]), "y_val": raw["y_val"],
    "X_test": to_nchw(raw["X_test"]), "y_test": raw["y_test"],
}
class_names = raw["class_names"]
input_dim = data["X_train"].shape[1:]
for name, value in data.items():
    print(f"{name}: {value.shape} {value.dtype}")
show_image_grid(raw["X_train"], raw["y_train"], class_names, samples_per_class=4)
plt.show()

# %% [markdown]
# ## 1. Local connectivity and weight sharing
#
# A hidden unit of a fully connected layer has one weight per input number: 784 on a
# 28x28 grey image, 3,072 on a 32x32 colour image, 120,000 on a 200x200 colour photo. A
# layer of a few hundred such units has tens of millions of weights, most of which it
# cannot learn from a few thousand images; it overfits.
#
# A **convolutional layer** makes two assumptions that images satisfy well:
#
# - **Local connectivity.** A unit looks at a small window of the input (its *receptive
#   field*), e.g. 5x5 pixels, but through the input's whole depth (all colour channels,
#   or all channels of the previous layer). Edges, corners and textures are local.
# - **Weight sharing.** The same weights (a *filter*) are used at every position: a
#   detector for a vertical edge is useful everywhere in the image. One filter slid over
#   the image gives one 2-D map of responses, an *activation map*; a layer with `K`
#   filters stacks `K` maps into an output volume of depth `K`.
#
# The filter moves by `S` pixels at a time (the **stride**), and the input may be
# surrounded by `P` rings of zeros (the **padding**), so the filter can also be centred on
# border pixels. Below, a 3x3 filter on a 5x5 input with padding 1 (grey) and stride 2:
# the windows of the four corner outputs are drawn; the output is 3x3.

# %%
def draw_windows(size=5, f=3, stride=2, pad=1):
    """Draw an input with its padding and the windows of the output's four corners."""
    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    full = size + 2 * pad
    for r in range(full):
        for c in range(full):
            inside = pad <= r < pad + size and pad <= c < pad + size
            ax.add_patch(Rectangle((c, full - 1 - r), 1, 1, fc="white" if inside else "0.85",
                                   ec="0.6"))
    n_out = (size - f + 2 * pad) // stride + 1
    colours = ["tab:red", "tab:blue", "tab:green", "tab:orange"]
    corners = [(0, 0), (0, n_out - 1), (n_out - 1, 0), (n_out - 1, n_out - 1)]
    for colour, (i, j) in zip(colours, corners, strict=True):
        top, left = i * stride, j * stride
        ax.add_patch(Rectangle((left + 0.08, full - top - f + 0.08), f - 0.16, f - 0.16,
                               fill=False, ec=colour, lw=2.5))
    ax.set_xlim(0, full)
    ax.set_ylim(0, full)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"W={size}, F={f}, S={stride}, P={pad}: output {n_out}x{n_out}")
    plt.show()


draw_windows()

# %% [markdown]
# ## 2. The arithmetic of a conv layer
#
# A conv layer is set by four hyper-parameters: the number of filters `K`, their size `F`
# (`F x F`), the stride `S` and the padding `P`. On an input volume of width `W`, height
# `H` and depth `D`:
#
# - the output has width `(W - F + 2P) / S + 1` (height likewise) and depth `K`. This must
#   be a whole number: otherwise the filter does not land exactly on the far edge, and the
#   hyper-parameters are invalid for this input;
# - each filter has `F * F * D` weights (it spans the whole depth), shared over all
#   positions; the layer has `F * F * D * K` weights and `K` biases.
#
# A common setting is `F = 3, S = 1, P = 1`, which keeps the width and height unchanged.
#
# In `cs231n_utils/conv_arithmetic.py` write `conv_output_size(size, filter_size, stride,
# pad)` (raise a `ValueError` that names the stride, the padding and their values when the
# numbers do not fit) and `conv_param_count(filter_size, depth, num_filters)`.

# %% nbgrader={"grade": true, "grade_id": "conv_output_size", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): conv_arithmetic.conv_output_size
from cs231n_utils.checks.cnn import check_conv_output_size

check_conv_output_size()

# %% nbgrader={"grade": true, "grade_id": "conv_param_count", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): conv_arithmetic.conv_param_count
from cs231n_utils.checks.cnn import check_conv_param_count

check_conv_param_count()

# %% [markdown]
# Some layers of famous networks, and ours. AlexNet's first layer has 96 filters of 11x11
# with stride 4 on 227x227x3 images; a VGG layer has 3x3 filters with stride 1 and padding
# 1; our three-layer convnet (section 8) has 32 filters of 7x7 with padding 3.

# %%
from cs231n_utils.conv_arithmetic import conv_output_size, conv_param_count

examples = [
    # name, input width, depth, K, F, S, P
    ("AlexNet conv1", 227, 3, 96, 11, 4, 0),
    ("VGG conv (3x3)", 224, 64, 64, 3, 1, 1),
    ("our conv (7x7)", input_dim[1], input_dim[0], 32, 7, 1, 3),
    ("FC as conv", 7, 512, 4096, 7, 1, 0),
    ("AlexNet on 224", 224, 3, 96, 11, 4, 0),
]
print(f"{'layer':16s} {'input':>12s} {'F':>3s} {'S':>2s} {'P':>2s} {'output':>14s} "
      f"{'parameters':>12s}")
for name, width, depth, k, f, s, p in examples:
    try:
        out = conv_output_size(width, f, s, p)
        shape = f"{out}x{out}x{k}"
    except ValueError as error:
        shape = "invalid"
        message = str(error)
    print(f"{name:16s} {f'{width}x{width}x{depth}':>12s} {f:3d} {s:2d} {p:2d} {shape:>14s} "
          f"{conv_param_count(f, depth, k):12,d}")
print("\nAlexNet on 224:", message)

# %% [markdown]
# ### Inline question 1
#
# The AlexNet paper describes its input as 224x224x3, but with `F = 11, S = 4, P = 0` the
# numbers do not work out, as the last line shows. Why not? Can any symmetric zero padding
# `P` fix it? Name two changes that would.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_alexnet", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# (224 - 11 + 2P) / 4 + 1 must be a whole number, so 213 + 2P must be a multiple of 4.
# 213 is odd and 2P is even, so 213 + 2P is always odd: no symmetric padding helps. It
# works with an input of 227 (the size the implementation actually used: (227 - 11) / 4
# + 1 = 55), with one extra row and column of padding on one side only (224 + 3 = 227),
# or with a 12x12 filter ((224 - 12) / 4 + 1 = 54). Libraries that silently round down
# (PyTorch's conv2d floors) would drop the last column of pixels instead.
# ### END SOLUTION

# %% [markdown]
# ## 3. Convolution forward, naive
#
# For example `n` and filter `f`, the output at row `i`, column `j` is the filter's dot
# product with the window of the zero-padded input that starts at row `i * S`, column
# `j * S`, plus the filter's bias:
#
# $$\text{out}[n, f, i, j] = b_f + \sum_{c, r, s} w[f, c, r, s]\;
#   x_{\text{pad}}[n, c, iS + r, jS + s].$$
#
# (Strictly this is a cross-correlation: a mathematical convolution would flip the
# filter. Deep learning libraries all compute the form above and call it convolution; as
# the filter is learned, the flip makes no difference.)
#
# Write `conv_forward_naive(x, w, b, conv_param)` in `cs231n_utils/layers.py` with loops:
# clarity first, speed in section 6. `np.pad` pads the height and width. The argument
# checks (shapes, and a stride/padding that tile the input) are done for you before your
# code runs.

# %% nbgrader={"grade": true, "grade_id": "conv_forward_naive", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): layers.conv_forward_naive
from cs231n_utils.checks.cnn import check_conv_forward_naive

check_conv_forward_naive()

# %% [markdown]
# What does a filter do? Three filters made by hand, applied to two images with your
# `conv_forward_naive`: a vertical-edge detector (left minus right), a horizontal-edge
# detector (top minus bottom) and a blur (the average of a 5x5 window). Strong responses
# (bright or dark) mark where the image matches the filter's pattern. The first layer of
# a trained convnet learns filters much like these (section 9 shows them).

# %%
from cs231n_utils.layers import conv_forward_naive

edges = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=float)
hand_made = np.zeros((3, 1, 5, 5))
hand_made[0, 0, 1:4, 1:4] = edges            # vertical edges
hand_made[1, 0, 1:4, 1:4] = edges.T          # horizontal edges
hand_made[2, 0] = 1.0 / 25                   # blur
images = raw["X_train"][[1, 2]].transpose(0, 3, 1, 2)[:, :1] / 255.0  # channel 0, (2,1,H,W)
responses, _ = conv_forward_naive(images, hand_made, np.zeros(3), {"stride": 1, "pad": 2})
panels, titles = [], []
for n in range(2):
    panels += [images[n, 0]] + [responses[n, k] for k in range(3)]
    titles += ["image", "vertical edges", "horizontal edges", "blur"]
show_images(panels, titles, ncols=4)
plt.show()

# %% [markdown]
# ## 4. Convolution backward, naive
#
# Each output number `out[n, f, i, j]` was made from one window of the padded input and the
# whole filter `w[f]`, like a multiply gate between them (03, section 2). So its gradient
# `dout[n, f, i, j]`
#
# - flows into that window of `dx_pad`, times `w[f]`;
# - flows into `dw[f]`, times the window;
# - flows into `db[f]` as it is.
#
# Neighbouring windows overlap when `S < F`, and every filter is used at every position:
# gradients **add up** (`+=`), the rule for a value used in several places. At the end,
# cut the padding off `dx_pad`. Write `conv_backward_naive(dout, cache)`.

# %% nbgrader={"grade": true, "grade_id": "conv_backward_naive", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Graded (3 points): layers.conv_backward_naive
from cs231n_utils.checks.cnn import check_conv_backward_naive

check_conv_backward_naive()

# %% [markdown]
# The visible check compared with PyTorch's autograd. The classic check needs no other
# library: numerical gradients (centred differences, float64). Relative errors around
# 1e-9 or below mean the backward pass is right.

# %%
from cs231n_utils.layers import conv_backward_naive

rng = np.random.default_rng(0)
x, w, b = rng.normal(size=(2, 3, 7, 7)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
conv_param = {"stride": 2, "pad": 1}
out, cache = conv_forward_naive(x, w, b, conv_param)
dout = rng.normal(size=out.shape)
dx, dw, db = conv_backward_naive(dout, cache)
dx_num = eval_numerical_gradient_array(lambda v: conv_forward_naive(v, w, b, conv_param)[0],
                                       x, dout)
dw_num = eval_numerical_gradient_array(lambda v: conv_forward_naive(x, v, b, conv_param)[0],
                                       w, dout)
db_num = eval_numerical_gradient_array(lambda v: conv_forward_naive(x, w, v, conv_param)[0],
                                       b, dout)
print(f"dx error {rel_error(dx, dx_num):.1e}, dw error {rel_error(dw, dw_num):.1e}, "
      f"db error {rel_error(db, db_num):.1e}")

# %% [markdown]
# ## 5. Max pooling, naive
#
# A **pooling layer** shrinks each activation map on its own, which cuts the computation
# of the layers above and makes the network care less about exactly where a feature is.
# Max pooling keeps the largest value of each window; the usual setting is 2x2 windows
# with stride 2, which keeps one number out of four. It has no parameters.
#
# Its backward pass is the max gate of 03: only the input that was the maximum influenced
# the output, so it alone receives the window's gradient; the others get zero. The
# positions of the maxima, remembered from the forward pass, are sometimes called the
# **switches**. When a window holds its maximum twice, give the gradient to the first
# one in row-major order (PyTorch does the same). Windows overlap when the stride is
# smaller than the window: add.
#
# Write `max_pool_forward_naive(x, pool_param)` and `max_pool_backward_naive(dout, cache)`.

# %% nbgrader={"grade": true, "grade_id": "max_pool_forward_naive", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): layers.max_pool_forward_naive
from cs231n_utils.checks.cnn import check_max_pool_forward_naive

check_max_pool_forward_naive()

# %% nbgrader={"grade": true, "grade_id": "max_pool_backward_naive", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): layers.max_pool_backward_naive
from cs231n_utils.checks.cnn import check_max_pool_backward_naive

check_max_pool_backward_naive()

# %% [markdown]
# The switches, drawn: a 4x4 input (numbers), 2x2 pooling with stride 2, and an upstream
# gradient of 1, 2, 3, 4 for the four outputs. Each gradient lands on its window's
# maximum; every other input gets 0.

# %%
from cs231n_utils.layers import max_pool_backward_naive, max_pool_forward_naive

x4 = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 3], [2, 6, 1, 2]], float)[None, None]
pool2 = {"pool_height": 2, "pool_width": 2, "stride": 2}
pooled4, pool_cache4 = max_pool_forward_naive(x4, pool2)
dx4 = max_pool_backward_naive(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), pool_cache4)
fig, axes = plt.subplots(1, 3, figsize=(9, 3))
for ax, grid, title in zip(axes, (x4[0, 0], pooled4[0, 0], dx4[0, 0]),
                           ("input", "max pool 2x2, stride 2", "gradient back to the input"),
                           strict=True):
    ax.imshow(grid, cmap="Blues", vmin=0, vmax=grid.max())
    for (r, c), v in np.ndenumerate(grid):
        ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=13,
                color="white" if v > 0.6 * grid.max() else "black")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# ### Inline question 2
#
# Max pooling has no parameters, so there is nothing in it to learn. Give two reasons why
# a network still profits from it. Then: during training, what fraction of the inputs of a
# 2x2, stride-2 max pooling layer receive a non-zero gradient in one backward pass?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_pooling", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# It shrinks the activation maps by four, so every layer above costs four times less
# computation and memory (and an affine layer on top needs four times fewer weights). And
# it makes the output tolerant to small shifts: a feature that moves by a pixel inside a
# window gives the same maximum. It also widens the receptive field of the layers above.
# In one backward pass only the maximum of each window gets a gradient: one input in four
# (25%, fewer still if a window's gradient is zero); the other 75% get exactly zero.
# ### END SOLUTION

# %% [markdown]
# ## 6. Fast layers: im2col
#
# The naive layers run four nested Python loops, one multiply of a small window per
# output number. Even one small batch takes seconds. The fast versions in
# `cs231n_utils/fast_layers.py` (given, pure NumPy, no compilation step) rearrange the
# work so that almost all of it is one big matrix product, which BLAS runs at full speed:
#
# 1. **im2col** ("image to columns") copies every window of the padded input into one
#    column of a matrix: `C * F * F` rows, one column per output position. NumPy's stride
#    tricks make this a view of the input that is then copied once, without Python loops.
# 2. The filters, reshaped to a `K x (C * F * F)` matrix, multiply that matrix: one dot
#    product per filter and position, i.e. the whole forward pass.
# 3. The backward pass is two more matrix products (`dw` and the gradient of the columns)
#    and **col2im**, which adds each column's gradient back into the window it came from.
#
# The price is memory: each input pixel is copied into up to `F * F` columns. Here is
# im2col on a 1x1x4x4 input with a 3x3 filter, stride 1, no padding: four windows, four
# columns of nine numbers.

# %%
tiny = np.arange(16, dtype=float).reshape(1, 1, 4, 4)
print("input:\n", tiny[0, 0])
print("columns (one window per column):\n", fast_layers.im2col(tiny, 3, 3, 1, 0)[0])

# %% [markdown]
# The fast layers against your naive ones: same numbers (up to rounding), many times
# faster. The bigger comparison is `benchmarks/bench_conv.py`, which times a CIFAR-sized
# batch (50 images, 3 -> 32 channels, 3x3 and 7x7 filters, float32 and float64) against
# PyTorch's `conv2d`.

# %%
rng = np.random.default_rng(1)
x = rng.normal(size=(4, 3, 16, 16))
w, b = rng.normal(size=(8, 3, 5, 5)), rng.normal(size=8)
conv_param = {"stride": 1, "pad": 2}
pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

timings = {}


def timed(name, f, *args):
    """Run f(*args), keep the fastest time (of 1 run for the naive, 5 for the fast ones)."""
    best = np.inf
    for _ in range(1 if "naive" in name else 5):
        start = time.perf_counter()
        result = f(*args)
        best = min(best, time.perf_counter() - start)
    timings[name] = best
    return result


out_naive, cache_naive = timed("conv forward naive", conv_forward_naive, x, w, b, conv_param)
out_fast, cache_fast = timed("conv forward fast", fast_layers.conv_forward_fast, x, w, b,
                             conv_param)
dout = rng.normal(size=out_naive.shape)
grads_naive = timed("conv backward naive", conv_backward_naive, dout, cache_naive)
grads_fast = timed("conv backward fast", fast_layers.conv_backward_fast, dout, cache_fast)
pool_naive, pcache_naive = timed("pool forward naive", max_pool_forward_naive, out_naive,
                                 pool_param)
pool_fast, pcache_fast = timed("pool forward fast", fast_layers.max_pool_forward_fast,
                               out_naive, pool_param)
dpool = rng.normal(size=pool_naive.shape)
dpool_naive = timed("pool backward naive", max_pool_backward_naive, dpool, pcache_naive)
dpool_fast = timed("pool backward fast", fast_layers.max_pool_backward_fast, dpool,
                   pcache_fast)

print(f"conv forward: difference {rel_error(out_naive, out_fast):.1e}")
for name, g_naive, g_fast in zip(("dx", "dw", "db"), grads_naive, grads_fast, strict=True):
    print(f"conv backward {name}: difference {rel_error(g_naive, g_fast):.1e}")
print(f"pool forward: difference {rel_error(pool_naive, pool_fast):.1e}, "
      f"pool backward: difference {rel_error(dpool_naive, dpool_fast):.1e}")
for step in ("conv forward", "conv backward", "pool forward", "pool backward"):
    naive, fast = timings[f"{step} naive"], timings[f"{step} fast"]
    print(f"{step:14s} naive {naive * 1e3:8.1f} ms   fast {fast * 1e3:6.2f} ms   "
          f"speed-up x{naive / fast:,.0f}")

# %% [markdown]
# ## 7. Any fully connected layer is a conv layer
#
# A fully connected layer looks at its whole input; a conv layer whose filter is as large
# as its input does too. The notes' example: a fully connected layer with `K = 4096`
# outputs on a 7x7x512 volume computes exactly what a conv layer with `F = 7, P = 0, S = 1,
# K = 4096` computes; the output is 1x1x4096. The weights are the same numbers, only
# reshaped: column `k` of the FC weight matrix becomes filter `k`.
#
# Below the same thing with smaller sizes (`K = 16` on a 7x7x8 volume), with your
# `conv_forward_naive`. The conversion pays off on a larger input: slid over a 9x9x8
# volume, the converted layer gives a 3x3 grid of outputs in one pass, and each is what
# the FC layer would give on the corresponding 7x7 crop. That is how a convnet trained
# on small images is run over every position of a large image at once.

# %%
rng = np.random.default_rng(2)
K, D, F = 16, 8, 7
volume = rng.normal(size=(2, D, F, F))
w_fc, b_fc = rng.normal(size=(D * F * F, K)), rng.normal(size=K)
fc_out = volume.reshape(2, -1) @ w_fc + b_fc
w_conv = w_fc.T.reshape(K, D, F, F)  # column k of the FC weights is filter k
conv_out, _ = conv_forward_naive(volume, w_conv, b_fc, {"stride": 1, "pad": 0})
print("conv output shape:", conv_out.shape,
      f"  difference from the FC layer: {rel_error(conv_out[:, :, 0, 0], fc_out):.1e}")

bigger = rng.normal(size=(1, D, 9, 9))
score_map, _ = conv_forward_naive(bigger, w_conv, b_fc, {"stride": 1, "pad": 0})
crops = np.array([[bigger[0, :, i:i + F, j:j + F].reshape(-1) @ w_fc + b_fc
                   for j in range(3)] for i in range(3)])      # (3, 3, K)
print("on a 9x9 input:", score_map.shape, f"  difference from the FC layer on the 9 crops: "
      f"{rel_error(score_map[0].transpose(1, 2, 0), crops):.1e}")

# %% [markdown]
# ### Inline question 3
#
# The converted layer on the 9x9 input above gave the FC layer's output for all nine 7x7
# crops. Why is that cheaper than running the FC layer on the nine crops one by one when
# there are conv layers *below* it (as in a real network, where the 7x7x512 volume comes
# out of many conv and pool layers)?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_fc_as_conv", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# Neighbouring crops overlap almost entirely, and the conv layers below compute the same
# features for the shared part of the image. Run crop by crop, every overlapping region is
# processed again for each crop (here up to nine times); run once on the whole image, the
# conv layers compute every feature once and share it between all the positions, and the
# converted FC layer simply slides over the result. Same numbers, a fraction of the work.
# ### END SOLUTION

# %% [markdown]
# ## 8. A three-layer convnet
#
# Now a whole network: `conv - relu - 2x2 max pool - affine - relu - affine - softmax`,
# in `cs231n_utils/classifiers/cnn.py`, with the same interface as `TwoLayerNet` in 03
# (`params`, `reg`, `loss(X, y=None)`), so the `Solver` trains it. The convolution keeps
# the size (stride 1, padding `(F - 1) // 2`), the pool halves it. Use the fast layers for
# the convolution and the pooling and your layers of 03 for the rest; the docstring gives
# every shape. Write `__init__` (parameters) and `loss`.

# %% nbgrader={"grade": true, "grade_id": "three_layer_convnet_init", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): ThreeLayerConvNet.__init__
from cs231n_utils.checks.cnn import check_three_layer_convnet_init

check_three_layer_convnet_init()

# %% nbgrader={"grade": true, "grade_id": "three_layer_convnet_loss", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Graded (3 points): ThreeLayerConvNet.loss
from cs231n_utils.checks.cnn import check_three_layer_convnet_loss

check_three_layer_convnet_loss()

# %% [markdown]
# Two sanity checks before training. With tiny random weights all ten scores are about
# equal, so the loss starts near $\log 10 \approx 2.3$, and regularisation makes it a
# little larger. Then the gradients of a small network (float64) against numerical
# gradients.

# %%
from cs231n_utils.classifiers.cnn import ThreeLayerConvNet

np.random.seed(0)
sanity = ThreeLayerConvNet(input_dim=input_dim)
X_small, y_small = data["X_train"][:50], data["y_train"][:50]
print(f"initial loss, no regularisation: {sanity.loss(X_small, y_small)[0]:.4f} "
      f"(log 10 = {np.log(10):.4f})")
sanity.reg = 0.5
print(f"initial loss, reg = 0.5:          {sanity.loss(X_small, y_small)[0]:.4f}")

np.random.seed(1)
small = ThreeLayerConvNet(input_dim=(2, 6, 6), num_filters=3, filter_size=3, hidden_dim=7,
                          num_classes=4, weight_scale=0.5, reg=0.1, dtype=np.float64)
Xg, yg = np.random.randn(3, 2, 6, 6), np.random.randint(4, size=3)
_, grads = small.loss(Xg, yg)
for name in sorted(small.params):
    numeric = eval_numerical_gradient_array(lambda _: np.array(small.loss(Xg, yg)[0]),
                                            small.params[name], np.array(1.0))
    print(f"{name}: relative error {rel_error(grads[name], numeric):.1e}")

# %% [markdown]
# A network that can learn must be able to memorise a handful of examples. Trained on 50
# images only, training accuracy should climb above 90% while validation accuracy stays
# near 50%: overfitting on purpose, a cheap test of the whole pipeline. (Plain SGD
# stalls on the last few examples; the update rules of 05 take it to 100%.)

# %%
np.random.seed(0)
overfit_model = ThreeLayerConvNet(input_dim=input_dim, weight_scale=5e-2)
few = {"X_train": data["X_train"][:50], "y_train": data["y_train"][:50],
       "X_val": data["X_val"], "y_val": data["y_val"]}
overfit = Solver(overfit_model, few, num_epochs=12 if QUICK else 30, batch_size=25,
                 update_rule="sgd", optim_config={"learning_rate": 1e-1}, lr_decay=0.95,
                 verbose=False, seed=0)
overfit.train()
print(f"training accuracy {overfit.train_acc_history[-1]:.0%}, "
      f"validation accuracy {overfit.val_acc_history[-1]:.0%}")
plt.plot(overfit.train_acc_history, "o-", label="train")
plt.plot(overfit.val_acc_history, "o-", label="val")
plt.xlabel("epoch")
plt.ylabel("accuracy")
plt.legend()
plt.title("Overfitting 50 examples")
plt.show()

# %% [markdown]
# ## 9. Training the convnet
#
# One epoch over the training set (2,000 images in quick mode), minibatches of 50, plain
# SGD (05 brings momentum and Adam). With the fast layers an epoch takes seconds; with the
# naive ones it would take hours. CS231n's target for this network on CIFAR-10 is above
# 40% training accuracy after one epoch.

# %%
np.random.seed(0)
convnet = ThreeLayerConvNet(input_dim=input_dim, num_filters=32, filter_size=7,
                            hidden_dim=100, weight_scale=3e-2, reg=1e-3)
train_part = {**data}
if QUICK:
    train_part["X_train"], train_part["y_train"] = data["X_train"][:2000], data["y_train"][:2000]
solver = Solver(convnet, train_part, num_epochs=1, batch_size=50, update_rule="sgd",
                optim_config={"learning_rate": 1e-1}, print_every=50, seed=0)
start = time.perf_counter()
solver.train()
print(f"one epoch in {time.perf_counter() - start:.0f} s")
train_acc = solver.check_accuracy(data["X_train"], data["y_train"], num_samples=1000)
val_acc = solver.check_accuracy(data["X_val"], data["y_val"])
print(f"after one epoch: training accuracy {train_acc:.1%}, validation accuracy "
      f"{val_acc:.1%} (CS231n's CIFAR-10 target: above 40% training accuracy)")
plt.plot(solver.loss_history, lw=0.8)
plt.xlabel("iteration")
plt.ylabel("training loss")
plt.show()

# %% [markdown]
# The 32 filters of the first layer, as images (each stretched to its own range). After a
# single epoch of plain SGD they are still grainy: they started as random noise and have
# moved only part of the way. Many already have a light side and a dark side, the
# beginning of the edge detectors of section 3 (longer training and regularisation smooth
# them). What they respond to shows better in their activation maps: underneath, one
# image and the ReLU of its first seven maps, each picking out other edges and regions.

# %%
filters = convnet.params["W1"].transpose(0, 2, 3, 1)           # (32, 7, 7, 1)
plt.imshow(visualize_grid(filters, padding=1)[:, :, 0], cmap="gray")
plt.axis("off")
plt.title("first-layer filters after one epoch")
plt.show()
maps, _ = fast_layers.conv_forward_fast(data["X_val"][:1], convnet.params["W1"],
                                        convnet.params["b1"], {"stride": 1, "pad": 3})
show_images([raw["X_val"][0, :, :, 0]] + list(np.maximum(maps[0, :7], 0)),
            ["image"] + [f"filter {k}" for k in range(7)], ncols=8, size=1.4)
plt.show()
# %% [markdown]
# ## 10. The same network in PyTorch
#
# Everything so far was written by hand: every layer's forward pass, every backward pass,
# the update rule. A deep learning library takes the second and third jobs off your
# hands. In PyTorch a network is a class derived from `torch.nn.Module`:
#
# - `__init__` creates the layers that hold parameters and stores them as attributes
#   (`self.conv = nn.Conv2d(...)`); PyTorch finds every parameter through them
#   (`model.parameters()`), to hand them to an optimiser, count them, or move them to
#   another device or dtype;
# - `forward(x)` computes the output from the input, with tensor operations and
#   `torch.nn.functional` (`F.relu`, `F.max_pool2d`, ...). You never write a backward
#   pass: PyTorch records the operations of the forward pass and `loss.backward()` walks
#   that record in reverse, exactly like the `Value` engine of 03, only on whole tensors.
#
# The layers you wrote in NumPy have direct counterparts:
#
# | NumPy (sections 3-8) | PyTorch |
# |---|---|
# | `conv_forward_fast(x, W1, b1, {"stride": 1, "pad": p})` | `nn.Conv2d(C, F, k, stride=1, padding=p)`, weight `(F, C, k, k)` = `W1` |
# | `max_pool_forward_fast(x, {"pool_height": 2, "pool_width": 2, "stride": 2})` | `F.max_pool2d(x, kernel_size=2, stride=2)` |
# | `affine_forward(x, W2, b2)`: `x.reshape(N, -1) @ W2 + b2` | `nn.Linear(D, hidden)` on `x.flatten(1)`; it stores `weight = W2.T`, shape `(hidden, D)` |
# | `relu_forward(x)` | `F.relu(x)` |
# | `softmax_loss(scores, y)` | `F.cross_entropy(scores, y)` |
#
# Both libraries compute a *cross-correlation* (the filter is not flipped), lay out
# images as `(N, C, H, W)` and flatten in C order, so the same numbers in the same places
# give the same scores.
#
# Open `cs231n_utils/classifiers/cnn_torch.py` and write `ThreeLayerConvNetTorch`: in
# `__init__` the three layers `conv`, `fc1`, `fc2` (the names matter: the checks read the
# parameters through them), in `forward` conv - ReLU - 2x2 max pool - flatten - `fc1` -
# ReLU - `fc2`. The class docstring has every size.

# %% nbgrader={"grade": true, "grade_id": "three_layer_convnet_torch", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): classifiers/cnn_torch.ThreeLayerConvNetTorch
from cs231n_utils.checks.cnn_torch import check_three_layer_convnet_torch

check_three_layer_convnet_torch()

# %% [markdown]
# Now the network you trained in section 9, moved into PyTorch. `load_numpy_params`
# (given, in the same file) copies `W1`, `b1` into `conv`, `W2.T`, `b2` into `fc1` and
# `W3.T`, `b3` into `fc2`. Both versions then score the same validation images.

# %%
from torch import nn
from torch.nn import functional as F

from cs231n_utils.classifiers.cnn_torch import (
    InceptionModule,
    ResidualBlock,
    SmallInceptionNet,
    SmallResNet,
    SmallVGGNet,
    ThreeLayerConvNetTorch,
    count_parameters,
    load_numpy_params,
)
from cs231n_utils.torch_training import accuracy, prepare_data, train

num_filters, _, filter_size, _ = convnet.params["W1"].shape
torch_convnet = ThreeLayerConvNetTorch(
    input_dim=input_dim, num_filters=num_filters, filter_size=filter_size,
    hidden_dim=convnet.params["W2"].shape[1], num_classes=convnet.params["W3"].shape[1])
load_numpy_params(torch_convnet, convnet.params)

X_check = data["X_val"][:200]
start = time.perf_counter()
scores_numpy = convnet.loss(X_check)
numpy_seconds = time.perf_counter() - start
start = time.perf_counter()
with torch.no_grad():
    scores_torch = torch_convnet(torch.from_numpy(X_check).float()).numpy()
torch_seconds = time.perf_counter() - start
print(f"largest difference between the two sets of scores: "
      f"{np.abs(scores_numpy - scores_torch).max():.2g} (float32 rounding), relative error "
      f"{rel_error(scores_numpy, scores_torch):.1e}")
print(f"same predicted class for {np.mean(scores_numpy.argmax(1) == scores_torch.argmax(1)):.1%}"
      f" of the {len(X_check)} images")
print(f"scoring {len(X_check)} images: NumPy {numpy_seconds * 1e3:.0f} ms, "
      f"PyTorch {torch_seconds * 1e3:.0f} ms")
numpy_net_val_acc = accuracy(torch_convnet, torch.from_numpy(data["X_val"]).float(),
                             data["y_val"])
print(f"the section-9 network's validation accuracy, computed in PyTorch: "
      f"{numpy_net_val_acc:.1%}")

# %% [markdown]
# From here on PyTorch does the backward passes, so we can afford to try architectures
# rather than derivatives. The next three sections build the ideas behind three
# ImageNet winners (VGG 2014, GoogLeNet 2014, ResNet 2015) as small modules you can stack.
#
# ## 11. VGG blocks: stacks of 3x3 convolutions
#
# VGG's recipe is short: go **deep**, use only **small 3x3 filters**, and **pool
# regularly**. The network is made of **blocks**: a few 3x3 convolutions (padding 1, so
# the size stays), each followed by a ReLU, then a 2x2 max pool that halves the height and
# width; the next block usually doubles the number of channels. The fully connected
# layers come only at the very end. Because the block is a unit, whole families differ
# only in how many convolutions each block holds: VGG-11, VGG-16 and VGG-19 are the same
# five blocks with 1-2, 2-3 or 2-4 convolutions. That modular, staged layout (a stem, a
# few stages that halve the size and add channels, a head) is how most networks since are
# organised.
#
# Why 3x3 only? Two stacked 3x3 convolutions see a 5x5 window of the input (each output
# of the second looks at a 3x3 patch of the first, each of which looks at a 3x3 patch of
# the input), three see 7x7. For `C` channels in and out, three 3x3 layers have
# $3 \cdot 9 C^2 = 27 C^2$ weights where one 7x7 layer has $49 C^2$, and they put three
# ReLUs instead of one between input and output.
#
# Write `VGGBlock(in_channels, out_channels, num_convs)`: its convolutions in an
# `nn.ModuleList` called `convs` (first `in_channels -> out_channels`, then
# `out_channels -> out_channels`), and `forward` as described above.

# %% nbgrader={"grade": true, "grade_id": "vgg_block", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): classifiers/cnn_torch.VGGBlock
from cs231n_utils.checks.cnn_torch import check_vgg_block

check_vgg_block()

# %% [markdown]
# The receptive field, measured rather than argued. Below, stacks of one, two and three
# 3x3 convolutions (all weights 1 and no ReLU, so that nothing cancels). Backpropagating
# from the centre pixel of the output marks every input pixel that it depends on. Under
# the pictures, the weights of such a stack for 64 channels in and out, against one big
# filter with the same window.

# %%
size = 11
fields, titles = [], []
for depth in (1, 2, 3):
    stack = nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=1, bias=False) for _ in range(depth)])
    for conv in stack:
        nn.init.ones_(conv.weight)
    pixels = torch.zeros(1, 1, size, size, requires_grad=True)
    stack(pixels)[0, 0, size // 2, size // 2].backward()
    window = int((pixels.grad[0, 0] != 0).any(dim=0).sum())
    fields.append((pixels.grad[0, 0] != 0).float().numpy())
    titles.append(f"{depth} x 3x3: sees {window}x{window}")
show_images(fields, titles, size=2.0)
plt.show()

channels = 64
for depth in (2, 3):
    k = 2 * depth + 1
    print(f"{depth} stacked 3x3 convs, {channels} channels: {depth * 9 * channels**2:,} weights, "
          f"{depth} ReLUs; one {k}x{k} conv: {k * k * channels**2:,} weights, 1 ReLU")

# %% [markdown]
# ### Inline question 4
#
# VGG replaces a 5x5 convolution by two stacked 3x3 convolutions
# (with a ReLU between them). Compare the two for a layer with `C` input and `C` output
# channels: what the output can see of the input, the number of weights, and what the
# network can compute. Is there anything the stack costs more of?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_stacked_3x3", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# Both see a 5x5 window of the input: each output of the second 3x3 layer depends on a 3x3
# patch of the first layer's output, and those nine units together cover 5x5 input pixels.
# The stack has 2 * 9 C^2 = 18 C^2 weights (plus 2C biases) against 25 C^2 for the 5x5
# layer, 28% fewer. It also puts a ReLU between the two layers, so it computes a
# non-linear function of the window where the single layer computes a linear one (then one
# ReLU): more expressive for fewer parameters, which is why deep stacks of small filters
# won. The cost: two layers of activations to compute and keep in memory for the backward
# pass instead of one, and one more layer through which the gradient has to travel.
# ### END SOLUTION

# %% [markdown]
# ## 12. Inception modules and global average pooling
#
# Making a network deeper and wider is the most direct way to make it better, but the
# parameters and the computation grow fast, and with them overfitting and training time.
# GoogLeNet's answer was to get more depth and width without paying for it in
# parameters, with two devices.
#
# **The Inception module.** Which filter size is right for a layer, 1x1, 3x3 or 5x5?
# Inception does not choose: it runs them **side by side** on the same input and stacks
# their outputs along the channel axis, so the next layer can use whichever scale helps.
# A fourth branch max-pools the input (stride 1, so the size stays). To keep this
# affordable, the expensive 3x3 and 5x5 convolutions first get their input squeezed
# through a **1x1 convolution** with few output channels (a *bottleneck*, or
# *reduction*): a 1x1 convolution mixes the channels at each pixel, like a small fully
# connected layer applied at every position. The pooling branch gets a 1x1 convolution
# after the pool, so that it does not simply pass all input channels on. Every
# convolution is followed by a ReLU.
#
# **Global average pooling (GAP).** At the end of a convnet, a flatten and a fully
# connected layer turn `C` maps of size `H x W` into scores with `C * H * W * classes`
# weights (VGG-16's first fully connected layer alone has 7 * 7 * 512 * 4096, about
# 103 million). GoogLeNet, following *Network in Network*, first averages each map down
# to a single number (its H and W become 1), and only then applies a linear layer: `C *
# classes` weights, whatever the image size. Each channel then has to be a detector whose
# average strength says something about the class, which acts as a regulariser too.
#
# (GoogLeNet also trained with two small auxiliary classifiers attached to middle layers,
# whose losses pushed extra gradient into the early layers; they were dropped at test
# time. Batch normalisation and residual connections, section 13, made such helpers
# unnecessary, and we skip them.)
#
# Write `InceptionModule(in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj)`: six
# convolutions named `conv1`, `conv3_reduce`, `conv3`, `conv5_reduce`, `conv5`,
# `pool_proj`, and a `forward` that concatenates the four branches in that order
# (`torch.cat(..., dim=1)`).

# %% nbgrader={"grade": true, "grade_id": "inception_module", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): classifiers/cnn_torch.InceptionModule
from cs231n_utils.checks.cnn_torch import check_inception_module

check_inception_module()

# %% [markdown]
# GoogLeNet's first Inception module ("3a") takes 192 channels of 28x28 and gives 256.
# With the 1x1 reductions it needs far fewer weights (and multiply-adds) than the same
# branches without them; and a GAP head on its output is tiny next to a flatten head.

# %%
inception_3a = InceptionModule(192, 64, 96, 128, 16, 32, 32)
out = inception_3a(torch.zeros(1, 192, 28, 28))
naive = (192 + 1) * 64 + (9 * 192 + 1) * 128 + (25 * 192 + 1) * 32 + (192 + 1) * 32
print(f"inception 3a: output {tuple(out.shape)}, {count_parameters(inception_3a):,} parameters; "
      f"without the 1x1 reductions: {naive:,}")
print(f"multiply-adds per image: {count_parameters(inception_3a) * 28 * 28 / 1e6:.0f} M "
      f"against {naive * 28 * 28 / 1e6:.0f} M (every weight is used once per pixel)")
c_out, h_out, w_out = out.shape[1:]
print(f"a 10-class head on its {c_out}x{h_out}x{w_out} output: flatten + linear "
      f"{(c_out * h_out * w_out + 1) * 10:,} weights; global average pooling + linear "
      f"{(c_out + 1) * 10:,}")

# %% [markdown]
# ## 13. Residual blocks
#
# Stack more and more plain layers and something odd happens: past a certain depth the
# network gets *worse*, and not on the test set only but on the training set too. So it
# is not overfitting: deep plain networks are harder to optimise. A deeper network could
# always copy a shallower one and set its extra layers to the identity, but a stack of
# convolutions and ReLUs does not find the identity easily.
#
# ResNet's fix is to make the identity the default. A **residual block** computes some
# layers `F(x)` and adds the input back: `out = F(x) + x`. If the block should output
# `H(x)`, its layers only have to learn the *residual* `H(x) - x`; if the identity is the
# best thing to do, they only have to push their weights towards zero. In the backward
# pass the addition is an add gate (section 2 of 03): it hands the upstream gradient to
# `x` unchanged, so through the chain of shortcuts the gradient reaches the first layers
# of a very deep network without being multiplied by every layer on the way.
#
# The **basic block** of ResNet-18/34: 3x3 conv - batch norm - ReLU - 3x3 conv - batch
# norm, plus the shortcut, then a ReLU of the sum. **Batch normalisation** (you will write
# it in 05) standardises each channel over the minibatch to zero mean and unit variance,
# then applies a learned scale and shift; it keeps the signal in a good range through
# many layers, and since it subtracts the mean anyway, the convolutions before it need no
# bias. When the block changes the number of channels or halves the size (stride 2), `x`
# no longer fits `F(x)`; the shortcut then becomes a *projection*, a 1x1 convolution with
# the same stride followed by batch norm.
#
# Write `ResidualBlock(in_channels, out_channels, stride=1)` with the layers `conv1`,
# `bn1`, `conv2`, `bn2` and `shortcut` (None for the identity, else
# `nn.Sequential(conv, batch norm)`). Call the batch-norm modules (`self.bn1(...)`):
# they use the batch's statistics in training mode and running averages after
# `model.eval()`, and the check tests both.

# %% nbgrader={"grade": true, "grade_id": "residual_block", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): classifiers/cnn_torch.ResidualBlock
from cs231n_utils.checks.cnn_torch import check_residual_block

check_residual_block()

# %% [markdown]
# The difference, seen in training. Two networks of 34 layers each on the same images: a
# stem convolution, 16 blocks of two 3x3 convolutions with batch norm, a GAP head. In the
# *plain* one the blocks have no shortcut; in the *residual* one they are your
# `ResidualBlock`. Same layers, same number of parameters, same optimiser, same
# minibatches.

# %%
class PlainBlock(nn.Module):
    """A residual block without its shortcut: conv-BN-ReLU-conv-BN-ReLU."""

    def __init__(self, channels):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels),
            nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels), nn.ReLU())

    def forward(self, x):
        return self.body(x)


def deep_net(block, depth=16, channels=8):
    return nn.Sequential(nn.Conv2d(raw["image_shape"][2], channels, 3, padding=1),
                         nn.MaxPool2d(2), *[block(channels) for _ in range(depth)],
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))


tensors = prepare_data(raw)
deep_iterations = 12 if QUICK else 80
deep_losses = {}
for name, block in (("plain", PlainBlock), ("residual", lambda c: ResidualBlock(c, c))):
    torch.manual_seed(0)
    net = deep_net(block)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    batches = torch.Generator().manual_seed(0)
    deep_losses[name] = []
    for _ in tqdm(range(deep_iterations), desc=f"34-layer {name} net"):
        idx = torch.randint(0, len(tensors["X_train"]), (32,), generator=batches)
        loss = F.cross_entropy(net(tensors["X_train"][idx]), tensors["y_train"][idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        deep_losses[name].append(loss.item())
    print(f"{name}: {count_parameters(net):,} parameters, mean loss of the last 10 "
          f"iterations {np.mean(deep_losses[name][-10:]):.2f}")
for name, losses in deep_losses.items():
    plt.plot(np.convolve(losses, np.ones(5) / 5, mode="valid"), label=f"34 layers, {name}")
plt.xlabel("iteration")
plt.ylabel("training loss (moving average of 5)")
plt.legend()
plt.title("The same 34 layers with and without shortcuts")
plt.show()

# %% [markdown]
# ### Inline question 5
#
# Why does the identity shortcut make very deep networks
# trainable? Give one reason that concerns what the blocks can represent and one that
# concerns the gradient in the backward pass.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_identity_shortcut", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# Representation: a residual block computes F(x) + x, so it does nothing (the identity)
# when F(x) = 0, which the layers reach by shrinking their weights (or the last batch
# norm's scale) towards zero. Extra blocks therefore start close to "do no harm", and a
# deeper network can always fall back on what a shallower one computes; a plain stack of
# convolutions and ReLUs would have to learn the identity exactly, which it does not find
# easily. Each block only has to learn a correction H(x) - x to its input.
# Gradient: the shortcut is an add gate, which passes the upstream gradient to x
# unchanged: d out / d x = I + dF/dx. Across many blocks the gradient reaching an early
# layer is a sum of terms, one of which goes through the shortcuts alone and is not
# multiplied by any layer's Jacobian, so it neither vanishes nor explodes with depth.
# In a plain network it is a product of one Jacobian per layer.
# ### END SOLUTION

# %% [markdown]
# ## 14. Parameter counts compared
#
# Five networks for the same 10-class problem, built from your modules (the classes
# `SmallVGGNet`, `SmallInceptionNet` and `SmallResNet` are given in `cnn_torch.py`; read
# them to see how the blocks are stacked):
#
# - the three-layer convnet of sections 8-10: one 7x7 conv, then a large fully connected
#   layer on the flattened maps;
# - a VGG-style net: three VGG blocks of two convolutions (8, 16, 32 channels), flatten,
#   two fully connected layers;
# - an Inception net: a stem conv, two Inception modules, global average pooling, one
#   linear layer;
# - a small ResNet: a stem conv, three stages of one residual block each (16, 32, 64
#   channels), global average pooling, one linear layer;
# - the same ResNet with a flatten head instead of global average pooling.
#
# Each is trained for the same short budget (a few epochs on part of the training set,
# Adam), which says more about how fast they learn than about how good they can get.
# Where the parameters sit tells a lot: the first and last networks keep most of theirs
# in the layer after the flatten.

# %%
in_dim = (raw["image_shape"][2], raw["image_shape"][0], raw["image_shape"][1])  # (C, H, W)


def first_head_layer(net):
    """The first fully connected layer: the one that follows the flatten or the GAP."""
    return next(m for m in net.modules() if isinstance(m, nn.Linear))


designs = {
    "three-layer convnet": lambda: ThreeLayerConvNetTorch(in_dim, 32, 7, 100, 10),
    "VGG-style (flatten + FC)": lambda: SmallVGGNet(in_dim, (8, 16, 32), 2, 64, 10),
    "Inception + GAP": lambda: SmallInceptionNet(in_dim[0], 10),
    "ResNet + GAP": lambda: SmallResNet(in_dim[0], 10, (16, 32, 64)),
    "ResNet + flatten + FC": lambda: SmallResNet(in_dim[0], 10, (16, 32, 64), head="flatten",
                                                 input_size=in_dim[1:]),
}
compare_train = 1000 if QUICK else 3000
compare_epochs = 1 if QUICK else 3
compare_val = 500 if QUICK else 1000
subset = {"X_train": tensors["X_train"][:compare_train],
          "y_train": tensors["y_train"][:compare_train],
          "X_val": tensors["X_val"][:compare_val], "y_val": tensors["y_val"][:compare_val]}
rows = []
for name, build in designs.items():
    torch.manual_seed(0)
    net = build()
    total = count_parameters(net)
    short_run = train(net, subset, epochs=compare_epochs, lr=2e-3, batch_size=64, seed=0)
    rows.append((name, total, count_parameters(first_head_layer(net)), short_run["val_acc"][-1],
                 short_run["seconds"]))
print(f"{'network':<26}{'parameters':>12}{'first FC layer':>16}{'val acc':>9}{'seconds':>9}")
for name, total, head, val, seconds in rows:
    print(f"{name:<26}{total:>12,}{head / total:>16.0%}{val:>9.1%}{seconds:>9.1f}")
print(f"(val acc after {compare_epochs} epoch(s) on {compare_train} training images)")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
names = [r[0] for r in rows]
ax1.barh(names, [r[1] for r in rows], color="tab:blue", label="total")
ax1.barh(names, [r[2] for r in rows], color="tab:orange", label="first fully connected layer")
ax1.set_xscale("log")
ax1.set_xlabel("parameters (log scale)")
ax1.invert_yaxis()
ax1.legend()
for name, total, _, val, _ in rows:
    ax2.scatter(total, val, s=40)
    ax2.annotate(name, (total, val), xytext=(5, 3), textcoords="offset points", fontsize=8)
ax2.set_xscale("log")
ax2.set_xlabel("parameters (log scale)")
ax2.set_ylabel("validation accuracy")
ax2.set_title(f"after {compare_epochs} epoch(s) on {compare_train} images")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 15. Training a small residual network
#
# Now the small ResNet of section 14 (stem, three residual stages with 16, 32 and 64
# channels, global average pooling, linear layer) on the whole training set, with Adam, a
# learning rate that shrinks by a quarter after every epoch, and one cheap trick against
# overfitting: **data augmentation**. Every minibatch is shown with a random half of its
# images mirrored left-right; a mirrored coat is still a coat, so the network sees more
# variety than the 9,000 images hold and cannot simply memorise them. `train` in
# `cs231n_utils/torch_training.py` is the PyTorch counterpart of the `Solver`: it shuffles
# the minibatches with a seed, records the loss of every iteration and the accuracies
# after every epoch. CS231n's target for a network of your own design on CIFAR-10 is at
# least 70% validation accuracy within 10 epochs; CIFAR-10's colour photos are much harder
# than Fashion-MNIST's centred grey clothes, so expect a higher number here, and compare
# with the two-layer net of 03 (about 88%) and the section-9 network above.

# %%
train_set = tensors
if QUICK:
    train_set = {**tensors, "X_train": tensors["X_train"][:2000],
                 "y_train": tensors["y_train"][:2000]}
resnet_epochs = 2 if QUICK else 8
torch.manual_seed(0)
resnet = SmallResNet(in_channels=in_dim[0], num_classes=10, widths=(16, 32, 64))
resnet_history = train(resnet, train_set, epochs=resnet_epochs, lr=3e-3, lr_decay=0.75,
                       batch_size=128, augment=True, seed=0)
resnet_val = resnet_history["val_acc"][-1]
resnet_test = accuracy(resnet, tensors["X_test"], tensors["y_test"])
print(f"SmallResNet, {count_parameters(resnet):,} parameters, {resnet_epochs} epochs in "
      f"{resnet_history['seconds']:.0f} s: validation accuracy {resnet_val:.1%}, "
      f"test accuracy {resnet_test:.1%}")
print(f"for comparison: the section-9 three-layer convnet {numpy_net_val_acc:.1%} validation; "
      f"CS231n's CIFAR-10 target for your own design: >= 70% validation in 10 epochs")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
losses = np.array(resnet_history["loss"])
per_epoch = resnet_history["iterations_per_epoch"]
ax1.plot(losses, lw=0.6, alpha=0.6, label="minibatch")
ax1.plot(np.arange(resnet_epochs) * per_epoch + per_epoch / 2,
         losses.reshape(resnet_epochs, per_epoch).mean(axis=1), "o-", label="mean per epoch")
ax1.set_xlabel("iteration")
ax1.set_ylabel("training loss")
ax1.legend()
epochs_axis = np.arange(1, resnet_epochs + 1)
ax2.plot(epochs_axis, resnet_history["train_acc"], "o-", label="train (1000 images)")
ax2.plot(epochs_axis, resnet_history["val_acc"], "o-", label="validation")
ax2.set_xlabel("epoch")
ax2.set_ylabel("accuracy")
ax2.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# What the network learned. The stem's 16 filters are only 3x3, too small to look like
# much beyond light-dark edges in some direction; what the network does shows better in
# its feature maps. Below, one validation image and the first eight channels after the
# stem and after each stage: the early maps are still recognisably the garment, with its
# edges and textures picked out; the deeper ones are coarser (each stage halves the size)
# and respond to larger, more abstract parts. The last stage's maps are what global
# average pooling reduces to one number per channel.

# %%
stem_filters = resnet.stem[0].weight.detach().numpy().transpose(0, 2, 3, 1)  # (16, 3, 3, C)
plt.figure(figsize=(3, 3))
grid = visualize_grid(stem_filters, ubound=1.0, padding=1)
plt.imshow(grid[:, :, 0] if grid.shape[2] == 1 else grid, cmap="gray")
plt.axis("off")
plt.title("the stem's 3x3 filters")
plt.show()

resnet.eval()
with torch.no_grad():
    maps = [resnet.stem(tensors["X_val"][:1])]
    for block in resnet.stages:
        maps.append(block(maps[-1]))
image = raw["X_val"][0]
show_images([image[:, :, 0] if image.shape[2] == 1 else image / 255.0],
            [f"a {raw['class_names'][raw['y_val'][0]]}"], size=1.6)
plt.show()
pictures, titles = [], []
for label, fmap in zip(["stem", "stage 1", "stage 2", "stage 3"], maps, strict=True):
    pictures += list(fmap[0, :8].numpy())
    titles += [f"{label}, {fmap.shape[2]}x{fmap.shape[3]}"] + [f"channel {k}" for k in range(1, 8)]
show_images(pictures, titles, ncols=8, size=1.4)
plt.show()

# %% [markdown]
# ## 16. Summary
#
# - A conv layer connects each output to a small window through the input's whole depth
#   and shares one filter across all positions: `(W - F + 2P) / S + 1` outputs per row,
#   `F * F * D * K + K` parameters, whatever the image size. Hyper-parameters that do not
#   tile the input are an error, not something to round away.
# - Its backward pass is a multiply gate per window: the gradient goes to the window (times
#   the filter) and to the filter (times the window), and overlapping contributions add up.
#   Max pooling routes each window's gradient to its maximum (the switches).
# - im2col turns a convolution into one matrix product; the fast layers use it and are
#   hundreds of times faster than the loops, in the same league as PyTorch.
# - A fully connected layer is a conv layer whose filter covers its whole input; converted,
#   it slides over larger images in one pass.
# - The three-layer convnet reaches about 77% after one epoch of plain SGD on the embedded
#   data (CS231n's CIFAR-10 target: above 40% training accuracy after one epoch); its
#   first-layer filters start to split into light and dark sides, like edge detectors.
# - VGG: stacks of 3x3 convolutions see as far as one big filter with fewer weights and
#   more non-linearity. Inception: filter sizes side by side, 1x1 bottlenecks, global
#   average pooling instead of huge fully connected heads. ResNet: `F(x) + x`, so extra
#   layers start as the identity and the gradient flows back through the shortcuts.
# - A small ResNet (78k parameters) reaches about 90% validation and 88% test accuracy
#   in 8 epochs (CS231n's target for your own design on CIFAR-10: at least 70%
#   validation within 10 epochs).
