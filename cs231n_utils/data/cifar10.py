"""CIFAR-10 from its python pickles, read with an unpickler that refuses anything else.

The real CIFAR-10 is fetched once by ``bash datasets/get_datasets.sh``; nothing here
touches the network.
"""

from __future__ import annotations

import codecs
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from .paths import DatasetError, datasets_dir

CIFAR10_DIRNAME = "cifar-10-batches-py"
CIFAR10_TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_FILE = "test_batch"
CIFAR10_META_FILE = "batches.meta"
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip

_GET_CIFAR = "run `bash datasets/get_datasets.sh` from the repository root"
_FIX_CIFAR = f"delete it and {_GET_CIFAR} to download CIFAR-10 again"


class _CifarUnpickler(pickle.Unpickler):
    """Unpickler that rebuilds only what CIFAR-10's pickles contain.

    The batches hold dicts, lists, bytes, ints and uint8 NumPy arrays; any other global
    (a function a hostile file could call) is refused.
    """

    def find_class(self, module: str, name: str) -> Any:
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and name in (
            "_reconstruct",
            "scalar",
        ):
            return _numpy_multiarray(name)
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        if module == "_codecs" and name == "encode":  # bytes in protocol-2 pickles
            return codecs.encode
        raise pickle.UnpicklingError(f"unexpected object {module}.{name}")


def _numpy_multiarray(name: str) -> Any:
    """Return ``numpy._core.multiarray.<name>`` without NumPy's deprecation shim."""
    try:
        from numpy._core import multiarray  # NumPy >= 2
    except ImportError:  # pragma: no cover - NumPy 1.x
        from numpy.core import multiarray
    return getattr(multiarray, name)


# What a damaged pickle can raise while loading.
_PICKLE_ERRORS = (
    pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
    KeyError, ImportError, MemoryError, OverflowError, UnicodeDecodeError,
)  # fmt: skip


def _load_pickle(path: Path) -> Any:
    """Unpickle one CIFAR-10 file, turning every kind of damage into a DatasetError."""
    try:
        with open(path, "rb") as f:
            return _CifarUnpickler(f, encoding="bytes").load()
    except _PICKLE_ERRORS as err:
        raise DatasetError(
            f"{path} is truncated or corrupt ({type(err).__name__}: {err}); {_FIX_CIFAR}."
        ) from err


def _cifar_root(root: str | os.PathLike[str]) -> Path:
    """The folder with CIFAR-10's batch files; accepts its parent folder as well."""
    root = Path(root).expanduser()
    if not (root / CIFAR10_TRAIN_FILES[0]).exists() and (root / CIFAR10_DIRNAME).is_dir():
        root = root / CIFAR10_DIRNAME
    if not root.is_dir():
        raise FileNotFoundError(
            f"CIFAR-10 folder {root} does not exist: {_GET_CIFAR} (or pass the folder "
            f"that holds {CIFAR10_DIRNAME}/data_batch_1 ...)."
        )
    return root


def _load_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one batch file: uint8 images (N, 3072) and int64 labels (N,)."""
    if not path.is_file():
        raise FileNotFoundError(f"CIFAR-10 file {path} is missing: {_GET_CIFAR}.")
    batch = _load_pickle(path)
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise DatasetError(
            f"{path} is not a CIFAR-10 batch (expected a dict with keys b'data' and "
            f"b'labels'); {_FIX_CIFAR}."
        )
    data, labels = batch[b"data"], batch[b"labels"]
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3072:
        shape = getattr(data, "shape", type(data).__name__)
        raise DatasetError(
            f"{path}: b'data' should be a uint8 array of shape (N, 3072), got {shape}; "
            f"{_FIX_CIFAR}."
        )
    if data.dtype != np.uint8:
        raise DatasetError(f"{path}: b'data' has dtype {data.dtype}, not uint8; {_FIX_CIFAR}.")
    try:
        labels = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError, OverflowError) as err:
        raise DatasetError(f"{path}: b'labels' are not integers ({err}); {_FIX_CIFAR}.") from err
    if labels.shape != (data.shape[0],):
        raise DatasetError(
            f"{path}: {data.shape[0]} images but labels of shape {labels.shape}; {_FIX_CIFAR}."
        )
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(f"{path}: labels must be 0..9; {_FIX_CIFAR}.")
    return data, labels


def _cifar_rows_to_images(rows: np.ndarray) -> np.ndarray:
    """(N, 3072) channel-major rows -> float64 images (N, 32, 32, 3)."""
    return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float64)


def load_CIFAR10(
    root: str | os.PathLike[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load CIFAR-10 from the python pickles, as CS231n's ``load_CIFAR10`` does.

    Parameters
    ----------
    root : path-like
        The folder ``cifar-10-batches-py`` (with ``data_batch_1`` .. ``data_batch_5`` and
        ``test_batch``), or the folder that contains it.

    Returns
    -------
    Xtr : numpy.ndarray of float64, shape (50000, 32, 32, 3)
        Training images, values 0..255, channels last.
    Ytr : numpy.ndarray of int64, shape (50000,)
        Training labels 0..9.
    Xte : numpy.ndarray of float64, shape (10000, 32, 32, 3)
        Test images.
    Yte : numpy.ndarray of int64, shape (10000,)
        Test labels.

    Raises
    ------
    FileNotFoundError
        If the folder or one of its batch files is missing.
    DatasetError
        If a batch file is truncated, corrupt or has the wrong keys, shapes or dtypes.
    """
    folder = _cifar_root(root)
    parts = [_load_cifar_batch(folder / name) for name in CIFAR10_TRAIN_FILES]
    Xtr = _cifar_rows_to_images(np.concatenate([data for data, _ in parts]))
    Ytr = np.concatenate([labels for _, labels in parts])
    del parts
    test_rows, Yte = _load_cifar_batch(folder / CIFAR10_TEST_FILE)
    return Xtr, Ytr, _cifar_rows_to_images(test_rows), Yte


