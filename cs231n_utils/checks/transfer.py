"""Visible checks of assignment 06_transfer_learning (``transfer_learning.py``).

Each check builds small networks in float64 from a seeded state (the given
:class:`~cs231n_utils.small_cnn.SmallCNN`, and :class:`ProbeNet`, a network of the same
layout with batch normalisation and dropout in its body and a different number of
blocks, so that an answer written for SmallCNN's exact layers is caught), calls ONE graded
function and compares what it did with what it should have done:

* ``freeze_features``: the ``requires_grad`` flag of every parameter; then one SGD step
  on all of the model's parameters: the body must not move and must have no gradient, the
  head must move exactly as a head trained on a fixed body (computed here with
  :func:`torch.autograd.grad` on an untouched copy);
* ``replace_head``: the new head's shape, dtype, flags and default initialisation, that it
  is ``model.head``, and that the body is untouched;
* ``extract_features``: the vectors against ``feature_vector`` of an untouched copy in
  evaluation mode (batch normalisation with its running averages, dropout off), for a
  batch size that does not divide N; no autograd graph; the training mode restored;
* ``fine_tune_param_groups``: the groups' learning rates and parameters (by name), and the
  flags of every parameter, for 0 to all blocks unfrozen.

A check runs its function on every case before judging any, so that a failure names the
catalogued mistake that explains all the calls (``cs231n_utils/checks/catalogue/
transfer.py``: the head frozen too, a float32 head, features in training mode, the
learning rates swapped...), first in the message.

Every comparison is a public ``judge_*`` function that reads the model through
:func:`report_model`, plain data (names, flags, arrays), so that the trusted grader
(``solutions/hidden_tests/06_transfer_learning.py``) judges what a submission's function
did in the sandbox with the same code and ``reveal=False`` (no expected value in a
message). A check raises ``AssertionError`` with a one-line reason or prints one line
starting with ``PASS``; a function that is not written yet raises its
``NotImplementedError`` unchanged. The checks leave PyTorch's random state as they found
it and write nothing to stderr.

>>> from cs231n_utils.checks.transfer import check_freeze_features
>>> check_freeze_features()  # doctest: +SKIP
PASS freeze_features: ...
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from cs231n_utils.checks.common import graded, quietly
from cs231n_utils.checks.mistakes import diagnosing
from cs231n_utils.small_cnn import SmallCNN

ASSIGNMENT = "06_transfer_learning"

__all__ = [
    "CHECKS",
    "ProbeNet",
    "build_model",
    "check_extract_features",
    "check_fine_tune_param_groups",
    "check_freeze_features",
    "check_replace_head",
    "expected_head_after_step",
    "fine_tune_plan",
    "judge_extract_features",
    "judge_fine_tune_param_groups",
    "judge_freeze_features",
    "judge_replace_head",
    "model_state",
    "parameter_names",
    "report_model",
    "sgd_step_report",
]

#: Relative error accepted between two computations of the same float64 values.
TOLERANCE = 1e-10
#: Learning rate of the SGD step after freezing.
STEP_LR = 0.5
#: PyTorch's seed while ``extract_features`` runs: a model left in training mode drops the
#: same units whenever the same call is repeated (the mistake catalogue reproduces it).
EXTRACT_SEED = 6250


# ------------------------------------------------------------------ test networks


class ProbeNet(nn.Module):
    """A network with SmallCNN's layout but other layers: ``blocks`` blocks of conv 3x3 -
    batch norm - ReLU - dropout (- 2x2 max pool but in the last block), the features
    averaged over space, a linear head. Used to check that an answer works on any network
    with ``features``, ``head`` and ``feature_vector``."""

    def __init__(self, in_channels: int, widths: tuple[int, ...], num_classes: int) -> None:
        super().__init__()
        layers, channels = [], in_channels
        for i, width in enumerate(widths):
            block = [nn.Conv2d(channels, width, 3, padding=1), nn.BatchNorm2d(width),
                     nn.ReLU(), nn.Dropout(0.5)]
            if i < len(widths) - 1:
                block.append(nn.MaxPool2d(2))
            layers.append(nn.Sequential(*block))
            channels = width
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(channels, num_classes)

    def feature_vector(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.feature_vector(x))


def build_model(spec: Mapping[str, Any], state: Mapping[str, np.ndarray] | None = None
                ) -> nn.Module:
    """The float64 network a case describes, with ``state`` (a state dict of arrays)
    loaded when given.

    ``spec``: ``kind`` ("small" or "probe"), ``in_channels``, ``num_classes`` and, for a
    ProbeNet, ``widths``. Buffers of batch normalisation are part of the state. With a
    ``state``, PyTorch's random state is left as it was (the layers' initial values are
    overwritten anyway); without one, the layers draw their initial values from it.
    """
    if state is not None:
        with torch.random.fork_rng(devices=[]):
            model = build_model(spec)
        model.load_state_dict({k: torch.tensor(np.asarray(v)) for k, v in state.items()})
        return model
    kind = str(spec["kind"])
    in_channels, num_classes = int(spec["in_channels"]), int(spec["num_classes"])
    if kind == "small":
        model = SmallCNN(num_classes=num_classes, in_channels=in_channels)
    else:
        widths = tuple(int(w) for w in np.atleast_1d(spec["widths"]))
        model = ProbeNet(in_channels, widths, num_classes)
    return model.double()


def parameter_names(spec: Mapping[str, Any]) -> list[str]:
    """The names of the parameters of the network ``spec`` describes, in order."""
    with torch.random.fork_rng(devices=[]):
        return [n for n, _ in build_model(spec).named_parameters()]


def model_state(model: nn.Module) -> dict[str, np.ndarray]:
    """The state dict of ``model`` (parameters and buffers) as arrays."""
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def random_state(spec: Mapping[str, Any], seed: int) -> dict[str, np.ndarray]:
    """A seeded state for the network ``spec`` describes, with batch normalisation's
    scales, shifts and running averages away from their defaults (so that training and
    evaluation mode differ)."""
    with _seeded(seed):
        model = build_model(spec)
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.data.uniform_(0.5, 1.5)
                module.bias.data.normal_(0, 0.2)
                module.running_mean.normal_(0, 0.5)
                module.running_var.uniform_(0.5, 2.0)
    return model_state(model)


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed PyTorch for the block, then restore the caller's random state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def _graded(name: str) -> Any:
    """The student's function, looked up when the check runs (so edits are picked up and
    its calls are recorded for the mistake catalogue)."""
    return graded("transfer_learning", name)


# ------------------------------------------------------------ models as plain data


def report_model(model: nn.Module, prefix: str = "") -> dict[str, Any]:
    """What a judge needs to know about ``model``: parameter names in order, their
    ``requires_grad`` flags, whether each has a gradient, their values, the training
    mode, and the head's shape. Plain data (keys ``<prefix>names``, ``<prefix>flags``,
    ``<prefix>has_grad``, ``<prefix>param:<name>``, ``<prefix>training``, ...)."""
    named = list(model.named_parameters())
    out: dict[str, Any] = {
        f"{prefix}names": np.array([n for n, _ in named], dtype=str),
        f"{prefix}flags": np.array([bool(p.requires_grad) for _, p in named]),
        f"{prefix}has_grad": np.array([p.grad is not None for _, p in named]),
        f"{prefix}training": np.array(bool(model.training)),
    }
    for name, p in named:
        out[f"{prefix}param:{name}"] = p.detach().cpu().numpy().copy()
    head = getattr(model, "head", None)
    if isinstance(head, nn.Linear):
        out[f"{prefix}head_shape"] = np.array(head.weight.shape)
        out[f"{prefix}head_dtype"] = str(head.weight.dtype).replace("torch.", "")
    else:
        out[f"{prefix}head_type"] = type(head).__name__
    return out


def sgd_step_report(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, Any]:
    """One SGD step (learning rate :data:`STEP_LR`) on the cross-entropy of ``model`` on
    ``(x, y)``, in evaluation mode (so the step is deterministic), with an optimiser over
    ALL the model's parameters (PyTorch skips those without a gradient); the model
    reported afterwards under the prefix ``after.``."""
    optimiser = torch.optim.SGD(model.parameters(), lr=STEP_LR)
    optimiser.zero_grad(set_to_none=True)
    model.eval()   # deterministic: dropout off, batch norm with its running averages
    loss = F.cross_entropy(model(x), y)
    if loss.requires_grad:
        loss.backward()
        optimiser.step()
    return report_model(model, "after.")


def expected_head_after_step(spec: Mapping[str, Any], state: Mapping[str, np.ndarray],
                             x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Trusted side: the head's parameters after one SGD step when only the head trains
    (the gradient with respect to the head alone, on an untouched copy)."""
    model = build_model(spec, state).eval()
    head = list(model.head.named_parameters())
    loss = F.cross_entropy(model(torch.tensor(x)), torch.tensor(y))
    grads = torch.autograd.grad(loss, [p for _, p in head])
    return {f"head.{n}": (p - STEP_LR * g).detach().numpy()
            for (n, p), g in zip(head, grads, strict=True)}


