"""Small tools for the experiments of assignment 05 (training neural networks); not graded.

- :func:`init_weights`: a weight matrix drawn by one of the usual schemes (zeros, small,
  large, Xavier, He);
- :func:`dead_unit_fraction`: the share of ReLU units that are silent on a whole batch;
- :func:`quadratic_bowl` and :func:`optimization_path`: a 2-D loss surface and the path an
  update rule of :mod:`cs231n_utils.optim` takes on it;
- learning-rate schedules :func:`step_decay`, :func:`exponential_decay`,
  :func:`inverse_time_decay` and :func:`cosine_decay`;
- :func:`clip_by_global_norm`: gradient clipping by the norm of all gradients together;
- :func:`train_loop`: a minimal training loop with what the Solver lacks: a learning rate
  per iteration, gradient clipping and a monitor called during training;
- :func:`accuracy`: a model's accuracy, computed in batches.

Every update rule has the signature of :mod:`cs231n_utils.optim`:
``next_w, config = rule(w, dw, config)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "INIT_SCHEMES",
    "TrainingHistory",
    "accuracy",
    "clip_by_global_norm",
    "cosine_decay",
    "dead_unit_fraction",
    "exponential_decay",
    "init_weights",
    "inverse_time_decay",
    "optimization_path",
    "quadratic_bowl",
    "step_decay",
    "train_loop",
]

UpdateRule = Callable[[np.ndarray, np.ndarray, dict | None], tuple[np.ndarray, dict]]

#: The weight scales of :func:`init_weights`, as functions of the fan-in ``n``.
INIT_SCHEMES: dict[str, Callable[[int], float]] = {
    "zeros": lambda n: 0.0,
    "small": lambda n: 0.01,
    "large": lambda n: 1.0,
    "xavier": lambda n: 1.0 / math.sqrt(n),
    "he": lambda n: math.sqrt(2.0 / n),
}


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _positive_number(name: str, value: object, *, allow_zero: bool = False) -> float:
    ok = isinstance(value, int | float | np.floating | np.integer) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} number, got {value!r}")
    return float(value)


def init_weights(
    fan_in: int,
    fan_out: int,
    scheme: str,
    rng: np.random.Generator | None = None,
    dtype: type = np.float64,
) -> np.ndarray:
    """A weight matrix ``scale * randn(fan_in, fan_out)`` for one initialisation scheme.

    Parameters
    ----------
    fan_in, fan_out : int
        Inputs and outputs of the layer.
    scheme : {"zeros", "small", "large", "xavier", "he"}
        ``scale`` is 0, 0.01, 1, ``1 / sqrt(fan_in)`` or ``sqrt(2 / fan_in)``.
    rng : numpy.random.Generator, optional
        Source of the random numbers (default: a new unseeded generator).
    dtype : numpy dtype, default float64
        Type of the result.

    Returns
    -------
    numpy.ndarray, shape (fan_in, fan_out)

    Raises
    ------
    ValueError
        If ``scheme`` is unknown or a size is not a positive integer.
    """
    fan_in = _positive_int("fan_in", fan_in)
    fan_out = _positive_int("fan_out", fan_out)
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"scheme must be one of {sorted(INIT_SCHEMES)}, got {scheme!r}")
    rng = np.random.default_rng() if rng is None else rng
    scale = INIT_SCHEMES[scheme](fan_in)
    return (scale * rng.standard_normal((fan_in, fan_out))).astype(dtype)


def dead_unit_fraction(pre_activations: np.ndarray) -> float:
    """The fraction of units whose input is <= 0 for every example of a batch.

    A ReLU unit in that state outputs 0 and passes no gradient for any of those examples.

    Parameters
    ----------
    pre_activations : numpy.ndarray, shape (N, H)
        The inputs of H units (or their ReLU outputs, which are 0 exactly where the
        inputs are <= 0) for a batch of N examples.

    Returns
    -------
    float
        Between 0 and 1.

    Raises
    ------
    ValueError
        If ``pre_activations`` is not a non-empty 2-D array.
    """
    a = np.asarray(pre_activations)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"pre_activations must be a non-empty (N, H) array, got shape {a.shape}")
    return float(np.mean(np.all(a <= 0, axis=0)))


def quadratic_bowl(
    curvatures: tuple[float, float] | np.ndarray, angle: float = 0.0
) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """The loss ``0.5 * w^T A w`` of a bowl with the given curvatures, and its gradient.

    ``A = R diag(curvatures) R^T`` with ``R`` the rotation by ``angle``; with
    ``angle = 0`` each curvature belongs to one coordinate axis. Very different
    curvatures make an ill-conditioned, narrow valley.

    Parameters
    ----------
    curvatures : sequence of 2 positive floats
        The eigenvalues of ``A``.
    angle : float, default 0.0
        Rotation of the bowl's axes, in radians.

    Returns
    -------
    callable
        ``f(w) -> (loss, grad)`` for ``w`` of shape (2,).

    Raises
    ------
    ValueError
        If ``curvatures`` are not two positive numbers.
    """
    c = np.asarray(curvatures, dtype=np.float64)
    if c.shape != (2,) or not np.all(np.isfinite(c)) or np.any(c <= 0):
        raise ValueError(f"curvatures must be two positive numbers, got {curvatures!r}")
    rotation = np.array([[math.cos(angle), -math.sin(angle)],
                         [math.sin(angle), math.cos(angle)]])
    A = rotation @ np.diag(c) @ rotation.T

    def loss_and_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
        w = np.asarray(w, dtype=np.float64)
        grad = A @ w
        return 0.5 * float(w @ grad), grad

    return loss_and_grad


def optimization_path(
    update_rule: UpdateRule,
    loss_and_grad: Callable[[np.ndarray], tuple[float, np.ndarray]],
    w0: np.ndarray,
    num_steps: int,
    config: dict[str, Any] | None = None,
) -> np.ndarray:
    """The points an update rule visits when it minimises ``loss_and_grad`` from ``w0``.

    Parameters
    ----------
    update_rule : callable
        ``next_w, config = update_rule(w, dw, config)``, e.g. ``optim.adam``.
    loss_and_grad : callable
        ``f(w) -> (loss, grad)``, e.g. from :func:`quadratic_bowl`.
    w0 : numpy.ndarray
        Starting point.
    num_steps : int
        Updates to make.
    config : dict, optional
        The rule's hyper-parameters; copied, so the caller's dict is not changed.

    Returns
    -------
    numpy.ndarray, shape (num_steps + 1, *w0.shape)
        ``w0`` followed by the point after each update.
    """
    num_steps = _positive_int("num_steps", num_steps)
    w = np.array(w0, dtype=np.float64)
    config = dict(config or {})
    path = [w.copy()]
    for _ in range(num_steps):
        _, grad = loss_and_grad(w)
        w, config = update_rule(w, grad, config)
        path.append(np.array(w, dtype=np.float64))
    return np.stack(path)


def step_decay(base_lr: float, epoch: int, drop: float = 0.5, every: int = 1) -> float:
    """``base_lr * drop ** (epoch // every)``: the rate falls by ``drop`` every ``every`` epochs.

    With ``every=1`` this is the Solver's ``lr_decay``. Like the other schedules here,
    ``epoch`` (or ``step``) counts from 0.
    """
    _positive_number("base_lr", base_lr)
    _positive_number("drop", drop)
    every = _positive_int("every", every)
    return base_lr * drop ** (int(epoch) // every)


def exponential_decay(base_lr: float, step: int, gamma: float) -> float:
    """``base_lr * gamma ** step``."""
    _positive_number("base_lr", base_lr)
    _positive_number("gamma", gamma)
    return base_lr * gamma ** int(step)


def inverse_time_decay(base_lr: float, step: int, k: float) -> float:
    """``base_lr / (1 + k * step)``: the 1/t schedule."""
    _positive_number("base_lr", base_lr)
    _positive_number("k", k, allow_zero=True)
    return base_lr / (1.0 + k * int(step))


def cosine_decay(base_lr: float, step: int, total_steps: int, min_lr: float = 0.0) -> float:
    """Half a cosine from ``base_lr`` at step 0 down to ``min_lr`` at ``total_steps``.

    ``min_lr + (base_lr - min_lr) * (1 + cos(pi * step / total_steps)) / 2``; steps past
    ``total_steps`` stay at ``min_lr``.
    """
    _positive_number("base_lr", base_lr)
    _positive_number("min_lr", min_lr, allow_zero=True)
    total_steps = _positive_int("total_steps", total_steps)
    progress = min(int(step), total_steps) / total_steps
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))


def clip_by_global_norm(
    grads: Mapping[str, np.ndarray], max_norm: float
) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients together so that their joint L2 norm is at most ``max_norm``.

    The norm is taken over every entry of every gradient, as if they were one long
    vector; when it exceeds ``max_norm`` every gradient is multiplied by
    ``max_norm / (norm + 1e-6)``, so the direction of the step does not change, only its
    length.

    Parameters
    ----------
    grads : dict of str to numpy.ndarray
        Gradients by parameter name.
    max_norm : float
        The largest allowed norm (positive).

    Returns
    -------
    clipped : dict of str to numpy.ndarray
        New arrays (the inputs are not changed).
    norm : float
        The joint norm before clipping.
    """
    max_norm = _positive_number("max_norm", max_norm)
    norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values()))
    scale = max_norm / (norm + 1e-6) if norm > max_norm else 1.0
    clipped = {name: (g * scale).astype(g.dtype, copy=False) for name, g in grads.items()}
    return clipped, norm


