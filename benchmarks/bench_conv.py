"""How fast are the fast convolution and max pooling layers, against PyTorch and the naive ones?

Run from the repository root::

    .venv/bin/python benchmarks/bench_conv.py

What is measured: one forward plus one backward pass (all gradients) of

* a convolutional layer on a CIFAR-shaped batch, 50 images 3 x 32 x 32, 32 filters 3 x 3
  (pad 1) and 7 x 7 (pad 3), stride 1; and the first layer of the notebook's Fashion-MNIST
  network, 50 images 1 x 28 x 28, 32 filters 7 x 7 (pad 3);
* max pooling of 50 x 32 x 32 x 32 activations, 2 x 2 stride 2, and 3 x 3 stride 2 (windows
  that overlap, on 31 x 31 inputs so that the windows tile them); and the notebook's 2 x 2
  pooling of 50 x 32 x 28 x 28,

each in float32 and in float64, by three implementations:

* ``cs231n_utils.fast_layers`` (im2col and matrix products, strided views; NumPy only);
* PyTorch: ``conv2d`` / ``max_pool2d`` forward and autograd backward, at the same dtype,
  computing the gradient of the input too (``x.requires_grad``), as our backward does;
* the naive layers of ``cs231n_utils.layers`` (loops). They are slow, so they run on a
  slice of the batch and their time is scaled to the whole batch (linearly: their loops
  run over the images), unless the scaled estimate is small enough to time the whole
  batch; the table says which.

PyTorch uses as many threads as NumPy's BLAS (read from the usual environment variables,
else all cores). The script first checks that the three agree (exit 1 if not), then times
them: best of several runs (:func:`time.perf_counter`) after warm-up, the fast layers and
PyTorch taking turns so that a burst of other work on the machine hits both alike.

Goals, reported and not enforced by the exit code (timings on a shared machine are noisy):
in every configuration, the fast layers at least 100 times faster than the naive ones and
at most 2 times slower than PyTorch. On a busy machine, multi-threaded BLAS (and PyTorch's
OpenMP) can slow down many times over; ``OPENBLAS_NUM_THREADS=1`` gives steadier numbers.

The solution modules are laid over the package in this process
(:func:`cs231n_utils.course.overlay.overlay_in_process`) before any graded module is
imported: the student copy in ``cs231n_utils/`` only raises ``NotImplementedError``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.nn import functional

from cs231n_utils.course.overlay import overlay_in_process
from cs231n_utils.timing import best_times, blas_threads, time_function

N = 50
REPEAT = 15                  # fast layers and PyTorch: best of this many, after warm-up
NAIVE_REPEAT = 2             # naive layers: best of two, no warm-up (they take seconds)
NAIVE_SLICE = {"conv": 2, "pool": 5}   # images the naive layers get when scaled
NAIVE_FULL_BELOW = 2.0       # seconds: below this scaled estimate, time the whole batch
GOAL_NAIVE = 100.0           # fast at least this many times faster than naive
GOAL_TORCH = 2.0             # fast at most this many times slower than PyTorch
DTYPES = (np.float32, np.float64)
TOLERANCE = {np.float32: 1e-4, np.float64: 1e-10}   # largest difference / largest entry


@dataclass(frozen=True)
class Config:
    """One benchmarked layer: its kind, input shape and hyper-parameters."""

    name: str
    kind: str                         # "conv" or "pool"
    x_shape: tuple[int, int, int, int]
    filter_shape: tuple[int, int, int, int] | None = None    # conv: (F, C, HH, WW)
    pad: int = 0
    pool: int = 0                     # pool: window side
    stride: int = 1
    goal: bool = True                 # one of the configurations the goals are set for

    def params(self) -> dict[str, int]:
        if self.kind == "conv":
            return {"stride": self.stride, "pad": self.pad}
        return {"pool_height": self.pool, "pool_width": self.pool, "stride": self.stride}


CONFIGS = [
    Config("conv 3x3 pad 1, 3->32 ch, 32x32", "conv", (N, 3, 32, 32), (32, 3, 3, 3), pad=1),
    Config("conv 7x7 pad 3, 3->32 ch, 32x32", "conv", (N, 3, 32, 32), (32, 3, 7, 7), pad=3),
    Config("conv 7x7 pad 3, 1->32 ch, 28x28", "conv", (N, 1, 28, 28), (32, 1, 7, 7), pad=3,
           goal=False),
    Config("pool 2x2 stride 2, 32 ch, 32x32", "pool", (N, 32, 32, 32), pool=2, stride=2),
    Config("pool 3x3 stride 2, 32 ch, 31x31", "pool", (N, 32, 31, 31), pool=3, stride=2,
           goal=False),
    Config("pool 2x2 stride 2, 32 ch, 28x28", "pool", (N, 32, 28, 28), pool=2, stride=2,
           goal=False),
]


def make_inputs(config: Config, dtype: type, rng: np.random.Generator) -> dict[str, Any]:
    """Random input, parameters and upstream gradient for ``config`` at ``dtype``."""
    x = rng.normal(size=config.x_shape).astype(dtype)
    inputs: dict[str, Any] = {"x": x}
    if config.kind == "conv":
        F, C, HH, WW = config.filter_shape
        inputs["w"] = (rng.normal(size=config.filter_shape) / np.sqrt(C * HH * WW)).astype(dtype)
        inputs["b"] = rng.normal(size=F).astype(dtype)
        out_shape = (len(x), F, *torch_forward(config, inputs).shape[2:])
    else:
        out_shape = tuple(torch_forward(config, inputs).shape)
    inputs["dout"] = rng.normal(size=out_shape).astype(dtype)
    return inputs


def torch_forward(config: Config, tensors: dict[str, Any]) -> torch.Tensor:
    """PyTorch's forward pass on ``tensors`` (NumPy arrays are wrapped, not copied)."""
    t = {k: torch.as_tensor(v) for k, v in tensors.items() if k != "dout"}
    if config.kind == "conv":
        return functional.conv2d(t["x"], t["w"], t["b"], stride=config.stride, padding=config.pad)
    return functional.max_pool2d(t["x"], config.pool, stride=config.stride)


