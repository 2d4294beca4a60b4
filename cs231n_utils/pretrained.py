"""The source network of 06_transfer_learning, pretrained by the project itself.

``python -m cs231n_utils.pretrain`` (or ``make pretrain``) trains a
:class:`~cs231n_utils.small_cnn.SmallCNN` on the source task of
:func:`~cs231n_utils.data.transfer_tasks.load_transfer_task` (Fashion-MNIST classes 0-4)
and writes two files, both committed:

- ``datasets/pretrained/small_cnn_source.pt`` (:data:`CHECKPOINT_PATH`): a dict with the
  keys ``"format"``, ``"state_dict"`` (the network's tensors) and ``"meta"`` (plain
  numbers, strings and lists: ``num_classes``, ``in_channels``, the normalisation ``mean``
  and ``std``, the class names, ...). Nothing but tensors and plain values, so it loads with
  ``torch.load(..., weights_only=True)``, which never runs code from the file;
- ``datasets/pretrained/small_cnn_source.json`` (:data:`LOG_PATH`): the training log
  (data, seed, command, accuracy per epoch, final validation and test accuracy, time).

:func:`load_pretrained` rebuilds the network from the checkpoint. A missing, truncated or
corrupt checkpoint, or one that does not fit the network (other keys or shapes), raises
:class:`PretrainedError`, whose message names the file and the fix: run ``make pretrain``.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import zipfile
from pathlib import Path
from typing import Any

import torch

from .data.paths import DatasetError, datasets_dir
from .small_cnn import SmallCNN

__all__ = [
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_PATH",
    "LOG_PATH",
    "MissingCheckpointError",
    "PretrainedError",
    "checkpoint_metadata",
    "default_checkpoint_path",
    "load_pretrained",
    "load_training_log",
]

#: The checkpoint and its log, relative to the data folder (:func:`datasets_dir`).
CHECKPOINT_NAME = "pretrained/small_cnn_source.pt"
LOG_NAME = "pretrained/small_cnn_source.json"
#: The committed checkpoint and its log in this repository's ``datasets/``.
CHECKPOINT_PATH = Path(__file__).resolve().parents[1] / "datasets" / CHECKPOINT_NAME
LOG_PATH = Path(__file__).resolve().parents[1] / "datasets" / LOG_NAME
#: The value of the checkpoint's ``"format"`` key.
CHECKPOINT_FORMAT = "cs231n-small-cnn-checkpoint/1"

_META_INT_KEYS = ("num_classes", "in_channels")


class PretrainedError(DatasetError):
    """A checkpoint is missing, truncated, corrupt or does not fit :class:`SmallCNN`.

    The message names the file and how to rebuild it (``make pretrain``).
    """


class MissingCheckpointError(PretrainedError, FileNotFoundError):
    """The checkpoint file does not exist (also a :class:`FileNotFoundError`)."""


def default_checkpoint_path() -> Path:
    """Where :func:`load_pretrained` looks by default: ``datasets_dir() / CHECKPOINT_NAME``.

    In the repository that is :data:`CHECKPOINT_PATH`; with ``CS231N_DATASETS`` set, or in
    an overlaid copy of the package, it follows :func:`~cs231n_utils.data.datasets_dir`.
    """
    return datasets_dir() / CHECKPOINT_NAME


def _fix(path: Path) -> str:
    """What to do about a bad checkpoint at ``path``."""
    how = "run `make pretrain` to rebuild it"
    default = default_checkpoint_path()
    if path.resolve() != default.resolve():
        how += (f" (it writes {default}; for this file run "
                f"`python -m cs231n_utils.pretrain --out {path}`)")
    if path.resolve() == CHECKPOINT_PATH:
        how += f", or restore the committed copy with `git checkout -- datasets/{CHECKPOINT_NAME}`"
    return how


def _read_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The state dict and metadata of a checkpoint, checked for type; errors name the file."""
    if not path.is_file():
        raise MissingCheckpointError(
            f"The pretrained checkpoint {path} does not exist: {_fix(path)}.")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        # torch's own message suggests weights_only=False, which would run code from the file
        raise PretrainedError(
            f"{path} is corrupt or holds more than tensors and plain values (the safe loader, "
            f"torch.load(weights_only=True), refused it); {_fix(path)}.") from err
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile, KeyError,
            AttributeError, TypeError) as err:
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(err)).strip()
        reason = type(err).__name__ + (f": {text.splitlines()[0][:160]}" if text else "")
        raise PretrainedError(
            f"{path} is not a readable PyTorch checkpoint, truncated or corrupt ({reason}); "
            f"{_fix(path)}.") from err
    if isinstance(obj, dict) and "state_dict" in obj:
        state, meta = obj["state_dict"], obj.get("meta", {})
    elif isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
        state, meta = obj, {}  # a bare state dict, e.g. torch.save(model.state_dict(), ...)
    else:
        raise PretrainedError(
            f"{path} holds a {type(obj).__name__}, not a SmallCNN checkpoint (a dict with "
            f"'state_dict' and 'meta'); {_fix(path)}.")
    if not isinstance(state, dict) or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise PretrainedError(f"{path}: 'state_dict' is not a dict of named tensors; "
                              f"{_fix(path)}.")
    if not isinstance(meta, dict):
        raise PretrainedError(f"{path}: 'meta' is not a dict; {_fix(path)}.")
    return dict(state), dict(meta)


