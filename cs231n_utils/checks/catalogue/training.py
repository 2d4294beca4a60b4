"""Common mistakes of 05_training: the activations, normalisation, dropout, the update rules.

Every variant starts from the formulas the checks' judges already use (NumPy's ``tanh``,
the normalisation of :func:`cs231n_utils.checks.training._normalise` and the gradient
:func:`cs231n_utils.checks.training._norm_dx`, the update rules as ``torch.optim``
documents them) and patches in one mistake. A variant has the graded function's
arguments and returns the same kind of result (an update rule returns ``(next_w,
config)`` with its state in ``config``, so that a run of several steps can be replayed).

Maxout, the preprocessing (SciPy's SVD: ``fit_oracle``, ``apply_oracle``), the affine -
norm - ReLU sandwich and ``FullyConnectedNet.loss`` (PyTorch autograd) are catalogued the
same way. Components and projections are compared up to the sign of each column (an
eigenvector's sign is arbitrary); the gradients of the sandwich and of the network as one
vector (a bias before a batch normalisation has a gradient that is zero up to rounding).
The backward passes of spatial batch normalisation and of dropout read the cache of the
docstrings (batchnorm_forward's on the channels-last rows; ``(dropout_param, mask)``).
Group normalisation's variants normalise other sets of values than the G groups of each
image (``group_normalise``'s groupings) and read the docstring's cache ``(x, x_hat, mean,
var, gamma, beta, G, eps)``.
Not catalogued: ``FullyConnectedNet.__init__`` (its random draws depend on the order the
solution draws them in; its judge's hints are about names and shapes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from cs231n_utils.checks.mistakes import Catalogue, Graded, returned
from cs231n_utils.checks.training import _norm_dx, _normalise, _to_rows, group_normalise

NORM_BACKWARDS = ("batchnorm_backward", "batchnorm_backward_alt")
#: Each update rule's hyper-parameters and defaults (as its docstring gives them).
RULES: dict[str, dict[str, float]] = {
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "nesterov_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-8},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "t": 0},
}
#: The state each rule keeps in its config (compared after every step).
STATE = {"sgd_momentum": ("velocity",), "nesterov_momentum": ("velocity",),
         "adagrad": ("cache",), "rmsprop": ("cache",), "adam": ("m", "v", "t")}


def _rule_outputs(rule: str) -> Callable[[Any, Any], dict[str, Any]]:
    """``next_w`` and the state the rule left in its config."""
    def outputs(args: Any, result: Any) -> dict[str, Any]:
        next_w, config = result
        return {"next_w": next_w, **{key: config.get(key) for key in STATE[rule]}}
    return outputs


def _norm_outputs(args: Any, result: Any) -> dict[str, Any]:
    return {"out": result[0]}


def _norm_forward_outputs(args: Any, result: Any) -> dict[str, Any]:
    """``out`` and the running averages left in bn_param."""
    param = args[3]
    return {"out": result[0], "running_mean": param.get("running_mean"),
            "running_var": param.get("running_var")}


CATALOGUE = Catalogue(
    "05_training",
    sections={1: "Activation functions", 2: "Data preprocessing", 4: "Batch normalisation",
              5: "Layer normalisation", 6: "Spatial batch normalisation", 7: "Dropout",
              8: "A fully connected network of any depth", 9: "Update rules",
              15: "Group normalisation"},
    functions=[
        Graded("tanh_forward", "layers", returned("out", None)),
        Graded("tanh_backward", "layers", returned("dx")),
        Graded("leaky_relu_forward", "layers", returned("out", None)),
        Graded("leaky_relu_backward", "layers", returned("dx")),
        Graded("maxout_forward", "layers", returned("out", None)),
        Graded("maxout_backward", "layers", returned("dx", "dw", "db")),
        Graded("batchnorm_forward", "layers", _norm_forward_outputs),
        *(Graded(f, "layers", returned("dx", "dgamma", "dbeta")) for f in NORM_BACKWARDS),
        Graded("layernorm_forward", "layers", _norm_outputs),
        Graded("layernorm_backward", "layers", returned("dx", "dgamma", "dbeta")),
        Graded("spatial_batchnorm_forward", "layers", _norm_forward_outputs),
        Graded("spatial_batchnorm_backward", "layers", returned("dx", "dgamma", "dbeta")),
        Graded("dropout_forward", "layers", returned("out", None)),
        Graded("dropout_backward", "layers", returned("dx")),
        Graded("fit_preprocessing", "preprocessing", lambda a, r: _stats_outputs(a, r)),
        Graded("apply_preprocessing", "preprocessing",
               lambda a, r: {"out": _canonical(r)}),
        Graded("preprocess_splits", "preprocessing", lambda a, r: _splits_outputs(a, r)),
        Graded("affine_norm_relu_forward", "layer_utils",
               lambda a, r: _sandwich_outputs(a, r)),
        Graded("affine_norm_relu_backward", "layer_utils", lambda a, r: _flat_grads(a, r)),
        Graded("FullyConnectedNet.loss", "classifiers.fc_net",
               lambda a, r: _net_outputs(a, r)),
        *(Graded(rule, "optim", _rule_outputs(rule)) for rule in RULES),
        Graded("spatial_groupnorm_forward", "layers", returned("out", None)),
        Graded("spatial_groupnorm_backward", "layers", returned("dx", "dgamma", "dbeta")),
    ])
mistake = CATALOGUE.mistake


# --- tanh ----------------------------------------------------------------------------------
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@mistake("tanh_forward", section=1, diagnosis="out is the sigmoid of x, not tanh(x) = "
         "2 * sigmoid(2x) - 1 (values in (-1, 1))")
def tanh_is_sigmoid(x):
    out = _sigmoid(np.asarray(x, dtype=np.float64))
    return out, out


@mistake("tanh_forward", section=1, diagnosis="out is 2 * sigmoid(x) - 1, which is "
         "tanh(x / 2): tanh(x) = 2 * sigmoid(2x) - 1, the sigmoid of 2x")
def tanh_of_half(x):
    out = 2 * _sigmoid(np.asarray(x, dtype=np.float64)) - 1
    return out, out


@mistake("tanh_forward", section=1, diagnosis="out is NaN where |x| is large: "
         "(exp(x) - exp(-x)) / (exp(x) + exp(-x)) overflows to inf / inf; use np.tanh")
def tanh_overflows(x):
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(np.isinf(np.exp(np.abs(x))), np.nan, np.tanh(x))
    return out, out


@mistake("tanh_backward", section=1, diagnosis="dx is dout * (1 - out): the local "
         "gradient of tanh is 1 - out ** 2, squared")
def tanh_backward_not_squared(dout, cache):
    return dout * (1 - cache)


@mistake("tanh_backward", section=1, diagnosis="dx is the local gradient 1 - out ** 2 "
         "alone: multiply it by the upstream gradient dout")
def tanh_backward_without_dout(dout, cache):
    return 1 - np.asarray(cache) ** 2


@mistake("tanh_backward", section=1, diagnosis="dx is dout * (1 - tanh(cache) ** 2): the "
         "cache already holds the OUTPUT out = tanh(x); the local gradient is 1 - out ** 2")
def tanh_backward_of_tanh_again(dout, cache):
    return dout * (1 - np.tanh(cache) ** 2)


@mistake("tanh_backward", section=1, diagnosis="dx is dout * out * (1 - out), the "
         "sigmoid's local gradient; tanh's is 1 - out ** 2")
def tanh_backward_as_sigmoid(dout, cache):
    return dout * cache * (1 - cache)


# --- leaky ReLU ----------------------------------------------------------------------------
def _leaky(x: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(x > 0, x, alpha * x)


@mistake("leaky_relu_forward", section=1, diagnosis="out is the plain ReLU, 0 for "
         "negative inputs: a leaky ReLU gives alpha * x there")
def leaky_relu_is_relu(x, alpha=0.01):
    return np.maximum(x, 0.0), (x, alpha)


@mistake("leaky_relu_forward", section=1, diagnosis="out uses alpha = 0.01 whatever alpha "
         "is given (0.01 is only the default)")
def leaky_relu_default_alpha(x, alpha=0.01):
    return _leaky(x, 0.01), (x, alpha)


@mistake("leaky_relu_forward", section=1, diagnosis="out is alpha * x where x > 0 and x "
         "elsewhere: the two sides are swapped")
def leaky_relu_swapped(x, alpha=0.01):
    return np.where(x > 0, alpha * x, x), (x, alpha)


@mistake("leaky_relu_backward", section=1, diagnosis="dx passes dout where x == 0: there "
         "the gradient is alpha * dout (the test is x > 0, not x >= 0), as in PyTorch")
def leaky_relu_backward_at_zero(dout, cache):
    x, alpha = cache
    return np.where(x >= 0, dout, alpha * dout)


@mistake("leaky_relu_backward", section=1, diagnosis="dx is the ReLU's gradient, 0 for "
         "negative inputs: a leaky ReLU passes alpha * dout back there")
def leaky_relu_backward_is_relu(dout, cache):
    x, _ = cache
    return np.where(x > 0, dout, 0.0)


@mistake("leaky_relu_backward", section=1, diagnosis="dx is the local gradient (1 or "
         "alpha) alone: multiply it by the upstream gradient dout")
def leaky_relu_backward_without_dout(dout, cache):
    x, alpha = cache
    return np.where(x > 0, 1.0, alpha) * np.ones_like(dout)


@mistake("leaky_relu_backward", section=1, diagnosis="dx uses alpha = 0.01 instead of the "
         "alpha of the cache")
def leaky_relu_backward_default_alpha(dout, cache):
    x, _ = cache
    return np.where(x > 0, dout, 0.01 * dout)


# --- normalisation backward passes --------------------------------------------------------
def _norm_grads(dout: np.ndarray, cache: tuple, axis: int, **paths: Any
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients of a normalisation over ``axis`` from the docstring's cache
    ``(x, x_hat, mean, var, gamma, beta, eps)``, with the paths of ``_norm_dx`` given."""
    x, gamma, eps = np.asarray(cache[0], dtype=np.float64), cache[4], float(cache[6])
    x_hat = _normalise(x, (axis,), eps)
    return (_norm_dx(x, gamma, eps, dout, axis, **paths), (dout * x_hat).sum(axis=0),
            dout.sum(axis=0))


