"""Argument checks of the layers of 05_training (normalisation, dropout, maxout).

They live outside the graded code, so that a student's stub keeps them and a wrong
argument always gets the same message: a :class:`ValueError` that names the argument (or
the key of a parameter dict) and the values it accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["check_dropout_param", "check_groupnorm_inputs", "check_maxout_inputs",
           "check_norm_inputs", "check_norm_param"]

MODES = ("train", "test")


def _check_mode(param: Mapping[str, Any], name: str) -> None:
    if "mode" not in param:
        raise ValueError(f"{name}['mode'] is missing: set it to 'train' or 'test'")
    if param["mode"] not in MODES:
        raise ValueError(f"{name}['mode'] must be 'train' or 'test', got {param['mode']!r}")


def _check_positive(param: Mapping[str, Any], name: str, key: str) -> None:
    value = param.get(key)
    if value is not None and not (isinstance(value, int | float | np.floating)
                                  and not isinstance(value, bool) and value > 0):
        raise ValueError(f"{name}[{key!r}] must be a number > 0, got {value!r}")


def check_norm_param(param: Any, name: str, *, needs_mode: bool) -> None:
    """Check a ``bn_param`` (``needs_mode=True``), ``ln_param`` or ``gn_param`` dict.

    Raises
    ------
    ValueError
        Naming the key: ``mode`` missing or not 'train'/'test', ``eps`` not > 0,
        ``momentum`` outside [0, 1].
    """
    if not isinstance(param, Mapping):
        raise ValueError(f"{name} must be a dict, got {type(param).__name__}")
    if needs_mode:
        _check_mode(param, name)
    _check_positive(param, name, "eps")
    momentum = param.get("momentum")
    if momentum is not None and not (isinstance(momentum, int | float | np.floating)
                                     and not isinstance(momentum, bool)
                                     and 0 <= momentum <= 1):
        raise ValueError(f"{name}['momentum'] must be a number in [0, 1], got {momentum!r}")


def check_norm_inputs(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, *,
                      spatial: bool = False) -> None:
    """Check the shapes of a normalisation layer's inputs.

    ``x`` is (N, D) with gamma and beta (D,); with ``spatial=True`` ``x`` is
    (N, C, H, W) with gamma and beta (C,).

    Raises
    ------
    ValueError
        Naming ``x``, ``gamma`` or ``beta``.
    """
    if spatial:
        if np.ndim(x) != 4:
            raise ValueError(f"x must have shape (N, C, H, W); got shape {np.shape(x)}")
        features, what = np.shape(x)[1], "C"
    else:
        if np.ndim(x) != 2:
            raise ValueError(f"x must have shape (N, D); got shape {np.shape(x)}")
        features, what = np.shape(x)[1], "D"
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (features,):
            raise ValueError(f"{name} must have shape ({what},) = ({features},), one value per "
                             f"{'channel' if spatial else 'feature'}; got shape {np.shape(value)}")


def check_groupnorm_inputs(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
                           G: Any) -> None:
    """Check the inputs of group normalisation: ``x`` (N, C, H, W), ``gamma`` and ``beta``
    (1, C, 1, 1) as in CS231n, ``G`` a whole number of groups that divides C.

    Raises
    ------
    ValueError
        Naming ``x``, ``gamma``, ``beta`` or ``G`` (with the values of G that C allows).
    """
    if np.ndim(x) != 4:
        raise ValueError(f"x must have shape (N, C, H, W); got shape {np.shape(x)}")
    C = np.shape(x)[1]
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (1, C, 1, 1):
            raise ValueError(f"{name} must have shape (1, C, 1, 1) = (1, {C}, 1, 1), one value "
                             f"per channel; got shape {np.shape(value)}")
    divisors = [g for g in range(1, C + 1) if C % g == 0]
    if (isinstance(G, bool) or not isinstance(G, int | np.integer) or G < 1
            or C % int(G)):
        raise ValueError(f"G, the number of groups, must be a whole number that divides "
                         f"C = {C}: one of {', '.join(map(str, divisors))}; got {G!r}")


def check_dropout_param(param: Any) -> None:
    """Check a ``dropout_param`` dict: ``p`` the keep probability in (0, 1], ``mode``.

    Raises
    ------
    ValueError
        Naming the key.
    """
    if not isinstance(param, Mapping):
        raise ValueError(f"dropout_param must be a dict, got {type(param).__name__}")
    _check_mode(param, "dropout_param")
    if "p" not in param:
        raise ValueError("dropout_param['p'] is missing: the probability of KEEPING a unit, "
                         "in (0, 1]")
    p = param["p"]
    if not (isinstance(p, int | float | np.floating) and not isinstance(p, bool)
            and 0 < p <= 1):
        raise ValueError(f"dropout_param['p'] is the probability of keeping a unit and must "
                         f"be in (0, 1]; got {p!r}")
    seed = param.get("seed")
    if seed is not None and (isinstance(seed, bool)
                             or not isinstance(seed, int | np.integer) or seed < 0):
        raise ValueError(f"dropout_param['seed'] must be an integer >= 0 or None, got {seed!r}")


def check_maxout_inputs(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
    """Check maxout's shapes: x (N, d_1, ..., d_k) with D = d_1 * ... * d_k, w (D, M, K),
    b (M, K).

    Raises
    ------
    ValueError
        Naming ``x``, ``w`` or ``b``.
    """
    if np.ndim(w) != 3:
        raise ValueError(f"w must be 3-D, shape (D, M, K): K pieces for each of M units; "
                         f"got shape {np.shape(w)}")
    D, M, K = np.shape(w)
    if np.ndim(x) < 1 or int(np.prod(np.shape(x)[1:])) != D:
        raise ValueError(f"x must have shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D = {D} "
                         f"(the first axis of w); got shape {np.shape(x)}")
    if np.shape(b) != (M, K):
        raise ValueError(f"b must have shape (M, K) = ({M}, {K}); got shape {np.shape(b)}")