# ------------------------------------------------------------------------ helpers


def _names(got: Mapping[str, Any], prefix: str = "") -> list[str]:
    names = got.get(f"{prefix}names")
    assert names is not None, "the model has no parameters left to report"
    return [str(n) for n in np.atleast_1d(names)]


def _flags(got: Mapping[str, Any], prefix: str = "") -> dict[str, bool]:
    return dict(zip(_names(got, prefix), (bool(f) for f in np.atleast_1d(got[f"{prefix}flags"])),
                    strict=True))


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-12)
    return float(np.max(np.abs(a - b), initial=0.0)) / scale


def _same_names(function: str, got_names: list[str], want: list[str], when: str) -> None:
    missing = [n for n in want if n not in got_names]
    extra = [n for n in got_names if n not in want]
    assert not missing and not extra, (
        f"{function}: {when} the model's parameters are not the ones it had "
        f"(missing {missing[:3]}, new {extra[:3]}): change flags and layers in place, "
        f"keep the model's modules")


def _body_unchanged(function: str, got: Mapping[str, Any], state: Mapping[str, np.ndarray],
                    prefix: str, when: str) -> None:
    for name in _names(got, prefix):
        if name.startswith("features."):
            value = got.get(f"{prefix}param:{name}")
            assert value is not None and _relative(value, state[name]) <= TOLERANCE, (
                f"{function}: {when} the body parameter {name} changed")