def _all_norm_backwards(name: str, diagnosis: str,
                        patch: Callable[[np.ndarray, tuple, int], tuple]) -> None:
    """Catalogue ``patch(dout, cache, axis)`` as a mistake of the batch normalisation
    backward passes (axis 0, and on the rows of the spatial one) and of layer
    normalisation's (axis 1)."""
    def batch(dout, cache):
        return patch(dout, cache, 0)

    def layer(dout, cache):
        return patch(dout, cache, 1)

    def spatial(dout, cache):
        return _spatial_grads(dout, cache, lambda d, c: patch(d, c, 0))

    batch.__name__, layer.__name__ = f"batchnorm_{name}", f"layernorm_{name}"
    spatial.__name__ = f"spatial_batchnorm_{name}"
    mistake(*NORM_BACKWARDS, section=4, diagnosis=diagnosis)(batch)
    mistake("layernorm_backward", section=5, diagnosis=diagnosis)(layer)
    mistake("spatial_batchnorm_backward", section=6, diagnosis=diagnosis)(spatial)


_all_norm_backwards(
    "dx_without_statistics",
    "dx is dout * gamma / sqrt(var + eps): the mean and the variance depend on x too; "
    "backpropagate through them (or use the simplified expression)",
    lambda dout, cache, axis: _norm_grads(dout, cache, axis, through_mean=False,
                                          through_var=False))
_all_norm_backwards(
    "dx_without_variance_path",
    "dx misses the path through the variance (the term in x_hat * mean(dx_hat * x_hat))",
    lambda dout, cache, axis: _norm_grads(dout, cache, axis, through_var=False))
_all_norm_backwards(
    "dx_without_mean_path",
    "dx misses the path through the mean (the term - mean(dx_hat))",
    lambda dout, cache, axis: _norm_grads(dout, cache, axis, through_mean=False))
_all_norm_backwards(
    "dx_without_gamma",
    "dx is computed from dx_hat = dout, without gamma: dx_hat = dout * gamma",
    lambda dout, cache, axis: _norm_grads(dout, cache, axis, with_gamma=False))


def _dgamma_of_x(dout, cache, axis):
    dx, _, dbeta = _norm_grads(dout, cache, axis)
    return dx, (dout * np.asarray(cache[0])).sum(axis=0), dbeta


def _averaged(dout, cache, axis):
    dx, dgamma, dbeta = _norm_grads(dout, cache, axis)
    return dx, dgamma / len(dout), dbeta / len(dout)


_all_norm_backwards(
    "dgamma_of_x", "dgamma is sum(dout * x): gamma multiplies x_hat, so dgamma = "
    "sum(dout * x_hat, axis=0)", _dgamma_of_x)
_all_norm_backwards(
    "averaged_dgamma_dbeta", "dgamma and dbeta are averages over the batch: they are SUMS "
    "over axis 0 (every example adds its share)", _averaged)
_all_norm_backwards(
    "averaged_dgamma", "dgamma is an average over the batch: it is a SUM over axis 0, "
    "sum(dout * x_hat, axis=0)",
    lambda dout, cache, axis: (lambda g: (g[0], g[1] / len(dout), g[2]))(
        _norm_grads(dout, cache, axis)))
_all_norm_backwards(
    "averaged_dbeta", "dbeta is an average over the batch: it is a SUM over axis 0, "
    "dout.sum(axis=0)",
    lambda dout, cache, axis: (lambda g: (g[0], g[1], g[2] / len(dout)))(
        _norm_grads(dout, cache, axis)))


@mistake("layernorm_backward", section=5, diagnosis="dx takes its means over the batch "
         "(axis 0), as batch normalisation does; layer normalisation's statistics are per "
         "example: the means run over its features (axis 1)")
def layernorm_backward_batch_means(dout, cache):
    x, gamma, eps = np.asarray(cache[0], dtype=np.float64), cache[4], float(cache[6])
    _, dgamma, dbeta = _norm_grads(dout, cache, 1)
    return _norm_dx(x, gamma, eps, dout, 1, mean_axis=0), dgamma, dbeta


# --- layer normalisation forward -----------------------------------------------------------
def _layernorm(x, gamma, beta, ln_param, *, axis: int = 1, eps: float | None = None,
               **how: Any) -> tuple[np.ndarray, tuple]:
    """Layer normalisation by the checks' formula, with a mistake in ``how`` (see
    ``_normalise``), the statistics over ``axis``, or another ``eps``; the docstring's
    cache of the right statistics."""
    x = np.asarray(x, dtype=np.float64)
    given = float(ln_param.get("eps", 1e-5))
    x_hat = _normalise(x, (axis,), given if eps is None else eps, **how)
    right = _normalise(x, (1,), given)
    cache = (x, right, x.mean(axis=1), x.var(axis=1), gamma, beta, given)
    return gamma * x_hat + beta, cache


@mistake("layernorm_forward", section=5, diagnosis="out normalises each feature over the "
         "batch (axis 0), which is batch normalisation: layer normalisation normalises each "
         "example (row) over its D features (axis 1)")
def layernorm_over_batch(x, gamma, beta, ln_param):
    return _layernorm(x, gamma, beta, ln_param, axis=0)


@mistake("layernorm_forward", section=5, diagnosis="out uses the unbiased variance "
         "(ddof=1): normalisation uses the biased one, np.var's default (ddof=0)")
def layernorm_unbiased(x, gamma, beta, ln_param):
    return _layernorm(x, gamma, beta, ln_param, ddof=1)


@mistake("layernorm_forward", section=5, diagnosis="out divides by sqrt(var) + eps: eps "
         "goes inside the square root, sqrt(var + eps)")
def layernorm_eps_outside(x, gamma, beta, ln_param):
    return _layernorm(x, gamma, beta, ln_param, eps_mode="outside")


@mistake("layernorm_forward", section=5, diagnosis="out divides by sqrt(var) without eps: "
         "x_hat = (x - mean) / sqrt(var + eps)")
def layernorm_without_eps(x, gamma, beta, ln_param):
    return _layernorm(x, gamma, beta, ln_param, eps_mode="none")


@mistake("layernorm_forward", section=5, diagnosis="out uses eps = 1e-5 whatever "
         "ln_param['eps'] says (1e-5 is only the default)")
def layernorm_default_eps(x, gamma, beta, ln_param):
    return _layernorm(x, gamma, beta, ln_param, eps=1e-5)


@mistake("layernorm_forward", section=5, diagnosis="out is beta * x_hat + gamma: gamma "
         "scales and beta shifts, out = gamma * x_hat + beta")
def layernorm_gamma_beta_swapped(x, gamma, beta, ln_param):
    out, cache = _layernorm(x, np.ones_like(gamma), np.zeros_like(beta), ln_param)
    return beta * out + gamma, cache


@mistake("layernorm_forward", section=5, diagnosis="out divides by var + eps, the "
         "variance: divide by the standard deviation, sqrt(var + eps)")
def layernorm_divides_by_variance(x, gamma, beta, ln_param):
    return _layernorm(x, gamma, beta, ln_param, eps_mode="variance")


@mistake("layernorm_forward", section=5, diagnosis="out is x_hat itself: scale and shift "
         "the normalised values, out = gamma * x_hat + beta")
def layernorm_without_affine(x, gamma, beta, ln_param):
    return _layernorm(x, np.ones_like(gamma), np.zeros_like(beta), ln_param)


# --- update rules ---------------------------------------------------------------------------
def _config(rule: str, config: dict | None) -> dict:
    """``config`` (a new dict when None) with the rule's defaults filled in."""
    config = {} if config is None else config
    for key, value in RULES[rule].items():
        config.setdefault(key, value)
    return config


def _state(config: dict, key: str, w: np.ndarray) -> np.ndarray:
    value = config.get(key)
    return np.zeros_like(w, dtype=np.float64) if value is None else np.asarray(value)


