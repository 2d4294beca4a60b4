"""Building submissions and grading them, for the per-assignment grading round trips.

A test file ``test_grading_<assignment>.py`` makes its kinds of submission with these
helpers and grades them all with the grade command (zips -> trusted verdicts -> nbgrader),
then asserts each kind's scores cell by cell, as recorded in the gradebook.
"""

import hashlib
import shutil
import zipfile
from pathlib import Path

from cs231n_utils.course import PACKAGE_DIR, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.grade import grade_class
from cs231n_utils.course.grading import scores
from cs231n_utils.course.sandbox import bwrap_problem
from cs231n_utils.course.stubs import find_regions, make_stub

#: Seconds per hidden test (and per cell, where notebooks run) while grading in the tests.
CELL_TIMEOUT = 15


def tree_digest(*folders: Path) -> str:
    """Hash of every file under ``folders`` (names and contents): nothing changed there."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()
                           and "__pycache__" not in p.parts):
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def zip_folder(folder: Path, zip_path: Path) -> Path:
    """Zip every file under ``folder`` (paths relative to it)."""
    with zipfile.ZipFile(zip_path, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(folder).as_posix())
    return zip_path


def replace_answer(source: str, function: str, new_body: list[str]) -> str:
    """A complete module with one function's answer replaced by ``new_body``."""
    lines = source.splitlines()
    region = next(r for r in find_regions(source) if r.function == function)
    lines[region.begin + 1:region.end] = [region.indent + line for line in new_body]
    return "\n".join(lines) + "\n"


def only_right(module: Path, functions: set[str]) -> str:
    """The stub of a graded module with exactly ``functions`` answered."""
    source = (SOLUTION_PACKAGE_DIR / module).read_text()
    return make_stub(source, keep=lambda region: region.function in functions)


class Submissions:
    """A folder of submissions for one assignment, built kind by kind."""

    def __init__(self, course: Path, assignment: str, folder: Path):
        self.course, self.assignment, self.folder = course, assignment, folder
        self.released = sorted((course / "assignments" / assignment).glob("*.ipynb"))
        self.answered = sorted((course / "solutions" / assignment).glob("*.ipynb"))

    def new(self, name: str, *, answered: bool = False) -> Path:
        """A submission holding the release's notebooks (or the answered ones)."""
        folder = self.folder / name
        folder.mkdir(parents=True)
        for notebook in self.answered if answered else self.released:
            shutil.copy(notebook, folder / notebook.name)
        return folder

    def solutions(self, name: str = "solutions") -> Path:
        """The instructor's answers: notebooks and every graded module."""
        folder = self.new(name, answered=True)
        shutil.copytree(SOLUTION_PACKAGE_DIR, folder / "cs231n_utils")
        return folder

    def with_modules(self, name: str, modules: dict[Path, str]) -> Path:
        """The release's notebooks and these graded modules (the rest stay stubs)."""
        folder = self.new(name)
        for rel, text in modules.items():
            target = folder / "cs231n_utils" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        return folder

    def with_edited_package(self, name: str, edits: dict[Path, str]) -> Path:
        """The release's notebooks and a copy of the student package with files edited."""
        folder = self.new(name)
        shutil.copytree(PACKAGE_DIR, folder / "cs231n_utils",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for rel, text in edits.items():
            (folder / "cs231n_utils" / rel).write_text(text)
        return folder

    def grade(self, jobs: int = 2) -> dict[str, dict[str, tuple[float, float]]]:
        """Grade every submission with the grade command (in the sandbox where bubblewrap
        runs); return ``{name: {grade_id: (score, max)}}`` from the gradebook."""
        names = sorted(p.name for p in self.folder.iterdir() if p.is_dir())
        zips = self.folder / "_zips"
        zips.mkdir()
        for name in names:
            zip_folder(self.folder / name, zips / f"{name}.zip")
        graded = {r.student: r for r in grade_class(
            self.assignment, zips, course_root=self.course, jobs=jobs,
            sandbox=bwrap_problem() is None, cell_timeout=CELL_TIMEOUT)}
        results = {}
        for name in names:
            assert not graded[name].failure, f"{name} was not graded: {graded[name].failure}"
            results[name] = scores(self.course, self.assignment, name)
        return results


def points(results: dict, name: str) -> dict[str, float]:
    """``{grade_id: score}`` of one submission."""
    return {cell: score for cell, (score, _) in results[name].items()}


def full_marks_except(results: dict, zero: set[str]) -> dict[str, float]:
    """Every cell at its maximum (taken from the solutions' grading) but ``zero`` at 0."""
    return {cell: (0.0 if cell in zero else top)
            for cell, (_, top) in results["solutions"].items()}


def only(results: dict, cells: set[str]) -> dict[str, float]:
    """Only ``cells`` at their maximum, every other cell at 0."""
    return {cell: (top if cell in cells else 0.0)
            for cell, (_, top) in results["solutions"].items()}