def load_CIFAR10_class_names(root: str | os.PathLike[str]) -> list[str]:
    """Read the ten class names from CIFAR-10's ``batches.meta``.

    Parameters
    ----------
    root : path-like
        The folder ``cifar-10-batches-py``, or the folder that contains it.

    Returns
    -------
    list of str
        ``['airplane', 'automobile', ..., 'truck']``, in label order.

    Raises
    ------
    FileNotFoundError
        If the folder or ``batches.meta`` is missing.
    DatasetError
        If ``batches.meta`` is corrupt or does not hold ten names under ``b"label_names"``.
    """
    path = _cifar_root(root) / CIFAR10_META_FILE
    if not path.is_file():
        raise FileNotFoundError(f"CIFAR-10 file {path} is missing: {_GET_CIFAR}.")
    meta = _load_pickle(path)
    names = meta.get(b"label_names") if isinstance(meta, dict) else None
    if not isinstance(names, list) or len(names) != 10:
        raise DatasetError(
            f"{path} should hold ten class names under b'label_names'; {_FIX_CIFAR}."
        )
    try:
        return [n.decode("utf-8") if isinstance(n, bytes) else str(n) for n in names]
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path}: class names are not text ({err}); {_FIX_CIFAR}.") from err


def _count(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def get_CIFAR10_data(
    num_training: int = 49000,
    num_validation: int = 1000,
    num_test: int = 1000,
    subtract_mean: bool = True,
    *,
    cifar10_dir: str | os.PathLike[str] | None = None,
) -> dict[str, np.ndarray]:
    """CIFAR-10 split and preprocessed for the networks, as CS231n's ``get_CIFAR10_data``.

    The validation images are the ``num_validation`` training images after the first
    ``num_training``; the training images are the first ``num_training``; the test images
    the first ``num_test`` of the test batch (no shuffling, as in CS231n). With
    ``subtract_mean`` the mean training image is subtracted from all three sets. Images
    come channels first, ``(N, 3, 32, 32)``.

    There is no fallback: without CIFAR-10 this raises (the message says to run
    ``bash datasets/get_datasets.sh``), because the embedded Fashion-MNIST images have
    another shape (28 x 28 x 1) and code written for CIFAR-10 (``input_dim=3 * 32 * 32``)
    would fail further on. For the embedded data use
    :func:`cs231n_utils.data.load_image_data`.

    Parameters
    ----------
    num_training : int, default 49000
        Training images, >= 1.
    num_validation : int, default 1000
        Validation images, >= 0; ``num_training + num_validation`` may be at most the
        number of training images (50000).
    num_test : int, default 1000
        Test images, >= 0, at most 10000.
    subtract_mean : bool, default True
        Subtract the mean training image.
    cifar10_dir : str or path-like, optional
        The folder ``cifar-10-batches-py`` (or its parent); by default
        ``datasets_dir()/cifar-10-batches-py``, where ``get_datasets.sh`` puts it.

    Returns
    -------
    dict of str to numpy.ndarray
        ``X_train`` (num_training, 3, 32, 32), ``y_train`` (num_training,), ``X_val``,
        ``y_val``, ``X_test``, ``y_test``; images float64, labels int64 0..9.

    Raises
    ------
    FileNotFoundError
        If CIFAR-10 is not downloaded (the message says how to get it).
    ValueError
        If a count is negative or asks for more images than there are (naming it).
    DatasetError
        If a batch file is truncated or corrupt.
    """
    num_training = _count("num_training", num_training, 1)
    num_validation = _count("num_validation", num_validation, 0)
    num_test = _count("num_test", num_test, 0)
    folder = Path(cifar10_dir) if cifar10_dir is not None else datasets_dir() / CIFAR10_DIRNAME
    if not folder.expanduser().is_dir():
        raise FileNotFoundError(
            f"get_CIFAR10_data needs CIFAR-10 in {folder}, which does not exist: "
            f"{_GET_CIFAR} (about 170 MB, once). Without it, the notebooks use the "
            f"embedded Fashion-MNIST subset: cs231n_utils.data.load_image_data()."
        )
    X_train, y_train, X_test, y_test = load_CIFAR10(folder)
    if num_training + num_validation > len(X_train):
        raise ValueError(
            f"num_training={num_training} and num_validation={num_validation} need "
            f"{num_training + num_validation} training images, but CIFAR-10 in {folder} "
            f"has {len(X_train)}")
    if num_test > len(X_test):
        raise ValueError(f"num_test={num_test} is more than the {len(X_test)} test images "
                         f"of CIFAR-10 in {folder}")
    X_val = X_train[num_training:num_training + num_validation]
    y_val = y_train[num_training:num_training + num_validation]
    X_train, y_train = X_train[:num_training], y_train[:num_training]
    X_test, y_test = X_test[:num_test], y_test[:num_test]
    if subtract_mean:
        mean_image = X_train.mean(axis=0)
        X_train, X_val, X_test = X_train - mean_image, X_val - mean_image, X_test - mean_image

    def channels_first(X: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(X.transpose(0, 3, 1, 2))

    return {
        "X_train": channels_first(X_train), "y_train": y_train,
        "X_val": channels_first(X_val), "y_val": y_val,
        "X_test": channels_first(X_test), "y_test": y_test,
    }
