"""Common mistakes of 03_backprop: the staged examples, the layers, the losses, the
two-layer net and the scalar autograd engine.

Every variant starts from an oracle, with one mistake patched in: PyTorch autograd in
float64 for the layers, losses and the net (:func:`_autograd`, as the hidden tests'
judges), the checks' own branch formulas for the staged example
(:func:`cs231n_utils.checks.backprop._staged_branches`), SciPy's ``expit`` for the
sigmoid, and for ``Value.backward`` the gradients of a graph as the solution of a linear
system (``g = e_out + L^T g``, with ``L`` the matrix of local derivatives), which needs no
walk through the graph.

``TwoLayerNet.__init__`` draws random weights, which no variant can reproduce number by
number: its outputs are the statistics its check looks at (shapes, the weights' spread
and mean, the biases' largest entry, ``reg``), compared within 15 %.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.special import expit

from cs231n_utils.checks.backprop import _staged_branches
from cs231n_utils.checks.mistakes import Catalogue, Graded, returned

PARAMS = ("W1", "b1", "W2", "b2")


def _net_outputs(args: Sequence[Any], result: Any) -> dict[str, Any]:
    """``TwoLayerNet.loss``: the scores (no labels) or the loss and the gradients."""
    if isinstance(result, tuple | list):
        loss, grads = result
        return {"loss": loss, "grads": {k: grads[k] for k in PARAMS}}
    return {"scores": result}


def _init_outputs(args: Sequence[Any], result: Any) -> dict[str, Any]:
    """``TwoLayerNet.__init__``: what its check looks at, as numbers."""
    params = args[0].params
    weights = [np.asarray(params[k], dtype=np.float64) for k in ("W1", "W2")]
    return {"shapes": [list(np.shape(params[k])) for k in PARAMS],
            "weights": [float(np.std(w)) for w in weights]
            + [abs(float(np.mean(w))) for w in weights],
            "biases": [float(np.max(np.abs(params[k]), initial=0.0)) for k in ("b1", "b2")],
            "reg": float(args[0].reg)}


def _value_outputs(args: Sequence[Any], result: Any) -> dict[str, Any]:
    """An operation of ``Value``: the result's number and local derivatives."""
    return {"data": result.data, "local": [float(g) for g in result.local_grads]}


def _nodes(out: Any) -> list[Any]:
    """Every value of ``out``'s graph once, in the order a stack-based walk meets them."""
    seen, order, stack = set(), [], [out]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            order.append(node)
            stack.extend(reversed(node.parents))
    return order


def _leaf_grads(args: Sequence[Any], result: Any) -> dict[str, Any]:
    """``Value.backward``: the grads of the graph's inputs (values without parents)."""
    return {"input_grads": [float(v.grad) for v in _nodes(args[0]) if not v.parents]}


CATALOGUE = Catalogue(
    "03_backprop",
    sections={1: "Derivatives and the chain rule",
              3: "A staged example: forward and backward", 5: "The affine layer",
              6: "ReLU and sigmoid layers", 7: "Loss layers: SVM and softmax",
              8: "The affine-ReLU sandwich", 9: "A two-layer network",
              13: "A scalar autograd engine"},
    functions=[
        Graded("add_multiply_backward", "staged", returned("dx", "dy", "dz")),
        Graded("staged_example_backward", "staged", returned("dx", "dy")),
        Graded("affine_forward", "layers", returned("out", None)),
        Graded("affine_backward", "layers", returned("dx", "dw", "db")),
        Graded("relu_forward", "layers", returned("out", None)),
        Graded("relu_backward", "layers", returned("dx")),
        Graded("sigmoid_forward", "layers", returned("out", None)),
        Graded("sigmoid_backward", "layers", returned("dx")),
        Graded("svm_loss", "layers", returned("loss", "dx")),
        Graded("softmax_loss", "layers", returned("loss", "dx")),
        Graded("affine_relu_forward", "layer_utils", returned("out", None)),
        Graded("affine_relu_backward", "layer_utils", returned("dx", "dw", "db")),
        Graded("TwoLayerNet.__init__", "classifiers.fc_net", _init_outputs, tolerance=0.15),
        Graded("TwoLayerNet.loss", "classifiers.fc_net", _net_outputs),
        *(Graded(f"Value.{op}", "autograd", _value_outputs)
          for op in ("__add__", "__mul__", "__pow__", "exp", "relu", "sigmoid")),
        Graded("Value.backward", "autograd", _leaf_grads),
    ])
