"""Common mistakes of 06_transfer_learning: freezing, the new head, feature extraction,
the fine-tuning groups.

The graded functions change a network in place and return modules, tensors or parameter
groups, so what is compared is plain data read from the network after the call: the
``requires_grad`` flag of every parameter by name, the head's type, shape and dtype,
the features with their ``requires_grad`` and the training mode, the groups' learning
rates and parameter names. The same reading works on the trusted side, where the
"model after the call" is the report a probe sent back
(:func:`cs231n_utils.checks.transfer.report_model` and the ``run_*`` helpers' keys).

The variants start from what the judges expect (which parameters are frozen, by name;
:func:`~cs231n_utils.checks.transfer.fine_tune_plan`; ``feature_vector`` in evaluation
mode) and patch in one mistake. Those that create layers or use dropout run under their
own seed, so PyTorch's random state is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from cs231n_utils.checks.mistakes import Catalogue, Graded
from cs231n_utils.checks.transfer import EXTRACT_SEED, _seeded, fine_tune_plan

# ------------------------------------------------------------- what is compared
# Each ``outputs`` reads either the real network after the call (args[0] a module) or,
# on the trusted side, the probe's report of it (args[0] a mapping).


def _flags(args: Sequence[Any]) -> dict[str, bool]:
    """``requires_grad`` of every parameter, by name."""
    if isinstance(args[0], Mapping):
        got = args[0]
        return {str(n): bool(f) for n, f in zip(np.atleast_1d(got["names"]),
                                                 np.atleast_1d(got["flags"]), strict=True)}
    return {n: bool(p.requires_grad) for n, p in args[0].named_parameters()}


def freeze_outputs(args: Sequence[Any], result: Any) -> dict[str, Any]:
    """freeze_features: the flags of every parameter."""
    return {"flags": _flags(args)}


def _initialised(weight: Any, bias: Any) -> bool:
    """Whether a linear layer's values look like PyTorch's default initialisation
    (uniform within 1/sqrt(in_features), not constant): its values themselves depend on
    the random state, so they are not compared."""
    w, b = np.asarray(weight, dtype=np.float64), np.asarray(bias, dtype=np.float64)
    bound = 1.0 / np.sqrt(max(w.shape[-1], 1))
    return bool(np.all(np.abs(w) <= bound + 1e-12) and np.all(np.abs(b) <= bound + 1e-12)
                and np.std(w) > 0.2 * bound)


def replace_outputs(args: Sequence[Any], result: Any) -> dict[str, Any]:
    """replace_head: the head's type, shape, dtype and flags, whether its values look
    freshly initialised, and what was returned (``"model.head"`` or the returned object's
    type)."""
    if isinstance(args[0], Mapping):
        got = args[0]
        out: dict[str, Any] = {"returned": "model.head" if bool(got["returned_is_head"])
                               else str(got["returned_type"])}
        if "head_type" in got:
            return {**out, "head_type": str(got["head_type"])}
        flags = _flags(args)
        return {**out, "head_type": "Linear",
                "head_shape": [int(s) for s in np.atleast_1d(got["head_shape"])],
                "head_dtype": str(got["head_dtype"]),
                "head_trainable": [flags.get("head.weight"), flags.get("head.bias")],
                "initialised": _initialised(got["param:head.weight"], got["param:head.bias"])}
    head = getattr(args[0], "head", None)
    is_head = (isinstance(result, nn.Linear) and isinstance(head, nn.Linear)
               and result.weight.shape == head.weight.shape
               and result.weight.dtype == head.weight.dtype
               and torch.equal(result.weight.detach(), head.weight.detach()))
    out = {"returned": "model.head" if is_head else type(result).__name__}
    if not isinstance(head, nn.Linear):
        return {**out, "head_type": type(head).__name__}
    return {**out, "head_type": "Linear", "head_shape": list(head.weight.shape),
            "head_dtype": str(head.weight.dtype).replace("torch.", ""),
            "head_trainable": [bool(head.weight.requires_grad),
                               bool(head.bias is not None and head.bias.requires_grad)],
            "initialised": _initialised(head.weight.detach().cpu().numpy(),
                                        [] if head.bias is None
                                        else head.bias.detach().cpu().numpy())}


def extract_outputs(args: Sequence[Any], result: Any) -> dict[str, Any]:
    """extract_features: the features (or the returned type), whether they carry a
    graph, and the model's training mode after the call."""
    if isinstance(args[0], Mapping):
        got = args[0]
        if "features" not in got:
            return {"type": str(got.get("type"))}
        return {"features": np.asarray(got["features"]),
                "requires_grad": bool(got["requires_grad"]), "training": bool(got["training"])}
    if not isinstance(result, torch.Tensor):
        return {"type": type(result).__name__}
    return {"features": result.detach().cpu().numpy(),
            "requires_grad": bool(result.requires_grad), "training": bool(args[0].training)}


