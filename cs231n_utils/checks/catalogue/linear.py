"""Common mistakes of 02_linear_classifiers: the SVM and softmax losses, predict.

Every loss variant starts from the checks' oracle (PyTorch's losses and autograd,
:func:`cs231n_utils.checks.linear._oracle`) and patches in one mistake.
``LinearClassifier.train`` has none here: its check already says which step went wrong
(ascent instead of descent, batches without their labels, the same batch every step).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cs231n_utils.checks.linear import _oracle
from cs231n_utils.checks.mistakes import Catalogue, Graded, returned

LOSSES = {"svm": ("svm_loss_naive", "svm_loss_vectorized"),
          "softmax": ("softmax_loss_naive", "softmax_loss_vectorized")}

CATALOGUE = Catalogue(
    "02_linear_classifiers",
    sections={3: "The multiclass SVM loss", 4: "Regularisation: which W to prefer",
              6: "The softmax loss", 9: "Predicting"},
    functions=[
        *(Graded(f, "classifiers.linear_svm", returned("loss", "dW")) for f in LOSSES["svm"]),
        *(Graded(f, "classifiers.softmax", returned("loss", "dW")) for f in LOSSES["softmax"]),
        Graded("LinearClassifier.predict", "classifiers.linear_classifier",
               returned("y_pred")),
    ])
mistake = CATALOGUE.mistake

Patch = Callable[[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float],
                 tuple[float, np.ndarray]]


def _both_losses(name: str, section: int | tuple[int, int], diagnosis: str,
                 patch: Patch) -> None:
    """Catalogue ``patch(loss, dW, W, X, y, reg)``, applied to the right answer, as a
    mistake of the SVM losses and of the softmax losses (one variant for each; ``section``
    one for both, or the SVM's and the softmax's)."""
    sections = dict(zip(LOSSES, section if isinstance(section, tuple) else (section,) * 2,
                        strict=True))
    for kind, functions in LOSSES.items():
        def variant(W, X, y, reg, kind=kind):
            loss, dW = _oracle(kind, W, X, y, reg)
            return patch(loss, dW, W, X, y, reg)
        variant.__name__ = f"{kind}_{name}"
        mistake(*functions, section=sections[kind], diagnosis=diagnosis)(variant)


def _data(loss: float, W: np.ndarray, reg: float) -> float:
    """The data part of a loss (without reg * sum(W * W))."""
    return loss - reg * float(np.sum(W * W))


# --- both losses: regularisation and averaging -------------------------------------------
_both_losses(
    "without_regularisation_gradient", 4,
    "dW matches the gradient without the regularisation term (2 * reg * W)",
    lambda loss, dW, W, X, y, reg: (loss, dW - 2 * reg * W))
_both_losses(
    "half_regularisation_gradient", 4,
    "dW has reg * W where the derivative of reg * sum(W * W) is 2 * reg * W",
    lambda loss, dW, W, X, y, reg: (loss, dW - reg * W))
_both_losses(
    "without_regularisation", 4,
    "neither the loss nor dW has the regularisation: add reg * sum(W * W) to the loss and "
    "2 * reg * W to dW",
    lambda loss, dW, W, X, y, reg: (_data(loss, W, reg), dW - 2 * reg * W))
_both_losses(
    "loss_without_regularisation", 4,
    "the loss lacks the regularisation term reg * sum(W * W), though dW has its gradient",
    lambda loss, dW, W, X, y, reg: (_data(loss, W, reg), dW))
_both_losses(
    "half_regularisation", 4,
    "the regularisation is 0.5 * reg * sum(W * W) with gradient reg * W; here it is "
    "reg * sum(W * W), whose gradient is 2 * reg * W",
    lambda loss, dW, W, X, y, reg: (_data(loss, W, reg) + 0.5 * reg * np.sum(W * W),
                                    dW - reg * W))
_both_losses(
    "gradient_wrong_sign", (3, 6),
    "dW has the wrong sign: it points downhill; the gradient points uphill",
    lambda loss, dW, W, X, y, reg: (loss, -dW))
_both_losses(
    "summed_not_averaged", (3, 6),
    "the loss and dW are sums over the N examples, not averages: divide the data part of "
    "both by N",
    lambda loss, dW, W, X, y, reg: (len(y) * _data(loss, W, reg) + reg * np.sum(W * W),
                                    len(y) * (dW - 2 * reg * W) + 2 * reg * W))
_both_losses(
    "loss_not_averaged", (3, 6),
    "the loss is a sum over the N examples while dW is their average: divide the loss's "
    "data part by N too",
    lambda loss, dW, W, X, y, reg: (len(y) * _data(loss, W, reg) + reg * np.sum(W * W), dW))
_both_losses(
    "gradient_not_averaged", (3, 6),
    "dW is a sum over the N examples while the loss is their average: divide dW's data "
    "part by N too",
    lambda loss, dW, W, X, y, reg: (loss, len(y) * (dW - 2 * reg * W) + 2 * reg * W))


# --- the SVM -----------------------------------------------------------------------------
@mistake(*LOSSES["svm"], section=3, diagnosis="the loss is 1 too large per example: the "
         "correct class's own margin (j == y[i], always 1) was counted; skip it")
def svm_counts_correct_class(W, X, y, reg):
    loss, dW = _oracle("svm", W, X, y, reg)
    return loss + 1.0, dW  # its two gradient terms, +x_i and -x_i, cancel


@mistake(*LOSSES["svm"], section=3, diagnosis="dW misses the correct class's column: for "
         "every class j with a positive margin, subtract x_i from column y[i] as well")
def svm_without_correct_class_gradient(W, X, y, reg):
    loss, dW = _oracle("svm", W, X, y, reg)
    positive = (_margins(W, X, y) > 0).astype(float)
    positive[np.arange(len(y)), y] = 0.0
    counts = positive.sum(axis=1)  # how often x_i was subtracted from column y[i]
    onehot = np.eye(W.shape[1])[y]
    return loss, dW + X.T @ (counts[:, None] * onehot) / len(y)


@mistake(*LOSSES["svm"], section=3, diagnosis="the margins have no delta: the hinge is "
         "max(0, s_j - s_y + 1), with the + 1")
def svm_without_delta(W, X, y, reg):
    import torch
    from torch.nn import functional

    W_t = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    scores = torch.as_tensor(X, dtype=torch.float64) @ W_t
    data_loss = W.shape[1] * functional.multi_margin_loss(
        scores, torch.as_tensor(y, dtype=torch.int64), margin=0.0)
    data_loss.backward()
    return (float(data_loss.detach()) + reg * float(np.sum(W * W)),
            W_t.grad.numpy() + 2 * reg * W)


def _margins(W: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``s_j - s_y + 1`` for every example and class (the correct class's own included)."""
    scores = X @ W
    return scores - scores[np.arange(len(y)), y][:, None] + 1.0


