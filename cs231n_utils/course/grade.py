"""Grade a class: a folder of submission zips in, grades CSV and feedback HTML out.

``python -m cs231n_utils.course.grade 01_knn path/to/zips [--jobs 2]``
(``make grade A=01_knn ZIPS=path/to/zips``)

1. each zip's file name gives the student id: ``<id>.zip`` or ``<id>__<anything>.zip``
   (letters, digits, ``_`` and ``-``);
2. the zip is unpacked safely (no absolute paths, no ``..``, no links, size limits);
3. the notebooks and ONLY the graded modules are staged with the overlay (trusted helpers
   + that student's graded modules, :mod:`cs231n_utils.course.grading`);
4. ``nbgrader autograde`` runs for each student, ``--jobs`` at a time, then
   ``nbgrader generate_feedback``;
5. ``grading/grades/<assignment>.csv`` gets one row per student, and the summary names
   every student whose grading failed and why.

Running it again grades everything again from the zips (idempotent). One student's
failure (bad zip, missing notebook, a kernel that dies) never stops the others.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import stat
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cs231n_utils.course import DATASETS_DIR, REPO_ROOT, ensure_tools_on_path
from cs231n_utils.course.grading import COURSE_ID, stage_submission
from cs231n_utils.course.notebooks import write_solution_notebooks
from cs231n_utils.course.release import nbgrader
from cs231n_utils.course.sandbox import KERNEL_NAME, bwrap_problem, write_kernelspec
from cs231n_utils.data import datasets_dir

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MAX_UNPACKED_BYTES = 50 * 2**20
MAX_FILES = 500


class SubmissionError(Exception):
    """A submission that cannot be graded; the message says why."""


@dataclass
class StudentResult:
    """One student's outcome."""

    student: str
    zip_name: str
    score: float = 0.0
    max_score: float = 0.0
    cells: dict[str, float] = field(default_factory=dict)
    failure: str = ""  # empty when graded


def student_id(zip_path: Path) -> str:
    """``alice.zip`` or ``alice__01_knn.zip`` -> ``alice``; raise on anything else."""
    stem = zip_path.name[:-4] if zip_path.name.lower().endswith(".zip") else zip_path.name
    sid = stem.split("__", 1)[0]
    if not STUDENT_ID.match(sid):
        raise SubmissionError(f"file name {zip_path.name!r} does not start with a student id "
                              "(letters, digits, '_' and '-'; then '.zip' or '__...zip')")
    return sid


def safe_unpack(zip_path: Path, dest: Path) -> None:
    """Unpack ``zip_path`` into ``dest`` refusing paths outside it, links and zip bombs."""
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionError(f"not a readable zip file ({error})") from None
    with zf:
        members = zf.infolist()
        if not members:
            raise SubmissionError("the zip file is empty")
        if len(members) > MAX_FILES:
            raise SubmissionError(f"the zip holds {len(members)} files (at most {MAX_FILES})")
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise SubmissionError(f"the zip unpacks to more than {MAX_UNPACKED_BYTES >> 20} MB")
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        root = dest.resolve()
        for member in members:
            name = member.filename
            target = (dest / name).resolve()
            if name.startswith(("/", "\\")) or not target.is_relative_to(root):
                raise SubmissionError(f"the zip entry {name!r} points outside its folder")
            if stat.S_ISLNK(member.external_attr >> 16):
                continue  # links are never followed: skip them
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def find_submission_root(unpacked: Path, notebooks: list[str]) -> Path:
    """The folder of the unpacked zip that holds the assignment's notebooks."""
    for depth in range(3):
        for folder in sorted([unpacked, *unpacked.glob("/".join(["*"] * (depth + 1)))]):
            if folder.is_dir() and all((folder / nb).is_file() for nb in notebooks):
                return folder
    found = sorted(p.name for p in unpacked.rglob("*.ipynb"))
    raise SubmissionError(f"the zip does not hold {', '.join(notebooks)}"
                          + (f" (it holds {', '.join(found)})" if found else ""))


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


