"""Helpers of the experiments in assignment 06_transfer_learning (given, not graded).

The notebook compares ways of using a pretrained network on a new task. The pieces it
needs, independent of what the student writes:

* :func:`train_classifier` trains any module (a whole CNN on images, or a single linear
  layer on feature vectors) with Adam on minibatches drawn from a seeded generator, so
  two runs with the same seed see the same minibatches in the same order; with a
  validation set it keeps the weights of the best epoch (early stopping);
* :func:`with_feature_norm` puts a parameter-free normalisation in front of a new linear
  head, so that it trains in a few epochs; :func:`fold_feature_norm` turns the pair back
  into one linear layer;
* :func:`label_budget_study` runs several training methods at several numbers of labels
  per class (and seeds), timing each; :func:`summarise_runs`, :func:`budget_table` and
  :func:`plot_label_budgets` show the result;
* :func:`block_features` gives the activations after block 1, 2 or 3 of a
  :class:`~cs231n_utils.small_cnn.SmallCNN`, pooled to a vector;
* :func:`nearest_neighbours` and :func:`pca_project` look at feature spaces.

Accuracy on images is :func:`cs231n_utils.torch_training.accuracy`.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from cs231n_utils.torch_training import accuracy

__all__ = [
    "block_features",
    "budget_table",
    "fold_feature_norm",
    "label_budget_study",
    "nearest_neighbours",
    "pca_project",
    "plot_label_budgets",
    "summarise_runs",
    "train_classifier",
    "with_feature_norm",
]


def _check_positive_int(name: str, value: object, allow_zero: bool = False) -> None:
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        kind = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"{name} must be {kind} integer, got {value!r}")


def _check_pair(name_x: str, X: object, name_y: str, y: object) -> None:
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise ValueError(f"{name_x} and {name_y} must be torch tensors, got "
                         f"{type(X).__name__} and {type(y).__name__}")
    if y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"{name_y} must be 1-D with one label per row of {name_x}: "
                         f"{name_x} has shape {tuple(X.shape)}, {name_y} {tuple(y.shape)}")


def train_classifier(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float = 1e-3,
    param_groups: Sequence[dict[str, Any]] | None = None,
    batch_size: int = 64,
    min_steps: int = 0,
    X_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    patience: int | None = None,
    weight_decay: float = 0.0,
    seed: int = 0,
    progress: bool = False,
    desc: str = "training",
) -> dict[str, Any]:
    """Train ``model`` with the softmax loss and Adam; return its history.

    The minibatches come from a :class:`torch.Generator` seeded with ``seed`` and
    nothing else: two calls with the same ``seed``, ``len(X)`` and ``batch_size`` visit
    the same rows in the same order, whatever the model (a CNN on images, or its linear
    head on the images' feature vectors).

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch of rows of ``X`` to scores ``(B, num_classes)``. Trained in place;
        its training/evaluation mode is restored afterwards.
    X : torch.Tensor, shape (N, ...)
        Inputs: images ``(N, C, H, W)`` or feature vectors ``(N, D)``.
    y : torch.Tensor, shape (N,)
        Labels, int64.
    epochs : int
        Passes over ``X`` (at most; see ``min_steps`` and ``patience``).
    lr : float, default 1e-3
        Adam's learning rate for every trainable parameter; ignored with ``param_groups``.
    param_groups : sequence of dict, optional
        Parameter groups for :class:`torch.optim.Adam` (each ``{"params": [...], "lr":
        ...}``), e.g. from ``fine_tune_param_groups``. Default: one group with every
        parameter that has ``requires_grad``.
    batch_size : int, default 64
    min_steps : int, default 0
        Train for at least this many minibatch steps: with few examples an epoch is one
        or two steps, so ``epochs`` is raised to ``ceil(min_steps / steps_per_epoch)``.
    X_val, y_val : torch.Tensor, optional
        A validation set, scored after every epoch. With it, the weights of the epoch
        with the best validation accuracy (the earliest, on ties) are restored at the
        end.
    patience : int, optional
        With a validation set: stop after this many epochs without a better validation
        accuracy (early stopping), but not before ``min_steps`` steps. Default: run every
        epoch.
    weight_decay : float, default 0
        Adam's L2 penalty.
    seed : int, default 0
        Seeds the minibatch order.
    progress : bool, default False
        Show a tqdm bar (it writes to stderr).
    desc : str, default "training"
        The bar's label.

    Returns
    -------
    dict
        ``loss``: minibatch losses, one per step; ``val_acc``: one per epoch run (empty
        without a validation set); ``best_epoch``: 1-based epoch whose weights the model
        holds; ``epochs_run``, ``steps``; ``seconds``: wall time of the whole call,
        validation included.

    Raises
    ------
    ValueError
        Naming the argument: ``epochs``, ``batch_size``, ``min_steps``, ``patience`` not
        a positive integer, ``lr`` not > 0, ``X``/``y`` or ``X_val``/``y_val`` not
        matching tensors (or only one of the two given), an empty training set, no
        trainable parameter.
    """
    _check_positive_int("epochs", epochs)
    _check_positive_int("batch_size", batch_size)
    _check_positive_int("min_steps", min_steps, allow_zero=True)
    if patience is not None:
        _check_positive_int("patience", patience)
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not lr > 0:
        raise ValueError(f"lr must be a number > 0, got {lr!r}")
    _check_pair("X", X, "y", y)
    if len(X) == 0:
        raise ValueError("X must hold at least one example, got none")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    if X_val is not None:
        _check_pair("X_val", X_val, "y_val", y_val)
    if param_groups is None:
        trainable = [p for p in model.parameters() if p.requires_grad]
        if not trainable:
            raise ValueError("model has no parameter with requires_grad: nothing to train")
        optimizer = torch.optim.Adam(trainable, lr=lr, weight_decay=weight_decay)
    else:
        optimizer = torch.optim.Adam(list(param_groups), weight_decay=weight_decay)

    steps_per_epoch = math.ceil(len(X) / batch_size)
    epochs = max(epochs, math.ceil(min_steps / steps_per_epoch))
    generator = torch.Generator().manual_seed(seed)
    was_training = model.training
    history: dict[str, Any] = {"loss": [], "val_acc": [], "best_epoch": epochs,
                               "epochs_run": 0, "steps": 0}
    best_acc, best_state = -1.0, None
    start = time.perf_counter()
    bar = tqdm(total=epochs, desc=desc, unit="epoch", disable=not progress, leave=False)
    try:
        for epoch in range(1, epochs + 1):
            model.train()
            order = torch.randperm(len(X), generator=generator)
            for i in range(0, len(X), batch_size):
                idx = order[i:i + batch_size]
                loss = F.cross_entropy(model(X[idx]), y[idx])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                history["loss"].append(loss.item())
            history["epochs_run"] = epoch
            bar.update(1)
            if X_val is None:
                continue
            val_acc = accuracy(model, X_val, y_val)
            history["val_acc"].append(val_acc)
            bar.set_postfix(val_acc=f"{val_acc:.3f}")
            if val_acc > best_acc:
                best_acc, history["best_epoch"] = val_acc, epoch
                best_state = copy.deepcopy(model.state_dict())
            elif (patience is not None and epoch - history["best_epoch"] >= patience
                  and len(history["loss"]) >= min_steps):
                break
    finally:
        bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    if X_val is None:
        history["best_epoch"] = history["epochs_run"]
    model.train(was_training)
    history["steps"] = len(history["loss"])
    history["seconds"] = time.perf_counter() - start
    return history


def block_features(model: nn.Module, X: torch.Tensor, block: int, grid: int = 1,
                   batch_size: int = 256) -> torch.Tensor:
    """The activations after block ``block`` of ``model.features``, average-pooled.

    Parameters
    ----------
    model : torch.nn.Module
        A network whose ``features`` is a :class:`torch.nn.Sequential` of blocks, like
        :class:`~cs231n_utils.small_cnn.SmallCNN`. Run in evaluation mode without
        gradients; its mode is restored.
    X : torch.Tensor, shape (N, C, H, W)
        Images.
    block : int
        1 for the output of ``features[0]`` (nearest the input), up to
        ``len(model.features)``.
    grid : int, default 1
        Average over a ``grid`` x ``grid`` grid of regions (adaptive average pooling):
        1 is global average pooling, one number per channel; 2 keeps a coarse layout,
        four numbers per channel.
    batch_size : int, default 256

    Returns
    -------
    torch.Tensor, shape (N, channels * grid * grid)
        Row ``i`` for image ``i``; channel by channel, regions in row-major order.

    Raises
    ------
    ValueError
        Naming the argument: ``block`` out of range, ``grid`` or ``batch_size`` not a
        positive integer, ``X`` not 4-D.
    """
    features = getattr(model, "features", None)
    if not isinstance(features, nn.Sequential):
        raise ValueError(f"model must have a 'features' Sequential of blocks, got "
                         f"{type(model).__name__}")
    if isinstance(block, bool) or not isinstance(block, int) or not 1 <= block <= len(features):
        raise ValueError(f"block must be an integer from 1 to {len(features)}, got {block!r}")
    _check_positive_int("grid", grid)
    _check_positive_int("batch_size", batch_size)
    if not isinstance(X, torch.Tensor) or X.ndim != 4:
        raise ValueError(f"X must be a 4-D torch.Tensor (N, C, H, W), got shape "
                         f"{tuple(getattr(X, 'shape', ()))}")
    body = features[:block]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            parts = [F.adaptive_avg_pool2d(body(X[i:i + batch_size]), grid).flatten(1)
                     for i in range(0, len(X), batch_size)]
    finally:
        model.train(was_training)
    if parts:
        return torch.cat(parts)
    with torch.no_grad():
        return F.adaptive_avg_pool2d(body(X), grid).flatten(1)


def nearest_neighbours(queries: torch.Tensor | np.ndarray, references: torch.Tensor | np.ndarray,
                       k: int = 5) -> np.ndarray:
    """Indices of the ``k`` references closest to each query (Euclidean distance).

    Parameters
    ----------
    queries : array or tensor, shape (Q, ...)
        Flattened to rows (images become pixel vectors).
    references : array or tensor, shape (R, ...)
        The same number of values per row as ``queries``.
    k : int, default 5
        At most ``R``.

    Returns
    -------
    numpy.ndarray of int, shape (Q, k)
        Row ``q``: reference indices, nearest first (ties: the lower index first).

    Raises
    ------
    ValueError
        Naming the argument: ``k`` not in 1..R, rows of different lengths.
    """
    Q = np.asarray(queries, dtype=np.float64).reshape(len(queries), -1)
    R = np.asarray(references, dtype=np.float64).reshape(len(references), -1)
    if Q.shape[1] != R.shape[1]:
        raise ValueError(f"queries and references must have rows of the same length, got "
                         f"{Q.shape[1]} and {R.shape[1]}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(R):
        raise ValueError(f"k must be an integer from 1 to {len(R)} (the references), got {k!r}")
    squared = (Q ** 2).sum(1)[:, None] - 2 * Q @ R.T + (R ** 2).sum(1)[None, :]
    return np.argsort(squared, axis=1, kind="stable")[:, :k]


def pca_project(X: torch.Tensor | np.ndarray, n_components: int = 2
                ) -> tuple[np.ndarray, np.ndarray]:
    """Project rows onto their top principal components.

    Parameters
    ----------
    X : array or tensor, shape (N, ...)
        Flattened to rows; centred here.
    n_components : int, default 2
        At most ``min(N, D)``.

    Returns
    -------
    Z : numpy.ndarray, shape (N, n_components)
        The coordinates, component 1 first. Each component's sign is fixed so that its
        largest-magnitude loading is positive (deterministic output).
    explained : numpy.ndarray, shape (n_components,)
        The fraction of the total variance each component explains.

    Raises
    ------
    ValueError
        If ``n_components`` is out of range.
    """
    A = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    if (isinstance(n_components, bool) or not isinstance(n_components, int)
            or not 1 <= n_components <= min(A.shape)):
        raise ValueError(f"n_components must be an integer from 1 to {min(A.shape)}, got "
                         f"{n_components!r}")
    A = A - A.mean(axis=0)
    _, s, Vt = np.linalg.svd(A, full_matrices=False)
    V = Vt[:n_components]
    signs = np.sign(V[np.arange(n_components), np.abs(V).argmax(axis=1)])
    V = V * signs[:, None]
    variance = s ** 2
    total = variance.sum()
    explained = variance[:n_components] / total if total > 0 else np.zeros(n_components)
    return A @ V.T, explained


def with_feature_norm(head: nn.Linear) -> nn.Sequential:
    """Put a parameter-free batch normalisation in front of a linear head.

    The feature vectors of a ReLU network are all positive and far from centred; a
    linear layer on uncentred inputs trains slowly (05: centre your data). Batch
    normalisation without a learned scale and shift (``affine=False``) centres and scales
    each feature with the minibatch's statistics while training, and with their running
    averages in evaluation mode, where it is a fixed affine map: the whole head is then
    still one linear map (:func:`fold_feature_norm` makes it one ``nn.Linear`` again).

    Parameters
    ----------
    head : torch.nn.Linear
        The new head; kept (with its parameters) as the second module.

    Returns
    -------
    torch.nn.Sequential
        ``BatchNorm1d(head.in_features, affine=False)`` then ``head``, on the head's
        device and dtype.

    Raises
    ------
    ValueError
        If ``head`` is not a :class:`torch.nn.Linear`.
    """
    if not isinstance(head, nn.Linear):
        raise ValueError(f"head must be a torch.nn.Linear, got {type(head).__name__}")
    norm = nn.BatchNorm1d(head.in_features, affine=False, device=head.weight.device,
                          dtype=head.weight.dtype)
    return nn.Sequential(norm, head)


def fold_feature_norm(head: nn.Sequential) -> nn.Linear:
    """The ``nn.Linear`` equal to a head of :func:`with_feature_norm` in evaluation mode.

    With the running mean ``m``, variance ``v`` and ``eps`` of the normalisation,
    ``W (x - m) / sqrt(v + eps) + b = W' x + b'`` with ``W' = W / sqrt(v + eps)`` and
    ``b' = b - W' m``.

    Parameters
    ----------
    head : torch.nn.Sequential
        ``(BatchNorm1d(affine=False), Linear)`` as :func:`with_feature_norm` builds it.

    Returns
    -------
    torch.nn.Linear
        A new layer (trainable, same device and dtype); ``head`` is left unchanged.

    Raises
    ------
    ValueError
        If ``head`` is not such a pair.
    """
    ok = (isinstance(head, nn.Sequential) and len(head) == 2
          and isinstance(head[0], nn.BatchNorm1d) and not head[0].affine
          and head[0].running_mean is not None and isinstance(head[1], nn.Linear))
    if not ok:
        raise ValueError("head must be the (BatchNorm1d(affine=False), Linear) pair of "
                         f"with_feature_norm, got {head!r}")
    norm, linear = head[0], head[1]
    with torch.no_grad():
        scale = torch.rsqrt(norm.running_var + norm.eps)
        weight = linear.weight * scale
        bias = (linear.bias if linear.bias is not None else 0) - weight @ norm.running_mean
        folded = nn.Linear(linear.in_features, linear.out_features,
                           device=linear.weight.device, dtype=linear.weight.dtype)
        folded.weight.copy_(weight)
        folded.bias.copy_(bias)
    return folded


Method = Callable[[dict[str, Any]], nn.Module]


def label_budget_study(
    methods: Mapping[str, Method],
    task: Mapping[str, Any],
    budgets: Sequence[int | None],
    subsample: Callable[..., tuple[torch.Tensor, torch.Tensor]],
    *,
    seeds: Sequence[int] = (0,),
    shrink_val: bool = True,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Train every method at every number of labels per class; time and test each.

    For each budget and seed, a balanced training set with ``budget`` images per class
    (all training images for ``None``) is drawn with ``subsample``; with ``shrink_val``
    the validation set gets the same number per class, so that no method sees more
    labels than the budget allows. Each method gets the same sets, builds and trains a
    network and returns it; the runner times that call and scores the network on the
    whole test set. The whole training set is the same for every seed, so it is trained
    on once (with the first seed); a budget that gives the same training set as the one
    before (1,000 per class on a task with fewer) is skipped.

    Parameters
    ----------
    methods : mapping of str to callable
        ``name -> fit(split)``, where ``split`` has ``X_train``, ``y_train``, ``X_val``,
        ``y_val``, ``num_classes`` and ``seed``, and ``fit`` returns a module mapping
        images to scores.
    task : mapping
        ``X_train``, ``y_train``, ``X_val``, ``y_val``, ``X_test``, ``y_test``,
        ``num_classes`` (as ``load_transfer_task`` returns it).
    budgets : sequence of int or None
        Labels per class, increasing; ``None`` means all.
    subsample : callable
        ``subsample(X, y, per_class, seed) -> (X_subset, y_subset)``, a balanced subset
        (all of a class when it has fewer), e.g. ``take_per_class``.
    seeds : sequence of int, default (0,)
        One run per seed (the subset and the method's ``split["seed"]``).
    shrink_val : bool, default True
        Subsample the validation set like the training set (else use it whole).
    progress : bool, default True
        A tqdm bar over the runs.

    Returns
    -------
    list of dict
        One row per run: ``method``, ``budget`` (as asked; ``None`` for all), ``label``
        (e.g. ``"100"``, ``"all (108)"``), ``seed``, ``per_class`` (training images per
        class, the mean when classes differ), ``n_train``, ``accuracy`` (test),
        ``seconds`` (the fit call).

    Raises
    ------
    ValueError
        If ``methods``, ``budgets`` or ``seeds`` is empty, or a budget is not a positive
        integer or None.
    """
    if not methods:
        raise ValueError("methods must name at least one method")
    if not budgets:
        raise ValueError("budgets must hold at least one budget")
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    for budget in budgets:
        if budget is not None:
            _check_positive_int("each budget", budget)
    num_classes = int(task["num_classes"])
    n_all = len(task["y_train"])
    runs, seen = [], set()
    for budget in budgets:
        for k, seed in enumerate(seeds):
            if budget is None:
                X_train, y_train = task["X_train"], task["y_train"]
            else:
                X_train, y_train = subsample(task["X_train"], task["y_train"], budget, seed)
            if k == 0 and len(y_train) in seen:
                break
            seen.add(len(y_train))
            if len(y_train) == n_all and k > 0:
                break
            if shrink_val and len(y_train) < n_all:
                X_val, y_val = subsample(task["X_val"], task["y_val"], budget, seed)
            else:
                X_val, y_val = task["X_val"], task["y_val"]
            per_class = len(y_train) / num_classes
            label = f"all ({per_class:.0f})" if len(y_train) == n_all else f"{budget:,}"
            runs.append((budget, label, per_class, {
                "X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val,
                "num_classes": num_classes, "seed": seed}))

    rows = []
    bar = tqdm(total=len(runs) * len(methods), desc="label budgets", disable=not progress)
    try:
        for budget, label, per_class, split in runs:
            for name, fit in methods.items():
                bar.set_postfix(labels=label, method=name)
                start = time.perf_counter()
                model = fit(split)
                seconds = time.perf_counter() - start
                rows.append({"method": name, "budget": budget, "label": label,
                             "seed": split["seed"], "per_class": per_class,
                             "n_train": len(split["y_train"]),
                             "accuracy": accuracy(model, task["X_test"], task["y_test"]),
                             "seconds": seconds})
                bar.update(1)
    finally:
        bar.close()
    return rows


def summarise_runs(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Average the runs of :func:`label_budget_study` over seeds.

    Returns
    -------
    list of dict
        One per (budget label, method), in the order they first appear: ``method``,
        ``label``, ``per_class``, ``n_train``, ``runs``, ``accuracy`` (mean), ``std``
        (the standard deviation over the runs, 0 for one run), ``seconds`` (mean).
    """
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["label"], row["method"]), []).append(row)
    out = []
    for (label, method), members in groups.items():
        acc = np.array([m["accuracy"] for m in members], dtype=np.float64)
        out.append({"method": method, "label": label, "per_class": members[0]["per_class"],
                    "n_train": members[0]["n_train"], "runs": len(members),
                    "accuracy": float(acc.mean()), "std": float(acc.std()),
                    "seconds": float(np.mean([m["seconds"] for m in members]))})
    return out


def budget_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The runs of :func:`label_budget_study` as text: one line per budget.

    Each method gets a column ``accuracy (seconds)``, in the order the methods first
    appear; with several runs per cell, the mean accuracy, its standard deviation and
    the mean time.
    """
    summary = summarise_runs(rows)
    methods = list(dict.fromkeys(row["method"] for row in summary))
    labels = list(dict.fromkeys(row["label"] for row in summary))
    cell = {(row["label"], row["method"]): row for row in summary}
    texts = {}
    for key, row in cell.items():
        spread = f" ±{row['std']:.1%}" if row["runs"] > 1 else ""
        texts[key] = f"{row['accuracy']:.1%}{spread} ({row['seconds']:.1f} s)"
    width = max(len(t) for t in [*texts.values(), *methods]) + 2
    lines = [f"{'labels per class':<16}" + "".join(f"{m:>{width}}" for m in methods)]
    for label in labels:
        runs = max(cell[(label, m)]["runs"] for m in methods if (label, m) in cell)
        name = f"{label} (x{runs})" if runs > 1 else label
        lines.append(f"{name:<16}" + "".join(f"{texts.get((label, m), '-'):>{width}}"
                                              for m in methods))
    return "\n".join(lines)


def plot_label_budgets(rows: Sequence[Mapping[str, Any]], ax: Any = None,
                       title: str | None = None,
                       styles: Mapping[str, str | Mapping[str, Any]] | None = None) -> Any:
    """Mean test accuracy against labels per class (log scale), one line per method.

    Error bars show the standard deviation over seeds where there were several runs.

    Parameters
    ----------
    rows : sequence of dict
        From :func:`label_budget_study`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default the current axes.
    title : str, optional
    styles : mapping of str to str or dict, optional
        Per method, a matplotlib format string (e.g. ``"o-"``) or keyword arguments of
        :meth:`~matplotlib.axes.Axes.errorbar` (e.g. ``{"fmt": "x", "zorder": 5}``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    ax = plt.gca() if ax is None else ax
    styles = {} if styles is None else styles
    summary = summarise_runs(rows)
    for method in dict.fromkeys(row["method"] for row in summary):
        points = sorted((r["per_class"], r["accuracy"], r["std"]) for r in summary
                        if r["method"] == method)
        x, y, err = (np.array(v) for v in zip(*points, strict=True))
        style = styles.get(method, "o-")
        kwargs = {"fmt": style} if isinstance(style, str) else dict(style)
        ax.errorbar(x, y, yerr=err, capsize=3, label=method, **kwargs)
    ax.set_xscale("log")
    ax.set_xlabel("training labels per class (log scale)")
    ax.set_ylabel("test accuracy")
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax
