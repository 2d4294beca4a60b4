"""Fashion-MNIST: the idx-file reader and the balanced subset shipped with the workbook.

:func:`read_idx` reads one file in the idx format of MNIST and Fashion-MNIST,
:func:`load_fashion_mnist_idx` the four files of the full data set (Debian's package
``dataset-fashion-mnist`` has them), and :func:`load_embedded_fashion_mnist` the subset
committed as ``datasets/fashion_mnist_subset.npz``.
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .paths import DATASETS_ENV, DatasetError, datasets_dir

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

_FIX_IDX = (
    "delete it and copy a good one in (Debian's package dataset-fashion-mnist has the "
    f"Fashion-MNIST idx files under {DEBIAN_FASHION_MNIST})"
)
_FIX_EMBEDDED = (
    f"restore it with `git checkout -- datasets/{EMBEDDED_FILENAME}` or rebuild it with "
    "`python datasets/make_embedded_subset.py`"
)


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
