"""Build ``datasets/fashion_mnist_subset.npz``, the workbook's embedded image data.

A balanced subset of Fashion-MNIST (Zalando Research, MIT licence): 1,000 training
images per class from the official training file and 200 test images per class from
the official test file, chosen at random with a fixed seed, so the same input gives
the same arrays.

Usage (from the repository root)::

    python datasets/make_embedded_subset.py                  # Debian's copy
    python datasets/make_embedded_subset.py /path/to/idx/files --out my_subset.npz

The source folder must hold the four idx files (plain or ``.gz``) under their standard
names; Debian's package ``dataset-fashion-mnist`` installs them in
``/usr/share/datasets/fashion-mnist``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing the package

from cs231n_utils.data import (  # noqa: E402
    DEBIAN_FASHION_MNIST,
    EMBEDDED_FILENAME,
    FASHION_MNIST_CLASSES,
    load_fashion_mnist_idx,
)

TRAIN_PER_CLASS = 1000
TEST_PER_CLASS = 200
SEED = 0
MAX_BYTES = 8 * 1024 * 1024


def balanced_indices(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Pick ``per_class`` random positions of each label, returned in file order.

    Parameters
    ----------
    labels : numpy.ndarray
        Integer labels 0..9.
    per_class : int
        How many items of each class to keep.
    rng : numpy.random.Generator
        Source of randomness (seeded by the caller).

    Returns
    -------
    numpy.ndarray
        Sorted positions, ``10 * per_class`` of them.
    """
    chosen = []
    for c in range(len(FASHION_MNIST_CLASSES)):
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise SystemExit(f"class {c} has only {len(members)} items, {per_class} needed")
        chosen.append(rng.choice(members, size=per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def make_subset(
    source: Path,
    out: Path,
    train_per_class: int = TRAIN_PER_CLASS,
    test_per_class: int = TEST_PER_CLASS,
    seed: int = SEED,
) -> Path:
    """Write the balanced subset of the idx files in ``source`` to ``out``.

    Parameters
    ----------
    source : pathlib.Path
        Folder with the four Fashion-MNIST idx files.
    out : pathlib.Path
        The ``.npz`` file to write.
    train_per_class, test_per_class : int
        Images per class taken from the training and the test file.
    seed : int
        Seed of the random choice.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    Xtr, ytr, Xte, yte = load_fashion_mnist_idx(source)
    rng = np.random.default_rng(seed)
    train_idx = balanced_indices(ytr, train_per_class, rng)
    test_idx = balanced_indices(yte, test_per_class, rng)
    note = (
        "Fashion-MNIST (Zalando Research, https://github.com/zalandoresearch/fashion-mnist, "
        "MIT licence, Copyright (c) 2017 Zalando SE), read from Debian's package "
        "dataset-fashion-mnist. Balanced subset: "
        f"{train_per_class} images per class from train-images-idx3-ubyte and "
        f"{test_per_class} per class from t10k-images-idx3-ubyte, chosen with "
        f"numpy.random.default_rng({seed}) by datasets/make_embedded_subset.py; "
        "train_index/test_index are the positions in those files."
    )
    np.savez_compressed(
        out,
        X_train=Xtr[train_idx],
        y_train=ytr[train_idx],
        X_test=Xte[test_idx],
        y_test=yte[test_idx],
        class_names=np.array(FASHION_MNIST_CLASSES),
        train_index=train_idx.astype(np.uint16),
        test_index=test_idx.astype(np.uint16),
        source=np.array(note),
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source",
        nargs="?",
        type=Path,
        default=DEBIAN_FASHION_MNIST,
        help=f"folder with the Fashion-MNIST idx files (default: {DEBIAN_FASHION_MNIST})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE / EMBEDDED_FILENAME,
        help=f"file to write (default: {HERE / EMBEDDED_FILENAME})",
    )
    parser.add_argument("--train-per-class", type=int, default=TRAIN_PER_CLASS)
    parser.add_argument("--test-per-class", type=int, default=TEST_PER_CLASS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    if not args.source.is_dir():
        print(
            f"error: {args.source} does not exist: install Debian's dataset-fashion-mnist "
            "or pass the folder with the idx files.",
            file=sys.stderr,
        )
        return 2
    try:
        out = make_subset(
            args.source, args.out, args.train_per_class, args.test_per_class, args.seed
        )
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    size = out.stat().st_size
    print(f"wrote {out} ({size / 2**20:.2f} MB)")
    if size > MAX_BYTES:
        print(
            f"error: {out} is larger than {MAX_BYTES / 2**20:.0f} MB: rerun with "
            "--train-per-class 800",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