def accuracy(model: Any, X: np.ndarray, y: np.ndarray, batch_size: int = 500) -> float:
    """The fraction of ``X`` that ``model.loss(X)`` (the scores) classifies as ``y``."""
    batch_size = _positive_int("batch_size", batch_size)
    predictions = [np.argmax(model.loss(X[i:i + batch_size]), axis=1)
                   for i in range(0, len(X), batch_size)]
    return float(np.mean(np.concatenate(predictions) == y))


@dataclass
class TrainingHistory:
    """What :func:`train_loop` records.

    Attributes
    ----------
    loss, learning_rate, grad_norm : list of float
        Per iteration: the minibatch loss, the learning rate used, and the joint norm of
        the gradients before any clipping.
    monitor : list
        The monitor's value (whatever it returns, e.g. a float or a list of floats)
        before the first iteration and every ``monitor_every`` iterations.
    monitor_steps : list of int
        The iterations at which ``monitor`` was recorded.
    train_acc, val_acc : list of float
        Accuracies every ``eval_every`` iterations and at the end.
    eval_steps : list of int
        The iterations at which the accuracies were measured.
    diverged : bool
        True if the loss became NaN or infinite (training then stops early).
    """

    loss: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    monitor: list[Any] = field(default_factory=list)
    monitor_steps: list[int] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    diverged: bool = False


