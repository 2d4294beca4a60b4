"""Grade a class: a folder of submission zips in, grades CSV and feedback HTML out.

``python -m cs231n_utils.course.grade 01_knn path/to/zips [--jobs 2]``
(``make grade A=01_knn ZIPS=path/to/zips``)

1. each zip's file name gives the student id: ``<id>.zip`` or ``<id>__<anything>.zip``
   (letters, digits, ``_`` and ``-``);
2. the zip is unpacked safely (no absolute paths, no ``..``, no links, size limits);
3. the notebooks and ONLY the graded modules are staged with the overlay (trusted helpers
   + that student's graded modules, :mod:`cs231n_utils.course.grading`);
4. the trusted grader (:mod:`cs231n_utils.course.trusted`) runs the hidden tests of each
   submission in the sandbox and judges them outside it, ``--jobs`` at a time here or one
   task per submission on a Dask cluster (``--scheduler``); the verdicts are saved in
   ``grading/verdicts/<student>/<assignment>.json``;
5. ``nbgrader autograde`` writes the verdicts into the autograded notebooks and records the
   scores in the gradebook; ``nbgrader generate_feedback`` renders them (with ``--execute``
   the notebooks are also run in the sandbox, for their outputs: no point depends on them);
6. ``grading/grades/<assignment>.csv`` gets one row per student, read from the gradebook,
   and the summary names every student whose grading failed and why.

Running it again grades everything again from the zips (idempotent). One student's
failure (bad zip, missing notebook, a kernel that dies) never stops the others.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cs231n_utils.course import DATASETS_DIR, REPO_ROOT, ensure_tools_on_path
from cs231n_utils.course.grading import COURSE_ID, stage_submission
from cs231n_utils.course.notebooks import write_solution_notebooks
from cs231n_utils.course.release import nbgrader
from cs231n_utils.course.sandbox import KERNEL_NAME, bwrap_problem, write_kernelspec
from cs231n_utils.course.submissions import (  # noqa: F401 (judge_zip: the cluster's task)
    SubmissionError,
    find_submission_root,
    judge_zip,
    safe_unpack,
    student_id,
)
from cs231n_utils.course.trusted.nbgrader_plugin import verdicts_path
from cs231n_utils.course.trusted.runner import (
    Verdict,
    default_hide,
    judge_submission,
    write_verdicts,
)
from cs231n_utils.course.trusted.spec import load_hidden_tests
from cs231n_utils.data import datasets_dir

#: Seconds one hidden test may run, unless --timeout says otherwise.
DEFAULT_TEST_TIMEOUT = 120


@dataclass
class StudentResult:
    """One student's outcome."""

    student: str
    zip_name: str
    score: float = 0.0
    max_score: float = 0.0
    cells: dict[str, float] = field(default_factory=dict)
    failure: str = ""  # empty when graded
    note: str = ""  # e.g. a notebook that could not be run for display (points unaffected)


def ensure_generated(course_root: Path, assignment: str) -> list[str]:
    """Make sure the gradebook knows the assignment; return its notebook names."""
    from nbgrader.api import Gradebook, MissingEntry

    source = course_root / "solutions" / assignment
    if not source.is_dir():
        raise ValueError(f"assignment={assignment!r}: no folder {source}")
    write_solution_notebooks(course_root / "solutions")
    ensure_tools_on_path()
    db_url = "sqlite:///" + str(course_root / "grading" / "gradebook.db")
    (course_root / "grading").mkdir(exist_ok=True)
    try:
        with Gradebook(db_url, COURSE_ID) as gb:
            gb.find_assignment(assignment)
    except MissingEntry:
        nbgrader(["generate_assignment", assignment, "--force", "--log-level=WARN"],
                 course_root)
    return sorted(p.name for p in source.glob("*.ipynb"))


class SandboxUnavailable(RuntimeError):
    """Bubblewrap cannot run here and grading without a sandbox was not asked for."""


