"""The student edition: what an instructor hands out, without the answers.

``python -m cs231n_utils.course.edition [--out DIR]`` (``make student-edition``) writes

- ``DIR/student-edition/``: the notebooks (``assignments/``), the student package (stubs,
  helpers, visible checks, self-check, submit; no course tooling), ``datasets/`` (embedded
  data and ``get_datasets.sh``), the student JupyterLab settings (``jupyter/student/``),
  a student ``pyproject.toml``, ``Makefile`` and
  ``README.md`` (``make lab``, ``make check A=...``, ``make submit A=...``);
- ``DIR/student-edition.zip``: the same folder, zipped;
- ``DIR/student-edition-<assignment>.zip``: one per assignment, with only that
  assignment's notebooks (the package is shared), as CS231n hands them out.

Nothing of ``solutions/`` goes in: no answer, no hidden test, no test suite. The student
copy must be the committed release (``make release``): notebooks without outputs.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

from cs231n_utils.course import ASSIGNMENTS_DIR, DATASETS_DIR, PACKAGE_DIR, REPO_ROOT

#: The student's Makefile, README and .gitignore (README's ``{assignments}`` is filled in).
TEMPLATES = Path(__file__).resolve().parent / "edition_files"
#: Folders of the student package left out: the instructor's tooling.
PACKAGE_LEFT_OUT = ("course",)
#: Never copied: caches, build leftovers, downloaded data, overlay markers.
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info",
                                 "cifar-10-batches-py", "*.tar.gz", "*.part", "_overlay.json")
#: Dependencies only the instructor's side needs (tests, cluster grading).
INSTRUCTOR_ONLY = ("pytest", "distributed")


class EditionError(RuntimeError):
    """The working copy cannot be handed out as it is (the message says what to do)."""


def student_pyproject(text: str) -> str:
    """The project's ``pyproject.toml`` for students: the instructor-only dependencies,
    the dev extras and the tools' settings (pytest, ruff) left out."""
    kept, skipping = [], False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = line.strip() in ("[project.optional-dependencies]",) or (
                line.startswith("[tool.") and not line.startswith("[tool.setuptools"))
        if skipping:
            continue
        name = re.match(r'\s*"([A-Za-z0-9_.-]+)', line)
        if name and name.group(1).lower() in INSTRUCTOR_ONLY:
            continue
        kept.append(line)
    return "\n".join(kept).rstrip() + "\n"


def assignments_table(readme: str) -> str:
    """The README's assignments table, reduced to what a student needs (notebook, what you
    write, how long a full run takes)."""
    section = readme.split("## The assignments", 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows:  # the table ended
            break
    out = []
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        out.append("| " + " | ".join(cells[:3]) + " |")
    return "\n".join(out)


def _check_release(assignments: Path) -> None:
    for notebook in sorted(assignments.glob("*/*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        if any(c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
               for c in cells):
            raise EditionError(f"{notebook} has outputs: the edition hands out the release as "
                               "committed; restore it (git checkout assignments/) or run "
                               "`make release`")


def build_edition(out: Path, *, repo: Path = REPO_ROOT,
                  per_assignment: bool = True) -> Path:
    """Write the edition folder and zips under ``out``; return the folder.

    Raises
    ------
    EditionError
        If a released notebook carries outputs (someone worked in ``assignments/``).
    """
    assignments = repo / ASSIGNMENTS_DIR.relative_to(REPO_ROOT)
    _check_release(assignments)
    out = Path(out).resolve()
    folder = out / "student-edition"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    # assignments/cs231n_utils is a link to the package (JupyterLab's file browser shows it)
    shutil.copytree(assignments, folder / "assignments", ignore=IGNORED, symlinks=True)
    package = repo / PACKAGE_DIR.relative_to(REPO_ROOT)
    shutil.copytree(package, folder / "cs231n_utils",
                    ignore=shutil.ignore_patterns(*PACKAGE_LEFT_OUT, "__pycache__", "*.pyc",
                                                  "_overlay.json"))
    shutil.copytree(repo / DATASETS_DIR.relative_to(REPO_ROOT), folder / "datasets",
                    ignore=IGNORED)
    # the student's JupyterLab settings (make lab): nbgrader without the instructor's parts
    shutil.copytree(repo / "jupyter" / "student", folder / "jupyter" / "student")
    (folder / "pyproject.toml").write_text(student_pyproject((repo / "pyproject.toml")
                                                             .read_text()))
    shutil.copy(TEMPLATES / "Makefile", folder / "Makefile")
    shutil.copy(TEMPLATES / "gitignore", folder / ".gitignore")
    readme = (TEMPLATES / "README.md").read_text()
    (folder / "README.md").write_text(readme.replace(
        "{assignments}", assignments_table((repo / "README.md").read_text())))
    _zip(folder, out / "student-edition.zip", lambda rel: True)
    if per_assignment:
        for notebook_dir in sorted(p for p in (folder / "assignments").iterdir()
                                   if p.is_dir() and not p.is_symlink()):
            name = notebook_dir.name
            _zip(folder, out / f"student-edition-{name}.zip",
                 lambda rel, name=name: rel.parts[0] != "assignments" or rel.parts[1] == name)
    return folder


def _zip(folder: Path, target: Path, keep) -> None:
    """Zip ``folder`` (as ``student-edition/...``), the files whose relative path
    ``keep`` accepts. Links are left out (not every unzip restores them): the Makefile's
    ``setup`` makes ``assignments/cs231n_utils`` again."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if any(p.is_symlink() for p in [path, *path.parents]):
                continue
            if path.is_file() and keep(rel):
                zf.write(path, (Path(folder.name) / rel).as_posix())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "dist",
                        help="where to write the edition (default: dist/)")
    parser.add_argument("--no-per-assignment", action="store_true",
                        help="only the whole edition, no zip per assignment")
    args = parser.parse_args(argv)
    try:
        folder = build_edition(args.out, per_assignment=not args.no_per_assignment)
    except EditionError as problem:
        print(f"student-edition: {problem}", file=sys.stderr)
        return 1
    zips = sorted(folder.parent.glob("student-edition*.zip"))
    print(f"{folder}\n" + "\n".join(f"{z} ({z.stat().st_size / 1e6:.1f} MB)" for z in zips))
    return 0


if __name__ == "__main__":
    sys.exit(main())
