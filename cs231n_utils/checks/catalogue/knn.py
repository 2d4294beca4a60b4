"""Common mistakes of 01_knn: the three L2 distances, the L1 distance, the majority vote.

The distance variants start from SciPy's ``cdist`` (the checks' oracle) or from its
definition written as one broadcast, with one mistake patched in; the vote variants from
the checks' direct count (:func:`cs231n_utils.checks.knn._vote_by_counting`), changed in
the one place where the mistake is. A method's variant takes ``self`` first: a
classifier (or a stand-in) with ``X_train`` and ``y_train``.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from cs231n_utils.checks.mistakes import Catalogue, Graded, returned

CLASS = "KNearestNeighbor"
MODULE = "classifiers.k_nearest_neighbor"
#: The L2 methods and the section of each.
L2 = {"two_loops": 4, "one_loop": 5, "no_loops": 6}

CATALOGUE = Catalogue(
    "01_knn",
    sections={4: "Distances with two loops", 5: "Distances with one loop",
              6: "Distances with no loops", 8: "Predicting labels: the majority vote",
              9: "L1 distance"},
    functions=[
        *(Graded(f"{CLASS}.compute_distances_{m}", MODULE, returned("dists")) for m in L2),
        Graded(f"{CLASS}.compute_distances_l1", MODULE, returned("dists")),
        Graded(f"{CLASS}.predict_labels", MODULE, returned("y_pred")),
    ])
mistake = CATALOGUE.mistake


def _pairs(model, X):
    """Test and training rows as float64 arrays."""
    return np.asarray(X, dtype=np.float64), np.asarray(model.X_train, dtype=np.float64)


def _differences(model, X) -> np.ndarray:
    """``X[i] - X_train[j]`` for every pair, shape (num_test, num_train, D)."""
    X, X_train = _pairs(model, X)
    return X[:, None, :] - X_train[None, :, :]


def _l2_mistake(name: str, diagnosis: str, methods=tuple(L2)):
    """Catalogue the decorated ``variant(model, X)`` as a mistake of each L2 method in
    ``methods`` (one variant per method, each with its own section)."""
    def register(variant):
        for method in methods:
            def one(self, X, variant=variant):
                return variant(self, X)
            one.__name__ = f"{method}_{name}"
            one.__doc__ = variant.__doc__
            mistake(f"{CLASS}.compute_distances_{method}", section=L2[method],
                    diagnosis=diagnosis)(one)
        return variant
    return register


# --- the L2 distances ------------------------------------------------------------------------
@_l2_mistake("without_sqrt", "dists matches the SQUARED L2 distances: take the square root "
             "of the sum of squared differences")
def l2_without_sqrt(model, X):
    """sum((a - b) ** 2), no square root."""
    X, X_train = _pairs(model, X)
    return cdist(X, X_train, metric="sqeuclidean")


@_l2_mistake("l1_not_l2", "dists matches the L1 distances sum(|a - b|): L2 squares the "
             "differences, sums them and takes the square root")
def l2_is_l1(model, X):
    """The Manhattan distance where the Euclidean one is asked for."""
    X, X_train = _pairs(model, X)
    return cdist(X, X_train, metric="cityblock")


@_l2_mistake("square_of_sum", "dists matches |sum(a - b)|, the square root of the SQUARED "
             "SUM of the differences: square each difference first, then sum",
             methods=("two_loops", "one_loop"))
def l2_square_of_sum(model, X):
    """sqrt(sum(a - b) ** 2): the sum is taken before squaring."""
    return np.abs(_differences(model, X).sum(axis=2))


@mistake(f"{CLASS}.compute_distances_one_loop", section=5, diagnosis="every entry of a row "
         "is the same number: the sum ran over all of (X_train - X[i]), not over each "
         "training row (axis=1)")
def one_loop_sum_without_axis(self, X):
    """Each row filled with sqrt of the sum over every training row and pixel."""
    total = cdist(*_pairs(self, X), metric="sqeuclidean").sum(axis=1, keepdims=True)
    return np.broadcast_to(np.sqrt(total), (len(X), len(self.X_train))).copy()


@mistake(f"{CLASS}.compute_distances_no_loops", section=6, diagnosis="dists matches "
         "sqrt(|a|^2 + |b|^2 + 2 a.b): the cross term of |a - b|^2 is MINUS 2 a.b")
def no_loops_plus_cross_term(self, X):
    """The expansion with the sign of the cross term flipped: |a + b|."""
    X, X_train = _pairs(self, X)
    return cdist(X, -X_train)


@mistake(f"{CLASS}.compute_distances_no_loops", section=6, diagnosis="dists matches "
         "sqrt(|a|^2 + |b|^2 - a.b): the cross term of |a - b|^2 is 2 a.b, with the 2")
def no_loops_cross_term_once(self, X):
    """The expansion with the factor 2 of the cross term forgotten."""
    squared = cdist(*_pairs(self, X), metric="sqeuclidean")
    X, X_train = _pairs(self, X)
    cross = X @ X_train.T
    return np.sqrt(np.maximum(squared + cross, 0.0))


# --- the L1 distance -------------------------------------------------------------------------
@mistake(f"{CLASS}.compute_distances_l1", section=9, diagnosis="dists matches the L2 "
         "distances: L1 sums the absolute differences, with no squares and no square root")
def l1_is_l2(self, X):
    """The Euclidean distance where the Manhattan one is asked for."""
    return cdist(*_pairs(self, X))


@mistake(f"{CLASS}.compute_distances_l1", section=9, diagnosis="dists matches |sum(a - b)|: "
         "take the absolute value of each difference before summing, not of the sum")
def l1_abs_of_sum(self, X):
    """The differences summed first, their signs cancelling."""
    return np.abs(_differences(self, X).sum(axis=2))


@mistake(f"{CLASS}.compute_distances_l1", section=9, diagnosis="dists matches sum((a - b) "
         "** 2), the squared L2 distances: L1 sums the absolute differences")
def l1_squared(self, X):
    """Squares where absolute values belong."""
    return cdist(*_pairs(self, X), metric="sqeuclidean")


# --- the vote ---------------------------------------------------------------------------------
def _vote(dists, y_train, k, order, tie):
    """For each row, the labels of the first ``k`` training examples in ``order(row)``,
    counted; ``tie(labels_with_most_votes, nearest_labels)`` picks the winner."""
    labels = []
    for row in np.asarray(dists, dtype=np.float64):
        nearest = np.asarray(y_train)[order(row)[:k]].tolist()
        counts = {label: nearest.count(label) for label in nearest}
        most = max(counts.values())
        labels.append(tie([label for label, count in counts.items() if count == most], nearest))
    return np.array(labels)


def _smallest(tied, nearest):
    """The right tie-break: the smaller label."""
    return min(tied)


def _nearest_first(row):
    return np.argsort(row, kind="stable")


@mistake(f"{CLASS}.predict_labels", section=8, diagnosis="the labels come from the k "
         "FARTHEST training examples: sort the distances in increasing order and take the "
         "first k")
def vote_of_farthest(self, dists, k=1):
    """argsort in decreasing order."""
    return _vote(dists, self.y_train, k, lambda row: np.argsort(-row, kind="stable"),
                 _smallest)


@mistake(f"{CLASS}.predict_labels", section=8, diagnosis="a tie between labels goes to the "
         "LARGER label: it must go to the smaller one (np.bincount(...).argmax() does that)")
def vote_ties_to_larger(self, dists, k=1):
    """The count of the k nearest, ties broken towards the larger label."""
    return _vote(dists, self.y_train, k, _nearest_first, lambda tied, nearest: max(tied))


@mistake(f"{CLASS}.predict_labels", section=8, diagnosis="a tie between labels goes to the "
         "label of the nearer neighbour (what Counter.most_common does): it must go to the "
         "smaller label")
def vote_ties_to_nearest(self, dists, k=1):
    """The count of the k nearest, ties broken by the first one seen."""
    return _vote(dists, self.y_train, k, _nearest_first,
                 lambda tied, nearest: next(label for label in nearest if label in tied))


@mistake(f"{CLASS}.predict_labels", section=8, diagnosis="each prediction is the LARGEST "
         "label among the k nearest, not the most frequent one: count the labels "
         "(np.bincount) and take the argmax of the counts")
def vote_largest_label(self, dists, k=1):
    """max of the k nearest labels instead of their vote."""
    return _vote(dists, self.y_train, k, _nearest_first, lambda tied, nearest: max(nearest))


@mistake(f"{CLASS}.predict_labels", section=8, diagnosis="each prediction is the label of "
         "the single nearest example whatever k is: let the k nearest vote")
def vote_ignores_k(self, dists, k=1):
    """k = 1 always."""
    return _vote(dists, self.y_train, 1, _nearest_first, _smallest)