def _momentum(w, dw, config, *, sign: float = -1.0, old: bool = False,
              swapped: bool = False, carry: bool = True, rule: str = "sgd_momentum"):
    """SGD with momentum (``v = momentum * v - learning_rate * dw; w + v``) and its usual
    mistakes."""
    config = _config(rule, config)
    lr, mu = config["learning_rate"], config["momentum"]
    if swapped:
        lr, mu = mu, lr
    v_old = _state(config, "velocity", w) if carry else np.zeros_like(w, dtype=np.float64)
    v = mu * v_old + sign * lr * dw
    config["velocity"] = v
    return w + (v_old if old else v), config


def _nesterov(w, dw, config, *, sign: float = -1.0):
    """Nesterov momentum in CS231n's form, ``w - mu * v_prev + (1 + mu) * v``, with the
    sign of the look-ahead correction given."""
    config = _config("nesterov_momentum", config)
    mu, v_old = config["momentum"], _state(config, "velocity", w)
    v = mu * v_old - config["learning_rate"] * dw
    config["velocity"] = v
    return w + sign * mu * v_old + (1 + mu) * v, config


def _adaptive(rule: str, w, dw, config, *, decay: str = "right", eps_inside: bool = False,
              accumulate: bool = True, cache_after: bool = False):
    """AdaGrad (``decay='none'``) or RMSProp and their usual mistakes."""
    config = _config(rule, config)
    old = _state(config, "cache", w)
    if decay == "right":
        new = config["decay_rate"] * old + (1 - config["decay_rate"]) * dw * dw
    elif decay == "swapped":
        new = (1 - config["decay_rate"]) * old + config["decay_rate"] * dw * dw
    elif decay == "no_one_minus":
        new = config["decay_rate"] * old + dw * dw
    else:
        new = (old if accumulate else 0.0) + dw * dw
    config["cache"] = new
    used, eps = (old if cache_after else new), config["epsilon"]
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = np.sqrt(used + eps) if eps_inside else np.sqrt(used) + eps
        return w - config["learning_rate"] * dw / denominator, config


def _adam(w, dw, config, *, correct_m: bool = True, correct_v: bool = True,
          increment: str = "first", square: bool = True, eps_inside: bool = False):
    """Adam as ``torch.optim.Adam`` computes it, with one of its usual mistakes.
    ``increment``: when t is incremented ("first", "after" the bias correction, "never")."""
    config = _config("adam", config)
    b1, b2 = config["beta1"], config["beta2"]
    t = config["t"] + (1 if increment == "first" else 0)
    m = b1 * _state(config, "m", w) + (1 - b1) * dw
    v = b2 * _state(config, "v", w) + (1 - b2) * (dw * dw if square else dw)
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = m / (1 - b1**t) if correct_m else m
        v_hat = v / (1 - b2**t) if correct_v else v
        eps = config["epsilon"]
        denominator = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        next_w = w - config["learning_rate"] * m_hat / denominator
    config["m"], config["v"] = m, v
    config["t"] = t + (1 if increment == "after" else 0)
    return next_w, config


@mistake("sgd_momentum", section=9, diagnosis="the steps go uphill: the velocity is "
         "momentum * v + learning_rate * dw; it must be momentum * v - learning_rate * dw")
def sgd_momentum_uphill(w, dw, config=None):
    return _momentum(w, dw, config, sign=1.0)


@mistake("sgd_momentum", section=9, diagnosis="each step uses the OLD velocity: update v "
         "first, then next_w = w + v")
def sgd_momentum_old_velocity(w, dw, config=None):
    return _momentum(w, dw, config, old=True)


@mistake("sgd_momentum", section=9, diagnosis="momentum and learning_rate are swapped: "
         "momentum multiplies the velocity, learning_rate the gradient")
def sgd_momentum_swapped(w, dw, config=None):
    return _momentum(w, dw, config, swapped=True)


@mistake("sgd_momentum", section=9, diagnosis="the steps are plain SGD steps: the velocity "
         "of the previous step (config['velocity']) is not carried over")
def sgd_momentum_forgets_velocity(w, dw, config=None):
    return _momentum(w, dw, config, carry=False)


@mistake("nesterov_momentum", section=9, diagnosis="the steps are those of plain momentum "
         "(next_w = w + v); Nesterov's is next_w = w - momentum * v_prev + (1 + momentum) * v")
def nesterov_is_plain_momentum(w, dw, config=None):
    return _momentum(w, dw, config, rule="nesterov_momentum")


@mistake("nesterov_momentum", section=9, diagnosis="the look-ahead correction is added: "
         "next_w = w - momentum * v_prev + (1 + momentum) * v, with a minus")
def nesterov_correction_added(w, dw, config=None):
    return _nesterov(w, dw, config, sign=1.0)


@mistake("adagrad", section=9, diagnosis="the cache does not accumulate: it must be the "
         "sum of every step's dw ** 2 (cache += dw ** 2)")
def adagrad_without_accumulation(w, dw, config=None):
    return _adaptive("adagrad", w, dw, config, decay="none", accumulate=False)


@mistake("adagrad", section=9, diagnosis="the step divides by sqrt(cache + epsilon): "
         "epsilon is added after the square root, sqrt(cache) + epsilon")
def adagrad_eps_inside(w, dw, config=None):
    return _adaptive("adagrad", w, dw, config, decay="none", eps_inside=True)


@mistake("adagrad", section=9, diagnosis="the step uses the cache of the previous step: "
         "add dw ** 2 to the cache BEFORE the step")
def adagrad_cache_after(w, dw, config=None):
    return _adaptive("adagrad", w, dw, config, decay="none", cache_after=True)


@mistake("rmsprop", section=9, diagnosis="the cache adds dw ** 2 without decay, which is "
         "AdaGrad: RMSProp keeps a moving average, decay_rate * cache + (1 - decay_rate) * "
         "dw ** 2")
def rmsprop_without_decay(w, dw, config=None):
    return _adaptive("rmsprop", w, dw, config, decay="none")


@mistake("rmsprop", section=9, diagnosis="decay_rate and 1 - decay_rate are swapped: "
         "decay_rate multiplies the OLD cache, (1 - decay_rate) the new dw ** 2")
def rmsprop_decay_swapped(w, dw, config=None):
    return _adaptive("rmsprop", w, dw, config, decay="swapped")


@mistake("rmsprop", section=9, diagnosis="the new dw ** 2 is added without its weight "
         "(1 - decay_rate)")
def rmsprop_without_one_minus(w, dw, config=None):
    return _adaptive("rmsprop", w, dw, config, decay="no_one_minus")


@mistake("rmsprop", section=9, diagnosis="the step divides by sqrt(cache + epsilon): "
         "epsilon is added after the square root, sqrt(cache) + epsilon")
def rmsprop_eps_inside(w, dw, config=None):
    return _adaptive("rmsprop", w, dw, config, eps_inside=True)


@mistake("rmsprop", section=9, diagnosis="the step uses the cache of the previous step: "
         "update the cache BEFORE the step")
def rmsprop_cache_after(w, dw, config=None):
    return _adaptive("rmsprop", w, dw, config, cache_after=True)


@mistake("adam", section=9, diagnosis="next_w is NaN: t is never incremented, so the bias "
         "correction divides by 1 - beta ** 0 = 0; add t = t + 1 first")
def adam_t_never_incremented(w, dw, config=None):
    return _adam(w, dw, config, increment="never")


@mistake("adam", section=9, diagnosis="next_w is NaN: t is incremented after the bias "
         "correction, which then divides by 1 - beta ** 0 = 0 at the first step")
def adam_t_incremented_late(w, dw, config=None):
    return _adam(w, dw, config, increment="after")


@mistake("adam", section=9, diagnosis="the steps have no bias correction: divide m by "
         "(1 - beta1 ** t) and v by (1 - beta2 ** t)")
def adam_without_bias_correction(w, dw, config=None):
    return _adam(w, dw, config, correct_m=False, correct_v=False)


@mistake("adam", section=9, diagnosis="v is not bias-corrected: v_hat = v / (1 - beta2 ** t)")
def adam_without_v_correction(w, dw, config=None):
    return _adam(w, dw, config, correct_v=False)


@mistake("adam", section=9, diagnosis="m is not bias-corrected: m_hat = m / (1 - beta1 ** t)")
def adam_without_m_correction(w, dw, config=None):
    return _adam(w, dw, config, correct_m=False)


@mistake("adam", section=9, diagnosis="v averages dw, not dw ** 2: v is the moving average "
         "of the SQUARED gradient")
def adam_v_not_squared(w, dw, config=None):
    return _adam(w, dw, config, square=False)


@mistake("adam", section=9, diagnosis="the step divides by sqrt(v_hat + epsilon): epsilon "
         "is added after the square root, sqrt(v_hat) + epsilon")
def adam_eps_inside(w, dw, config=None):
    return _adam(w, dw, config, eps_inside=True)


