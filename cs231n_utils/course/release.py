"""Regenerate the student copy from the instructor's solutions.

``python -m cs231n_utils.course.release`` (``make release``):

1. every graded module ``solutions/cs231n_utils/<m>.py`` -> its stub ``cs231n_utils/<m>.py``;
2. every notebook source ``solutions/<a>/<n>.nb.py`` -> ``solutions/<a>/<n>.ipynb``;
3. ``nbgrader generate_assignment`` -> ``assignments/<a>/`` (solutions and hidden tests
   removed, outputs cleared, test cells locked and checksummed).

``--check`` regenerates into a temporary folder and lists what differs from the committed
student copy, exiting 1 on any difference (the drift test does the same).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cs231n_utils.course import REPO_ROOT
from cs231n_utils.course.notebooks import copy_tree_clean, write_solution_notebooks
from cs231n_utils.course.overlay import graded_modules
from cs231n_utils.course.stubs import find_regions, make_stub


def assignment_ids(solutions_dir: Path) -> list[str]:
    """The assignments: folders of ``solutions/`` other than ``cs231n_utils`` and
    ``hidden_tests`` (the trusted grader's tests, :mod:`cs231n_utils.course.trusted`)."""
    return sorted(
        p.name for p in Path(solutions_dir).iterdir()
        if p.is_dir() and p.name not in NOT_ASSIGNMENTS and not p.name.startswith((".", "_"))
    )


NOT_ASSIGNMENTS = frozenset({"cs231n_utils", "hidden_tests"})


GRADED_INDEX = "graded_modules.json"


def graded_index(solution_package: Path) -> str:
    """JSON text mapping each assignment to the graded modules it covers (from the
    markers' sections), written to ``cs231n_utils/graded_modules.json`` for the submit
    command, which must work in a student copy that has no ``solutions/``."""
    index: dict[str, list[str]] = {}
    for rel in graded_modules(solution_package):
        source = (solution_package / rel).read_text()
        for region in find_regions(source, str(rel)):
            assignment = region.where.split(",")[0].strip()
            if rel.as_posix() not in index.setdefault(assignment, []):
                index[assignment].append(rel.as_posix())
    return json.dumps(dict(sorted(index.items())), indent=2) + "\n"


def write_stubs(solution_package: Path, package: Path) -> list[Path]:
    """Write the stub of every graded module; return the files written."""
    written = []
    for rel in graded_modules(solution_package):
        source = (solution_package / rel).read_text()
        target = package / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(make_stub(source, str(solution_package / rel)))
        written.append(target)
    (package / GRADED_INDEX).write_text(graded_index(solution_package))
    written.append(package / GRADED_INDEX)
    return written


def nbgrader(args: list[str], course_root: Path, *, check: bool = True,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run an nbgrader command in ``course_root`` with this environment's tools on PATH.

    nbgrader calls the ``alembic`` program when it makes a gradebook, so the folder of the
    running Python (the virtual environment's ``bin/``) goes first on PATH.
    """
    full_env = dict(os.environ, **(env or {}))
    full_env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + full_env.get("PATH", "")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_root,
                          env=full_env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n"
                           f"{proc.stdout}\n{proc.stderr}")
    return proc


def make_course(dest: Path, repo: Path = REPO_ROOT) -> Path:
    """Lay out a throw-away course in ``dest`` (config + solutions) and return it."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo / "nbgrader_config.py", dest / "nbgrader_config.py")
    copy_tree_clean(repo / "solutions", dest / "solutions")
    return dest


def generate_release(course_root: Path) -> list[str]:
    """Make every solution notebook and ``nbgrader generate_assignment`` every assignment."""
    solutions = course_root / "solutions"
    write_solution_notebooks(solutions)
    ids = assignment_ids(solutions)
    for aid in ids:
        nbgrader(["generate_assignment", aid, "--force", "--log-level=WARN"], course_root)
    return ids


def release(repo: Path = REPO_ROOT) -> None:
    """Regenerate the whole student copy in the repository."""
    for path in write_stubs(repo / "solutions" / "cs231n_utils", repo / "cs231n_utils"):
        print(f"stub      {path.relative_to(repo)}")
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course(Path(tmp) / "course", repo)
        for aid in generate_release(course):
            target = repo / "assignments" / aid
            if target.exists():
                shutil.rmtree(target)
            copy_tree_clean(course / "assignments" / aid, target)
            print(f"release   assignments/{aid}")
    write_solution_notebooks(repo / "solutions")
    link_package(repo / "assignments")


PACKAGE_LINK = "cs231n_utils"


def link_package(assignments: Path) -> None:
    """Make ``assignments/cs231n_utils`` a link to the package, so a student who runs
    JupyterLab on ``assignments/`` can open and edit the graded modules there."""
    link = assignments / PACKAGE_LINK
    if not link.is_symlink():
        if link.exists():
            raise FileExistsError(f"{link} exists and is not a link to ../cs231n_utils")
        link.symlink_to(Path("..") / "cs231n_utils", target_is_directory=True)


def drift(repo: Path = REPO_ROOT) -> list[str]:
    """List every file of the committed student copy that differs from a fresh release."""
    problems = []
    solution_package = repo / "solutions" / "cs231n_utils"
    for rel in graded_modules(solution_package):
        expected = make_stub((solution_package / rel).read_text(), str(rel))
        committed = repo / "cs231n_utils" / rel
        if not committed.is_file() or committed.read_text() != expected:
            problems.append(f"cs231n_utils/{rel}")
    index = repo / "cs231n_utils" / GRADED_INDEX
    if not index.is_file() or index.read_text() != graded_index(solution_package):
        problems.append(f"cs231n_utils/{GRADED_INDEX}")
    with tempfile.TemporaryDirectory() as tmp:
        course = make_course(Path(tmp) / "course", repo)
        ids = generate_release(course)
        for aid in ids:
            problems += _diff_trees(course / "assignments" / aid, repo / "assignments" / aid,
                                    f"assignments/{aid}")
    known = set(ids) | {PACKAGE_LINK}
    if (repo / "assignments").is_dir():
        problems += [f"assignments/{p.name} (no such assignment in solutions/)"
                     for p in (repo / "assignments").iterdir() if p.name not in known]
    return problems


def _diff_trees(fresh: Path, committed: Path, label: str) -> list[str]:
    if not committed.is_dir():
        return [f"{label} (missing)"]
    cmp = filecmp.dircmp(fresh, committed, ignore=["__pycache__", ".ipynb_checkpoints"])
    out: list[str] = []

    def walk(c: filecmp.dircmp, prefix: str) -> None:
        out.extend(f"{prefix}/{n}" for n in c.diff_files + c.left_only + c.right_only)
        for name, sub in c.subdirs.items():
            walk(sub, f"{prefix}/{name}")

    walk(cmp, label)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only list what differs from a fresh release; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        problems = drift()
        for p in problems:
            print(f"differs from a fresh release: {p}")
        if problems:
            print("Run `make release` and commit the result.")
            return 1
        print("The student copy matches a fresh release.")
        return 0
    release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
