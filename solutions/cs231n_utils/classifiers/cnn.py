"""Convolutional networks built from the layers of :mod:`cs231n_utils.layers` and
:mod:`cs231n_utils.fast_layers`.

Same interface as the fully connected networks of :mod:`cs231n_utils.classifiers.fc_net`:
parameters in ``self.params``, L2 strength in ``self.reg``, and ``loss(X, y=None)``
returning scores (no labels) or ``(loss, grads)`` (with labels), so the
:class:`cs231n_utils.solver.Solver` trains it unchanged.

Assignment 04_cnn: :class:`ThreeLayerConvNet`.
"""

from __future__ import annotations

import numpy as np

# CS231n's notebooks star-import the layers, the fast layers and the sandwich layers
# through this module (`from cs231n_utils.classifiers.cnn import *`), hence the star
# imports and the __all__ below. The names imported by name are what the answers use (the
# student's stub does not use them until it is filled in): ThreeLayerConvNet uses only
# layers.py and fast_layers.py.
from cs231n_utils import fast_layers as _fast_layers
from cs231n_utils import layer_utils as _layer_utils
from cs231n_utils import layers as _layers
from cs231n_utils.fast_layers import *  # noqa: F403
from cs231n_utils.fast_layers import (  # noqa: F401
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)
from cs231n_utils.layer_utils import *  # noqa: F403
from cs231n_utils.layers import *  # noqa: F403
from cs231n_utils.layers import (  # noqa: F401
    affine_backward,
    affine_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
)
from cs231n_utils.model_io import SavesParams

__all__ = sorted({"ThreeLayerConvNet", *_layers.__all__, *_fast_layers.__all__,
                  *_layer_utils.__all__})


