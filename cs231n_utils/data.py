"""Image data for the workbook: CIFAR-10 when downloaded, Fashion-MNIST otherwise.

Nothing here touches the network. The real CIFAR-10 is fetched once by
``bash datasets/get_datasets.sh``; until then the notebooks run on a balanced
Fashion-MNIST subset committed as ``datasets/fashion_mnist_subset.npz``.

The usual entry point is :func:`load_image_data`, which picks the data, splits off a
validation set and says in one line what it uses. The lower-level readers
(:func:`load_CIFAR10`, :func:`load_fashion_mnist_idx`, :func:`load_embedded_fashion_mnist`,
:func:`read_idx`) check what they read and raise :class:`DatasetError` naming the file
and the fix when a file is truncated or corrupt.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import pickle
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CIFAR10_CLASSES",
    "DatasetError",
    "FASHION_MNIST_CLASSES",
    "SOURCES",
    "datasets_dir",
    "load_CIFAR10",
    "load_CIFAR10_class_names",
    "load_embedded_fashion_mnist",
    "load_fashion_mnist_idx",
    "load_image_data",
    "read_idx",
]

#: Environment variable that points the loaders (and get_datasets.sh) at another folder.
DATASETS_ENV = "CS231N_DATASETS"
#: Values accepted by ``load_image_data(source=...)``.
SOURCES = ("auto", "cifar10", "fashion-mnist", "fashion-mnist-embedded")

CIFAR10_DIRNAME = "cifar-10-batches-py"
CIFAR10_TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_FILE = "test_batch"
CIFAR10_META_FILE = "batches.meta"
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip

FASHION_MNIST_DIRNAME = "fashion-mnist"
FASHION_MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
#: Where Debian's package ``dataset-fashion-mnist`` puts the idx files.
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
EMBEDDED_FILENAME = "fashion_mnist_subset.npz"

_OVERLAY_FILE = Path(__file__).parent / "_overlay.json"

_GET_CIFAR = "run `bash datasets/get_datasets.sh` from the repository root"
_FIX_CIFAR = f"delete it and {_GET_CIFAR} to download CIFAR-10 again"
_FIX_IDX = (
    "delete it and copy a good one in (Debian's package dataset-fashion-mnist has the "
    f"Fashion-MNIST idx files under {DEBIAN_FASHION_MNIST})"
)
_FIX_EMBEDDED = (
    f"restore it with `git checkout -- datasets/{EMBEDDED_FILENAME}` or rebuild it with "
    "`python datasets/make_embedded_subset.py`"
)


class DatasetError(ValueError):
    """A data file exists but is truncated, corrupt or not in the expected format.

    The message names the file and says how to get a good copy.
    """


# --------------------------------------------------------------------------- location


def datasets_dir() -> Path:
    """Return the folder that holds the workbook's data.

    Resolution order:

    1. the environment variable ``CS231N_DATASETS`` when it is set and not empty;
    2. the key ``"datasets_dir"`` of ``_overlay.json`` in the ``cs231n_utils`` package
       folder, when that file exists (a relative path is taken relative to that folder);
    3. ``datasets/`` next to the package, i.e. the repository's own ``datasets/``.

    Returns
    -------
    pathlib.Path
        The folder. It is not checked to exist: the loaders say what is missing.

    Raises
    ------
    DatasetError
        If ``_overlay.json`` exists but is not a JSON object with a string value for
        ``"datasets_dir"`` (when the key is present).
    """
    from_env = os.environ.get(DATASETS_ENV)
    if from_env:
        return Path(from_env).expanduser()
    if _OVERLAY_FILE.is_file():
        try:
            overlay = json.loads(_OVERLAY_FILE.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise DatasetError(
                f"{_OVERLAY_FILE} is not valid JSON ({err}); fix or delete it."
            ) from err
        if not isinstance(overlay, dict):
            raise DatasetError(f"{_OVERLAY_FILE} must hold a JSON object; fix or delete it.")
        if "datasets_dir" in overlay:
            value = overlay["datasets_dir"]
            if not isinstance(value, str) or not value:
                raise DatasetError(
                    f'{_OVERLAY_FILE}: "datasets_dir" must be a non-empty string path, '
                    f"got {value!r}; fix or delete the file."
                )
            return (_OVERLAY_FILE.parent / Path(value).expanduser()).resolve()
    return Path(__file__).resolve().parent.parent / "datasets"


# --------------------------------------------------------------------------- CIFAR-10


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


# --------------------------------------------------------------------------- idx files

# The third byte of an idx file's magic number gives the element type (big-endian).
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _read_bytes(path: Path, fix: str) -> bytes:
    """The contents of ``path``, gunzipped when it ends in ``.gz``."""
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise DatasetError(f"{path} is not a complete gzip file ({err}); {fix}.") from err


def read_idx(path: str | os.PathLike[str], *, fix: str = _FIX_IDX) -> np.ndarray:
    """Read one file in the idx format of MNIST and Fashion-MNIST (plain or gzipped).

    The format: two zero bytes, a byte giving the element type (0x08 = uint8, ...),
    a byte giving the number of dimensions ``d``, then ``d`` big-endian uint32 sizes and
    the data in C order.

    Parameters
    ----------
    path : path-like
        The file; a name ending in ``.gz`` is decompressed first.
    fix : str, optional
        What the error message tells the user to do about a corrupt file.

    Returns
    -------
    numpy.ndarray
        The array, in native byte order, with the shape given by the header.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    DatasetError
        If the header is not an idx header or the data are shorter or longer than it says.
    """
    path = Path(path)
    raw = _read_bytes(path, fix)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise DatasetError(f"{path} does not start with an idx magic number; {fix}.")
    dtype, ndim = _IDX_DTYPES[raw[2]], raw[3]
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise DatasetError(f"{path} is truncated inside its idx header; {fix}.")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header_len != expected:
        raise DatasetError(
            f"{path} holds {len(raw) - header_len} data bytes but its header {shape} needs "
            f"{expected} (truncated or corrupt); {fix}."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_len).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def _find_idx(folder: Path, name: str) -> Path:
    """``folder/name`` or ``folder/name.gz``, whichever exists."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{folder} has neither {name} nor {name}.gz: copy the four Fashion-MNIST idx files "
        f"there (install Debian's dataset-fashion-mnist, which puts them under "
        f"{DEBIAN_FASHION_MNIST}) or pass the folder that holds them."
    )