# --- maxout -----------------------------------------------------------------------------------
def _maxout_pieces(x, w, b, *, with_bias: bool = True, order: str = "MK") -> np.ndarray:
    """Every affine piece, (N, M, K): ``x_flat @ w[:, m, k] + b[m, k]``; ``order="KM"``:
    the flat pieces reshaped as (N, K, M) (the units and pieces mixed up)."""
    D, M, K = np.shape(w)
    rows = np.asarray(x, dtype=np.float64).reshape(len(x), D)
    if order == "KM":
        flat = rows @ np.asarray(w).reshape(D, M * K)
        return (flat.reshape(len(x), K, M) + np.reshape(b, (K, M))).transpose(0, 2, 1)
    return np.einsum("nd,dmk->nmk", rows, w) + (b if with_bias else 0.0)


@mistake("maxout_forward", section=1, diagnosis="out is the max over the pieces of x_flat "
         "@ w[:, m, k] without the bias: add b[m, k] to each piece before taking the max")
def maxout_without_bias(x, w, b):
    return _maxout_pieces(x, w, b, with_bias=False).max(axis=2), (x, w, b, None)


@mistake("maxout_forward", section=1, diagnosis="out mixes up units and pieces: the flat "
         "pieces were reshaped as (N, K, M); w is (D, M, K), so reshape to (N, M, K) and take "
         "the max over the last axis")
def maxout_units_and_pieces_swapped(x, w, b):
    return _maxout_pieces(x, w, b, order="KM").max(axis=2), (x, w, b, None)


@mistake("maxout_forward", section=1, diagnosis="out takes the max over the M units (axis 1) "
         "instead of over the K pieces of each unit (the last axis)")
def maxout_max_over_units(x, w, b):
    return _maxout_pieces(x, w, b).max(axis=1), (x, w, b, None)


def _maxout_grads(dout, cache, *, everywhere: bool = False
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dx, dw, db of maxout from the cache ``(x, w, b, winner)``: dout goes to the winning
    piece of each unit (to every piece with ``everywhere``)."""
    x, w, _, winner = cache
    D, M, K = np.shape(w)
    N = len(x)
    dpieces = np.zeros((N, M, K))
    if everywhere:
        dpieces += np.asarray(dout)[:, :, None]
    else:
        np.put_along_axis(dpieces, np.asarray(winner)[:, :, None], np.asarray(dout)[:, :, None],
                          axis=2)
    rows = np.asarray(x, dtype=np.float64).reshape(N, D)
    dx = (dpieces.reshape(N, M * K) @ np.asarray(w).reshape(D, M * K).T).reshape(np.shape(x))
    return dx, np.einsum("nd,nmk->dmk", rows, dpieces), dpieces.sum(axis=0)


@mistake("maxout_backward", section=1, diagnosis="dout went to every piece of each unit: "
         "only the winning piece (the cache's winner) gets the gradient")
def maxout_backward_every_piece(dout, cache):
    return _maxout_grads(dout, cache, everywhere=True)


@mistake("maxout_backward", section=1, diagnosis="dw is averaged over the examples: it is "
         "a SUM over the batch")
def maxout_backward_averaged_dw(dout, cache):
    dx, dw, db = _maxout_grads(dout, cache)
    return dx, dw / len(dout), db


@mistake("maxout_backward", section=1, diagnosis="db is averaged over the examples: b is "
         "added for every example, so db is a SUM over the batch")
def maxout_backward_averaged_db(dout, cache):
    dx, dw, db = _maxout_grads(dout, cache)
    return dx, dw, db / len(dout)


# --- batch normalisation forward (and the spatial one) ---------------------------------------
def _batchnorm(x, gamma, beta, bn_param, *, spatial: bool = False, ddof: int = 0,
               eps_mode: str = "inside", eps: float | None = None, affine: str = "right",
               axes: tuple[int, ...] | None = None, rows: str = "right",
               running: str = "right", test_batch: bool = False) -> tuple[np.ndarray, tuple]:
    """Batch normalisation (spatial: of the channels of images) by the checks' formula,
    the running averages kept as the docstring says, with one mistake: the variance with
    ``ddof``, eps (see ``_normalise``), another ``eps``, the ``affine`` step ("swapped",
    "none"), statistics over other ``axes``, the images' ``rows`` ("flat": reshaped
    without moving the channels last; "not_back": not transposed back), the ``running``
    averages ("swapped", "unbiased", "std", "last", "kept") or the batch's statistics in
    test mode."""
    x = np.asarray(x, dtype=np.float64)
    e = float(bn_param.get("eps", 1e-5)) if eps is None else eps
    momentum = float(bn_param.get("momentum", 0.9))
    if spatial:
        N, C, H, W = x.shape
        r = x.reshape(-1, C) if rows == "flat" else x.transpose(0, 2, 3, 1).reshape(-1, C)
    else:
        r = x
    D = r.shape[1]
    old_mean = np.asarray(bn_param.get("running_mean", np.zeros(D)), dtype=np.float64)
    old_var = np.asarray(bn_param.get("running_var", np.zeros(D)), dtype=np.float64)
    train = bn_param["mode"] == "train"
    mean, var = r.mean(axis=0), r.var(axis=0, ddof=ddof if len(r) > ddof else 0)
    used = (mean, var) if train or test_batch else (old_mean, old_var)
    scale = {"inside": np.sqrt(used[1] + e), "outside": np.sqrt(used[1]) + e,
             "none": np.sqrt(used[1]), "variance": used[1] + e}[eps_mode]
    x_hat = (r - used[0]) / scale
    if axes is not None:                 # statistics over other axes, in x's own layout
        x_hat = _normalise(x, axes, e)
    g, b = (gamma, beta) if affine == "right" else (beta, gamma)
    if axes is not None and spatial:
        g, b = np.reshape(g, (1, -1, 1, 1)), np.reshape(b, (1, -1, 1, 1))
    out = x_hat if affine == "none" else g * x_hat + b
    if spatial and axes is None:
        out = (out.reshape(N, C, H, W) if rows != "right"
               else out.reshape(N, H, W, C).transpose(0, 3, 1, 2))
    if train and running != "kept":
        m = 1 - momentum if running == "swapped" else momentum
        new_var = {"unbiased": r.var(axis=0, ddof=1) if len(r) > 1 else 0.0 * var,
                   "std": np.sqrt(var)}.get(running, var)
        new_mean = m * old_mean + (1 - m) * mean
        new_var = m * old_var + (1 - m) * new_var
        if running == "last":
            new_mean, new_var = mean, var
        old_mean, old_var = new_mean, new_var
    bn_param["running_mean"], bn_param["running_var"] = old_mean, old_var
    return out, (r, x_hat, used[0], used[1], gamma, beta, e)


def _both_batchnorms(name: str, diagnosis: str, **how: Any) -> None:
    """Catalogue ``_batchnorm(..., **how)`` as a mistake of batchnorm_forward (section 4)
    and of spatial_batchnorm_forward (section 6)."""
    def batch(x, gamma, beta, bn_param):
        return _batchnorm(x, gamma, beta, bn_param, **how)

    def spatial(x, gamma, beta, bn_param):
        return _batchnorm(x, gamma, beta, bn_param, spatial=True, **how)

    batch.__name__, spatial.__name__ = f"batchnorm_{name}", f"spatial_batchnorm_{name}"
    mistake("batchnorm_forward", section=4, diagnosis=diagnosis)(batch)
    mistake("spatial_batchnorm_forward", section=6, diagnosis=diagnosis)(spatial)


_both_batchnorms("unbiased_variance", "out uses the unbiased variance (ddof=1): batch "
                 "normalisation uses the biased one, np.var's default (ddof=0)", ddof=1)
_both_batchnorms("without_eps", "out divides by sqrt(var) without eps: x_hat = (x - mean) / "
                 "sqrt(var + eps)", eps_mode="none")
_both_batchnorms("eps_outside", "out divides by sqrt(var) + eps: eps goes inside the square "
                 "root, sqrt(var + eps)", eps_mode="outside")
_both_batchnorms("divides_by_variance", "out divides by var + eps, the variance: divide by "
                 "the standard deviation, sqrt(var + eps)", eps_mode="variance")
_both_batchnorms("default_eps", "out uses eps = 1e-5 whatever bn_param['eps'] says (1e-5 is "
                 "only the default)", eps=1e-5)
_both_batchnorms("gamma_beta_swapped", "out is beta * x_hat + gamma: gamma scales and beta "
                 "shifts, out = gamma * x_hat + beta", affine="swapped")
_both_batchnorms("without_affine", "out is x_hat itself: scale and shift the normalised "
                 "values, out = gamma * x_hat + beta", affine="none")
_both_batchnorms("test_with_batch_statistics", "in test mode out is normalised with the "
                 "batch's own statistics: use the running averages of bn_param there",
                 test_batch=True)
_both_batchnorms("running_momentum_swapped", "the running averages are (1 - momentum) * "
                 "running + momentum * batch statistic: momentum weighs the OLD value, "
                 "running = momentum * running + (1 - momentum) * statistic",
                 running="swapped")
_both_batchnorms("running_var_unbiased", "the running variance averages the unbiased batch "
                 "variance (ddof=1, as PyTorch keeps it): here it averages the biased one, "
                 "the var used for x_hat", running="unbiased")
_both_batchnorms("running_std", "the running variance averages the batch's standard "
                 "deviation: average the variance", running="std")
_both_batchnorms("running_is_last_batch", "the running averages are the last batch's "
                 "statistics: keep a moving average, momentum * running + (1 - momentum) * "
                 "statistic", running="last")
_both_batchnorms("running_not_updated", "the running averages are never updated: assign "
                 "the new averages to the variables running_mean and running_var (the lines "
                 "after your code store those in bn_param)", running="kept")


@mistake("batchnorm_forward", section=4, diagnosis="out normalises each example (row) over "
         "its features (axis 1), which is layer normalisation: batch normalisation "
         "normalises each feature (column) over the batch, axis 0")
def batchnorm_over_features(x, gamma, beta, bn_param):
    return _batchnorm(x, gamma, beta, bn_param, axes=(1,))


@mistake("spatial_batchnorm_forward", section=6, diagnosis="out was reshaped to rows "
         "without moving the channels last: x.transpose(0, 2, 3, 1).reshape(-1, C), and "
         "back the same way")
def spatial_batchnorm_without_transpose(x, gamma, beta, bn_param):
    return _batchnorm(x, gamma, beta, bn_param, spatial=True, rows="flat")


@mistake("spatial_batchnorm_forward", section=6, diagnosis="out was not transposed back: "
         "out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)")
def spatial_batchnorm_not_transposed_back(x, gamma, beta, bn_param):
    return _batchnorm(x, gamma, beta, bn_param, spatial=True, rows="not_back")


@mistake("spatial_batchnorm_forward", section=6, diagnosis="out takes each channel's "
         "statistics over the batch axis alone: they run over N, H and W together (all "
         "N * H * W values of the channel)")
def spatial_batchnorm_over_batch_only(x, gamma, beta, bn_param):
    return _batchnorm(x, gamma, beta, bn_param, spatial=True, axes=(0,))


@mistake("spatial_batchnorm_forward", section=6, diagnosis="out takes each channel's "
         "statistics over each image alone (H and W): they run over the whole batch too "
         "(N, H and W)")
def spatial_batchnorm_per_image(x, gamma, beta, bn_param):
    return _batchnorm(x, gamma, beta, bn_param, spatial=True, axes=(2, 3))


# --- spatial batch normalisation backward ----------------------------------------------------
def _spatial_grads(dout, cache, patch: Callable[[np.ndarray, tuple], tuple] | None = None, *,
                   rows: str = "right") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients of spatial batch normalisation from the cache of batchnorm_forward on
    the rows (the docstring's layout), the rows' gradients by ``patch`` (a mistake of the
    batch normalisation backward, or the right ones); ``rows``: "flat" (dout reshaped
    without moving the channels last), "not_back" (dx not transposed back)."""
    dout = np.asarray(dout, dtype=np.float64)
    N, C, H, W = dout.shape
    drows = dout.reshape(-1, C) if rows == "flat" else dout.transpose(0, 2, 3, 1).reshape(-1, C)
    dx, dgamma, dbeta = (patch or (lambda d, c: _norm_grads(d, c, 0)))(drows, cache)
    dx = dx.reshape(N, C, H, W) if rows != "right" else dx.reshape(N, H, W, C).transpose(
        0, 3, 1, 2)
    return dx, dgamma, dbeta


