"""Hidden tests of 02_linear_classifiers, decided by the trusted grader (see
cs231n_utils.course.trusted).

Inputs are made here with fixed seeds; probes run in the sandbox and only call the
student's code; judges use the visible checks' comparisons (``cs231n_utils.checks.linear``)
with ``reveal=False``, on the trusted side:

* the four losses: the value against PyTorch's losses, dW against PyTorch autograd;
* ``LinearClassifier.predict``: the highest-scoring class of every row;
* ``LinearClassifier.train``: trained through the checks' least-squares recorder, each
  step replayed here (batches must be rows of X with their labels, every update
  ``W - learning_rate * dW`` with dW recomputed on the trusted side), and a second run
  with the same seed must draw the same batches.
"""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

from cs231n_utils.checks.linear import (
    judge_gradient,
    judge_loss_output,
    judge_loss_value,
    judge_predict,
    judge_reproducible,
    judge_train,
)
from cs231n_utils.checks.mistakes import Call, hidden_call
from cs231n_utils.course.trusted import HiddenTest

# --- the four losses ----------------------------------------------------------------------


def _far_from_kinks(W: np.ndarray, X: np.ndarray, y: np.ndarray) -> bool:
    """No SVM margin (j != y[i]) within a rounding error of 0, where the hinge has a kink
    and the student's and PyTorch's rounding could pick different sides."""
    scores = X @ W
    rows = np.arange(len(y))
    margins = scores - scores[rows, y][:, np.newaxis] + 1.0
    margins[rows, y] = 1.0
    return bool(np.abs(margins).min() > 1e-6 * max(1.0, float(np.abs(scores).max())))


def loss_cases(seed: int, cases: int, largest: tuple[int, int, int], kind: str,
               huge_from: int | None = None) -> list[dict]:
    """Random ``(W, X, y, reg)``: N, D, C below ``largest``; weights from 0.01 to 10 (1e3
    to 1e4 from case ``huge_from`` on: scores of a row thousands apart); even cases
    without regularisation. SVM cases are redrawn until no margin sits on a kink."""
    out = []
    for case in range(cases):
        rng = np.random.default_rng(seed + case)
        while True:
            N, D, C = (int(rng.integers(low, high)) for low, high in
                       zip((1, 1, 2), largest, strict=True))
            huge = huge_from is not None and case >= huge_from
            W = rng.standard_normal((D, C)) * 10.0 ** rng.uniform(*((3, 4) if huge else (-2, 1)))
            X = rng.standard_normal((N, D)) * 10.0 ** rng.uniform(-1, 1)
            y = rng.integers(0, C, size=N)
            if kind != "svm" or _far_from_kinks(W, X, y):
                break
        reg = float(10.0 ** rng.uniform(-2, 0.3)) if case % 2 else 0.0
        out.append({"W": W, "X": X, "y": y, "reg": np.array(reg)})
    return out


def _loss(name: str, case: dict) -> dict:
    """Sandbox side: call the student's loss ``name``; return its result as plain values."""
    import importlib

    from cs231n_utils.checks.linear import loss_output

    module = "linear_svm" if name.startswith("svm") else "softmax"
    f = getattr(importlib.import_module(f"cs231n_utils.classifiers.{module}"), name)
    W, X, y = case["W"].copy(), case["X"].copy(), case["y"].copy()
    return loss_output(f(W, X, y, float(case["reg"])), W, X, y)


def probe_svm_naive(case: dict) -> dict:
    return _loss("svm_loss_naive", case)


def probe_svm_vectorized(case: dict) -> dict:
    return _loss("svm_loss_vectorized", case)


def probe_softmax_naive(case: dict) -> dict:
    return _loss("softmax_loss_naive", case)


def probe_softmax_vectorized(case: dict) -> dict:
    return _loss("softmax_loss_vectorized", case)


def judge_loss(name: str) -> Callable[[dict, dict], None]:
    kind = "svm" if name.startswith("svm") else "softmax"

    def judge_case(case: dict, got: dict) -> None:
        W, X, y, reg = case["W"], case["X"], case["y"], float(case["reg"])
        loss, dW = judge_loss_output(name, W, X, y, got)
        judge_loss_value(name, kind, W, X, y, reg, loss, reveal=False)
        judge_gradient(name, kind, W, X, y, reg, dW, reveal=False)
    return judge_case


def call_loss(case: dict, got: dict) -> Call:
    """Trusted side: the call one loss case made, for the mistake catalogue."""
    return hidden_call((case["W"], case["X"], case["y"], float(case["reg"])),
                       (got.get("loss"), got.get("dW")))


# --- LinearClassifier ---------------------------------------------------------------------


def _send(got: dict, key: str, value: Any) -> None:
    """Sandbox side: ``value`` under ``key`` when it is numbers; its type name always."""
    from cs231n_utils.checks.linear import numbers_or_none

    got[f"{key}_type"] = type(value).__name__
    array = numbers_or_none(value)
    if array is not None:
        got[key] = array


def _received(got: dict, key: str, what: str) -> np.ndarray | None:
    """Trusted side: the array sent by :func:`_send`, None if the value was None."""
    if key in got:
        return got[key]
    kind = str(got[f"{key}_type"])
    if kind == "NoneType":
        return None
    raise AssertionError(f"{what} is a {kind}, not numbers")


