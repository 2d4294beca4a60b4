"""The trusted side: run a submission's hidden tests in the sandbox, judge them here.

:func:`judge_submission` is the whole verdict of one submission:

1. the hidden inputs are made here (``HiddenTest.cases``) and kept here;
2. a job folder gets the overlay package (trusted helpers + ONLY the student's graded
   modules), the hidden-test module (for its probes) and the inputs as plain data;
3. one sandboxed worker process (:mod:`~cs231n_utils.course.trusted.worker`, in bubblewrap
   with the grading kernel's limits and no network) runs the probes, test after test. This
   supervisor watches the result files: a test that runs over ``test_timeout`` seconds, or
   a process that dies (``os.kill``, a segfault, memory), costs the test that was running;
   a new worker then goes on with the tests after it;
4. once the worker is gone, its results are read as plain data
   (:mod:`~cs231n_utils.course.trusted.plain`) and each test's ``judge`` compares them with
   the expected values, computed here from the trusted copy of the inputs.

Inside the sandbox the job folder is read-only except ``results/``, and this process takes
from ``results/`` only regular files of bounded size, never following a link: a worker
cannot make it write through a link (``job.json``), read a FIFO or ``/dev/zero`` forever,
or read a file of the grader's. The sandbox does not see the course's git history either
(it holds the solutions).

No code of the submission ever runs in this process, so nothing it does can change how the
expected values are computed or compared.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from cs231n_utils.course import DATASETS_DIR, REPO_ROOT
from cs231n_utils.course.overlay import build_overlay
from cs231n_utils.course.sandbox import bwrap_command, python_folders
from cs231n_utils.course.trusted.plain import MAX_BYTES, NotPlainData, load_plain, save_plain
from cs231n_utils.course.trusted.spec import (
    HiddenTest,
    hidden_tests_file,
    load_hidden_tests,
)

WORKER = Path(__file__).with_name("worker.py")
#: Seconds a worker may go on after its last test (threads it left behind): then it ends.
GRACE = 2.0
MAX_META_BYTES = 64 * 2**10
MAX_MESSAGE = 600
POLL = 0.02


@dataclass
class Verdict:
    """The trusted decision on one autograded cell."""

    grade_id: str
    passed: bool
    message: str
    seconds: float = 0.0


def _worker_env() -> dict[str, str]:
    """A small, known environment: one BLAS thread, no inherited secrets."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "CS231N_GRADING": "1", "HOME": "/tmp", "MPLBACKEND": "Agg"}


def _command(job: Path, sandbox: bool, hide: list[Path], readable: list[Path]) -> list[str]:
    worker = [sys.executable, "-I", str(WORKER), str(job)]
    if not sandbox:
        return worker
    command = bwrap_command(job, job, hide, worker, [*readable, *python_folders()])
    # The job folder read-only but for results/: the worker cannot swap job.json, the inputs
    # or the package for links that this process would follow when it starts a new worker.
    at, results = command.index("--chdir"), str(job / "results")
    return [*command[:at], "--remount-ro", str(job), "--bind", results, results, *command[at:]]


