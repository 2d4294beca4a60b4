"""Tests of cs231n_utils.data: idx and CIFAR-10 readers, the embedded subset, the splits.

Every file these tests read is built in tmp_path (except the committed subset), so they
need neither the network nor Debian's dataset-fashion-mnist.
"""

import gzip
import pickle
import shutil
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from cs231n_utils import data
from cs231n_utils.data import (
    CIFAR10_CLASSES,
    FASHION_MNIST_CLASSES,
    SOURCES,
    DatasetError,
    datasets_dir,
    load_CIFAR10,
    load_CIFAR10_class_names,
    load_embedded_fashion_mnist,
    load_fashion_mnist_idx,
    load_image_data,
    paths,
    read_idx,
    splits,
)

REPO = Path(__file__).resolve().parent.parent
EMBEDDED = REPO / "datasets" / "fashion_mnist_subset.npz"
CIFAR_TRAIN = [f"data_batch_{i}" for i in range(1, 6)]


# ----------------------------------------------------------------------------- builders


def cifar_pickle(obj) -> bytes:
    """Pickle like the real CIFAR-10 files: protocol 2, NumPy's pre-2.0 module name."""
    raw = pickle.dumps(obj, protocol=2)
    return raw.replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")


def write_cifar_folder(folder: Path, per_batch: int = 20, seed: int = 0) -> dict:
    """Write a small cifar-10-batches-py folder; return {file name: (rows, labels)}."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in [*CIFAR_TRAIN, "test_batch"]:
        rows = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        labels = [int(c) for c in np.arange(per_batch) % 10]
        batch = {
            b"batch_label": name.encode(),
            b"labels": labels,
            b"data": rows,
            b"filenames": [f"{name}_{i}.png".encode() for i in range(per_batch)],
        }
        (folder / name).write_bytes(cifar_pickle(batch))
        written[name] = (rows, labels)
    meta = {
        b"num_cases_per_batch": per_batch,
        b"label_names": [n.encode() for n in CIFAR10_CLASSES],
        b"num_vis": 3072,
    }
    (folder / "batches.meta").write_bytes(cifar_pickle(meta))
    return written


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """Encode an array in the idx format (big-endian)."""
    dtype = {0x08: ">u1", 0x0B: ">i2", 0x0D: ">f4"}[type_code]
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=dtype).tobytes()


def write_idx_folder(folder: Path, n_train: int = 30, n_test: int = 10, gz: bool = False):
    """Write the four Fashion-MNIST idx files; return the arrays written."""
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": (np.arange(n_train) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": (np.arange(n_test) % 10).astype(np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        raw = idx_bytes(array)
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / name).write_bytes(raw)
    return arrays


def write_fake_embedded(folder: Path, train_per_class: int = 30, test_per_class: int = 10):
    """An embedded-format npz whose image i carries i in its first two pixels."""

    def images(n):
        X = np.zeros((n, 28, 28), dtype=np.uint8)
        X[:, 0, 0], X[:, 0, 1] = np.arange(n) // 256, np.arange(n) % 256
        return X

    n_tr, n_te = 10 * train_per_class, 10 * test_per_class
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        folder / "fashion_mnist_subset.npz",
        X_train=images(n_tr),
        y_train=(np.arange(n_tr) % 10).astype(np.uint8),
        X_test=images(n_te),
        y_test=(np.arange(n_te) % 10).astype(np.uint8),
        class_names=np.array(FASHION_MNIST_CLASSES),
    )


def ids(X: np.ndarray) -> np.ndarray:
    """Recover the position written by write_fake_embedded."""
    return (X[:, 0, 0, 0] * 256 + X[:, 0, 1, 0]).astype(int)


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """An empty datasets folder that datasets_dir() returns."""
    home = tmp_path / "datasets"
    home.mkdir()
    monkeypatch.setenv("CS231N_DATASETS", str(home))
    return home


# ----------------------------------------------------------------------------- location


def test_datasets_dir_env_overlay_and_default(tmp_path, monkeypatch):
    monkeypatch.delenv("CS231N_DATASETS", raising=False)
    overlay = tmp_path / "_overlay.json"
    monkeypatch.setattr(paths, "_OVERLAY_FILE", overlay)
    assert datasets_dir() == REPO / "datasets"

    overlay.write_text('{"datasets_dir": "elsewhere"}')
    assert datasets_dir() == (tmp_path / "elsewhere").resolve()
    overlay.write_text('{"other": 1}')
    assert datasets_dir() == REPO / "datasets"
    overlay.write_text("{not json")
    with pytest.raises(DatasetError, match="_overlay.json"):
        datasets_dir()

    monkeypatch.setenv("CS231N_DATASETS", str(tmp_path / "mine"))
    assert datasets_dir() == tmp_path / "mine"


# ----------------------------------------------------------------------------- idx


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_plain_and_gz(tmp_path, gz):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    raw = idx_bytes(images)
    path = tmp_path / ("x.gz" if gz else "x")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    out = read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (5, 28, 28)
    np.testing.assert_array_equal(out, images)


def test_read_idx_other_types_are_big_endian(tmp_path):
    values = np.array([[-2, 300], [7, -32768]], dtype=np.int16)
    (tmp_path / "s").write_bytes(idx_bytes(values, 0x0B))
    np.testing.assert_array_equal(read_idx(tmp_path / "s"), values)
    floats = np.array([0.5, -1.25, 3.0], dtype=np.float32)
    (tmp_path / "f").write_bytes(idx_bytes(floats, 0x0D))
    np.testing.assert_array_equal(read_idx(tmp_path / "f"), floats)


@pytest.mark.parametrize("gz", [False, True])
def test_load_fashion_mnist_idx(tmp_path, gz):
    written = write_idx_folder(tmp_path, gz=gz)
    Xtr, ytr, Xte, yte = load_fashion_mnist_idx(tmp_path)
    assert Xtr.shape == (30, 28, 28) and Xte.shape == (10, 28, 28)
    assert Xtr.dtype == ytr.dtype == np.uint8
    np.testing.assert_array_equal(Xtr, written["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(yte, written["t10k-labels-idx1-ubyte"])


@pytest.mark.parametrize(
    "damage, match",
    [
        (lambda raw: raw[: len(raw) - 100], "truncated or corrupt"),
        (lambda raw: raw[:6], "truncated inside its idx header"),
        (lambda raw: b"\x12\x34" + raw[2:], "magic number"),
        (lambda raw: gzip.compress(raw)[:50], "gzip"),
    ],
    ids=["short-data", "short-header", "bad-magic", "truncated-gz"],
)
def test_corrupt_idx_raises_dataset_error_naming_file(tmp_path, damage, match):
    write_idx_folder(tmp_path)
    name = "train-images-idx3-ubyte"
    raw = (tmp_path / name).read_bytes()
    damaged = damage(raw)
    if match == "gzip":
        (tmp_path / name).unlink()
        name += ".gz"
    (tmp_path / name).write_bytes(damaged)
    with pytest.raises(DatasetError, match=match) as info:
        load_fashion_mnist_idx(tmp_path)
    assert name in str(info.value) and "delete it" in str(info.value)


def test_idx_images_and_labels_must_match(tmp_path):
    write_idx_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(3, np.uint8)))
    with pytest.raises(DatasetError, match="10 images but 3 labels"):
        load_fashion_mnist_idx(tmp_path)


def test_missing_idx_folder_and_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        load_fashion_mnist_idx(tmp_path / "nope")
    write_idx_folder(tmp_path)
    (tmp_path / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        load_fashion_mnist_idx(tmp_path)


# ----------------------------------------------------------------------------- embedded


def test_embedded_subset_is_balanced_and_small():
    assert EMBEDDED.stat().st_size <= 8 * 1024 * 1024
    Xtr, ytr, Xte, yte = load_embedded_fashion_mnist(EMBEDDED)
    assert Xtr.shape == (10_000, 28, 28) and Xte.shape == (2_000, 28, 28)
    assert Xtr.dtype == Xte.dtype == ytr.dtype == yte.dtype == np.uint8
    assert np.bincount(ytr).tolist() == [1000] * 10
    assert np.bincount(yte).tolist() == [200] * 10
    with np.load(EMBEDDED) as npz:
        assert npz["class_names"].tolist() == list(FASHION_MNIST_CLASSES)
        assert "MIT" in str(npz["source"])
        assert len(np.unique(npz["train_index"])) == 10_000


@pytest.mark.skipif(
    not data.DEBIAN_FASHION_MNIST.is_dir(), reason="Debian's dataset-fashion-mnist is absent"
)
def test_embedded_subset_rebuilds_identically(tmp_path):
    sys.path.insert(0, str(REPO / "datasets"))
    try:
        import make_embedded_subset
    finally:
        sys.path.remove(str(REPO / "datasets"))
    out = make_embedded_subset.make_subset(data.DEBIAN_FASHION_MNIST, tmp_path / "s.npz")
    with np.load(out) as rebuilt, np.load(EMBEDDED) as committed:
        assert sorted(rebuilt.files) == sorted(committed.files)
        for key in committed.files:
            np.testing.assert_array_equal(rebuilt[key], committed[key], err_msg=key)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "missing-array"])
def test_corrupt_npz_raises_dataset_error_naming_file(tmp_path, damage):
    write_fake_embedded(tmp_path)
    path = tmp_path / "fashion_mnist_subset.npz"
    raw = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(raw[:10] + bytes(200) + raw[210:])
    else:
        np.savez_compressed(path, X_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(DatasetError) as info:
        load_embedded_fashion_mnist(path)
    assert str(path) in str(info.value) and "make_embedded_subset.py" in str(info.value)


def test_missing_npz(tmp_path):
    with pytest.raises(FileNotFoundError, match="git checkout"):
        load_embedded_fashion_mnist(tmp_path / "fashion_mnist_subset.npz")


# ----------------------------------------------------------------------------- CIFAR-10


def test_load_cifar10_shapes_values_and_names(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    written = write_cifar_folder(folder)
    Xtr, Ytr, Xte, Yte = load_CIFAR10(folder)
    assert Xtr.shape == (100, 32, 32, 3) and Xte.shape == (20, 32, 32, 3)
    assert Xtr.dtype == Xte.dtype == np.float64 and Ytr.dtype == Yte.dtype == np.int64
    rows, labels = written["data_batch_2"]
    first = Xtr[20]  # first image of data_batch_2
    for channel in range(3):  # rows are channel-major: 1024 red, 1024 green, 1024 blue
        np.testing.assert_array_equal(
            first[:, :, channel], rows[0, channel * 1024 : (channel + 1) * 1024].reshape(32, 32)
        )
    assert Ytr[20:40].tolist() == labels
    np.testing.assert_array_equal(Xte.reshape(20, -1), _nhwc_rows(written["test_batch"][0]))
    assert load_CIFAR10_class_names(folder) == list(CIFAR10_CLASSES)
    # the parent folder works too, as a convenience
    assert load_CIFAR10(tmp_path)[0].shape == (100, 32, 32, 3)


def _nhwc_rows(rows: np.ndarray) -> np.ndarray:
    return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).reshape(len(rows), -1)


def py2_batch_pickle(rows: np.ndarray, labels: list[int]) -> bytes:
    """A batch pickled the way the real files were: Python 2's cPickle, protocol 2.

    Python 2 writes its byte strings as BINSTRING opcodes, which Python 3 can only
    produce by hand; the opcodes are those of ``pickletools``.
    """

    def string(b: bytes) -> bytes:  # BINSTRING: 'T', 4-byte length, bytes
        return b"T" + struct.pack("<I", len(b)) + b

    dtype = (
        b"cnumpy\ndtype\n" + string(b"u1") + b"K\x00K\x01\x87R"
        b"(K\x03" + string(b"|") + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
    )
    array = (
        b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85"
        + string(b"b")
        + b"\x87R(K\x01"
        + b"J" + struct.pack("<i", rows.shape[0]) + b"M" + struct.pack("<H", rows.shape[1])
        + b"\x86" + dtype + b"\x89" + string(rows.tobytes()) + b"tb"
    )  # fmt: skip
    label_list = b"](" + b"".join(b"K" + bytes([c]) for c in labels) + b"e"
    return b"\x80\x02}(" + string(b"data") + array + string(b"labels") + label_list + b"u."


def test_python2_pickle_like_the_real_files(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar_folder(folder)
    rows = np.random.default_rng(3).integers(0, 256, (20, 3072), dtype=np.uint8)
    labels = [int(c) for c in np.arange(20) % 10]
    (folder / "test_batch").write_bytes(py2_batch_pickle(rows, labels))
    _, _, Xte, Yte = load_CIFAR10(folder)
    np.testing.assert_array_equal(Xte.reshape(20, -1), _nhwc_rows(rows))
    assert Yte.tolist() == labels


class _Hostile:
    def __reduce__(self):
        return (Path("pwned").touch, ())


@pytest.mark.parametrize(
    "content, match",
    [
        (lambda raw: raw[: len(raw) // 2], "truncated or corrupt"),
        (lambda raw: b"this is not a pickle" + raw, "truncated or corrupt"),
        (
            lambda raw: cifar_pickle(
                {b"data": np.zeros((20, 3000), np.uint8), b"labels": [0] * 20}
            ),
            r"\(N, 3072\)",
        ),
        (
            lambda raw: cifar_pickle(
                {b"data": np.zeros((20, 3072), np.uint8), b"labels": [0] * 19}
            ),
            "20 images but labels",
        ),
        (lambda raw: cifar_pickle([1, 2, 3]), "not a CIFAR-10 batch"),
        (lambda raw: pickle.dumps({b"data": _Hostile()}), "truncated or corrupt"),
    ],
    ids=["truncated", "garbage", "wrong-shape", "label-count", "not-a-dict", "hostile"],
)
def test_bad_cifar_pickle_raises_dataset_error(tmp_path, monkeypatch, content, match):
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar_folder(folder)
    path = folder / "data_batch_3"
    path.write_bytes(content(path.read_bytes()))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DatasetError, match=match) as info:
        load_CIFAR10(folder)
    assert str(path) in str(info.value) and "get_datasets.sh" in str(info.value)
    assert not (tmp_path / "pwned").exists()


def test_missing_cifar_folder_or_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="get_datasets.sh"):
        load_CIFAR10(tmp_path / "nope")
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar_folder(folder)
    (folder / "test_batch").unlink()
    with pytest.raises(FileNotFoundError, match="test_batch.*get_datasets.sh"):
        load_CIFAR10(folder)


# ----------------------------------------------------------------------------- load_image_data


def test_auto_uses_embedded_and_prints_one_line(data_home, capsys):
    shutil.copy(EMBEDDED, data_home)
    d = load_image_data(num_train=500, num_val=100, num_test=50)
    line = capsys.readouterr().out
    assert line.count("\n") == 1
    assert "embedded Fashion-MNIST" in line and "get_datasets.sh" in line
    assert "train 500, val 100, test 50" in line and "28x28x1" in line
    assert d["source"] == "fashion-mnist-embedded" and d["image_shape"] == (28, 28, 1)
    assert d["class_names"] == list(FASHION_MNIST_CLASSES)
    assert d["X_train"].shape == (500, 28, 28, 1) and d["X_train"].dtype == np.float64
    assert d["y_val"].dtype == np.int64 and d["X_test"].shape == (50, 28, 28, 1)
    assert 0 <= d["X_train"].min() and d["X_train"].max() <= 255
    assert d["X_train"].max() > 1  # 0..255, not rescaled


def test_splits_sizes_disjoint_stratified(data_home, capsys):
    write_fake_embedded(data_home)
    d = load_image_data(num_val=50, verbose=False)
    assert capsys.readouterr().out == ""
    train, val, test = ids(d["X_train"]), ids(d["X_val"]), ids(d["X_test"])
    assert len(train) == 250 and len(val) == 50 and len(test) == 100  # None = all the rest
    assert not set(train) & set(val) and len(set(train) | set(val)) == 300
    assert np.bincount(d["y_val"]).tolist() == [5] * 10
    np.testing.assert_array_equal(d["y_train"], train % 10)  # labels follow their images

    d = load_image_data(num_train=100, num_val=20, num_test=30, verbose=False)
    assert np.bincount(d["y_train"]).tolist() == [10] * 10
    assert np.bincount(d["y_test"]).tolist() == [3] * 10
    assert not set(ids(d["X_train"])) & set(ids(d["X_val"]))

    d = load_image_data(num_train=0, num_val=0, num_test=0, verbose=False)
    assert d["X_train"].shape == (0, 28, 28, 1) and d["image_shape"] == (28, 28, 1)


def test_split_is_determined_by_seed(data_home):
    write_fake_embedded(data_home)
    runs = [load_image_data(100, 20, 30, seed=s, verbose=False) for s in (0, 0, 1)]
    for key in ("X_train", "X_val", "X_test"):
        np.testing.assert_array_equal(runs[0][key], runs[1][key])
    assert set(ids(runs[0]["X_val"])) != set(ids(runs[2]["X_val"]))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_train": 290, "num_val": 20}, "has only 300"),
        ({"num_val": 301}, "has only 300"),
        ({"num_val": 10, "num_test": 101}, "101 is more than the 100 test images"),
        ({"num_train": -1}, "num_train must be a non-negative int"),
    ],
)
def test_asking_for_too_much(data_home, kwargs, match):
    write_fake_embedded(data_home)
    with pytest.raises(ValueError, match=match):
        load_image_data(verbose=False, **kwargs)


def test_unknown_source_lists_accepted_values(data_home):
    with pytest.raises(ValueError) as info:
        load_image_data(source="mnist")
    assert all(repr(s) in str(info.value) for s in SOURCES)


def test_source_selection(data_home, capsys, monkeypatch):
    write_fake_embedded(data_home)
    assert load_image_data(num_val=10, verbose=False)["source"] == "fashion-mnist-embedded"
    with pytest.raises(FileNotFoundError, match="get_datasets.sh"):
        load_image_data(source="cifar10")
    monkeypatch.setattr(splits, "DEBIAN_FASHION_MNIST", data_home / "no-debian")
    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        load_image_data(source="fashion-mnist")

    write_idx_folder(data_home / "fashion-mnist", gz=True)
    d = load_image_data(num_val=10)
    assert d["source"] == "fashion-mnist" and len(d["X_train"]) == 20
    assert "Fashion-MNIST from" in capsys.readouterr().out

    write_cifar_folder(data_home / "cifar-10-batches-py")
    d = load_image_data(num_val=10)
    line = capsys.readouterr().out
    assert d["source"] == "cifar10" and d["image_shape"] == (32, 32, 3)
    assert d["X_train"].shape == (90, 32, 32, 3) and d["X_test"].shape == (20, 32, 32, 3)
    assert d["class_names"] == list(CIFAR10_CLASSES)
    assert line.startswith("Using CIFAR-10") and line.count("\n") == 1
    assert "get_datasets.sh" not in line
    # explicit sources still reach the others
    d = load_image_data(num_val=10, source="fashion-mnist-embedded", verbose=False)
    assert d["source"] == "fashion-mnist-embedded"