def torch_step(config: Config, leaves: dict[str, torch.Tensor],
               dout: torch.Tensor) -> tuple[torch.Tensor, tuple[torch.Tensor, ...]]:
    """PyTorch forward and autograd backward: output and the gradients of every leaf."""
    out = torch_forward(config, leaves)
    return out, torch.autograd.grad(out, tuple(leaves.values()), dout)


def relative_difference(got: np.ndarray, want: np.ndarray) -> float:
    scale = max(float(np.max(np.abs(want))), 1e-300)
    return float(np.max(np.abs(np.asarray(got, dtype=np.float64) - want))) / scale


def main() -> int:
    overlay_in_process()
    from cs231n_utils import fast_layers
    from cs231n_utils import layers as naive_layers  # the solution, overlaid

    threads = blas_threads()
    torch.set_num_threads(threads)
    fast = {"conv": (fast_layers.conv_forward_fast, fast_layers.conv_backward_fast),
            "pool": (fast_layers.max_pool_forward_fast, fast_layers.max_pool_backward_fast)}
    naive = {"conv": (naive_layers.conv_forward_naive, naive_layers.conv_backward_naive),
             "pool": (naive_layers.max_pool_forward_naive, naive_layers.max_pool_backward_naive)}
    print(f"Fast layers (cs231n_utils.fast_layers) vs PyTorch and vs the naive layers: forward "
          f"+ backward, batch of {N}; numpy {np.__version__}, torch {torch.__version__} "
          f"({threads} threads for both)")

    def fast_step(config: Config, a: dict[str, Any], n: int | None = None,
                  layer: dict = fast) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Forward and backward with ``layer``'s functions, on the first ``n`` images."""
        forward, backward = layer[config.kind]
        sl = slice(None) if n is None else slice(0, n)
        args = (a["x"][sl], a["w"], a["b"]) if config.kind == "conv" else (a["x"][sl],)
        out, cache = forward(*args, config.params())
        grads = backward(a["dout"][sl], cache)
        return out, grads if isinstance(grads, tuple) else (grads,)

    rng = np.random.default_rng(0)
    inputs = {(c, d): make_inputs(c, d, rng) for c in CONFIGS for d in DTYPES}

    # 1. Agreement, before any timing: fast vs PyTorch on the whole batch, naive vs fast on
    # one image.
    worst_fail = []
    for (config, dtype), a in inputs.items():
        out, grads = fast_step(config, a)
        leaves = {k: torch.from_numpy(v).requires_grad_(True) for k, v in a.items()
                  if k != "dout"}
        t_out, t_grads = torch_step(config, leaves, torch.from_numpy(a["dout"]))
        dtypes_ok = out.dtype == dtype and all(g.dtype == dtype for g in grads)
        err = max(relative_difference(got, want.detach().numpy())
                  for got, want in zip((out, *grads), (t_out, *t_grads), strict=True))
        n_out, n_grads = fast_step(config, a, 1, layer=naive)
        f_out, f_grads = fast_step(config, a, 1)
        err_naive = max(relative_difference(got, want)
                        for got, want in zip((n_out, *n_grads), (f_out, *f_grads), strict=True))
        if not (dtypes_ok and err < TOLERANCE[dtype] and err_naive < TOLERANCE[dtype]):
            worst_fail.append(f"{config.name} {np.dtype(dtype)}: vs PyTorch {err:.2g}, vs "
                              f"naive {err_naive:.2g}, dtypes kept: {dtypes_ok}")
    if worst_fail:
        print("FAIL: the fast layers disagree (largest difference / largest entry):")
        print("\n".join(f"  {line}" for line in worst_fail))
        return 1
    print("Outputs and gradients agree with PyTorch and with the naive layers "
          "(float64 to 1e-10, float32 to 1e-4, relative to the largest entry).")

    # 2. Timings.
    rows = []
    for (config, dtype), a in inputs.items():
        leaves = {k: torch.from_numpy(v).requires_grad_(True) for k, v in a.items()
                  if k != "dout"}
        t_dout = torch.from_numpy(a["dout"])
        seconds = best_times({"fast": lambda c=config, a=a: fast_step(c, a),
                              "torch": lambda c=config, le=leaves, d=t_dout: torch_step(c, le, d)},
                             REPEAT)
        n_slice = NAIVE_SLICE[config.kind]
        slice_s = time_function(lambda c=config, a=a, n=n_slice: fast_step(c, a, n, naive),
                                repeat=NAIVE_REPEAT)
        naive_s = slice_s * N / n_slice
        how = f"{n_slice} imgs x{N / n_slice:g}"
        if naive_s < NAIVE_FULL_BELOW:
            naive_s = time_function(lambda c=config, a=a: fast_step(c, a, None, naive),
                                    repeat=1)
            how = "whole batch"
        rows.append((config, dtype, seconds["fast"], seconds["torch"], naive_s, how))

    print()
    header = (f"{'layer (forward + backward)':33s} {'dtype':7s} {'fast ms':>8s} {'torch ms':>9s} "
              f"{'fast/torch':>10s} {'naive ms':>10s} {'naive timed on':>15s} {'naive/fast':>10s}")
    print(header)
    print("-" * len(header))
    for config, dtype, fast_s, torch_s, naive_s, how in rows:
        print(f"{config.name:33s} {np.dtype(dtype).name:7s} {fast_s * 1e3:8.2f} "
              f"{torch_s * 1e3:9.2f} {fast_s / torch_s:10.2f} {naive_s * 1e3:10.0f} "
              f"{how:>15s} {naive_s / fast_s:10.0f}")
    print("naive ms: on the whole batch, or on its first n images and multiplied by N / n "
          "('n imgs x..'), as the column says.")
    print()
    print(f"Goals: fast at least {GOAL_NAIVE:g}x faster than naive, at most {GOAL_TORCH:g}x "
          f"PyTorch's time, for the CIFAR-shaped batch (conv 3x3 and 7x7, pool 2x2); the "
          f"other rows are extra information.")
    met_count = goal_count = 0
    for config, dtype, fast_s, torch_s, naive_s, _ in rows:
        vs_naive, vs_torch = naive_s / fast_s, fast_s / torch_s
        met = vs_naive >= GOAL_NAIVE and vs_torch <= GOAL_TORCH
        goal_count += config.goal
        met_count += config.goal and met
        print(f"{config.name} {np.dtype(dtype).name}: {vs_naive:.0f}x faster than naive, "
              f"{vs_torch:.2f}x PyTorch's time: {'met' if met else 'NOT met'}"
              + ("" if config.goal else " (extra)"))
    print(f"goals met in {met_count} of the {goal_count} goal configurations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