mistake = CATALOGUE.mistake


def _autograd(f: Callable[..., Any], arrays: Sequence[Any],
              upstream: Any = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """``f`` on float64 tensors made from ``arrays``: its value and the gradients of
    ``sum(value * upstream)`` (of the value itself when ``upstream`` is None)."""
    import torch

    leaves = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
              for a in arrays]
    value = f(*leaves)
    grads = torch.autograd.grad(
        value, leaves, None if upstream is None else torch.tensor(
            np.asarray(upstream, dtype=np.float64)), allow_unused=True)
    return value.detach().numpy(), [np.zeros(np.shape(a)) if g is None else g.numpy()
                                    for a, g in zip(arrays, grads, strict=True)]


def _affine(x, w, b):
    """The affine layer on tensors."""
    return x.reshape(x.shape[0], -1) @ w + b


# --- 1. f = (x + y) z --------------------------------------------------------------------------
@mistake("add_multiply_backward", section=1, diagnosis="dx, dy and dz are the local "
         "derivatives alone: multiply each by the upstream gradient df")
def add_multiply_without_df(df, cache):
    x, y, z, q = cache
    return z * np.ones_like(df), z * np.ones_like(df), q * np.ones_like(df)


@mistake("add_multiply_backward", section=1, diagnosis="the multiply gate did not swap: "
         "dz uses z and dx, dy use x + y; the gradient of one input of a product is the "
         "OTHER input times df")
def add_multiply_without_swap(df, cache):
    x, y, z, q = cache
    return q * df, q * df, z * df


@mistake("add_multiply_backward", section=1, diagnosis="the add gate split the gradient in "
         "halves: an add gate passes its gradient on unchanged to both inputs")
def add_multiply_add_halves(df, cache):
    x, y, z, q = cache
    return z * df / 2, z * df / 2, q * df


# --- 3. the staged example ---------------------------------------------------------------------
@mistake("staged_example_backward", section=3, diagnosis="dx and dy hold only the last "
         "stage's contribution: a later = overwrote the earlier ones; add each branch with "
         "+=")
def staged_every_branch_overwritten(df, cache):
    to_x, to_y = _staged_branches(df, cache)
    return to_x[-1], to_y[-1]


@mistake("staged_example_backward", section=3, diagnosis="dx lacks the branch through "
         "(x + y) ** 2: it was overwritten (=) by the sigmoid's branch; add it with +=")
def staged_dx_square_branch_overwritten(df, cache):
    to_x, to_y = _staged_branches(df, cache)
    return to_x[1] + to_x[2], sum(to_y)


@mistake("staged_example_backward", section=3, diagnosis="the branches through the "
         "denominator have the wrong sign: the derivative of 1 / den is MINUS 1 / den ** 2")
def staged_reciprocal_without_minus(df, cache):
    to_x, to_y = _staged_branches(df, cache)
    return -to_x[0] - to_x[1] + to_x[2], -to_y[0] + to_y[1]


# --- 5. the affine layer -----------------------------------------------------------------------
@mistake("affine_forward", section=5, diagnosis="out lacks the bias: out = x_flat @ w + b")
def affine_without_bias(x, w, b):
    return np.asarray(x).reshape(len(x), -1) @ w, None


@mistake("affine_forward", section=5, diagnosis="out matches x reshaped to (D, N) and "
         "transposed, which mixes the numbers of different examples: flatten each example "
         "into a row with x.reshape(N, -1)")
