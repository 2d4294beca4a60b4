# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""Linear classifiers trained by minibatch SGD (assignment 02_linear_classifiers).

:class:`LinearClassifier` holds the weights ``W`` of shape ``(D, C)`` and knows how to
train them and how to predict; what it minimises is left to a subclass's :meth:`loss`:

* :class:`LinearSVM` uses the multiclass SVM loss (:mod:`.linear_svm`);
* :class:`Softmax` uses the softmax cross-entropy loss (:mod:`.softmax`).

Data are rows: ``X`` is ``(N, D)`` (flattened images with a column of ones appended for
the bias) and ``y`` is ``(N,)`` with labels ``0 .. C-1``.
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real

import numpy as np
from tqdm.auto import tqdm

from cs231n_utils.classifiers.linear_inputs import check_labels, check_rows
from cs231n_utils.classifiers.linear_svm import svm_loss_vectorized
from cs231n_utils.classifiers.softmax import softmax_loss_vectorized
from cs231n_utils.model_io import ModelFileError, load_arrays, save_arrays, take

__all__ = ["LinearClassifier", "LinearSVM", "Softmax"]

#: Standard deviation of the random initial weights.
WEIGHT_SCALE = 1e-3


def _positive_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _number(value: object, name: str, *, positive: bool) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be a finite number {'> 0' if positive else '>= 0'}, "
                         f"got {value!r}")
    return float(value)