def _kill(proc: subprocess.Popen) -> None:
    """End the worker and everything it started (its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _tail(path: Path, size: int = 300) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, 2) - size))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def _run_worker(job: Path, order: list[str], probes: dict[str, str], command: list[str],
                test_timeout: float) -> tuple[str | None, str, list[str]]:
    """Run one worker on ``order``; return the test it was stuck in or died in (or None),
    why, and the tests a new worker must run.

    The worker marks a test ``.started`` before it runs it and writes its ``.json`` after,
    but a submission can write such files too. The test blamed is the first one started
    and not finished; when every started test has a result (the last one's may be forged:
    that is all it gets), none is blamed and the tests after the last started one run again.
    """
    results = job / "results"
    for name in order:  # what an earlier worker left of them (finished or forged)
        for suffix in (".json", ".npz", ".started"):
            path = results / f"{name}{suffix}"
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            path.unlink(missing_ok=True)
    (job / "job.json").write_text(json.dumps(
        {"tests": [{"grade_id": g, "probe": probes[g]} for g in order]}))
    log = job / f"worker-{time.monotonic_ns()}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, env=_worker_env(),
                                start_new_session=True)
    current, since, why = None, time.monotonic(), ""
    try:
        while proc.poll() is None:
            pending = [g for g in order if not (results / f"{g}.json").exists()]
            head = pending[0] if pending else None
            now = time.monotonic()
            if head != current:
                current, since = head, now
            if now - since > (test_timeout if head else GRACE):
                why = (f"it did not finish within {test_timeout:g} s (an endless loop, or "
                       "far too slow)") if head else ""
                break
            time.sleep(POLL)
    finally:
        _kill(proc)
    pending = [g for g in order if not (results / f"{g}.json").exists()]
    if not pending:
        return None, "", []
    started = [g for g in order if (results / f"{g}.started").exists()]
    unfinished = [g for g in started if g in pending]
    if not unfinished and started:  # it ended between tests, or after forging a result
        return None, "", order[order.index(started[-1]) + 1:]
    stuck = unfinished[0] if unfinished else order[0]
    if not why:
        code = proc.returncode
        signal_number = -code if code < 0 else code - 128 if code > 128 else 0  # bwrap: 128+n
        why = (f"the grading process was killed by signal {signal_number} while it ran (a "
               "crash, or memory)" if signal_number else
               f"the grading process ended (exit status {code}) while it ran")
        last = _tail(log)
        if last:
            why += f"; its last words: {last}"
    return stuck, why, order[order.index(stuck) + 1:]


def _take(results: Path, name: str, taken: Path, limit: int) -> Path:
    """Copy the worker's result file ``name`` into ``taken`` (a folder the sandbox never
    sees) and return the copy; :class:`NotPlainData` unless it is a regular file (not a
    link, FIFO, device or folder) of at most ``limit`` bytes."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
    try:
        fd = os.open(results / name, flags)
    except FileNotFoundError:
        raise NotPlainData(f"no {name} was written") from None
    except OSError as error:  # ELOOP: a link
        raise NotPlainData(f"{name} is not a regular file ({error.strerror})") from None
    with os.fdopen(fd, "rb") as src:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotPlainData(f"{name} is not a regular file")
        data = src.read(limit + 1)
    if len(data) > limit:
        raise NotPlainData(f"{name} is larger than {limit} bytes")
    (taken / name).write_bytes(data)
    return taken / name


def _read_error(path: Path) -> str | None:
    """The ``error`` of a worker's result JSON (untrusted: coerced; a taken copy)."""
    try:
        error = json.loads(path.read_text(encoding="utf-8", errors="replace")).get("error")
    except (ValueError, AttributeError):
        return "the result file could not be read"
    return None if error is None else str(error)[:MAX_MESSAGE]


def _diagnosis(assignment: str, test: HiddenTest, cases: list, got: list) -> str:
    """The catalogued mistake that every case's result matches, as ``"<diagnosis>. "``,
    or ``""`` (see :mod:`cs231n_utils.checks.mistakes`; the variants run here, on the
    trusted copies of the cases)."""
    if test.call is None:
        return ""
    from cs231n_utils.checks.mistakes import diagnosis

    calls = []
    try:
        for case, out in zip(cases, got, strict=True):
            made = test.call(copy.deepcopy(case), out)  # one Call, or a list (several steps)
            calls.extend(made if isinstance(made, list) else [made])
    except Exception:  # noqa: BLE001 (results of the wrong form match no mistake)
        return ""
    found = diagnosis(assignment, test.function, calls)
    return f"{found}. " if found else ""


def _judge(test: HiddenTest, cases: list, results: Path, taken: Path,
           crashed: str | None, assignment: str = "") -> Verdict:
    """Decide one test from the worker's plain results (copied from ``results`` into
    ``taken`` first)."""
    def fail(message: str) -> Verdict:
        return Verdict(test.grade_id, False, f"{test.grade_id}: {message}"[:MAX_MESSAGE * 2])

    if crashed is not None:
        return fail(f"{test.function}: {crashed}")
    try:
        error = _read_error(_take(results, f"{test.grade_id}.json", taken, MAX_META_BYTES))
    except NotPlainData as problem:
        return fail(f"{test.function}: its result could not be read: {problem}")
    if error is not None:
        return fail(f"{test.function} raised {error}")
    try:
        got = load_plain(_take(results, f"{test.grade_id}.npz", taken, MAX_BYTES))
    except (NotPlainData, OSError) as problem:
        return fail(f"{test.function} did not return plain data: {problem}")
    if len(got) != len(cases):
        return fail(f"expected results for {len(cases)} cases, got {len(got)}")
    for index, (case, out) in enumerate(zip(cases, got, strict=True)):
        where = f"hidden case {index + 1} of {len(cases)}"
        try:
            test.judge(copy.deepcopy(case), out)
        except AssertionError as problem:
            named = _diagnosis(assignment, test, cases, got)
            return fail(f"{test.function}, {where}: {named}{problem}")
        except KeyError as problem:
            return fail(f"{test.function}, {where}: nothing was returned for {problem}")
        except Exception as problem:  # the returned values make no sense to the oracle
            return fail(f"{test.function}, {where}: the returned values could not be checked "
                        f"({type(problem).__name__}: {problem})")
    return Verdict(test.grade_id, True,
                   f"PASS {test.grade_id}: {test.function} is right on all {len(cases)} "
                   "hidden cases")