def affine_scrambled_rows(x, w, b):
    out, _ = _autograd(lambda x, w, b: _affine(x.reshape(-1, x.shape[0]).T, w, b), [x, w, b],
                       np.ones((len(x), len(b))))
    return out, None


def _affine_grads(dout, cache):
    x, w, b = cache
    _, grads = _autograd(_affine, [x, w, b], dout)
    return grads


@mistake("affine_backward", section=5, diagnosis="db is the MEAN of dout over the rows: b "
         "is added to every row, so db is their sum")
def affine_db_mean(dout, cache):
    dx, dw, db = _affine_grads(dout, cache)
    return dx, dw, db / len(dout)


@mistake("affine_backward", section=5, diagnosis="dx has the shape of the flattened x "
         "(N, D): reshape it to the shape of x")
def affine_dx_flat(dout, cache):
    dx, dw, db = _affine_grads(dout, cache)
    return dx.reshape(len(dx), -1), dw, db


@mistake("affine_backward", section=5, diagnosis="dw and db lack the upstream gradient: "
         "dw = x_flat.T @ dout and db sums dout, not ones")
def affine_param_grads_without_dout(dout, cache):
    dx, _, _ = _affine_grads(dout, cache)
    _, dw, db = _affine_grads(np.ones_like(dout), cache)
    return dx, dw, db


# --- 6. ReLU and sigmoid -----------------------------------------------------------------------
@mistake("relu_forward", section=6, diagnosis="out is np.max(x, 0), the largest entry along "
         "axis 0: the ReLU is np.maximum(x, 0), elementwise")
def relu_max_along_axis(x):
    return np.max(x, 0), None


@mistake("relu_forward", section=6, diagnosis="out keeps the negative entries and zeroes "
         "the positive ones (np.minimum): the ReLU is max(0, x)")
def relu_minimum(x):
    return np.minimum(x, 0.0), None


@mistake("relu_backward", section=6, diagnosis="dx lets dout through where x == 0: the "
         "ReLU's gradient there is 0 (mask x > 0, not x >= 0)")
def relu_backward_at_zero(dout, cache):
    return np.where(np.asarray(cache) >= 0, dout, 0.0)


@mistake("relu_backward", section=6, diagnosis="dx is the ReLU's local gradient alone (1 "
         "where x > 0): multiply it by dout")
def relu_backward_without_dout(dout, cache):
    return (np.asarray(cache) > 0).astype(np.float64)


@mistake("relu_backward", section=6, diagnosis="dx is max(0, dout): the mask comes from the "
         "layer's input x (the cache), dx = dout * (x > 0)")
def relu_backward_on_dout(dout, cache):
    return np.maximum(dout, 0.0)


@mistake("sigmoid_forward", section=6, diagnosis="out is sigmoid(-x) = 1 / (1 + e ** x): "
         "the exponent of the sigmoid is -x")
def sigmoid_of_minus_x(x):
    return expit(-np.asarray(x, dtype=np.float64)), None


@mistake("sigmoid_forward", section=6, diagnosis="out is e ** -|x| / (1 + e ** -|x|) "
         "everywhere, right only for x < 0: for x >= 0 it is 1 / (1 + e ** -|x|)")
def sigmoid_negative_branch_only(x):
    return expit(-np.abs(np.asarray(x, dtype=np.float64))), None


@mistake("sigmoid_backward", section=6, diagnosis="dx treats the cache as the input x and "
         "applies the sigmoid again: the cache already is the output s, dx = dout * s * "
         "(1 - s)")
def sigmoid_backward_of_input(dout, cache):
    s = expit(np.asarray(cache, dtype=np.float64))
    return dout * s * (1 - s)


@mistake("sigmoid_backward", section=6, diagnosis="dx is the sigmoid's local gradient s * "
         "(1 - s) alone: multiply it by dout")
