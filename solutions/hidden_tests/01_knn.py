"""Hidden tests of 01_knn, decided by the trusted grader (see cs231n_utils.course.trusted).

Inputs are made here with fixed seeds; probes run in the sandbox and only call the
student's method; judges use the visible checks' comparisons (``cs231n_utils.checks.knn``)
with ``reveal=False``, on the trusted side.
"""

from types import SimpleNamespace

import numpy as np

from cs231n_utils.checks.knn import judge_distances, judge_labels
from cs231n_utils.checks.mistakes import Call, hidden_call
from cs231n_utils.course.trusted import HiddenTest


def distance_cases(seed: int, cases: int, largest: int, normal: bool = False,
                   duplicates: bool = False) -> list[dict]:
    """Random shapes and scales (1e-2 to 1e3); ``duplicates``: half the test rows are
    copies of training rows (distance exactly 0, the hard case of the no-loop version)."""
    out = []
    for case in range(cases):
        rng = np.random.default_rng(seed + case)
        num_test, num_train, dim = (int(n) for n in rng.integers(1, largest, size=3))
        scale = 10.0 ** rng.uniform(-2, 3)
        draw = rng.normal if normal else rng.uniform
        X_train = draw(size=(num_train, dim)) * scale
        X = draw(size=(num_test, dim)) * scale
        if duplicates:
            copies = min(num_test, num_train) // 2
            X[:copies] = X_train[:copies]
        out.append({"X": X, "X_train": X_train, "y_train": rng.integers(0, 10, size=num_train)})
    return out


def _distances(case: dict, method: str, metric: str = "l2") -> dict:
    """Sandbox side: train the student's classifier, call ``method``, return its answer."""
    from cs231n_utils.classifiers.k_nearest_neighbor import KNearestNeighbor

    X, X_train = case["X"].copy(), case["X_train"].copy()
    model = KNearestNeighbor(metric=metric) if metric == "l1" else KNearestNeighbor()
    model.train(X_train, case["y_train"])
    dists = getattr(model, method)(X)
    return {"dists": dists, "X_after": X, "X_train_after": model.X_train}


def probe_two_loops(case):
    return _distances(case, "compute_distances_two_loops")


def probe_one_loop(case):
    return _distances(case, "compute_distances_one_loop")


def probe_no_loops(case):
    return _distances(case, "compute_distances_no_loops")


def probe_l1(case):
    return _distances(case, "compute_distances_l1", "l1")


def judge(method: str, metric: str = "l2"):
    def judge_case(case: dict, got: dict) -> None:
        judge_distances(method, metric, case["X"], case["X_train"], got["dists"],
                        got["X_after"], got["X_train_after"], reveal=False)
    return judge_case


def call_distances(case: dict, got: dict) -> Call:
    """Trusted side: the call one distance case made, for the mistake catalogue (the
    classifier is its training rows)."""
    model = SimpleNamespace(X_train=case["X_train"], y_train=case["y_train"])
    return hidden_call((model, case["X"]), got.get("dists"))


def label_cases() -> list[dict]:
    """Distinct distances per row (the k nearest are well defined), few labels, several k."""
    out = []
    for case in range(6):
        rng = np.random.default_rng(8100 + case)
        num_test, num_train = int(rng.integers(1, 30)), int(rng.integers(1, 40))
        present = rng.choice(10, size=int(rng.integers(1, 5)), replace=False)
        y_train = rng.choice(present, size=num_train)
        order = np.tile(np.arange(num_train, dtype=np.float64), (num_test, 1))
        dists = rng.permuted(order, axis=1) * rng.uniform(0.1, 10.0)
        for k in sorted({1, 2, int(rng.integers(1, num_train + 1)), num_train}):
            if k <= num_train:
                out.append({"dists": dists, "y_train": y_train, "k": np.array(k)})
    return out


def probe_predict_labels(case):
    from cs231n_utils.classifiers.k_nearest_neighbor import KNearestNeighbor

    model = KNearestNeighbor()
    model.train(np.zeros((len(case["y_train"]), 3)), case["y_train"].copy())
    dists = case["dists"].copy()
    return {"labels": model.predict_labels(dists, k=int(case["k"])), "dists_after": dists}


def judge_predict_labels(case, got):
    judge_labels(case["dists"], case["y_train"], int(case["k"]), got["labels"],
                 got["dists_after"], f"k={int(case['k'])}", reveal=False)


def call_predict_labels(case: dict, got: dict) -> Call:
    """Trusted side: the call one vote case made (the classifier is its labels)."""
    return hidden_call((SimpleNamespace(y_train=case["y_train"]), case["dists"]),
                       got.get("labels"), k=int(case["k"]))


METHOD = "KNearestNeighbor.compute_distances_"
HIDDEN_TESTS = [
    HiddenTest("two_loops", METHOD + "two_loops", lambda: distance_cases(2100, 4, 14, True),
               probe_two_loops, judge("compute_distances_two_loops"), call_distances),
    HiddenTest("one_loop", METHOD + "one_loop", lambda: distance_cases(3100, 4, 25),
               probe_one_loop, judge("compute_distances_one_loop"), call_distances),
    HiddenTest("no_loops", METHOD + "no_loops",
               lambda: distance_cases(4100, 5, 60, duplicates=True),
               probe_no_loops, judge("compute_distances_no_loops"), call_distances),
    HiddenTest("predict_labels", "KNearestNeighbor.predict_labels", label_cases,
               probe_predict_labels, judge_predict_labels, call_predict_labels),
    HiddenTest("l1", METHOD + "l1", lambda: distance_cases(5100, 4, 25, True),
               probe_l1, judge("compute_distances_l1", "l1"), call_distances),
]
