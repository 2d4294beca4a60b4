"""Executed solution walkthroughs for self-learners.

``python -m cs231n_utils.course.walkthroughs [assignment ...]`` (``make walkthroughs``) runs
every solution notebook top to bottom with the solutions overlaid and writes the executed
notebook and an HTML page to ``walkthroughs/<assignment>/`` (not committed: committed
notebooks carry no outputs).
"""

from __future__ import annotations

import argparse
import sys
import time

from cs231n_utils.course import REPO_ROOT, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.notebooks import execute_notebook, ipynb_path, notebook_sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    args = parser.parse_args(argv)
    from nbconvert import HTMLExporter

    sources = [s for s in notebook_sources(REPO_ROOT / "solutions")
               if not args.assignments or s.parent.name in args.assignments]
    if not sources:
        print(f"no solution notebook matches {args.assignments}", file=sys.stderr)
        return 2
    for source in sources:
        out = REPO_ROOT / "walkthroughs" / source.parent.name
        start = time.monotonic()
        nb = execute_notebook(source, out, graded_from=SOLUTION_PACKAGE_DIR)
        html, _ = HTMLExporter().from_notebook_node(nb)
        page = out / ipynb_path(source).with_suffix(".html").name
        page.write_text(html)
        print(f"{page.relative_to(REPO_ROOT)}  ({time.monotonic() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
