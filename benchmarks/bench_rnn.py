"""How fast are 07_rnn's LSTM and vanilla RNN layers, against PyTorch?

Run from the repository root::

    .venv/bin/python benchmarks/bench_rnn.py

What is measured, in one run: a forward plus a backward pass (gradients of the inputs, the
initial hidden state and every weight) over a minibatch of N = 64 sequences of T = 32 steps,
inputs of D = 128 and hidden states of H = 256, in float32 and in float64:

* ``lstm_forward`` + ``lstm_backward`` against :class:`torch.nn.LSTM` (one layer, the same
  weights: PyTorch's gates are in the order i, f, g, o, ours i, f, o, g) forward plus
  autograd backward;
* ``rnn_forward`` + ``rnn_backward`` against :class:`torch.nn.RNN` (tanh).

Both sides do most of their work in matrix products, so PyTorch gets as many threads as
NumPy's BLAS (read from the usual environment variables, else all cores). The script first
checks that both compute the same thing (exit 1 if not), then times them: best of several
runs after warm-up, taking turns. Goal, reported and not enforced by the exit code: ours
within 2 times PyTorch's time.

The solution modules are laid over the package in this process
(:func:`cs231n_utils.course.overlay.overlay_in_process`) before any graded module is
imported: the student copy only raises ``NotImplementedError``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from cs231n_utils.course.overlay import overlay_in_process
from cs231n_utils.timing import best_times, blas_threads

N, T, D, H = 64, 32, 128, 256
REPEAT = 7
GOAL = 2.0
DTYPES = (np.float32, np.float64)
TOLERANCE = {np.float32: 1e-3, np.float64: 1e-10}   # largest difference / largest entry


def relative_difference(got: Any, want: Any) -> float:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    return float(np.max(np.abs(got - want))) / max(float(np.max(np.abs(want))), 1e-300)


def make_case(cell: str, dtype: type, rng: np.random.Generator) -> dict[str, np.ndarray]:
    gates = 4 if cell == "lstm" else 1
    scale = 1.0 / np.sqrt(H)
    return {"x": rng.normal(size=(N, T, D)).astype(dtype),
            "h0": rng.normal(size=(N, H)).astype(dtype) * 0.5,
            "Wx": (rng.normal(size=(D, gates * H)) * scale).astype(dtype),
            "Wh": (rng.normal(size=(H, gates * H)) * scale).astype(dtype),
            "b": (rng.normal(size=gates * H) * 0.1).astype(dtype),
            "dh": rng.normal(size=(N, T, H)).astype(dtype)}


#: Our LSTM's gate blocks (i, f, o, g) in PyTorch's order (i, f, g, o).
TORCH_ORDER = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]


def torch_module(cell: str, a: dict[str, np.ndarray]) -> torch.nn.Module:
    """A one-layer torch.nn.LSTM / RNN with our weights (batch first, bias_hh zero)."""
    kind = torch.nn.LSTM if cell == "lstm" else torch.nn.RNN
    module = kind(D, H, batch_first=True).to(torch.from_numpy(a["x"]).dtype)
    order = TORCH_ORDER if cell == "lstm" else np.arange(H)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(np.ascontiguousarray(a["Wx"].T[order])))
        module.weight_hh_l0.copy_(torch.from_numpy(np.ascontiguousarray(a["Wh"].T[order])))
        module.bias_ih_l0.copy_(torch.from_numpy(a["b"][order]))
        module.bias_hh_l0.zero_()
    return module


def torch_step(cell: str, module: torch.nn.Module, x: torch.Tensor, h0: torch.Tensor,
               dh: torch.Tensor) -> tuple:
    """Forward and backward: the hidden states and the gradients of x, h0 and every weight."""
    state = (h0[None], torch.zeros_like(h0)[None]) if cell == "lstm" else h0[None]
    h, _ = module(x, state)
    leaves = [x, h0, *module.parameters()]
    return h, torch.autograd.grad(h, leaves, dh)


def main() -> int:
    overlay_in_process()
    from cs231n_utils import rnn_layers  # the solution, overlaid

    threads = blas_threads()
    torch.set_num_threads(threads)
    print(f"07_rnn: LSTM and vanilla RNN layers vs torch.nn, forward + backward, N={N}, T={T}, "
          f"D={D}, H={H}; numpy {np.__version__}, torch {torch.__version__} (BLAS and torch "
          f"threads: {threads})")
    ours = {"lstm": (rnn_layers.lstm_forward, rnn_layers.lstm_backward),
            "rnn": (rnn_layers.rnn_forward, rnn_layers.rnn_backward)}
    rng = np.random.default_rng(0)
    failures, rows = [], []
    for cell in ("lstm", "rnn"):
        forward, backward = ours[cell]
        for dtype in DTYPES:
            a = make_case(cell, dtype, rng)

            def our_step(a: dict = a, forward: Callable = forward,
                         backward: Callable = backward) -> tuple:
                h, cache = forward(a["x"], a["h0"], a["Wx"], a["Wh"], a["b"])
                return h, backward(a["dh"], cache)

            module = torch_module(cell, a)
            x = torch.from_numpy(a["x"]).requires_grad_(True)
            h0 = torch.from_numpy(a["h0"]).requires_grad_(True)
            dh = torch.from_numpy(a["dh"])
            h, (dx, dh0, dWx, dWh, db) = our_step()
            t_h, (t_dx, t_dh0, t_wih, t_whh, t_bih, _) = torch_step(cell, module, x, h0, dh)
            order = TORCH_ORDER if cell == "lstm" else np.arange(H)
            pairs = [(h, t_h), (dx, t_dx), (dh0, t_dh0), (dWx.T[order], t_wih),
                     (dWh.T[order], t_whh), (db[order], t_bih)]
            err = max(relative_difference(g, w.detach().numpy()) for g, w in pairs)
            kept = all(np.asarray(g).dtype == dtype for g in (h, dx, dh0, dWx, dWh, db))
            if not (err < TOLERANCE[dtype] and kept):
                failures.append(f"{cell} {np.dtype(dtype).name}: difference {err:.2g}, dtype "
                                f"kept: {kept}")
            seconds = best_times({
                "ours": our_step,
                "torch": lambda c=cell, m=module, x=x, h0=h0, dh=dh: torch_step(c, m, x, h0, dh),
            }, REPEAT, warmup=1)
            rows.append((cell, np.dtype(dtype).name, seconds))
    if failures:
        print("FAIL: our layers disagree with torch.nn:")
        print("\n".join(f"  {line}" for line in failures))
        return 1
    print("Hidden states and every gradient agree with torch.nn (float64 to 1e-10, float32 to "
          "1e-3, relative to the largest entry).\n")
    header = f"{'layer':6s} {'dtype':8s} {'ours ms':>9s} {'torch ms':>9s} {'ours/torch':>10s}"
    print(header)
    print("-" * len(header))
    met = 0
    for cell, dtype, s in rows:
        ratio = s["ours"] / s["torch"]
        met += ratio <= GOAL
        print(f"{cell:6s} {dtype:8s} {s['ours'] * 1e3:9.1f} {s['torch'] * 1e3:9.1f} "
              f"{ratio:10.2f}   {'met' if ratio <= GOAL else 'NOT met'}")
    print(f"\nGoal: ours within {GOAL:g}x PyTorch's time; met in {met} of {len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