def _autograde_one(course_root: Path, assignment: str, student: str, extra: list[str],
                   sandbox: Path | None, cell_timeout: int | None, threads: int | None) -> str:
    """Autograde one student; return '' or why it failed."""
    args = ["autograde", assignment, f"--student={student}", "--force", *extra]
    env = {"CS231N_CELL_TIMEOUT": str(cell_timeout)} if cell_timeout else {}
    if threads:  # several kernels at once: one BLAS thread each, or they trample each other
        env |= {"OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
                "MKL_NUM_THREADS": str(threads)}
    with tempfile.TemporaryDirectory(prefix="cs231n-") as runtime:
        if sandbox is not None:
            # The kernel's connection file and sockets: a short private folder (a Unix
            # socket path has at most 107 characters), visible inside the sandbox.
            env |= {"TMPDIR": runtime, "JUPYTER_RUNTIME_DIR": runtime,
                    "JUPYTER_PATH": str(sandbox)}
            args += [f"--Execute.kernel_name={KERNEL_NAME}", "--KernelManager.transport=ipc",
                     f"--KernelManager.ip={runtime}/kernel"]
        proc = nbgrader(args, course_root, check=False, env=env)
    if proc.returncode == 0:
        nbgrader(["generate_feedback", assignment, f"--student={student}", "--force",
                  "--log-level=ERROR"], course_root, check=False)
        return ""
    text = proc.stdout + proc.stderr
    if "DeadKernelError" in text or "Kernel died" in text:
        return "the kernel died while running the notebook (os._exit, a crash or memory)"
    if "database is locked" in text:
        return "retry"
    last = [line for line in text.splitlines() if line.strip()][-3:]
    return "nbgrader autograde failed: " + " | ".join(last)


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
    hide = [course_root / "solutions", course_root / "grading",
            REPO_ROOT / "solutions", REPO_ROOT / "grading"]
    readable = [course_root, REPO_ROOT, DATASETS_DIR, datasets_dir()]
    folder = course_root / "grading" / "jupyter"
    write_kernelspec(folder, hide, readable)
    return folder


def grade_class(assignment: str, zips: Path, *, course_root: Path = REPO_ROOT,
                jobs: int = 1, sandbox: bool = True, cell_timeout: int | None = None,
                extra_nbgrader_args: list[str] | None = None) -> list[StudentResult]:
    """Grade every zip in ``zips``; return one result per zip (see the module doc).

    With ``sandbox=True`` (the default) each kernel runs in bubblewrap
    (:mod:`cs231n_utils.course.sandbox`); where it cannot, :class:`SandboxUnavailable` is
    raised before anything is graded. ``cell_timeout`` (seconds) overrides the course's
    per-cell limit (``nbgrader_config.py``).
    """
    if jobs < 1:
        raise ValueError(f"jobs={jobs}: use a whole number of at least 1")
    if not Path(zips).is_dir():
        raise ValueError(f"zips={str(zips)!r} is not a folder")
    course_root = Path(course_root).resolve()
    spec = prepare_sandbox(course_root) if sandbox else None
    notebooks = ensure_generated(course_root, assignment)
    results: list[StudentResult] = []
    staged: list[StudentResult] = []
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
            unpacked = course_root / "grading" / "unpacked" / result.student / assignment
            safe_unpack(zip_path, unpacked)
            root = find_submission_root(unpacked, notebooks)
            stage_submission(course_root, assignment, result.student, root)
            staged.append(result)
        except SubmissionError as error:
            result.failure = str(error)
    extra = extra_nbgrader_args or []
    threads = 1 if jobs > 1 else None
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(
            lambda r: _autograde_one(course_root, assignment, r.student, extra, spec,
                                     cell_timeout, threads), staged))
    for result, outcome in zip(staged, outcomes, strict=True):
        if outcome == "retry":  # two graders met at the gradebook: once more, alone
            outcome = _autograde_one(course_root, assignment, result.student, extra, spec,
                                     cell_timeout, threads)
        result.failure = "" if outcome == "retry" else outcome
    for result in staged:
        read_scores(course_root, assignment, result)
    write_csv(course_root / "grading" / "grades" / f"{assignment}.csv", results)
    return results


def write_csv(path: Path, results: list[StudentResult]) -> None:
    cells = sorted({cell for r in results for cell in r.cells})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "zip", "score", "max_score", *cells, "failure"])
        for r in results:
            writer.writerow([r.student, r.zip_name, r.score, r.max_score,
                             *(r.cells.get(c, "") for c in cells), r.failure])


def summary(results: list[StudentResult]) -> str:
    lines = []
    for r in results:
        verdict = f"{r.score:g} / {r.max_score:g}" if not r.failure else f"FAILED: {r.failure}"
        lines.append(f"{r.student:<20} {r.zip_name:<30} {verdict}")
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
                        help="seconds per cell (default: nbgrader_config.py's)")
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
                              cell_timeout=args.timeout)
    except ValueError as error:
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
