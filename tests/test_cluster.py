"""Grading a class on Dask (``grade --scheduler``): the same grades as ``--jobs 1``, also when
a worker dies in the middle of a submission."""

import csv
import logging
import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest
from distributed import Client, LocalCluster
from grading_support import Submissions, only_right, replace_answer, zip_folder

from cs231n_utils.course import SOLUTION_PACKAGE_DIR
from cs231n_utils.course import cluster as cluster_module
from cs231n_utils.course.cluster import SchedulerUnreachable, connect, judge_on_cluster
from cs231n_utils.course.grade import grade_class

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_knn"
MODULE = Path("classifiers/k_nearest_neighbor.py")
#: Seconds per hidden test: the endless loop costs this much per grading run.
TEST_TIMEOUT = 4
#: Seconds the slow submission's module sleeps when the hidden tests import it.
SLEEP = 2
TIMING = re.compile(r"seconds|elapsed|duration|^time$|_time$")


def csv_rows(course: Path) -> dict[str, dict[str, str]]:
    """The grades CSV as ``{student: row}``, without timing columns."""
    with open(course / "grading" / "grades" / f"{ASSIGNMENT}.csv", newline="") as f:
        return {row["student"]: {k: v for k, v in row.items() if not TIMING.search(k)}
                for row in csv.DictReader(f)}


def grade(course: Path, zips: Path, **how) -> dict[str, dict[str, str]]:
    grade_class(ASSIGNMENT, zips, course_root=course, test_timeout=TEST_TIMEOUT, **how)
    return csv_rows(course)


@pytest.fixture(scope="module")
def class_zips(course, sandbox_works, tmp_path_factory):
    """A class of 01_knn zips: full marks, the untouched release, one function right, an
    endless loop, a slow module (sleeps on import), and a zip that is not one."""
    folder = tmp_path_factory.mktemp("dask")
    subs = Submissions(course, ASSIGNMENT, folder / "submissions")
    solution = (SOLUTION_PACKAGE_DIR / MODULE).read_text()
    subs.solutions("dask_full")
    subs.new("dask_release")
    subs.with_modules("dask_one_right", {
        MODULE: only_right(MODULE, {"KNearestNeighbor.compute_distances_no_loops"})})
    subs.with_modules("dask_endless", {MODULE: replace_answer(
        solution, "KNearestNeighbor.compute_distances_two_loops", ["while True:", "    pass"])})
    subs.with_modules("dask_slow", {MODULE: solution.replace(
        "import numpy as np\n", f"import numpy as np\nimport time\n\ntime.sleep({SLEEP})\n", 1)})
    zips = folder / "zips"
    zips.mkdir()
    for sub in sorted((folder / "submissions").iterdir()):
        zip_folder(sub, zips / f"{sub.name}.zip")
    (zips / "dask_broken.zip").write_bytes(b"not a zip at all")
    return zips


@pytest.fixture(scope="module")
def one_machine(course, class_zips):
    """The grades of the class with ``--jobs 1``."""
    return grade(course, class_zips, jobs=1)


def test_a_local_cluster_grades_like_one_machine(course, class_zips, one_machine):
    assert one_machine["dask_full"]["score"] == "12.0"
    assert one_machine["dask_slow"]["score"] == "12.0"
    assert "not a readable zip" in one_machine["dask_broken"]["failure"]
    assert grade(course, class_zips, jobs=1, scheduler="local:2") == one_machine


def _sandbox_of(pid: int) -> list[psutil.Process]:
    """The processes under ``pid``, once the trusted grader's worker runs in its sandbox."""
    try:
        family = psutil.Process(pid).children(recursive=True)
        running = any(p.name() != "bwrap" and "worker.py" in " ".join(p.cmdline())
                      for p in family)
    except psutil.Error:  # a process ended while we looked
        return []
    return family if running else []


def _kill_the_worker_judging(client: Client, student: str, killed: list) -> None:
    """Once ``student``'s task runs its sandbox on a worker, SIGKILL that worker process;
    record (pid, the processes it had started)."""
    def executing(dask_worker) -> list[str]:
        return [str(key) for key, task in dask_worker.state.tasks.items()
                if task.state == "executing"]

    pids = client.run(os.getpid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for address, keys in client.run(executing).items():
            family = _sandbox_of(pids[address]) if any(student in k for k in keys) else []
            if family:
                os.kill(pids[address], signal.SIGKILL)
                killed.append((pids[address], family))
                return
        time.sleep(0.05)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two worker processes on this machine, as a ``dask worker`` would start them (with
    their own temporary folder: a killed worker leaves its task's folder behind)."""
    tmp = {"TMPDIR": str(tmp_path_factory.mktemp("workers"))}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR, env=tmp) as local, \
            Client(local, set_as_default=False) as client:
        client.wait_for_workers(2)
        yield local, client


def test_a_worker_killed_mid_submission_changes_no_grade(course, class_zips, one_machine,
                                                          cluster, tmp_path):
    local, client = cluster
    zips = tmp_path / "zips"
    zips.mkdir()
    for student in ("dask_slow", "dask_full"):
        shutil.copy(class_zips / f"{student}.zip", zips)
    killed = []
    killer = threading.Thread(target=_kill_the_worker_judging,
                              args=(client, "dask_slow", killed))
    killer.start()
    rows = grade(course, zips, scheduler=local.scheduler_address)
    killer.join()
    assert killed, "the slow submission was never seen running in a sandbox"
    _, sandbox = killed[0]
    _, alive = psutil.wait_procs(sandbox, timeout=10)
    assert not alive, f"the killed worker's sandbox lives on: {alive}"
    assert rows == {s: one_machine[s] for s in ("dask_slow", "dask_full")}


def test_a_submission_that_kills_every_worker_is_given_up(course, class_zips, cluster):
    local, client = cluster
    client.wait_for_workers(2)
    local.scheduler.allowed_failures = 0  # the first lost worker gives the task up
    killed = []
    killer = threading.Thread(target=_kill_the_worker_judging,
                              args=(client, "dask_slow", killed))
    killer.start()
    judged = judge_on_cluster(local.scheduler_address, course, ASSIGNMENT,
                              {"dask_slow": class_zips / "dask_slow.zip"},
                              test_timeout=TEST_TIMEOUT)
    killer.join()
    assert killed, "the slow submission was never seen running in a sandbox"
    assert judged["dask_slow"].startswith("the cluster lost 1 worker while judging it")


def test_a_scheduler_is_named_in_one_of_two_forms():
    for wrong in ("local", "local:0", "tcp://nowhere", "http://host:8786", "8786"):
        with pytest.raises(ValueError, match="tcp://HOST:PORT.*local:N"):
            with connect(wrong):
                pass


def test_an_unreachable_scheduler_is_named_with_what_to_start(monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", 1)
    with pytest.raises(SchedulerUnreachable, match=r"tcp://127\.0\.0\.1:9.*dask scheduler"):
        with connect("tcp://127.0.0.1:9"):
            pass
