"""Pictures of images, weights and filters, drawn with matplotlib.

Images are ``(N, H, W, C)`` arrays with ``C`` = 1 (Fashion-MNIST, 28x28) or 3 (CIFAR-10,
32x32). The figure helpers also accept ``(N, H, W)`` and the channels-first
``(N, C, H, W)`` layout used from assignment 04 on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["show_image_grid", "show_images", "visualize_grid"]


def visualize_grid(Xs: np.ndarray, ubound: float = 255.0, padding: int = 1) -> np.ndarray:
    """Tile a batch of images into one image, on a roughly square grid.

    Each tile is rescaled on its own to ``[0, ubound]``, so learned weights and
    filters (any range, any sign) become visible. Unused cells and the padding
    between tiles are 0.

    Parameters
    ----------
    Xs : numpy.ndarray
        Images of shape ``(N, H, W, C)``.
    ubound : float, default 255.0
        Upper bound of the rescaled values; use 1.0 for ``imshow`` of floats.
    padding : int, default 1
        Pixels between neighbouring tiles.

    Returns
    -------
    numpy.ndarray
        Shape ``(G * (H + padding) - padding, G * (W + padding) - padding, C)`` with
        ``G = ceil(sqrt(N))``.

    Raises
    ------
    ValueError
        If ``Xs`` is not 4-dimensional or empty, or ``padding`` is negative.
    """
    Xs = np.asarray(Xs, dtype=np.float64)
    if Xs.ndim != 4 or Xs.shape[0] == 0:
        raise ValueError(
            f"Xs must be a non-empty array of shape (N, H, W, C), got shape {Xs.shape}"
        )
    if padding < 0:
        raise ValueError(f"padding must be a non-negative integer, got {padding!r}")
    N, H, W, C = Xs.shape
    grid_size = math.ceil(math.sqrt(N))
    grid = np.zeros((grid_size * (H + padding) - padding, grid_size * (W + padding) - padding, C))
    for i, img in enumerate(Xs):
        row, col = divmod(i, grid_size)
        top, left = row * (H + padding), col * (W + padding)
        low, high = img.min(), img.max()
        if high > low:  # a constant tile (all zeros, say) stays 0
            grid[top : top + H, left : left + W] = ubound * (img - low) / (high - low)
    return grid


def _as_nhwc(X: np.ndarray, name: str = "X") -> np.ndarray:
    """Return images as float ``(N, H, W, C)``, accepting ``(N, H, W)`` and ``(N, C, H, W)``."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 3:
        return X[..., np.newaxis]
    if X.ndim == 4:
        if X.shape[-1] not in (1, 3) and X.shape[1] in (1, 3):
            return X.transpose(0, 2, 3, 1)  # channels-first -> channels-last
        if X.shape[-1] in (1, 3):
            return X
    raise ValueError(
        f"{name} must hold images of shape (N, H, W, C) with C = 1 or 3, (N, H, W), "
        f"or (N, C, H, W); got shape {X.shape}"
    )


def _draw(ax: Axes, img: np.ndarray, vmax: float = 255.0) -> None:
    """Show one (H, W, C) image with values in [0, vmax]; grayscale uses cmap="gray"."""
    if img.shape[-1] == 1:
        ax.imshow(img[..., 0], cmap="gray", vmin=0.0, vmax=vmax)
    else:
        ax.imshow(np.clip(img / vmax, 0.0, 1.0))


