"""Visible checks of the PyTorch part of assignment 04_cnn (``classifiers/cnn_torch.py``).

Each check builds ONE graded class on small seeded shapes, in float64, reads its
parameters through the attribute names its docstring gives, and compares:

* the layer shapes and the total number of parameters with the closed-form count;
* ``forward`` with the same computation written here with ``torch.nn.functional`` from
  those parameters (the oracle), on random inputs;
* for the residual block: what the shortcut does on its own (with the last batch norm's
  scale and shift set to zero the residual path outputs 0, so the block must return
  ``relu(x)``, or ``relu(projection(x))`` when the shape changes), and batch
  normalisation in both training and evaluation mode.

When the output is wrong in a way that has a usual cause (a missing ReLU, average
pooling, no shortcut: the mistake catalogue, :mod:`cs231n_utils.checks.catalogue.cnn`),
the message names it first; the checks themselves name a wrong padding (from the shapes)
and branches concatenated in another order.
A check raises ``AssertionError`` with a one-line reason, or prints one line starting with
``PASS``. A class that is not written yet raises its ``NotImplementedError`` unchanged. The
checks write nothing to stderr, and leave PyTorch's global random state as they found it.

The checks are merged into :mod:`cs231n_utils.checks.cnn` (which names the assignment)
through :data:`CHECKS`.

The comparisons are the public ``judge_*`` functions, one per class. They read a module
through its attributes, so they take either the live module (the visible checks) or a
:class:`PlainModule`, the same attributes rebuilt from plain data: the trusted grader
(``solutions/hidden_tests/04_cnn.py``) builds the student's module in the sandbox, sends
back :func:`module_to_plain` and :func:`forward_to_plain` of it, and judges them on the
trusted side with ``reveal=False``. How a judge gets the module's output is a ``run``
callable (:func:`live_run` or :func:`plain_run`), so that a live module is only called once
its layers passed their checks, as before.

>>> from cs231n_utils.checks.cnn_torch import check_vgg_block
>>> check_vgg_block()  # doctest: +SKIP
PASS VGGBlock: shapes, parameter counts and outputs match torch.nn.functional for 1, 2 ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from cs231n_utils.checks.common import graded, quietly
from cs231n_utils.checks.mistakes import diagnosing

__all__ = [
    "CHECKS",
    "PlainModule",
    "Run",
    "check_inception_module",
    "check_residual_block",
    "check_three_layer_convnet_torch",
    "check_vgg_block",
    "forward_to_plain",
    "judge_inception_module",
    "judge_residual_block",
    "judge_three_layer_convnet_torch",
    "judge_vgg_block",
    "live_run",
    "load_plain_state",
    "module_to_plain",
    "plain_run",
]

#: Largest absolute difference accepted between a module's output and the oracle (float64).
TOLERANCE = 1e-9
#: What a judge calls to get the module's output: ``run(stage, owner, hint)``. ``stage``
#: names the moment (``""`` for a plain forward; ``"train"``, ``"eval"``, ``"zero"`` for
#: the residual block), ``owner`` and ``hint`` go into the message if the forward fails.
Run = Callable[[str, str, str], torch.Tensor]
#: The default hint when a forward pass raises.
FORWARD_HINT = "check the layers' sizes, paddings and strides"
#: Exceptions of a forward pass that mean "wrong sizes" (reported as a failed check).
_FORWARD_ERRORS = (RuntimeError, ValueError, TypeError, IndexError)
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,90}$")
#: The assignment whose mistake catalogue names what a failing check shows (not
#: ``ASSIGNMENT``: that names the checks module of an assignment, which is checks.cnn).
_ASSIGNMENT = "04_cnn"


# ------------------------------------------------------------------------- helpers


def _graded(name: str) -> Any:
    """The student's class, looked up when the check runs (so edits are picked up; while a
    check runs, the calls of its catalogued methods are recorded)."""
    return graded("classifiers.cnn_torch", name)


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed PyTorch for the block, then restore the caller's random state."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def _build(cls: type, *args: Any) -> nn.Module:
    """Instantiate a graded class and convert it to float64."""
    module = quietly(cls, *args)
    assert isinstance(module, nn.Module), (
        f"{cls.__name__}(...) is not a torch.nn.Module: keep `class {cls.__name__}(nn.Module)` "
        "and call super().__init__() first")
    return module.double()


# ------------------------------------------------------- modules as plain data and back


def _torch_kind(module: nn.Module) -> str:
    """The name of the first ``torch.nn`` class in the module's ancestry (``Conv2d``,
    ``Sequential``..., ``Module`` for a class of the student's own)."""
    return next(c.__name__ for c in type(module).__mro__
                if c.__module__.startswith("torch.nn"))