def groups_outputs(args: Sequence[Any], result: Any) -> dict[str, Any]:
    """fine_tune_param_groups: each group's learning rate and sorted parameter names,
    and the flags of every parameter. (The recorded result is a copy of the groups, so a
    parameter is named by the model's parameter with the same values.)"""
    if isinstance(args[0], Mapping):
        got = args[0]
        count = int(got["groups"])
        return {"lrs": [float(got[f"group{i}.lr"]) for i in range(count)],
                "params": [sorted(str(n) for n in np.atleast_1d(got[f"group{i}.names"]))
                           for i in range(count)],
                "flags": _flags(args)}
    named = list(args[0].named_parameters())

    def name(p: Any) -> str:
        for n, q in named:
            if q is p or (isinstance(p, torch.Tensor) and p.shape == q.shape
                          and torch.equal(p.detach(), q.detach())):
                return n
        return "?"
    lrs, params = [], []
    for group in result:
        members = group["params"]
        members = [members] if isinstance(members, torch.Tensor) else list(members)
        lrs.append(float(group["lr"]))
        params.append(sorted(name(p) for p in members))
    return {"lrs": lrs, "params": params, "flags": _flags(args)}


CATALOGUE = Catalogue(
    "06_transfer_learning",
    sections={4: "Way 1: a new head on a frozen body",
              5: "Way 2: features once, then a classifier",
              6: "Way 3: fine-tuning the top blocks"},
    functions=[
        Graded("freeze_features", "transfer_learning", freeze_outputs),
        Graded("replace_head", "transfer_learning", replace_outputs),
        Graded("extract_features", "transfer_learning", extract_outputs),
        Graded("fine_tune_param_groups", "transfer_learning", groups_outputs),
    ])
mistake = CATALOGUE.mistake


# ------------------------------------------------------------------ freeze_features
def _set_trainable(model: nn.Module, trainable: Callable[[str], bool]) -> None:
    """``requires_grad`` of each parameter set to ``trainable(name)``."""
    for name, parameter in model.named_parameters():
        parameter.requires_grad = trainable(name)


@mistake("freeze_features", section=4, diagnosis="every parameter, the head's too, has "
         "requires_grad False: only the parameters of model.features are frozen, the head "
         "must stay trainable")
def freeze_head_too(model):
    _set_trainable(model, lambda name: False)
    return model


@mistake("freeze_features", section=4, diagnosis="no parameter was frozen: every "
         "requires_grad is still True (model.eval() and torch.no_grad() do not freeze; set "
         "requires_grad = False on each parameter of model.features)")
def freeze_nothing(model):
    model.eval()
    return model


@mistake("freeze_features", section=4, diagnosis="only the first block of model.features "
         "was frozen: the later blocks still train; loop over all of "
         "model.features.parameters()")
def freeze_first_block_only(model):
    _set_trainable(model, lambda name: not name.startswith("features.0."))
    return model


@mistake("freeze_features", section=4, diagnosis="only the convolutions were frozen: the "
         "batch normalisation scales and shifts of the body still train; freeze every "
         "parameter of model.features, whatever its layer")
def freeze_convolutions_only(model):
    convolutions = {f"features.{n}.{p}" for n, m in model.features.named_modules()
                    if isinstance(m, nn.Conv2d) for p, _ in m.named_parameters()}
    _set_trainable(model, lambda name: name not in convolutions)
    return model


# --------------------------------------------------------------------- replace_head
def _new_linear(in_features: int, num_classes: int, dtype: torch.dtype | None) -> nn.Linear:
    """A default-initialised ``nn.Linear`` (under its own seed: the caller's random state
    is left alone)."""
    with _seeded(0):
        return nn.Linear(in_features, num_classes, dtype=dtype)


