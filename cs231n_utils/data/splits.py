"""The entry point :func:`load_image_data`: pick the image data, split off a validation set.

With ``source="auto"`` it uses CIFAR-10 when downloaded, else the full Fashion-MNIST when
its idx files are there, else the embedded Fashion-MNIST subset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .cifar10 import _GET_CIFAR, CIFAR10_DIRNAME, load_CIFAR10, load_CIFAR10_class_names
from .fashion_mnist import (
    DEBIAN_FASHION_MNIST,
    EMBEDDED_FILENAME,
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DIRNAME,
    FASHION_MNIST_FILES,
    load_embedded_fashion_mnist,
    load_fashion_mnist_idx,
)
from .paths import datasets_dir

#: Values accepted by ``load_image_data(source=...)``.
SOURCES = ("auto", "cifar10", "fashion-mnist", "fashion-mnist-embedded")


def _check_count(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{name} must be a non-negative int or None, got {value!r}.")


def _stratified_pick(labels: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of ``k`` random items with each class in proportion to its count.

    Items are ranked within their class in a random order; item ``r`` of a class of
    ``n_c`` items gets the key ``(r + 0.5) / n_c`` and the ``k`` smallest keys win, so
    every class gets about ``k * n_c / n`` items. Returned sorted.
    """
    order = rng.permutation(len(labels))
    shuffled = labels[order]
    classes, cls = np.unique(shuffled, return_inverse=True)
    counts = np.bincount(cls, minlength=len(classes))
    by_class = np.argsort(cls, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(len(labels), dtype=np.int64)
    rank[by_class] = np.arange(len(labels)) - np.repeat(starts, counts)
    key = (rank + 0.5) / counts[cls]
    return np.sort(order[np.argsort(key, kind="stable")[:k]])


def _resolve_source(source: str, root: Path) -> str:
    if source not in SOURCES:
        raise ValueError(
            f"source={source!r} is not known; use one of: {', '.join(map(repr, SOURCES))}."
        )
    if source != "auto":
        return source
    if (root / CIFAR10_DIRNAME).is_dir():
        return "cifar10"
    fashion = root / FASHION_MNIST_DIRNAME
    if fashion.is_dir() and all(
        (fashion / n).is_file() or (fashion / f"{n}.gz").is_file()
        for n in FASHION_MNIST_FILES.values()
    ):
        return "fashion-mnist"
    return "fashion-mnist-embedded"


def _load_source(source: str, root: Path) -> tuple[tuple[np.ndarray, ...], list[str], str]:
    """Load one source: (Xtr, ytr, Xte, yte), class names and where it came from."""
    if source == "cifar10":
        folder = root / CIFAR10_DIRNAME
        if not folder.is_dir():
            raise FileNotFoundError(
                f"CIFAR-10 is not in {folder}: {_GET_CIFAR}, or use source='auto' to fall "
                f"back to Fashion-MNIST."
            )
        return load_CIFAR10(folder), load_CIFAR10_class_names(folder), str(folder)
    if source == "fashion-mnist":
        folder = root / FASHION_MNIST_DIRNAME
        if not folder.is_dir() and DEBIAN_FASHION_MNIST.is_dir():
            folder = DEBIAN_FASHION_MNIST
        if not folder.is_dir():
            raise FileNotFoundError(
                f"The full Fashion-MNIST is neither in {root / FASHION_MNIST_DIRNAME} nor in "
                f"{DEBIAN_FASHION_MNIST}: install Debian's dataset-fashion-mnist or copy "
                f"the four idx files into {root / FASHION_MNIST_DIRNAME}."
            )
        return load_fashion_mnist_idx(folder), list(FASHION_MNIST_CLASSES), str(folder)
    path = root / EMBEDDED_FILENAME
    return load_embedded_fashion_mnist(path), list(FASHION_MNIST_CLASSES), str(path)


def _as_nhwc_float(X: np.ndarray) -> np.ndarray:
    """Images as float64 (N, H, W, C): grey images gain a channel axis."""
    X = X.astype(np.float64, copy=False)
    return X[..., np.newaxis] if X.ndim == 3 else X


def load_image_data(
    num_train: int | None = None,
    num_val: int = 1000,
    num_test: int | None = None,
    *,
    source: str = "auto",
    seed: int = 0,
    verbose: bool = True,
) -> dict[str, Any]:
    """Load the workbook's images, split into training, validation and test sets.

    With ``source="auto"`` the data are, in this order: CIFAR-10 when
    ``datasets_dir()/cifar-10-batches-py`` exists (``bash datasets/get_datasets.sh``
    downloads it); the full Fashion-MNIST when its four idx files are in
    ``datasets_dir()/fashion-mnist``; else the balanced Fashion-MNIST subset that ships
    with the workbook (10,000 training and 2,000 test images).

    Parameters
    ----------
    num_train : int or None, optional
        Training images to keep; None keeps all that the validation set leaves.
    num_val : int, optional
        Validation images, taken at random (each class in proportion) from the
        training set, disjoint from the returned training images. Default 1000.
    num_test : int or None, optional
        Test images; None keeps the whole test set, a number takes a random,
        class-proportional subset.
    source : {"auto", "cifar10", "fashion-mnist", "fashion-mnist-embedded"}, optional
        Which data to use. ``"fashion-mnist"`` reads ``datasets_dir()/fashion-mnist``
        or, when that is absent, Debian's ``/usr/share/datasets/fashion-mnist``.
    seed : int, optional
        Seed of the random split; the same seed gives the same split.
    verbose : bool, optional
        Print one line saying which data are used, the split sizes and the image shape.

    Returns
    -------
    dict
        ``X_train``, ``X_val``, ``X_test``: float64 images (N, H, W, C) with values
        0..255 (Fashion-MNIST is (N, 28, 28, 1), CIFAR-10 (N, 32, 32, 3));
        ``y_train``, ``y_val``, ``y_test``: int64 labels; ``class_names``: list of str;
        ``source``: ``"cifar10"``, ``"fashion-mnist"`` or ``"fashion-mnist-embedded"``;
        ``image_shape``: the tuple (H, W, C).

    Raises
    ------
    ValueError
        For an unknown ``source``, a negative count, or more images than exist (the
        message says how many there are).
    FileNotFoundError
        If an explicitly requested source is not on disk.
    DatasetError
        If a data file is truncated or corrupt.

    Examples
    --------
    >>> data = load_image_data(num_train=5000, num_val=500, num_test=500)  # doctest: +SKIP
    Using the embedded Fashion-MNIST subset (...): train 5000, val 500, test 500 ...
    """
    for name, value in (("num_train", num_train), ("num_val", num_val), ("num_test", num_test)):
        _check_count(name, value)
    if num_val is None:
        raise ValueError("num_val must be a non-negative int (0 for no validation set).")
    root = datasets_dir()
    source = _resolve_source(source, root)
    (Xtr, ytr, Xte, yte), class_names, origin = _load_source(source, root)

    n_avail = len(Xtr)
    want = num_val + (num_train or 0)
    if want > n_avail:
        asked = (
            f"num_val={num_val} needs"
            if num_train is None
            else (f"num_train={num_train} and num_val={num_val} need")
        )
        raise ValueError(
            f"{asked} {want} training images, but the {source} training set has only "
            f"{n_avail}: ask for at most num_train + num_val = {n_avail}."
        )
    if num_test is not None and num_test > len(Xte):
        raise ValueError(
            f"num_test={num_test} is more than the {len(Xte)} test images of {source}."
        )

    rng = np.random.default_rng(seed)
    val_idx = _stratified_pick(ytr, num_val, rng)
    rest = np.setdiff1d(np.arange(n_avail), val_idx, assume_unique=True)
    if num_train is not None and num_train < len(rest):
        rest = rest[_stratified_pick(ytr[rest], num_train, rng)]
    test_idx = np.arange(len(Xte))
    if num_test is not None and num_test < len(Xte):
        test_idx = _stratified_pick(yte, num_test, rng)

    data: dict[str, Any] = {
        "X_train": _as_nhwc_float(Xtr[rest]),
        "y_train": ytr[rest].astype(np.int64),
        "X_val": _as_nhwc_float(Xtr[val_idx]),
        "y_val": ytr[val_idx].astype(np.int64),
        "X_test": _as_nhwc_float(Xte[test_idx]),
        "y_test": yte[test_idx].astype(np.int64),
        "class_names": list(class_names),
        "source": source,
    }
    data["image_shape"] = tuple(int(d) for d in data["X_train"].shape[1:])
    if verbose:
        print(_summary_line(data, origin))
    return data


def _summary_line(data: dict[str, Any], origin: str) -> str:
    """The one line load_image_data prints."""
    what = {
        "cifar10": f"CIFAR-10 from {origin}",
        "fashion-mnist": f"Fashion-MNIST from {origin}",
        "fashion-mnist-embedded": f"the embedded Fashion-MNIST subset ({origin})",
    }[data["source"]]
    sizes = ", ".join(f"{k} {len(data['X_' + k])}" for k in ("train", "val", "test"))
    shape = "x".join(map(str, data["image_shape"]))
    line = f"Using {what}: {sizes} images of shape {shape}"
    if data["source"] == "fashion-mnist-embedded":
        line += "; for CIFAR-10 run `bash datasets/get_datasets.sh`"
    return line + "."
