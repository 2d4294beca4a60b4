"""Argument checks of the recurrent layers of 07_rnn.

They live outside the graded code, so that a student's stub keeps them and a wrong
argument always gets the same message: a :class:`ValueError` naming the argument, its
shape and the shape it must have.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_mask_and_labels", "check_sequence_inputs", "check_step_inputs",
           "check_temporal_affine_inputs", "check_word_indices"]

#: The gate blocks of each cell, for messages.
_CELLS = {1: "a vanilla RNN: H", 3: "a GRU: 3H (r, z, n)", 4: "an LSTM: 4H (i, f, o, g)"}


def _shape(name: str, value: np.ndarray, want: tuple, meaning: str) -> None:
    if np.shape(value) != want:
        raise ValueError(f"{name} must have shape {meaning} = {want}; got shape "
                         f"{np.shape(value)}")


def check_step_inputs(x: np.ndarray, prev_h: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                      b: np.ndarray, gates: int, prev_c: np.ndarray | None = None,
                      h_name: str = "prev_h") -> None:
    """Check the shapes of one time step: x (N, D), prev_h (N, H), Wx (D, gates * H),
    Wh (H, gates * H), b (gates * H,), prev_c (N, H) for an LSTM.

    Raises
    ------
    ValueError
        Naming the first argument whose shape does not fit.
    """
    if np.ndim(x) != 2:
        raise ValueError(f"x must have shape (N, D), one row per sequence; got shape "
                         f"{np.shape(x)}")
    if np.ndim(prev_h) != 2:
        raise ValueError(f"{h_name} must have shape (N, H); got shape {np.shape(prev_h)}")
    (N, D), H = np.shape(x), np.shape(prev_h)[1]
    _shape(h_name, prev_h, (N, H), "(N, H), one row per sequence of x")
    cell = _CELLS.get(gates, f"{gates}H")
    _shape("Wx", Wx, (D, gates * H), f"(D, columns of {cell})")
    _shape("Wh", Wh, (H, gates * H), f"(H, columns of {cell})")
    _shape("b", b, (gates * H,), f"(columns of {cell},)")
    if prev_c is not None:
        _shape("prev_c", prev_c, (N, H), "(N, H)")


def check_sequence_inputs(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                          b: np.ndarray, gates: int) -> None:
    """Check the shapes of a whole sequence: x (N, T, D) with T >= 1, h0 (N, H), and the
    weights as :func:`check_step_inputs` says.

    Raises
    ------
    ValueError
        Naming the first argument whose shape does not fit.
    """
    if np.ndim(x) != 3 or np.shape(x)[1] < 1:
        raise ValueError(f"x must have shape (N, T, D) with T >= 1 time steps; got shape "
                         f"{np.shape(x)}")
    check_step_inputs(x[:, 0], h0, Wx, Wh, b, gates, h_name="h0")


def check_word_indices(x: np.ndarray, W: np.ndarray) -> None:
    """Check that ``x`` holds integer word indices in ``[0, V)`` for ``W`` of shape (V, D).

    Raises
    ------
    ValueError
        Naming ``x`` or ``W``.
    """
    if np.ndim(W) != 2:
        raise ValueError(f"W must have shape (V, D), one vector per word; got shape "
                         f"{np.shape(W)}")
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (N, T), one word index per position; got shape "
                         f"{x.shape}")
    if x.dtype.kind not in "iu":
        raise ValueError(f"x must hold integer word indices, got dtype {x.dtype}")
    V = np.shape(W)[0]
    if x.size and (x.min() < 0 or x.max() >= V):
        raise ValueError(f"x holds word indices outside [0, V) = [0, {V}): from {x.min()} "
                         f"to {x.max()}")


def check_mask_and_labels(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> None:
    """Check the temporal softmax loss's inputs: x (N, T, V), y integers in [0, V) of shape
    (N, T), mask of shape (N, T) selecting at least one position.

    Raises
    ------
    ValueError
        Naming ``x``, ``y`` or ``mask``.
    """
    if np.ndim(x) != 3:
        raise ValueError(f"x must have shape (N, T, V); got shape {np.shape(x)}")
    N, T, V = np.shape(x)
    _shape("y", y, (N, T), "(N, T)")
    _shape("mask", mask, (N, T), "(N, T)")
    y = np.asarray(y)
    if y.dtype.kind not in "iu" or (y.size and (y.min() < 0 or y.max() >= V)):
        raise ValueError(f"y must hold integer labels in [0, V) = [0, {V})")
    if not np.any(mask):
        raise ValueError("mask selects no position: the loss would be undefined; a caption "
                         "needs at least one word after <START>")


def check_temporal_affine_inputs(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
    """Check x (N, T, D), w (D, M), b (M,) of the temporal affine layer.

    Raises
    ------
    ValueError
        Naming ``x``, ``w`` or ``b``.
    """
    if np.ndim(w) != 2:
        raise ValueError(f"w must have shape (D, M); got shape {np.shape(w)}")
    D, M = np.shape(w)
    if np.ndim(x) != 3 or np.shape(x)[2] != D:
        raise ValueError(f"x must have shape (N, T, D) with D = {D} (the rows of w); got shape "
                         f"{np.shape(x)}")
    _shape("b", b, (M,), "(M,), one bias per column of w")
