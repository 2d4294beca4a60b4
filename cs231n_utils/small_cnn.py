"""The small convolutional network of 06_transfer_learning (given, not graded).

Three convolutional blocks make the "body" that turns an image into a feature vector; a
linear "head" turns the feature vector into class scores::

    image (N, C, 28, 28)
      -> block 1: conv 3x3 (C -> 16), ReLU, 2x2 max pool    -> (N, 16, 14, 14)
      -> block 2: conv 3x3 (16 -> 32), ReLU, 2x2 max pool   -> (N, 32, 7, 7)
      -> block 3: conv 3x3 (32 -> 64), ReLU, 2x2 max pool   -> (N, 64, 3, 3)
      -> global average pooling and flatten                 -> (N, 64)   the features
      -> head: linear (64 -> num_classes)                   -> (N, num_classes)

``model.features`` is an :class:`torch.nn.Sequential` of the three blocks (each itself a
``Sequential``: ``features[0]`` is block 1, the one nearest the input); ``model.head`` is
the :class:`torch.nn.Linear`. :meth:`SmallCNN.feature_vector` gives the 64 numbers the
head sees. The global average pooling makes the network work on any input of at least
8 x 8 pixels, but the pretrained weights were learnt on 28 x 28 images.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["BLOCK_CHANNELS", "SmallCNN"]

#: Output channels of the three blocks.
BLOCK_CHANNELS = (16, 32, 64)


def _conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


class SmallCNN(nn.Module):
    """Three conv blocks and a linear head (see the module docstring).

    Parameters
    ----------
    num_classes : int, default 5
        Outputs of the head.
    in_channels : int, default 1
        Channels of the input images (1 for Fashion-MNIST and digits, 3 for CIFAR-10).

    Attributes
    ----------
    features : torch.nn.Sequential
        The three blocks; ``features[i]`` is block ``i + 1``.
    head : torch.nn.Linear
        ``64 -> num_classes``.
    """

    def __init__(self, num_classes: int = 5, in_channels: int = 1) -> None:
        super().__init__()
        for name, value in (("num_classes", num_classes), ("in_channels", in_channels)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        channels = (in_channels, *BLOCK_CHANNELS)
        self.features = nn.Sequential(*(_conv_block(channels[i], channels[i + 1])
                                        for i in range(len(BLOCK_CHANNELS))))
        self.head = nn.Linear(BLOCK_CHANNELS[-1], num_classes)

    def feature_vector(self, x: torch.Tensor) -> torch.Tensor:
        """The features the head sees: the body's output averaged over space, (N, 64)."""
        return self.features(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores, shape (N, num_classes), for images of shape (N, C, H, W)."""
        return self.head(self.feature_vector(x))
