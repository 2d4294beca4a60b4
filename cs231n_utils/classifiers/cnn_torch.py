# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""Convolutional networks in PyTorch: the three-layer net again, then VGG, Inception and
ResNet building blocks.

Assignment 04_cnn, sections 10-15. Every class here is a :class:`torch.nn.Module`: its
``__init__`` creates the layers that hold parameters, as attributes with the names given
in its docstring (the checks and the grader read the parameters through those names), and
its ``forward`` computes the output from them. Layers without parameters (ReLU, pooling,
concatenation) may be written either as modules or with :mod:`torch.nn.functional`,
whichever you prefer.

Graded (you write them):

* :class:`ThreeLayerConvNetTorch`: conv - ReLU - 2x2 max pool - affine - ReLU - affine,
  the network of the NumPy ``ThreeLayerConvNet``;
* :class:`VGGBlock`: a stack of 3x3 convolutions and a 2x2 max pool;
* :class:`InceptionModule`: four parallel branches concatenated along the channels;
* :class:`ResidualBlock`: ResNet's basic block with its shortcut.

Given (built from the graded blocks): :func:`load_numpy_params`, :func:`count_parameters`,
:class:`SmallVGGNet`, :class:`SmallInceptionNet`, :class:`SmallResNet`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F  # noqa: F401  (the answers use it)

__all__ = [
    "InceptionModule",
    "ResidualBlock",
    "SmallInceptionNet",
    "SmallResNet",
    "SmallVGGNet",
    "ThreeLayerConvNetTorch",
    "VGGBlock",
    "count_parameters",
    "load_numpy_params",
]


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


# --------------------------------------------------------------- the three-layer network


