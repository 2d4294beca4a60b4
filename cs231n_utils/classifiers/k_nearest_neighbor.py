# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""A k-nearest-neighbour classifier on raw pixels (assignment 01_knn).

Training only remembers the data. To classify an image, measure its distance to every
training image, take the ``k`` closest and let their labels vote.

Shapes used throughout: ``X_train`` is ``(num_train, D)`` (one flattened image per row),
a batch to classify ``X`` is ``(num_test, D)``, and a distance matrix ``dists`` is
``(num_test, num_train)`` with ``dists[i, j]`` the distance between ``X[i]`` and
``X_train[j]``.

Distances
---------
``compute_distances_two_loops``, ``compute_distances_one_loop`` and
``compute_distances_no_loops`` are three versions of the same Euclidean (L2) distance,
as in CS231n; they always compute L2. ``compute_distances_l1`` computes the Manhattan
(L1) distance. Which one :meth:`KNearestNeighbor.predict` uses is chosen when the
classifier is made: ``KNearestNeighbor()`` (L2, CS231n's behaviour) or
``KNearestNeighbor(metric="l1")``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KNearestNeighbor"]

METRICS = ("l2", "l1")


class KNearestNeighbor:
    """A k-nearest-neighbour classifier with L2 (default) or L1 distance.

    Parameters
    ----------
    metric : {"l2", "l1"}, default "l2"
        The distance :meth:`predict` uses: Euclidean ``sqrt(sum((a - b)**2))`` or
        Manhattan ``sum(|a - b|)``.

    Examples
    --------
    >>> knn = KNearestNeighbor()                       # doctest: +SKIP
    >>> knn.train(X_train, y_train)                    # doctest: +SKIP
    >>> y_pred = knn.predict(X_test, k=5)              # doctest: +SKIP
    """

    def __init__(self, metric: str = "l2") -> None:
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
        self.metric = metric
        self.X_train: np.ndarray | None = None
        self.y_train: np.ndarray | None = None

    def train(self, X: np.ndarray, y: np.ndarray) -> None:
        """Remember the training data; that is all the training k-NN does.

        Parameters
        ----------
        X : numpy.ndarray
            Training images, one flattened image per row, shape ``(num_train, D)``.
            Stored as float64 (no copy when it already is).
        y : numpy.ndarray
            Integer labels ``0, 1, 2, ...`` of shape ``(num_train,)``; ``y[i]`` is the
            label of ``X[i]``.

        Raises
        ------
        ValueError
            If ``X`` is not 2-D, ``y`` is not 1-D with one label per row of ``X``, or the
            labels are not non-negative integers.
        """
        X = np.asarray(X)
        y = np.asarray(y)
        if X.ndim != 2:
            raise ValueError(
                f"X must be 2-D, shape (num_train, D), one flattened image per row; got "
                f"shape {X.shape} (flatten images with X.reshape(len(X), -1))"
            )
        if X.shape[0] == 0:
            raise ValueError("X must hold at least one training example, got 0 rows")
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must be 1-D with one label per row of X, shape ({X.shape[0]},); "
                f"got shape {y.shape}"
            )
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"y must hold integer labels, got dtype {y.dtype}")
        if y.min() < 0:
            raise ValueError(f"y must hold labels 0, 1, 2, ...; got the label {y.min()}")
        self.X_train = np.asarray(X, dtype=np.float64)
        self.y_train = y

    def predict(self, X: np.ndarray, k: int = 1, num_loops: int = 0) -> np.ndarray:
        """Predict a label for each row of ``X``.

        Parameters
        ----------
        X : numpy.ndarray
            Images to classify, shape ``(num_test, D)`` with the ``D`` of training.
        k : int, default 1
            Number of nearest neighbours that vote.
        num_loops : {0, 1, 2}, default 0
            Which L2 implementation computes the distances (0 is the fast one). With
            ``metric="l1"`` there is one implementation, :meth:`compute_distances_l1`,
            whatever ``num_loops`` is.

        Returns
        -------
        numpy.ndarray
            Predicted labels, shape ``(num_test,)``.

        Raises
        ------
        ValueError
            If ``num_loops`` is not 0, 1 or 2, the classifier is not trained, or ``X``
            has the wrong shape.
        """
        if num_loops not in (0, 1, 2):
            raise ValueError(f"num_loops must be 0, 1 or 2, got {num_loops!r}")
        X = self._check_test_data(X)
        if self.metric == "l1":
            dists = self.compute_distances_l1(X)
        elif num_loops == 0:
            dists = self.compute_distances_no_loops(X)
        elif num_loops == 1:
            dists = self.compute_distances_one_loop(X)
        else:
            dists = self.compute_distances_two_loops(X)
        return self.predict_labels(dists, k=k)

    def _check_test_data(self, X: np.ndarray) -> np.ndarray:
        """Return ``X`` as float64 ``(num_test, D)``, or raise a clear error."""
        if self.X_train is None:
            raise ValueError("the classifier is not trained: call train(X_train, y_train) first")
        X = np.asarray(X, dtype=np.float64)
        D = self.X_train.shape[1]
        if X.ndim != 2 or X.shape[1] != D:
            raise ValueError(
                f"X must have shape (num_test, {D}) like the training data "
                f"(num_train, {D}); got shape {X.shape}"
            )
        return X

    def compute_distances_two_loops(self, X: np.ndarray) -> np.ndarray:
        """L2 distances with a loop over test rows and a loop over training rows.

        Parameters
        ----------
        X : numpy.ndarray
            Test data, shape ``(num_test, D)``.

        Returns
        -------
        numpy.ndarray
            ``dists`` of shape ``(num_test, num_train)``, ``dists[i, j]`` the Euclidean
            distance between ``X[i]`` and ``self.X_train[j]``.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        # YOUR CODE HERE
        raise NotImplementedError(
            'KNearestNeighbor.compute_distances_two_loops is not written yet: fill it in, '
            'guided by 01_knn, section 4 "Distances with two loops".'
        )
        return dists

    def compute_distances_one_loop(self, X: np.ndarray) -> np.ndarray:
        """L2 distances with one loop over test rows (each row against all of training).

        Parameters
        ----------
        X : numpy.ndarray
            Test data, shape ``(num_test, D)``.

        Returns
        -------
        numpy.ndarray
            ``dists`` of shape ``(num_test, num_train)``, as
            :meth:`compute_distances_two_loops`.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        # YOUR CODE HERE
        raise NotImplementedError(
            'KNearestNeighbor.compute_distances_one_loop is not written yet: fill it in, '
            'guided by 01_knn, section 5 "Distances with one loop".'
        )
        return dists

    def compute_distances_no_loops(self, X: np.ndarray) -> np.ndarray:
        """L2 distances without any Python loop.

        Expands ``|a - b|^2 = |a|^2 + |b|^2 - 2 a.b`` so that the bulk of the work is one
        matrix product; rounding can make a squared distance slightly negative, so it is
        clamped at 0 before the square root.

        Parameters
        ----------
        X : numpy.ndarray
            Test data, shape ``(num_test, D)``.

        Returns
        -------
        numpy.ndarray
            ``dists`` of shape ``(num_test, num_train)``, as
            :meth:`compute_distances_two_loops`.
        """
        # YOUR CODE HERE
        raise NotImplementedError(
            'KNearestNeighbor.compute_distances_no_loops is not written yet: fill it in, '
            'guided by 01_knn, section 6 "Distances with no loops".'
        )

    def compute_distances_l1(self, X: np.ndarray) -> np.ndarray:
        """L1 (Manhattan) distances ``sum(|a - b|)``.

        There is no matrix-product trick for L1, so this loops over test rows; each
        iteration handles one test row against all training rows at once.

        Parameters
        ----------
        X : numpy.ndarray
            Test data, shape ``(num_test, D)``.

        Returns
        -------
        numpy.ndarray
            ``dists`` of shape ``(num_test, num_train)``, ``dists[i, j]`` the L1 distance
            between ``X[i]`` and ``self.X_train[j]``.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        # YOUR CODE HERE
        raise NotImplementedError(
            'KNearestNeighbor.compute_distances_l1 is not written yet: fill it in, guided by '
            '01_knn, section 9 "L1 distance".'
        )
        return dists

    def predict_labels(self, dists: np.ndarray, k: int = 1) -> np.ndarray:
        """Let the ``k`` nearest training examples vote on each test example's label.

        Parameters
        ----------
        dists : numpy.ndarray
            Distances of shape ``(num_test, num_train)``; ``dists[i, j]`` is the distance
            between test example ``i`` and training example ``j``.
        k : int, default 1
            Number of nearest neighbours that vote, ``1 <= k <= num_train``.

        Returns
        -------
        numpy.ndarray
            ``y_pred`` of shape ``(num_test,)``: for each test row the label that most
            of its ``k`` nearest neighbours have. A tie between labels goes to the
            smaller label. (When several training examples are equally far at the
            k-th place, which of them votes is not specified.)

        Raises
        ------
        ValueError
            If ``dists`` does not have one column per training example or ``k`` is out
            of range.
        """
        if self.y_train is None:
            raise ValueError("the classifier is not trained: call train(X_train, y_train) first")
        num_train = self.y_train.shape[0]
        if dists.ndim != 2 or dists.shape[1] != num_train:
            raise ValueError(
                f"dists must have shape (num_test, {num_train}), one column per training "
                f"example; got shape {dists.shape}"
            )
        is_int = isinstance(k, int | np.integer) and not isinstance(k, bool)
        if not is_int or not 1 <= k <= num_train:
            raise ValueError(f"k must be an integer between 1 and {num_train}, got {k!r}")
        num_test = dists.shape[0]
        y_pred = np.zeros(num_test, dtype=self.y_train.dtype)
        # YOUR CODE HERE
        raise NotImplementedError(
            'KNearestNeighbor.predict_labels is not written yet: fill it in, guided by '
            '01_knn, section 8 "Predicting labels: the majority vote".'
        )
        return y_pred