def default_hide(course_root: Path) -> list[Path]:
    """The folders no submission may see: answers, hidden tests, gradebook, other students,
    and the git history (``git show HEAD:solutions/...`` is the answers again)."""
    return [course_root / "solutions", course_root / "grading", course_root / ".git",
            REPO_ROOT / "solutions", REPO_ROOT / "grading", REPO_ROOT / ".git"]


def judge_submission(course_root: Path, assignment: str, package: Path | None, *,
                     sandbox: bool = True, test_timeout: float = 120.0,
                     tests: list[HiddenTest] | None = None) -> dict[str, Verdict]:
    """Run and judge every hidden test of ``assignment`` for one submission.

    Parameters
    ----------
    course_root : Path
        The course (its ``solutions/hidden_tests/<assignment>.py``).
    assignment : str
        E.g. ``"01_knn"``.
    package : Path or None
        The submission's ``cs231n_utils`` folder; only its graded modules are used. None:
        nothing submitted (the stubs stay).
    sandbox : bool
        Run the worker in bubblewrap (the default). False only for ``--unsandboxed``.
    test_timeout : float
        Seconds one hidden test may run in the worker.
    tests : list of HiddenTest or None
        Already loaded tests (default: load them from the course).

    Returns
    -------
    dict
        ``{grade_id: Verdict}``, one per hidden test, in the module's order.
    """
    course_root = Path(course_root).resolve()
    if tests is None:
        tests = load_hidden_tests(course_root, assignment)
    with (tempfile.TemporaryDirectory(prefix="cs231n-judge-") as tmp,
          tempfile.TemporaryDirectory(prefix="cs231n-taken-") as taken):
        job = Path(tmp)
        with tempfile.TemporaryDirectory() as empty:
            graded = Path(package) if package is not None and Path(package).is_dir() else empty
            build_overlay(job / "package", graded)
        shutil.copyfile(hidden_tests_file(course_root, assignment), job / "hidden_tests.py")
        (job / "inputs").mkdir()
        (job / "results").mkdir()
        inputs = {}
        for test in tests:
            inputs[test.grade_id] = test.cases()
            save_plain(job / "inputs" / f"{test.grade_id}.npz", inputs[test.grade_id])
        readable = [course_root, REPO_ROOT, DATASETS_DIR]
        command = _command(job, sandbox, default_hide(course_root), readable)
        probes = {t.grade_id: t.probe.__name__ for t in tests}
        crashed: dict[str, str] = {}
        order = [t.grade_id for t in tests]
        while order:
            stuck, why, order = _run_worker(job, order, probes, command, test_timeout)
            if stuck:
                crashed[stuck] = why
        verdicts = {}
        for test in tests:
            start = time.perf_counter()
            verdict = _judge(test, inputs[test.grade_id], job / "results", Path(taken),
                             crashed.get(test.grade_id), assignment)
            verdict.seconds = time.perf_counter() - start
            verdicts[test.grade_id] = verdict
    return verdicts


def write_verdicts(path: Path, verdicts: dict[str, Verdict]) -> None:
    """Save verdicts as JSON (read by the nbgrader preprocessor and the grade command)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {g: asdict(v) for g, v in verdicts.items()}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def read_verdicts(path: Path) -> dict[str, Verdict]:
    """The verdicts saved by :func:`write_verdicts` ({} if there are none)."""
    if not Path(path).is_file():
        return {}
    return {g: Verdict(**v) for g, v in json.loads(Path(path).read_text()).items()}
