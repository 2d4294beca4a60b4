"""Notebook sources and their execution.

Notebooks are authored as percent-format text, ``solutions/<assignment>/<name>.nb.py``
(one home per notebook); :func:`text_to_notebook` makes the ``.ipynb`` that nbgrader reads.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import jupytext
import nbformat

from cs231n_utils.course.overlay import build_overlay

SOURCE_SUFFIX = ".nb.py"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def notebook_sources(solutions_dir: Path) -> list[Path]:
    """All notebook sources, ``solutions/<assignment>/<name>.nb.py``, sorted."""
    return sorted(Path(solutions_dir).glob(f"*/*{SOURCE_SUFFIX}"))


def ipynb_path(source: Path) -> Path:
    """``01_knn.nb.py`` -> ``01_knn.ipynb`` in the same folder."""
    return source.with_name(source.name[: -len(SOURCE_SUFFIX)] + ".ipynb")


def strip_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs and execution counts (committed notebooks carry none)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def text_to_notebook(source: Path) -> nbformat.NotebookNode:
    """Read a percent-format source into a clean notebook with the python3 kernelspec."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("lines_to_next_cell", None)
        # Stable ids, so that a release is the same file every time it is made.
        cell.id = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell-{i}"
    return strip_outputs(nb)


def write_solution_notebooks(solutions_dir: Path) -> list[Path]:
    """Write every source's ``.ipynb`` beside it; return the notebooks written."""
    written = []
    for source in notebook_sources(solutions_dir):
        target = ipynb_path(source)
        nbformat.write(text_to_notebook(source), target)
        written.append(target)
    return written


def execute_notebook(
    notebook: Path,
    workdir: Path,
    *,
    graded_from: Path | None = None,
    timeout: int = 600,
    env: dict[str, str] | None = None,
    allow_errors: bool = False,
) -> nbformat.NotebookNode:
    """Execute a notebook in ``workdir``, optionally with graded modules overlaid.

    Parameters
    ----------
    notebook : Path
        A ``.ipynb`` or a ``.nb.py`` source.
    workdir : Path
        The kernel's working directory; the notebook is copied there. With ``graded_from``,
        the overlay package is built there too (see :mod:`cs231n_utils.course.overlay`).
    graded_from : Path or None
        Package folder whose graded modules go on top (e.g. ``solutions/cs231n_utils``).
    timeout : int
        Seconds per cell.
    env : dict or None
        Extra environment variables for the kernel (e.g. ``NBGRADER_EXECUTION``).
    allow_errors : bool
        If False, the first failing cell raises ``nbclient.exceptions.CellExecutionError``.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook (also written to ``workdir``).
    """
    from nbclient import NotebookClient

    notebook = Path(notebook)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if notebook.name.endswith(SOURCE_SUFFIX):
        nb = text_to_notebook(notebook)
        name = ipynb_path(notebook).name
    else:
        nb = nbformat.read(notebook, as_version=4)
        name = notebook.name
    if graded_from is not None:
        build_overlay(workdir, graded_from)
    old_env = dict(os.environ)
    os.environ.update(env or {})
    try:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
            resources={"metadata": {"path": str(workdir)}},
        )
        try:
            client.execute()
        finally:
            nbformat.write(nb, workdir / name)
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    return nb


def copy_tree_clean(src: Path, dest: Path) -> None:
    """Copy a folder without caches (used to lay out temporary courses)."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc",
                                                             ".ipynb_checkpoints"))
