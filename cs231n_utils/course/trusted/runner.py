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

No code of the submission ever runs in this process, so nothing it does can change how the
expected values are computed or compared.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from cs231n_utils.course import DATASETS_DIR, REPO_ROOT
from cs231n_utils.course.overlay import build_overlay
from cs231n_utils.course.sandbox import bwrap_command, python_folders
from cs231n_utils.course.trusted.plain import NotPlainData, load_plain, save_plain
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
    return bwrap_command(job, job, hide, worker, [*readable, *python_folders()])


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
                test_timeout: float) -> tuple[str, str]:
    """Run one worker on ``order``; return (the test it was stuck in or died in, why)."""
    results = job / "results"
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
        return "", ""
    if not why:
        code = proc.returncode
        signal_number = -code if code < 0 else code - 128 if code > 128 else 0  # bwrap: 128+n
        why = (f"the grading process was killed by signal {signal_number} while it ran (a "
               "crash, or memory)" if signal_number else
               f"the grading process ended (exit status {code}) while it ran")
        last = _tail(log)
        if last:
            why += f"; its last words: {last}"
    return pending[0], why


def _read_error(path: Path) -> str | None:
    """The ``error`` of a worker's result JSON (untrusted: size-checked, coerced)."""
    if path.stat().st_size > MAX_META_BYTES:
        return "the result file was too large to read"
    try:
        error = json.loads(path.read_text(encoding="utf-8", errors="replace")).get("error")
    except (ValueError, AttributeError):
        return "the result file could not be read"
    return None if error is None else str(error)[:MAX_MESSAGE]


def _judge(test: HiddenTest, cases: list, results: Path, crashed: str | None) -> Verdict:
    """Decide one test from the worker's plain results."""
    def fail(message: str) -> Verdict:
        return Verdict(test.grade_id, False, f"{test.grade_id}: {message}"[:MAX_MESSAGE * 2])

    if crashed is not None:
        return fail(f"{test.function}: {crashed}")
    error = _read_error(results / f"{test.grade_id}.json")
    if error is not None:
        return fail(f"{test.function} raised {error}")
    try:
        got = load_plain(results / f"{test.grade_id}.npz")
    except (NotPlainData, OSError) as problem:
        return fail(f"{test.function} did not return plain data: {problem}")
    if len(got) != len(cases):
        return fail(f"expected results for {len(cases)} cases, got {len(got)}")
    for index, (case, out) in enumerate(zip(cases, got, strict=True)):
        where = f"hidden case {index + 1} of {len(cases)}"
        try:
            test.judge(copy.deepcopy(case), out)
        except AssertionError as problem:
            return fail(f"{test.function}, {where}: {problem}")
        except KeyError as problem:
            return fail(f"{test.function}, {where}: nothing was returned for {problem}")
        except Exception as problem:  # the returned values make no sense to the oracle
            return fail(f"{test.function}, {where}: the returned values could not be checked "
                        f"({type(problem).__name__}: {problem})")
    return Verdict(test.grade_id, True,
                   f"PASS {test.grade_id}: {test.function} is right on all {len(cases)} "
                   "hidden cases")


def default_hide(course_root: Path) -> list[Path]:
    """The folders no submission may see: answers, hidden tests, gradebook, other students."""
    return [course_root / "solutions", course_root / "grading",
            REPO_ROOT / "solutions", REPO_ROOT / "grading"]


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
    with tempfile.TemporaryDirectory(prefix="cs231n-judge-") as tmp:
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
            stuck, why = _run_worker(job, order, probes, command, test_timeout)
            if not stuck:
                break
            crashed[stuck] = why
            order = [g for g in order[order.index(stuck) + 1:]
                     if not (job / "results" / f"{g}.json").exists()]
        verdicts = {}
        for test in tests:
            start = time.perf_counter()
            verdict = _judge(test, inputs[test.grade_id], job / "results",
                             crashed.get(test.grade_id))
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