def train_loop(
    model: Any,
    data: Mapping[str, np.ndarray],
    update_rule: UpdateRule,
    num_iterations: int,
    *,
    optim_config: dict[str, Any] | None = None,
    batch_size: int = 100,
    lr_schedule: Callable[[int], float] | None = None,
    clip_norm: float | None = None,
    monitor: Callable[[Any], float] | None = None,
    monitor_every: int = 10,
    eval_every: int | None = None,
    eval_samples: int = 1000,
    seed: int = 0,
) -> TrainingHistory:
    """Train ``model`` with minibatches, a per-iteration learning rate and optional clipping.

    Each iteration draws ``batch_size`` random training examples (with replacement),
    calls ``model.loss(X_batch, y_batch)``, optionally clips the gradients by their global
    norm, sets every parameter's ``learning_rate`` to ``lr_schedule(iteration)`` (when
    given) and applies ``update_rule`` to each parameter. Unlike the Solver, the model's
    parameters are left as they are at the end (no "best epoch" is put back).

    Parameters
    ----------
    model : object
        With ``params`` (dict of arrays) and ``loss(X, y=None)``, as for the Solver.
    data : dict
        ``X_train``, ``y_train`` and, for ``eval_every``, ``X_val``, ``y_val``.
    update_rule : callable
        ``next_w, config = update_rule(w, dw, config)``, e.g. ``optim.sgd_momentum``.
    num_iterations : int
        Updates to make.
    optim_config : dict, optional
        Hyper-parameters of the rule; every parameter gets its own copy.
    batch_size : int, default 100
        Examples per minibatch.
    lr_schedule : callable, optional
        ``lr_schedule(iteration) -> learning rate``, iteration counted from 0.
    clip_norm : float, optional
        Clip the gradients to this global norm (:func:`clip_by_global_norm`).
    monitor : callable, optional
        ``monitor(model)``, returning e.g. a float or a list of floats, recorded before
        training and every ``monitor_every`` iterations.
    monitor_every : int, default 10
        See ``monitor``.
    eval_every : int, optional
        Measure training and validation accuracy every this many iterations and at the
        end (on at most ``eval_samples`` examples of each).
    eval_samples : int, default 1000
        See ``eval_every``.
    seed : int, default 0
        Seed of the minibatch draws.

    Returns
    -------
    TrainingHistory
    """
    num_iterations = _positive_int("num_iterations", num_iterations)
    batch_size = _positive_int("batch_size", batch_size)
    monitor_every = _positive_int("monitor_every", monitor_every)
    if eval_every is not None:
        eval_every = _positive_int("eval_every", eval_every)
    if clip_norm is not None:
        _positive_number("clip_norm", clip_norm)
    X, y = data["X_train"], data["y_train"]
    rng = np.random.default_rng(seed)
    configs = {name: dict(optim_config or {}) for name in model.params}
    history = TrainingHistory()

    def evaluate(step: int) -> None:
        history.eval_steps.append(step)
        history.train_acc.append(accuracy(model, X[:eval_samples], y[:eval_samples]))
        history.val_acc.append(accuracy(model, data["X_val"][:eval_samples],
                                        data["y_val"][:eval_samples]))

    if monitor is not None:
        history.monitor_steps.append(0)
        history.monitor.append(monitor(model))
    for it in range(num_iterations):
        batch = rng.integers(0, len(X), size=batch_size)
        loss, grads = model.loss(X[batch], y[batch])
        if not np.isfinite(loss):
            history.diverged = True
            history.loss.append(float("nan"))
            break
        if clip_norm is not None:
            grads, norm = clip_by_global_norm(grads, clip_norm)
        else:
            norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64)))
                                 for g in grads.values()))
        history.loss.append(float(loss))
        history.grad_norm.append(norm)
        if lr_schedule is not None:
            for config in configs.values():
                config["learning_rate"] = lr_schedule(it)
        history.learning_rate.append(
            float(next(iter(configs.values())).get("learning_rate", float("nan"))))
        for name, w in model.params.items():
            model.params[name], configs[name] = update_rule(w, grads[name], configs[name])
        # the rule fills in its default learning rate on the first call
        if np.isnan(history.learning_rate[-1]):
            history.learning_rate[-1] = float(next(iter(configs.values()))["learning_rate"])
        if monitor is not None and (it + 1) % monitor_every == 0:
            history.monitor_steps.append(it + 1)
            history.monitor.append(monitor(model))
        if eval_every is not None and ((it + 1) % eval_every == 0 or it + 1 == num_iterations):
            evaluate(it + 1)
    return history
