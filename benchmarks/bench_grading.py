"""Grading throughput: 20 full-marks 01_knn submissions, graded with --jobs 1 and --jobs 2.

Prints submissions per minute for each, and the ratio. The grading is for real: safe unpack,
overlay, nbgrader autograde in the bubblewrap sandbox (unless it cannot run here, which is
printed), feedback, CSV. Run: ``.venv/bin/python benchmarks/bench_grading.py [copies]``.
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


def main(copies: int = 20) -> None:
    problem = bwrap_problem()
    print(f"sandbox: {'bubblewrap' if problem is None else 'NONE (' + problem + ')'}")
    rates = {}
    for jobs in (1, 2):
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
            results = grade_class("01_knn", zips, course_root=course, jobs=jobs,
                                  sandbox=problem is None)
            seconds = time.perf_counter() - start
            failed = [r for r in results if r.failure or r.score != 12]
            assert not failed, [(r.student, r.score, r.failure) for r in failed]
            rates[jobs] = copies / seconds * 60
            print(f"--jobs {jobs}: {copies} submissions in {seconds:.0f} s = "
                  f"{rates[jobs]:.1f} submissions per minute")
    print(f"--jobs 2 / --jobs 1: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