def _kernel_settings(runtime: str, sandbox: Path | None) -> tuple[list[str], dict[str, str]]:
    """nbgrader arguments and environment that run a notebook's kernel in the sandbox."""
    if sandbox is None:
        return [], {}
    # The kernel's connection file and sockets: a short private folder (a Unix socket path
    # has at most 107 characters), visible inside the sandbox.
    env = {"TMPDIR": runtime, "JUPYTER_RUNTIME_DIR": runtime, "JUPYTER_PATH": str(sandbox)}
    args = [f"--Execute.kernel_name={KERNEL_NAME}", "--KernelManager.transport=ipc",
            f"--KernelManager.ip={runtime}/kernel"]
    return args, env


def _autograde_executing(course_root: Path, assignment: str, student: str, extra: list[str],
                         sandbox: Path | None, cell_timeout: int | None,
                         threads: int | None) -> str:
    """``grade --execute``: autograde one student with the notebook run in the sandbox
    kernel; return '' or why the run failed. The points are the verdicts either way."""
    args = ["autograde", assignment, f"--student={student}", "--force", *extra]
    env = {"CS231N_GRADING_EXECUTE": "1"}
    if cell_timeout:
        env["CS231N_CELL_TIMEOUT"] = str(cell_timeout)
    if threads:  # several kernels at once: one BLAS thread each, or they trample each other
        env |= {"OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
                "MKL_NUM_THREADS": str(threads)}
    with tempfile.TemporaryDirectory(prefix="cs231n-") as runtime:
        kernel_args, kernel_env = _kernel_settings(runtime, sandbox)
        proc = nbgrader([*args, *kernel_args], course_root, check=False, env=env | kernel_env)
    if proc.returncode == 0:
        return ""
    text = proc.stdout + proc.stderr
    if "DeadKernelError" in text or "Kernel died" in text:
        return "the kernel died while running the notebook (os._exit, a crash or memory)"
    if "database is locked" in text:
        return "retry"
    last = [line for line in text.splitlines() if line.strip()][-3:]
    return "nbgrader autograde failed: " + " | ".join(last)


def _nbgrader_batch(course_root: Path, assignment: str, students: list[str]) -> dict[str, str]:
    """Autograde (verdicts only, nothing executed) and render feedback for ``students`` in
    one nbgrader process; return ``{student: ''}`` or why it failed."""
    if not students:
        return {}
    env = dict(os.environ)
    env.pop("CS231N_GRADING_EXECUTE", None)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run([sys.executable, "-m", "cs231n_utils.course.nbgrader_batch",
                           assignment, *students], cwd=course_root, env=env,
                          capture_output=True, text=True)
    outcomes = {}
    for line in proc.stdout.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and item.get("student") in students:
            outcomes[item["student"]] = "" if item.get("ok") else (
                "nbgrader autograde failed: " + str(item.get("error", ""))[-500:])
    tail = " | ".join([line for line in proc.stderr.splitlines() if line.strip()][-3:])
    for student in students:
        outcomes.setdefault(student, f"nbgrader could not grade it: {tail}")
    return outcomes


def read_scores(course_root: Path, assignment: str, result: StudentResult) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    db_url = "sqlite:///" + str(course_root / "grading" / "gradebook.db")
    with Gradebook(db_url, COURSE_ID) as gb:
        try:
            submission = gb.find_submission(assignment, result.student)
        except MissingEntry:
            result.failure = result.failure or "no grades were recorded"
            return
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                result.cells[grade.name] = float(grade.score)
        result.score = float(submission.score)
        result.max_score = float(submission.max_score)


def prepare_sandbox(course_root: Path) -> Path:
    """Check that bubblewrap works and write the sandbox kernelspec; return its
    JUPYTER_PATH folder. Raise :class:`SandboxUnavailable` saying why it cannot."""
    problem = bwrap_problem()
    if problem:
        raise SandboxUnavailable(
            f"NOT GRADING: {problem}.\nWithout a sandbox, student code runs with your rights "
            "and can read the solutions and the gradebook. Install bubblewrap, or pass "
            "--unsandboxed to grade anyway.")
    hide = default_hide(course_root)  # the trusted grader's list: answers, gradebook, .git
    readable = [course_root, REPO_ROOT, DATASETS_DIR, datasets_dir()]
    folder = course_root / "grading" / "jupyter"
    write_kernelspec(folder, hide, readable)
    return folder


