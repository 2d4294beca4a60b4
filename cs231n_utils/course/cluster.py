"""Judge a class on a Dask cluster: one task per submission.

``grade --scheduler tcp://HOST:8786`` (or ``local:N``) sends each submission's zip to a Dask
worker, which unpacks it in a folder of its own and judges it with
:func:`cs231n_utils.course.submissions.judge_zip`: the hidden tests run in bubblewrap on that
worker, the verdicts are decided there by the worker's own checkout of the course and come
back as plain data. Everything else (staging, nbgrader, the gradebook, the CSV) stays on the
machine that runs the grade command.

Set-up: ``dask scheduler`` on one machine; ``dask worker tcp://HOST:8786 --nthreads 1
--nworkers N`` on each grading machine, each with the same course checkout at the same path
(``make setup``) and bubblewrap. ``local:N`` starts N such workers on this machine instead.

Failures stay per submission:

- a worker that dies while judging (killed, out of memory, its machine gone) is replaced by
  Dask, which runs the task again elsewhere; a task whose workers die
  ``allowed-failures + 1`` times (the scheduler's ``distributed.scheduler.allowed-failures``,
  default 3) becomes that student's failure, "the cluster lost N workers while judging it";
- a zip that cannot be graded (:class:`~cs231n_utils.course.submissions.SubmissionError`) comes
  back as that student's failure at once: it is never retried;
- a worker that cannot judge (no checkout, another version of the hidden tests or of the
  trusted package ``cs231n_utils`` than the grade command's, no bubblewrap) or a grader that
  fails raises; Dask tries the task :data:`RETRIES` more times, then the message is that
  student's failure.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import re
import socket
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from cs231n_utils.course import PACKAGE_DIR
from cs231n_utils.course.trusted.runner import Verdict
from cs231n_utils.course.trusted.spec import hidden_tests_file

#: Seconds to wait for the scheduler to answer, and for it to have a worker.
CONNECT_TIMEOUT = 20
#: Extra tries of a task that raised (a worker that cannot judge, a failing grader).
RETRIES = 2
#: Workers that may die while judging one submission before it is given up (``local:N``;
#: a ``dask scheduler`` uses its own ``distributed.scheduler.allowed-failures``).
ALLOWED_FAILURES = 3
SCHEDULER_FORMS = "'tcp://HOST:PORT' (a running `dask scheduler`) or 'local:N' (N >= 1)"
_TCP = re.compile(r"^tcp://(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9._-]+):\d{1,5}$")
_LOCAL = re.compile(r"^local:([1-9]\d*)$")


class SchedulerUnreachable(ConnectionError):
    """No Dask scheduler answered at the address given, or it has no workers."""


class WorkerUnfit(RuntimeError):
    """This worker cannot judge the submission (not the submission's fault)."""


def _digest(paths: list[Path]) -> str:
    """SHA-256 of the files' names and contents."""
    sha = hashlib.sha256()
    for path in paths:
        sha.update(f"{path}\0".encode() + Path(path).read_bytes())
    return sha.hexdigest()


def package_digest() -> str:
    """SHA-256 of the trusted package's source (``cs231n_utils/**/*.py``) as it is on disk."""
    return _digest(sorted(PACKAGE_DIR.rglob("*.py")))


@functools.cache
def _package_digest_in_memory() -> str:
    """The package's digest when this process first judged: the code it has imported."""
    return package_digest()


def judge_task(course_root: str, assignment: str, zip_name: str, data: bytes, sandbox: bool,
               test_timeout: float, tests_digest: str,
               trusted_digest: str) -> dict[str, dict] | str:
    """The task a Dask worker runs for one submission.

    Parameters
    ----------
    course_root, assignment, zip_name, data, sandbox, test_timeout
        As for :func:`cs231n_utils.course.submissions.judge_zip`.
    tests_digest, trusted_digest : str
        SHA-256 of the hidden-test module and of the trusted package (:func:`package_digest`)
        that the grade command was run with: this worker must judge with the same ones.

    Returns
    -------
    dict or str
        ``{grade_id: verdict as a dict}``, or why the zip cannot be graded.

    Raises
    ------
    WorkerUnfit
        When this worker cannot judge (no checkout, another version of it, no bubblewrap).
    """
    from cs231n_utils.course.sandbox import bwrap_problem
    from cs231n_utils.course.submissions import SubmissionError, judge_zip

    tests = hidden_tests_file(Path(course_root), assignment)
    where = f"the worker on {socket.gethostname()}"
    if not tests.is_file():
        raise WorkerUnfit(f"{where} has no course checkout with {tests}")
    if _digest([tests]) != tests_digest:
        raise WorkerUnfit(f"{where} has another version of {tests}: update its checkout")
    if _package_digest_in_memory() != trusted_digest:
        raise WorkerUnfit(f"{where} runs another version of {PACKAGE_DIR}: update its "
                          "checkout and restart the worker")
    problem = bwrap_problem() if sandbox else None
    if problem:
        raise WorkerUnfit(f"{where} cannot sandbox: {problem}")
    try:
        return judge_zip(course_root, assignment, zip_name, data, sandbox, test_timeout)
    except SubmissionError as error:
        return str(error)


def _why(error: BaseException) -> str:
    """A failed task's exception as the student's failure string."""
    from distributed import KilledWorker

    if isinstance(error, KilledWorker):
        lost = error.allowed_failures + 1
        return (f"the cluster lost {lost} worker{'s' * (lost > 1)} while judging it "
                f"(the last one {error.last_worker.address}; see the workers' logs)")
    if isinstance(error, WorkerUnfit):
        return f"the cluster could not judge it: {error}"
    return f"the trusted grader failed on the cluster: {type(error).__name__}: {error}"


@contextlib.contextmanager
def connect(scheduler: str) -> Iterator:
    """A ``distributed.Client`` for ``scheduler`` (see :func:`judge_on_cluster`).

    Raises
    ------
    ValueError
        When ``scheduler`` has neither accepted form.
    SchedulerUnreachable
        When no scheduler answers there within :data:`CONNECT_TIMEOUT` seconds, or it has
        no worker by then.
    """
    import dask
    from distributed import Client, LocalCluster

    local = _LOCAL.match(scheduler)
    if local:
        settings = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}
        with dask.config.set(settings), LocalCluster(
                n_workers=int(local.group(1)), threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None,
                silence_logs=logging.ERROR) as cluster, \
                Client(cluster, set_as_default=False) as client:
            yield client
        return
    if not _TCP.match(scheduler):
        raise ValueError(f"scheduler={scheduler!r}: use {SCHEDULER_FORMS}")
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise SchedulerUnreachable(
            f"scheduler={scheduler!r}: no Dask scheduler answered ({error}). Start one "
            "there with `dask scheduler`, and on each grading machine "
            f"`dask worker {scheduler} --nthreads 1 --nworkers N`; or use 'local:N' to grade "
            "on this machine.") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise SchedulerUnreachable(
                f"scheduler={scheduler!r} has no worker after {CONNECT_TIMEOUT} s: start "
                f"`dask worker {scheduler} --nthreads 1 --nworkers N` on each grading "
                "machine.") from None
        yield client


