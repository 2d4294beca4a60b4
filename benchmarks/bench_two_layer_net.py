"""How fast is the solution's TwoLayerNet compared with the same network in PyTorch?

Run from the repository root::

    .venv/bin/python benchmarks/bench_two_layer_net.py

One training step's worth of work, on CIFAR-sized inputs: a forward and a backward pass
(loss and all four gradients) of a two-layer network, 200 examples x 3,072 inputs, 100
hidden units, 10 classes, softmax loss plus L2 penalty, float64. The same network, with the
same parameters and data, is written in PyTorch and differentiated by its autograd. Both
use the same number of threads (NumPy's BLAS threads, read from the usual environment
variables, else all cores).

The script first checks that losses and gradients agree (exit 1 if they do not), then
times both (best of several runs, :func:`time.perf_counter`, after warm-up) and prints
``TwoLayerNet.loss / PyTorch``: below 1 means the NumPy layers are faster. The goal,
reported and not enforced (timings on a shared machine are noisy): at most 1.5.

The layer contract makes ``affine_backward`` return ``dx`` even for the input images,
which a network never needs and PyTorch skips; a second PyTorch line also computes it, to
compare the same amount of work. On a machine busy with other work, multi-threaded BLAS
can slow down many times over (threads wait for cores); ``OPENBLAS_NUM_THREADS=1`` then
gives steadier numbers (PyTorch follows the same setting here).

The solution modules are laid over the package in this process
(:func:`cs231n_utils.course.overlay.overlay_in_process`) before any graded module is
imported: the student copy in ``cs231n_utils/`` only raises ``NotImplementedError``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from cs231n_utils.course.overlay import overlay_in_process
from cs231n_utils.timing import blas_threads, time_function

N, D, H, C = 200, 3 * 32 * 32, 100, 10
REG = 0.1
REPEAT = 30
GOAL = 1.5


def best_time(f: Callable[[], Any], repeat: int) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``f()``, after two warm-up calls."""
    f()
    f()
    return time_function(f, repeat=repeat)


def torch_loss_and_grads(params: dict[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor,
                         reg: float) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """The two-layer network in PyTorch: loss and the gradients of W1, b1, W2, b2 (and of
    X too when ``X.requires_grad``)."""
    hidden = torch.relu(X.reshape(len(X), -1) @ params["W1"] + params["b1"])
    scores = hidden @ params["W2"] + params["b2"]
    loss = torch.nn.functional.cross_entropy(scores, y)
    loss = loss + 0.5 * reg * ((params["W1"] ** 2).sum() + (params["W2"] ** 2).sum())
    wrt = [params[k] for k in ("W1", "b1", "W2", "b2")] + ([X] if X.requires_grad else [])
    grads = torch.autograd.grad(loss, wrt)
    return loss, grads


def main() -> int:
    overlay_in_process()
    from cs231n_utils.classifiers.fc_net import TwoLayerNet  # the solution, overlaid

    threads = blas_threads()
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(N, 32, 32, 3)).astype(np.float64) - 127.5
    y = rng.integers(0, C, size=N)

    np.random.seed(0)
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-3, reg=REG)
    t_params = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    t_X, t_y = torch.from_numpy(X), torch.from_numpy(y)

    print(f"TwoLayerNet forward + backward: batch {N} x {D} (as {X.shape[1:]} images), hidden "
          f"{H}, {C} classes, float64; numpy {np.__version__}, torch {torch.__version__} "
          f"({threads} threads for both)")

    # 1. Agreement, before any timing.
    loss, grads = model.loss(X, y)
    t_loss, t_grads = torch_loss_and_grads(t_params, t_X, t_y, REG)
    worst = abs(loss - t_loss.item()) / abs(t_loss.item())
    for name, t_grad in zip(("W1", "b1", "W2", "b2"), t_grads, strict=True):
        want = t_grad.numpy()
        err = float(np.max(np.abs(grads[name] - want)) / max(np.max(np.abs(want)), 1e-300))
        worst = max(worst, err)
        print(f"  {name}: largest difference from autograd, relative to the largest entry: "
              f"{err:.1e}")
    print(f"  loss: {loss:.12f} (autograd {t_loss.item():.12f})")
    if not worst < 1e-9:
        print(f"FAIL: TwoLayerNet and PyTorch disagree (largest relative difference {worst:.3g})")
        return 1

    # 2. Timings. The layers' backward also returns dx for the input images (the layer
    # contract), which PyTorch skips unless asked: the second PyTorch line asks for it.
    t_X_grad = t_X.clone().requires_grad_(True)
    rows = {
        "TwoLayerNet.loss (NumPy layers)": lambda: model.loss(X, y),
        "PyTorch autograd": lambda: torch_loss_and_grads(t_params, t_X, t_y, REG),
        "PyTorch autograd, also d(input)": lambda: torch_loss_and_grads(t_params, t_X_grad,
                                                                        t_y, REG),
        "TwoLayerNet.loss(X), scores only": lambda: model.loss(X),
    }
    seconds = {name: best_time(f, REPEAT) for name, f in rows.items()}
    ours = seconds["TwoLayerNet.loss (NumPy layers)"]
    print()
    print(f"{'implementation':34s} {'ms':>8s}  {'ours / this':>11s}")
    print("-" * 57)
    for name, s in seconds.items():
        print(f"{name:34s} {s * 1e3:8.2f}  {ours / s:11.2f}")
    ratio = ours / seconds["PyTorch autograd"]
    same_work = ours / seconds["PyTorch autograd, also d(input)"]
    verdict = "met" if ratio <= GOAL else "NOT met"
    print()
    print(f"TwoLayerNet.loss / PyTorch: {ratio:.2f} (goal <= {GOAL}): {verdict}; "
          f"with PyTorch also computing d(input): {same_work:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
