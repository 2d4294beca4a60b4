"""Common mistakes of 04_cnn: the conv arithmetic, the naive layers, ThreeLayerConvNet's
loss and the PyTorch modules of sections 10-13.

Every variant starts from the checks' own oracles (``torch.nn.functional``'s conv2d and
pooling, PyTorch's autograd, the functional forward passes of
:mod:`cs231n_utils.checks.cnn_torch`) and patches in one mistake. A module's mistake is
a wrong ``forward(self, x)``: it reads the module's parameters through the attribute
names the docstrings give, so it runs on the live module (the visible checks) and on its
attributes rebuilt from plain data (the trusted grader's ``PlainModule``).

``ThreeLayerConvNet.__init__`` and the modules' ``__init__`` have none here: their checks
already say which layer, shape, bias or scale is wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.nn import functional

from cs231n_utils.checks.cnn import _convnet_scores, _t
from cs231n_utils.checks.cnn_torch import (
    _inception_branches,
    _residual_oracle,
    _three_layer_oracle,
    _vgg_maps,
)
from cs231n_utils.checks.mistakes import Catalogue, Graded, returned


def _loss_outputs(args: Any, result: Any) -> dict[str, Any]:
    """``ThreeLayerConvNet.loss``: the scores (no labels) or the loss and the gradients."""
    if isinstance(result, tuple | list):
        if len(result) != 2:
            raise ValueError("not (loss, grads)")
        return {"loss": result[0], "grads": result[1]}
    return {"scores": result}


CATALOGUE = Catalogue(
    "04_cnn",
    sections={2: "The arithmetic of a conv layer", 3: "Convolution forward, naive",
              4: "Convolution backward, naive", 5: "Max pooling, naive",
              8: "A three-layer convnet", 10: "The same network in PyTorch",
              11: "VGG blocks: stacks of 3x3 convolutions",
              12: "Inception modules and global average pooling", 13: "Residual blocks"},
    functions=[
        Graded("conv_output_size", "conv_arithmetic", returned("out")),
        Graded("conv_param_count", "conv_arithmetic", returned("out")),
        Graded("conv_forward_naive", "layers", returned("out", None)),
        Graded("conv_backward_naive", "layers", returned("dx", "dw", "db")),
        Graded("max_pool_forward_naive", "layers", returned("out", None)),
        Graded("max_pool_backward_naive", "layers", returned("dx")),
        Graded("ThreeLayerConvNet.loss", "classifiers.cnn", _loss_outputs),
        Graded("ThreeLayerConvNetTorch.forward", "classifiers.cnn_torch", returned("out")),
        Graded("VGGBlock.forward", "classifiers.cnn_torch", returned("out")),
        Graded("InceptionModule.forward", "classifiers.cnn_torch", returned("out")),
        Graded("ResidualBlock.forward", "classifiers.cnn_torch", returned("out")),
    ])
mistake = CATALOGUE.mistake


# --- 2. the arithmetic of a conv layer ----------------------------------------------------
# The variants compute their (wrong) formula for any input, as a student's code that does
# not check whether the filter tiles the input.
@mistake("conv_output_size", section=2, diagnosis="the output size counts the padding once: "
         "the input grows by P on EACH side, so it is (W - F + 2P) / S + 1")
def output_size_padding_once(size, filter_size, stride=1, pad=0):
    return int((size - filter_size + pad) // stride + 1)


@mistake("conv_output_size", section=2, diagnosis="the output size is what you get with "
         "stride 1: divide (W - F + 2P) by the stride S before adding 1")
def output_size_stride_ignored(size, filter_size, stride=1, pad=0):
    return int(size - filter_size + 2 * pad + 1)


@mistake("conv_output_size", section=2, diagnosis="the output size is one too small: "
         "(W - F + 2P) / S counts the steps between filter positions; add 1 for the first "
         "position")
def output_size_without_plus_one(size, filter_size, stride=1, pad=0):
    return int((size - filter_size + 2 * pad) // stride)


@mistake("conv_param_count", section=2, diagnosis="the count leaves out the biases: each of "
         "the K filters has one, so add K to the F * F * D * K weights")
def param_count_without_bias(filter_size, depth, num_filters):
    layer = torch.nn.Conv2d(depth, num_filters, kernel_size=filter_size)
    return int(layer.weight.numel())


@mistake("conv_param_count", section=2, diagnosis="the count leaves out the input's depth: "
         "each filter spans all D channels, so it has F * F * D weights, not F * F")
def param_count_without_depth(filter_size, depth, num_filters):
    layer = torch.nn.Conv2d(1, num_filters, kernel_size=filter_size)
    return int(sum(p.numel() for p in layer.parameters()))


# --- 3. convolution forward ---------------------------------------------------------------
def _conv_forward(x, w, b, conv_param, *, bias=True, pad=None, stride=None, flip=False):
    """``conv2d`` (float64) with one thing changed; returns ``(out, cache)``."""
    s = conv_param["stride"] if stride is None else stride
    p = conv_param["pad"] if pad is None else pad
    kernel = _t(w).flip(2, 3) if flip else _t(w)
    out = functional.conv2d(_t(x), kernel, _t(b) if bias else None, stride=s, padding=p)
    return out.numpy(), (x, w, b, conv_param)


@mistake("conv_forward_naive", section=3, diagnosis="out matches the convolution without "
         "the bias: add b[f] to every output of filter f")
def conv_forward_without_bias(x, w, b, conv_param):
    return _conv_forward(x, w, b, conv_param, bias=False)


@mistake("conv_forward_naive", section=3, diagnosis="out matches the convolution of the "
         "input without its zero padding: pad x with P zeros on each side of H and W first")
def conv_forward_without_padding(x, w, b, conv_param):
    (N, _, H, W), (F, _, HH, WW) = np.shape(x), np.shape(w)
    if HH > H or WW > W:  # the filter does not fit the unpadded input: no position at all
        s = conv_param["stride"]
        return (np.zeros((N, F, max(0, (H - HH) // s + 1), max(0, (W - WW) // s + 1))),
                (x, w, b, conv_param))
    return _conv_forward(x, w, b, conv_param, pad=0)


@mistake("conv_forward_naive", section=3, diagnosis="out matches a true convolution, with "
         "the kernel flipped (rotated by 180 degrees): a conv layer computes the "
         "cross-correlation sum(window * w[f]), the kernel as it is")
def conv_forward_flipped_kernel(x, w, b, conv_param):
    return _conv_forward(x, w, b, conv_param, flip=True)


@mistake("conv_forward_naive", section=3, diagnosis="out matches the convolution with "
         "stride 1: move the window by the stride S, to rows and columns i * S")
def conv_forward_stride_ignored(x, w, b, conv_param):
    return _conv_forward(x, w, b, conv_param, stride=1)


# --- 4. convolution backward --------------------------------------------------------------
def _conv_grads(dout, cache):
    """``(dx_padded, dw, db)`` by autograd of ``conv2d`` applied to the padded input."""
    x, w, b, conv_param = cache
    p = conv_param["pad"]
    x_pad = _t(np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))), grad=True)
    w_t, b_t = _t(w, grad=True), _t(b, grad=True)
    functional.conv2d(x_pad, w_t, b_t, stride=conv_param["stride"]).backward(_t(dout))
    return x_pad.grad.numpy(), w_t.grad.numpy(), b_t.grad.numpy()


def _crop(dx_pad, pad):
    return dx_pad[:, :, pad:dx_pad.shape[2] - pad, pad:dx_pad.shape[3] - pad]


@mistake("conv_backward_naive", section=4, diagnosis="dx still has the padding: it is the "
         "gradient of the padded input; drop P rows and columns on each side before "
         "returning it")
def conv_backward_dx_not_cropped(dout, cache):
    return _conv_grads(dout, cache)


@mistake("conv_backward_naive", section=4, diagnosis="dx is empty when pad = 0: "
         "dx_pad[:, :, P:-P, P:-P] selects nothing for P = 0; crop with P:P + H and P:P + W")
def conv_backward_dx_empty_without_pad(dout, cache):
    dx_pad, dw, db = _conv_grads(dout, cache)
    pad = cache[3]["pad"]
    return dx_pad[:, :, pad:-pad, pad:-pad], dw, db


@mistake("conv_backward_naive", section=4, diagnosis="dw is flipped (rotated by 180 "
         "degrees): w[f] gets dout[n, f, i, j] times the window as it is, no flip")
def conv_backward_dw_flipped(dout, cache):
    dx_pad, dw, db = _conv_grads(dout, cache)
    return _crop(dx_pad, cache[3]["pad"]), dw[:, :, ::-1, ::-1].copy(), db


@mistake("conv_backward_naive", section=4, diagnosis="db is summed over H_out and W_out "
         "but not over the N examples: sum dout over axes (0, 2, 3)")
def conv_backward_db_per_example(dout, cache):
    dx_pad, dw, _ = _conv_grads(dout, cache)
    return _crop(dx_pad, cache[3]["pad"]), dw, np.asarray(dout).sum(axis=(2, 3))


@mistake("conv_backward_naive", section=4, diagnosis="db is divided by N: the bias "
         "gradient is the SUM of dout over N, H_out and W_out (the loss does the averaging)")
def conv_backward_db_averaged(dout, cache):
    dx_pad, dw, db = _conv_grads(dout, cache)
    return _crop(dx_pad, cache[3]["pad"]), dw, db / np.shape(dout)[0]


# --- 5. max pooling -----------------------------------------------------------------------
def _window(pool_param):
    return (pool_param["pool_height"], pool_param["pool_width"])


@mistake("max_pool_forward_naive", section=5, diagnosis="out matches AVERAGE pooling: each "
         "output is the max of its window, not the mean")
def max_pool_forward_average(x, pool_param):
    out = functional.avg_pool2d(_t(x), _window(pool_param), stride=pool_param["stride"])
    return out.numpy(), (x, pool_param)


@mistake("max_pool_forward_naive", section=5, diagnosis="out matches windows that move by "
         "their own size (pool_height, pool_width) instead of by the stride")
def max_pool_forward_stride_is_window(x, pool_param):
    window = _window(pool_param)
    return functional.max_pool2d(_t(x), window, stride=window).numpy(), (x, pool_param)


@mistake("max_pool_forward_naive", section=5, diagnosis="each output is the max over its "
         "window in ALL channels: take the max per channel, over the window's rows and "
         "columns only")
def max_pool_forward_across_channels(x, pool_param):
    out = functional.max_pool2d(_t(x), _window(pool_param), stride=pool_param["stride"])
    return out.amax(dim=1, keepdim=True).expand_as(out).numpy().copy(), (x, pool_param)


def _pool_autograd(pool, x, dout):
    x_t = _t(x, grad=True)
    pool(x_t).backward(_t(dout))
    return x_t.grad.numpy()


@mistake("max_pool_backward_naive", section=5, diagnosis="where a window's maximum is tied "
         "every tied position gets the gradient: only the first maximum (row-major order) "
         "should, as in the forward pass")
def max_pool_backward_all_tied_maxima(dout, cache):
    x, pool_param = cache
    N, C, H, W = np.shape(x)
    window, stride = _window(pool_param), pool_param["stride"]
    size = window[0] * window[1]
    cols = functional.unfold(_t(x).reshape(N * C, 1, H, W), window, stride=stride)
    is_max = (cols == cols.amax(dim=1, keepdim=True)).double()  # every tied maximum
    grads = is_max * _t(dout).reshape(N * C, 1, -1)
    dx = functional.fold(grads.reshape(N * C, size, -1), (H, W), window, stride=stride)
    return dx.reshape(N, C, H, W).numpy()


@mistake("max_pool_backward_naive", section=5, diagnosis="dx spreads dout evenly over each "
         "window (the gradient of average pooling): all of it goes to the window's maximum")
def max_pool_backward_average(dout, cache):
    x, pool_param = cache

    def pool(x_t):
        return functional.avg_pool2d(x_t, _window(pool_param), stride=pool_param["stride"])
    return _pool_autograd(pool, x, dout)


@mistake("max_pool_backward_naive", section=5, diagnosis="every entry of a window gets "
         "that window's dout: only the position of the maximum does, the others get 0")
def max_pool_backward_every_element(dout, cache):
    x, pool_param = cache
    window = _window(pool_param)

    def pool(x_t):
        area = window[0] * window[1]
        return area * functional.avg_pool2d(x_t, window, stride=pool_param["stride"])
    return _pool_autograd(pool, x, dout)


# --- 8. ThreeLayerConvNet.loss ------------------------------------------------------------
WEIGHTS = ("W1", "W2", "W3")


def _convnet(model, X, y, *, penalty=0.5, penalised=WEIGHTS, penalty_in_grads=True,
             reduction="mean"):
    """The three-layer convnet's loss in torch with one thing changed: the penalty
    ``penalty * reg * sum(p**2)`` over ``penalised`` (in the gradients too, or not), the
    data loss averaged or summed over the examples."""
    params = {k: np.asarray(v, dtype=np.float64) for k, v in model.params.items()}
    tensors = {k: _t(v, grad=True) for k, v in params.items()}
    if y is None:
        with torch.no_grad():
            return _convnet_scores(X, tensors).numpy()
    scores = _convnet_scores(X, tensors)
    data = functional.cross_entropy(scores, torch.as_tensor(y), reduction=reduction)
    data.backward()
    grads = {k: t.grad.numpy().copy() for k, t in tensors.items()}
    reg = float(model.reg)
    loss = float(data.item())
    for k in penalised:
        loss += penalty * reg * float(np.sum(params[k] ** 2))
        if penalty_in_grads:
            grads[k] = grads[k] + 2 * penalty * reg * params[k]
    return loss, grads


@mistake("ThreeLayerConvNet.loss", section=8, diagnosis="neither the loss nor the gradients "
         "have the L2 penalty: add 0.5 * reg * (sum(W1**2) + sum(W2**2) + sum(W3**2)) to the "
         "loss and reg * W to the gradient of each weight")
def convnet_without_regularisation(self, X, y=None):
    return _convnet(self, X, y, penalised=())


@mistake("ThreeLayerConvNet.loss", section=8, diagnosis="the loss has the L2 penalty but "
         "the gradients do not: add reg * W to grads['W1'], grads['W2'] and grads['W3']")
def convnet_penalty_missing_in_gradients(self, X, y=None):
    return _convnet(self, X, y, penalty_in_grads=False)


@mistake("ThreeLayerConvNet.loss", section=8, diagnosis="the penalty is reg * sum(W**2) "
         "(gradient 2 * reg * W); this network's docstring asks for 0.5 * reg * sum(W**2), "
         "whose gradient is reg * W")
def convnet_penalty_without_half(self, X, y=None):
    return _convnet(self, X, y, penalty=1.0)


@mistake("ThreeLayerConvNet.loss", section=8, diagnosis="the biases are regularised too: "
         "the L2 penalty covers the weights W1, W2, W3 only")
def convnet_biases_regularised(self, X, y=None):
    return _convnet(self, X, y, penalised=(*WEIGHTS, "b1", "b2", "b3"))


@mistake("ThreeLayerConvNet.loss", section=8, diagnosis="the data loss and its gradients "
         "are sums over the N examples, not averages: divide them by N")
def convnet_loss_summed(self, X, y=None):
    return _convnet(self, X, y, reduction="sum")


# --- 10. ThreeLayerConvNetTorch -----------------------------------------------------------
def _three_layer(model, x, **mistake):
    pad = (model.conv.weight.shape[-1] - 1) // 2
    with torch.no_grad():
        return _three_layer_oracle(model, x, pad, **mistake)


@mistake("ThreeLayerConvNetTorch.forward", section=10, diagnosis="the scores are what you "
         "get without the ReLU after the convolution")
def three_layer_torch_without_conv_relu(self, x):
    return _three_layer(self, x, relu_conv=False)


@mistake("ThreeLayerConvNetTorch.forward", section=10, diagnosis="the scores are what you "
         "get without the ReLU after fc1")
def three_layer_torch_without_hidden_relu(self, x):
    return _three_layer(self, x, relu_fc=False)


@mistake("ThreeLayerConvNetTorch.forward", section=10, diagnosis="the scores are what you "
         "get when the pooled maps are flattened in (H, W, F) order instead of (F, H, W): "
         "flatten(1) the (N, F, H/2, W/2) tensor as it is")
def three_layer_torch_flattened_hwc(self, x):
    return _three_layer(self, x, hwc=True)


# --- 11. VGG blocks -----------------------------------------------------------------------
@mistake("VGGBlock.forward", section=11, diagnosis="the output is what you get without the "
         "ReLUs: each 3x3 convolution is followed by a ReLU")
def vgg_without_relus(self, x):
    with torch.no_grad():
        return functional.max_pool2d(_vgg_maps(list(self.convs), x, relu=False), 2, 2)


@mistake("VGGBlock.forward", section=11, diagnosis="the output is what you get with average "
         "instead of max pooling: end with a 2x2 MAX pool, stride 2")
def vgg_average_pooling(self, x):
    with torch.no_grad():
        return functional.avg_pool2d(_vgg_maps(list(self.convs), x), 2, 2)


@mistake("VGGBlock.forward", section=11, diagnosis="the output is what you get with the "
         "ReLU on the last convolution only: every convolution is followed by its ReLU")
def vgg_relu_on_last_conv_only(self, x):
    with torch.no_grad():
        maps = functional.relu(_vgg_maps(list(self.convs), x, relu=False))
        return functional.max_pool2d(maps, 2, 2)


# --- 12. Inception modules ----------------------------------------------------------------
def _inception(module, x, **mistake):
    with torch.no_grad():
        return torch.cat(_inception_branches(module, x, **mistake), dim=1)


@mistake("InceptionModule.forward", section=12, diagnosis="the output is what you get "
         "without the ReLU after the 1x1 reductions (conv3_reduce, conv5_reduce)")
def inception_without_reduction_relu(self, x):
    return _inception(self, x, inner_relu=False)


@mistake("InceptionModule.forward", section=12, diagnosis="the output is what you get "
         "without the ReLU at the end of each branch")
def inception_without_branch_relu(self, x):
    return _inception(self, x, outer_relu=False)


@mistake("InceptionModule.forward", section=12, diagnosis="the output is what you get with "
         "average instead of max pooling in the pool branch (3x3 max pool, stride 1, "
         "padding 1)")
def inception_average_pooling(self, x):
    return _inception(self, x, pool="avg")


# --- 13. residual blocks ------------------------------------------------------------------
def _residual(block, x, training=None, **mistake):
    """The block's output (as the check computes it) with one thing changed."""
    training = bool(block.training) if training is None else training
    with torch.no_grad():
        return _residual_oracle(block, x, block.conv1.stride[0], training, **mistake)