def grade_class(assignment: str, zips: Path, *, course_root: Path = REPO_ROOT,
                jobs: int = 1, sandbox: bool = True, cell_timeout: int | None = None,
                test_timeout: float | None = None, execute: bool = False,
                scheduler: str | None = None,
                extra_nbgrader_args: list[str] | None = None) -> list[StudentResult]:
    """Grade every zip in ``zips``; return one result per zip (see the module doc).

    With ``sandbox=True`` (the default) student code runs only in bubblewrap
    (:mod:`cs231n_utils.course.sandbox`); where it cannot, :class:`SandboxUnavailable` is
    raised before anything is graded. ``test_timeout`` (seconds, default ``cell_timeout`` or
    120) limits each hidden test; ``cell_timeout`` each notebook cell with ``execute``.
    ``scheduler`` sends the judging to Dask (``"tcp://host:8786"`` or ``"local:N"``, see
    :mod:`cs231n_utils.course.cluster`) instead of ``jobs`` threads here.
    """
    if jobs < 1:
        raise ValueError(f"jobs={jobs}: use a whole number of at least 1")
    if not Path(zips).is_dir():
        raise ValueError(f"zips={str(zips)!r} is not a folder")
    course_root = Path(course_root).resolve()
    spec = prepare_sandbox(course_root) if sandbox else None
    notebooks = ensure_generated(course_root, assignment)
    tests = load_hidden_tests(course_root, assignment)
    timeout = float(test_timeout or cell_timeout or DEFAULT_TEST_TIMEOUT)
    results: list[StudentResult] = []
    staged: dict[str, tuple[StudentResult, Path, Path]] = {}
    seen: dict[str, str] = {}
    for zip_path in sorted(Path(zips).glob("*.zip")):
        result = StudentResult(student="?", zip_name=zip_path.name)
        results.append(result)
        try:
            result.student = student_id(zip_path)
            if result.student in seen:
                raise SubmissionError(f"student id {result.student!r} also has "
                                      f"{seen[result.student]}")
            seen[result.student] = zip_path.name
            verdicts_file(course_root, result.student, assignment).unlink(missing_ok=True)
            unpacked = course_root / "grading" / "unpacked" / result.student / assignment
            safe_unpack(zip_path, unpacked)
            root = find_submission_root(unpacked, notebooks)
            stage_submission(course_root, assignment, result.student, root)
            staged[result.student] = (result, root, zip_path)
        except SubmissionError as error:
            result.failure = str(error)

    # The points: hidden tests run in the sandbox, judged here (or on the cluster's workers).
    if scheduler:
        from cs231n_utils.course.cluster import judge_on_cluster

        judged = judge_on_cluster(scheduler, course_root, assignment,
                                  {s: zp for s, (_, _, zp) in staged.items()},
                                  sandbox=sandbox, test_timeout=timeout)
    else:
        def judge_one(student: str) -> dict[str, Verdict] | str:
            try:
                return judge_submission(course_root, assignment,
                                        staged[student][1] / "cs231n_utils", sandbox=sandbox,
                                        test_timeout=timeout, tests=tests)
            except Exception as error:  # the grader's own failure: reported, others go on
                return f"the trusted grader failed: {type(error).__name__}: {error}"

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            judged = dict(zip(staged, pool.map(judge_one, staged), strict=True))
    ready = []
    for student, outcome in judged.items():
        if isinstance(outcome, str):
            staged[student][0].failure = outcome
        else:
            write_verdicts(verdicts_file(course_root, student, assignment), outcome)
            ready.append(student)

    # nbgrader: verdicts into the autograded notebooks, the gradebook, the feedback.
    if execute:
        extra = extra_nbgrader_args or []
        threads = 1 if jobs > 1 else None

        def run(student: str) -> str:
            return _autograde_executing(course_root, assignment, student, extra, spec,
                                        cell_timeout, threads)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            ran = dict(zip(ready, pool.map(run, ready), strict=True))
        for student, why in ran.items():
            if why == "retry":  # two graders met at the gradebook: once more, alone
                why = run(student)
            if why:  # the display run failed: the points still come from the verdicts
                staged[student][0].note = f"notebook not run for display: {why}"
        redo = [s for s, why in ran.items() if why]
        outcomes = _nbgrader_batch(course_root, assignment, redo)
        outcomes |= {s: "" for s, why in ran.items() if not why}
        feedback = [s for s, why in ran.items() if not why]
        for student in feedback:
            nbgrader(["generate_feedback", assignment, f"--student={student}", "--force",
                      "--log-level=ERROR"], course_root, check=False)
    else:
        outcomes = _nbgrader_batch(course_root, assignment, ready)
    for student, why in outcomes.items():
        staged[student][0].failure = why
    for result, _, _ in staged.values():
        if not result.failure:
            read_scores(course_root, assignment, result)
    write_csv(course_root / "grading" / "grades" / f"{assignment}.csv", results)
    return results


