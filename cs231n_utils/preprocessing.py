# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""Data preprocessing: statistics fitted on the training split, applied to every split.

Four methods, each a transformation of data ``X`` of shape (N, D) (flatten images first):

* ``"center"``: subtract the mean of each feature (zero-centring);
* ``"standardize"``: also divide each feature by its standard deviation;
* ``"pca"``: project the centred data onto the top ``k`` eigenvectors of its covariance
  matrix (decorrelates the features and reduces them to ``k``);
* ``"whiten"``: PCA, then divide each projected feature by the square root of its
  eigenvalue, so that the covariance becomes (about) the identity.

The statistics (means, scales, eigenvectors) are the model's knowledge of the data, so
they come from the TRAINING split only; validation and test data are transformed with the
very same numbers. Fitting them on the validation or test split would let information
about those splits leak into the model.

Assignment 05_training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["METHODS", "apply_preprocessing", "fit_preprocessing", "preprocess_splits"]

#: The accepted values of ``method``.
METHODS = ("center", "standardize", "pca", "whiten")

Stats = dict[str, Any]


def _check_data(X: np.ndarray, name: str) -> None:
    if np.ndim(X) != 2 or np.shape(X)[0] < 1:
        raise ValueError(f"{name} must be a 2-D array of shape (N, D) with N >= 1 (flatten "
                         f"images with X.reshape(len(X), -1)); got shape {np.shape(X)}")


def _check_fit_arguments(X: np.ndarray, method: str, num_components: int | None,
                         eps: float) -> None:
    _check_data(X, "X")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    D = np.shape(X)[1]
    if num_components is not None:
        if method not in ("pca", "whiten"):
            raise ValueError(f"num_components applies to 'pca' and 'whiten' only, not to "
                             f"{method!r}; leave it None")
        if (isinstance(num_components, bool) or not isinstance(num_components, int | np.integer)
                or not 1 <= num_components <= D):
            raise ValueError(f"num_components must be an integer from 1 to D = {D}, "
                             f"got {num_components!r}")
    if not (isinstance(eps, int | float | np.floating) and eps > 0):
        raise ValueError(f"eps must be a number > 0, got {eps!r}")


def fit_preprocessing(X: np.ndarray, method: str, num_components: int | None = None,
                      eps: float = 1e-5) -> Stats:
    """Fit the statistics of a preprocessing method on data ``X`` (the training split).

    Parameters
    ----------
    X : numpy.ndarray, shape (N, D)
        The data to fit on. Left unchanged.
    method : {"center", "standardize", "pca", "whiten"}
        See the module's docstring.
    num_components : int, optional
        ``k``, how many principal components "pca" and "whiten" keep (1 to D); all D
        when None.
    eps : float, default 1e-5
        Added to variances before a square root, so that a constant feature (or a zero
        eigenvalue) does not cause a division by zero.

    Returns
    -------
    stats : dict
        ``"method"``, ``"eps"``, ``"mean"`` (D,) the mean of each feature; for
        "standardize" also ``"scale"`` (D,) ``= sqrt(var + eps)`` with the biased
        variance of each feature; for "pca" and "whiten" also ``"components"`` (D, k),
        the unit eigenvectors of the covariance matrix ``Xc.T @ Xc / N`` of the centred
        data ``Xc`` as columns, in order of decreasing eigenvalue, and ``"variances"``
        (k,), those eigenvalues.

    Raises
    ------
    ValueError
        Naming the argument, if ``X`` is not 2-D, ``method`` unknown, ``num_components``
        out of range or ``eps`` not > 0.
    """
    _check_fit_arguments(X, method, num_components, eps)
    stats: Stats = {"method": method, "eps": eps}
    # YOUR CODE HERE
    raise NotImplementedError(
        'fit_preprocessing is not written yet: fill it in, guided by 05_training, section 2 '
        '"Data preprocessing".'
    )
    return stats


def apply_preprocessing(X: np.ndarray, stats: Stats) -> np.ndarray:
    """Transform data ``X`` with statistics from :func:`fit_preprocessing`.

    Parameters
    ----------
    X : numpy.ndarray, shape (N, D)
        Any split. Left unchanged.
    stats : dict
        What :func:`fit_preprocessing` returned.

    Returns
    -------
    X_out : numpy.ndarray
        "center": ``X - mean``, shape (N, D); "standardize": ``(X - mean) / scale``,
        (N, D); "pca": ``(X - mean) @ components``, (N, k); "whiten": the PCA projection
        divided by ``sqrt(variances + eps)``, (N, k). Float64.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D with the D features of the statistics, or ``stats`` lacks a key.
    """
    _check_data(X, "X")
    method = stats.get("method") if isinstance(stats, dict) else None
    if method not in METHODS:
        raise ValueError(f"stats must be the dict fit_preprocessing returned, with 'method' "
                         f"one of {METHODS}; got {method!r}")
    D = np.shape(stats.get("mean"))
    if np.shape(X)[1:] != D:
        raise ValueError(f"X must have the D = {D[0] if D else '?'} features the statistics "
                         f"were fitted on; got shape {np.shape(X)}")
    # YOUR CODE HERE
    raise NotImplementedError(
        'apply_preprocessing is not written yet: fill it in, guided by 05_training, section 2'
        ' "Data preprocessing".'
    )
    return X_out


def preprocess_splits(
    X_train: np.ndarray, X_val: np.ndarray, X_test: np.ndarray, method: str,
    num_components: int | None = None, eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Stats]:
    """Fit a preprocessing on the training split and apply it to all three splits.

    Parameters
    ----------
    X_train, X_val, X_test : numpy.ndarray, shape (N_split, D)
        The three splits. Left unchanged.
    method, num_components, eps
        As for :func:`fit_preprocessing`.

    Returns
    -------
    X_train_out, X_val_out, X_test_out : numpy.ndarray
        Each split transformed by :func:`apply_preprocessing` with the SAME statistics.
    stats : dict
        The statistics, fitted on ``X_train`` only.

    Raises
    ------
    ValueError
        As :func:`fit_preprocessing`, or if a split is not (N_split, D).
    """
    for name, X in (("X_train", X_train), ("X_val", X_val), ("X_test", X_test)):
        _check_data(X, name)
        if np.shape(X)[1] != np.shape(X_train)[1]:
            raise ValueError(f"{name} must have the D = {np.shape(X_train)[1]} features of "
                             f"X_train; got shape {np.shape(X)}")
    # YOUR CODE HERE
    raise NotImplementedError(
        'preprocess_splits is not written yet: fill it in, guided by 05_training, section 2 '
        '"Data preprocessing".'
    )
    return X_train_out, X_val_out, X_test_out, stats