def _shape_of(state: dict[str, torch.Tensor], path: Path) -> tuple[int, int]:
    """(num_classes, in_channels) as the tensors give them."""
    head, first = state.get("head.weight"), state.get("features.0.0.weight")
    if head is None or first is None or head.ndim != 2 or first.ndim != 4:
        raise PretrainedError(
            f"{path} is not a SmallCNN checkpoint (no 2-D 'head.weight' or 4-D "
            f"'features.0.0.weight'; its first keys: {sorted(state)[:4]}); {_fix(path)}.")
    return int(head.shape[0]), int(first.shape[1])


def checkpoint_metadata(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The plain metadata stored with a checkpoint (no network is built).

    Parameters
    ----------
    path : path-like, optional
        The checkpoint; by default :func:`default_checkpoint_path`.

    Returns
    -------
    dict
        At least ``num_classes`` and ``in_channels``; the project's checkpoints also hold
        ``mean``, ``std`` (the input normalisation), ``class_names``, ``source_classes``,
        ``data_source``, ``seed``, ``epochs``, ``val_acc``, ``test_acc``.

    Raises
    ------
    PretrainedError
        As :func:`load_pretrained`.
    """
    path = Path(path) if path is not None else default_checkpoint_path()
    state, meta = _read_checkpoint(path)
    num_classes, in_channels = _shape_of(state, path)
    return {**meta, "num_classes": num_classes, "in_channels": in_channels}


def load_pretrained(path: str | os.PathLike[str] | None = None,
                    num_classes: int | None = None) -> SmallCNN:
    """The pretrained :class:`~cs231n_utils.small_cnn.SmallCNN`, in evaluation mode.

    The file is read with ``torch.load(..., weights_only=True)``. Building the network does
    not touch PyTorch's global random state.

    Parameters
    ----------
    path : path-like, optional
        The checkpoint; by default :func:`default_checkpoint_path` (the committed
        ``datasets/pretrained/small_cnn_source.pt``).
    num_classes : int, optional
        The number of classes you expect the checkpoint's head to have (5 for the source
        task); None accepts what it holds. To classify something else, load it and give
        it a new head.

    Returns
    -------
    SmallCNN
        With the checkpoint's weights, all parameters trainable, in ``eval()`` mode.
        Its inputs must be normalised as in pretraining (``meta["mean"]``,
        ``meta["std"]``), as :func:`~cs231n_utils.data.load_transfer_task` does.

    Raises
    ------
    MissingCheckpointError
        If the file does not exist (a :class:`PretrainedError` and a
        :class:`FileNotFoundError`).
    PretrainedError
        If the file is truncated or corrupt, holds anything but tensors and plain values,
        does not fit the network (missing or unexpected keys, other shapes), holds
        non-finite weights, or its head does not have ``num_classes`` outputs. The message
        names the file and says to run ``make pretrain``.
    """
    if num_classes is not None and (isinstance(num_classes, bool)
                                    or not isinstance(num_classes, int) or num_classes < 1):
        raise ValueError(f"num_classes must be a positive integer or None, got {num_classes!r}.")
    path = Path(path) if path is not None else default_checkpoint_path()
    state, meta = _read_checkpoint(path)
    n_out, in_channels = _shape_of(state, path)
    for key in _META_INT_KEYS:
        if key in meta and meta[key] != {"num_classes": n_out, "in_channels": in_channels}[key]:
            raise PretrainedError(f"{path}: its metadata says {key}={meta[key]!r} but its "
                                  f"tensors disagree; {_fix(path)}.")
    if num_classes is not None and num_classes != n_out:
        raise PretrainedError(
            f"{path} has a head with {n_out} outputs, not num_classes={num_classes}: load it "
            f"with num_classes=None and give it a new head, or {_fix(path)}.")
    with torch.random.fork_rng(devices=[]):
        model = SmallCNN(num_classes=n_out, in_channels=in_channels)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = [f"{k} {tuple(state[k].shape)} (needs {tuple(v.shape)})"
             for k, v in expected.items() if k in state and state[k].shape != v.shape]
    if missing or unexpected or wrong:
        parts = [f"missing {missing}" if missing else "",
                 f"unexpected {unexpected}" if unexpected else "",
                 f"wrong shapes {wrong}" if wrong else ""]
        raise PretrainedError(
            f"{path} does not fit SmallCNN(num_classes={n_out}, in_channels={in_channels}) "
            f"({'; '.join(p for p in parts if p)}): another architecture or an old "
            f"checkpoint; {_fix(path)}.")
    bad = [k for k, v in state.items() if not (v.is_floating_point() and torch.isfinite(v).all())]
    if bad:
        raise PretrainedError(f"{path} holds non-finite or non-float weights in {bad}; "
                              f"{_fix(path)}.")
    model.load_state_dict(state, strict=True)
    return model.eval()


def load_training_log(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The JSON training log written with the checkpoint.

    Parameters
    ----------
    path : path-like, optional
        The log; by default the checkpoint's path with the suffix ``.json``.

    Returns
    -------
    dict
        The keys are described in :mod:`cs231n_utils.pretrain` (``command``, ``seed``,
        ``epochs``, ``history``, ``val_acc``, ``test_acc``, ``seconds``, ...).

    Raises
    ------
    MissingCheckpointError
        If the file does not exist.
    PretrainedError
        If it is not a JSON object.
    """
    path = Path(path) if path is not None else default_checkpoint_path().with_suffix(".json")
    if not path.is_file():
        raise MissingCheckpointError(f"The training log {path} does not exist: "
                                     f"{_fix(path.with_suffix('.pt'))}.")
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PretrainedError(f"{path} is not valid JSON ({err}); "
                              f"{_fix(path.with_suffix('.pt'))}.") from err
    if not isinstance(log, dict):
        raise PretrainedError(f"{path} does not hold a JSON object; "
                              f"{_fix(path.with_suffix('.pt'))}.")
    return log