def sigmoid_backward_without_dout(dout, cache):
    s = np.asarray(cache, dtype=np.float64)
    return s * (1 - s) * np.ones_like(dout)


# --- 7. the losses -----------------------------------------------------------------------------
def _svm(x, y, margin=1.0):
    """The SVM loss (summed over classes, averaged over examples) and its gradient."""
    import torch
    from torch.nn import functional

    labels = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    loss, (dx,) = _autograd(
        lambda s: functional.multi_margin_loss(s, labels, margin=margin) * s.shape[1], [x])
    return float(loss), dx


def _softmax(x, y):
    """The softmax loss (averaged) and its gradient."""
    import torch
    from torch.nn import functional

    labels = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    loss, (dx,) = _autograd(lambda s: functional.cross_entropy(s, labels), [x])
    return float(loss), dx


def _both_losses(name: str, section: int, diagnosis: str,
                 patch: Callable[[float, np.ndarray, np.ndarray, np.ndarray], tuple]) -> None:
    """Catalogue ``patch(loss, dx, x, y)`` applied to the right answer as a mistake of
    ``svm_loss`` and of ``softmax_loss``."""
    for function, oracle in (("svm_loss", _svm), ("softmax_loss", _softmax)):
        def variant(x, y, oracle=oracle):
            loss, dx = oracle(x, y)
            return patch(loss, dx, np.asarray(x, dtype=np.float64), np.asarray(y))
        variant.__name__ = f"{function.partition('_')[0]}_{name}"
        mistake(function, section=section, diagnosis=diagnosis)(variant)


_both_losses("not_averaged", 7, "the loss and dx are sums over the N examples, N times too "
             "large: average over the examples (divide both by N)",
             lambda loss, dx, x, y: (loss * len(y), dx * len(y)))
_both_losses("dx_not_averaged", 7, "dx is N times too large: it is the gradient of the "
             "summed loss, while the loss returned is the average over the N examples",
             lambda loss, dx, x, y: (loss, dx * len(y)))


@mistake("svm_loss", section=7, diagnosis="the loss is 1 too large: the correct class "
         "counted with its margin of 1 per example; skip j == y[i]")
def svm_counts_correct_class(x, y):
    loss, dx = _svm(x, y)
    return loss + 1.0, dx


@mistake("svm_loss", section=7, diagnosis="dx misses the correct class's entries: for each "
         "positive margin, subtract 1 at the correct class y[i] as well")
def svm_without_correct_class_gradient(x, y):
    loss, dx = _svm(x, y)
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    rows = np.arange(len(y))
    positive = x - x[rows, y][:, None] + 1.0 > 0
    positive[rows, y] = False
    dx[rows, y] += positive.sum(axis=1) / len(y)
    return loss, dx


@mistake("svm_loss", section=7, diagnosis="the margins have no delta: the hinge is max(0, "
         "s_j - s_y + 1), with the + 1")
def svm_without_delta(x, y):
    return _svm(x, y, margin=0.0)


@mistake("softmax_loss", section=7, diagnosis="the loss or dx is not finite for large "
         "scores: exp overflows; subtract each row's largest score before exp")
def softmax_without_max_shift(x, y):
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    with np.errstate(all="ignore"):
        e = np.exp(x)
        p = e / e.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(p[np.arange(len(y)), y])))
    if np.all(np.isfinite(p)) and np.isfinite(loss):
        return _softmax(x, y)
    dx = p.copy()
    dx[np.arange(len(y)), y] -= 1.0
    return loss, dx / len(y)


@mistake("softmax_loss", section=7, diagnosis="dx lacks the '- 1' at the correct class: "
         "the gradient of the scores is the probabilities minus the one-hot labels, over N")
def softmax_without_onehot(x, y):
    loss, dx = _softmax(x, y)
    dx[np.arange(len(y)), np.asarray(y)] += 1.0 / len(y)
    return loss, dx


