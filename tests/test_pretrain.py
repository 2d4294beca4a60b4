"""Tests of the pretrained network of 06_transfer_learning and of its data.

- ``python -m cs231n_utils.pretrain --quick`` learns and writes a checkpoint that
  :func:`~cs231n_utils.pretrained.load_pretrained` reads with ``weights_only=True``;
- the committed checkpoint loads, belongs to its log, and its test accuracy recomputed now
  equals the log's;
- missing, corrupt, truncated and mismatched checkpoints raise errors that name the file
  and ``make pretrain``;
- the digits and the three transfer tasks have the promised shapes, labels, splits and
  normalisation; :func:`~cs231n_utils.data.take_per_class` is balanced and seeded.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from cs231n_utils.data import (
    FASHION_MNIST_CLASSES,
    SOURCE_CLASSES,
    TARGET_A_CLASSES,
    load_digits_images,
    load_embedded_fashion_mnist,
    load_transfer_task,
    take_per_class,
)
from cs231n_utils.data import transfer_tasks as tt
from cs231n_utils.pretrain import pretrain
from cs231n_utils.pretrained import (
    CHECKPOINT_PATH,
    LOG_PATH,
    MissingCheckpointError,
    PretrainedError,
    checkpoint_metadata,
    load_pretrained,
    load_training_log,
)
from cs231n_utils.small_cnn import SmallCNN
from cs231n_utils.torch_training import accuracy

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tasks():
    return {name: load_transfer_task(name) for name in tt.TASKS}


def _rows(X):
    """A set of hashable rows, to compare splits."""
    flat = X.reshape(len(X), -1).numpy()
    return {row.tobytes() for row in flat}


# ----------------------------------------------------------------------------- pretraining


def test_quick_pretraining_learns_and_writes_a_loadable_checkpoint(tmp_path, tasks):
    out = tmp_path / "quick.pt"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-m", "cs231n_utils.pretrain", "--quick", "--out",
                          str(out)], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    log = json.loads(out.with_suffix(".json").read_text())
    assert log["quick"] and log["epochs"] == 3 and log["seed"] == 0
    assert log["command"].startswith("python -m cs231n_utils.pretrain")
    assert "--quick" in log["command"]
    assert log["test_acc"] >= 0.6 and log["val_acc"] >= 0.6, log  # chance is 0.2
    assert out.stat().st_size <= 2 * 1024 * 1024
    raw = torch.load(out, weights_only=True)
    assert set(raw) == {"format", "state_dict", "meta"}
    model = load_pretrained(out)
    assert isinstance(model, SmallCNN) and not model.training
    got = accuracy(model, tasks["source"]["X_test"], tasks["source"]["y_test"])
    assert got == pytest.approx(log["test_acc"], abs=1e-9)


def test_pretrain_rejects_an_out_that_is_not_a_pt_file(tmp_path):
    with pytest.raises(ValueError, match="out must be"):
        pretrain(out=tmp_path / "x.bin", quick=True, progress=False)


def test_the_committed_checkpoint_loads_and_matches_its_log(tasks):
    assert CHECKPOINT_PATH == REPO / "datasets" / "pretrained" / "small_cnn_source.pt"
    assert LOG_PATH == CHECKPOINT_PATH.with_suffix(".json")
    blob = CHECKPOINT_PATH.read_bytes()
    assert len(blob) <= 2 * 1024 * 1024
    log = load_training_log()
    assert log["checkpoint_sha256"] == hashlib.sha256(blob).hexdigest(), (
        "the log was not written with this checkpoint: run `make pretrain`")
    assert not log["quick"] and log["seed"] == 0
    assert log["command"].startswith("python -m cs231n_utils.pretrain")
    meta = checkpoint_metadata()
    assert meta["num_classes"] == 5 and meta["in_channels"] == 1
    assert meta["mean"] == [tt.PIXEL_MEAN] and meta["std"] == [tt.PIXEL_STD]
    assert log["data"]["mean"] == meta["mean"] and log["data"]["std"] == meta["std"]
    assert meta["class_names"] == [FASHION_MNIST_CLASSES[c] for c in SOURCE_CLASSES]

    model = load_pretrained(num_classes=5)
    source = tasks["source"]
    test_acc = accuracy(model, source["X_test"], source["y_test"])
    val_acc = accuracy(model, source["X_val"], source["y_val"])
    assert abs(test_acc - log["test_acc"]) <= 0.01, (test_acc, log["test_acc"])
    assert abs(val_acc - log["val_acc"]) <= 0.01, (val_acc, log["val_acc"])
    assert test_acc >= 0.85


def test_load_pretrained_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    load_pretrained()
    assert torch.equal(torch.rand(3), expected)


# ----------------------------------------------------------------------------- bad files


def _other_architecture(path):
    torch.save(nn.Sequential(nn.Linear(4, 2)).state_dict(), path)


def _wrong_shape(path):
    state = SmallCNN(num_classes=5).state_dict()
    state["features.1.0.weight"] = torch.zeros(8, 16, 3, 3)
    torch.save({"format": "x", "state_dict": state, "meta": {}}, path)


def _three_channels(path):
    state = SmallCNN(num_classes=5, in_channels=3).state_dict()
    torch.save({"format": "x", "state_dict": state, "meta": {"in_channels": 1}}, path)


def _extra_key(path):
    state = SmallCNN(num_classes=5).state_dict()
    state["head2.weight"] = torch.zeros(2, 2)
    torch.save({"state_dict": state, "meta": {}}, path)


def _not_finite(path):
    state = SmallCNN(num_classes=5).state_dict()
    state["head.bias"][0] = float("nan")
    torch.save({"state_dict": state, "meta": {}}, path)


def _pickled_object(path):
    torch.save({"state_dict": SmallCNN(num_classes=5)}, path)  # a whole module: not weights


def _corrupt(path):
    path.write_bytes(np.random.default_rng(0).bytes(5000))


def _truncated(path):
    path.write_bytes(CHECKPOINT_PATH.read_bytes()[:40_000])


def _empty(path):
    path.write_bytes(b"")


def _a_list(path):
    torch.save([1, 2, 3], path)


BAD_FILES = {
    "corrupt": _corrupt,
    "truncated": _truncated,
    "empty": _empty,
    "other architecture": _other_architecture,
    "wrong shape": _wrong_shape,
    "metadata disagrees": _three_channels,
    "extra key": _extra_key,
    "not finite": _not_finite,
    "pickled module": _pickled_object,
    "not a dict": _a_list,
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_checkpoint_names_the_file_and_make_pretrain(tmp_path, kind):
    path = tmp_path / "bad.pt"
    BAD_FILES[kind](path)
    with pytest.raises(PretrainedError) as info:
        load_pretrained(path)
    message = str(info.value)
    assert str(path) in message and "make pretrain" in message, message
    assert isinstance(info.value, ValueError)


def test_a_missing_checkpoint_names_the_file_and_make_pretrain(tmp_path):
    path = tmp_path / "nowhere" / "small_cnn_source.pt"
    with pytest.raises(MissingCheckpointError) as info:
        load_pretrained(path)
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, PretrainedError)
    assert str(path) in str(info.value) and "make pretrain" in str(info.value)
    with pytest.raises(MissingCheckpointError, match="make pretrain"):
        load_training_log(path.with_suffix(".json"))


def test_the_default_path_follows_the_datasets_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CS231N_DATASETS", str(tmp_path))
    with pytest.raises(MissingCheckpointError) as info:
        load_pretrained()
    assert str(tmp_path / "pretrained" / "small_cnn_source.pt") in str(info.value)


def test_a_bare_state_dict_loads_and_num_classes_is_checked(tmp_path):
    path = tmp_path / "bare.pt"
    torch.manual_seed(0)
    original = SmallCNN(num_classes=10)
    torch.save(original.state_dict(), path)
    model = load_pretrained(path)
    assert model.head.out_features == 10
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                  original.state_dict().values(), strict=True))
    with pytest.raises(PretrainedError, match="num_classes=5"):
        load_pretrained(path, num_classes=5)
    with pytest.raises(ValueError, match="num_classes must be"):
        load_pretrained(path, num_classes=0)


# ----------------------------------------------------------------------------- digits


def test_digits_images_look_like_fashion_mnist_and_are_deterministic():
    from sklearn.datasets import load_digits

    images, labels = load_digits_images()
    assert images.shape == (1797, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 255
    counts = np.bincount(labels, minlength=10)
    assert len(counts) == 10 and counts.min() >= 170 and counts.max() <= 185
    # bright strokes on a black background, as in Fashion-MNIST: the corners and the left
    # and right edges are nearly empty (the digits fill the frame from top to bottom)
    corners = images[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert corners.mean() < 10 and 50 < images.mean() < 100 and (images < 16).mean() > 0.35
    sides = np.concatenate([images[:, :, :2].ravel(), images[:, :, -2:].ravel()])
    assert sides.mean() < 0.1 * images[:, 10:18, 10:18].mean()
    again, labels_again = load_digits_images()
    assert np.array_equal(again, images) and np.array_equal(labels_again, labels)
    originals = load_digits()
    small, _ = load_digits_images(size=8)
    assert np.array_equal(small, np.rint(originals.images * 255 / 16).astype(np.uint8))
    assert np.array_equal(labels, originals.target)
    # bilinear enlargement (align_corners=False), as torch.nn.functional.interpolate does
    big, _ = load_digits_images(size=16)
    expected = torch.nn.functional.interpolate(
        torch.from_numpy(originals.images * 255 / 16)[:, None], size=(16, 16),
        mode="bilinear", align_corners=False)[:, 0].numpy()
    assert big.shape == (1797, 16, 16) and np.abs(big - expected).max() <= 0.5 + 1e-9


@pytest.mark.parametrize("size", [7, 0, 2.5, "28", True])
def test_digits_reject_a_bad_size(size):
    with pytest.raises(ValueError, match="size must be"):
        load_digits_images(size)


# ----------------------------------------------------------------------------- tasks


@pytest.mark.parametrize("name, sizes, num_classes", [
    ("source", (4500, 500, 1000), 5),
    ("similar", (4500, 500, 1000), 5),
    ("digits", (1078, 360, 359), 10),
])
def test_transfer_tasks_have_the_promised_shapes_and_labels(tasks, name, sizes, num_classes):
    task = tasks[name]
    assert task["num_classes"] == num_classes and len(task["class_names"]) == num_classes
    assert isinstance(task["description"], str) and task["description"]
    splits = ("train", "val", "test")
    for split, n in zip(splits, sizes, strict=True):
        X, y = task[f"X_{split}"], task[f"y_{split}"]
        assert X.dtype == torch.float32 and X.shape == (n, 1, 28, 28), (split, X.shape)
        assert y.dtype == torch.int64 and y.shape == (n,)
        counts = torch.bincount(y, minlength=num_classes)
        assert len(counts) == num_classes and counts.min() > 0
        assert counts.max() - counts.min() <= max(2, n // 100)  # stratified
    rows = [_rows(task[f"X_{s}"]) for s in splits]
    assert not rows[0] & rows[1] and not rows[0] & rows[2]


def test_source_and_similar_share_no_class_and_no_image(tasks):
    source, similar = tasks["source"], tasks["similar"]
    assert source["class_names"] == [FASHION_MNIST_CLASSES[c] for c in SOURCE_CLASSES]
    assert similar["class_names"] == [FASHION_MNIST_CLASSES[c] for c in TARGET_A_CLASSES]
    assert not set(SOURCE_CLASSES) & set(TARGET_A_CLASSES)
    assert not set(source["class_names"]) & set(similar["class_names"])
    for split in ("train", "test"):
        assert not _rows(source[f"X_{split}"]) & _rows(similar[f"X_{split}"])


def test_tasks_are_normalised_with_the_fixed_constants(tasks):
    _, _, Xte, yte = load_embedded_fashion_mnist()
    for name, classes in (("source", SOURCE_CLASSES), ("similar", TARGET_A_CLASSES)):
        keep = np.isin(yte, classes)
        expected = (Xte[keep].astype(np.float64) / 255 - tt.PIXEL_MEAN) / tt.PIXEL_STD
        np.testing.assert_allclose(tasks[name]["X_test"][:, 0].numpy(), expected, atol=1e-5)
        relabelled = np.searchsorted(classes, yte[keep])
        assert np.array_equal(tasks[name]["y_test"].numpy(), relabelled)
    images, labels = load_digits_images()
    digits = tasks["digits"]
    all_X = torch.cat([digits[f"X_{s}"] for s in ("train", "val", "test")])
    assert all_X.min().item() == pytest.approx(-tt.PIXEL_MEAN / tt.PIXEL_STD, abs=1e-5)
    assert all_X.max().item() == pytest.approx((1 - tt.PIXEL_MEAN) / tt.PIXEL_STD, abs=1e-5)
    assert sorted(torch.cat([digits[f"y_{s}"] for s in ("train", "val", "test")]).tolist()) \
        == sorted(labels.tolist())


def test_task_splits_are_seeded(tasks):
    again = load_transfer_task("digits", seed=0)
    assert torch.equal(again["X_train"], tasks["digits"]["X_train"])
    other = load_transfer_task("digits", seed=1)
    assert not torch.equal(other["X_train"], tasks["digits"]["X_train"])
    assert torch.equal(torch.sort(other["y_test"]).values.bincount(),
                       torch.sort(tasks["digits"]["y_test"]).values.bincount())


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "target"}, "name='target' is not a task"),
    ({"name": "source", "seed": -1}, "seed must be"),
    ({"name": "source", "seed": 1.5}, "seed must be"),
    ({"name": "similar", "source": "mnist"}, "source='mnist' is not known"),
])
def test_load_transfer_task_names_a_bad_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_transfer_task(**kwargs)


def test_take_per_class_is_balanced_seeded_and_nested(tasks):
    X, y = tasks["similar"]["X_train"], tasks["similar"]["y_train"]
    X10, y10 = take_per_class(X, y, 10, seed=0)
    assert X10.shape == (50, 1, 28, 28) and torch.bincount(y10).tolist() == [10] * 5
    X10b, y10b = take_per_class(X, y, 10, seed=0)
    assert torch.equal(X10, X10b) and torch.equal(y10, y10b)
    X10c, _ = take_per_class(X, y, 10, seed=1)
    assert not torch.equal(X10, X10c)
    X100, _ = take_per_class(X, y, 100, seed=0)
    assert _rows(X10) <= _rows(X100)
    X_all, y_all = take_per_class(X, y, 10_000, seed=0)  # more than a class has: all of it
    assert torch.equal(X_all, X) and torch.equal(y_all, y)
    # numpy in, numpy out; an unbalanced set gives all of a small class
    labels = np.array([0] * 5 + [1] * 50 + [2] * 20)
    Xn, yn = take_per_class(np.arange(75), labels, 10, seed=3)
    assert isinstance(Xn, np.ndarray) and np.bincount(yn).tolist() == [5, 10, 10]
    assert np.array_equal(labels[Xn], yn) and np.all(np.diff(Xn) > 0)


@pytest.mark.parametrize("per_class, y, match", [
    (0, np.zeros(4, dtype=int), "per_class must be"),
    (2.0, np.zeros(4, dtype=int), "per_class must be"),
    (2, np.zeros(3, dtype=int), "y must be 1-D"),
    (2, np.zeros((4, 1), dtype=int), "y must be 1-D"),
])
def test_take_per_class_names_a_bad_argument(per_class, y, match):
    with pytest.raises(ValueError, match=match):
        take_per_class(np.zeros((4, 2)), y, per_class, seed=0)


def test_the_same_split_works_on_a_cifar10_folder(tmp_path, monkeypatch):
    from test_data import write_cifar_folder

    write_cifar_folder(tmp_path / "cifar-10-batches-py", per_batch=40)
    monkeypatch.setenv("CS231N_DATASETS", str(tmp_path))
    similar = load_transfer_task("similar", source="auto")
    assert similar["source"] == "cifar10" and similar["X_train"].shape[1:] == (3, 32, 32)
    assert similar["class_names"] == ["dog", "frog", "horse", "ship", "truck"]
    assert similar["mean"] == tt.CIFAR10_MEAN and int(similar["y_test"].max()) == 4
    digits = load_transfer_task("digits", source="cifar10")
    assert digits["X_test"].shape == (359, 3, 32, 32)
    log = pretrain(out=tmp_path / "c.pt", quick=True, epochs=1, source="cifar10",
                   progress=False)
    assert log["data"]["source"] == "cifar10"
    assert load_pretrained(tmp_path / "c.pt").features[0][0].in_channels == 3