def predict_cases() -> list[dict]:
    """Random weights and rows of scales 0.01 to 100; the three classes take turns."""
    out = []
    for case in range(6):
        rng = np.random.default_rng(7100 + case)
        N, D, C = int(rng.integers(1, 200)), int(rng.integers(1, 40)), int(rng.integers(2, 15))
        out.append({"W": rng.standard_normal((D, C)),
                    "X": rng.standard_normal((N, D)) * 10.0 ** rng.uniform(-2, 2),
                    "model": np.array(("LinearClassifier", "LinearSVM", "Softmax")[case % 3])})
    return out


def probe_predict(case: dict) -> dict:
    from cs231n_utils.classifiers import linear_classifier

    model = getattr(linear_classifier, str(case["model"]))()
    model.W = case["W"].copy()
    got = {}
    _send(got, "y_pred", model.predict(case["X"].copy()))
    _send(got, "W_after", model.W)
    return got


def judge_predict_case(case: dict, got: dict) -> None:
    judge_predict(case["W"], case["X"], _received(got, "y_pred", "what predict returned"),
                  _received(got, "W_after", "W after predict"), reveal=False)


def call_predict(case: dict, got: dict) -> Call:
    """Trusted side: the call one predict case made (the model is its weights)."""
    return hidden_call((SimpleNamespace(W=case["W"]), case["X"]), got.get("y_pred"))


def train_cases() -> list[dict]:
    """Training sets whose column 0 is the row's index (a batch row says where it came
    from), every class present up to C - 1, small steps; sizes such that random batches
    of any correct sampler differ between steps and cover more than 2 batches' worth of
    rows."""
    out = []
    for case in range(4):
        rng = np.random.default_rng(8100 + case)
        N, D, C = int(rng.integers(40, 81)), int(rng.integers(2, 10)), int(rng.integers(2, 7))
        X = rng.standard_normal((N, D))
        X[:, 0] = np.arange(N)
        y = rng.integers(0, C, size=N)
        y[int(rng.integers(0, N))] = C - 1
        out.append({
            "X": X, "y": y,
            "learning_rate": np.array(float(10.0 ** rng.uniform(-5, -3.5))),
            "reg": np.array(float(rng.uniform(0.0, 0.5))),
            "num_iters": np.array(int(rng.integers(8, 16))),
            "batch_size": np.array(int(rng.integers(2, 9))),
            "seed": np.array(int(rng.integers(0, 2**31))),
        })
    return out


def _settings(case: dict) -> dict:
    return {"learning_rate": float(case["learning_rate"]), "reg": float(case["reg"]),
            "num_iters": int(case["num_iters"]), "batch_size": int(case["batch_size"]),
            "seed": int(case["seed"])}


def probe_train(case: dict) -> dict:
    from cs231n_utils.checks.linear import least_squares_recorder

    limit = int(case["num_iters"]) + 1  # send no more calls than the judge can use
    got = {}
    model = least_squares_recorder()
    _send(got, "history", model.train(case["X"].copy(), case["y"].copy(), **_settings(case)))
    _send(got, "W_final", model.W)
    got["calls"] = len(model.calls)
    for t, (X_batch, y_batch, W) in enumerate(model.calls[:limit]):
        got[f"X_batch_{t}"], got[f"y_batch_{t}"], got[f"W_{t}"] = X_batch, y_batch, W
    again = least_squares_recorder()
    again.train(case["X"].copy(), case["y"].copy(), **_settings(case))
    got["again_calls"] = len(again.calls)
    for t, (X_batch, _, _) in enumerate(again.calls[:limit]):
        got[f"again_X_batch_{t}"] = X_batch
    return got


def judge_train_case(case: dict, got: dict) -> None:
    settings = _settings(case)
    count = min(int(got["calls"]), settings["num_iters"] + 1)
    calls = [(got[f"X_batch_{t}"], got[f"y_batch_{t}"], got[f"W_{t}"]) for t in range(count)]
    calls += [None] * (int(got["calls"]) - count)  # counted, not sent: the count check fails
    history = _received(got, "history", "what train returned")
    judge_train(case["X"], case["y"], settings["learning_rate"], settings["reg"],
                settings["num_iters"], settings["batch_size"], history, calls,
                _received(got, "W_final", "W after train"))
    again = [got[f"again_X_batch_{t}"]
             for t in range(min(int(got["again_calls"]), settings["num_iters"] + 1))]
    judge_reproducible(settings["seed"], [X_batch for X_batch, _, _ in calls], again)


HIDDEN_TESTS = [
    HiddenTest("svm_naive", "svm_loss_naive",
               lambda: loss_cases(5100, 5, (25, 16, 9), "svm"),
               probe_svm_naive, judge_loss("svm_loss_naive"),
               call_loss),
    HiddenTest("svm_vectorized", "svm_loss_vectorized",
               lambda: loss_cases(5200, 6, (300, 60, 15), "svm"),
               probe_svm_vectorized, judge_loss("svm_loss_vectorized"),
               call_loss),
    HiddenTest("softmax_naive", "softmax_loss_naive",
               lambda: loss_cases(6100, 6, (25, 16, 9), "softmax", huge_from=4),
               probe_softmax_naive, judge_loss("softmax_loss_naive"),
               call_loss),
    HiddenTest("softmax_vectorized", "softmax_loss_vectorized",
               lambda: loss_cases(6200, 6, (300, 60, 15), "softmax", huge_from=4),
               probe_softmax_vectorized, judge_loss("softmax_loss_vectorized"),
               call_loss),
    HiddenTest("linear_classifier_predict", "LinearClassifier.predict", predict_cases,
               probe_predict, judge_predict_case, call_predict),
    HiddenTest("linear_classifier_train", "LinearClassifier.train", train_cases,
               probe_train, judge_train_case),
]