def load_fashion_mnist_idx(
    folder: str | os.PathLike[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load Fashion-MNIST (or MNIST) from its four idx files.

    Parameters
    ----------
    folder : path-like
        Folder with ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, each plain or ``.gz``.

    Returns
    -------
    Xtr : numpy.ndarray of uint8, shape (N_train, 28, 28)
    ytr : numpy.ndarray of uint8, shape (N_train,)
    Xte : numpy.ndarray of uint8, shape (N_test, 28, 28)
    yte : numpy.ndarray of uint8, shape (N_test,)

    Raises
    ------
    FileNotFoundError
        If the folder or one of the files is missing.
    DatasetError
        If a file is corrupt, or images and labels do not match.
    """
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(
            f"Fashion-MNIST folder {folder} does not exist: install Debian's "
            f"dataset-fashion-mnist or pass the folder with the idx files."
        )
    arrays = {
        key: _read_checked_idx(_find_idx(folder, name), key)
        for key, name in FASHION_MNIST_FILES.items()
    }
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if len(images) != len(labels):
            raise DatasetError(
                f"{folder}: the {split} files hold {len(images)} images but {len(labels)} "
                f"labels; {_FIX_IDX}."
            )
    return (
        arrays["train_images"],
        arrays["train_labels"],
        arrays["test_images"],
        arrays["test_labels"],
    )


def _read_checked_idx(path: Path, key: str) -> np.ndarray:
    """Read an idx file and check it holds uint8 images (N, H, W) or labels (N,)."""
    array = read_idx(path)
    want_ndim = 3 if key.endswith("images") else 1
    if array.ndim != want_ndim or array.dtype != np.uint8:
        raise DatasetError(
            f"{path} holds a {array.dtype} array of shape {array.shape}, not uint8 "
            f"{'images (N, H, W)' if want_ndim == 3 else 'labels (N,)'}; {_FIX_IDX}."
        )
    return array


# --------------------------------------------------------------------------- embedded


def load_embedded_fashion_mnist(
    path: str | os.PathLike[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load the balanced Fashion-MNIST subset that ships with the workbook.

    Parameters
    ----------
    path : path-like, optional
        The ``.npz`` file; by default ``datasets_dir() / "fashion_mnist_subset.npz"``.

    Returns
    -------
    Xtr : numpy.ndarray of uint8, shape (10000, 28, 28)
        1,000 training images per class.
    ytr : numpy.ndarray of uint8, shape (10000,)
    Xte : numpy.ndarray of uint8, shape (2000, 28, 28)
        200 test images per class.
    yte : numpy.ndarray of uint8, shape (2000,)

    Raises
    ------
    FileNotFoundError
        If the file is missing.
    DatasetError
        If the file is truncated, corrupt or lacks an array.
    """
    path = Path(path) if path is not None else datasets_dir() / EMBEDDED_FILENAME
    if not path.is_file():
        hint = ""
        if os.environ.get(DATASETS_ENV):
            hint = f" ({DATASETS_ENV} is set: unset it to use the repository's datasets/)"
        raise FileNotFoundError(f"The embedded data file {path} is missing{hint}: {_FIX_EMBEDDED}.")
    keys = ("X_train", "y_train", "X_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = [npz[key] for key in keys]
    except KeyError as err:
        raise DatasetError(f"{path} lacks the array {err}; {_FIX_EMBEDDED}.") from err
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise DatasetError(
            f"{path} is truncated or corrupt ({type(err).__name__}: {err}); {_FIX_EMBEDDED}."
        ) from err
    Xtr, ytr, Xte, yte = arrays
    for X, y in ((Xtr, ytr), (Xte, yte)):
        if X.ndim != 3 or X.dtype != np.uint8 or y.shape != (len(X),):
            raise DatasetError(
                f"{path} holds images {X.dtype} {X.shape} and labels {y.shape}, not uint8 "
                f"(N, 28, 28) with (N,) labels; {_FIX_EMBEDDED}."
            )
    return Xtr, ytr, Xte, yte


# --------------------------------------------------------------------------- entry point


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