class ThreeLayerConvNetTorch(nn.Module):
    """The three-layer convolutional network of the NumPy part, written with ``torch.nn``.

    Architecture, for inputs of shape ``(N, C, H, W)``::

        conv - relu - 2x2 max pool - affine - relu - affine - scores

    * ``conv``: ``F = num_filters`` filters of size ``filter_size x filter_size``, stride 1,
      zero padding ``(filter_size - 1) // 2`` on every side (so H and W are kept for the
      odd filter sizes used here), with biases;
    * max pooling over 2x2 windows with stride 2: ``(N, F, H, W) -> (N, F, H // 2, W // 2)``;
    * the pooled maps flattened per example in C order, i.e. the index runs over
      ``(F, H // 2, W // 2)`` with the last axis fastest (``x.flatten(1)`` does this);
    * ``fc1``: affine to ``hidden_dim`` units, then ReLU; ``fc2``: affine to
      ``num_classes`` scores (no ReLU, no softmax: the loss adds that).

    Parameters
    ----------
    input_dim : tuple of int, default (3, 32, 32)
        ``(C, H, W)`` of one input image.
    num_filters : int, default 32
        ``F``, the number of convolution filters.
    filter_size : int, default 7
        Height and width of each filter; odd.
    hidden_dim : int, default 100
        Units of the hidden affine layer.
    num_classes : int, default 10
        Number of scores per example.

    Attributes
    ----------
    conv : torch.nn.Conv2d
        ``weight`` (F, C, filter_size, filter_size), ``bias`` (F,). The NumPy model's
        ``W1``, ``b1``.
    fc1 : torch.nn.Linear
        ``weight`` (hidden_dim, F * (H // 2) * (W // 2)), ``bias`` (hidden_dim,). The
        NumPy model's ``W2.T``, ``b2``.
    fc2 : torch.nn.Linear
        ``weight`` (num_classes, hidden_dim), ``bias`` (num_classes,). The NumPy model's
        ``W3.T``, ``b3``.

    No other layer holds parameters. PyTorch's default initialisation is fine.
    """

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (3, 32, 32),
        num_filters: int = 32,
        filter_size: int = 7,
        hidden_dim: int = 100,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        if len(input_dim) != 3:
            raise ValueError(f"input_dim must be (C, H, W), got {input_dim!r}")
        for name, value in (("C", input_dim[0]), ("H", input_dim[1]), ("W", input_dim[2]),
                            ("num_filters", num_filters), ("filter_size", filter_size),
                            ("hidden_dim", hidden_dim), ("num_classes", num_classes)):
            _positive_int(name, value)
        if filter_size % 2 == 0:
            raise ValueError(f"filter_size must be odd, got {filter_size}")
        C, H, W = input_dim
        # YOUR CODE HERE
        raise NotImplementedError(
            'ThreeLayerConvNetTorch.__init__ is not written yet: fill it in, guided by '
            '04_cnn, section 10 "The same network in PyTorch".'
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores.

        Parameters
        ----------
        x : torch.Tensor, shape (N, C, H, W)

        Returns
        -------
        torch.Tensor, shape (N, num_classes)
        """
        # YOUR CODE HERE
        raise NotImplementedError(
            'ThreeLayerConvNetTorch.forward is not written yet: fill it in, guided by 04_cnn,'
            ' section 10 "The same network in PyTorch".'
        )


def load_numpy_params(model: nn.Module, params: dict[str, np.ndarray]) -> None:
    """Copy the parameters of a NumPy ``ThreeLayerConvNet`` into a PyTorch model.

    The two layouts differ only in the affine layers: NumPy computes ``x @ W + b`` with
    ``W`` of shape (in, out), ``torch.nn.Linear`` computes ``x @ weight.T + bias`` with
    ``weight`` of shape (out, in). Convolution weights have the same layout
    (F, C, HH, WW) in both, and both compute a cross-correlation (no flipped kernel).

    Parameters
    ----------
    model : ThreeLayerConvNetTorch
        Receives the values in place (in its own dtype), under ``torch.no_grad()``.
    params : dict of str to numpy.ndarray
        ``W1`` (F, C, HH, WW), ``b1`` (F,), ``W2`` (D, hidden), ``b2`` (hidden,),
        ``W3`` (hidden, classes), ``b3`` (classes,).

    Raises
    ------
    KeyError
        If a parameter is missing from ``params``.
    ValueError
        If an array does not fit the model's layer.
    """
    pairs = (
        (model.conv.weight, params["W1"]), (model.conv.bias, params["b1"]),
        (model.fc1.weight, np.asarray(params["W2"]).T), (model.fc1.bias, params["b2"]),
        (model.fc2.weight, np.asarray(params["W3"]).T), (model.fc2.bias, params["b3"]),
    )
    names = ("W1", "b1", "W2.T", "b2", "W3.T", "b3")
    for name, (target, array) in zip(names, pairs, strict=True):
        array = np.asarray(array)
        if tuple(array.shape) != tuple(target.shape):
            raise ValueError(f"params[{name!r}] has shape {array.shape}, but the model's "
                             f"layer needs {tuple(target.shape)}")
    with torch.no_grad():
        for target, array in pairs:
            target.copy_(torch.as_tensor(np.ascontiguousarray(array), dtype=target.dtype))


def count_parameters(model: nn.Module, *, trainable_only: bool = True) -> int:
    """The number of (trainable, by default) parameters of a model.

    BatchNorm's running mean and variance are buffers, not parameters: they are not
    counted.
    """
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


# -------------------------------------------------------------------------- VGG blocks


class VGGBlock(nn.Module):
    """VGG's building block: ``num_convs`` 3x3 convolutions, each followed by ReLU, then a
    2x2 max pool with stride 2.

    ``(N, in_channels, H, W) -> (N, out_channels, H // 2, W // 2)``. Each convolution has
    stride 1, zero padding 1 (so it keeps H and W) and biases; the first maps
    ``in_channels`` to ``out_channels``, the others ``out_channels`` to ``out_channels``.

    Parameters
    ----------
    in_channels : int
    out_channels : int
    num_convs : int
        How many conv - ReLU pairs come before the pool (at least 1).

    Attributes
    ----------
    convs : torch.nn.ModuleList of torch.nn.Conv2d
        The ``num_convs`` convolutions, in the order they are applied. No other layer
        holds parameters.
    """

    def __init__(self, in_channels: int, out_channels: int, num_convs: int) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("num_convs", num_convs)):
            _positive_int(name, value)
        # YOUR CODE HERE
        raise NotImplementedError(
            'VGGBlock.__init__ is not written yet: fill it in, guided by 04_cnn, section 11 '
            '"VGG blocks: stacks of 3x3 convolutions".'
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, in_channels, H, W) -> (N, out_channels, H // 2, W // 2)``."""
        # YOUR CODE HERE
        raise NotImplementedError(
            'VGGBlock.forward is not written yet: fill it in, guided by 04_cnn, section 11 '
            '"VGG blocks: stacks of 3x3 convolutions".'
        )


# ------------------------------------------------------------------ Inception modules


class InceptionModule(nn.Module):
    """GoogLeNet's Inception module: four branches side by side, outputs concatenated.

    All branches see the same input ``(N, in_channels, H, W)`` and keep H and W:

    1. ``conv1``: 1x1 conv to ``c1`` channels;
    2. ``conv3_reduce``: 1x1 conv to ``c3_reduce`` channels, then ``conv3``: 3x3 conv
       (padding 1) to ``c3`` channels;
    3. ``conv5_reduce``: 1x1 conv to ``c5_reduce`` channels, then ``conv5``: 5x5 conv
       (padding 2) to ``c5`` channels;
    4. 3x3 max pool with stride 1 and padding 1, then ``pool_proj``: 1x1 conv to
       ``pool_proj`` channels.

    Every convolution (stride 1, with biases) is followed by a ReLU. The output is the
    four branch outputs concatenated along the channel axis, in the order 1, 2, 3, 4:
    shape ``(N, c1 + c3 + c5 + pool_proj, H, W)``.

    Parameters
    ----------
    in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj : int
        Channel counts as above.

    Attributes
    ----------
    conv1, conv3_reduce, conv3, conv5_reduce, conv5, pool_proj : torch.nn.Conv2d
        The six convolutions. No other layer holds parameters. (The argument
        ``pool_proj`` is a number; the attribute ``pool_proj`` is the layer.)
    """

    def __init__(self, in_channels: int, c1: int, c3_reduce: int, c3: int, c5_reduce: int,
                 c5: int, pool_proj: int) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("c1", c1),
                            ("c3_reduce", c3_reduce), ("c3", c3), ("c5_reduce", c5_reduce),
                            ("c5", c5), ("pool_proj", pool_proj)):
            _positive_int(name, value)
        # YOUR CODE HERE
        raise NotImplementedError(
            'InceptionModule.__init__ is not written yet: fill it in, guided by 04_cnn, '
            'section 12 "Inception modules and global average pooling".'
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, in_channels, H, W) -> (N, c1 + c3 + c5 + pool_proj, H, W)``."""
        # YOUR CODE HERE
        raise NotImplementedError(
            'InceptionModule.forward is not written yet: fill it in, guided by 04_cnn, '
            'section 12 "Inception modules and global average pooling".'
        )


# ------------------------------------------------------------------- residual blocks


class ResidualBlock(nn.Module):
    """ResNet's basic block: two 3x3 convolutions and a shortcut around them.

    ::

        residual = bn2(conv2(relu(bn1(conv1(x)))))
        out      = relu(residual + shortcut(x))

    * ``conv1``: 3x3, ``in_channels -> out_channels``, stride ``stride``, padding 1, no bias;
    * ``conv2``: 3x3, ``out_channels -> out_channels``, stride 1, padding 1, no bias;
    * ``bn1``, ``bn2``: ``torch.nn.BatchNorm2d(out_channels)`` (default eps and momentum).
      Batch normalisation (assignment 05) rescales each channel to zero mean and unit
      variance over the batch, then applies a learned scale ``weight`` and shift
      ``bias``; that makes a conv's bias redundant, hence ``bias=False``.
    * the shortcut: the identity (``shortcut(x) = x``) when ``in_channels == out_channels``
      and ``stride == 1``; otherwise the input does not fit the residual's shape, and the
      shortcut is a 1x1 conv (``in_channels -> out_channels``, stride ``stride``, no bias)
      followed by a BatchNorm2d(out_channels).

    ``(N, in_channels, H, W) -> (N, out_channels, H', W')`` with
    ``H' = (H - 1) // stride + 1`` (H itself for stride 1), likewise W'.

    Parameters
    ----------
    in_channels : int
    out_channels : int
    stride : int, default 1
        Stride of ``conv1`` and of the projection shortcut; 2 halves H and W.

    Attributes
    ----------
    conv1, conv2 : torch.nn.Conv2d
    bn1, bn2 : torch.nn.BatchNorm2d
    shortcut : None or torch.nn.Sequential
        ``None`` for the identity shortcut; otherwise
        ``nn.Sequential(nn.Conv2d(...), nn.BatchNorm2d(...))`` as above (``shortcut[0]``
        the conv, ``shortcut[1]`` the batch norm). No other layer holds parameters.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("stride", stride)):
            _positive_int(name, value)
        # YOUR CODE HERE
        raise NotImplementedError(
            'ResidualBlock.__init__ is not written yet: fill it in, guided by 04_cnn, section'
            ' 13 "Residual blocks".'
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, in_channels, H, W) -> (N, out_channels, H', W')``."""
        # YOUR CODE HERE
        raise NotImplementedError(
            'ResidualBlock.forward is not written yet: fill it in, guided by 04_cnn, section '
            '13 "Residual blocks".'
        )


# ------------------------------------------------ small networks built from the blocks


def _check_widths(widths: Sequence[int]) -> tuple[int, ...]:
    widths = tuple(widths)
    if not widths:
        raise ValueError("widths must name at least one stage")
    for i, w in enumerate(widths):
        _positive_int(f"widths[{i}]", w)
    return widths


class SmallVGGNet(nn.Module):
    """A VGG-style network: VGG blocks, then a flatten and a fully connected head.

    ``len(widths)`` blocks, block ``i`` with ``widths[i]`` channels and
    ``convs_per_block`` convolutions, each halving H and W; then the feature maps are
    flattened and fed to ``nn.Linear(widths[-1] * h * w, hidden_dim)`` - ReLU -
    ``nn.Linear(hidden_dim, num_classes)``, as VGG ends (with two hidden layers there).

    Parameters
    ----------
    input_dim : tuple of int
        ``(C, H, W)``; the head's size depends on H and W.
    widths : sequence of int
        Output channels of each block.
    convs_per_block : int
    hidden_dim : int
    num_classes : int
    """

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28),
                 widths: Sequence[int] = (8, 16, 32), convs_per_block: int = 2,
                 hidden_dim: int = 64, num_classes: int = 10) -> None:
        super().__init__()
        widths = _check_widths(widths)
        C, H, W = input_dim
        blocks, channels = [], C
        for width in widths:
            blocks.append(VGGBlock(channels, width, convs_per_block))
            channels, H, W = width, H // 2, W // 2
        if H < 1 or W < 1:
            raise ValueError(f"{len(widths)} blocks halve {input_dim[1:]} to nothing")
        self.features = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(channels * H * W, hidden_dim),
                                  nn.ReLU(), nn.Linear(hidden_dim, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores, shape (N, num_classes)."""
        return self.head(self.features(x))


