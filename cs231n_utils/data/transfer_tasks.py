"""The three tasks of 06_transfer_learning: the source task and two targets.

- ``"source"``: Fashion-MNIST classes 0-4 (T-shirt/top, Trouser, Pullover, Dress, Coat).
  The network of :mod:`cs231n_utils.pretrained` was trained on it by
  ``python -m cs231n_utils.pretrain``.
- ``"similar"`` (target A): Fashion-MNIST classes 5-9 (Sandal, Shirt, Sneaker, Bag,
  Ankle boot), relabelled 0-4. The same kind of pictures as the source, new classes.
- ``"digits"`` (target B): scikit-learn's bundled handwritten digits
  (:func:`~cs231n_utils.data.digits.load_digits_images`), enlarged to 28 x 28, 10 classes.
  The same image size, very different content.

:func:`load_transfer_task` returns one task as float32 tensors ``(N, C, H, W)``, ready for
:class:`~cs231n_utils.small_cnn.SmallCNN`, normalised exactly as the pretrained network's
inputs were: ``(pixels / 255 - PIXEL_MEAN) / PIXEL_STD``. The constants are fixed (they
are the mean and standard deviation of the source training images, rounded) and stored in
the checkpoint and its log too, so every task goes through the same transformation; a
target is *not* standardised with its own statistics, because the pretrained filters
expect the source's.

:func:`take_per_class` takes a balanced, seeded subset of a training set: the label
budgets (10, 100, 1,000 per class) of the data-efficiency experiment.

The Fashion-MNIST tasks read the embedded subset by default (1,000 training and 200 test
images per class), the data the committed checkpoint was trained on. ``source="auto"``,
``"fashion-mnist"`` or ``"cifar10"`` use the data of
:func:`~cs231n_utils.data.load_image_data` instead; with CIFAR-10 the same split by class
index applies (source = airplane, automobile, bird, cat, deer; target A = dog, frog, horse,
ship, truck), the images are 32 x 32 x 3 (the digits are then enlarged to 32 x 32 and
repeated over 3 channels) and the network needs ``in_channels=3``: retrain it with
``python -m cs231n_utils.pretrain --source cifar10 --out <file>`` first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .digits import DIGITS_CLASSES, load_digits_images
from .paths import datasets_dir
from .splits import SOURCES, _resolve_source, _stratified_pick, load_image_data

if TYPE_CHECKING:  # torch is imported where it is used: `cs231n_utils.data` stays light
    import torch

__all__ = [
    "DEFAULT_SOURCE",
    "DIGITS_SPLIT",
    "PIXEL_MEAN",
    "PIXEL_STD",
    "SOURCE_CLASSES",
    "TARGET_A_CLASSES",
    "TASKS",
    "VAL_FRACTION",
    "load_transfer_task",
    "normalisation",
    "normalise_images",
    "take_per_class",
]

#: Fashion-MNIST (or CIFAR-10) class indices of the source task.
SOURCE_CLASSES = (0, 1, 2, 3, 4)
#: Class indices of target A ("similar"), relabelled 0..4 in this order.
TARGET_A_CLASSES = (5, 6, 7, 8, 9)
#: The names :func:`load_transfer_task` accepts.
TASKS = ("source", "similar", "digits")
#: The data the committed checkpoint was trained on.
DEFAULT_SOURCE = "fashion-mnist-embedded"

#: Inputs are ``(pixels / 255 - PIXEL_MEAN) / PIXEL_STD``: the mean and standard deviation
#: of the source training images of the embedded Fashion-MNIST (classes 0-4), rounded.
PIXEL_MEAN = 0.311
PIXEL_STD = 0.361
#: The same for CIFAR-10, per RGB channel (the usual statistics of its training set).
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)

#: Fraction of each Fashion-MNIST training set held out for validation (stratified).
VAL_FRACTION = 0.1
#: Train / validation / test fractions of the 1,797 digits (stratified).
DIGITS_SPLIT = (0.6, 0.2, 0.2)


def normalisation(source: str = DEFAULT_SOURCE) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The per-channel ``(mean, std)`` (of pixels / 255) used for the data ``source``.

    Parameters
    ----------
    source : str, default "fashion-mnist-embedded"
        A data source of :func:`~cs231n_utils.data.load_image_data` other than ``"auto"``.

    Returns
    -------
    mean, std : tuple of float
        One value per channel: ``((0.311,), (0.361,))`` for Fashion-MNIST, three values
        for CIFAR-10.
    """
    if source == "cifar10":
        return CIFAR10_MEAN, CIFAR10_STD
    if source in ("fashion-mnist", "fashion-mnist-embedded"):
        return (PIXEL_MEAN,), (PIXEL_STD,)
    raise ValueError(f"source={source!r} has no fixed normalisation; use one of "
                     f"'fashion-mnist-embedded', 'fashion-mnist', 'cifar10'.")


