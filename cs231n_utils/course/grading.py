"""Grading with nbgrader, with trusted helpers and only a submission's graded modules.

A submission is a folder holding the assignment's notebooks and, optionally, the student's
``cs231n_utils/`` package. :func:`stage_submission` lays it out in nbgrader's
``grading/submitted/<student>/<assignment>/``: the notebooks, plus the overlay package built
from the instructor's helpers with only the student's graded modules on top. Nothing else
from the submission is copied, so an edited helper or check gains nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from cs231n_utils.course import ensure_tools_on_path
from cs231n_utils.course.overlay import build_overlay

COURSE_ID = "cs231n-workbook"


def submitted_dir(course_root: Path, student: str, assignment: str) -> Path:
    """nbgrader's folder for one student's submission of one assignment."""
    return Path(course_root) / "grading" / "submitted" / student / assignment


def stage_submission(course_root: Path, assignment: str, student: str,
                     submission: Path) -> Path:
    """Lay a submission out for ``nbgrader autograde``; return the staged folder.

    Parameters
    ----------
    course_root : Path
        The course (holds ``nbgrader_config.py`` and ``solutions/<assignment>/``).
    assignment : str
        Assignment id, e.g. ``"01_knn"``.
    student : str
        Student id (letters, digits, ``_`` and ``-``).
    submission : Path
        Folder with the student's notebooks (same names as the release) and optionally
        their ``cs231n_utils/`` package.
    """
    if not student or not all(ch.isalnum() or ch in "_-" for ch in student):
        raise ValueError(f"student={student!r}: use letters, digits, '_' and '-' only")
    source = Path(course_root) / "solutions" / assignment
    if not source.is_dir():
        raise FileNotFoundError(f"assignment={assignment!r}: no folder {source}")
    submission = Path(submission)
    dest = submitted_dir(course_root, student, assignment)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for notebook in sorted(source.glob("*.ipynb")):
        theirs = submission / notebook.name
        if theirs.is_file() and not theirs.is_symlink():
            shutil.copyfile(theirs, dest / notebook.name)
    package = submission / "cs231n_utils"
    if package.is_dir():
        build_overlay(dest, package)
    else:  # nothing graded submitted: the stubs stay
        with tempfile.TemporaryDirectory() as empty:
            build_overlay(dest, Path(empty))
    return dest


def scores(course_root: Path, assignment: str, student: str) -> dict[str, tuple[float, float]]:
    """Return ``{grade_id: (score, max_score)}`` of the autograded cells of a submission."""
    from nbgrader.api import Gradebook

    ensure_tools_on_path()
    db_url = "sqlite:///" + str(Path(course_root) / "grading" / "gradebook.db")
    out: dict[str, tuple[float, float]] = {}
    with Gradebook(db_url, COURSE_ID) as gb:
        submission = gb.find_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.cell.cell_type == "code":
                    out[grade.name] = (float(grade.score), float(grade.max_score))
    return out
