"""Name the common mistake behind a failing check: the catalogue of wrong variants.

A good teaching assistant recognises the usual mistakes at a glance: the gradient without
the regularisation term, the softmax without the max shift, a mean over the wrong axis.
Each assignment keeps those mistakes in a catalogue (``cs231n_utils/checks/catalogue/``):
for every graded function, a few **wrong variants**, small functions that take the same
arguments and return the same kind of result as the graded one but make one typical
mistake, each with a one-sentence **diagnosis** and the notebook **section** to reread.

When a visible check fails, every call it made to a catalogued graded function was
recorded (the arguments before the call, the result, the arguments after it). Each variant
of that function is run on the same arguments; the first one that reproduces what the
student's function returned on *every* recorded call names the mistake, first in the
message::

    dW matches the gradient without the regularisation term (2 * reg * W): see section 5
    "The SVM loss and its gradient". svm_loss_vectorized(reg=0.25): dW differs from ...

No variant matches: the check's own message alone. The trusted grader does the same with
the hidden inputs and the plain values a probe returned (see ``HiddenTest.call``), in its
own process: the variants run on the trusted copy of the inputs.

Adding a mistake (see CONTRIBUTING.md, "The mistake catalogue")::

    @CATALOGUE.mistake("svm_loss_naive", "svm_loss_vectorized", section=5,
                       diagnosis="dW matches the gradient without ... (2 * reg * W)")
    def svm_without_regularisation_gradient(W, X, y, reg):
        loss, dW = svm_oracle(W, X, y, reg)
        return loss, dW - 2 * reg * W

Variants are built from the checks' oracles (PyTorch, a direct formula) with the one
mistake patched in, never from a copy of the solution.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import copy
import functools
import importlib
import inspect
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Assignment -> the module of ``cs231n_utils.checks.catalogue`` holding its mistakes.
CATALOGUE_MODULES = {
    "01_knn": "knn",
    "02_linear_classifiers": "linear",
    "03_backprop": "backprop",
    "04_cnn": "cnn",
    "05_training": "training",
    "06_transfer_learning": "transfer",
    "07_rnn": "rnn",
}

#: Calls of one graded function recorded per check: the first half and the last half of
#: this many (a numerical gradient makes hundreds in between).
MAX_CALLS = 12

Outputs = Callable[[Sequence[Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class Mistake:
    """One catalogued mistake.

    Attributes
    ----------
    name : str
        Its identifier, the variant's function name (e.g. ``"svm_without_reg_gradient"``).
    functions : tuple of str
        The graded functions it is a mistake of, named as in the checks' ``CHECKS``
        (``"svm_loss_naive"``, ``"KNearestNeighbor.predict_labels"``).
    diagnosis : str
        One sentence in the student's words, saying what the output matches.
    section : int
        The notebook section to reread.
    variant : callable
        The wrong function: the graded function's arguments (``self`` first for a method)
        and the same kind of result.
    """

    name: str
    functions: tuple[str, ...]
    diagnosis: str
    section: int
    variant: Callable[..., Any]


@dataclass(frozen=True)
class Graded:
    """How a catalogued graded function is called and what of it is compared.

    Attributes
    ----------
    function : str
        ``"name"`` or ``"Class.method"``, as in the checks' ``CHECKS``.
    module : str
        Its module in the package, e.g. ``"classifiers.linear_svm"``.
    outputs : callable
        ``outputs(args_after, result) -> {name: value}``: what is compared between the
        student's call and a variant's (the arguments as they were after the call, for
        functions that update in place, and what came back).
    tolerance : float
        Largest relative difference (to the largest entry) that still counts as a match.
    """

    function: str
    module: str
    outputs: Outputs
    tolerance: float = 1e-6


def returned(*names: str | None) -> Outputs:
    """``outputs`` for a function that returns a tuple: the entries named (None: not
    compared, e.g. a cache). With one name, the whole result is that value."""
    def outputs(args: Sequence[Any], result: Any) -> dict[str, Any]:
        if len(names) == 1:
            return {names[0]: result}
        if not isinstance(result, tuple | list) or len(result) != len(names):
            raise ValueError("not the expected tuple")
        return {n: v for n, v in zip(names, result, strict=True) if n is not None}
    return outputs


@dataclass
class Catalogue:
    """The mistakes of one assignment's graded functions.

    Parameters
    ----------
    assignment : str
        e.g. ``"02_linear_classifiers"``.
    sections : dict
        Section number -> title of the assignment's notebook (each mistake's section must
        be one; a test compares them with the notebook's headings).
    functions : iterable of Graded
        The graded functions that have mistakes, in the order of the notebook.
    """

    assignment: str
    sections: dict[int, str]
    functions: Iterable[Graded] = ()
    mistakes: list[Mistake] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.graded = {g.function: g for g in self.functions}

    def mistake(self, *functions: str, section: int,
                diagnosis: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: catalogue the decorated wrong variant as a mistake of ``functions``."""
        unknown = [f for f in functions if f not in self.graded]
        if unknown or not functions:
            raise ValueError(f"functions={unknown or functions!r}: declare each as a Graded "
                             f"of the {self.assignment} catalogue first")
        if section not in self.sections:
            raise ValueError(f"section={section}: the {self.assignment} catalogue knows "
                             f"sections {sorted(self.sections)}")

        def register(variant: Callable[..., Any]) -> Callable[..., Any]:
            self.mistakes.append(Mistake(variant.__name__, tuple(functions), diagnosis,
                                         section, variant))
            return variant
        return register

    def of(self, function: str) -> list[Mistake]:
        """The mistakes of ``function``, in catalogue order."""
        return [m for m in self.mistakes if function in m.functions]

    def message(self, mistake: Mistake) -> str:
        """``'<diagnosis>: see section <n> "<title>"'``."""
        return (f'{mistake.diagnosis}: see section {mistake.section} '
                f'"{self.sections[mistake.section]}"')

    def diagnose(self, function: str, calls: Sequence[Call]) -> Mistake | None:
        """The first mistake of ``function`` whose variant reproduces the outputs of every
        call in ``calls``, or None."""
        graded = self.graded.get(function)
        if graded is None or not calls:
            return None
        try:
            students = [graded.outputs(c.args_after, c.result) for c in calls]
        except Exception:  # noqa: BLE001 (a result of the wrong form matches nothing)
            return None
        for mistake in self.of(function):
            if all(_reproduces(mistake.variant, graded, call, got)
                   for call, got in zip(calls, students, strict=True)):
                return mistake
        return None


