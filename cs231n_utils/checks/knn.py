"""Visible checks of assignment 01_knn (the k-nearest-neighbour classifier).

Each check builds its own small seeded data, calls exactly one method of the student's
``KNearestNeighbor`` (plus ``train``, which only stores the data), and compares it with
an independent answer:

* the three L2 versions and the L1 version against ``scipy.spatial.distance.cdist``;
* ``predict_labels`` against a direct count of the nearest labels, on a fixed distance
  matrix (so it does not depend on the student's distances), including label ties.

The one-loop and no-loop checks also count the Python lines the method runs (with
:func:`sys.settrace`), which tells a loop from whole-array code whatever the machine's
speed: the one-loop version must not run two nested loops, the no-loop version no loop.

A check raises ``AssertionError`` with a one-line reason, or prints one line starting
with ``PASS``. A method that is not written yet raises its ``NotImplementedError``
unchanged. The checks write nothing to stderr: numerical warnings from the checked code
are silenced (their effect, e.g. a NaN, is what gets reported).

>>> from cs231n_utils.checks.knn import check_two_loops
>>> check_two_loops()  # doctest: +SKIP
PASS compute_distances_two_loops: matches scipy cdist L2 (max difference 5.7e-14)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist

from cs231n_utils.checks.common import count_python_lines, graded, quietly
from cs231n_utils.checks.mistakes import diagnosing

ASSIGNMENT = "01_knn"

__all__ = [
    "CHECKS",
    "check_l1",
    "check_no_loops",
    "check_one_loop",
    "check_predict_labels",
    "check_two_loops",
    "judge_distances",
    "judge_labels",
]

#: Allowed difference from SciPy, relative to the largest distance. The no-loop version
#: loses a few digits to the expansion |a|^2 + |b|^2 - 2ab, most where a == b.
RELATIVE_TOLERANCE = 1e-6


def _classifier(X_train: np.ndarray, y_train: np.ndarray) -> Any:
    """A trained student classifier (looked up now, so the student's copy is the one used;
    its calls are recorded for the mistake catalogue)."""
    knn = graded("classifiers.k_nearest_neighbor", "KNearestNeighbor")()
    knn.train(X_train, y_train)
    return knn


def _distance_data(
    seed: int, num_test: int, num_train: int, dim: int, duplicates: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel-like test and training rows in [0, 255); ``duplicates`` test rows are copies
    of training rows (their distance is 0, the hard case for the no-loop version)."""
    rng = np.random.default_rng(seed)
    X_train = rng.uniform(0.0, 255.0, size=(num_train, dim))
    X = rng.uniform(0.0, 255.0, size=(num_test, dim))
    if duplicates:
        X[:duplicates] = X_train[rng.choice(num_train, size=duplicates, replace=False)]
    y_train = rng.integers(0, 10, size=num_train)
    return X, X_train, y_train


def judge_distances(method: str, metric: str, X: np.ndarray, X_train: np.ndarray,
                    dists: Any, X_after: np.ndarray, X_train_after: np.ndarray,
                    reveal: bool = True) -> float:
    """Assert that ``dists``, what ``method`` returned for ``X`` against ``X_train``, matches
    SciPy, and that the method left both inputs as they were; return the max difference.

    The one home of this comparison: the visible checks call it in the kernel, the trusted
    grader on hidden inputs (``reveal=False``: the message names no expected value).
    """
    num_test, num_train = X.shape[0], X_train.shape[0]
    expected_shape = (num_test, num_train)
    assert dists is not None, (
        f"{method} returned None: return the distance matrix of shape {expected_shape}"
    )
    dists = np.asarray(dists)
    assert dists.shape == expected_shape, (
        f"{method} returned shape {dists.shape}, expected {expected_shape} = "
        "(num_test, num_train)"
    )
    assert np.array_equal(X_after, X), f"{method} changed its input X in place; leave X as it is"
    assert np.array_equal(X_train_after, X_train), (
        f"{method} changed self.X_train in place; leave the training data as it is"
    )
    assert dists.dtype.kind in "biuf", f"{method} returned an array of {dists.dtype}, not numbers"
    bad = ~np.isfinite(dists)
    assert not bad.any(), (
        f"{method} returned {int(bad.sum())} NaN or infinite entries (e.g. row "
        f"{np.argwhere(bad)[0][0]}); a square root of a slightly negative number gives NaN: "
        "clamp squared distances at 0 first"
    )
    expected = cdist(X, X_train, metric="euclidean" if metric == "l2" else "cityblock")
    diff = np.abs(dists - expected)
    worst = np.unravel_index(diff.argmax(), diff.shape)
    tolerance = RELATIVE_TOLERANCE * max(1.0, float(expected.max()))
    where = (f"; e.g. dists[{worst[0]}, {worst[1]}] = {dists[worst]:.6g}, expected "
             f"{expected[worst]:.6g}" if reveal else "")
    assert diff.max() <= tolerance, (
        f"{method} differs from scipy cdist ({metric.upper()}) by up to {diff.max():.3g} "
        f"(allowed {tolerance:.1g}){where}"
    )
    return float(diff.max())


