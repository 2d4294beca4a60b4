"""Fully connected networks built from the layers of :mod:`cs231n_utils.layers`.

A model keeps its learnable parameters in the dict ``self.params`` (``'W1'``, ``'b1'``,
...) and its L2 regularisation strength in ``self.reg``. Its one method that matters is
``loss(X, y=None)``:

* without labels it returns the class scores, shape ``(N, C)`` (test time);
* with labels it returns ``(loss, grads)``, where ``grads`` has the same keys as
  ``self.params`` and ``grads[k]`` the shape of ``self.params[k]`` (training time).

:class:`cs231n_utils.solver.Solver` trains any model with that interface.

Assignment 03_backprop: :class:`TwoLayerNet`. Assignment 05 adds ``FullyConnectedNet``
(any depth, batch normalisation, dropout) to this file.
"""

from __future__ import annotations

import numpy as np

# The answers use these; the student's stub does not, until it is filled in.
from cs231n_utils.layer_utils import affine_relu_backward, affine_relu_forward  # noqa: F401
from cs231n_utils.layers import affine_backward, affine_forward, softmax_loss  # noqa: F401

__all__ = ["TwoLayerNet"]


class TwoLayerNet:
    """A two-layer fully connected network: affine - ReLU - affine - softmax.

    For an input of ``D`` numbers, a hidden layer of ``H`` units and ``C`` classes::

        scores = relu(X @ W1 + b1) @ W2 + b2,   loss = softmax_loss(scores, y)

    plus the L2 penalty ``0.5 * reg * (sum(W1 ** 2) + sum(W2 ** 2))`` (biases are not
    penalised).

    Parameters
    ----------
    input_dim : int, default 3 * 32 * 32
        ``D``, the number of inputs per example (a CIFAR-10 image has 3072).
    hidden_dim : int, default 100
        ``H``, the number of hidden units.
    num_classes : int, default 10
        ``C``, the number of classes.
    weight_scale : float, default 1e-3
        Standard deviation of the normal distribution the weights start from (drawn with
        ``np.random.randn``, so ``np.random.seed`` makes them reproducible).
    reg : float, default 0.0
        L2 regularisation strength.

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``'W1'`` (D, H), ``'b1'`` (H,), ``'W2'`` (H, C), ``'b2'`` (C,); float64. The
        biases start at 0.
    reg : float
        The regularisation strength. :meth:`loss` uses only ``params`` and ``reg``.
    """

    def __init__(
        self,
        input_dim: int = 3 * 32 * 32,
        hidden_dim: int = 100,
        num_classes: int = 10,
        weight_scale: float = 1e-3,
        reg: float = 0.0,
    ) -> None:
        for name, value in (("input_dim", input_dim), ("hidden_dim", hidden_dim),
                            ("num_classes", num_classes)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not weight_scale > 0:
            raise ValueError(f"weight_scale must be a positive number, got {weight_scale!r}")
        if not reg >= 0:
            raise ValueError(f"reg must be a number >= 0, got {reg!r}")
        self.reg = reg
        self.params: dict[str, np.ndarray] = {}
        ### BEGIN SOLUTION (03_backprop, section 9 "A two-layer network")
        self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b2"] = np.zeros(num_classes)
        ### END SOLUTION

    def loss(
        self, X: np.ndarray, y: np.ndarray | None = None
    ) -> np.ndarray | tuple[float, dict[str, np.ndarray]]:
        """Class scores, or the loss and its gradients, for a minibatch.

        Parameters
        ----------
        X : numpy.ndarray, shape (N, d_1, ..., d_k)
            Inputs, with ``d_1 * ... * d_k = D``.
        y : numpy.ndarray of int, shape (N,), optional
            Labels, ``0 <= y[i] < C``.

        Returns
        -------
        scores : numpy.ndarray, shape (N, C)
            When ``y`` is None: ``scores[i, c]`` is the score of class ``c`` for ``X[i]``.
        (loss, grads) : tuple of float and dict
            When ``y`` is given: the softmax loss plus the L2 penalty, and the gradient of
            that total for every entry of ``self.params``, under the same key and with the
            same shape.
        """
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        ### BEGIN SOLUTION (03_backprop, section 9 "A two-layer network")
        hidden, hidden_cache = affine_relu_forward(X, W1, b1)
        scores, scores_cache = affine_forward(hidden, W2, b2)
        if y is None:
            return scores

        data_loss, dscores = softmax_loss(scores, y)
        reg_loss = 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        loss = data_loss + reg_loss

        grads = {}
        dhidden, grads["W2"], grads["b2"] = affine_backward(dscores, scores_cache)
        _, grads["W1"], grads["b1"] = affine_relu_backward(dhidden, hidden_cache)
        # d/dW of 0.5 * reg * sum(W * W) is reg * W.
        grads["W2"] += self.reg * W2
        grads["W1"] += self.reg * W1
        return loss, grads
        ### END SOLUTION