@mistake("ResidualBlock.forward", section=13, diagnosis="the output is what you get "
         "without the shortcut: add x (or shortcut(x)) to the residual before the final ReLU")
def residual_without_shortcut(self, x):
    return _residual(self, x, shortcut=False)


@mistake("ResidualBlock.forward", section=13, diagnosis="the output is what you get "
         "without the final ReLU: apply it to the sum of the residual and the shortcut")
def residual_without_final_relu(self, x):
    return _residual(self, x, final_relu=False)


@mistake("ResidualBlock.forward", section=13, diagnosis="the output is what you get "
         "without the ReLU between bn1 and conv2")
def residual_without_inner_relu(self, x):
    return _residual(self, x, inner_relu=False)


@mistake("ResidualBlock.forward", section=13, diagnosis="the output is what you get when "
         "the ReLU comes before the addition: add the shortcut first, then apply the ReLU")
def residual_relu_before_add(self, x):
    return _residual(self, x, relu_before_add=True, final_relu=False)


@mistake("ResidualBlock.forward", section=13, diagnosis="the output is what you get with "
         "batch norm in evaluation mode (running statistics) while the block is training: "
         "call the BatchNorm2d modules, which follow block.train() and block.eval()")
def residual_running_statistics_always(self, x):
    return _residual(self, x, training=False)


@mistake("ResidualBlock.forward", section=13, diagnosis="the output is what you get with "
         "batch norm using the batch's statistics in evaluation mode: call the BatchNorm2d "
         "modules, which follow block.train() and block.eval()")
def residual_batch_statistics_always(self, x):
    return _residual(self, x, training=True)