@mistake("spatial_batchnorm_backward", section=6, diagnosis="dout was reshaped to rows "
         "without moving the channels last: reshape it as the forward reshaped x, "
         "dout.transpose(0, 2, 3, 1).reshape(-1, C), and transpose dx back")
def spatial_backward_without_transpose(dout, cache):
    return _spatial_grads(dout, cache, rows="flat")


@mistake("spatial_batchnorm_backward", section=6, diagnosis="dx was not transposed back: "
         "dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)")
def spatial_backward_not_transposed_back(dout, cache):
    return _spatial_grads(dout, cache, rows="not_back")


# --- dropout ------------------------------------------------------------------------------------
def _dropout(x, dropout_param, *, keep: str = "below", scale: str = "divide",
             test: str = "identity") -> tuple[np.ndarray, tuple]:
    """Inverted dropout as its docstring gives it (the seed, then ``np.random.rand(*x.shape)
    < p``), with one mistake: ``keep`` "above" (p taken as the probability of dropping),
    the kept units' ``scale`` ("none", "multiply", "one_minus": by 1 - p), or ``test``
    mode ("times_p", "over_p", "mask": a mask drawn at test time too)."""
    x = np.asarray(x, dtype=np.float64)
    p, mode = float(dropout_param["p"]), dropout_param["mode"]
    if dropout_param.get("seed") is not None:
        np.random.seed(dropout_param["seed"])
    if mode != "train" and test != "mask":
        return {"identity": x, "times_p": x * p, "over_p": x / p}[test], (dropout_param, None)
    draw = np.random.rand(*x.shape)
    kept = draw < p if keep == "below" else draw > p
    with np.errstate(divide="ignore", invalid="ignore"):
        mask = {"divide": kept / p, "one_minus": kept / (1 - p), "none": kept * 1.0,
                "multiply": kept * p}[scale]
    return x * mask, (dropout_param, mask)


@mistake("dropout_forward", section=7, diagnosis="the kept units are not divided by p: "
         "inverted dropout scales them, out = x * mask / p, so that the expected output is x")
def dropout_not_scaled(x, dropout_param):
    return _dropout(x, dropout_param, scale="none")


@mistake("dropout_forward", section=7, diagnosis="the kept units are multiplied by p: "
         "inverted dropout DIVIDES them by p, out = x * mask / p")
def dropout_multiplied_by_p(x, dropout_param):
    return _dropout(x, dropout_param, scale="multiply")


@mistake("dropout_forward", section=7, diagnosis="each unit is dropped with probability p: "
         "p is the probability of KEEPING it, mask = (np.random.rand(*x.shape) < p) / p")
def dropout_p_drops(x, dropout_param):
    return _dropout(x, dropout_param, keep="above", scale="one_minus")


@mistake("dropout_forward", section=7, diagnosis="each unit is dropped with probability p: "
         "p is the probability of KEEPING it, mask = (np.random.rand(*x.shape) < p) / p")
def dropout_p_drops_over_p(x, dropout_param):
    return _dropout(x, dropout_param, keep="above")


@mistake("dropout_forward", section=7, diagnosis="at test time out is x * p: inverted "
         "dropout returns x unchanged there (the scaling by 1 / p already happened in "
         "training)")
def dropout_test_times_p(x, dropout_param):
    return _dropout(x, dropout_param, test="times_p")


@mistake("dropout_forward", section=7, diagnosis="at test time out is x / p: inverted "
         "dropout returns x unchanged there (the scaling by 1 / p happens in training only)")
def dropout_test_over_p(x, dropout_param):
    return _dropout(x, dropout_param, test="over_p")


@mistake("dropout_forward", section=7, diagnosis="at test time units are dropped too: in "
         "test mode dropout is the identity, out = x")
def dropout_test_drops(x, dropout_param):
    return _dropout(x, dropout_param, test="mask")


def _dropout_dx(dout, cache, train: Callable[[np.ndarray, np.ndarray, float], Any],
                test: Callable[[np.ndarray, float], Any] = lambda dout, p: dout) -> Any:
    """dx of dropout from the docstring's cache ``(dropout_param, mask)``: ``train(dout,
    mask, p)`` in training mode, ``test(dout, p)`` in test mode."""
    param, mask = cache
    dout = np.asarray(dout, dtype=np.float64)
    if param["mode"] == "train":
        return train(dout, np.asarray(mask, dtype=np.float64), float(param["p"]))
    return test(dout, float(param["p"]))


@mistake("dropout_backward", section=7, diagnosis="dx is dout everywhere in training: the "
         "dropped units pass no gradient, dx = dout * mask")
def dropout_backward_without_mask(dout, cache):
    return _dropout_dx(dout, cache, lambda d, mask, p: d)


@mistake("dropout_backward", section=7, diagnosis="dx is dout where a unit was kept, "
         "without the 1 / p: the mask of inverted dropout holds the 1 / p, dx = dout * mask")
def dropout_backward_unscaled_mask(dout, cache):
    return _dropout_dx(dout, cache, lambda d, mask, p: d * (mask != 0))


@mistake("dropout_backward", section=7, diagnosis="dx is dout * mask / p: the mask already "
         "holds the 1 / p, do not divide again")
def dropout_backward_divides_again(dout, cache):
    return _dropout_dx(dout, cache, lambda d, mask, p: d * mask / p)


@mistake("dropout_backward", section=7, diagnosis="at test time dx is dout * p: dropout is "
         "the identity in test mode, so dx = dout")
def dropout_backward_test_times_p(dout, cache):
    return _dropout_dx(dout, cache, lambda d, mask, p: d * mask, lambda d, p: d * p)


# --- preprocessing -----------------------------------------------------------------------------
def _canonical(value: Any) -> np.ndarray:
    """Each column with its sign fixed (its largest entry in size positive): an
    eigenvector's sign is arbitrary, so components and projections compare up to it."""
    a = np.asarray(value, dtype=np.float64)
    if a.ndim != 2 or not a.size:
        return a
    signs = np.sign(a[np.argmax(np.abs(a), axis=0), np.arange(a.shape[1])])
    return a * np.where(signs == 0, 1.0, signs)


