"""A CaptioningSolver trains a captioning network, with the names and behaviour of CS231n's.

It works with any model that has

* ``model.params``: a dict from parameter name to NumPy array, and
* ``model.loss(features, captions)``: ``(loss, grads)``, ``grads`` with the keys of
  ``model.params`` (:class:`cs231n_utils.classifiers.rnn.CaptioningRNN`),

and a data dict with CS231n's captioning keys (``train_captions``, ``train_image_idxs``,
``train_features``, ...; :func:`cs231n_utils.data.load_scene_captions` makes one from the
generated scenes of 07)::

    data = load_scene_captions(num_train=2000, num_val=200)
    model = CaptioningRNN(data["word_to_idx"], input_dim=data["train_features"].shape[1],
                          cell_type="lstm")
    solver = CaptioningSolver(model, data, update_rule="adam",
                              optim_config={"learning_rate": 5e-3}, lr_decay=0.95,
                              batch_size=50, num_epochs=10, print_every=20, verbose=True)
    solver.train()
    solver.loss_history

Every iteration draws a minibatch with :func:`~cs231n_utils.data.sample_coco_minibatch`
(with replacement, from ``np.random``: ``np.random.seed`` makes a run reproducible) and
updates every parameter with the update rule of :mod:`cs231n_utils.optim`. An epoch is
``max(N_train // batch_size, 1)`` iterations; after each one the learning rate of every
parameter is multiplied by ``lr_decay``. As in CS231n there is no accuracy measured
during training and the final parameters are kept (captioning quality is judged by
sampling, e.g. BLEU with :mod:`cs231n_utils.bleu`).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from cs231n_utils.data.scenes import sample_coco_minibatch
from cs231n_utils.solver import UpdateRule, _resolve_update_rule

__all__ = ["CaptioningSolver"]

DATA_KEYS = ("train_captions", "train_image_idxs", "train_features")


class CaptioningSolver:
    """Train a captioning model with minibatch gradient descent (or another update rule).

    Parameters
    ----------
    model : object
        Has ``params`` (dict of arrays) and ``loss(features, captions)`` returning
        ``(loss, grads)``.
    data : dict
        CS231n's captioning dict: at least ``train_captions`` (N, T), ``train_image_idxs``
        (N,) and ``train_features`` (N_images, D).
    update_rule : str or callable, default "sgd"
        The name of a function of :mod:`cs231n_utils.optim` (``"sgd"``,
        ``"sgd_momentum"``, ``"rmsprop"``, ``"adam"``, ...) or such a function.
    optim_config : dict, optional
        Hyper-parameters of the update rule, e.g. ``{"learning_rate": 5e-3}``; each
        parameter gets its own copy.
    lr_decay : float, default 1.0
        After every epoch the learning rate is multiplied by this (> 0).
    batch_size : int, default 100
        Captions per minibatch.
    num_epochs : int, default 10
        Epochs to train.
    print_every : int, default 10
        With ``verbose``, print the loss every this many iterations.
    verbose : bool, default True
        Print the loss.

    Attributes
    ----------
    loss_history : list of float
        The minibatch loss of every iteration.
    epoch : int
        Epochs completed.
    optim_configs : dict of str to dict
        The update rule's config (state) of each parameter.

    Raises
    ------
    ValueError
        If ``data`` lacks a key, a number is out of range or ``update_rule`` is unknown
        (the message names the argument and what it accepts).
    TypeError
        If ``model`` has no ``params`` or ``loss``.
    """

    def __init__(
        self,
        model: Any,
        data: dict[str, Any],
        update_rule: str | UpdateRule = "sgd",
        optim_config: dict[str, Any] | None = None,
        lr_decay: float = 1.0,
        batch_size: int = 100,
        num_epochs: int = 10,
        print_every: int = 10,
        verbose: bool = True,
    ) -> None:
        missing = [key for key in DATA_KEYS if key not in data]
        if missing:
            raise ValueError(f"data must hold the keys {DATA_KEYS}; missing {missing} "
                             f"(cs231n_utils.data.load_scene_captions makes such a dict)")
        if len(data["train_captions"]) != len(data["train_image_idxs"]) \
                or len(data["train_captions"]) == 0:
            raise ValueError(f"data['train_captions'] and data['train_image_idxs'] must hold "
                             f"the same, non-zero number of rows; got "
                             f"{len(data['train_captions'])} and {len(data['train_image_idxs'])}")
        for name, value in (("batch_size", batch_size), ("num_epochs", num_epochs),
                            ("print_every", print_every)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(lr_decay, bool) or not isinstance(lr_decay, int | float) \
                or not lr_decay > 0:
            raise ValueError(f"lr_decay must be a number > 0, got {lr_decay!r}")
        if not hasattr(model, "params") or not callable(getattr(model, "loss", None)):
            raise TypeError("model must have a dict `params` and a method "
                            "`loss(features, captions)`")
        self.model = model
        self.data = data
        self.update_rule = _resolve_update_rule(update_rule)
        self.optim_config = dict(optim_config or {})
        self.lr_decay = float(lr_decay)
        self.batch_size = int(batch_size)
        self.num_epochs = int(num_epochs)
        self.print_every = int(print_every)
        self.verbose = verbose
        self._reset()

    def _reset(self) -> None:
        """Start from scratch: no history, a fresh optimiser state per parameter."""
        self.epoch = 0
        self.loss_history: list[float] = []
        self.optim_configs = {name: copy.deepcopy(self.optim_config)
                              for name in self.model.params}

    def _step(self) -> None:
        """One iteration: a random minibatch, its loss and gradients, one update each."""
        captions, features, _ = sample_coco_minibatch(self.data, batch_size=self.batch_size,
                                                      split="train")
        loss, grads = self.model.loss(features, captions)
        self.loss_history.append(float(loss))
        for name, w in self.model.params.items():
            next_w, config = self.update_rule(w, grads[name], self.optim_configs[name])
            self.model.params[name] = next_w
            self.optim_configs[name] = config

    def train(self) -> None:
        """Run ``num_epochs`` epochs of minibatch updates (the model is updated in place)."""
        num_train = len(self.data["train_captions"])
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        for t in range(num_iterations):
            self._step()
            if self.verbose and t % self.print_every == 0:
                print(f"(Iteration {t + 1} / {num_iterations}) loss: {self.loss_history[-1]:f}")
            if (t + 1) % iterations_per_epoch == 0:
                self.epoch += 1
                for config in self.optim_configs.values():
                    if "learning_rate" in config:
                        config["learning_rate"] *= self.lr_decay
