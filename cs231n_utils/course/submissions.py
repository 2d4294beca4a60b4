"""A submission zip: its student id, its safe unpacking, where its notebooks are, and its
verdicts (:func:`judge_zip`, the task a Dask worker runs).

Kept apart from :mod:`cs231n_utils.course.grade` so that a grading worker imports only this
and the trusted grader, not nbgrader.
"""

from __future__ import annotations

import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import asdict
from pathlib import Path

from cs231n_utils.course.trusted.runner import judge_submission

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MAX_UNPACKED_BYTES = 50 * 2**20
MAX_FILES = 500


class SubmissionError(Exception):
    """A submission that cannot be graded; the message says why."""


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


def judge_zip(course_root: str, assignment: str, zip_name: str, data: bytes, sandbox: bool,
              test_timeout: float) -> dict[str, dict]:
    """One submission's verdicts from its zip's bytes: the task a Dask worker runs.

    The worker unpacks the zip in a folder of its own, judges it with its own checkout of
    the course (same path as the client's) and returns plain data, ``{grade_id: verdict
    as a dict}``; a zip it cannot grade raises :class:`SubmissionError`.
    """
    with tempfile.TemporaryDirectory(prefix="cs231n-task-") as tmp:
        zip_path = Path(tmp) / zip_name
        zip_path.write_bytes(data)
        unpacked = Path(tmp) / "unpacked"
        safe_unpack(zip_path, unpacked)
        notebooks = sorted(p.name for p in (Path(course_root) / "solutions" / assignment)
                           .glob("*.ipynb")) or [f"{assignment}.ipynb"]
        root = find_submission_root(unpacked, notebooks)
        verdicts = judge_submission(Path(course_root), assignment, root / "cs231n_utils",
                                    sandbox=sandbox, test_timeout=test_timeout)
    return {g: asdict(v) for g, v in verdicts.items()}
