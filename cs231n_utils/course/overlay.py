"""The overlay: the trusted package with graded modules laid on top.

One mechanism, used three ways (DESIGN.md):

1. tests and walkthroughs run a notebook with the *solution* modules on top;
2. grading runs a notebook with ONLY a submission's graded modules on top, so helpers and
   checks stay the instructor's (editing ``rel_error`` in a submission changes nothing);
3. a student's own checkout is the stub package edited in place (no overlay at all).

An overlay is a folder ``<dest>/cs231n_utils`` put beside the notebook it serves: a
kernel's working directory comes first on ``sys.path``, so the overlay wins over the
installed package.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cs231n_utils.course import DATASETS_DIR, PACKAGE_DIR, SOLUTION_PACKAGE_DIR

OVERLAY_INFO = "_overlay.json"
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", OVERLAY_INFO)


def graded_modules(solution_package: Path = SOLUTION_PACKAGE_DIR) -> list[Path]:
    """Return the graded modules, as paths relative to the package folder.

    A module is graded when the instructor's complete version exists under
    ``solutions/cs231n_utils/``; everything else in ``cs231n_utils/`` is a helper.
    """
    return sorted(p.relative_to(solution_package) for p in solution_package.rglob("*.py"))


def build_overlay(
    dest: Path,
    graded_from: Path,
    *,
    base: Path = PACKAGE_DIR,
    solution_package: Path = SOLUTION_PACKAGE_DIR,
    datasets_dir: Path = DATASETS_DIR,
) -> Path:
    """Write ``dest/cs231n_utils``: the trusted package with graded modules on top.

    Parameters
    ----------
    dest : Path
        Folder that receives the package (usually the notebook's folder).
    graded_from : Path
        A package folder to take the graded modules from: ``solutions/cs231n_utils`` or a
        submission's ``cs231n_utils``. Only the graded modules are taken from it; a graded
        module it lacks stays the trusted stub. Any other file in it is ignored.
    base : Path
        The trusted package (helpers and stubs).
    solution_package : Path
        Where the list of graded modules comes from.
    datasets_dir : Path
        Recorded in ``_overlay.json`` so the overlaid package still finds the data.

    Returns
    -------
    Path
        The overlaid package folder ``dest/cs231n_utils``.
    """
    graded_from = Path(graded_from)
    if not graded_from.is_dir():
        raise FileNotFoundError(f"graded_from={str(graded_from)!r} is not a folder")
    target = Path(dest) / "cs231n_utils"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(base, target, ignore=_IGNORE)
    taken = []
    for rel in graded_modules(solution_package):
        src = graded_from / rel
        if src.is_file() and not src.is_symlink():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target / rel)
            taken.append(str(rel))
    info = {
        "datasets_dir": str(Path(datasets_dir).resolve()),
        "graded_from": str(graded_from.resolve()),
        "graded_modules_taken": taken,
    }
    (target / OVERLAY_INFO).write_text(json.dumps(info, indent=2) + "\n")
    return target


def overlay_in_process(solution_package: Path = SOLUTION_PACKAGE_DIR) -> list[str]:
    """Lay the solution modules over the imported package, in this Python process.

    Each subpackage of ``cs231n_utils`` that holds a graded module gets the matching
    folder of ``solution_package`` first on its ``__path__``, so importing a graded module
    finds the complete version, and helpers still come from the trusted package. The test
    suite does this once, before anything imports a graded module.

    Returns
    -------
    list of str
        The subpackages whose ``__path__`` was extended.
    """
    import importlib
    import sys

    folders = sorted({(solution_package / rel).parent for rel in graded_modules(solution_package)},
                     key=lambda p: len(p.parts))
    extended = []
    for folder in folders:
        rel = folder.relative_to(solution_package)
        name = ".".join(("cs231n_utils", *rel.parts))
        package = importlib.import_module(name)
        if str(folder) in package.__path__:
            continue  # already overlaid
        graded_names = {f"{name}.{p.stem}" for p in folder.glob("*.py")}
        stale = graded_names & set(sys.modules)
        if stale:
            raise RuntimeError(f"graded modules were imported before the overlay: {sorted(stale)}")
        package.__path__.insert(0, str(folder))
        extended.append(name)
    return extended
