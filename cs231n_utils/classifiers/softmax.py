# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""The softmax (cross-entropy) loss of a linear classifier (assignment 02_linear_classifiers).

The softmax classifier reads the scores ``s = x @ W`` of an example as unnormalised log
probabilities: exponentiate and divide by the sum, and the scores become a probability
for every class (the *softmax*). The loss of an example is minus the log probability
that the classifier gives to the correct class, which simplifies to::

    L_i = log(sum over j of exp(s_j)) - s_{y_i}

The first term is the *log-sum-exp* of the scores. Computed literally it overflows:
``exp(1000.0)`` is ``inf`` in float64. Subtracting the largest score first changes
nothing mathematically (``log sum exp(s_j) = m + log sum exp(s_j - m)``) and keeps every
exponential in ``(0, 1]``, so scores that differ by 1e4 still give a finite, correct loss
and gradient. Both functions here do that.

The loss of a batch is the mean of ``L_i`` plus ``reg * sum(W * W)``, as for the SVM.
Shapes: ``W`` is ``(D, C)``, ``X`` is ``(N, D)``, ``y`` is ``(N,)`` with labels in
``0 .. C-1``; each function returns ``(loss, dW)``.
"""

from __future__ import annotations

import numpy as np

from cs231n_utils.classifiers.linear_inputs import check_loss_inputs

__all__ = ["softmax_loss_naive", "softmax_loss_vectorized"]


def softmax_loss_naive(
    W: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float
) -> tuple[float, np.ndarray]:
    """Softmax loss and its gradient, with an explicit loop over the examples.

    Numerically stable: the largest score of each example is subtracted before any
    exponential, so huge scores give a finite, correct result.

    Parameters
    ----------
    W : numpy.ndarray
        Weights, shape ``(D, C)``.
    X : numpy.ndarray
        A minibatch of data, shape ``(N, D)``, one example per row.
    y : numpy.ndarray
        Labels, shape ``(N,)``; ``y[i]`` in ``0 .. C-1`` is the class of ``X[i]``.
    reg : float
        Regularisation strength ``>= 0``.

    Returns
    -------
    loss : float
        Mean cross-entropy over the ``N`` examples plus ``reg * sum(W * W)``.
    dW : numpy.ndarray
        Gradient of ``loss`` with respect to ``W``, shape ``(D, C)``.

    Raises
    ------
    ValueError
        If the shapes do not fit together, a label is outside ``0 .. C-1`` or ``reg`` is
        negative.
    """
    W, X, y = check_loss_inputs(W, X, y, reg)
    loss = 0.0
    dW = np.zeros_like(W)
    # YOUR CODE HERE
    raise NotImplementedError(
        'softmax_loss_naive is not written yet: fill it in, guided by 02_linear_classifiers, '
        'section 6 "The softmax loss".'
    )
    return float(loss), dW


def softmax_loss_vectorized(
    W: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float
) -> tuple[float, np.ndarray]:
    """Softmax loss and its gradient, without Python loops.

    Same inputs, outputs, errors and numerical stability as :func:`softmax_loss_naive`.
    """
    W, X, y = check_loss_inputs(W, X, y, reg)
    # YOUR CODE HERE
    raise NotImplementedError(
        'softmax_loss_vectorized is not written yet: fill it in, guided by '
        '02_linear_classifiers, section 7 "The softmax loss, vectorised".'
    )
