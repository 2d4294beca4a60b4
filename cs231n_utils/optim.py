# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
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

Assignment 03 uses plain stochastic gradient descent (given). Assignment 05_training adds
momentum, Nesterov momentum, AdaGrad, RMSProp and Adam with the same signature. Their
state (a velocity, a running average of squared gradients, a step count) lives in
``config``. On big parameters every full pass over memory counts, so these rules update
their state arrays and ``w`` itself in place, as PyTorch's optimisers do: ``next_w`` is
``w``, moved. (A rule that returns a new array is just as right; the checks accept both.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["adagrad", "adam", "nesterov_momentum", "rmsprop", "sgd", "sgd_momentum"]

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


def sgd_momentum(
    w: np.ndarray, dw: np.ndarray, config: Config | None = None
) -> tuple[np.ndarray, Config]:
    """Stochastic gradient descent with momentum.

    The parameter moves like a ball rolling down the loss surface with friction: the
    gradient changes its velocity, and the velocity changes its position::

        v = momentum * v - learning_rate * dw
        next_w = w + v

    Parameters
    ----------
    w : numpy.ndarray
        Current parameter.
    dw : numpy.ndarray
        Gradient of the loss with respect to ``w``, same shape.
    config : dict, optional
        ``learning_rate`` (float, default 1e-2); ``momentum`` (float in [0, 1), default
        0.9; 0 is plain SGD); ``velocity`` (array of the shape of ``w``, zeros at first).

    Returns
    -------
    next_w : numpy.ndarray
        The updated parameter (``w`` itself, updated in place).
    config : dict
        ``config`` with the new ``velocity``, for the next step.
    """
    config = _with_defaults(config, learning_rate=1e-2, momentum=0.9)
    _check_same_shape(w, dw)
    v = config.get("velocity")
    if v is None:
        v = np.zeros_like(w)
    # YOUR CODE HERE
    raise NotImplementedError(
        'sgd_momentum is not written yet: fill it in, guided by 05_training, section 9 '
        '"Update rules".'
    )
    config["velocity"] = v
    return next_w, config


def nesterov_momentum(
    w: np.ndarray, dw: np.ndarray, config: Config | None = None
) -> tuple[np.ndarray, Config]:
    """Nesterov's accelerated momentum, in the form that needs only the gradient at ``w``.

    Nesterov evaluates the gradient where momentum is about to carry the parameter (a
    look-ahead). Rewritten in terms of the look-ahead point, the step uses the previous
    and the new velocity::

        v_prev = v
        v = momentum * v - learning_rate * dw
        next_w = w - momentum * v_prev + (1 + momentum) * v

    Parameters
    ----------
    w : numpy.ndarray
        Current parameter.
    dw : numpy.ndarray
        Gradient of the loss with respect to ``w``, same shape.
    config : dict, optional
        ``learning_rate`` (default 1e-2), ``momentum`` (default 0.9), ``velocity``
        (zeros at first).

    Returns
    -------
    next_w : numpy.ndarray
        The updated parameter (``w`` itself, updated in place).
    config : dict
        ``config`` with the new ``velocity``.
    """
    config = _with_defaults(config, learning_rate=1e-2, momentum=0.9)
    _check_same_shape(w, dw)
    v = config.get("velocity")
    if v is None:
        v = np.zeros_like(w)
    # YOUR CODE HERE
    raise NotImplementedError(
        'nesterov_momentum is not written yet: fill it in, guided by 05_training, section 9 '
        '"Update rules".'
    )
    config["velocity"] = v
    return next_w, config


def adagrad(
    w: np.ndarray, dw: np.ndarray, config: Config | None = None
) -> tuple[np.ndarray, Config]:
    """AdaGrad: a learning rate per parameter, shrinking with the squared gradients seen.

    ::

        cache += dw ** 2
        next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    Parameters that got large gradients take smaller steps; the steps of all of them
    shrink over time, which often stops learning too early in deep networks.

    Parameters
    ----------
    w : numpy.ndarray
        Current parameter.
    dw : numpy.ndarray
        Gradient of the loss with respect to ``w``, same shape.
    config : dict, optional
        ``learning_rate`` (default 1e-2), ``epsilon`` (default 1e-8, avoids a division by
        zero), ``cache`` (the sum of squared gradients, zeros at first).

    Returns
    -------
    next_w : numpy.ndarray
        The updated parameter (``w`` itself, updated in place).
    config : dict
        ``config`` with the new ``cache``.
    """
    config = _with_defaults(config, learning_rate=1e-2, epsilon=1e-8)
    _check_same_shape(w, dw)
    cache = config.get("cache")
    if cache is None:
        cache = np.zeros_like(w)
    # YOUR CODE HERE
    raise NotImplementedError(
        'adagrad is not written yet: fill it in, guided by 05_training, section 9 "Update '
        'rules".'
    )
    config["cache"] = cache
    return next_w, config


def rmsprop(
    w: np.ndarray, dw: np.ndarray, config: Config | None = None
) -> tuple[np.ndarray, Config]:
    """RMSProp: AdaGrad with a leaky (moving) average of the squared gradients.

    ::

        cache = decay_rate * cache + (1 - decay_rate) * dw ** 2
        next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    Parameters
    ----------
    w : numpy.ndarray
        Current parameter.
    dw : numpy.ndarray
        Gradient of the loss with respect to ``w``, same shape.
    config : dict, optional
        ``learning_rate`` (default 1e-2), ``decay_rate`` (default 0.99), ``epsilon``
        (default 1e-8), ``cache`` (the moving average, zeros at first).

    Returns
    -------
    next_w : numpy.ndarray
        The updated parameter (``w`` itself, updated in place).
    config : dict
        ``config`` with the new ``cache``.
    """
    config = _with_defaults(config, learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8)
    _check_same_shape(w, dw)
    cache = config.get("cache")
    if cache is None:
        cache = np.zeros_like(w)
    # YOUR CODE HERE
    raise NotImplementedError(
        'rmsprop is not written yet: fill it in, guided by 05_training, section 9 "Update '
        'rules".'
    )
    config["cache"] = cache
    return next_w, config


def adam(
    w: np.ndarray, dw: np.ndarray, config: Config | None = None
) -> tuple[np.ndarray, Config]:
    """Adam: momentum on the gradient and RMSProp on its square, both bias-corrected.

    ::

        t = t + 1
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw ** 2
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    ``m`` and ``v`` start at zero, so in the first steps they are biased towards zero; the
    division by ``1 - beta ** t`` (with ``t`` already incremented, so never 0) removes
    that bias.

    Parameters
    ----------
    w : numpy.ndarray
        Current parameter.
    dw : numpy.ndarray
        Gradient of the loss with respect to ``w``, same shape.
    config : dict, optional
        ``learning_rate`` (default 1e-3), ``beta1`` (default 0.9), ``beta2`` (default
        0.999), ``epsilon`` (default 1e-8), ``m`` and ``v`` (the moving averages, zeros at
        first), ``t`` (the number of steps taken, 0 at first).

    Returns
    -------
    next_w : numpy.ndarray
        The updated parameter (``w`` itself, updated in place).
    config : dict
        ``config`` with the new ``m``, ``v`` and ``t``.
    """
    config = _with_defaults(config, learning_rate=1e-3, beta1=0.9, beta2=0.999,
                            epsilon=1e-8, t=0)
    _check_same_shape(w, dw)
    m, v = config.get("m"), config.get("v")
    if m is None:
        m = np.zeros_like(w)
    if v is None:
        v = np.zeros_like(w)
    t = config["t"]
    # YOUR CODE HERE
    raise NotImplementedError(
        'adam is not written yet: fill it in, guided by 05_training, section 9 "Update '
        'rules".'
    )
    config["m"], config["v"], config["t"] = m, v, t
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