# --- 8. the sandwich ---------------------------------------------------------------------------
def _affine_relu(x, w, b):
    import torch

    return torch.relu(_affine(x, w, b))


@mistake("affine_relu_forward", section=8, diagnosis="out is the affine output without the "
         "ReLU: out = relu(affine(x, w, b))")
def affine_relu_without_relu(x, w, b):
    out, _ = _autograd(_affine, [x, w, b], np.ones((len(x), len(b))))
    return out, None


@mistake("affine_relu_forward", section=8, diagnosis="the ReLU was applied to x before the "
         "affine layer: it comes after, out = relu(affine(x, w, b))")
def affine_relu_reversed(x, w, b):
    import torch

    out, _ = _autograd(lambda x, w, b: _affine(torch.relu(x), w, b), [x, w, b],
                       np.ones((len(x), len(b))))
    return out, None


@mistake("affine_relu_backward", section=8, diagnosis="dx, dw, db skip the ReLU: dout went "
         "straight into affine_backward; go back through relu_backward first")
def affine_relu_backward_without_relu(dout, cache):
    (x, w, b), a = cache
    _, grads = _autograd(_affine, [x, w, b], dout)
    return tuple(grads)


@mistake("affine_relu_backward", section=8, diagnosis="the ReLU's gradient was max(0, dout): "
         "its mask comes from the affine output a in the cache, dout * (a > 0)")
def affine_relu_backward_mask_from_dout(dout, cache):
    (x, w, b), a = cache
    _, grads = _autograd(_affine, [x, w, b], np.maximum(dout, 0.0))
    return tuple(grads)


# --- 9. the two-layer net ----------------------------------------------------------------------
def _net(self, X, y, *, relu=True, penalty=0.5, grad_penalty=None):
    """The two-layer net on ``self.params`` and ``self.reg``: the scores (``y`` None), or
    the loss with ``penalty * reg * sum(W ** 2)`` and the gradients of the loss with
    ``grad_penalty`` (default: ``penalty``) in its place."""
    import torch
    from torch.nn import functional

    params = [np.asarray(self.params[k], dtype=np.float64) for k in PARAMS]
    X = torch.as_tensor(np.asarray(X, dtype=np.float64))

    def scores_of(W1, b1, W2, b2):
        hidden = _affine(X, W1, b1)
        return (torch.relu(hidden) if relu else hidden) @ W2 + b2

    if y is None:
        scores, _ = _autograd(scores_of, params, np.ones((len(X), len(params[3]))))
        return scores
    labels = torch.as_tensor(np.asarray(y), dtype=torch.int64)
    reg = float(self.reg)

    def loss_of(strength):
        def f(W1, b1, W2, b2):
            return (functional.cross_entropy(scores_of(W1, b1, W2, b2), labels)
                    + strength * reg * ((W1**2).sum() + (W2**2).sum()))
        return f

    loss, _ = _autograd(loss_of(penalty), params)
    _, grads = _autograd(loss_of(penalty if grad_penalty is None else grad_penalty), params)
    return float(loss), dict(zip(PARAMS, grads, strict=True))


@mistake("TwoLayerNet.loss", section=9, diagnosis="the scores skip the ReLU between the "
         "layers: scores = relu(X_flat @ W1 + b1) @ W2 + b2")
def net_without_relu(self, X, y=None):
    return _net(self, X, y, relu=False)


@mistake("TwoLayerNet.loss", section=9, diagnosis="grads of W1 and W2 lack the gradient of "
         "the penalty 0.5 * reg * sum(W * W), which is reg * W")
def net_without_reg_gradient(self, X, y=None):
    return _net(self, X, y, grad_penalty=0.0)


@mistake("TwoLayerNet.loss", section=9, diagnosis="the loss lacks the penalty 0.5 * reg * "
         "(sum(W1 * W1) + sum(W2 * W2)), though the gradients have it")
def net_loss_without_reg(self, X, y=None):
    if y is None:
        return _net(self, X, None)
    return _net(self, X, y, penalty=0.0)[0], _net(self, X, y)[1]


