"""How fast is the solution's no-loop L2 distance? A benchmark script (not a test).

Run from the repository root::

    .venv/bin/python benchmarks/bench_knn_distances.py

On CIFAR-sized rows (500 test x 5,000 training, D = 3072, float64, seeded random pixels)
it first checks that every implementation gives the same distances, then times each one
(best of several runs, :func:`time.perf_counter`) and prints the solution's
``compute_distances_no_loops`` time as a ratio to:

* the bare matrix product ``X_test @ X_train.T``: the floor, since the expansion
  |a|^2 + |b|^2 - 2ab cannot be cheaper than its cross term;
* ``torch.cdist`` (float64, same data, as many threads as NumPy's BLAS);
* ``scipy.spatial.distance.cdist``;
* the solution's one-loop and two-loop versions, timed on a slice of the test rows and
  scaled up linearly (the output says so).

The goals: no-loop within 1.5x of the floor and no slower than ``torch.cdist``. The
script exits 1 if the implementations disagree; a missed speed goal is reported, not
fatal (timings on a shared machine are noisy).

The solution module is loaded from ``solutions/cs231n_utils`` by file path: the student
copy in ``cs231n_utils/`` only raises ``NotImplementedError``.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from scipy.spatial.distance import cdist

from cs231n_utils.timing import blas_threads, time_function

REPO = Path(__file__).resolve().parents[1]
SOLUTION = REPO / "solutions" / "cs231n_utils" / "classifiers" / "k_nearest_neighbor.py"

NUM_TEST, NUM_TRAIN, DIM = 500, 5000, 3072
ONE_LOOP_ROWS = 50     # the one-loop version takes ~0.1 s per test row at this size
TWO_LOOP_ROWS = 20
GOAL_FLOOR = 1.5
GOAL_TORCH = 1.0


def load_solution_class() -> type:
    """Import ``KNearestNeighbor`` from the solution file, bypassing the student stub."""
    spec = importlib.util.spec_from_file_location("knn_solution", SOLUTION)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {SOLUTION}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.KNearestNeighbor


def main() -> int:
    rng = np.random.default_rng(0)
    X_train = rng.integers(0, 256, size=(NUM_TRAIN, DIM)).astype(np.float64)
    X_test = rng.integers(0, 256, size=(NUM_TEST, DIM)).astype(np.float64)
    # Non-integer values too, so the comparison is not helped by exact arithmetic.
    X_test += rng.uniform(-0.5, 0.5, size=X_test.shape)

    threads = blas_threads()
    torch.set_num_threads(threads)
    t_train, t_test = torch.from_numpy(X_train), torch.from_numpy(X_test)

    knn = load_solution_class()()
    knn.train(X_train, np.zeros(NUM_TRAIN, dtype=np.int64))

    implementations: dict[str, Callable[[], np.ndarray]] = {
        "no loops (solution)": lambda: knn.compute_distances_no_loops(X_test),
        "X_test @ X_train.T (floor)": lambda: X_test @ X_train.T,
        "torch.cdist": lambda: torch.cdist(t_test, t_train).numpy(),
        "scipy cdist": lambda: cdist(X_test, X_train),
        "one loop": lambda: knn.compute_distances_one_loop(X_test[:ONE_LOOP_ROWS]),
        "two loops": lambda: knn.compute_distances_two_loops(X_test[:TWO_LOOP_ROWS]),
    }
    scale = {"one loop": NUM_TEST / ONE_LOOP_ROWS, "two loops": NUM_TEST / TWO_LOOP_ROWS}

    print(f"k-NN L2 distances: {NUM_TEST} test x {NUM_TRAIN} training rows, D = {DIM}, "
          f"float64; numpy {np.__version__}, torch {torch.__version__} "
          f"({threads} threads for both)")

    # 1. Agreement, before any timing.
    reference = cdist(X_test, X_train)
    results = {name: f() for name, f in implementations.items() if "floor" not in name}
    worst = 0.0
    for name, got in results.items():
        want = reference[: got.shape[0]]
        diff = float(np.abs(got - want).max()) if got.shape == want.shape else float("inf")
        worst = max(worst, diff)
        rows = f" (first {got.shape[0]} test rows)" if got.shape[0] < NUM_TEST else ""
        print(f"  agrees with scipy cdist{rows}: {name:20s} max |difference| {diff:.2g}")
    if worst > 1e-6 * reference.max():
        print(f"FAIL: the implementations disagree (max difference {worst:.3g})")
        return 1
    del results

    # 2. Timings: best of several runs; the loop versions on a slice, scaled up.
    repeats = {"scipy cdist": 2, "one loop": 2, "two loops": 1}
    seconds = {}
    for name, f in implementations.items():
        seconds[name] = time_function(f, repeat=repeats.get(name, 7)) * scale.get(name, 1.0)
    ours = seconds["no loops (solution)"]

    print()
    print(f"{'implementation':28s} {'seconds':>9s}   {'no-loops / this':>15s}")
    print("-" * 58)
    for name, s in seconds.items():
        note = ""
        if name in scale:
            rows = ONE_LOOP_ROWS if name == "one loop" else TWO_LOOP_ROWS
            note = f"   timed on {rows} test rows, x{scale[name]:.0f}"
        print(f"{name:28s} {s:9.3f}   {ours / s:15.3f}{note}")

    floor_ratio = ours / seconds["X_test @ X_train.T (floor)"]
    torch_ratio = ours / seconds["torch.cdist"]
    print()
    for what, ratio, goal in [("the floor (bare matrix product)", floor_ratio, GOAL_FLOOR),
                              ("torch.cdist", torch_ratio, GOAL_TORCH)]:
        verdict = "met" if ratio <= goal else "NOT met"
        print(f"no loops / {what}: {ratio:.2f} (goal <= {goal}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