def module_to_plain(module: nn.Module) -> dict[str, Any]:
    """What the judges read of ``module``, as plain data (sandbox side).

    Keys: ``count`` (the number of parameters), ``module:<name>`` (each submodule's
    ``torch.nn`` class; the module itself is ``module:``), ``param:<name>`` (each entry of
    the ``state_dict``: parameters and buffers), ``none:<name>`` (attributes set to None,
    e.g. a ``bias`` or a ``shortcut``), ``attr:<module>:eps`` and
    ``attr:<module>:num_features`` (batch norm). Names that cannot be sent are left out.
    """
    plain: dict[str, Any] = {"count": sum(p.numel() for p in module.parameters())}

    def put(key: str, value: Any) -> None:
        if _PLAIN_NAME.match(key):
            plain[key] = value

    for name, sub in module.named_modules(remove_duplicate=False):
        put(f"module:{name}", _torch_kind(sub))
        slots = [*vars(sub).items(), *sub._parameters.items(), *sub._buffers.items(),
                 *sub._modules.items()]
        for attr, value in slots:
            if value is None and not attr.startswith("_"):
                put(f"none:{name}.{attr}" if name else f"none:{attr}", True)
        for attr in ("eps", "num_features"):
            value = getattr(sub, attr, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                put(f"attr:{name}:{attr}", value)
    for name, tensor in module.state_dict().items():
        put(f"param:{name}", tensor.detach().clone())  # a copy: the module may change later
    return plain


def load_plain_state(module: nn.Module, values: Mapping[str, np.ndarray]) -> None:
    """Copy ``values`` (state_dict name -> array) into ``module``'s parameters and buffers
    where an entry of that name and shape exists (sandbox side); others are left alone,
    for the judge's layer checks to report."""
    state = module.state_dict()
    with torch.no_grad():
        for name, value in values.items():
            target = state.get(name)
            if target is not None and tuple(target.shape) == np.shape(value):
                target.copy_(torch.as_tensor(np.asarray(value)))


def forward_to_plain(module: nn.Module, x: torch.Tensor, stage: str = "") -> dict[str, Any]:
    """The output of ``module(x)`` (no gradient) as plain data (sandbox side): key
    ``<stage>:out`` (``out`` when ``stage`` is empty); or ``<stage>:error`` if the forward
    raised one of the errors of wrong sizes, ``<stage>:raised`` if it raised another
    exception (the judge's layer checks come first, as in the visible checks); or
    ``<stage>:out_type`` if it returned something else than a tensor. A
    ``NotImplementedError`` (a stub) propagates."""
    prefix = f"{stage}:" if stage else ""
    try:
        with torch.no_grad():
            out = quietly(module, x)
    except NotImplementedError:
        raise
    except Exception as err:  # noqa: BLE001 (reported, then judged)
        text = str(err).strip()
        reason = f"{type(err).__name__}: {text.splitlines()[0] if text else ''}"[:300]
        key = "error" if isinstance(err, _FORWARD_ERRORS) else "raised"
        return {f"{prefix}{key}": reason}
    if isinstance(out, torch.Tensor):
        return {f"{prefix}out": out}
    return {f"{prefix}out_type": type(out).__name__}


class PlainModule:
    """A module's attributes rebuilt from :func:`module_to_plain` (trusted side).

    Submodules, parameters and buffers (as float64 tensors), attributes set to None, and
    ``eps``/``num_features`` are attributes, as on the module; ``len``, indexing and
    iteration give the children of a ``ModuleList`` or ``Sequential``. The judges test
    its class with ``_is`` (its ``torch.nn`` class name is ``plain_kind``).
    """

    def __init__(self, kind: str, count: int = 0) -> None:
        self.plain_kind = kind
        self.plain_count = count
        self.plain_children: dict[str, PlainModule] = {}
        self.plain_values: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("plain_"):
            raise AttributeError(name)
        if name in self.plain_children:
            return self.plain_children[name]
        if name in self.plain_values:
            return self.plain_values[name]
        raise AttributeError(f"{self.plain_kind} has no attribute {name!r}")

    def _ordered(self) -> list[PlainModule]:
        return [child for _, child in sorted(
            self.plain_children.items(), key=lambda kv: (not kv[0].isdigit(),
                                                         int(kv[0]) if kv[0].isdigit() else 0,
                                                         kv[0]))]

    def __len__(self) -> int:
        return len(self.plain_children)

    def substitute(self, values: Mapping[str, np.ndarray]) -> None:
        """Replace the tensors named in ``values`` (state_dict names) that exist with the
        same shape by ``values``' (trusted side: the oracle then uses the values the
        grader chose, not the ones reported)."""
        for full, value in values.items():
            owner_name, _, leaf = full.rpartition(".")
            owner = self
            for part in owner_name.split(".") if owner_name else []:
                owner = owner.plain_children.get(part)
                if owner is None:
                    break
            current = None if owner is None else owner.plain_values.get(leaf)
            if isinstance(current, torch.Tensor) and tuple(current.shape) == np.shape(value):
                owner.plain_values[leaf] = torch.tensor(np.asarray(value))

    def __getitem__(self, index: int) -> PlainModule:
        return self._ordered()[index]

    def __iter__(self) -> Iterator[PlainModule]:
        return iter(self._ordered())

    @classmethod
    def from_plain(cls, got: Mapping[str, np.ndarray]) -> PlainModule:
        """Rebuild the module tree from what :func:`module_to_plain` sent."""
        nodes = {key[len("module:"):]: cls(str(value)) for key, value in got.items()
                 if key.startswith("module:")}
        root = nodes.setdefault("", cls("Module"))
        root.plain_count = int(got.get("count", 0))
        for name in sorted(nodes, key=lambda n: n.count(".")):
            if name:
                parent, _, leaf = name.rpartition(".")
                if parent in nodes:
                    nodes[parent].plain_children[leaf] = nodes[name]

        def place(full: str, value: Any) -> None:
            owner, _, leaf = full.rpartition(".")
            if owner in nodes and leaf not in nodes[owner].plain_children:
                nodes[owner].plain_values[leaf] = value

        for key, value in got.items():
            kind, _, rest = key.partition(":")
            if kind == "param":
                place(rest, torch.from_numpy(np.array(value)))
            elif kind == "none":
                place(rest, None)
            elif kind == "attr":
                owner, _, attr = rest.rpartition(":")
                if owner in nodes:
                    nodes[owner].plain_values[attr] = np.asarray(value).item()
        return root


def _forward_failed(owner: str, shape: tuple[int, ...], error: str, hint: str) -> str:
    return f"{owner}: forward on an input of shape {shape} raised {error} ({hint})"


def live_run(module: nn.Module, x: torch.Tensor,
             before: Callable[[str], None] | None = None) -> Run:
    """A :data:`Run` that calls ``module`` on ``x`` (the visible checks); ``before(stage)``
    runs first (e.g. switching to training mode)."""
    def run(stage: str, owner: str, hint: str) -> torch.Tensor:
        if before is not None:
            before(stage)
        return _forward(module, x, owner, hint)
    return run


def plain_run(got: Mapping[str, np.ndarray], shape: tuple[int, ...]) -> Run:
    """A :data:`Run` that reads the outputs :func:`forward_to_plain` sent (trusted side):
    the same messages as a live forward that failed or returned no tensor."""
    def run(stage: str, owner: str, hint: str) -> torch.Tensor:
        prefix = f"{stage}:" if stage else ""
        if f"{prefix}error" in got:
            raise AssertionError(_forward_failed(owner, tuple(shape),
                                                 str(got[f"{prefix}error"]), hint))
        if f"{prefix}raised" in got:
            raise AssertionError(f"{owner}: forward on an input of shape {tuple(shape)} "
                                 f"raised {got[f'{prefix}raised']}")
        if f"{prefix}out" not in got:
            raise AssertionError(f"{owner}.forward returned {got[f'{prefix}out_type']}, "
                                 "expected a torch.Tensor")
        out = np.array(got[f"{prefix}out"])
        assert out.dtype.kind in "biuf", (
            f"{owner}.forward returned a tensor of {out.dtype}, not numbers")
        return torch.from_numpy(out)
    return run


def _is(layer: Any, kind: type) -> bool:
    """``isinstance(layer, kind)``, also for a :class:`PlainModule`."""
    if isinstance(layer, PlainModule):
        return layer.plain_kind == kind.__name__
    return isinstance(layer, kind)


def _kind(layer: Any) -> str:
    return layer.plain_kind if isinstance(layer, PlainModule) else type(layer).__name__


# ------------------------------------------------------------------- check helpers


def _layer(module: nn.Module, owner: str, name: str, kind: type) -> Any:
    """``module.<name>``, checked to be a ``kind``, or a clear AssertionError."""
    assert hasattr(module, name), (
        f"{owner} has no attribute {name!r}: create the layers under the names its docstring "
        "gives (the checks and the grader read the parameters through them)")
    layer = getattr(module, name)
    assert _is(layer, kind), (
        f"{owner}.{name} is a {_kind(layer)}, expected a torch.nn.{kind.__name__}")
    return layer


def _conv(module: nn.Module, owner: str, name: str, shape: tuple[int, ...],
          bias: bool) -> nn.Conv2d:
    """A Conv2d attribute, checked for its weight shape and for having a bias or not."""
    conv = _layer(module, owner, name, nn.Conv2d)
    return _conv_layer(conv, f"{owner}.{name}", shape, bias)


def _conv_layer(conv: nn.Conv2d, what: str, shape: tuple[int, ...], bias: bool) -> nn.Conv2d:
    got = tuple(conv.weight.shape)
    assert got == shape, (
        f"{what}.weight has shape {got}, expected {shape} "
        "(out_channels, in_channels, kernel height, kernel width)")
    if bias:
        assert conv.bias is not None, f"{what} has no bias; this convolution needs one"
    else:
        assert conv.bias is None, f"{what} has a bias; create it with bias=False"
    return conv


def _linear(module: nn.Module, owner: str, name: str, shape: tuple[int, int],
            hint: str = "") -> nn.Linear:
    fc = _layer(module, owner, name, nn.Linear)
    got = tuple(fc.weight.shape)
    assert got == shape, (f"{owner}.{name}.weight has shape {got}, expected {shape} "
                          f"(out_features, in_features){'; ' + hint if hint else ''}")
    assert fc.bias is not None, f"{owner}.{name} has no bias; it needs one"
    return fc


def _count(module: nn.Module) -> int:
    if isinstance(module, PlainModule):
        return module.plain_count
    return sum(p.numel() for p in module.parameters())


def _assert_count(module: nn.Module, owner: str, want: int, formula: str,
                  reveal: bool = True) -> None:
    got = _count(module)
    assert got == want, (
        f"{owner} has {got} parameters, expected {f'{want} = ' if reveal else ''}{formula}: "
        "is there a layer too many, or one missing?")


def _forward(module: nn.Module, x: torch.Tensor, owner: str,
             hint: str = FORWARD_HINT) -> torch.Tensor:
    try:
        with torch.no_grad():
            out = quietly(module, x)
    except NotImplementedError:
        raise
    except _FORWARD_ERRORS as err:
        reason = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise AssertionError(_forward_failed(owner, tuple(x.shape),
                                             f"{type(err).__name__}: {reason}", hint)) from err
    assert isinstance(out, torch.Tensor), (
        f"{owner}.forward returned {type(out).__name__}, expected a torch.Tensor")
    return out


def _shape(out: torch.Tensor, want: tuple[int, ...], what: str, hint: str) -> None:
    got = tuple(out.shape)
    assert got == want, f"{what}: output has shape {got}, expected {want}; {hint}"


def _diff(a: torch.Tensor, b: torch.Tensor) -> float:
    if a.shape != b.shape:
        return float("inf")
    return float((a.double() - b.double()).abs().max()) if a.numel() else 0.0


def _compare(out: torch.Tensor, want: torch.Tensor, what: str) -> float:
    """Assert ``out`` matches ``want`` (a usual mistake it matches instead is named by the
    catalogue, cs231n_utils.checks.catalogue.cnn)."""
    assert torch.isfinite(out).all(), f"{what}: the output holds NaN or infinite values"
    error = _diff(out, want)
    if error <= TOLERANCE:
        return error
    raise AssertionError(f"{what}: the output differs from torch.nn.functional's by up to "
                         f"{error:.3g}; compare your forward with the docstring step by step")


def _randomise_bn(bn: nn.BatchNorm2d) -> None:
    """Random scale, shift and running statistics, so that each of them matters."""
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.normal_(0.0, 0.5)
        bn.running_mean.normal_(0.0, 0.5)
        bn.running_var.uniform_(0.5, 2.0)


def _bn(x: torch.Tensor, bn: nn.BatchNorm2d, training: bool) -> torch.Tensor:
    """Batch norm computed from the layer's tensors, without updating its statistics."""
    if training:
        return F.batch_norm(x, None, None, bn.weight, bn.bias, True, 0.0, bn.eps)
    return F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, False, 0.0,
                        bn.eps)


