"""Pretrain the source network of 06_transfer_learning and write its checkpoint and log.

Usage (from the repository root; ``make pretrain`` runs the first line)::

    python -m cs231n_utils.pretrain                     # the committed checkpoint
    python -m cs231n_utils.pretrain --out /tmp/x.pt     # the same run, elsewhere
    python -m cs231n_utils.pretrain --quick --out /tmp/q.pt   # a few seconds, for tests

It trains :class:`~cs231n_utils.small_cnn.SmallCNN` (5 classes) with Adam on the source
task of :func:`~cs231n_utils.data.transfer_tasks.load_transfer_task` (Fashion-MNIST
classes 0-4 of the embedded subset, 4,500 training and 500 validation images), using the
given loop :func:`cs231n_utils.torch_training.train` (30 epochs, learning rate 0.005
decaying by 0.9 per epoch, minibatches of 128; about 30-60 s on one thread), then
measures validation and test accuracy and writes

- the checkpoint (``--out``, by default ``datasets/pretrained/small_cnn_source.pt``): the
  state dict and plain metadata, loadable with ``torch.load(..., weights_only=True)``
  (:func:`cs231n_utils.pretrained.load_pretrained` reads it);
- the log, the same path with ``.json``: ``command``, ``data`` (source, classes, sizes,
  normalisation), ``seed``, ``epochs`` and the other settings, ``history`` (mean training
  loss, training and validation accuracy per epoch), ``val_acc``, ``test_acc``, ``seconds``,
  ``versions`` (Python, torch, numpy), ``threads`` and the checkpoint's size and SHA-256.

The run is reproducible: it seeds PyTorch, switches on
``torch.use_deterministic_algorithms`` and uses one thread (all three are restored
afterwards), so the same command on the same PyTorch build gives the same weights.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .data.transfer_tasks import (
    DEFAULT_SOURCE,
    SOURCE_CLASSES,
    load_transfer_task,
    take_per_class,
)
from .pretrained import CHECKPOINT_FORMAT, default_checkpoint_path
from .small_cnn import SmallCNN
from .torch_training import accuracy, train

__all__ = ["DEFAULTS", "QUICK", "main", "pretrain"]

#: The settings of the committed run.
DEFAULTS: dict[str, Any] = {"epochs": 30, "lr": 5e-3, "lr_decay": 0.9, "batch_size": 128,
                            "augment": False, "seed": 0, "threads": 1}
#: What ``--quick`` changes: three epochs on 300 training images per class (a few seconds,
#: about 70% test accuracy; chance is 20%).
QUICK: dict[str, Any] = {"epochs": 3, "per_class": 300}
#: Largest checkpoint accepted (the issue's limit).
MAX_BYTES = 2 * 1024 * 1024


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so no half-written file is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def pretrain(
    *,
    epochs: int | None = None,
    out: str | os.PathLike[str] | None = None,
    seed: int = DEFAULTS["seed"],
    quick: bool = False,
    source: str = DEFAULT_SOURCE,
    progress: bool = True,
    command: str | None = None,
) -> dict[str, Any]:
    """Train the source network, write its checkpoint and log; return the log.

    Parameters
    ----------
    epochs : int, optional
        Passes over the training set; by default ``DEFAULTS["epochs"]``, or
        ``QUICK["epochs"]`` with ``quick``.
    out : path-like, optional
        The checkpoint to write; by default
        :func:`~cs231n_utils.pretrained.default_checkpoint_path`. The log goes to the same
        path with the suffix ``.json``.
    seed : int, default 0
        Seeds the validation split, the initial weights and the minibatch order.
    quick : bool, default False
        Train on ``QUICK["per_class"]`` images per class only, for ``QUICK["epochs"]``
        epochs by default: a check that training works, in a few seconds.
    source : str, default "fashion-mnist-embedded"
        The image data (see :func:`~cs231n_utils.data.load_transfer_task`).
    progress : bool, default True
        Show a tqdm bar and print the result.
    command : str, optional
        The command line to record in the log; by default the equivalent
        ``python -m cs231n_utils.pretrain ...`` of the arguments.

    Returns
    -------
    dict
        The log that was written (see the module docstring).
    """
    epochs = (QUICK["epochs"] if quick else DEFAULTS["epochs"]) if epochs is None else epochs
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}.")
    out_path = Path(out) if out is not None else default_checkpoint_path()
    if out_path.suffix != ".pt":
        raise ValueError(f"out must be a file name ending in .pt, got {str(out_path)!r}.")
    log_path = out_path.with_suffix(".json")
    if command is None:
        args = [f"--epochs={epochs}", f"--seed={seed}", f"--out={out_path}"]
        command = shlex.join(["python", "-m", "cs231n_utils.pretrain", *args,
                              *(["--quick"] if quick else [])])

    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    start = time.perf_counter()
    try:
        torch.set_num_threads(DEFAULTS["threads"])
        torch.use_deterministic_algorithms(True)
        task = load_transfer_task("source", seed=seed, source=source)
        if quick:
            task["X_train"], task["y_train"] = take_per_class(
                task["X_train"], task["y_train"], QUICK["per_class"], seed)
        in_channels = int(task["X_train"].shape[1])
        torch.manual_seed(seed)
        model = SmallCNN(num_classes=task["num_classes"], in_channels=in_channels)
        history = train(model, task, epochs=epochs, lr=DEFAULTS["lr"],
                        lr_decay=DEFAULTS["lr_decay"], batch_size=DEFAULTS["batch_size"],
                        augment=DEFAULTS["augment"], seed=seed, progress=progress)
        val_acc = accuracy(model, task["X_val"], task["y_val"])
        test_acc = accuracy(model, task["X_test"], task["y_test"])
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
    seconds = time.perf_counter() - start

    per_epoch = history["iterations_per_epoch"]
    losses = history["loss"]
    epoch_loss = [float(np.mean(losses[i:i + per_epoch])) for i in range(0, len(losses), per_epoch)]
    meta = {
        "architecture": "SmallCNN",
        "num_classes": int(task["num_classes"]),
        "in_channels": in_channels,
        "image_size": int(task["X_train"].shape[-1]),
        "mean": [float(m) for m in task["mean"]],
        "std": [float(s) for s in task["std"]],
        "class_names": list(task["class_names"]),
        "source_classes": list(SOURCE_CLASSES),
        "data_source": task["source"],
        "seed": seed,
        "epochs": epochs,
        "quick": quick,
        "val_acc": val_acc,
        "test_acc": test_acc,
    }
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    buffer = io.BytesIO()
    torch.save({"format": CHECKPOINT_FORMAT, "state_dict": state, "meta": meta}, buffer)
    blob = buffer.getvalue()
    if len(blob) > MAX_BYTES:
        raise RuntimeError(f"the checkpoint would be {len(blob)} bytes, over the limit of "
                           f"{MAX_BYTES}.")
    _atomic_write(out_path, blob)

    log = {
        "what": "SmallCNN pretrained on the source task of 06_transfer_learning",
        "command": command,
        "checkpoint": out_path.name,
        "checkpoint_bytes": len(blob),
        "checkpoint_sha256": hashlib.sha256(blob).hexdigest(),
        "data": {
            "task": "source",
            "description": task["description"],
            "source": task["source"],
            "classes": list(SOURCE_CLASSES),
            "class_names": list(task["class_names"]),
            "n_train": len(task["y_train"]),
            "n_val": len(task["y_val"]),
            "n_test": len(task["y_test"]),
            "normalisation": "(pixels / 255 - mean) / std",
            "mean": meta["mean"],
            "std": meta["std"],
        },
        "seed": seed,
        "epochs": epochs,
        "quick": quick,
        "optimizer": "adam",
        "lr": DEFAULTS["lr"],
        "lr_decay_per_epoch": DEFAULTS["lr_decay"],
        "batch_size": DEFAULTS["batch_size"],
        "augment": "random horizontal flips" if DEFAULTS["augment"] else "none",
        "threads": DEFAULTS["threads"],
        "deterministic_algorithms": True,
        "history": {"loss": epoch_loss, "train_acc": history["train_acc"],
                    "val_acc": history["val_acc"]},
        "val_acc": val_acc,
        "test_acc": test_acc,
        "seconds": round(seconds, 1),
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "numpy": np.__version__},
    }
    _atomic_write(log_path, (json.dumps(log, indent=2) + "\n").encode("utf-8"))
    if progress:
        print(f"source task ({task['source']}, {len(task['y_train'])} training images, "
              f"{epochs} epoch{'s' * (epochs != 1)}): validation accuracy {val_acc:.1%}, "
              f"test accuracy {test_acc:.1%}, {seconds:.0f} s")
        print(f"wrote {out_path} ({len(blob) / 1024:.0f} KB) and {log_path}")
    return log


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m cs231n_utils.pretrain",
        description="Pretrain the SmallCNN of 06_transfer_learning on Fashion-MNIST classes "
                    "0-4 and write its checkpoint and JSON log.")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"passes over the training set (default {DEFAULTS['epochs']}, "
                             f"{QUICK['epochs']} with --quick)")
    parser.add_argument("--out", default=None,
                        help="checkpoint to write, ending in .pt; the log goes next to it "
                             "as .json (default datasets/pretrained/small_cnn_source.pt)")
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"],
                        help="seed of the split, the weights and the batches (default 0)")
    parser.add_argument("--quick", action="store_true",
                        help=f"train on {QUICK['per_class']} images per class, for a test")
    parser.add_argument("--source", default=DEFAULT_SOURCE,
                        help="image data: fashion-mnist-embedded (default), fashion-mnist, "
                             "cifar10 or auto")
    args = parser.parse_args(argv)
    raw = sys.argv[1:] if argv is None else argv
    command = shlex.join(["python", "-m", "cs231n_utils.pretrain", *raw])
    try:
        pretrain(epochs=args.epochs, out=args.out, seed=args.seed, quick=args.quick,
                 source=args.source, command=command)
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