def _compare_distances(method: str, metric: str, data: tuple[np.ndarray, ...]) -> float:
    """Call ``method`` on ``data``, assert it matches SciPy; return the max difference."""
    X, X_train, y_train = data
    knn = _classifier(X_train.copy(), y_train)
    X_given = X.copy()
    dists = quietly(getattr(knn, method), X_given)
    return judge_distances(method, metric, X, X_train, dists, X_given, knn.X_train)


def _pass_line(method: str, metric: str, max_diff: float, extra: str = "") -> None:
    print(f"PASS {method}: matches scipy cdist {metric.upper()} "
          f"(max difference {max_diff:.2g}){extra}")


def check_two_loops() -> None:
    """Check ``compute_distances_two_loops`` (L2) against SciPy on a 5 x 8 problem, D = 12.

    Raises
    ------
    AssertionError
        With a one-line reason, if the result is wrong.
    """
    method = "compute_distances_two_loops"
    _pass_line(method, "l2", _compare_distances(method, "l2", _distance_data(0, 5, 8, 12)))


def check_one_loop() -> None:
    """Check ``compute_distances_one_loop`` (L2) against SciPy on 6 x 9 (D = 13), and that
    it runs one loop, not two (on 10 x 100 rows it may run at most 500 Python lines).

    Raises
    ------
    AssertionError
        With a one-line reason, if the result is wrong.
    """
    method = "compute_distances_one_loop"
    max_diff = _compare_distances(method, "l2", _distance_data(1, 6, 9, 13))
    X, X_train, y_train = _distance_data(6, 10, 100, 8)
    knn = _classifier(X_train, y_train)
    _, lines = quietly(count_python_lines, getattr(knn, method), X)
    assert lines <= 500, (
        f"{method} ran {lines} Python lines for 10 test x 100 training rows: that looks "
        "like two nested loops; loop over the test rows only"
    )
    _pass_line(method, "l2", max_diff)


#: At most this many Python lines may run in ``compute_distances_no_loops`` on the
#: 200 x 300 (D = 150) problem of :func:`check_no_loops`; a loop over any axis runs more.
MAX_LINES_NO_LOOPS = 100


def check_no_loops() -> None:
    """Check ``compute_distances_no_loops`` (L2) against SciPy, and that it has no loop.

    Values: 60 test rows against 80 training rows, D = 30; two thirds of the test rows
    are copies of training rows, where the exact distance is 0 and the expansion
    |a|^2 + |b|^2 - 2ab can round to a tiny negative number (clamp it at 0 before the
    square root). No loop: on 200 x 300 rows with D = 150 the method may run at most
    ``MAX_LINES_NO_LOOPS`` lines of Python, fewer than any loop over rows, training rows
    or pixels would.

    Raises
    ------
    AssertionError
        With a one-line reason, if the result is wrong or the method loops.
    """
    method = "compute_distances_no_loops"
    max_diff = _compare_distances(method, "l2", _distance_data(2, 60, 80, 30, duplicates=40))
    X, X_train, y_train = _distance_data(5, 200, 300, 150)
    knn = _classifier(X_train, y_train)
    _, lines = quietly(count_python_lines, getattr(knn, method), X)
    assert lines <= MAX_LINES_NO_LOOPS, (
        f"{method} ran {lines} Python lines for 200 test x 300 training rows (D = 150): it "
        "loops; compute every distance at once with whole-array operations (one matrix "
        "product for the cross term)"
    )
    ran = f"{lines} Python line{'' if lines == 1 else 's'} ran"
    _pass_line(method, "l2", max_diff, f"; no loop ({ran})")


def check_l1() -> None:
    """Check ``compute_distances_l1`` against SciPy's ``cityblock`` on 7 x 10, D = 11.

    Raises
    ------
    AssertionError
        With a one-line reason, if the result is wrong.
    """
    method = "compute_distances_l1"
    _pass_line(method, "l1", _compare_distances(method, "l1", _distance_data(3, 7, 10, 11)))


def _vote_by_counting(dists: np.ndarray, y_train: np.ndarray, k: int) -> np.ndarray:
    """The oracle: sort each row, count the k nearest labels, smallest label wins ties."""
    labels = []
    for row in dists:
        nearest = np.argsort(row, kind="stable")[:k]
        counts: dict[int, int] = {}
        for label in y_train[nearest].tolist():
            counts[label] = counts.get(label, 0) + 1
        most = max(counts.values())
        labels.append(min(label for label, count in counts.items() if count == most))
    return np.array(labels)