def judge_on_cluster(scheduler: str, course_root: Path, assignment: str,
                     zips: Mapping[str, Path], *, sandbox: bool = True,
                     test_timeout: float = 120.0) -> dict[str, dict[str, Verdict] | str]:
    """Judge every submission on a Dask cluster, one task each.

    Parameters
    ----------
    scheduler : str
        ``"tcp://HOST:PORT"``, a running ``dask scheduler`` whose workers hold the course at
        ``course_root``; or ``"local:N"``, N worker processes on this machine (loopback
        only), started and closed here.
    course_root : Path
        The course, at the same path on every worker.
    assignment : str
        E.g. ``"01_knn"``.
    zips : mapping
        ``{student: path of the zip}``.
    sandbox : bool
        Run the hidden tests in bubblewrap on the workers (the default).
    test_timeout : float
        Seconds one hidden test may run.

    Returns
    -------
    dict
        ``{student: {grade_id: Verdict}}``, or ``{student: why}`` (a str) for a submission
        that could not be judged; the others are judged all the same.
    """
    from distributed import as_completed

    if not zips:  # nothing to judge: no cluster to start
        return {}
    course_root = Path(course_root).resolve()
    version = (_digest([hidden_tests_file(course_root, assignment)]), package_digest())
    run = uuid.uuid4().hex[:8]  # keys unique on a scheduler that other runs share
    outcomes: dict[str, dict[str, Verdict] | str] = {}
    with connect(scheduler) as client:
        futures = {client.submit(judge_task, str(course_root), assignment, Path(path).name,
                                 Path(path).read_bytes(), sandbox, test_timeout, *version,
                                 key=f"judge-{assignment}-{student}-{run}", retries=RETRIES,
                                 pure=False): student
                   for student, path in zips.items()}
        for future in as_completed(futures, loop=client.loop):
            student = futures[future]
            if future.status == "finished":
                got = future.result()
                outcomes[student] = got if isinstance(got, str) else {
                    grade_id: Verdict(**verdict) for grade_id, verdict in got.items()}
            elif future.status == "error":
                outcomes[student] = _why(future.exception())
            else:  # cancelled: the scheduler dropped it
                outcomes[student] = f"the cluster did not judge it (task {future.status})"
            future.release()
    return {student: outcomes[student] for student in zips}
