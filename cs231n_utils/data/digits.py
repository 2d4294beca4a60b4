"""Handwritten digits for 06_transfer_learning: scikit-learn's bundled 8x8 digits, enlarged.

scikit-learn ships a copy of the test part of the UCI "Optical Recognition of Handwritten
Digits" data inside its wheel (``sklearn.datasets.load_digits``): 1,797 images of 8 x 8
pixels, each pixel a count 0..16 of ink in a 4 x 4 block of the original 32 x 32 bitmap,
about 180 per digit. Nothing is downloaded.

:func:`load_digits_images` turns them into images that look like Fashion-MNIST's: uint8
values 0..255, the ink bright on a dark background, enlarged to 28 x 28 pixels by bilinear
interpolation. They are the "different" target of 06: same image size, very different
content from the clothes the source network learnt on.
"""

from __future__ import annotations

import numpy as np

from .paths import DatasetError

__all__ = ["DIGITS_CLASSES", "DIGITS_MAX", "load_digits_images"]

#: Class names of the digits: the label ``k`` is the digit ``k``.
DIGITS_CLASSES = tuple(str(k) for k in range(10))
#: Largest pixel value of scikit-learn's 8x8 digits (an ink count in a 4x4 block).
DIGITS_MAX = 16

_FIX = "reinstall scikit-learn (`.venv/bin/python -m pip install --force-reinstall scikit-learn`)"


def load_digits_images(size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 of scikit-learn's 8x8 digits as Fashion-MNIST-style uint8 images.

    The pixel values 0..16 are scaled to 0..255, then each image is enlarged to
    ``size`` x ``size`` with bilinear interpolation (``align_corners=False``, the
    interpolation of :func:`torch.nn.functional.interpolate`) and rounded. As in
    Fashion-MNIST the background is 0 (black) and the strokes are bright. The result is
    the same on every call and every machine: there is no randomness.

    Parameters
    ----------
    size : int, default 28
        Height and width of the returned images (at least 8; 28 matches Fashion-MNIST,
        8 returns the originals scaled to 0..255).

    Returns
    -------
    images : numpy.ndarray of uint8, shape (1797, size, size)
    labels : numpy.ndarray of int64, shape (1797,)
        The digit shown, 0..9 (the classes are nearly balanced: 174 to 183 each).

    Raises
    ------
    ValueError
        If ``size`` is not an integer of at least 8.
    DatasetError
        If scikit-learn's bundled copy does not hold 8x8 images with values 0..16.

    Examples
    --------
    >>> images, labels = load_digits_images()
    >>> images.shape, images.dtype, labels[:5].tolist()
    ((1797, 28, 28), dtype('uint8'), [0, 1, 2, 3, 4])
    """
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 8:
        raise ValueError(f"size must be an integer of at least 8 (28 for Fashion-MNIST), "
                         f"got {size!r}.")
    # Imported here: only 06 needs them, and `cs231n_utils.data` stays light for 01-05.
    import torch
    from sklearn.datasets import load_digits
    from torch.nn import functional as F

    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float64)
    labels = np.asarray(bunch.target, dtype=np.int64)
    if (images.ndim != 3 or images.shape[1:] != (8, 8) or len(labels) != len(images)
            or images.min() < 0 or images.max() > DIGITS_MAX):
        raise DatasetError(
            f"scikit-learn's bundled digits (sklearn.datasets.load_digits) hold images of "
            f"shape {images.shape} with values {images.min()}..{images.max()}, not 8x8 "
            f"images with values 0..{DIGITS_MAX}; {_FIX}."
        )
    scaled = torch.from_numpy(images * (255.0 / DIGITS_MAX))[:, None]
    if size != 8:
        scaled = F.interpolate(scaled, size=(int(size), int(size)), mode="bilinear",
                               align_corners=False)
    out = np.clip(np.rint(scaled[:, 0].numpy()), 0, 255).astype(np.uint8)
    return out, labels