def normalise_images(images: np.ndarray, mean: tuple[float, ...] = (PIXEL_MEAN,),
                     std: tuple[float, ...] = (PIXEL_STD,)) -> torch.Tensor:
    """Pixel values 0..255 as the network's input: float32 ``(N, C, H, W)``.

    Parameters
    ----------
    images : numpy.ndarray, shape (N, H, W) or (N, H, W, C)
        Values 0..255 (uint8 or float).
    mean, std : tuple of float
        Per channel, of pixels / 255 (one value for grey images).

    Returns
    -------
    torch.Tensor of float32, shape (N, C, H, W)
        ``(images / 255 - mean) / std`` with the channels first.
    """
    import torch

    X = np.asarray(images, dtype=np.float32)
    if X.ndim == 3:
        X = X[..., np.newaxis]
    if X.ndim != 4:
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, C), got {X.shape}.")
    if X.shape[-1] != len(mean) or len(mean) != len(std):
        raise ValueError(f"images have {X.shape[-1]} channels but mean and std have "
                         f"{len(mean)} and {len(std)} values.")
    X = (X / np.float32(255.0) - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return torch.from_numpy(np.ascontiguousarray(X.transpose(0, 3, 1, 2)))


def _stratified_split(y: np.ndarray, fraction: float,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Positions (kept, held out), each sorted: ``fraction`` of each class held out.

    The same stratified draw as :func:`~cs231n_utils.data.load_image_data` (NumPy's
    seeded generator only), so a split does not depend on another library's version.
    """
    held = _stratified_pick(y, int(round(fraction * len(y))), rng)
    return np.setdiff1d(np.arange(len(y)), held, assume_unique=True), held


def _fashion_task(name: str, seed: int, source: str) -> dict[str, Any]:
    import torch

    data = load_image_data(num_val=0, source=source, seed=seed, verbose=False)
    used = data["source"]
    classes = SOURCE_CLASSES if name == "source" else TARGET_A_CLASSES
    relabel = np.full(len(data["class_names"]), -1, dtype=np.int64)
    relabel[list(classes)] = np.arange(len(classes))
    mean, std = normalisation(used)
    out: dict[str, Any] = {}
    X_tr, y_tr = data["X_train"], data["y_train"]
    in_task = np.flatnonzero(relabel[y_tr] >= 0)
    keep, held = _stratified_split(y_tr[in_task], VAL_FRACTION, np.random.default_rng(seed))
    for split, X, y, idx in (("train", X_tr, y_tr, in_task[keep]),
                             ("val", X_tr, y_tr, in_task[held])):
        out[f"X_{split}"] = normalise_images(X[idx], mean, std)
        out[f"y_{split}"] = torch.from_numpy(relabel[y[idx]])
    test = np.flatnonzero(relabel[data["y_test"]] >= 0)
    out["X_test"] = normalise_images(data["X_test"][test], mean, std)
    out["y_test"] = torch.from_numpy(relabel[data["y_test"][test]])
    names = [data["class_names"][c] for c in classes]
    what = {"cifar10": "CIFAR-10", "fashion-mnist": "Fashion-MNIST (full)",
            "fashion-mnist-embedded": "Fashion-MNIST (embedded subset)"}[used]
    if name == "source":
        text = (f"source task: {what} classes {classes[0]}-{classes[-1]} "
                f"({', '.join(names)}), the task the network was pretrained on")
    else:
        text = (f"target A (similar): {what} classes {classes[0]}-{classes[-1]} "
                f"({', '.join(names)}) relabelled 0-{len(classes) - 1}: the same kind of "
                f"images as the source, new classes")
    out.update(class_names=names, num_classes=len(classes), description=text, source=used,
               mean=mean, std=std)
    return out


def _digits_task(seed: int, source: str) -> dict[str, Any]:
    import torch

    used = _resolve_source(source, datasets_dir())
    mean, std = normalisation(used)
    size = 32 if used == "cifar10" else 28
    images, labels = load_digits_images(size)
    if len(mean) == 3:
        images = np.repeat(images[..., np.newaxis], 3, axis=-1)
    rng = np.random.default_rng(seed)
    train_val, test = _stratified_split(labels, DIGITS_SPLIT[2], rng)
    val_share = DIGITS_SPLIT[1] / (DIGITS_SPLIT[0] + DIGITS_SPLIT[1])
    keep, held = _stratified_split(labels[train_val], val_share, rng)
    out: dict[str, Any] = {}
    for split, idx in (("train", train_val[keep]), ("val", train_val[held]), ("test", test)):
        out[f"X_{split}"] = normalise_images(images[idx], mean, std)
        out[f"y_{split}"] = torch.from_numpy(labels[idx].astype(np.int64))
    text = ("target B (different): scikit-learn's 8x8 handwritten digits enlarged to "
            f"{size}x{size}, 10 classes: the same image size as the source, very different "
            "content")
    out.update(class_names=list(DIGITS_CLASSES), num_classes=len(DIGITS_CLASSES),
               description=text, source="sklearn-digits", mean=mean, std=std)
    return out


def load_transfer_task(name: str, seed: int = 0, *,
                       source: str = DEFAULT_SOURCE) -> dict[str, Any]:
    """Load one task of 06_transfer_learning, split and normalised for the network.

    Parameters
    ----------
    name : {"source", "similar", "digits"}
        ``"source"``: Fashion-MNIST classes 0-4; ``"similar"`` (target A): classes 5-9
        relabelled 0-4; ``"digits"`` (target B): the 1,797 enlarged 8x8 digits.
    seed : int, default 0
        Seeds the stratified splits: for Fashion-MNIST, 10% of each class of the training
        set becomes the validation set (the test set is the data's own); for the digits a
        60/20/20 train/validation/test split. The same seed gives the same split. The
        checkpoint was pretrained on the split of its log's seed (0): with another seed the
        source task's validation set holds images the network was trained on.
    source : str, default "fashion-mnist-embedded"
        Which images: a ``source`` of :func:`~cs231n_utils.data.load_image_data`. The
        default is the data the committed checkpoint was trained on; see the module
        docstring for CIFAR-10. For the digits it only sets the size, channels and
        normalisation.

    Returns
    -------
    dict
        ``X_train``, ``X_val``, ``X_test``: float32 tensors ``(N, C, H, W)``, normalised
        as ``(pixels / 255 - mean) / std`` with the fixed constants of :func:`normalisation`;
        ``y_train``, ``y_val``, ``y_test``: int64 tensors with values ``0..num_classes-1``;
        ``class_names`` (list of str), ``num_classes`` (int), ``description`` (str);
        ``source`` (where the images come from), ``mean`` and ``std`` (tuples).
        On the embedded data: source and similar 4,500 / 500 / 1,000 images, digits
        1,078 / 360 / 359.

    Raises
    ------
    ValueError
        For an unknown ``name`` or ``source``, or a ``seed`` that is not an integer.
    FileNotFoundError, DatasetError
        If the image data are missing or corrupt (the message says how to get them).

    Examples
    --------
    >>> task = load_transfer_task("similar")  # doctest: +SKIP
    >>> task["X_train"].shape, task["num_classes"]  # doctest: +SKIP
    (torch.Size([4500, 1, 28, 28]), 5)
    """
    if name not in TASKS:
        raise ValueError(f"name={name!r} is not a task; use one of "
                         f"{', '.join(map(repr, TASKS))}.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    if source not in SOURCES:
        raise ValueError(f"source={source!r} is not known; use one of "
                         f"{', '.join(map(repr, SOURCES))}.")
    if name == "digits":
        return _digits_task(int(seed), source)
    return _fashion_task(name, int(seed), source)


def take_per_class(X: torch.Tensor | np.ndarray, y: torch.Tensor | np.ndarray,
                   per_class: int, seed: int = 0) -> tuple[Any, Any]:
    """A balanced random subset: ``per_class`` examples of every class.

    A class with fewer examples is taken whole. For one seed the subsets are nested:
    the 10 examples per class are among the 100 of ``per_class=100``. The examples keep
    their order in ``X``.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray, shape (N, ...)
    y : torch.Tensor or numpy.ndarray of int, shape (N,)
    per_class : int
        Examples to take of each class (at least 1).
    seed : int, default 0
        Seeds the choice; the same seed gives the same subset.

    Returns
    -------
    X_sub, y_sub
        The subset, of the same types as ``X`` and ``y``.

    Raises
    ------
    ValueError
        If ``per_class`` is not a positive integer, ``y`` is not 1-D, or ``X`` and ``y``
        have different lengths.
    """
    import torch

    if isinstance(per_class, bool) or not isinstance(per_class, int | np.integer) \
            or per_class < 1:
        raise ValueError(f"per_class must be a positive integer, got {per_class!r}.")
    labels = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if labels.ndim != 1 or len(labels) != len(X):
        raise ValueError(f"y must be 1-D with one label per row of X; got X of length "
                         f"{len(X)} and y of shape {tuple(labels.shape)}.")
    rng = np.random.default_rng(seed)
    chosen = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        chosen.append(members[rng.permutation(len(members))[:per_class]])
    idx = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    return _pick(X, idx), _pick(y, idx)


def _pick(a: Any, idx: np.ndarray) -> Any:
    """Rows ``idx`` of a tensor or an array, of the same type."""
    import torch

    return a[torch.from_numpy(idx)] if isinstance(a, torch.Tensor) else np.asarray(a)[idx]