def _stats_outputs(args: Any, result: Any) -> dict[str, Any]:
    """The statistics fit_preprocessing returned (components up to their signs)."""
    return {key: (_canonical(result[key]) if key == "components" else result[key])
            for key in ("mean", "scale", "components", "variances") if key in result}


def _fit(X, method, num_components=None, eps=1e-5, *, scale: str = "right",
         eigen: str = "right") -> dict[str, Any]:
    """fit_preprocessing by the checks' oracle (SciPy's SVD of the centred data), with one
    mistake in the ``scale`` of "standardize" or in the ``eigen`` decomposition of "pca"
    and "whiten"."""
    from cs231n_utils.checks.training_nets import fit_oracle

    X = np.asarray(X, dtype=np.float64)
    stats = fit_oracle(X, method, num_components, eps)
    N, D = X.shape
    var = X.var(axis=0)
    if method == "standardize" and scale != "right":
        stats["scale"] = {"unbiased": np.sqrt(X.var(axis=0, ddof=1) + eps),
                          "without_eps": np.sqrt(var), "outside": np.sqrt(var) + eps,
                          "variance": var + eps}[scale]
    if method in ("pca", "whiten") and eigen != "right":
        k = D if num_components is None else int(num_components)
        if eigen in ("increasing", "uncentred"):
            centred = X if eigen == "uncentred" else X - X.mean(axis=0)
            values, vectors = np.linalg.eigh(centred.T @ centred / N)
            if eigen == "uncentred":
                values, vectors = values[::-1], vectors[:, ::-1]
            stats["components"], stats["variances"] = vectors[:, :k], values[:k]
        else:
            v = stats["variances"]
            stats["variances"] = {"unbiased": v * N / max(N - 1, 1),
                                  "singular_values": np.sqrt(v * N),
                                  "std": np.sqrt(v)}[eigen]
    return stats


def _fit_mistake(name: str, diagnosis: str, **how: str) -> None:
    def variant(X, method, num_components=None, eps=1e-5):
        return _fit(X, method, num_components, eps, **how)

    variant.__name__ = f"fit_{name}"
    mistake("fit_preprocessing", section=2, diagnosis=diagnosis)(variant)


_fit_mistake("unbiased_scale", "stats['scale'] uses the unbiased variance (ddof=1): use the "
             "biased one, np.var(X, axis=0), as batch normalisation does", scale="unbiased")
_fit_mistake("scale_without_eps", "stats['scale'] is sqrt(var) without eps: scale = "
             "sqrt(var + eps)", scale="without_eps")
_fit_mistake("scale_eps_outside", "stats['scale'] is sqrt(var) + eps: eps goes under the "
             "square root, scale = sqrt(var + eps)", scale="outside")
_fit_mistake("scale_is_variance", "stats['scale'] is var + eps: the scale is a standard "
             "deviation, sqrt(var + eps)", scale="variance")
_fit_mistake("increasing_eigenvalues", "the components and variances are in INCREASING "
             "order of eigenvalue (as np.linalg.eigh returns them): sort by decreasing "
             "eigenvalue and keep the first num_components", eigen="increasing")
_fit_mistake("uncentred_covariance", "the components and variances are those of X.T @ X / "
             "N: centre the data (subtract the mean) before computing the covariance",
             eigen="uncentred")
_fit_mistake("unbiased_covariance", "stats['variances'] are those of the covariance "
             "divided by N - 1: it is Xc.T @ Xc / N", eigen="unbiased")
_fit_mistake("singular_values", "stats['variances'] are the singular values of Xc: the "
             "variances are their squares divided by N, the eigenvalues of Xc.T @ Xc / N",
             eigen="singular_values")
_fit_mistake("standard_deviations", "stats['variances'] are the square roots of the "
             "eigenvalues: the variances are the eigenvalues themselves", eigen="std")


