"""Grading throughput: 20 full-marks 01_knn submissions, graded with --jobs 1, --jobs 2 and
on a two-worker Dask cluster on this machine (--scheduler local:2).

Prints submissions per minute for each, next to the figures measured before the trusted
grader (nbgrader then ran every notebook), and the ratios. The grading is for real: safe
unpack, overlay, hidden tests in the bubblewrap sandbox (unless it cannot run here, which is
printed), nbgrader autograde, feedback, CSV. The cluster's start (workers, their imports) is
part of its time. Run: ``.venv/bin/python benchmarks/bench_grading.py [copies]``.
"""

import sys
import tempfile
import time
import zipfile
from pathlib import Path

from cs231n_utils.course import ASSIGNMENTS_DIR, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.grade import ensure_generated, grade_class
from cs231n_utils.course.release import make_course
from cs231n_utils.course.sandbox import bwrap_problem

MODULE = "classifiers/k_nearest_neighbor.py"
RUNS = {"--jobs 1": {"jobs": 1}, "--jobs 2": {"jobs": 2},
        "--scheduler local:2": {"scheduler": "local:2"}}
#: Submissions per minute before the trusted grader (20 submissions, 2 cores), and the run
#: each one is compared with (the cluster's two workers with two jobs at a time).
BEFORE = {"--jobs 1": 3.5, "--jobs 2": 6.6, "--scheduler local:2": 6.6}


def grade_copies(copies: int, sandbox: bool, **how) -> float:
    """Seconds to grade ``copies`` full-marks submissions in a fresh course."""
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course(Path(tmp) / "course")
        zips = Path(tmp) / "zips"
        zips.mkdir()
        for i in range(copies):
            with zipfile.ZipFile(zips / f"student{i:02d}.zip", "w") as zf:
                zf.write(ASSIGNMENTS_DIR / "01_knn" / "01_knn.ipynb", "01_knn.ipynb")
                zf.write(SOLUTION_PACKAGE_DIR / MODULE, f"cs231n_utils/{MODULE}")
        ensure_generated(course, "01_knn")  # the course's release: not timed
        start = time.perf_counter()
        results = grade_class("01_knn", zips, course_root=course, sandbox=sandbox, **how)
        seconds = time.perf_counter() - start
    failed = [r for r in results if r.failure or r.score != 12]
    assert not failed, [(r.student, r.score, r.failure) for r in failed]
    return seconds


def main(copies: int = 20) -> None:
    problem = bwrap_problem()
    print(f"sandbox: {'bubblewrap' if problem is None else 'NONE (' + problem + ')'}")
    rates = {}
    for name, how in RUNS.items():
        seconds = grade_copies(copies, problem is None, **how)
        rates[name] = copies / seconds * 60
        print(f"{name:<20} {copies} submissions in {seconds:3.0f} s = {rates[name]:5.1f} per "
              f"minute (before the trusted grader, {'--jobs 2' if 'local' in name else name}:"
              f" {BEFORE[name]}/min, now {rates[name] / BEFORE[name]:.1f}x)")
    one = rates["--jobs 1"]
    print(f"--jobs 2 / --jobs 1: {rates['--jobs 2'] / one:.2f}x; "
          f"local:2 / --jobs 1: {rates['--scheduler local:2'] / one:.2f}x; "
          f"local:2 / --jobs 2: {rates['--scheduler local:2'] / rates['--jobs 2']:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