def _fixed_vote_cases() -> list[tuple[np.ndarray, np.ndarray, int, str]]:
    """Hand-made cases (dists, y_train, k, what it tests); no two distances in a row tie."""
    y_train = np.array([2, 0, 1, 1, 2, 0])
    dists = np.array([
        [0.5, 3.0, 1.0, 2.0, 4.0, 5.0],   # labels by distance: 2, 1, 1, 0, 2, 0
        [6.0, 0.1, 5.0, 0.8, 0.2, 0.3],   # labels by distance: 0, 2, 0, 1, 1, 2
        [1.5, 1.2, 0.9, 3.3, 2.2, 0.4],   # labels by distance: 0, 1, 0, 2, 2, 1
        [2.0, 1.0, 9.0, 8.0, 0.7, 3.0],   # labels by distance: 2, 0, 2, 0, 1, 1
    ])
    # k=1 -> 2, 0, 0, 2;  k=3 -> 1, 0, 0, 2;  k=2 (all ties) -> 1, 0, 0, 0
    # (k=3 before the ties: a vote that takes the largest label fails there, not only at
    # the ties, so the two mistakes are told apart)
    return [
        (dists, y_train, 1, "k=1: the label of the single nearest example"),
        (dists, y_train, 3, "k=3: the majority of the 3 nearest labels"),
        (dists, y_train, 2, "k=2 with two different labels: a tie, the smaller label wins"),
    ]


def judge_labels(dists: np.ndarray, y_train: np.ndarray, k: int, y_pred: Any,
                 dists_after: np.ndarray, what: str, reveal: bool = True) -> None:
    """Assert that ``y_pred``, what ``predict_labels(dists, k)`` returned, is the direct
    count's answer and that ``dists`` was left as it was (``reveal=False``: the message
    names no expected label; the trusted grader's hidden cases)."""
    expected = _vote_by_counting(dists, y_train, k)
    assert y_pred is not None, (
        f"predict_labels returned None: return the labels, shape ({len(dists)},)"
    )
    y_pred = np.asarray(y_pred)
    assert y_pred.shape == expected.shape, (
        f"predict_labels(dists, k={k}) returned shape {y_pred.shape}, expected "
        f"{expected.shape} = (num_test,)"
    )
    assert np.array_equal(dists_after, dists), (
        "predict_labels changed dists in place; leave its input as it is"
    )
    wrong = np.flatnonzero(y_pred != expected)
    if wrong.size:
        i = wrong[0]
        neighbours = y_train[np.argsort(dists[i], kind="stable")[:k]].tolist()
        detail = (f": row {i} got label {y_pred[i]}, expected {expected[i]} (labels of its "
                  f"{k} nearest: {neighbours})" if reveal else "")
        raise AssertionError(
            f"predict_labels, {what}{detail}; {wrong.size} of {len(expected)} rows wrong"
        )


def check_predict_labels() -> None:
    """Check ``predict_labels`` on fixed distance matrices against a direct count.

    Three hand-made cases (k = 1; k = 3; k = 2, where every row is a tie that the smaller
    label must win) and a random 30 x 40 matrix with k = 1, 4 and 7.

    Raises
    ------
    AssertionError
        With a one-line reason, if a predicted label is wrong.
    """
    rng = np.random.default_rng(4)
    y_random = rng.integers(0, 5, size=40)
    d_random = rng.uniform(0.0, 100.0, size=(30, 40))
    cases = _fixed_vote_cases() + [
        (d_random, y_random, k, f"k={k} on a random 30 x 40 distance matrix") for k in (1, 4, 7)
    ]
    for dists, y_train, k, what in cases:
        knn = _classifier(np.zeros((len(y_train), 1)), y_train)
        dists_given = dists.copy()
        y_pred = quietly(knn.predict_labels, dists_given, k=k)
        judge_labels(dists, y_train, k, y_pred, dists_given, what)
    print(f"PASS predict_labels: matches a direct count in {len(cases)} cases "
          "(k = 1, 2, 3, 4, 7; ties go to the smaller label)")


#: Graded function -> its visible check, for the command-line summary table.
CHECKS: dict[str, Callable[[], None]] = {
    "KNearestNeighbor.compute_distances_two_loops": check_two_loops,
    "KNearestNeighbor.compute_distances_one_loop": check_one_loop,
    "KNearestNeighbor.compute_distances_no_loops": check_no_loops,
    "KNearestNeighbor.compute_distances_l1": check_l1,
    "KNearestNeighbor.predict_labels": check_predict_labels,
}
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.knn).
CHECKS = diagnosing(ASSIGNMENT, CHECKS, globals())
