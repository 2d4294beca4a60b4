"""Build the submission zip of an assignment.

From a terminal, in the workbook's folder::

    make submit A=01_knn          # or: .venv/bin/python -m cs231n_utils.submit 01_knn

writes ``submissions/01_knn.zip`` holding the assignment's notebooks, the graded modules it
covers, and ``manifest.json`` (assignment, files with SHA-256 hashes, time). It warns, and
still builds the zip, when a notebook was not run top to bottom in order or a graded
function is still the stub. Rename the zip as your course asks, e.g. ``<student_id>.zip``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# The stub that `make release` writes in place of an answer (cs231n_utils/course/stubs.py).
STUB = re.compile(r"# YOUR CODE HERE\s*\n\s*raise NotImplementedError\(\s*'([\w.]+) ")


def graded_modules_of(assignment: str, package: Path = PACKAGE) -> list[str]:
    """The graded modules (paths inside ``cs231n_utils``) that ``assignment`` covers."""
    index = json.loads((package / "graded_modules.json").read_text())
    if assignment not in index:
        raise ValueError(f"assignment={assignment!r} is unknown; accepted values: "
                         f"{', '.join(sorted(index))}")
    return index[assignment]


def run_order_problem(notebook: Path) -> str | None:
    """Why ``notebook`` does not look run top to bottom in order, or None if it does."""
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    counts = [c.get("execution_count") for c in cells]
    if not any(counts):
        return "it was never run (no code cell was executed)"
    if None in counts:
        return f"{counts.count(None)} of {len(counts)} code cells were not run"
    if counts != list(range(counts[0], counts[0] + len(counts))):
        return "its cells were run out of order (restart the kernel and run all)"
    return None


def stubs_left(module: Path) -> list[str]:
    """Graded functions of ``module`` that are still the stub."""
    return STUB.findall(module.read_text())


def build_submission(assignment: str, workbook: Path, out: Path) -> tuple[Path, list[str]]:
    """Write the zip; return its path and the warnings.

    Parameters
    ----------
    assignment : str
        Assignment id, e.g. ``"01_knn"``.
    workbook : Path
        The folder that holds ``assignments/`` and ``cs231n_utils/``.
    out : Path
        The zip to write.
    """
    package = workbook / "cs231n_utils"
    modules = graded_modules_of(assignment, package)
    notebooks = sorted((workbook / "assignments" / assignment).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebook in {workbook / 'assignments' / assignment}")
    warnings = []
    files: dict[str, Path] = {}
    for notebook in notebooks:
        problem = run_order_problem(notebook)
        if problem:
            warnings.append(f"{notebook.name}: {problem}")
        files[notebook.name] = notebook
    for rel in modules:
        module = package / rel
        left = stubs_left(module)
        if left:
            warnings.append(f"cs231n_utils/{rel}: still a stub: {', '.join(left)}")
        files[f"cs231n_utils/{rel}"] = module
    manifest = {
        "assignment": assignment,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {name: hashlib.sha256(path.read_bytes()).hexdigest()
                  for name, path in files.items()},
        "warnings": warnings,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in files.items():
            zf.write(path, name)
        zf.writestr("manifest.json", json.dumps(manifest, indent=2) + "\n")
    return out, warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the submission zip of an assignment.")
    parser.add_argument("assignment", help="e.g. 01_knn")
    parser.add_argument("--workbook", type=Path, default=PACKAGE.parent,
                        help="folder with assignments/ and cs231n_utils/ (default: this one)")
    parser.add_argument("--out", type=Path, default=None,
                        help="zip to write (default: submissions/<assignment>.zip)")
    args = parser.parse_args(argv)
    out = args.out or args.workbook / "submissions" / f"{args.assignment}.zip"
    try:
        path, warnings = build_submission(args.assignment, args.workbook, out)
    except (ValueError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"WARNING {warning}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