@mistake("replace_head", section=4, diagnosis="the new head was returned but never set as "
         "model.head: the model still has its old head (assign model.head = the new layer)")
def head_not_set(model, num_classes):
    old = model.head
    return _new_linear(old.in_features, num_classes, old.weight.dtype)


@mistake("replace_head", section=4, diagnosis="the new head is float32 while the model is "
         "float64: nn.Linear(...) makes float32 unless given dtype=model.head.weight.dtype")
def head_float32(model, num_classes):
    model.head = _new_linear(model.head.in_features, num_classes, None)
    return model.head


@mistake("replace_head", section=4, diagnosis="the new head has 64 inputs, SmallCNN's "
         "feature length, whatever the network: take in_features from the old head "
         "(model.head.in_features)")
def head_64_inputs(model, num_classes):
    model.head = _new_linear(64, num_classes, model.head.weight.dtype)
    return model.head


@mistake("replace_head", section=4, diagnosis="the new head's inputs are the old head's "
         "out_features (its number of classes); the inputs are the feature length, "
         "model.head.in_features")
def head_inputs_from_out_features(model, num_classes):
    model.head = _new_linear(model.head.out_features, num_classes, model.head.weight.dtype)
    return model.head


@mistake("replace_head", section=4, diagnosis="model.head is still the old layer: changing "
         "its out_features attribute does not resize its weights; create a new nn.Linear")
def head_out_features_attribute(model, num_classes):
    model.head.out_features = num_classes
    return model.head


@mistake("replace_head", section=4, diagnosis="replace_head returned the model, not the new "
         "head (model.head is right: return it)")
def head_returns_model(model, num_classes):
    old = model.head
    model.head = _new_linear(old.in_features, num_classes, old.weight.dtype)
    return model


# ----------------------------------------------------------------- extract_features
def _in_batches(forward: Callable[[torch.Tensor], torch.Tensor], X: torch.Tensor,
                batch_size: int) -> torch.Tensor:
    """``forward`` over ``X`` in batches of ``batch_size``, rows concatenated."""
    parts = [forward(X[start:start + batch_size]) for start in range(0, len(X), batch_size)]
    return torch.cat(parts) if parts else forward(X)


