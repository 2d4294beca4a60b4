# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""The multiclass SVM (hinge) loss of a linear classifier (assignment 02_linear_classifiers).

A linear classifier scores every class with one matrix product: for a row ``x`` of ``X``
(one flattened image, with a constant 1 appended for the bias), ``scores = x @ W`` holds
one number per class. The multiclass SVM loss is happy with an example when the correct
class's score beats every other score by at least a margin ``MARGIN`` (1.0); each class
that comes closer than that adds the shortfall to the loss::

    L_i = sum over j != y_i of max(0, scores[j] - scores[y_i] + MARGIN)

The loss of a batch is the mean of ``L_i`` over its ``N`` examples plus the L2 penalty
``reg * sum(W * W)`` (CS231n's convention: no factor 1/2, so its gradient is
``2 * reg * W``).

Shapes: ``W`` is ``(D, C)``, ``X`` is ``(N, D)``, ``y`` is ``(N,)`` with labels in
``0 .. C-1``; each function returns ``(loss, dW)`` with ``loss`` a float and ``dW``
the gradient of the loss with respect to ``W``, shape ``(D, C)``.
"""

from __future__ import annotations

import numpy as np

from cs231n_utils.classifiers.linear_inputs import check_loss_inputs

__all__ = ["MARGIN", "svm_loss_naive", "svm_loss_vectorized"]

#: How far the correct class's score must be ahead of every other one (CS231n's delta).
MARGIN = 1.0


def svm_loss_naive(
    W: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float
) -> tuple[float, np.ndarray]:
    """Multiclass SVM loss and its gradient, with explicit loops over examples and classes.

    Parameters
    ----------
    W : numpy.ndarray
        Weights, shape ``(D, C)``: column ``c`` is the template of class ``c``.
    X : numpy.ndarray
        A minibatch of data, shape ``(N, D)``, one example per row.
    y : numpy.ndarray
        Labels, shape ``(N,)``; ``y[i]`` in ``0 .. C-1`` is the class of ``X[i]``.
    reg : float
        Regularisation strength ``>= 0``.

    Returns
    -------
    loss : float
        Mean hinge loss over the ``N`` examples plus ``reg * sum(W * W)``.
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
        'svm_loss_naive is not written yet: fill it in, guided by 02_linear_classifiers, '
        'section 3 "The multiclass SVM loss".'
    )
    return float(loss), dW


def svm_loss_vectorized(
    W: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float
) -> tuple[float, np.ndarray]:
    """Multiclass SVM loss and its gradient, without Python loops.

    Same inputs, outputs and errors as :func:`svm_loss_naive`, computed with whole-array
    operations: two matrix products do nearly all the work.
    """
    W, X, y = check_loss_inputs(W, X, y, reg)
    # YOUR CODE HERE
    raise NotImplementedError(
        'svm_loss_vectorized is not written yet: fill it in, guided by 02_linear_classifiers,'
        ' section 5 "The SVM loss, vectorised".'
    )