class SmallInceptionNet(nn.Module):
    """A small GoogLeNet: a 3x3 stem conv, Inception modules, global average pooling and
    a single linear layer.

    The stem (conv 3x3 to ``stem`` channels, padding 1, ReLU, 2x2 max pool) halves H and
    W; then come the Inception modules given by ``blocks`` (tuples
    ``(c1, c3_reduce, c3, c5_reduce, c5, pool_proj)``), with a 2x2 max pool after every
    module but the last. Global average pooling turns each channel into one number, and
    ``nn.Linear(channels, num_classes)`` maps those to scores, whatever H and W were.
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, stem: int = 16,
                 blocks: Sequence[tuple[int, int, int, int, int, int]] = (
                     (8, 8, 16, 4, 8, 8), (16, 12, 24, 4, 12, 12))) -> None:
        super().__init__()
        if not blocks:
            raise ValueError("blocks must list at least one Inception module")
        layers: list[nn.Module] = [nn.Conv2d(in_channels, stem, 3, padding=1), nn.ReLU(),
                                   nn.MaxPool2d(2)]
        channels = stem
        for i, spec in enumerate(blocks):
            if i:
                layers.append(nn.MaxPool2d(2))
            layers.append(InceptionModule(channels, *spec))
            c1, _, c3, _, c5, pool_proj = spec
            channels = c1 + c3 + c5 + pool_proj
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores, shape (N, num_classes)."""
        return self.fc(self.features(x).mean(dim=(2, 3)))