@mistake("TwoLayerNet.loss", section=9, diagnosis="the penalty is reg * sum(W * W), twice "
         "the net's 0.5 * reg * sum(W * W) (and its gradient 2 * reg * W, not reg * W)")
def net_penalty_without_half(self, X, y=None):
    return _net(self, X, y, penalty=1.0)


def _init(self, input_dim, hidden_dim, num_classes, reg, W1, W2):
    self.reg = reg
    self.params = {"W1": W1, "b1": np.zeros(hidden_dim), "W2": W2, "b2": np.zeros(num_classes)}


@mistake("TwoLayerNet.__init__", section=9, diagnosis="the weights start at 0: every hidden "
         "unit then computes the same and gets the same gradient; draw them as "
         "weight_scale * np.random.randn(...)")
def init_zero_weights(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10,
                      weight_scale=1e-3, reg=0.0):
    _init(self, input_dim, hidden_dim, num_classes, reg, np.zeros((input_dim, hidden_dim)),
          np.zeros((hidden_dim, num_classes)))


@mistake("TwoLayerNet.__init__", section=9, diagnosis="the weights have standard deviation "
         "1: multiply np.random.randn(...) by weight_scale")
def init_without_weight_scale(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10,
                              weight_scale=1e-3, reg=0.0):
    rng = np.random.default_rng(0)
    _init(self, input_dim, hidden_dim, num_classes, reg,
          rng.standard_normal((input_dim, hidden_dim)),
          rng.standard_normal((hidden_dim, num_classes)))


@mistake("TwoLayerNet.__init__", section=9, diagnosis="the weights are uniform in [0, "
         "weight_scale) (np.random.rand): draw them from a normal distribution, "
         "weight_scale * np.random.randn(...)")
def init_uniform_weights(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10,
                         weight_scale=1e-3, reg=0.0):
    rng = np.random.default_rng(0)
    _init(self, input_dim, hidden_dim, num_classes, reg,
          weight_scale * rng.random((input_dim, hidden_dim)),
          weight_scale * rng.random((hidden_dim, num_classes)))


# --- 13. the scalar autograd engine ------------------------------------------------------------
def _made(self, data: float, parents: tuple, local_grads: tuple, op: str) -> Any:
    """A new value of ``self``'s class (the engine's constructor is given, not graded)."""
    return type(self)(data, parents, local_grads, op)


def _other(self, other):
    return other if hasattr(other, "data") else type(self)(float(other))


@mistake("Value.__add__", section=13, diagnosis="the local derivatives of a + b are the "
         "inputs' numbers (b, a), a multiply gate's: an add gate's are (1, 1)")
def add_local_swapped(self, other):
    other = _other(self, other)
    return _made(self, self.data + other.data, (self, other), (other.data, self.data), "+")


@mistake("Value.__add__", section=13, diagnosis="the local derivatives of a + b are (0.5, "
         "0.5): an add gate passes the whole gradient to each input, (1, 1)")
def add_local_halves(self, other):
    other = _other(self, other)
    return _made(self, self.data + other.data, (self, other), (0.5, 0.5), "+")


@mistake("Value.__mul__", section=13, diagnosis="the local derivatives of a * b are (a, b): "
         "a multiply gate swaps, d(ab)/da = b and d(ab)/db = a")
def mul_local_not_swapped(self, other):
    other = _other(self, other)
    return _made(self, self.data * other.data, (self, other), (self.data, other.data), "*")


@mistake("Value.__mul__", section=13, diagnosis="the local derivatives of a * b are (1, 1), "
         "an add gate's: d(ab)/da = b and d(ab)/db = a")
def mul_local_ones(self, other):
    other = _other(self, other)
    return _made(self, self.data * other.data, (self, other), (1.0, 1.0), "*")


@mistake("Value.__pow__", section=13, diagnosis="the local derivative of a ** n is n * a ** "
         "n: the power drops by one, n * a ** (n - 1)")
