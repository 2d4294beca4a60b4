"""How fast are the solution's vectorised linear losses? A benchmark script (not a test).

Run from the repository root::

    .venv/bin/python benchmarks/bench_linear_losses.py

On a CIFAR-sized minibatch (N = 500 examples, D = 3073 = 32 * 32 * 3 pixels + bias,
C = 10 classes, float64, seeded pixel-like data, reg = 2.5e4) it first checks that all
implementations agree, then times each one (best of several runs of
:func:`time.perf_counter`, the vectorised and PyTorch runs taking turns) and prints, for
the SVM and the softmax loss, the vectorised solution (loss AND gradient) as a ratio to:

* the naive solution (loops), same inputs;
* the same computation in PyTorch: forward (the SVM as a hinge written with torch
  operations, the softmax with ``torch.nn.functional.cross_entropy``, plus
  ``reg * sum(W * W)``) and backward (``loss.backward()`` for the gradient with respect to
  ``W``), float64, as many threads as NumPy's BLAS.

The goal: the vectorised losses no slower than PyTorch (ratio <= 1). The script exits 1
if the implementations disagree; a missed speed goal is reported, not fatal (timings on
a shared machine are noisy).

The solution modules are laid over the student package in this process (the overlay), so
``cs231n_utils.classifiers.*`` are the complete versions, not the stubs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cs231n_utils.course.overlay import overlay_in_process  # noqa: E402
from cs231n_utils.timing import blas_threads  # noqa: E402

overlay_in_process()  # before any graded module is imported

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch.nn import functional  # noqa: E402

from cs231n_utils.classifiers.linear_svm import (  # noqa: E402
    svm_loss_naive,
    svm_loss_vectorized,
)
from cs231n_utils.classifiers.softmax import (  # noqa: E402
    softmax_loss_naive,
    softmax_loss_vectorized,
)

N, D, C = 500, 3073, 10
REG = 2.5e4
GOAL_TORCH = 1.0


def best_times(funcs: dict[str, Callable[[], Any]], repeat: int, number: int) -> dict[str, float]:
    """Seconds per call of each function: the fastest of ``repeat`` runs of ``number`` calls.

    The runs of the functions take turns (a, b, a, b, ...), so that a burst of load on a
    shared machine slows all of them alike instead of spoiling one function's runs.
    """
    best = dict.fromkeys(funcs, float("inf"))
    for _ in range(repeat):
        for name, f in funcs.items():
            start = perf_counter()
            for _ in range(number):
                f()
            best[name] = min(best[name], (perf_counter() - start) / number)
    return best


def torch_svm(W: np.ndarray, X: torch.Tensor, y: torch.Tensor, reg: float):
    """Multiclass SVM loss in torch operations, forward and backward; (loss, dW)."""
    W_t = torch.from_numpy(W).requires_grad_(True)
    scores = X @ W_t
    margins = torch.clamp(scores - scores.gather(1, y[:, None]) + 1.0, min=0.0)
    not_correct = torch.ones_like(scores).scatter_(1, y[:, None], 0.0)
    loss = (margins * not_correct).sum() / X.shape[0] + reg * (W_t * W_t).sum()
    loss.backward()
    return loss.item(), W_t.grad.numpy()


def torch_softmax(W: np.ndarray, X: torch.Tensor, y: torch.Tensor, reg: float):
    """Softmax loss with torch's cross_entropy, forward and backward; (loss, dW)."""
    W_t = torch.from_numpy(W).requires_grad_(True)
    loss = functional.cross_entropy(X @ W_t, y) + reg * (W_t * W_t).sum()
    loss.backward()
    return loss.item(), W_t.grad.numpy()


def main() -> int:
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(N, D - 1)).astype(np.float64)
    X -= X.mean(axis=0)                                  # mean image subtracted
    X = np.hstack([X, np.ones((N, 1))])                  # the bias trick
    y = rng.integers(0, C, size=N)
    W = 1e-4 * rng.standard_normal((D, C))

    threads = blas_threads()
    torch.set_num_threads(threads)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)

    losses = {
        "SVM": {
            "vectorized": lambda: svm_loss_vectorized(W, X, y, REG),
            "naive": lambda: svm_loss_naive(W, X, y, REG),
            "torch": lambda: torch_svm(W, X_t, y_t, REG),
        },
        "softmax": {
            "vectorized": lambda: softmax_loss_vectorized(W, X, y, REG),
            "naive": lambda: softmax_loss_naive(W, X, y, REG),
            "torch": lambda: torch_softmax(W, X_t, y_t, REG),
        },
    }

    print(f"Linear losses, loss and gradient: N = {N}, D = {D}, C = {C}, float64, "
          f"reg = {REG:g}; numpy {np.__version__}, torch {torch.__version__} "
          f"({threads} threads for both)")

    # 1. Agreement, before any timing.
    worst = 0.0
    for name, versions in losses.items():
        ref_loss, ref_grad = versions["torch"]()
        for version in ("vectorized", "naive"):
            loss, grad = versions[version]()
            loss_err = abs(loss - ref_loss) / max(1.0, abs(ref_loss))
            grad_err = float(np.abs(grad - ref_grad).max() / max(1e-12, np.abs(ref_grad).max()))
            worst = max(worst, loss_err, grad_err)
            print(f"  agrees with torch: {name:8s} {version:10s} loss rel. diff {loss_err:.1e}, "
                  f"dW max rel. diff {grad_err:.1e}")
    if worst > 1e-9:
        print(f"FAIL: the implementations disagree (worst relative difference {worst:.3g})")
        return 1

    # 2. Timings: best of several runs (the naive versions fewer, they are slow).
    print()
    print(f"{'loss':8s} {'implementation':16s} {'ms per call':>12s}   {'vectorized / this':>17s}")
    print("-" * 60)
    ratios = {}
    for name, versions in losses.items():
        seconds = best_times({"vectorized": versions["vectorized"], "torch": versions["torch"]},
                             repeat=30, number=10)
        seconds["naive"] = best_times({"naive": versions["naive"]}, repeat=3, number=1)["naive"]
        labels = {"vectorized": "vectorized", "naive": "naive (loops)",
                  "torch": "torch fwd+bwd"}
        for version, s in seconds.items():
            print(f"{name:8s} {labels[version]:16s} {s * 1e3:12.3f}   "
                  f"{seconds['vectorized'] / s:17.3f}")
        ratios[name] = (seconds["vectorized"] / seconds["naive"],
                        seconds["vectorized"] / seconds["torch"])

    print()
    for name, (to_naive, to_torch) in ratios.items():
        verdict = "met" if to_torch <= GOAL_TORCH else "NOT met"
        print(f"{name:8s} vectorized / naive = {to_naive:.4f} ({1 / to_naive:.0f}x faster); "
              f"vectorized / torch = {to_torch:.2f} (goal <= {GOAL_TORCH}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