class ThreeLayerConvNet(SavesParams):
    """A three-layer convolutional network: conv - ReLU - 2x2 max pool - affine - ReLU -
    affine - softmax.

    For inputs of shape ``(N, C, H, W)``:

    * the convolution has ``F = num_filters`` filters of ``filter_size x filter_size``,
      stride 1 and zero padding ``(filter_size - 1) // 2``, so it keeps ``H x W``;
    * the max pool (2 x 2, stride 2) halves it to ``H/2 x W/2`` (``H`` and ``W`` even);
    * the hidden affine layer maps the ``F * H/2 * W/2`` pooled values (flattened per
      example in ``(F, H/2, W/2)`` order) to ``hidden_dim`` units, the last one to
      ``num_classes`` scores.

    The loss is the softmax loss plus ``0.5 * reg * (sum(W1**2) + sum(W2**2) + sum(W3**2))``
    (biases are not penalised). Use the fast layers of :mod:`cs231n_utils.fast_layers` for
    the convolution and the pooling, and your layers of :mod:`cs231n_utils.layers` for the
    rest (ReLU, affine, softmax loss).

    Parameters
    ----------
    input_dim : tuple of int, default (3, 32, 32)
        ``(C, H, W)`` of one input.
    num_filters : int, default 32
        ``F``, the number of filters of the convolution.
    filter_size : int, default 7
        Width and height of the filters; odd, so that the padding keeps the size.
    hidden_dim : int, default 100
        Units of the hidden affine layer.
    num_classes : int, default 10
        Number of scores.
    weight_scale : float, default 1e-3
        Standard deviation of the normal distribution the weights start from (drawn with
        ``np.random.randn``, so ``np.random.seed`` makes them reproducible).
    reg : float, default 0.0
        L2 regularisation strength.
    dtype : numpy dtype, default numpy.float32
        dtype of every parameter; use ``np.float64`` for gradient checks.

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``'W1'`` (F, C, filter_size, filter_size), ``'b1'`` (F,),
        ``'W2'`` (F * H/2 * W/2, hidden_dim), ``'b2'`` (hidden_dim,),
        ``'W3'`` (hidden_dim, num_classes), ``'b3'`` (num_classes,); biases start at 0.
    reg : float
        The regularisation strength.
    dtype : numpy dtype
        The parameters' dtype; :meth:`loss` casts ``X`` to it.
    """

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (3, 32, 32),
        num_filters: int = 32,
        filter_size: int = 7,
        hidden_dim: int = 100,
        num_classes: int = 10,
        weight_scale: float = 1e-3,
        reg: float = 0.0,
        dtype: type = np.float32,
    ) -> None:
        if len(input_dim) != 3 or any(int(d) != d or d < 1 for d in input_dim):
            raise ValueError(f"input_dim must be (C, H, W) of positive integers, "
                             f"got {input_dim!r}")
        if input_dim[1] % 2 or input_dim[2] % 2:
            raise ValueError(f"input_dim must have an even height and width for the 2x2 "
                             f"pool, got {input_dim!r}")
        for name, value in (("num_filters", num_filters), ("hidden_dim", hidden_dim),
                            ("num_classes", num_classes), ("filter_size", filter_size)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if filter_size % 2 == 0:
            raise ValueError(f"filter_size must be odd (the padding keeps the size), "
                             f"got {filter_size}")
        if not weight_scale > 0:
            raise ValueError(f"weight_scale must be a positive number, got {weight_scale!r}")
        if not reg >= 0:
            raise ValueError(f"reg must be a number >= 0, got {reg!r}")
        self.reg = reg
        self.dtype = dtype
        self.params: dict[str, np.ndarray] = {}
        C, H, W = (int(d) for d in input_dim)
        ### BEGIN SOLUTION (04_cnn, section 8 "A three-layer convnet")
        F = num_filters
        pooled = F * (H // 2) * (W // 2)
        self.params["W1"] = weight_scale * np.random.randn(F, C, filter_size, filter_size)
        self.params["b1"] = np.zeros(F)
        self.params["W2"] = weight_scale * np.random.randn(pooled, hidden_dim)
        self.params["b2"] = np.zeros(hidden_dim)
        self.params["W3"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b3"] = np.zeros(num_classes)
        ### END SOLUTION
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(
        self, X: np.ndarray, y: np.ndarray | None = None
    ) -> np.ndarray | tuple[float, dict[str, np.ndarray]]:
        """Class scores, or the loss and its gradients, for a minibatch.

        Parameters
        ----------
        X : numpy.ndarray, shape (N, C, H, W)
            Input images.
        y : numpy.ndarray of int, shape (N,), optional
            Labels, ``0 <= y[i] < num_classes``.

        Returns
        -------
        scores : numpy.ndarray, shape (N, num_classes)
            When ``y`` is None.
        (loss, grads) : tuple of float and dict
            When ``y`` is given: the softmax loss plus the L2 penalty, and its gradient for
            every entry of ``self.params``, under the same key and with the same shape.
        """
        X = np.asarray(X).astype(self.dtype, copy=False)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]
        conv_param = {"stride": 1, "pad": (W1.shape[2] - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        ### BEGIN SOLUTION (04_cnn, section 8 "A three-layer convnet")
        conv, conv_cache = conv_forward_fast(X, W1, b1, conv_param)
        act, act_cache = relu_forward(conv)
        pooled, pool_cache = max_pool_forward_fast(act, pool_param)
        hidden_pre, hidden_pre_cache = affine_forward(pooled, W2, b2)
        hidden, hidden_cache = relu_forward(hidden_pre)
        scores, scores_cache = affine_forward(hidden, W3, b3)
        if y is None:
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        loss = data_loss + 0.5 * self.reg * sum(np.sum(W * W) for W in (W1, W2, W3))

        grads = {}
        dhidden, grads["W3"], grads["b3"] = affine_backward(dscores, scores_cache)
        dhidden_pre = relu_backward(dhidden, hidden_cache)
        dpooled, grads["W2"], grads["b2"] = affine_backward(dhidden_pre, hidden_pre_cache)
        dact = max_pool_backward_fast(dpooled, pool_cache)
        dconv = relu_backward(dact, act_cache)
        _, grads["W1"], grads["b1"] = conv_backward_fast(dconv, conv_cache)
        for name, W in (("W1", W1), ("W2", W2), ("W3", W3)):
            grads[name] += self.reg * W
        return float(loss), grads
        ### END SOLUTION