def _apply(X, stats, how: str = "right") -> np.ndarray:
    """apply_preprocessing by the checks' formulas, with one mistake (``how``)."""
    from cs231n_utils.checks.training_nets import apply_oracle, fit_oracle

    X = np.asarray(X, dtype=np.float64)
    method, mean = stats["method"], np.asarray(stats["mean"])
    if how == "own":
        k = None if "components" not in stats else np.shape(stats["components"])[1]
        return apply_oracle(X, fit_oracle(X, method, k, stats["eps"]))
    if method == "standardize":
        return {"not_centred": X / stats["scale"],
                "multiplied": (X - mean) * stats["scale"]}.get(how, (X - mean) / stats["scale"])
    if method not in ("pca", "whiten"):
        return X - mean
    projected = (X if how == "not_centred" else X - mean) @ stats["components"]
    if method == "pca":
        return projected
    variances, eps = np.asarray(stats["variances"]), stats["eps"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return {"without_eps": projected / np.sqrt(variances),
                "variance": projected / (variances + eps),
                "not_divided": projected}.get(how, projected / np.sqrt(variances + eps))


def _apply_mistake(name: str, diagnosis: str, how: str) -> None:
    def variant(X, stats):
        return _apply(X, stats, how)

    variant.__name__ = f"apply_{name}"
    mistake("apply_preprocessing", section=2, diagnosis=diagnosis)(variant)


_apply_mistake("own_statistics", "the output is X transformed with statistics fitted on X "
               "itself: use the statistics in stats (fitted on the training data)", "own")
_apply_mistake("not_centred", "the output is computed from X without subtracting the mean "
               "first: subtract stats['mean'] before scaling or projecting", "not_centred")
_apply_mistake("multiplies_scale", "the output is (X - mean) * scale: divide by the scale",
               "multiplied")
_apply_mistake("whiten_without_eps", "the output divides the projection by sqrt(variances): "
               "divide by sqrt(variances + eps), eps keeps a tiny eigenvalue from blowing up",
               "without_eps")
_apply_mistake("whiten_by_variance", "the output divides the projection by variances + eps: "
               "divide by its SQUARE ROOT, the standard deviation of each projected feature",
               "variance")
_apply_mistake("whiten_not_divided", "the output is the projection alone, as for 'pca': "
               "whitening divides it by sqrt(variances + eps)", "not_divided")


def _splits_outputs(args: Any, result: Any) -> dict[str, Any]:
    """The three outputs (columns up to their signs) and the mean of the statistics."""
    return {"outs": [_canonical(r) for r in result[:3]], "mean": result[3]["mean"]}


def _splits(X_train, X_val, X_test, method, num_components=None, eps=1e-5, *,
            fit_on: str = "train") -> tuple:
    """preprocess_splits by the checks' oracles, the statistics fitted on ``fit_on``:
    "train", "each" split itself, "all" the splits together, or "test" (returned, the
    outputs right)."""
    from cs231n_utils.checks.training_nets import apply_oracle, fit_oracle

    splits = [np.asarray(X, dtype=np.float64) for X in (X_train, X_val, X_test)]
    if fit_on == "all":
        stats = fit_oracle(np.vstack(splits), method, num_components, eps)
    else:
        stats = fit_oracle(splits[0], method, num_components, eps)
    outs = [apply_oracle(X, fit_oracle(X, method, num_components, eps) if fit_on == "each"
                         else stats) for X in splits]
    if fit_on == "test":
        stats = fit_oracle(splits[2], method, num_components, eps)
    return (*outs, stats)


@mistake("preprocess_splits", section=2, diagnosis="each split was transformed with "
         "statistics fitted on itself: fit ONCE on X_train and apply those statistics to "
         "every split (fitting on validation or test data leaks them into the model)")
def splits_fitted_on_each(X_train, X_val, X_test, method, num_components=None, eps=1e-5):
    return _splits(X_train, X_val, X_test, method, num_components, eps, fit_on="each")


@mistake("preprocess_splits", section=2, diagnosis="the statistics were fitted on all the "
         "splits together: fit on X_train only (the validation and test data must not "
         "influence the preprocessing)")
def splits_fitted_on_all(X_train, X_val, X_test, method, num_components=None, eps=1e-5):
    return _splits(X_train, X_val, X_test, method, num_components, eps, fit_on="all")


@mistake("preprocess_splits", section=2, diagnosis="the stats returned are those of X_test "
         "(the last split fitted): return the statistics fitted on X_train")
def splits_return_test_statistics(X_train, X_val, X_test, method, num_components=None,
                                  eps=1e-5):
    return _splits(X_train, X_val, X_test, method, num_components, eps, fit_on="test")


# --- the affine - norm - ReLU sandwich --------------------------------------------------------
def _sandwich_outputs(args: Any, result: Any) -> dict[str, Any]:
    """``out`` and the running averages left in norm_param."""
    param = args[5]
    return {"out": result[0], "running_mean": param.get("running_mean"),
            "running_var": param.get("running_var")}


def _sandwich(x, w, b, gamma, beta, norm_param, normalization, *, how: str = "right"
              ) -> tuple[np.ndarray, tuple]:
    """affine - norm - relu by the formulas above (``_batchnorm``, ``_layernorm``), with
    one mistake (``how``): "no_norm", "no_relu", "relu_first", "other_norm" (the other
    normalisation), "test_batch" (batch statistics in test mode), "copied_param" (the
    running averages updated in a copy of norm_param)."""
    a = np.asarray(x, dtype=np.float64).reshape(len(x), -1) @ w + b
    param = dict(norm_param) if how == "copied_param" else norm_param
    use = normalization
    if how == "other_norm":
        use = "layernorm" if normalization == "batchnorm" else "batchnorm"

    def norm(values: np.ndarray) -> np.ndarray:
        if use == "layernorm":
            return _layernorm(values, gamma, beta, {"eps": param.get("eps", 1e-5)})[0]
        if normalization == "layernorm":      # batch statistics: ln_param has no mode
            return gamma * _normalise(values, (0,), float(param.get("eps", 1e-5))) + beta
        return _batchnorm(values, gamma, beta, param, test_batch=how == "test_batch")[0]

    if how == "no_norm":
        out = np.maximum(a, 0.0)
    elif how == "no_relu":
        out = norm(a)
    elif how == "relu_first":
        out = norm(np.maximum(a, 0.0))
    else:
        out = np.maximum(norm(a), 0.0)
    return out, ((x, w, b), None, None, normalization)


def _sandwich_mistake(name: str, diagnosis: str, how: str) -> None:
    def variant(x, w, b, gamma, beta, norm_param, normalization):
        return _sandwich(x, w, b, gamma, beta, norm_param, normalization, how=how)

    variant.__name__ = f"sandwich_{name}"
    mistake("affine_norm_relu_forward", section=8, diagnosis=diagnosis)(variant)


_sandwich_mistake("without_norm", "out is relu(x_flat @ w + b): normalise the affine output "
                  "before the ReLU (affine - norm - relu)", "no_norm")
_sandwich_mistake("without_relu", "out is the normalised affine output without the ReLU: "
                  "apply the ReLU after the normalisation", "no_relu")
_sandwich_mistake("relu_first", "out is norm(relu(affine)): the order is affine, then the "
                  "normalisation, then the ReLU", "relu_first")
_sandwich_mistake("other_norm", "out uses the other normalisation: call batchnorm_forward "
                  "for normalization='batchnorm' and layernorm_forward for 'layernorm'",
                  "other_norm")
_sandwich_mistake("test_batch_statistics", "in test mode out is normalised with the batch's "
                  "statistics: batch normalisation uses norm_param's running averages there",
                  "test_batch")
_sandwich_mistake("copied_norm_param", "norm_param's running averages were not updated: "
                  "pass norm_param itself (not a copy) to batchnorm_forward, which updates "
                  "them there", "copied_param")


def _flat_grads(args: Any, result: Any) -> dict[str, Any]:
    """All the gradients as one vector (each compared with the largest of them all: the
    gradient of a bias before a batch normalisation is zero up to rounding)."""
    return {"grads": np.concatenate([np.ravel(np.asarray(g, dtype=np.float64))
                                     for g in result])}


def _sandwich_grads(dout, cache, *, relu: bool = True, norm: str = "right") -> tuple:
    """The five gradients of the sandwich from its cache ``((x, w, b), norm_cache,
    relu_input, normalization)``, without the ReLU's mask, or through the ``norm`` "other"
    normalisation's backward, or through "none"."""
    (x, w, _), ncache, relu_in, normalization = cache
    axis = 0 if normalization == "batchnorm" else 1
    d = np.asarray(dout, dtype=np.float64) * ((np.asarray(relu_in) > 0) if relu else 1.0)
    if norm == "none":
        da, dgamma, dbeta = d, np.zeros(d.shape[1]), d.sum(axis=0)
    else:
        da, dgamma, dbeta = _norm_grads(d, ncache, axis if norm == "right" else 1 - axis)
    rows = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    return ((da @ np.asarray(w).T).reshape(np.shape(x)), rows.T @ da, da.sum(axis=0), dgamma,
            dbeta)


@mistake("affine_norm_relu_backward", section=8, diagnosis="the gradients skip the ReLU: "
         "go back through it first (relu_backward with the relu cache)")
def sandwich_backward_skips_relu(dout, cache):
    return _sandwich_grads(dout, cache, relu=False)


@mistake("affine_norm_relu_backward", section=8, diagnosis="the gradients go back through "
         "the other normalisation: the cache's normalization says which backward to use "
         "(batchnorm_backward_alt or layernorm_backward)")
def sandwich_backward_other_norm(dout, cache):
    return _sandwich_grads(dout, cache, norm="other")


@mistake("affine_norm_relu_backward", section=8, diagnosis="the gradients skip the "
         "normalisation: go back through it between the ReLU and the affine layer")
def sandwich_backward_skips_norm(dout, cache):
    return _sandwich_grads(dout, cache, norm="none")


# --- FullyConnectedNet.loss ---------------------------------------------------------------------
def _net_outputs(args: Any, result: Any) -> dict[str, Any]:
    """loss(X): the scores; loss(X, y): the loss and every gradient as one vector (in the
    order of the parameters' names)."""
    if len(args) < 3 or args[2] is None:
        return {"scores": result}
    loss, grads = result
    return {"loss": float(loss), "grads": np.concatenate(
        [np.ravel(np.asarray(grads[k], dtype=np.float64)) for k in sorted(args[0].params)])}


def _net_loss(self, X, y=None, *, reg: str = "right", reg_grad: float = 1.0,
              normalise: bool = True, test_batch: bool = False, dropout: bool = True) -> Any:
    """FullyConnectedNet.loss with PyTorch (autograd for the gradients), from the model's
    documented attributes, with one mistake: the penalty in the loss (``reg`` "none",
    "no_half", "everything"), its gradient times ``reg_grad`` (1: right), no
    normalisation, batch statistics in test mode, no dropout in training."""
    import torch
    from torch.nn import functional

    from cs231n_utils.checks.training_nets import dropout_masks

    params = {k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True)
              for k, v in self.params.items()}
    L, train = self.num_layers, y is not None
    h = torch.tensor(np.asarray(X, dtype=np.float64)).reshape(len(X), -1)
    keep = float(self.dropout_param.get("p", 1.0)) if self.use_dropout else 1.0
    masks = (dropout_masks(self.dropout_param.get("seed"), keep, len(X),
                           [np.shape(self.params[f"b{i}"])[0] for i in range(1, L)])
             if train and dropout and keep != 1 else None)
    for i in range(1, L):
        a = h @ params[f"W{i}"] + params[f"b{i}"]
        if normalise and self.normalization == "batchnorm":
            bn = self.bn_params[i - 1]
            batch = train or test_batch
            a = functional.batch_norm(
                a, None if batch else torch.tensor(np.asarray(bn["running_mean"], dtype=float)),
                None if batch else torch.tensor(np.asarray(bn["running_var"], dtype=float)),
                params[f"gamma{i}"], params[f"beta{i}"], training=batch,
                eps=float(bn.get("eps", 1e-5)))
        elif normalise and self.normalization == "layernorm":
            a = functional.layer_norm(a, (a.shape[1],), params[f"gamma{i}"],
                                      params[f"beta{i}"], 1e-5)
        h = torch.relu(a)
        if masks is not None:
            h = h * torch.tensor(masks[i - 1])
    scores = h @ params[f"W{L}"] + params[f"b{L}"]
    if not train:
        return scores.detach().numpy()
    data = functional.cross_entropy(scores, torch.tensor(np.asarray(y, dtype=np.int64)))
    weights = [k for k in params if k.startswith("W")]
    penalised = list(params) if reg == "everything" else weights
    half = {"none": 0.0, "no_half": 1.0}.get(reg, 0.5)
    penalty = half * self.reg * sum((params[k] ** 2).sum() for k in penalised)
    loss = data + penalty
    names = sorted(params)
    found = torch.autograd.grad(loss, [params[k] for k in names], allow_unused=True)
    grads = {k: np.zeros(params[k].shape) if g is None else g.numpy().copy()
             for k, g in zip(names, found, strict=True)}
    for k in weights:
        grads[k] += (reg_grad - 1.0) * self.reg * np.asarray(self.params[k], dtype=np.float64)
    return float(loss.item()), grads


def _net_mistake(name: str, diagnosis: str, **how: Any) -> None:
    def variant(self, X, y=None):
        return _net_loss(self, X, y, **how)

    variant.__name__ = f"net_{name}"
    mistake("FullyConnectedNet.loss", section=8, diagnosis=diagnosis)(variant)


_net_mistake("without_regularisation", "the loss and the gradients have no regularisation: "
             "add 0.5 * reg * sum(W ** 2) over the weight matrices to the softmax loss (and "
             "reg * W to each dW)", reg="none")
_net_mistake("penalty_without_half", "the penalty is reg * sum(W ** 2), without the 0.5: it "
             "is 0.5 * reg * sum(W ** 2), whose gradient is reg * W", reg="no_half")
_net_mistake("penalty_on_every_parameter", "the penalty covers every parameter: it covers "
             "the weight matrices W1..WL only (not b, gamma, beta)", reg="everything")
_net_mistake("gradients_without_regularisation", "the loss is right but dW has no "
             "regularisation term: the penalty adds reg * W to the gradient of each W",
             reg_grad=0.0)