def _run_all(run: Any, function: Any, cases: list[dict[str, Any]]
             ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every case run before any is judged: when one fails, the mistake catalogue has seen
    every call (a mistake is named only if it explains them all)."""
    return [(case, run(function, case)) for case in cases]


# ------------------------------------------------------------------ freeze_features


def judge_freeze_features(spec: Mapping[str, Any], state: Mapping[str, np.ndarray],
                          x: np.ndarray, y: np.ndarray, got: Mapping[str, Any],
                          reveal: bool = True) -> str:
    """Judge what ``freeze_features`` did to the network ``spec``/``state``.

    ``got``: ``returned_model`` (whether the function returned the model it was given),
    :func:`report_model` of the model after the call, and :func:`sgd_step_report` of one
    SGD step on ``(x, y)`` afterwards. Returns a one-line summary.
    """
    function = "freeze_features"
    assert bool(got.get("returned_model", False)), (
        f"{function} must return the model it was given (the same object), for chaining")
    names = set(parameter_names(spec))
    want_names = [n for n in state if n in names]
    _same_names(function, _names(got), want_names, "after the call")
    flags = _flags(got)
    still = [n for n, f in flags.items() if n.startswith("features.") and f]
    if still:
        blocks = len({n.split(".")[1] for n in want_names if n.startswith("features.")})
        raise AssertionError(f"{function}: {len(still)} parameter(s) of the body ({blocks} "
                             f"blocks) still require gradients, e.g. {still[0]}: set "
                             f"requires_grad = False on every parameter of model.features")
    frozen_head = [n for n, f in flags.items() if n.startswith("head.") and not f]
    assert not frozen_head, (f"{function}: the head must stay trainable, but {frozen_head[0]} "
                             f"has requires_grad False")
    # one SGD step on all parameters: the body stays, the head moves as a lone head would
    has_grad = dict(zip(_names(got, "after."), np.atleast_1d(got["after.has_grad"]), strict=True))
    with_grad = [n for n, g in has_grad.items() if n.startswith("features.") and bool(g)]
    assert not with_grad, (f"{function}: after a backward pass the frozen parameter "
                           f"{with_grad[0]} has a gradient")
    _body_unchanged(function, got, state, "after.", "after an optimiser step")
    want = expected_head_after_step(spec, state, x, y)
    for name, value in want.items():
        error = _relative(got.get(f"after.param:{name}", np.nan), value)
        assert error <= TOLERANCE, (
            f"{function}: after one SGD step the head parameter {name} is not what training "
            f"the head alone gives (relative error {error:.1e}); is the head trainable?")
    return f"{len(want_names) - len(want)} body parameters frozen, the head trains"


def _freeze_case(spec: dict[str, Any], seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n = 6
    return {"spec": spec, "state": random_state(spec, seed),
            "x": rng.normal(size=(n, int(spec["in_channels"]), 12, 12)),
            "y": rng.integers(0, int(spec["num_classes"]), size=n)}


def run_freeze_features(freeze: Any, case: Mapping[str, Any]) -> dict[str, Any]:
    """Sandbox side (and the visible check): build the case's network, call
    ``freeze(model)``, report, take one SGD step, report."""
    model = build_model(case["spec"], case["state"])
    returned = quietly(freeze, model)
    got = {"returned_model": np.array(returned is model), **report_model(model)}
    got.update(sgd_step_report(model, torch.tensor(case["x"]), torch.tensor(case["y"])))
    return got


VISIBLE_SPECS = [
    {"kind": "small", "in_channels": 1, "num_classes": 5},
    {"kind": "probe", "in_channels": 2, "num_classes": 3, "widths": np.array([4, 6])},
    {"kind": "probe", "in_channels": 3, "num_classes": 4, "widths": np.array([3, 4, 5, 6])},
]


def check_freeze_features() -> None:
    """Check ``freeze_features`` on SmallCNN and on two ProbeNets (2 and 4 blocks).

    Raises
    ------
    AssertionError
        With a one-line reason.
    """
    freeze = _graded("freeze_features")
    cases = [_freeze_case(spec, 6000 + i) for i, spec in enumerate(VISIBLE_SPECS)]
    for case, got in _run_all(run_freeze_features, freeze, cases):
        judge_freeze_features(case["spec"], case["state"], case["x"], case["y"], got)
    print("PASS freeze_features: every body parameter frozen (no gradient, unchanged by an "
          "SGD step), the head trainable and trained as on its own, on SmallCNN and on "
          "networks of 2 and 4 blocks")


# --------------------------------------------------------------------- replace_head


def judge_replace_head(spec: Mapping[str, Any], state: Mapping[str, np.ndarray],
                       num_classes: int, got: Mapping[str, Any], reveal: bool = True) -> None:
    """Judge what ``replace_head(model, num_classes)`` did.

    ``got``: ``returned_is_head`` (the returned object is ``model.head``),
    ``returned_type``, :func:`report_model` of the model after the call.
    """
    function = "replace_head"
    assert "head_type" not in got, (
        f"{function}: model.head is a {got['head_type']} after the call; it must be the new "
        f"torch.nn.Linear")
    assert bool(got.get("returned_is_head", False)), (
        f"{function} must return the new head and set it as model.head (it returned a "
        f"{got.get('returned_type', '?')} that is not model.head)")
    in_features = int(state["head.weight"].shape[1])
    shape = tuple(int(s) for s in np.atleast_1d(got["head_shape"]))
    assert shape == (num_classes, in_features), (
        f"{function}: the new head's weight has shape {shape}, expected "
        f"({num_classes}, {in_features}) = (num_classes, model.head.in_features)"
        + ("; keep the old head's in_features" if shape[:1] == (num_classes,) else ""))
    assert str(got.get("head_dtype")) == "float64", (
        f"{function}: the new head is {got.get('head_dtype')} but the model is float64: "
        f"create it with the old head's dtype (and device)")
    flags = _flags(got)
    assert flags.get("head.weight") and flags.get("head.bias"), (
        f"{function}: the new head must be trainable (requires_grad True)")
    body = [n for n in state if n.startswith("features.")]
    _same_names(function, [n for n in _names(got) if n.startswith("features.")],
                [n for n in body if n in flags], "after the call")
    _body_unchanged(function, got, state, "", "after the call")
    bound = 1.0 / np.sqrt(in_features)
    w, b = np.asarray(got["param:head.weight"]), np.asarray(got["param:head.bias"])
    assert np.all(np.abs(w) <= bound + 1e-12) and np.all(np.abs(b) <= bound + 1e-12), (
        f"{function}: the new head's values lie outside PyTorch's default initialisation "
        f"(uniform within 1/sqrt(in_features)); create a new nn.Linear")
    assert np.std(w) > 0.2 * bound, (
        f"{function}: the new head's weights are (nearly) constant; let nn.Linear initialise "
        f"them")
    if state["head.weight"].shape == w.shape:
        assert not np.allclose(w, state["head.weight"]), (
            f"{function}: the head still has its old weights; replace it by a new nn.Linear")


def run_replace_head(replace: Any, case: Mapping[str, Any]) -> dict[str, Any]:
    """Sandbox side (and the visible check): build, call ``replace(model, k)``, report."""
    model = build_model(case["spec"], case["state"])
    with _seeded(int(case["seed"])):
        head = quietly(replace, model, int(case["num_classes"]))
    return {"returned_is_head": np.array(head is getattr(model, "head", None)),
            "returned_type": type(head).__name__, **report_model(model)}


def check_replace_head() -> None:
    """Check ``replace_head`` on SmallCNN (5 -> 10 and 5 -> 5 classes) and a ProbeNet.

    Raises
    ------
    AssertionError
        With a one-line reason.
    """
    replace = _graded("replace_head")
    cases = [{"spec": spec, "state": random_state(spec, 6100 + i), "num_classes": k,
              "seed": 6150 + i}
             for i, (spec, k) in enumerate([(VISIBLE_SPECS[0], 10), (VISIBLE_SPECS[0], 5),
                                            (VISIBLE_SPECS[1], 7)])]
    for case, got in _run_all(run_replace_head, replace, cases):
        judge_replace_head(case["spec"], case["state"], case["num_classes"], got)
    print("PASS replace_head: a new trainable nn.Linear(in_features, num_classes) in the "
          "model's dtype, freshly initialised, set as model.head and returned; the body "
          "untouched")


# ----------------------------------------------------------------- extract_features


def expected_features(spec: Mapping[str, Any], state: Mapping[str, np.ndarray],
                      x: np.ndarray) -> np.ndarray:
    """Trusted side: ``feature_vector`` of an untouched copy in evaluation mode."""
    model = build_model(spec, state).eval()
    with torch.no_grad():
        return model.feature_vector(torch.tensor(x)).numpy()


def judge_extract_features(spec: Mapping[str, Any], state: Mapping[str, np.ndarray],
                           x: np.ndarray, got: Mapping[str, Any], reveal: bool = True) -> None:
    """Judge ``extract_features(model, x, batch_size)``.

    ``got``: ``features`` (or ``type``), ``requires_grad``, ``training_before`` and
    :func:`report_model` of the model after the call.
    """
    function = "extract_features"
    want = expected_features(spec, state, x)
    assert "features" in got, (f"{function} must return a torch.Tensor of shape {want.shape}; "
                               f"got {got.get('type', '?')}")
    features = np.asarray(got["features"])
    assert features.shape == want.shape, (
        f"{function}: features have shape {features.shape}, expected {want.shape} (one row "
        f"per image, model.feature_vector's length)"
        + ("; the last, partial batch is missing" if features.shape[1:] == want.shape[1:]
           and features.shape[0] < want.shape[0] else ""))
    assert not bool(got.get("requires_grad", True)), (
        f"{function}: the features carry an autograd graph (requires_grad True): compute "
        f"them under torch.no_grad()")
    error = _relative(features, want)
    assert error <= TOLERANCE, (f"{function}: features differ from model.feature_vector in "
                                f"evaluation mode (relative error {error:.1e})")
    assert bool(got["training"]) == bool(got["training_before"]), (
        f"{function}: the model was in {'training' if got['training_before'] else 'evaluation'}"
        f" mode before the call and is not any more: restore it (model.train(was_training))")
    _body_unchanged(function, got, state, "", "after the call")


def run_extract_features(extract: Any, case: Mapping[str, Any]) -> dict[str, Any]:
    """Sandbox side (and the visible check): build, set the mode, call, report."""
    model = build_model(case["spec"], case["state"])
    model.train(bool(case["training"]))
    with _seeded(EXTRACT_SEED):
        out = quietly(extract, model, torch.tensor(case["x"]), int(case["batch_size"]))
    got: dict[str, Any] = {"training_before": np.array(bool(case["training"])),
                           **report_model(model)}
    if isinstance(out, torch.Tensor):
        got["features"] = out.detach().cpu().numpy()
        got["requires_grad"] = np.array(bool(out.requires_grad))
    else:
        got["type"] = type(out).__name__
    return got


def check_extract_features() -> None:
    """Check ``extract_features`` on SmallCNN and a ProbeNet (batch norm, dropout), N = 11
    images in batches of 4, from training and from evaluation mode.

    Raises
    ------
    AssertionError
        With a one-line reason.
    """
    extract = _graded("extract_features")
    rng = np.random.default_rng(6200)
    cases = [{"spec": spec, "state": random_state(spec, 6200 + i), "training": training,
              "x": rng.normal(size=(11, int(spec["in_channels"]), 16, 16)), "batch_size": 4}
             for i, (spec, training) in enumerate([(VISIBLE_SPECS[0], True),
                                                   (VISIBLE_SPECS[1], True),
                                                   (VISIBLE_SPECS[2], False)])]
    for case, got in _run_all(run_extract_features, extract, cases):
        judge_extract_features(case["spec"], case["state"], case["x"], got)
    print("PASS extract_features: equal to model.feature_vector in evaluation mode for 11 "
          "images in batches of 4, without an autograd graph, the model's mode restored")


# ------------------------------------------------------------ fine_tune_param_groups


def judge_fine_tune_param_groups(spec: Mapping[str, Any], state: Mapping[str, np.ndarray],
                                 lr_head: float, lr_body: float, layers: int,
                                 got: Mapping[str, Any], reveal: bool = True) -> None:
    """Judge ``fine_tune_param_groups(model, lr_head, lr_body, layers)``.

    ``got``: ``groups`` (how many), ``group<i>.lr``, ``group<i>.names`` (the names of the
    group's parameters in the model; ``?`` for an object that is not one of them),
    ``group<i>.keys`` and :func:`report_model` of the model after the call.
    """
    function = "fine_tune_param_groups"
    assert "type" not in got, f"{function} must return a list of dicts; got {got['type']}"
    names = parameter_names(spec)
    want_groups = fine_tune_plan(names, lr_head, lr_body, layers)
    want_head, want_body = want_groups[0][1], (want_groups[1][1] if layers else [])
    top = {int(n.split(".")[1]) for n in want_body}
    count = int(got["groups"])
    assert count == len(want_groups), (
        f"{function}: {count} parameter groups for layers_to_unfreeze={layers}, expected "
        f"{len(want_groups)}: the head's" + (", then the unfrozen blocks'" if layers else
                                              " only"))
    for i, (lr, members) in enumerate(want_groups):
        keys = {str(k) for k in np.atleast_1d(got[f"group{i}.keys"])}
        assert {"params", "lr"} <= keys, (
            f"{function}: group {i} must be a dict with 'params' and 'lr'; its keys are "
            f"{sorted(keys)}")
        got_lr = float(got[f"group{i}.lr"])
        what = "head" if i == 0 else "unfrozen blocks"
        assert got_lr == lr, (f"{function}: group {i} (the {what}) has learning rate "
                              f"{got_lr:g}" + (f", expected {lr:g}" if reveal else ""))
        got_names = [str(n) for n in np.atleast_1d(got[f"group{i}.names"])]
        assert "?" not in got_names, (
            f"{function}: group {i} holds objects that are not parameters of the model")
        if sorted(got_names) != sorted(members):
            hint = ""
            bottom = [n for n in got_names if n.startswith("features.")
                      and int(n.split(".")[1]) not in top]
            if bottom:
                hint = (f"; {bottom[0]} is not in the top {layers} block(s): count the blocks "
                        f"from the end of model.features")
            raise AssertionError(f"{function}: group {i} (the {what}) holds "
                                 f"{len(got_names)} parameters, expected {len(members)}"
                                 f"{hint}")
    flags = _flags(got)
    trainable = set(want_head) | set(want_body)
    wrong = [n for n in names if flags.get(n) != (n in trainable)]
    assert not wrong, (
        f"{function}: {wrong[0]} has requires_grad {flags.get(wrong[0])}: the head and the "
        f"top {layers} block(s) must be trainable, every other block frozen")
    _body_unchanged(function, got, state, "", "after the call")


def fine_tune_plan(names: Sequence[str], lr_head: float, lr_body: float,
                   layers: int) -> list[tuple[float, list[str]]]:
    """The parameter groups ``fine_tune_param_groups`` should return for a network whose
    parameters are ``names`` (in order), as ``(learning rate, parameter names)``: the
    head's, then (when ``layers`` > 0) the last ``layers`` blocks' of ``features``."""
    blocks = sorted({int(n.split(".")[1]) for n in names if n.startswith("features.")})
    top = set(blocks[len(blocks) - layers:]) if layers else set()
    body = [n for n in names if n.startswith("features.") and int(n.split(".")[1]) in top]
    head = [n for n in names if n.startswith("head.")]
    return [(lr_head, head)] + ([(lr_body, body)] if layers else [])


def run_fine_tune_param_groups(make_groups: Any, case: Mapping[str, Any]) -> dict[str, Any]:
    """Sandbox side (and the visible check): build, call, describe the groups by name."""
    model = build_model(case["spec"], case["state"])
    if bool(case["pre_frozen"]):   # a model whose whole body starts frozen
        for p in model.features.parameters():
            p.requires_grad = False
    groups = quietly(make_groups, model, float(case["lr_head"]), float(case["lr_body"]),
                     int(case["layers"]))
    got: dict[str, Any] = dict(report_model(model))
    if not isinstance(groups, list | tuple) or not all(isinstance(g, dict) for g in groups):
        got["type"] = type(groups).__name__
        return got
    by_id = {id(p): n for n, p in model.named_parameters()}
    got["groups"] = np.array(len(groups))
    for i, group in enumerate(groups):
        params = group.get("params", [])
        params = [params] if isinstance(params, torch.Tensor) else list(params)
        got[f"group{i}.keys"] = np.array([str(k) for k in group], dtype=str)
        got[f"group{i}.lr"] = np.array(float(group.get("lr", float("nan"))))
        got[f"group{i}.names"] = np.array([by_id.get(id(p), "?") for p in params] or [""],
                                          dtype=str)
        if not params:
            got[f"group{i}.names"] = np.array([], dtype=str)
    return got


def check_fine_tune_param_groups() -> None:
    """Check ``fine_tune_param_groups`` on SmallCNN with 0 to 3 blocks unfrozen and on a
    4-block ProbeNet whose body starts frozen.

    Raises
    ------
    AssertionError
        With a one-line reason.
    """
    make_groups = _graded("fine_tune_param_groups")
    plans = [(VISIBLE_SPECS[0], layers, False) for layers in range(4)]
    plans.append((VISIBLE_SPECS[2], 2, True))
    cases = [{"spec": spec, "state": random_state(spec, 6300 + i), "lr_head": 1e-3,
              "lr_body": 1e-4, "layers": layers, "pre_frozen": pre_frozen}
             for i, (spec, layers, pre_frozen) in enumerate(plans)]
    for case, got in _run_all(run_fine_tune_param_groups, make_groups, cases):
        judge_fine_tune_param_groups(case["spec"], case["state"], 1e-3, 1e-4, case["layers"],
                                     got)
    print("PASS fine_tune_param_groups: the head's group and the top blocks' group with "
          "their learning rates, exactly the trainable parameters, for 0 to 3 of 3 blocks "
          "and 2 of 4")


CHECKS = {
    "freeze_features": check_freeze_features,
    "replace_head": check_replace_head,
    "extract_features": check_extract_features,
    "fine_tune_param_groups": check_fine_tune_param_groups,
}
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.transfer).
CHECKS = diagnosing(ASSIGNMENT, CHECKS, globals())