def pow_local_same_power(self, exponent):
    n = float(exponent)
    return _made(self, self.data**n, (self,), (n * self.data**n,), f"**{n:g}")


@mistake("Value.__pow__", section=13, diagnosis="the local derivative of a ** n is a ** "
         "(n - 1), without the factor n: n * a ** (n - 1)")
def pow_local_without_factor(self, exponent):
    n = float(exponent)
    return _made(self, self.data**n, (self,), (self.data ** (n - 1.0),), f"**{n:g}")


@mistake("Value.exp", section=13, diagnosis="the local derivative of e ** a is a: exp is its "
         "own derivative, e ** a")
def exp_local_input(self):
    return _made(self, float(np.exp(self.data)), (self,), (self.data,), "exp")


@mistake("Value.exp", section=13, diagnosis="the local derivative of e ** a is 1: exp is its "
         "own derivative, e ** a")
def exp_local_one(self):
    return _made(self, float(np.exp(self.data)), (self,), (1.0,), "exp")


@mistake("Value.relu", section=13, diagnosis="the ReLU's local derivative at a == 0 is 1: "
         "take 0 there (a > 0, not a >= 0)")
def relu_local_one_at_zero(self):
    return _made(self, max(0.0, self.data), (self,), (1.0 if self.data >= 0 else 0.0,),
                 "relu")


@mistake("Value.relu", section=13, diagnosis="the ReLU's local derivative is its output "
         "max(0, a): it is 1 where a > 0 and 0 elsewhere")
def relu_local_output(self):
    return _made(self, max(0.0, self.data), (self,), (max(0.0, self.data),), "relu")


@mistake("Value.sigmoid", section=13, diagnosis="the sigmoid's local derivative is s = "
         "sigmoid(a) alone: it is s * (1 - s)")
def sigmoid_local_output(self):
    s = float(expit(self.data))
    return _made(self, s, (self,), (s,), "sigmoid")


@mistake("Value.sigmoid", section=13, diagnosis="the sigmoid's local derivative is a * (1 - "
         "a), from the input: it is s * (1 - s) with s = sigmoid(a)")
def sigmoid_local_of_input(self):
    s = float(expit(self.data))
    return _made(self, s, (self,), (self.data * (1.0 - self.data),), "sigmoid")


def _solve_grads(out: Any, start: Callable[[Any], float]) -> None:
    """Set every ``grad`` of ``out``'s graph to the solution of ``g = b + L^T g``, with
    ``b[v] = start(v)`` and ``L[c, p]`` the local derivative of child ``c`` on parent ``p``
    (the chain rule summed over all paths, as a linear system)."""
    from scipy.sparse import csc_matrix, identity
    from scipy.sparse.linalg import spsolve

    nodes = _nodes(out)
    index = {id(v): i for i, v in enumerate(nodes)}
    rows, cols, values = [], [], []
    for child in nodes:
        for parent, g in zip(child.parents, child.local_grads, strict=True):
            rows.append(index[id(parent)])
            cols.append(index[id(child)])
            values.append(float(g))
    n = len(nodes)
    M = csc_matrix((values, (rows, cols)), shape=(n, n))
    b = np.array([start(v) for v in nodes], dtype=np.float64)
    g = np.atleast_1d(spsolve((identity(n, format="csc") - M).tocsc(), b))
    for v, grad in zip(nodes, g, strict=True):
        v.grad = float(grad)


@mistake("Value.backward", section=13, diagnosis="a second call of backward adds to the "
         "grads of the first: reset every grad to 0 before you start")
def backward_without_reset(self):
    _solve_grads(self, lambda v: 1.0 if v is self else v.grad)


@mistake("Value.backward", section=13, diagnosis="every grad stays 0: set the output's own "
         "grad to 1.0 before walking back")
def backward_without_seed(self):
    for v in _nodes(self):
        v.grad = 0.0
