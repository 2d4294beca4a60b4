"""A Solver trains a classification model with minibatch gradient descent.

It works with any model that has

* ``model.params``: a dict from parameter name to NumPy array, and
* ``model.loss(X, y=None)``: the scores ``(N, C)`` without ``y``, and ``(loss, grads)``
  with ``y``, ``grads`` having the keys of ``model.params``.

Training draws random minibatches, updates every parameter with an update rule from
:mod:`cs231n_utils.optim`, and once per epoch measures the accuracy on (a sample of) the
training data and on the validation data. It keeps the parameters that reached the best
validation accuracy and puts them back into the model when training ends.

The names and behaviour are CS231n's, so code written for its ``Solver`` runs unchanged::

    data = {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}
    model = TwoLayerNet(input_dim=784, hidden_dim=100, reg=0.1)
    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, batch_size=200, num_epochs=10, print_every=100)
    solver.train()
    solver.loss_history, solver.train_acc_history, solver.val_acc_history

Two additions: a progress bar (``progress=False`` turns it off) and ``seed`` for
reproducible minibatches (by default they come from ``np.random``, so ``np.random.seed``
works as in CS231n).
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from cs231n_utils import optim

__all__ = ["Solver"]

DATA_KEYS = ("X_train", "y_train", "X_val", "y_val")
UpdateRule = Callable[[np.ndarray, np.ndarray, dict | None], tuple[np.ndarray, dict]]


class Solver:
    """Train a model with minibatch stochastic gradient descent (or another update rule).

    Parameters
    ----------
    model : object
        Has ``params`` (dict of arrays) and ``loss(X, y=None)`` (see the module docstring).
    data : dict
        ``X_train`` (N_train, ...), ``y_train`` (N_train,), ``X_val`` (N_val, ...),
        ``y_val`` (N_val,).
    update_rule : str or callable, default "sgd"
        The name of a function in :mod:`cs231n_utils.optim`, or such a function itself.
    optim_config : dict, optional
        Hyper-parameters of the update rule, e.g. ``{"learning_rate": 1e-3}``. Every
        parameter gets its own copy (rules such as Adam keep per-parameter state there).
    lr_decay : float, default 1.0
        After every epoch the learning rate is multiplied by this.
    batch_size : int, default 100
        Examples per minibatch (drawn at random, with replacement, as in CS231n).
    num_epochs : int, default 10
        Epochs to train; an epoch is ``max(N_train // batch_size, 1)`` iterations.
    num_train_samples : int or None, default 1000
        Training examples used to measure the training accuracy each epoch (None: all).
    num_val_samples : int or None, default None
        Validation examples used to measure the validation accuracy (None: all).
    checkpoint_name : str, optional
        If given, the model and the histories are pickled to
        ``"<checkpoint_name>_epoch_<n>.pkl"`` after every epoch.
    print_every : int, default 10
        With ``verbose``, print the training loss every this many iterations.
    verbose : bool, default True
        Print the loss and, every epoch, the accuracies.
    progress : bool, default True
        Show a progress bar (tqdm) with the latest loss and validation accuracy.
    seed : int, optional
        Seed for drawing minibatches and accuracy samples; default: ``np.random``.

    Attributes
    ----------
    loss_history : list of float
        The minibatch loss of every iteration.
    train_acc_history, val_acc_history : list of float
        Accuracies after the first iteration and after every epoch.
    best_val_acc : float
        The best validation accuracy seen.
    best_params : dict of str to numpy.ndarray
        Copies of the parameters that reached it (put back into the model by ``train``).
    epoch : int
        Epochs completed.
    optim_configs : dict of str to dict
        The update rule's config of each parameter.
    """

    def __init__(
        self,
        model: Any,
        data: dict[str, np.ndarray],
        update_rule: str | UpdateRule = "sgd",
        optim_config: dict[str, Any] | None = None,
        lr_decay: float = 1.0,
        batch_size: int = 100,
        num_epochs: int = 10,
        num_train_samples: int | None = 1000,
        num_val_samples: int | None = None,
        checkpoint_name: str | None = None,
        print_every: int = 10,
        verbose: bool = True,
        *,
        progress: bool = True,
        seed: int | None = None,
    ) -> None:
        missing = [key for key in DATA_KEYS if key not in data]
        if missing:
            raise ValueError(f"data must hold the keys {DATA_KEYS}; missing {missing}")
        for split in ("train", "val"):
            X, y = data[f"X_{split}"], data[f"y_{split}"]
            if len(X) != len(y) or len(X) == 0:
                raise ValueError(f"data['X_{split}'] and data['y_{split}'] must hold the same, "
                                 f"non-zero number of examples; got {len(X)} and {len(y)}")
        for name, value in (("batch_size", batch_size), ("num_epochs", num_epochs),
                            ("print_every", print_every)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not hasattr(model, "params") or not callable(getattr(model, "loss", None)):
            raise TypeError("model must have a dict `params` and a method `loss(X, y=None)`")

        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        self.update_rule = _resolve_update_rule(update_rule)
        self.optim_config = dict(optim_config or {})
        self.lr_decay = lr_decay
        self.batch_size = int(batch_size)
        self.num_epochs = int(num_epochs)
        self.num_train_samples = num_train_samples
        self.num_val_samples = num_val_samples
        self.checkpoint_name = checkpoint_name
        self.print_every = int(print_every)
        self.verbose = verbose
        self.progress = progress
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self._reset()

    def _reset(self) -> None:
        """Start from scratch: empty histories and a fresh optimiser state per parameter."""
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params: dict[str, np.ndarray] = {}
        self.loss_history: list[float] = []
        self.train_acc_history: list[float] = []
        self.val_acc_history: list[float] = []
        self.optim_configs = {name: copy.deepcopy(self.optim_config)
                              for name in self.model.params}

    def _choice(self, n: int, size: int) -> np.ndarray:
        """``size`` random indices below ``n``, with replacement."""
        if self._rng is None:
            return np.random.choice(n, size)
        return self._rng.choice(n, size)

    def _step(self) -> None:
        """One iteration: a random minibatch, its loss and gradients, one update each."""
        batch = self._choice(len(self.X_train), self.batch_size)
        loss, grads = self.model.loss(self.X_train[batch], self.y_train[batch])
        self.loss_history.append(float(loss))
        for name, w in self.model.params.items():
            next_w, config = self.update_rule(w, grads[name], self.optim_configs[name])
            self.model.params[name] = next_w
            self.optim_configs[name] = config

    def _save_checkpoint(self) -> None:
        if self.checkpoint_name is None:
            return
        checkpoint = {
            "model": self.model,
            "update_rule": getattr(self.update_rule, "__name__", repr(self.update_rule)),
            "lr_decay": self.lr_decay,
            "optim_config": self.optim_config,
            "batch_size": self.batch_size,
            "num_train_samples": self.num_train_samples,
            "num_val_samples": self.num_val_samples,
            "epoch": self.epoch,
            "loss_history": self.loss_history,
            "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history,
        }
        with open(f"{self.checkpoint_name}_epoch_{self.epoch}.pkl", "wb") as f:
            pickle.dump(checkpoint, f)

    def check_accuracy(
        self, X: np.ndarray, y: np.ndarray, num_samples: int | None = None, batch_size: int = 100
    ) -> float:
        """The fraction of examples the model classifies correctly.

        Parameters
        ----------
        X : numpy.ndarray, shape (N, ...)
            Inputs.
        y : numpy.ndarray of int, shape (N,)
            Labels.
        num_samples : int, optional
            Use only this many examples, drawn at random (None or >= N: all of them).
        batch_size : int, default 100
            Examples per call of ``model.loss`` (keeps memory small).

        Returns
        -------
        float
            Accuracy between 0 and 1.
        """
        if num_samples is not None and num_samples < len(X):
            pick = self._choice(len(X), num_samples)
            X, y = X[pick], y[pick]
        predictions = [np.argmax(self.model.loss(X[start:start + batch_size]), axis=1)
                       for start in range(0, len(X), batch_size)]
        return float(np.mean(np.concatenate(predictions) == y))

    def train(self) -> None:
        """Run the optimisation, then put the best parameters found into the model."""
        iterations_per_epoch = max(len(self.X_train) // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        say = tqdm.write if self.progress else print
        bar = tqdm(total=num_iterations, disable=not self.progress, unit="it",
                   desc=f"epoch 1/{self.num_epochs}")
        with bar:
            for t in range(num_iterations):
                self._step()
                if self.verbose and t % self.print_every == 0:
                    say(f"(Iteration {t + 1} / {num_iterations}) loss: {self.loss_history[-1]:f}")

                epoch_end = (t + 1) % iterations_per_epoch == 0
                if epoch_end:
                    self.epoch += 1
                    for config in self.optim_configs.values():
                        if "learning_rate" in config:
                            config["learning_rate"] *= self.lr_decay

                if t == 0 or t == num_iterations - 1 or epoch_end:
                    train_acc = self.check_accuracy(self.X_train, self.y_train,
                                                    num_samples=self.num_train_samples)
                    val_acc = self.check_accuracy(self.X_val, self.y_val,
                                                  num_samples=self.num_val_samples)
                    self.train_acc_history.append(train_acc)
                    self.val_acc_history.append(val_acc)
                    self._save_checkpoint()
                    if self.verbose:
                        say(f"(Epoch {self.epoch} / {self.num_epochs}) "
                            f"train acc: {train_acc:f}; val_acc: {val_acc:f}")
                    if val_acc > self.best_val_acc or not self.best_params:
                        self.best_val_acc = val_acc
                        self.best_params = {k: v.copy() for k, v in self.model.params.items()}

                bar.set_description(f"epoch {min(self.epoch + 1, self.num_epochs)}"
                                    f"/{self.num_epochs}", refresh=False)
                bar.set_postfix(loss=f"{self.loss_history[-1]:.3f}",
                                val_acc=f"{self.val_acc_history[-1]:.3f}", refresh=False)
                bar.update()

        self.model.params = self.best_params


def _resolve_update_rule(update_rule: str | UpdateRule) -> UpdateRule:
    """The update function named ``update_rule`` in :mod:`cs231n_utils.optim` (or itself)."""
    if callable(update_rule):
        return update_rule
    known = [name for name in getattr(optim, "__all__", []) if callable(getattr(optim, name))]
    if not isinstance(update_rule, str) or update_rule not in known:
        raise ValueError(f"update_rule must be one of {known} or a function "
                         f"rule(w, dw, config) -> (next_w, config); got {update_rule!r}")
    return getattr(optim, update_rule)
