"""Executed solution walkthroughs for self-learners.

``python -m cs231n_utils.course.walkthroughs [assignment ...]`` (``make walkthroughs``) runs
every solution notebook top to bottom with the solutions overlaid and writes the executed
notebook and an HTML page to ``walkthroughs/<assignment>/`` (not committed: committed
notebooks carry no outputs). ``make site`` builds a website from the same executed
notebooks (:mod:`cs231n_utils.course.site`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cs231n_utils.course import REPO_ROOT, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.notebooks import execute_notebook, ipynb_path, notebook_sources

#: Where the executed walkthroughs go, one folder per assignment.
WALKTHROUGHS_DIR = REPO_ROOT / "walkthroughs"


def run_walkthroughs(
    assignments: list[str] | None = None,
    out_root: Path = WALKTHROUGHS_DIR,
    *,
    html: bool = True,
    env: dict[str, str] | None = None,
) -> dict[str, tuple[Path, float]]:
    """Execute solution notebooks with the solutions overlaid.

    Parameters
    ----------
    assignments : list of str or None
        Assignment ids to run (default: all).
    out_root : Path
        Each notebook runs in, and is written to, ``out_root/<assignment>/``.
    html : bool
        Also write an HTML page (nbconvert) beside each executed notebook.
    env : dict or None
        Extra environment variables for the kernels (e.g. ``{"CS231N_QUICK": "1"}``).

    Returns
    -------
    dict
        Assignment id -> (executed ``.ipynb``, seconds it took), in order.

    Raises
    ------
    ValueError
        If no solution notebook matches ``assignments``.
    nbclient.exceptions.CellExecutionError
        If a cell fails.
    """
    sources = [s for s in notebook_sources(REPO_ROOT / "solutions")
               if not assignments or s.parent.name in assignments]
    if not sources:
        raise ValueError(f"no solution notebook matches {assignments}")
    done: dict[str, tuple[Path, float]] = {}
    for source in sources:
        out = Path(out_root) / source.parent.name
        start = time.monotonic()
        nb = execute_notebook(source, out, graded_from=SOLUTION_PACKAGE_DIR, env=env)
        seconds = time.monotonic() - start
        executed = out / ipynb_path(source).name
        if html:
            from nbconvert import HTMLExporter

            page, _ = HTMLExporter().from_notebook_node(nb)
            executed.with_suffix(".html").write_text(page)
        done[source.parent.name] = (executed, seconds)
        print(f"{executed.with_suffix('.html' if html else '.ipynb')}  ({seconds:.0f} s)",
              flush=True)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    args = parser.parse_args(argv)
    try:
        run_walkthroughs(args.assignments)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
