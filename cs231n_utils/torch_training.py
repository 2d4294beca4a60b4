"""A small, deterministic training loop for PyTorch image classifiers.

Made for the PyTorch part of assignment 04_cnn and for anything later that trains a
``torch.nn.Module`` on the workbook's images. It plays the role the NumPy
:class:`~cs231n_utils.solver.Solver` plays for the NumPy models, with less to configure:

* :func:`prepare_data` turns the dict of :func:`cs231n_utils.data.load_image_data`
  (float64 images ``(N, H, W, C)`` with values 0..255) into float32 tensors
  ``(N, C, H, W)``, standardised per channel with the training set's mean and standard
  deviation;
* :func:`train` runs minibatch Adam or SGD (with momentum) on the softmax (cross-entropy)
  loss, shows a tqdm bar, and returns the loss of every iteration and the training and
  validation accuracy after every epoch;
* :func:`predict` and :func:`accuracy` evaluate in batches, in evaluation mode, without
  tracking gradients.

The same ``seed`` (and the same model initialisation, e.g. after ``torch.manual_seed``)
gives the same history on the same machine.

>>> history = train(model, data, epochs=3, lr=1e-3, seed=0)  # doctest: +SKIP
>>> history["val_acc"][-1]  # doctest: +SKIP
0.9
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

__all__ = ["accuracy", "augment_batch", "images_to_tensor", "predict", "prepare_data", "train"]

_SPLITS = ("train", "val", "test")


def images_to_tensor(
    X: np.ndarray, mean: np.ndarray | None = None, std: np.ndarray | None = None
) -> torch.Tensor:
    """Images ``(N, H, W, C)`` as a float32 tensor ``(N, C, H, W)``, optionally standardised.

    Parameters
    ----------
    X : numpy.ndarray, shape (N, H, W, C)
        As :func:`~cs231n_utils.data.load_image_data` returns them.
    mean, std : numpy.ndarray of shape (C,), optional
        Per-channel statistics: the result is ``(X - mean) / std``.
    """
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"images must have shape (N, H, W, C), got {X.shape}")
    X = X.astype(np.float32)
    if mean is not None:
        X = X - np.asarray(mean, dtype=np.float32)
    if std is not None:
        X = X / np.asarray(std, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(X.transpose(0, 3, 1, 2)))


def prepare_data(data: dict[str, Any]) -> dict[str, Any]:
    """The dict of :func:`~cs231n_utils.data.load_image_data`, as tensors for PyTorch.

    Returns
    -------
    dict
        ``X_train``, ``X_val``, ``X_test``: float32 tensors ``(N, C, H, W)``, each channel
        minus the training set's mean, divided by its standard deviation; ``y_train``,
        ``y_val``, ``y_test``: int64 tensors; ``mean``, ``std``: the per-channel
        statistics (numpy arrays of shape (C,)), to prepare other images the same way;
        ``class_names`` as given. Splits missing from ``data`` are left out.
    """
    X_train = np.asarray(data["X_train"], dtype=np.float64)
    mean = X_train.mean(axis=(0, 1, 2))
    std = X_train.std(axis=(0, 1, 2)) + 1e-8
    out: dict[str, Any] = {"mean": mean, "std": std}
    for split in _SPLITS:
        if f"X_{split}" in data:
            out[f"X_{split}"] = images_to_tensor(data[f"X_{split}"], mean, std)
            out[f"y_{split}"] = torch.as_tensor(np.asarray(data[f"y_{split}"]), dtype=torch.int64)
    if "class_names" in data:
        out["class_names"] = list(data["class_names"])
    return out


def augment_batch(x: torch.Tensor, generator: torch.Generator, shift: int = 0) -> torch.Tensor:
    """Random horizontal flips, and optionally random shifts, of a batch ``(N, C, H, W)``.

    Each image is mirrored left-right with probability 1/2 and, if ``shift > 0``, moved by
    up to ``shift`` pixels in each direction (the border filled with zeros, i.e. with the
    mean after :func:`prepare_data`). The labels stay valid: a mirrored or slightly moved
    shirt is still a shirt. Draws from ``generator`` only.
    """
    N, _, H, W = x.shape
    flip = torch.rand(N, generator=generator) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    if shift <= 0:
        return x
    padded = F.pad(x, (shift, shift, shift, shift))
    offsets = torch.randint(0, 2 * shift + 1, (N, 2), generator=generator).tolist()
    return torch.stack([padded[i, :, dy:dy + H, dx:dx + W] for i, (dy, dx) in enumerate(offsets)])


def _as_prepared(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("X_train", "y_train", "X_val", "y_val"):
        if key not in data:
            raise KeyError(f"data has no {key!r}: pass the dict of load_image_data or of "
                           "prepare_data")
    return data if isinstance(data["X_train"], torch.Tensor) else prepare_data(data)


def _dtype(model: nn.Module) -> torch.dtype:
    param = next(model.parameters(), None)
    return param.dtype if param is not None else torch.get_default_dtype()


def predict(model: nn.Module, X: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Scores ``(N, num_classes)`` of ``model`` on ``X``, in evaluation mode, batch by batch.

    The model's training/evaluation mode is restored afterwards.
    """
    was_training = model.training
    model.eval()
    dtype = _dtype(model)
    try:
        with torch.no_grad():
            scores = [model(X[i:i + batch_size].to(dtype)) for i in range(0, len(X), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(scores) if scores else torch.empty(0)


def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor | np.ndarray,
             batch_size: int = 500) -> float:
    """The fraction of ``X`` (tensor ``(N, C, H, W)``) that ``model`` labels as ``y``."""
    if len(X) == 0:
        return float("nan")
    labels = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    return float((predict(model, X, batch_size).argmax(dim=1) == labels).double().mean())


def train(
    model: nn.Module,
    data: dict[str, Any],
    *,
    epochs: int,
    lr: float,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    optimizer: str = "adam",
    momentum: float = 0.9,
    lr_decay: float = 1.0,
    augment: bool = False,
    augment_shift: int = 0,
    seed: int = 0,
    train_acc_samples: int = 1000,
    progress: bool = True,
) -> dict[str, Any]:
    """Train ``model`` with the softmax loss on minibatches; return its history.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(N, C, H, W)`` to scores ``(N, num_classes)``. Trained in place, in its own
        dtype (the inputs are converted to it).
    data : dict
        From :func:`~cs231n_utils.data.load_image_data` (prepared here with
        :func:`prepare_data`) or already from :func:`prepare_data`. Needs ``X_train``,
        ``y_train``, ``X_val``, ``y_val``.
    epochs : int
        Passes over the training set.
    lr : float
        Learning rate of the first epoch.
    batch_size : int, default 64
    weight_decay : float, default 0
        L2 penalty (the optimiser's ``weight_decay``; for SGD that is ``reg`` in
        ``0.5 * reg * sum(W ** 2)``).
    optimizer : {"adam", "sgd"}, default "adam"
        Adam, or SGD with (heavy-ball) ``momentum``.
    momentum : float, default 0.9
        Only for ``optimizer="sgd"``.
    lr_decay : float, default 1
        The learning rate is multiplied by this after every epoch.
    augment : bool, default False
        Train on randomly mirrored copies of each minibatch (:func:`augment_batch`): a
        cheap way to fight overfitting on a small training set.
    augment_shift : int, default 0
        With ``augment``, also shift each image by up to this many pixels.
    seed : int, default 0
        Seeds the order of the minibatches (and ``torch.manual_seed``, for any randomness
        inside the model such as dropout).
    train_acc_samples : int, default 1000
        Training accuracy is measured on this many training images (the first ones of a
        fixed random sample), to save time.
    progress : bool, default True
        Show a tqdm bar (it writes to stderr: switch it off where that matters).

    Returns
    -------
    dict
        ``loss``: list of float, the minibatch loss of every iteration; ``train_acc``,
        ``val_acc``: lists of float, one per epoch; ``iterations_per_epoch``: int;
        ``seconds``: float, the wall time of the whole run; ``mean``, ``std``: the
        per-channel statistics the images were standardised with.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    prepared = _as_prepared(data)
    X_train, y_train = prepared["X_train"], prepared["y_train"]
    X_val, y_val = prepared["X_val"], prepared["y_val"]
    dtype = _dtype(model)

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    sample = torch.randperm(len(X_train), generator=generator)[:train_acc_samples]
    params = [p for p in model.parameters() if p.requires_grad]
    if optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    else:
        opt = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)

    per_epoch = (len(X_train) + batch_size - 1) // batch_size
    history: dict[str, Any] = {"loss": [], "train_acc": [], "val_acc": [],
                               "iterations_per_epoch": per_epoch,
                               "mean": prepared.get("mean"), "std": prepared.get("std")}
    start = time.perf_counter()
    bar = tqdm(total=epochs * per_epoch, desc="training", unit="batch", disable=not progress)
    try:
        for epoch in range(epochs):
            model.train()
            order = torch.randperm(len(X_train), generator=generator)
            for i in range(0, len(X_train), batch_size):
                idx = order[i:i + batch_size]
                batch = X_train[idx].to(dtype)
                if augment:
                    batch = augment_batch(batch, generator, augment_shift)
                loss = F.cross_entropy(model(batch), y_train[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                history["loss"].append(loss.item())
                bar.update(1)
                if len(history["loss"]) % 10 == 0:
                    bar.set_postfix(epoch=f"{epoch + 1}/{epochs}", loss=f"{loss.item():.3f}")
            history["train_acc"].append(accuracy(model, X_train[sample], y_train[sample]))
            history["val_acc"].append(accuracy(model, X_val, y_val))
            bar.set_postfix(epoch=f"{epoch + 1}/{epochs}", loss=f"{history['loss'][-1]:.3f}",
                            val_acc=f"{history['val_acc'][-1]:.3f}")
            for group in opt.param_groups:
                group["lr"] *= lr_decay
    finally:
        bar.close()
    history["seconds"] = time.perf_counter() - start
    return history
