# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""Fully connected networks built from the layers of :mod:`cs231n_utils.layers`.

A model keeps its learnable parameters in the dict ``self.params`` (``'W1'``, ``'b1'``,
...) and its L2 regularisation strength in ``self.reg``. Its one method that matters is
``loss(X, y=None)``:

* without labels it returns the class scores, shape ``(N, C)`` (test time);
* with labels it returns ``(loss, grads)``, where ``grads`` has the same keys as
  ``self.params`` and ``grads[k]`` the shape of ``self.params[k]`` (training time).

:class:`cs231n_utils.solver.Solver` trains any model with that interface.

Assignment 03_backprop: :class:`TwoLayerNet`. Assignment 05_training:
:class:`FullyConnectedNet` (any depth, batch or layer normalisation, dropout).
"""

from __future__ import annotations

import os

import numpy as np

# CS231n's notebooks star-import the layers and the sandwich layers through this module
# (`from cs231n_utils.classifiers.fc_net import *`), hence the star imports and the
# __all__ below. The names imported by name are what the answers use (the student's stub
# does not use them until it is filled in).
from cs231n_utils import layer_utils as _layer_utils
from cs231n_utils import layers as _layers
from cs231n_utils.layer_utils import *  # noqa: F403
from cs231n_utils.layer_utils import (  # noqa: F401
    NORMALIZATIONS,
    affine_norm_relu_backward,
    affine_norm_relu_forward,
    affine_relu_backward,
    affine_relu_forward,
)
from cs231n_utils.layers import *  # noqa: F403
from cs231n_utils.layers import (  # noqa: F401
    affine_backward,
    affine_forward,
    dropout_backward,
    dropout_forward,
    softmax_loss,
)
from cs231n_utils.model_io import (
    ModelFileError,
    SavesParams,
    load_arrays,
    load_model,
    save_model,
    take,
)

__all__ = sorted({"FullyConnectedNet", "TwoLayerNet", *_layers.__all__, *_layer_utils.__all__})


class TwoLayerNet(SavesParams):
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
        # YOUR CODE HERE
        raise NotImplementedError(
            'TwoLayerNet.__init__ is not written yet: fill it in, guided by 03_backprop, '
            'section 9 "A two-layer network".'
        )

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
        # YOUR CODE HERE
        raise NotImplementedError(
            'TwoLayerNet.loss is not written yet: fill it in, guided by 03_backprop, section '
            '9 "A two-layer network".'
        )


class FullyConnectedNet:
    """A fully connected network of any depth, with optional normalisation and dropout.

    With ``L - 1`` hidden layers the architecture is::

        {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax

    where the normalisation is there when ``normalization`` is given and dropout when
    ``dropout_keep_ratio < 1``. The loss adds ``0.5 * reg * sum(W ** 2)`` over the weight
    matrices (not the biases, not gamma and beta).

    Parameters
    ----------
    hidden_dims : list of int
        The size of each hidden layer (may be empty: then a softmax classifier).
    input_dim : int, default 3 * 32 * 32
        ``D``, the number of inputs per example.
    num_classes : int, default 10
        ``C``.
    dropout_keep_ratio : float, default 1
        Probability of keeping a hidden unit, in (0, 1]; 1 means no dropout.
    normalization : {None, "batchnorm", "layernorm"}, default None
        The normalisation after each hidden affine layer.
    reg : float, default 0.0
        L2 regularisation strength.
    weight_scale : float, default 1e-2
        Standard deviation of the normal distribution the weights start from (drawn with
        ``np.random.randn``); biases start at 0, gamma at 1, beta at 0.
    dtype : numpy dtype, default numpy.float32
        All parameters have this type and inputs are cast to it: float64 for gradient
        checks, float32 for speed.
    seed : int, optional
        When given, ``np.random.seed(seed)`` is called before the weights are drawn and
        the dropout layers use it, so that the network and its dropout masks are
        reproducible (for gradient checks). For training, leave it None: with a seed
        every call of :meth:`loss` draws the same masks (and resets NumPy's global random
        generator); call ``np.random.seed`` yourself before building the network instead.

    Attributes
    ----------
    params : dict of str to numpy.ndarray
        ``'W1'`` (D, H1), ``'b1'`` (H1,), ..., ``'WL'`` (H_{L-1}, C), ``'bL'`` (C,); with
        normalisation also ``'gamma1'``, ``'beta1'``, ... ``'gamma{L-1}'``,
        ``'beta{L-1}'``, of the size of their hidden layer.
    num_layers : int
        ``L = len(hidden_dims) + 1``.
    normalization : str or None
    use_dropout : bool
        ``dropout_keep_ratio != 1``.
    dropout_param : dict
        ``{"mode": "train", "p": dropout_keep_ratio}`` (and ``"seed"``), shared by all
        dropout layers; :meth:`loss` sets its mode.
    bn_params : list of dict
        One per hidden layer: ``{"mode": "train"}`` for batch normalisation (its running
        averages are kept there), ``{}`` for layer normalisation; :meth:`loss` sets the mode.
    reg : float
    dtype : numpy dtype
    """

    def __init__(
        self,
        hidden_dims: list[int],
        input_dim: int = 3 * 32 * 32,
        num_classes: int = 10,
        dropout_keep_ratio: float = 1,
        normalization: str | None = None,
        reg: float = 0.0,
        weight_scale: float = 1e-2,
        dtype: type = np.float32,
        seed: int | None = None,
    ) -> None:
        hidden_dims = list(hidden_dims)
        for name, value in [("input_dim", input_dim), ("num_classes", num_classes)] + [
                (f"hidden_dims[{i}]", h) for i, h in enumerate(hidden_dims)]:
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if normalization is not None and normalization not in NORMALIZATIONS:
            raise ValueError(f"normalization must be None or one of {NORMALIZATIONS}, "
                             f"got {normalization!r}")
        if isinstance(dropout_keep_ratio, bool) or not 0 < dropout_keep_ratio <= 1:
            raise ValueError(f"dropout_keep_ratio must be in (0, 1] (1: no dropout), "
                             f"got {dropout_keep_ratio!r}")
        if not weight_scale > 0:
            raise ValueError(f"weight_scale must be a positive number, got {weight_scale!r}")
        if not reg >= 0:
            raise ValueError(f"reg must be a number >= 0, got {reg!r}")
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params: dict[str, np.ndarray] = {}
        if seed is not None:
            np.random.seed(seed)
        # YOUR CODE HERE
        raise NotImplementedError(
            'FullyConnectedNet.__init__ is not written yet: fill it in, guided by '
            '05_training, section 8 "A fully connected network of any depth".'
        )

        # The state of the dropout and normalisation layers; loss() sets the modes.
        self.dropout_param: dict = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed
        self.bn_params: list[dict] = []
        if normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        elif normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]

        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def loss(
        self, X: np.ndarray, y: np.ndarray | None = None
    ) -> np.ndarray | tuple[float, dict[str, np.ndarray]]:
        """Class scores, or the loss and its gradients, for a minibatch.

        Without ``y`` the network runs in test mode (dropout off, batch normalisation with
        its running averages); with ``y`` in training mode.

        Parameters
        ----------
        X : numpy.ndarray, shape (N, d_1, ..., d_k)
            Inputs, with ``d_1 * ... * d_k = D``; cast to ``self.dtype``.
        y : numpy.ndarray of int, shape (N,), optional
            Labels, ``0 <= y[i] < C``.

        Returns
        -------
        scores : numpy.ndarray, shape (N, C)
            When ``y`` is None.
        (loss, grads) : tuple of float and dict
            When ``y`` is given: the softmax loss plus the L2 penalty, and its gradient for
            every entry of ``self.params``, under the same key and with the same shape.
        """
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode
        # YOUR CODE HERE
        raise NotImplementedError(
            'FullyConnectedNet.loss is not written yet: fill it in, guided by 05_training, '
            'section 8 "A fully connected network of any depth".'
        )

    def save(self, fname: str | os.PathLike[str]) -> None:
        """Write the network to the ``.npz`` archive ``fname`` (no pickle).

        Saved: ``params``, ``reg``, the normalisation, the dropout keep ratio and batch
        normalisation's running averages, so that a loaded network scores test data
        exactly as this one does.

        Parameters
        ----------
        fname : str or path-like
            The file to write, exactly as given; its folder must exist.
        """
        extra: dict = {"meta:normalization": self.normalization or "",
                       "meta:dropout_keep_ratio": float(self.dropout_param.get("p", 1.0))}
        for i, bn_param in enumerate(self.bn_params):
            for key in ("running_mean", "running_var"):
                if key in bn_param:
                    extra[f"bn{i}:{key}"] = bn_param[key]
        save_model(fname, self, extra)

    def load(self, fname: str | os.PathLike[str]) -> bool:
        """Read a network written by :meth:`save` into this one.

        Build the network with the hidden sizes and normalisation it was saved with,
        then load: the parameters must match by name and shape.

        Parameters
        ----------
        fname : str or path-like
            The file given to :meth:`save`.

        Returns
        -------
        bool
            True (as CS231n's ``load``); a missing file raises instead of returning False.

        Raises
        ------
        FileNotFoundError
            If ``fname`` does not exist.
        ModelFileError
            If the file is damaged, was saved by another class or with another
            normalisation, or a parameter is missing or of another shape (the message
            names the file and the key).
        """
        arrays = load_arrays(fname, type(self).__name__)
        saved_norm = str(take(arrays, "meta:normalization", fname, ())) or None
        if saved_norm != self.normalization:
            raise ModelFileError(f"{fname}: 'meta:normalization' is {saved_norm!r}, but this "
                                 f"network's normalization is {self.normalization!r}")
        arrays = load_model(fname, self)
        keep = float(take(arrays, "meta:dropout_keep_ratio", fname, ()))
        self.use_dropout = keep != 1
        if self.use_dropout:
            self.dropout_param = {**self.dropout_param, "mode": "test", "p": keep}
        else:
            self.dropout_param = {}
        for i, bn_param in enumerate(self.bn_params):
            for key in ("running_mean", "running_var"):
                name = f"bn{i}:{key}"
                if name in arrays:
                    shape = self.params[f"gamma{i + 1}"].shape
                    bn_param[key] = take(arrays, name, fname, shape).astype(self.dtype)
                else:
                    bn_param.pop(key, None)
        return True