# --------------------------------------------------------- 10. the three-layer network


def _three_layer_oracle(model: nn.Module, x: torch.Tensor, pad: int, *, relu_conv: bool = True,
                        relu_fc: bool = True, hwc: bool = False) -> torch.Tensor:
    out = F.conv2d(x, model.conv.weight, model.conv.bias, stride=1, padding=pad)
    out = F.max_pool2d(F.relu(out) if relu_conv else out, kernel_size=2, stride=2)
    flat = out.permute(0, 2, 3, 1).flatten(1) if hwc else out.flatten(1)
    hidden = F.linear(flat, model.fc1.weight, model.fc1.bias)
    hidden = F.relu(hidden) if relu_fc else hidden
    return F.linear(hidden, model.fc2.weight, model.fc2.bias)


def judge_three_layer_convnet_torch(model: Any, x: torch.Tensor, run: Run,
                                    input_dim: tuple[int, int, int], num_filters: int,
                                    filter_size: int, hidden_dim: int, num_classes: int, *,
                                    reveal: bool = True) -> float:
    """Judge ``ThreeLayerConvNetTorch(input_dim, num_filters, filter_size, hidden_dim,
    num_classes)``: its layers ``conv``, ``fc1``, ``fc2``, its parameter count, and its
    scores on ``x`` (from ``run``) against ``torch.nn.functional`` with its own parameters.

    Parameters
    ----------
    model : torch.nn.Module or PlainModule
        The module (float64), or its attributes rebuilt from plain data.
    x : torch.Tensor
        The input (float64).
    run : Run
        Gives the module's output on ``x`` (:func:`live_run` or :func:`plain_run`).
    input_dim, num_filters, filter_size, hidden_dim, num_classes
        The arguments it was built with.
    reveal : bool
        False: the message names no expected value (here: the parameter count).

    Returns
    -------
    float
        The largest difference from the oracle.

    Raises
    ------
    AssertionError
        With a one-line reason, if a layer or the scores are wrong.
    """
    owner = "ThreeLayerConvNetTorch"
    C, H, W = input_dim
    F_, k, hidden, classes = num_filters, filter_size, hidden_dim, num_classes
    D = F_ * (H // 2) * (W // 2)
    what = (f"ThreeLayerConvNetTorch(input_dim={tuple(input_dim)}, num_filters={F_}, "
            f"filter_size={k}, hidden_dim={hidden}, num_classes={classes})")
    _conv(model, owner, "conv", (F_, C, k, k), bias=True)
    _linear(model, owner, "fc1", (hidden, D),
            f"the pooled maps have F * (H // 2) * (W // 2) = {F_} * {H // 2} * {W // 2} "
            f"= {D} numbers")
    _linear(model, owner, "fc2", (classes, hidden))
    _assert_count(model, what, F_ * C * k * k + F_ + D * hidden + hidden
                  + hidden * classes + classes, "F*C*k*k + F + D*hidden + hidden + "
                  "hidden*classes + classes", reveal)
    pad = (k - 1) // 2
    out = run("", owner, FORWARD_HINT)
    _shape(out, (x.shape[0], classes), what, "forward returns one row of scores per example")
    with torch.no_grad():
        want = _three_layer_oracle(model, x, pad)
    return _compare(out, want, what)


def check_three_layer_convnet_torch() -> None:
    """Check ``ThreeLayerConvNetTorch``: layer shapes, parameter count, and scores against
    ``torch.nn.functional`` for two configurations (filter sizes 5 and 3).

    Raises
    ------
    AssertionError
        With a one-line reason, if a layer or the scores are wrong.
    """
    cls = _graded("ThreeLayerConvNetTorch")
    worst = 0.0
    configs = [((3, 10, 12), 5, 5, 7, 4, 6), ((2, 8, 8), 4, 3, 6, 3, 5)]
    for case, (input_dim, F_, k, hidden, classes, N) in enumerate(configs):
        C, H, W = input_dim
        with _seeded(400 + case):
            model = _build(cls, input_dim, F_, k, hidden, classes)
            x = torch.randn(N, C, H, W, dtype=torch.float64)
        worst = max(worst, judge_three_layer_convnet_torch(
            model, x, live_run(model, x), input_dim, F_, k, hidden, classes))
    print(f"PASS ThreeLayerConvNetTorch: layers, parameter counts and scores match "
          f"torch.nn.functional for filter sizes 5 and 3 (largest difference {worst:.1e})")


# ------------------------------------------------------------------- 11. VGG blocks


def _vgg_maps(convs: list[nn.Conv2d], x: torch.Tensor, relu: bool = True) -> torch.Tensor:
    """The feature maps of a VGG block before its pool."""
    for conv in convs:
        x = F.conv2d(x, conv.weight, conv.bias, padding=1)
        x = F.relu(x) if relu else x
    return x


def judge_vgg_block(block: Any, x: torch.Tensor, run: Run, in_channels: int,
                    out_channels: int, num_convs: int, *, reveal: bool = True) -> float:
    """Judge ``VGGBlock(in_channels, out_channels, num_convs)``: the convolutions in
    ``convs``, the parameter count and the output on ``x`` against ``torch.nn.functional``;
    return the largest difference. Arguments as for
    :func:`judge_three_layer_convnet_torch`.
    """
    cin, cout, n = in_channels, out_channels, num_convs
    N, _, H, W = x.shape
    what = f"VGGBlock({cin}, {cout}, num_convs={n})"
    convs = _layer(block, what, "convs", nn.ModuleList)
    assert len(convs) == n, f"{what}.convs holds {len(convs)} layers, expected {n}"
    for i, conv in enumerate(convs):
        assert _is(conv, nn.Conv2d), (
            f"{what}.convs[{i}] is a {_kind(conv)}, expected a torch.nn.Conv2d "
            "(keep the ReLUs and the pool out of convs)")
        _conv_layer(conv, f"{what}.convs[{i}]", (cout, cin if i == 0 else cout, 3, 3),
                    bias=True)
    _assert_count(block, what, 9 * cin * cout + cout + (n - 1) * (9 * cout * cout + cout),
                  "9*in*out + out for the first conv, 9*out*out + out for each other", reveal)
    out = run("", what, FORWARD_HINT)
    _shape(out, (N, cout, H // 2, W // 2), what,
           "each 3x3 conv needs padding=1 to keep H and W, then the 2x2 max pool with "
           "stride 2 halves them")
    with torch.no_grad():
        maps = _vgg_maps(list(convs), x)
        want = F.max_pool2d(maps, kernel_size=2, stride=2)
    return _compare(out, want, what)


def check_vgg_block() -> None:
    """Check ``VGGBlock`` for 1, 2 and 3 convolutions: the convolutions' shapes, the
    parameter count and the output against ``torch.nn.functional``.

    Raises
    ------
    AssertionError
        With a one-line reason, if a layer or the output is wrong.
    """
    cls = _graded("VGGBlock")
    worst = 0.0
    for case, (cin, cout, n, N, H, W) in enumerate([(3, 4, 1, 2, 8, 8), (2, 5, 2, 3, 6, 10),
                                                    (4, 3, 3, 2, 9, 7)]):
        with _seeded(410 + case):
            block = _build(cls, cin, cout, n)
            x = torch.randn(N, cin, H, W, dtype=torch.float64)
        worst = max(worst, judge_vgg_block(block, x, live_run(block, x), cin, cout, n))
    print(f"PASS VGGBlock: shapes, parameter counts and outputs match torch.nn.functional for "
          f"1, 2 and 3 convolutions (largest difference {worst:.1e})")


# ---------------------------------------------------------- 12. Inception modules

_BRANCHES = ("conv1", "conv3", "conv5", "pool_proj")


def _inception_branches(m: nn.Module, x: torch.Tensor, *, inner_relu: bool = True,
                        outer_relu: bool = True, pool: str = "max") -> list[torch.Tensor]:
    def conv(layer: nn.Conv2d, inp: torch.Tensor, pad: int, relu: bool) -> torch.Tensor:
        out = F.conv2d(inp, layer.weight, layer.bias, padding=pad)
        return F.relu(out) if relu else out

    if pool == "max":
        pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
    else:
        pooled = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1)
    return [
        conv(m.conv1, x, 0, outer_relu),
        conv(m.conv3, conv(m.conv3_reduce, x, 0, inner_relu), 1, outer_relu),
        conv(m.conv5, conv(m.conv5_reduce, x, 0, inner_relu), 2, outer_relu),
        conv(m.pool_proj, pooled, 0, outer_relu),
    ]


def _branch_order(out: torch.Tensor, branches: list[torch.Tensor]) -> list[str] | None:
    """The order in which the branch outputs appear along the channels of ``out``, if
    ``out`` is some concatenation of them."""
    found = []
    for name, branch in zip(_BRANCHES, branches, strict=True):
        c = branch.shape[1]
        hits = [start for start in range(out.shape[1] - c + 1)
                if _diff(out[:, start:start + c], branch) <= TOLERANCE]
        if not hits:
            return None
        found.append((hits[0], name))
    return [name for _, name in sorted(found)]


def judge_inception_module(module: Any, x: torch.Tensor, run: Run, in_channels: int, c1: int,
                           c3_reduce: int, c3: int, c5_reduce: int, c5: int, pool_proj: int,
                           *, reveal: bool = True) -> float:
    """Judge ``InceptionModule(in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj)``:
    the six convolutions, the parameter count, each branch of the output on ``x`` and their
    order against ``torch.nn.functional``; return the largest difference. Arguments as for
    :func:`judge_three_layer_convnet_torch`.
    """
    cin, c3r, c5r, pp = in_channels, c3_reduce, c5_reduce, pool_proj
    N, _, H, W = x.shape
    what = f"InceptionModule({cin}, {c1}, {c3r}, {c3}, {c5r}, {c5}, {pp})"
    for name, shape in (("conv1", (c1, cin, 1, 1)), ("conv3_reduce", (c3r, cin, 1, 1)),
                        ("conv3", (c3, c3r, 3, 3)), ("conv5_reduce", (c5r, cin, 1, 1)),
                        ("conv5", (c5, c5r, 5, 5)), ("pool_proj", (pp, cin, 1, 1))):
        _conv(module, what, name, shape, bias=True)
    _assert_count(module, what, (cin + 1) * (c1 + c3r + c5r + pp) + (9 * c3r + 1) * c3
                  + (25 * c5r + 1) * c5,
                  "(in+1)*(c1+c3_reduce+c5_reduce+pool_proj) + (9*c3_reduce+1)*c3 + "
                  "(25*c5_reduce+1)*c5", reveal)
    keep = ("every branch must keep H and W (3x3 conv: padding 1, 5x5 conv: padding 2, "
            "max pool: kernel 3, stride 1, padding 1) and the four are concatenated on "
            "dim=1")
    out = run("", what, keep)
    _shape(out, (N, c1 + c3 + c5 + pp, H, W), what, keep)
    assert torch.isfinite(out).all(), f"{what}: the output holds NaN or infinite values"
    with torch.no_grad():
        branches = _inception_branches(module, x)
        want = torch.cat(branches, dim=1)
    error = _diff(out, want)
    if error > TOLERANCE:
        order = _branch_order(out, branches)
        if order is not None:
            raise AssertionError(
                f"{what}: the branches are concatenated in the order {', '.join(order)}; "
                f"the docstring asks for {', '.join(_BRANCHES)}")
        start = 0
        for name, branch in zip(_BRANCHES, branches, strict=True):
            c = branch.shape[1]
            part = out[:, start:start + c]
            if _diff(part, branch) > TOLERANCE:
                raise AssertionError(
                    f"{what}: the {name} branch (channels {start}:{start + c} of the "
                    f"output) differs from torch.nn.functional's by up to "
                    f"{_diff(part, branch):.3g}")
            start += c
    return error


def check_inception_module() -> None:
    """Check ``InceptionModule``: the six convolutions' shapes, the parameter count, each
    branch and the concatenation order against ``torch.nn.functional``.

    Raises
    ------
    AssertionError
        With a one-line reason, if a layer, a branch or the order is wrong.
    """
    cls = _graded("InceptionModule")
    worst = 0.0
    for case, (cin, c1, c3r, c3, c5r, c5, pp, N, H, W) in enumerate(
            [(4, 3, 2, 5, 3, 2, 4, 2, 7, 6), (3, 2, 4, 3, 2, 5, 1, 3, 5, 5)]):
        with _seeded(420 + case):
            module = _build(cls, cin, c1, c3r, c3, c5r, c5, pp)
            x = torch.randn(N, cin, H, W, dtype=torch.float64)
        worst = max(worst, judge_inception_module(module, x, live_run(module, x), cin, c1,
                                                  c3r, c3, c5r, c5, pp))
    print(f"PASS InceptionModule: layers, parameter counts, the four branches and their order "
          f"match torch.nn.functional (largest difference {worst:.1e})")


# ---------------------------------------------------------------- 13. residual blocks


def _residual_oracle(block: nn.Module, x: torch.Tensor, stride: int, training: bool, *,
                     inner_relu: bool = True, final_relu: bool = True,
                     shortcut: bool = True, relu_before_add: bool = False) -> torch.Tensor:
    out = F.conv2d(x, block.conv1.weight, stride=stride, padding=1)
    out = _bn(out, block.bn1, training)
    out = F.relu(out) if inner_relu else out
    out = _bn(F.conv2d(out, block.conv2.weight, padding=1), block.bn2, training)
    if relu_before_add:
        out = F.relu(out)
    if shortcut:
        if block.shortcut is None:
            out = out + x
        else:
            conv, bn = block.shortcut[0], block.shortcut[1]
            out = out + _bn(F.conv2d(x, conv.weight, stride=stride), bn, training)
    return F.relu(out) if final_relu else out


def _residual_bns(block: Any) -> list[Any]:
    """The batch norms of a block whose layers passed their checks: bn1, bn2 and the
    projection's."""
    return [block.bn1, block.bn2] + ([] if block.shortcut is None else [block.shortcut[1]])


def judge_residual_block(block: Any, x: torch.Tensor, run: Run, in_channels: int,
                         out_channels: int, stride: int, *, reveal: bool = True) -> float:
    """Judge ``ResidualBlock(in_channels, out_channels, stride)``: its layers, the
    parameter count, the output on ``x`` against ``torch.nn.functional`` in training and in
    evaluation mode, and the shortcut on its own; return the largest difference.

    ``run`` gives the output at three stages: ``"train"`` (training mode, after the batch
    norms got random scales, shifts and running statistics), ``"eval"`` (evaluation mode,
    next) and ``"zero"`` (evaluation mode, after this function set bn2's weight and bias to
    zero in ``block``, which a live run then uses). For a :class:`PlainModule`, ``block``
    holds the state after the training-mode forward (the running statistics it updated).
    Other arguments as for :func:`judge_three_layer_convnet_torch`.
    """
    cin, cout = in_channels, out_channels
    N, _, H, W = x.shape
    what = f"ResidualBlock({cin}, {cout}, stride={stride})"
    identity = cin == cout and stride == 1
    _conv(block, what, "conv1", (cout, cin, 3, 3), bias=False)
    _conv(block, what, "conv2", (cout, cout, 3, 3), bias=False)
    bns = [_layer(block, what, name, nn.BatchNorm2d) for name in ("bn1", "bn2")]
    for name, bn in zip(("bn1", "bn2"), bns, strict=True):
        assert bn.num_features == cout, (
            f"{what}.{name} normalises {bn.num_features} channels, expected {cout}")
    assert hasattr(block, "shortcut"), (
        f"{what} has no attribute 'shortcut': set it to None for the identity, or to "
        "nn.Sequential(conv 1x1, BatchNorm2d)")
    count = 9 * cin * cout + 9 * cout * cout + 4 * cout
    formula = "9*in*out + 9*out*out + 2*out + 2*out"
    if identity:
        assert block.shortcut is None, (
            f"{what}: in_channels == out_channels and stride == 1, so the shortcut is "
            f"the identity and block.shortcut must be None, not "
            f"{_kind(block.shortcut)}")
    else:
        seq = block.shortcut
        assert _is(seq, nn.Sequential) and len(seq) == 2, (
            f"{what}: the shapes change, so block.shortcut must be nn.Sequential(conv 1x1, "
            f"BatchNorm2d), got {_kind(seq)}")
        assert _is(seq[0], nn.Conv2d) and _is(seq[1], nn.BatchNorm2d), (
            f"{what}: block.shortcut must hold a Conv2d then a BatchNorm2d, got "
            f"{_kind(seq[0])}, {_kind(seq[1])}")
        _conv_layer(seq[0], f"{what}.shortcut[0]", (cout, cin, 1, 1), bias=False)
        bns.append(seq[1])
        count += cin * cout + 2 * cout
        formula += " + in*out + 2*out (projection)"
    _assert_count(block, what, count, formula, reveal)
    H2, W2 = (H - 1) // stride + 1, (W - 1) // stride + 1
    worst = 0.0
    for training in (True, False):
        mode = "training mode" if training else "evaluation mode"
        out = run("train" if training else "eval", what, FORWARD_HINT)
        _shape(out, (N, cout, H2, W2), f"{what} in {mode}",
               "3x3 convs with padding 1; conv1 and the projection have the block's stride")
        with torch.no_grad():
            want = _residual_oracle(block, x, stride, training)
        worst = max(worst, _compare(out, want, f"{what} in {mode}"))

    # The shortcut alone: with bn2's scale and shift at 0 the residual path gives 0.
    with torch.no_grad():
        bns[1].weight.zero_()
        bns[1].bias.zero_()
    out = run("zero", what, FORWARD_HINT)
    if identity:
        want, expected = F.relu(x), "relu(x)"
    else:
        with torch.no_grad():
            conv, bn = block.shortcut[0], block.shortcut[1]
            want = F.relu(_bn(F.conv2d(x, conv.weight, stride=stride), bn, False))
        expected = "relu(shortcut(x))"
    if _diff(out, want) > TOLERANCE:
        if _diff(out, torch.zeros_like(want)) <= TOLERANCE:
            raise AssertionError(
                f"{what}: with bn2's weight and bias at 0 the block returns 0, expected "
                f"{expected}: the shortcut is not added to the residual")
        raise AssertionError(
            f"{what}: with bn2's weight and bias at 0 the residual path is 0, so the block "
            f"should return {expected}; it differs by up to {_diff(out, want):.3g}")
    return worst


def check_residual_block() -> None:
    """Check ``ResidualBlock`` with the identity shortcut and with a projection (more
    channels, stride 2): layer shapes, parameter counts, the output in training and in
    evaluation mode against ``torch.nn.functional``, and the shortcut on its own.

    Raises
    ------
    AssertionError
        With a one-line reason, if a layer, the shortcut or the output is wrong.
    """
    cls = _graded("ResidualBlock")
    worst = 0.0
    configs = [(4, 4, 1, 3, 6, 6), (3, 5, 2, 3, 7, 8), (4, 6, 1, 2, 5, 5)]
    for case, (cin, cout, stride, N, H, W) in enumerate(configs):
        with _seeded(430 + case):
            block = _build(cls, cin, cout, stride)
            x = torch.randn(N, cin, H, W, dtype=torch.float64)

        def before(stage: str, block: nn.Module = block, case: int = case) -> None:
            if stage == "train":
                with _seeded(440 + case):
                    for bn in _residual_bns(block):
                        _randomise_bn(bn)
            block.train(stage == "train")

        worst = max(worst, judge_residual_block(block, x, live_run(block, x, before), cin,
                                                cout, stride))
    print(f"PASS ResidualBlock: identity and projection shortcuts, training and evaluation "
          f"mode match torch.nn.functional (largest difference {worst:.1e})")


#: The graded methods of ``classifiers/cnn_torch.py`` and the check of each.
CHECKS: dict[str, Callable[[], None]] = {
    "ThreeLayerConvNetTorch.__init__": check_three_layer_convnet_torch,
    "ThreeLayerConvNetTorch.forward": check_three_layer_convnet_torch,
    "VGGBlock.__init__": check_vgg_block,
    "VGGBlock.forward": check_vgg_block,
    "InceptionModule.__init__": check_inception_module,
    "InceptionModule.forward": check_inception_module,
    "ResidualBlock.__init__": check_residual_block,
    "ResidualBlock.forward": check_residual_block,
}
#: A failing check names the catalogued mistake first (cs231n_utils.checks.catalogue.cnn).
CHECKS = diagnosing(_ASSIGNMENT, CHECKS, globals())