def show_image_grid(
    X: np.ndarray,
    y: np.ndarray | None = None,
    class_names: Sequence[str] | None = None,
    samples_per_class: int = 7,
    seed: int = 0,
    ax: Axes | None = None,
) -> Figure:
    """Show random training samples: one column per class, class names on top.

    The samples are drawn as one mosaic on one ``Axes`` (fast, and it fits in a
    subplot of your own); the class names are the column labels along the top.

    Parameters
    ----------
    X : numpy.ndarray
        Images with values in 0..255, of shape ``(N, H, W, C)`` with C = 1 or 3,
        ``(N, H, W)`` or ``(N, C, H, W)``.
    y : numpy.ndarray, optional
        Integer labels of shape ``(N,)``. Without labels a ``samples_per_class`` x 10
        grid of random images is shown, with no column titles.
    class_names : sequence of str, optional
        ``class_names[c]`` names label ``c``. Default: the labels present in ``y``,
        written as numbers.
    samples_per_class : int, default 7
        Rows of the grid. A class with fewer examples leaves its column part blank.
    seed : int, default 0
        Seed for choosing the samples.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the grid.

    Raises
    ------
    ValueError
        If the shapes of ``X`` and ``y`` do not fit, a label has no class name, or
        ``samples_per_class < 1``.
    """
    X = _as_nhwc(X)
    if samples_per_class < 1:
        raise ValueError(f"samples_per_class must be a positive integer, got {samples_per_class!r}")
    rng = np.random.default_rng(seed)
    N, H, W, C = X.shape

    if y is None:
        num_cols = 10
        picks = rng.permutation(N)[: samples_per_class * num_cols]
        columns = [picks[c::num_cols] for c in range(num_cols)]
        titles: list[str] = []
    else:
        y = np.asarray(y)
        if y.shape != (N,):
            raise ValueError(f"y must have shape ({N},) to label X, got shape {y.shape}")
        if class_names is None:
            labels = np.unique(y)
            titles = [str(label) for label in labels]
        else:
            labels = np.arange(len(class_names))
            titles = [str(name) for name in class_names]
            unnamed = np.setdiff1d(np.unique(y), labels)
            if unnamed.size:
                raise ValueError(
                    f"class_names must name every label in y (0..{len(labels) - 1}); "
                    f"labels without a name: {unnamed.tolist()}"
                )
        columns = []
        for label in labels:
            members = np.flatnonzero(y == label)
            size = min(samples_per_class, members.size)
            columns.append(rng.choice(members, size=size, replace=False))

    pad = 2
    num_cols = len(columns)
    # White separators between the tiles, like a grid of subplots.
    mosaic = np.full((samples_per_class * (H + pad) - pad, num_cols * (W + pad) - pad, C), 255.0)
    for col, indices in enumerate(columns):
        for row, i in enumerate(indices):
            top, left = row * (H + pad), col * (W + pad)
            mosaic[top : top + H, left : left + W] = X[i]

    if ax is None:
        fig = plt.figure(
            figsize=(max(4.0, 0.9 * num_cols), 0.9 * samples_per_class + 0.6), layout="constrained"
        )
        ax = fig.add_subplot()
    _draw(ax, mosaic)
    ax.xaxis.tick_top()
    ax.set_xticks([col * (W + pad) + (W - 1) / 2 for col in range(len(titles))])
    ax.set_xticklabels(titles)
    ax.tick_params(length=0)
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax.figure


def _image_list(X: np.ndarray | Sequence[np.ndarray]) -> list[np.ndarray]:
    """Split ``X`` into a list of ``(H, W, C)`` images (see :func:`show_images`)."""
    if isinstance(X, np.ndarray):
        single = X.ndim == 2 or (X.ndim == 3 and X.shape[-1] in (1, 3))
        if not single:
            return list(_as_nhwc(X))
        X = [X]
    return [_as_nhwc(np.asarray(img)[np.newaxis], "each image")[0] for img in X]


def show_images(
    X: np.ndarray | Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    ncols: int | None = None,
    normalize: bool = True,
    size: float = 2.0,
) -> Figure:
    """Show a few images side by side, each with an optional title.

    Parameters
    ----------
    X : numpy.ndarray or sequence of numpy.ndarray
        The images: an array ``(N, H, W, C)``, ``(N, H, W)`` or ``(N, C, H, W)``, or a
        list of single images ``(H, W)`` / ``(H, W, C)`` which may differ in size (an
        image next to its filtered version, say). A 3-D array whose last axis is 1 or 3
        is one image ``(H, W, C)``; any other 3-D array is ``N`` grayscale images.
    titles : sequence of str, optional
        One title per image.
    ncols : int, optional
        Images per row; default all in one row.
    normalize : bool, default True
        Stretch each image to its own full range, for filter responses and weights
        of any scale. With False, values are taken as 0..255.
    size : float, default 2.0
        Width and height of each image in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, one axes per image.

    Raises
    ------
    ValueError
        If there is no image, an image has an unsupported shape, the number of titles
        differs from the number of images, or ``ncols < 1``.
    """
    images = _image_list(X)
    if not images:
        raise ValueError("X must hold at least one image, got none")
    if titles is not None and len(titles) != len(images):
        raise ValueError(
            f"titles must have one entry per image: {len(images)} images, {len(titles)} titles"
        )
    ncols = len(images) if ncols is None else ncols
    if ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    nrows = math.ceil(len(images) / ncols)

    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.3), squeeze=False
    )
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= len(images):
            continue
        img = images[k]
        if normalize:
            low, high = img.min(), img.max()
            img = (img - low) / (high - low) if high > low else np.zeros_like(img)
        _draw(ax, img, vmax=1.0 if normalize else 255.0)
        if titles is not None:
            ax.set_title(str(titles[k]))
    fig.tight_layout()
    return fig