@dataclass(frozen=True)
class Call:
    """One recorded call of a graded function: deep copies of its positional and keyword
    arguments before the call, of what it returned, and of its arguments after it."""

    args: tuple
    kwargs: dict[str, Any]
    result: Any
    args_after: tuple
    #: NumPy's global random state when the call began (None: not known), so that a
    #: variant that draws random numbers draws the same ones.
    random_state: tuple | None = None


def _copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 (an object that cannot be copied is compared as is)
        return value


def _reproduces(variant: Callable[..., Any], graded: Graded, call: Call,
                got: dict[str, Any]) -> bool:
    args, kwargs = _copy(call.args), _copy(call.kwargs)
    torch = sys.modules.get("torch")  # not imported here: the sandbox need not load it
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), (
                torch.random.fork_rng(devices=[]) if torch else contextlib.nullcontext()):
            warnings.simplefilter("ignore")
            state = np.random.get_state()
            try:
                if call.random_state is not None:
                    np.random.set_state(call.random_state)
                result = variant(*args, **kwargs)
            finally:
                np.random.set_state(state)
        want = graded.outputs(args, result)
    except Exception:  # noqa: BLE001 (a variant that cannot run here matches nothing)
        return False
    return set(want) <= set(got) and all(
        same(got[name], want[name], graded.tolerance) for name in want)


def same(got: Any, want: Any, tolerance: float) -> bool:
    """Whether ``got`` has the structure of ``want`` and the same numbers within
    ``tolerance`` relative to the largest entry. Where ``want`` overflows (a NaN or an
    infinity), ``got`` must overflow somewhere too (where exactly depends on how the
    overflowing code was written), and agree where both are finite. Dicts compare the
    keys of ``want``; tensors are compared as arrays."""
    if isinstance(want, Mapping):
        return isinstance(got, Mapping) and all(
            k in got and same(got[k], v, tolerance) for k, v in want.items())
    if isinstance(want, tuple | list):
        return (isinstance(got, tuple | list) and len(got) == len(want)
                and all(same(g, w, tolerance) for g, w in zip(got, want, strict=True)))
    if want is None or isinstance(want, str | bool):
        return got == want
    try:
        got_a, want_a = _numbers(got), _numbers(want)
    except (TypeError, ValueError):
        return False
    if got_a.shape != want_a.shape:
        return False
    if got_a.size == 0:
        return True
    finite = np.isfinite(want_a)
    if finite.all() != bool(np.isfinite(got_a).all()):
        return False
    finite &= np.isfinite(got_a)
    if not finite.any():
        return True
    scale = max(float(np.max(np.abs(want_a[finite]))), 1e-8)
    return float(np.max(np.abs(got_a[finite] - want_a[finite]))) <= tolerance * scale


