"""Update rules: how a parameter moves, given its gradient.

Every rule has the same signature, so :class:`cs231n_utils.solver.Solver` can use any of
them by name (``update_rule="sgd"``)::

    next_w, config = rule(w, dw, config=None)

* ``w``: the current parameter (any shape); ``dw``: the gradient of the loss with respect
  to it (same shape);
* ``config``: a dict of the rule's hyper-parameters (``learning_rate``, ...) and of any
  state it keeps between steps (a running average, a step count, ...). ``None`` means
  "the defaults". The rule fills in missing defaults and returns the dict, updated, to be
  passed to the next call for the same parameter: one dict per parameter.

Assignment 03 uses plain stochastic gradient descent; assignment 05 adds momentum,
RMSProp and Adam with the same signature.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["sgd"]

Config = dict[str, Any]


def sgd(w: np.ndarray, dw: np.ndarray, config: Config | None = None) -> tuple[np.ndarray, Config]:
    """Vanilla stochastic gradient descent: ``next_w = w - learning_rate * dw``.

    Parameters
    ----------
    w : numpy.ndarray
        Current parameter.
    dw : numpy.ndarray
        Gradient of the loss with respect to ``w``, same shape.
    config : dict, optional
        ``learning_rate`` (float, default 1e-2).

    Returns
    -------
    next_w : numpy.ndarray
        The updated parameter (a new array; ``w`` is left unchanged).
    config : dict
        ``config`` with defaults filled in, for the next step.

    Raises
    ------
    ValueError
        If ``dw`` does not have the shape of ``w``.
    """
    config = _with_defaults(config, learning_rate=1e-2)
    _check_same_shape(w, dw)
    next_w = w - config["learning_rate"] * dw
    return next_w, config


def _with_defaults(config: Config | None, **defaults: Any) -> Config:
    """``config`` (a new dict when None) with every missing key set to its default."""
    if config is None:
        config = {}
    elif not isinstance(config, dict):
        raise TypeError(f"config must be a dict or None, got {type(config).__name__}")
    for key, value in defaults.items():
        config.setdefault(key, value)
    return config


def _check_same_shape(w: np.ndarray, dw: np.ndarray) -> None:
    if np.shape(dw) != np.shape(w):
        raise ValueError(f"dw must have the shape of w, {np.shape(w)}; got {np.shape(dw)}")