class SmallResNet(nn.Module):
    """A small residual network: a stem, stages of residual blocks, a head.

    * stem: 3x3 conv (``in_channels -> widths[0]``, padding 1, no bias) - BatchNorm - ReLU,
      then, with ``stem_pool``, a 2x2 max pool that halves H and W (ResNet's stem shrinks
      its input four times; halving is enough for 28x28 images and saves most of the
      computation);
    * stage ``i``: ``blocks_per_stage`` residual blocks with ``widths[i]`` channels; the
      first block of every stage but the first has stride 2 (it halves H and W and uses
      a projection shortcut), all others have the identity shortcut;
    * head ``"gap"``: global average pooling (the mean of each channel over H and W),
      then ``nn.Linear(widths[-1], num_classes)``; head ``"flatten"`` flattens the final
      maps instead and needs ``input_size`` ``(H, W)`` to size its linear layer.

    Attributes
    ----------
    stem, stages : torch.nn.Sequential
    fc : torch.nn.Linear
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10,
                 widths: Sequence[int] = (8, 16, 32), blocks_per_stage: int = 1,
                 head: str = "gap", input_size: tuple[int, int] | None = None,
                 stem_pool: bool = True) -> None:
        super().__init__()
        widths = _check_widths(widths)
        _positive_int("blocks_per_stage", blocks_per_stage)
        if head not in ("gap", "flatten"):
            raise ValueError(f"head must be 'gap' or 'flatten', got {head!r}")
        if head == "flatten" and input_size is None:
            raise ValueError("head='flatten' needs input_size=(H, W)")
        self.head = head
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
            nn.BatchNorm2d(widths[0]), nn.ReLU(), *([nn.MaxPool2d(2)] if stem_pool else []))
        blocks, channels = [], widths[0]
        for i, width in enumerate(widths):
            for j in range(blocks_per_stage):
                stride = 2 if i > 0 and j == 0 else 1
                blocks.append(ResidualBlock(channels, width, stride))
                channels = width
        self.stages = nn.Sequential(*blocks)
        features = channels
        if head == "flatten":
            h, w = input_size
            if stem_pool:
                h, w = h // 2, w // 2
            for _ in widths[1:]:
                h, w = (h - 1) // 2 + 1, (w - 1) // 2 + 1
            features = channels * h * w
        self.fc = nn.Linear(features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores, shape (N, num_classes)."""
        maps = self.stages(self.stem(x))
        pooled = maps.mean(dim=(2, 3)) if self.head == "gap" else maps.flatten(1)
        return self.fc(pooled)