def _numbers(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "biufc":
        raise TypeError("not numbers")
    return array.astype(np.float64)


# ------------------------------------------------------------------- loading catalogues
@functools.cache
def catalogue_of(assignment: str) -> Catalogue | None:
    """The catalogue of ``assignment`` (None if it has none)."""
    module = CATALOGUE_MODULES.get(assignment)
    if module is None:
        return None
    return importlib.import_module(f"cs231n_utils.checks.catalogue.{module}").CATALOGUE


def diagnosis(assignment: str, function: str, calls: Sequence[Call]) -> str:
    """The message naming the catalogued mistake that ``calls`` show, or ``""``."""
    try:
        catalogue = catalogue_of(assignment)
        mistake = None if catalogue is None else catalogue.diagnose(function, calls)
    except Exception:  # noqa: BLE001 (a diagnosis must never hide the check's verdict)
        return ""
    return "" if mistake is None else catalogue.message(mistake)


# ------------------------------------------------------------- recording a check's calls
_recording: contextvars.ContextVar[_Recorder | None] = contextvars.ContextVar(
    "cs231n_mistakes_recorder", default=None)


class _Recorder:
    """The first ``MAX_CALLS // 2`` and the last ``MAX_CALLS // 2`` calls of each
    catalogued function during one check (the failing call is often the last one)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.first: dict[str, list[Call]] = {}
        self.last: dict[str, collections.deque[Call]] = {}

    @property
    def calls(self) -> dict[str, list[Call]]:
        return {f: calls + list(self.last[f]) for f, calls in self.first.items()}

    def record(self, function: str, f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            before, kw_before = _copy(args), _copy(kwargs)
            state = np.random.get_state()
            result = f(*args, **kwargs)
            call = Call(before, kw_before, _copy(result), _copy(args), state)
            first = self.first.setdefault(function, [])
            last = self.last.setdefault(function, collections.deque(maxlen=MAX_CALLS // 2))
            (first.append if len(first) < MAX_CALLS // 2 else last.append)(call)
            return result
        return recorded


def recorded(module: str, name: str, found: Any) -> Any:
    """``found`` (the graded ``name`` of ``module``), wrapped to record its calls while a
    check of an assignment with a catalogue runs; unchanged otherwise. A class comes back
    as a subclass whose catalogued methods are recorded."""
    recorder = _recording.get()
    if recorder is None:
        return found
    graded = recorder.catalogue.graded
    if inspect.isclass(found):
        methods = {f.partition(".")[2] for f in graded if f.startswith(f"{name}.")}
        if not methods:
            return found
        body = {m: recorder.record(f"{name}.{m}", getattr(found, m)) for m in methods}
        body["__module__"] = found.__module__
        body["__qualname__"] = found.__qualname__
        return type(found.__name__, (found,), body)
    if name in graded and callable(found):
        return recorder.record(name, found)
    return found


def diagnosing(assignment: str, checks: dict[str, Callable[[], None]],
               namespace: dict[str, Any]) -> dict[str, Callable[[], None]]:
    """Wrap each check of ``checks`` (and its name in ``namespace``, the checks module's
    globals) so that a failure names the catalogued mistake it shows first. A check is
    diagnosed for the functions it is listed under in ``checks`` only (a backward's check
    may call the forward to make a cache: the forward's mistakes are its own check's).
    Returns the wrapped ``checks``."""
    covers: dict[int, list[str]] = {}
    for function, check in checks.items():
        covers.setdefault(id(check), []).append(function)
    made: dict[int, Callable[[], None]] = {}  # one wrapper per check
    for check in checks.values():
        if id(check) not in made and getattr(check, "__wrapped__", None) is None:
            made[id(check)] = _diagnosed(assignment, check, tuple(covers[id(check)]))
            if namespace.get(check.__name__) is check:
                namespace[check.__name__] = made[id(check)]
    return {function: made.get(id(check), check) for function, check in checks.items()}


def _diagnosed(assignment: str, check: Callable[..., None],
               functions: tuple[str, ...]) -> Callable[..., None]:
    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> None:
        catalogue = catalogue_of(assignment) if _recording.get() is None else None
        if catalogue is None:  # no catalogue, or inside another diagnosed check
            return check(*args, **kwargs)
        recorder = _Recorder(catalogue)
        token = _recording.set(recorder)
        try:
            return check(*args, **kwargs)
        except AssertionError as error:
            _recording.reset(token)
            token = None
            calls = recorder.calls
            for function in functions:
                found = diagnosis(assignment, function, calls.get(function, []))
                if found:
                    raise AssertionError(f"{found}. {error}") from None
            raise
        finally:
            if token is not None:
                _recording.reset(token)
    return run


def hidden_call(args: Sequence[Any], result: Any, args_after: Sequence[Any] | None = None,
                **kwargs: Any) -> Call:
    """A :class:`Call` rebuilt on the trusted side for a hidden test's ``call``: the
    graded function's arguments from the hidden case, what the probe says it returned, and
    (for a function that updates its arguments in place) the arguments after the call."""
    return Call(tuple(args), kwargs, result,
                tuple(args if args_after is None else args_after))