def verdicts_file(course_root: Path, student: str, assignment: str) -> Path:
    """Where one submission's trusted verdicts are saved (read by nbgrader's autograde)."""
    return verdicts_path(Path(course_root) / "grading" / "verdicts", student, assignment)


def write_csv(path: Path, results: list[StudentResult]) -> None:
    cells = sorted({cell for r in results for cell in r.cells})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "zip", "score", "max_score", *cells, "failure", "note"])
        for r in results:
            writer.writerow([r.student, r.zip_name, r.score, r.max_score,
                             *(r.cells.get(c, "") for c in cells), r.failure, r.note])


def summary(results: list[StudentResult]) -> str:
    lines = []
    for r in results:
        verdict = f"{r.score:g} / {r.max_score:g}" if not r.failure else f"FAILED: {r.failure}"
        note = f" ({r.note})" if r.note and not r.failure else ""
        lines.append(f"{r.student:<20} {r.zip_name:<30} {verdict}{note}")
    failed = [r for r in results if r.failure]
    lines.append(f"{len(results) - len(failed)} graded, {len(failed)} failed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Grade a folder of submission zips.")
    parser.add_argument("assignment", help="e.g. 01_knn")
    parser.add_argument("zips", type=Path, help="folder of <student_id>.zip files")
    parser.add_argument("--jobs", type=int, default=1, help="students graded at once")
    parser.add_argument("--course", type=Path, default=REPO_ROOT,
                        help="course root (default: this repository)")
    parser.add_argument("--timeout", type=int, default=None,
                        help=f"seconds per hidden test, and per notebook cell with --execute "
                             f"(default: {DEFAULT_TEST_TIMEOUT})")
    parser.add_argument("--execute", action="store_true",
                        help="also run each notebook in the sandbox, for its outputs in the "
                             "feedback (slower; no point depends on it)")
    parser.add_argument("--scheduler", default=None,
                        help="judge on a Dask cluster: tcp://HOST:8786, or local:N for N "
                             "worker processes on this machine")
    parser.add_argument("--unsandboxed", action="store_true",
                        help="grade even where bubblewrap cannot run (student code then "
                             "runs with your rights)")
    args = parser.parse_args(argv)
    if args.unsandboxed:
        print("WARNING: grading WITHOUT a sandbox: student code runs with your rights.",
              file=sys.stderr)
    try:
        results = grade_class(args.assignment, args.zips, course_root=args.course,
                              jobs=args.jobs, sandbox=not args.unsandboxed,
                              cell_timeout=args.timeout, execute=args.execute,
                              scheduler=args.scheduler)
    except (ValueError, ConnectionError) as error:  # ConnectionError: --scheduler unreachable
        print(error, file=sys.stderr)
        return 2
    except SandboxUnavailable as error:
        print(error, file=sys.stderr)
        return 3
    print(summary(results))
    print(f"grades: {args.course / 'grading' / 'grades' / (args.assignment + '.csv')}")
    print(f"feedback: {args.course / 'grading' / 'feedback'}/<student>/{args.assignment}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