# --- the softmax -------------------------------------------------------------------------
@mistake(*LOSSES["softmax"], section=6, diagnosis="the loss or dW is not finite when "
         "scores are large: exp overflows; subtract each row's largest score before exp")
def softmax_without_max_shift(W, X, y, reg):
    loss, dW = _oracle("softmax", W, X, y, reg)
    with np.errstate(over="ignore"):
        overflows = bool(np.isinf(np.exp(X @ W)).any())
    if overflows:  # exp(score) is inf in some row: the probabilities become inf / inf
        return float("nan"), np.full_like(dW, np.nan)
    return loss, dW


@mistake(*LOSSES["softmax"], section=6, diagnosis="dW lacks the '- 1' at the correct "
         "class: the gradient of the scores is the probabilities minus the one-hot labels")
def softmax_without_onehot(W, X, y, reg):
    loss, dW = _oracle("softmax", W, X, y, reg)
    onehot = np.eye(W.shape[1])[y]
    return loss, dW + X.T @ onehot / len(y)


@mistake(*LOSSES["softmax"], section=6, diagnosis="the loss has the wrong sign: it is "
         "MINUS the log of the correct class's probability")
def softmax_log_without_minus(W, X, y, reg):
    loss, dW = _oracle("softmax", W, X, y, reg)
    return -_data(loss, W, reg) + reg * np.sum(W * W), dW


# --- predict -----------------------------------------------------------------------------
def _scores(model, X):
    return np.asarray(X, dtype=np.float64) @ np.asarray(model.W, dtype=np.float64)


@mistake("LinearClassifier.predict", section=9, diagnosis="the labels are the classes with "
         "the LOWEST score (argmin); predict the highest (argmax)")
def predict_argmin(model, X):
    return np.argmin(_scores(model, X), axis=1)


@mistake("LinearClassifier.predict", section=9, diagnosis="the argmax runs over the "
         "examples (axis 0); take it over the classes of each row (axis 1)")
def predict_wrong_axis(model, X):
    return np.argmax(_scores(model, X), axis=0)
