"""Input checks shared by the linear classifiers (assignment 02_linear_classifiers).

The graded loss functions and ``LinearClassifier`` call these before doing any work, so
a wrong shape or a bad label stops with a message that names the argument, what it
should be and what it was, instead of an ``IndexError`` deep inside a loop or, worse, a
silently wrong loss (NumPy's negative indices would happily read ``scores[-1]`` for a
label -1).

This is a helper, not graded: it is complete in the student copy.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = ["check_labels", "check_loss_inputs", "check_rows"]


def check_rows(X: object, name: str = "X", dim: int | None = None) -> np.ndarray:
    """Return ``X`` as a 2-D array of real numbers ``(N, D)`` with at least one row.

    Parameters
    ----------
    X : array_like
        Data, one example per row.
    name : str, default "X"
        What the argument is called in error messages.
    dim : int, optional
        The number of columns ``D`` that ``X`` must have.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, is empty, does not hold real numbers, or has the wrong
        number of columns.
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D, shape (N, D), one flattened example per row; got shape "
            f"{X.shape} (flatten images with {name}.reshape(len({name}), -1))"
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one example, got 0 rows")
    if X.dtype == bool or not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
        raise ValueError(f"{name} must hold real numbers, got dtype {X.dtype}")
    if dim is not None and X.shape[1] != dim:
        raise ValueError(
            f"{name} must have {dim} columns to match the weights W of shape ({dim}, C); "
            f"got shape {X.shape}"
        )
    return X


def check_labels(y: object, num_examples: int, num_classes: int | None = None,
                 name: str = "y") -> np.ndarray:
    """Return ``y`` as a 1-D integer array of ``num_examples`` labels in ``0..C-1``.

    Parameters
    ----------
    y : array_like
        Integer class labels, one per example.
    num_examples : int
        How many labels there must be (the number of rows of ``X``).
    num_classes : int, optional
        ``C``: when given, every label must be in ``0 .. C-1``; otherwise only
        ``>= 0`` is required.
    name : str, default "y"
        What the argument is called in error messages.

    Raises
    ------
    ValueError
        If ``y`` has the wrong shape, is not integer, or holds a label out of range.
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != num_examples:
        raise ValueError(
            f"{name} must be 1-D with one label per row of X, shape ({num_examples},); "
            f"got shape {y.shape}"
        )
    if y.dtype == bool or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    low, high = int(y.min()), int(y.max())
    if low < 0 or (num_classes is not None and high >= num_classes):
        allowed = f"0..{num_classes - 1}" if num_classes is not None else "0, 1, 2, ..."
        bad = low if low < 0 else high
        where = f" (W has {num_classes} columns, one per class)" if num_classes else ""
        raise ValueError(f"{name} must hold labels in {allowed}{where}; got the label {bad}")
    return y


def check_loss_inputs(
    W: object, X: object, y: object, reg: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check the arguments of a linear loss ``f(W, X, y, reg)``; return them as arrays.

    Parameters
    ----------
    W : array_like
        Weights, shape ``(D, C)``, floating point.
    X : array_like
        Data, shape ``(N, D)``.
    y : array_like
        Labels, shape ``(N,)``, integers in ``0 .. C-1``.
    reg : float
        Regularisation strength, a finite number ``>= 0``.

    Returns
    -------
    tuple of numpy.ndarray
        ``(W, X, y)``; no copy is made of an argument that already is an array.

    Raises
    ------
    ValueError
        Naming the argument, the accepted values and what it got.
    """
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[1] == 0:
        raise ValueError(
            f"W must be 2-D, shape (D, C): one column of weights per class; got shape {W.shape}"
        )
    if not np.issubdtype(W.dtype, np.floating):
        raise ValueError(f"W must hold floating-point numbers, got dtype {W.dtype}")
    X = check_rows(X, "X", dim=W.shape[0])
    y = check_labels(y, X.shape[0], num_classes=W.shape[1])
    if isinstance(reg, bool) or not isinstance(reg, Real) or not math.isfinite(reg) or reg < 0:
        raise ValueError(f"reg must be a finite number >= 0, got {reg!r}")
    return W, X, y