def _evaluated(model: nn.Module, compute: Callable[[], torch.Tensor],
               restore: bool = True) -> torch.Tensor:
    """``compute()`` in evaluation mode; the training mode restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        return compute()
    finally:
        if restore:
            model.train(was_training)


@mistake("extract_features", section=5, diagnosis="the features are those of the model in "
         "training mode (batch normalisation on each batch's statistics, dropout on): call "
         "model.eval() before the forward passes")
def features_in_training_mode(model, X, batch_size=256):
    with torch.no_grad(), _seeded(EXTRACT_SEED):
        return _in_batches(model.feature_vector, X, batch_size)


@mistake("extract_features", section=5, diagnosis="the features carry an autograd graph "
         "(requires_grad True): run the forward passes under torch.no_grad()")
def features_with_graph(model, X, batch_size=256):
    return _evaluated(model, lambda: _in_batches(model.feature_vector, X, batch_size))


@mistake("extract_features", section=5, diagnosis="the features are right but the model is "
         "left in evaluation mode: put it back with model.train(was_training)")
def features_mode_not_restored(model, X, batch_size=256):
    with torch.no_grad():
        return _evaluated(model, lambda: _in_batches(model.feature_vector, X, batch_size),
                          restore=False)


@mistake("extract_features", section=5, diagnosis="the features of the last, partial batch "
         "are missing: the batches must cover all N images (range(0, N, batch_size))")
def features_drop_last(model, X, batch_size=256):
    full = len(X) // batch_size * batch_size
    with torch.no_grad():
        return _evaluated(model, lambda: model.feature_vector(X[:full]))


@mistake("extract_features", section=5, diagnosis="the rows are class scores model(x): the "
         "head was applied; the features are model.feature_vector(x), what the head sees")
def features_with_head(model, X, batch_size=256):
    with torch.no_grad():
        return _evaluated(model, lambda: _in_batches(model, X, batch_size))


@mistake("extract_features", section=5, diagnosis="the rows are model.features(x), maps of "
         "shape (C, H, W), not feature vectors: use model.feature_vector(x)")
def features_not_vectors(model, X, batch_size=256):
    with torch.no_grad():
        return _evaluated(model, lambda: _in_batches(model.features, X, batch_size))


# ------------------------------------------------------------ fine_tune_param_groups
def _groups(model: nn.Module, plan: list[tuple[float, list[str]]],
            trainable: Callable[[str, bool], bool] | None = None) -> list[dict]:
    """The groups ``plan`` names (learning rate, parameter names), with the model's
    parameters; each flag set to ``trainable(name, in a group)`` (default: in a group)."""
    params = dict(model.named_parameters())
    members = {n for _, names in plan for n in names}
    for name, parameter in params.items():
        parameter.requires_grad = (name in members if trainable is None
                                   else trainable(name, name in members))
    return [{"params": [params[n] for n in names], "lr": lr} for lr, names in plan]


def _plan(model, lr_head, lr_body, layers):
    """What the judge expects, by parameter name."""
    return fine_tune_plan([n for n, _ in model.named_parameters()], lr_head, lr_body, layers)


@mistake("fine_tune_param_groups", section=6, diagnosis="the learning rates are swapped: "
         "the head's group has lr_body and the blocks' group lr_head; the new head takes "
         "the larger one")
def groups_lr_swapped(model, lr_head, lr_body, layers):
    plan = _plan(model, lr_head, lr_body, layers)
    return _groups(model, [(lr_body if i == 0 else lr_head, names)
                           for i, (_, names) in enumerate(plan)])


@mistake("fine_tune_param_groups", section=6, diagnosis="both groups have lr_head: the "
         "unfrozen blocks' group takes the smaller lr_body")
def groups_same_lr(model, lr_head, lr_body, layers):
    return _groups(model, [(lr_head, names) for _, names in
                           _plan(model, lr_head, lr_body, layers)])


@mistake("fine_tune_param_groups", section=6, diagnosis="the unfrozen blocks are the FIRST "
         "layers_to_unfreeze blocks, nearest the input: count them from the end of "
         "model.features (the blocks nearest the head)")
def groups_bottom_blocks(model, lr_head, lr_body, layers):
    plan = _plan(model, lr_head, lr_body, layers)
    blocks = sorted({int(n.split(".")[1]) for n, _ in model.named_parameters()
                     if n.startswith("features.")})
    bottom = set(blocks[:layers])
    body = [n for n, _ in model.named_parameters()
            if n.startswith("features.") and int(n.split(".")[1]) in bottom]
    return _groups(model, plan[:1] + ([(lr_body, body)] if layers else []))


@mistake("fine_tune_param_groups", section=6, diagnosis="with layers_to_unfreeze = 0 every "
         "block is unfrozen: model.features[-0:] is the whole body, not none of it; "
         "handle 0 on its own (or slice from len(model.features) - layers_to_unfreeze)")
def groups_minus_zero_slice(model, lr_head, lr_body, layers):
    blocks = len({n.split(".")[1] for n, _ in model.named_parameters()
                  if n.startswith("features.")})
    return _groups(model, _plan(model, lr_head, lr_body, layers or blocks))


@mistake("fine_tune_param_groups", section=6, diagnosis="the blocks that stay frozen still "
         "have requires_grad True: freeze the whole body first, then unfreeze the top "
         "blocks")
def groups_body_not_frozen_first(model, lr_head, lr_body, layers):
    before = {n: p.requires_grad for n, p in model.named_parameters()}
    return _groups(model, _plan(model, lr_head, lr_body, layers),
                   lambda name, member: member or before[name])


@mistake("fine_tune_param_groups", section=6, diagnosis="the groups are right but the "
         "unfrozen blocks still have requires_grad False: set it True on their parameters")
def groups_blocks_left_frozen(model, lr_head, lr_body, layers):
    return _groups(model, _plan(model, lr_head, lr_body, layers),
                   lambda name, member: name.startswith("head."))


@mistake("fine_tune_param_groups", section=6, diagnosis="the head's parameters are in both "
         "groups (the blocks' group holds every trainable parameter): an optimiser refuses "
         "a parameter in two groups; give the second group the unfrozen blocks only")
def groups_head_twice(model, lr_head, lr_body, layers):
    plan = _plan(model, lr_head, lr_body, layers)
    if layers:
        plan[1] = (lr_body, plan[0][1] + plan[1][1])
    return _groups(model, plan)