class LinearClassifier:
    """Base class: a linear score function ``X @ W`` trained by minibatch SGD.

    Use :class:`LinearSVM` or :class:`Softmax`, or subclass and define :meth:`loss`.

    Attributes
    ----------
    W : numpy.ndarray or None
        Weights of shape ``(D, C)``, made by the first call of :meth:`train` (small
        random numbers, standard deviation ``WEIGHT_SCALE``). Later calls continue from
        the current ``W``. You may also set ``W`` yourself and call :meth:`predict`.

    Examples
    --------
    >>> svm = LinearSVM()                                                # doctest: +SKIP
    >>> history = svm.train(X_train, y_train, learning_rate=1e-7, reg=2.5e4,
    ...                     num_iters=1500, seed=0)                      # doctest: +SKIP
    >>> y_pred = svm.predict(X_val)                                      # doctest: +SKIP
    """

    def __init__(self) -> None:
        self.W: np.ndarray | None = None

    def train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        learning_rate: float = 1e-3,
        reg: float = 1e-5,
        num_iters: int = 100,
        batch_size: int = 200,
        verbose: bool = False,
        *,
        seed: int | None = None,
    ) -> list[float]:
        """Train ``W`` by minibatch stochastic gradient descent.

        Every iteration draws ``batch_size`` random training examples (with
        replacement), asks :meth:`loss` for the loss and gradient on them, and takes one
        step ``W -= learning_rate * dW``.

        Parameters
        ----------
        X : numpy.ndarray
            Training data, shape ``(N, D)``.
        y : numpy.ndarray
            Training labels, shape ``(N,)``, integers ``0 .. C-1``; ``C`` is
            ``y.max() + 1`` (or the number of columns of an existing ``W``).
        learning_rate : float, default 1e-3
            Step size, ``> 0``.
        reg : float, default 1e-5
            Regularisation strength, ``>= 0``.
        num_iters : int, default 100
            Number of SGD steps.
        batch_size : int, default 200
            Examples per step.
        verbose : bool, default False
            Show a progress bar with the current loss (tqdm, on stderr).
        seed : int, optional
            Seed of the random initial ``W`` and of the batch sampling, for a
            reproducible run; None draws fresh randomness.

        Returns
        -------
        list of float
            The loss of every iteration, ``num_iters`` values.

        Raises
        ------
        ValueError
            If ``X`` or ``y`` has the wrong shape or labels, a setting is out of range,
            or an existing ``W`` does not fit ``X`` and ``y``.
        """
        X = check_rows(X, "X")
        y = check_labels(y, X.shape[0])
        learning_rate = _number(learning_rate, "learning_rate", positive=True)
        reg = _number(reg, "reg", positive=False)
        num_iters = _positive_int(num_iters, "num_iters", 0)
        batch_size = _positive_int(batch_size, "batch_size", 1)
        num_train, dim = X.shape
        rng = np.random.default_rng(seed)
        if self.W is None:
            num_classes = int(y.max()) + 1
            self.W = WEIGHT_SCALE * rng.standard_normal((dim, num_classes))
        else:
            check_rows(X, "X", dim=self.W.shape[0])
            check_labels(y, num_train, num_classes=self.W.shape[1])

        loss_history: list[float] = []
        steps = tqdm(range(num_iters), desc=type(self).__name__, disable=not verbose,
                     mininterval=0.5)
        for it in steps:
            # Sample batch_size rows of X (and their labels) with rng.
            X_batch: np.ndarray | None = None
            y_batch: np.ndarray | None = None
            # YOUR CODE HERE
            raise NotImplementedError(
                'LinearClassifier.train is not written yet: fill it in, guided by '
                '02_linear_classifiers, section 13 "Minibatch SGD".'
            )
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(float(loss))
            # One gradient-descent step on self.W.
            # YOUR CODE HERE
            raise NotImplementedError(
                'LinearClassifier.train is not written yet: fill it in, guided by '
                '02_linear_classifiers, section 13 "Minibatch SGD".'
            )
            if verbose and it % 50 == 0:
                steps.set_postfix(loss=f"{loss:.4g}", refresh=False)
        return loss_history

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predict the class of each row of ``X``: the class with the highest score.

        Parameters
        ----------
        X : numpy.ndarray
            Data, shape ``(N, D)``, with the ``D`` of ``W``.

        Returns
        -------
        numpy.ndarray
            Integer labels, shape ``(N,)``.

        Raises
        ------
        ValueError
            If the classifier has no weights yet or ``X`` has the wrong shape.
        """
        if self.W is None:
            raise ValueError("the classifier has no weights: call train(X, y) first "
                             "(or set W yourself)")
        X = check_rows(X, "X", dim=self.W.shape[0])
        y_pred = np.zeros(X.shape[0], dtype=np.int64)
        # YOUR CODE HERE
        raise NotImplementedError(
            'LinearClassifier.predict is not written yet: fill it in, guided by '
            '02_linear_classifiers, section 9 "Predicting".'
        )
        return y_pred

    def save(self, fname: str | os.PathLike[str]) -> None:
        """Write the weights ``W`` to the ``.npz`` archive ``fname`` (no pickle).

        The file is written at exactly ``fname`` (``svm.save("svm.npy")`` writes an
        ``.npz`` archive named ``svm.npy``); :meth:`load` reads it back.

        Parameters
        ----------
        fname : str or path-like
            The file to write; its folder must exist.

        Raises
        ------
        ValueError
            If the classifier has no weights yet.
        """
        if self.W is None:
            raise ValueError("the classifier has no weights to save: call train(X, y) first")
        path = save_arrays(fname, type(self).__name__, {"W": self.W})
        print(f"{type(self).__name__} weights saved to {path}")

    def load(self, fname: str | os.PathLike[str]) -> bool:
        """Read the weights ``W`` written by :meth:`save` (of the same class).

        Parameters
        ----------
        fname : str or path-like
            The file given to :meth:`save`.

        Returns
        -------
        bool
            True (as CS231n's ``load``); a missing file raises instead of returning False.

        Raises
        ------
        FileNotFoundError
            If ``fname`` does not exist.
        ModelFileError
            If the file is damaged, was saved by another class, lacks ``W``, or its ``W``
            is not 2-D or differs in shape from the classifier's current ``W``.
        """
        arrays = load_arrays(fname, type(self).__name__)
        W = take(arrays, "W", fname, None if self.W is None else self.W.shape)
        if W.ndim != 2 or W.dtype.kind != "f":
            raise ModelFileError(f"{fname}: 'W' must be a 2-D float array (D, C), got "
                                 f"{W.dtype} of shape {W.shape}")
        self.W = W
        print(f"{type(self).__name__} weights loaded from {fname}")
        return True

    def loss(
        self, X_batch: np.ndarray, y_batch: np.ndarray, reg: float
    ) -> tuple[float, np.ndarray]:
        """Loss and gradient with respect to ``self.W`` on a minibatch (subclasses).

        Parameters
        ----------
        X_batch : numpy.ndarray
            Shape ``(batch_size, D)``.
        y_batch : numpy.ndarray
            Shape ``(batch_size,)``.
        reg : float
            Regularisation strength.

        Returns
        -------
        tuple
            ``(loss, dW)``, ``dW`` with the shape of ``self.W``.
        """
        raise NotImplementedError(
            "LinearClassifier has no loss of its own: use LinearSVM or Softmax, or define "
            "loss(X_batch, y_batch, reg) in a subclass"
        )


class LinearSVM(LinearClassifier):
    """A linear classifier trained with the multiclass SVM loss (:func:`svm_loss_vectorized`)."""

    def loss(
        self, X_batch: np.ndarray, y_batch: np.ndarray, reg: float
    ) -> tuple[float, np.ndarray]:
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """A linear classifier trained with the softmax loss (:func:`softmax_loss_vectorized`)."""

    def loss(
        self, X_batch: np.ndarray, y_batch: np.ndarray, reg: float
    ) -> tuple[float, np.ndarray]:
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)