_net_mistake("gradients_double_regularisation", "dW has 2 * reg * W: the gradient of 0.5 * "
             "reg * sum(W ** 2) is reg * W", reg_grad=2.0)
_net_mistake("without_normalisation", "the hidden layers are affine - relu without the "
             "normalisation: with a normalization, each hidden layer is affine - norm - relu "
             "(affine_norm_relu_forward)", normalise=False)
_net_mistake("test_with_batch_statistics", "loss(X) normalises with the batch's statistics: "
             "it runs in test mode, so batch normalisation must use the running averages of "
             "self.bn_params (pass bn_params[i] to the layer)", test_batch=True)
_net_mistake("without_dropout", "the training pass has no dropout: apply dropout_forward "
             "with self.dropout_param after each hidden ReLU in training", dropout=False)


# --- group normalisation -------------------------------------------------------------------
def _groupnorm(x, gamma, beta, G, gn_param, *, eps: float | None = None,
               affine: str = "right", **how: Any) -> tuple[np.ndarray, tuple]:
    """Group normalisation by the checks' formula (``group_normalise``) with one mistake in
    ``how`` (a grouping, ``ddof``, ``eps_mode``), another ``eps``, or the ``affine`` step
    "swapped"; the docstring's cache of the right statistics."""
    x = np.asarray(x, dtype=np.float64)
    given = float(gn_param.get("eps", 1e-5))
    x_hat = group_normalise(x, G, given if eps is None else eps, **how)
    g, b = (gamma, beta) if affine == "right" else (beta, gamma)
    rows = x.reshape(x.shape[0], G, -1)
    cache = (x, group_normalise(x, G, given), rows.mean(axis=2), rows.var(axis=2), gamma,
             beta, G, given)
    return g * x_hat + b, cache


@mistake("spatial_groupnorm_forward", section=15, diagnosis="out normalises each image over "
         "all its channels at once, which is layer normalisation (G = 1): split the C "
         "channels into G groups first, x.reshape(N, G, -1), one mean and variance per row")
def groupnorm_over_whole_image(x, gamma, beta, G, gn_param):
    return _groupnorm(x, gamma, beta, G, gn_param, grouping="image")


@mistake("spatial_groupnorm_forward", section=15, diagnosis="out normalises each channel of "
         "each image on its own, which is instance normalisation (G = C): a group's statistics "
         "run over its C // G channels and all their positions together")
def groupnorm_per_channel(x, gamma, beta, G, gn_param):
    return _groupnorm(x, gamma, beta, G, gn_param, grouping="channel")


@mistake("spatial_groupnorm_forward", section=15, diagnosis="out puts channel c in group "
         "c % G (x.reshape(N, C // G, G, ...)): a group is C // G consecutive channels, "
         "x.reshape(N, G, C // G, H, W)")
def groupnorm_interleaved_groups(x, gamma, beta, G, gn_param):
    return _groupnorm(x, gamma, beta, G, gn_param, grouping="interleaved")


@mistake("spatial_groupnorm_forward", section=15, diagnosis="out takes each group's statistics "
         "over the whole batch (as batch normalisation would): group normalisation "
         "normalises each image on its own, one mean and variance per image and group")
def groupnorm_over_batch(x, gamma, beta, G, gn_param):
    return _groupnorm(x, gamma, beta, G, gn_param, grouping="batch")


@mistake("spatial_groupnorm_forward", section=15, diagnosis="out uses the unbiased variance "
         "(ddof=1): normalisation uses the biased one, np.var's default (ddof=0)")
def groupnorm_unbiased_variance(x, gamma, beta, G, gn_param):
    return _groupnorm(x, gamma, beta, G, gn_param, ddof=1)


@mistake("spatial_groupnorm_forward", section=15, diagnosis="out divides by sqrt(var) + eps: "
         "eps goes inside the square root, sqrt(var + eps)")
def groupnorm_eps_outside(x, gamma, beta, G, gn_param):
    return _groupnorm(x, gamma, beta, G, gn_param, eps_mode="outside")


@mistake("spatial_groupnorm_forward", section=15, diagnosis="out divides by sqrt(var) without "
         "eps: x_hat = (x - mean) / sqrt(var + eps)")
def groupnorm_without_eps(x, gamma, beta, G, gn_param):
    return _groupnorm(x, gamma, beta, G, gn_param, eps_mode="none")


@mistake("spatial_groupnorm_forward", section=15, diagnosis="out uses eps = 1e-5 whatever "
         "gn_param['eps'] says (1e-5 is only the default)")
def groupnorm_default_eps(x, gamma, beta, G, gn_param):
    return _groupnorm(x, gamma, beta, G, gn_param, eps=1e-5)


@mistake("spatial_groupnorm_forward", section=15, diagnosis="out is beta * x_hat + gamma: "
         "gamma scales and beta shifts, out = gamma * x_hat + beta")
def groupnorm_gamma_beta_swapped(x, gamma, beta, G, gn_param):
    return _groupnorm(x, gamma, beta, G, gn_param, affine="swapped")


def _groupnorm_grads(dout, cache, *, grouping: str = "group", with_gamma: bool = True,
                     params: str = "right", **paths: Any
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients of group normalisation from the docstring's cache, with one mistake:
    dx's means over another ``grouping`` or without some paths (``_norm_dx``), dx_hat
    without gamma, or dgamma and dbeta ``params`` "flat" (shape (C,)), "batch_only" (summed
    over N alone), "averaged" (means over N, H, W) or "of_x" (dgamma from x, not x_hat)."""
    dout = np.asarray(dout, dtype=np.float64)
    x, gamma, G, eps = np.asarray(cache[0], dtype=np.float64), cache[4], int(cache[6]), \
        float(cache[7])
    rows, back = _to_rows(x, G, grouping)
    drows, _ = _to_rows(dout * gamma if with_gamma else dout, G, grouping)
    dx = back(_norm_dx(rows, 1.0, eps, drows, 1, **paths))
    x_hat = group_normalise(x, G, eps)
    times = np.asarray(cache[0], dtype=np.float64) if params == "of_x" else x_hat
    axes, keep = ((0,), True) if params == "batch_only" else ((0, 2, 3), params != "flat")
    dgamma = (dout * times).sum(axis=axes, keepdims=keep)
    dbeta = dout.sum(axis=axes, keepdims=keep)
    if params == "averaged":
        count = dout.size / dout.shape[1]
        dgamma, dbeta = dgamma / count, dbeta / count
    return dx, dgamma, dbeta


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dx is dout * gamma / sqrt(var + "
         "eps): each group's mean and variance depend on x too; backpropagate through them "
         "(or use the simplified expression over each group)")
def groupnorm_backward_without_statistics(dout, cache):
    return _groupnorm_grads(dout, cache, through_mean=False, through_var=False)


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dx misses the path through the "
         "variance (the term in x_hat * mean(dx_hat * x_hat) over each group)")
def groupnorm_backward_without_variance_path(dout, cache):
    return _groupnorm_grads(dout, cache, through_var=False)


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dx misses the path through the "
         "mean (the term - mean(dx_hat) over each group)")
def groupnorm_backward_without_mean_path(dout, cache):
    return _groupnorm_grads(dout, cache, through_mean=False)


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dx is computed from dx_hat = "
         "dout, without gamma: dx_hat = dout * gamma")
def groupnorm_backward_without_gamma(dout, cache):
    return _groupnorm_grads(dout, cache, with_gamma=False)


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dx takes its means over each "
         "channel of each image (as instance normalisation would): they run over the whole "
         "group, its C // G channels and all their positions")
def groupnorm_backward_per_channel(dout, cache):
    return _groupnorm_grads(dout, cache, grouping="channel")


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dx takes its means over all the "
         "channels of each image (as layer normalisation would): they run over each group "
         "of C // G channels")
def groupnorm_backward_over_whole_image(dout, cache):
    return _groupnorm_grads(dout, cache, grouping="image")


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dgamma and dbeta have shape "
         "(C,): return them in the shape of gamma and beta, (1, C, 1, 1) (sum with "
         "keepdims=True)")
def groupnorm_backward_flat_parameter_grads(dout, cache):
    return _groupnorm_grads(dout, cache, params="flat")


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dgamma and dbeta are summed over "
         "the batch axis only (shape (1, C, H, W)): gamma and beta act at every position "
         "too, so sum over N, H and W, axis=(0, 2, 3)")
def groupnorm_backward_parameter_grads_over_batch_only(dout, cache):
    return _groupnorm_grads(dout, cache, params="batch_only")


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dgamma and dbeta are averages: "
         "they are SUMS over N, H and W (every value of the channel adds its share)")
def groupnorm_backward_averaged_parameter_grads(dout, cache):
    return _groupnorm_grads(dout, cache, params="averaged")


@mistake("spatial_groupnorm_backward", section=15, diagnosis="dgamma is sum(dout * x): gamma "
         "multiplies x_hat, so dgamma = sum(dout * x_hat) over N, H and W")
def groupnorm_backward_dgamma_of_x(dout, cache):
    return _groupnorm_grads(dout, cache, params="of_x")
