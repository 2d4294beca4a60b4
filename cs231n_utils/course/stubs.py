"""Turn a complete graded module into the student's stub.

In ``solutions/cs231n_utils`` an answer stands between two marker lines: three hashes
and ``BEGIN SOLUTION (01_knn, section 3 "Distances with two loops")`` before it, three
hashes and ``END SOLUTION`` after it (nbgrader's markers; they are not spelt out here, so
that this file, which ships in the student package, holds no marker a leak check would
flag).

The parenthesis names the notebook section that explains the function; it is required.
The student copy gets, in place of the whole region, a ``raise NotImplementedError`` whose
message names the function and that section.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

HASHES = "#" * 3
BEGIN = re.compile(r"^(?P<indent>\s*)#{3} BEGIN SOLUTION(?:\s+\((?P<where>.+)\))?\s*$")
END = re.compile(r"^\s*#{3} END SOLUTION\s*$")

HEADER = (
    "# Student copy, generated from the instructor's solutions by `make release`.\n"
    "# Fill in every part that raises NotImplementedError; keep names and signatures.\n"
    "# (The names your answers define are still missing here, hence:)\n"
    "# ruff: noqa: F405, F821, F841\n"
)


class MarkerError(ValueError):
    """A solution file's markers are unbalanced or lack the notebook section."""


@dataclass(frozen=True)
class Region:
    """One solution region: lines ``begin``..``end`` (0-based, inclusive)."""

    begin: int
    end: int
    indent: str
    where: str
    function: str


def _function_names(source: str) -> dict[int, str]:
    """Map each 1-based line to the qualified name of the innermost function around it."""
    names: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qual = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    for line in range(child.lineno, (child.end_lineno or child.lineno) + 1):
                        names[line] = qual
                visit(child, qual + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return names


def find_regions(source: str, filename: str = "<source>") -> list[Region]:
    """Return the solution regions of a module, checking that the markers are well formed."""
    lines = source.splitlines()
    functions = _function_names(source)
    regions: list[Region] = []
    start = None
    for i, line in enumerate(lines):
        begin = BEGIN.match(line)
        if begin:
            if start is not None:
                raise MarkerError(f"{filename}:{i + 1}: BEGIN SOLUTION inside another region")
            if not begin["where"]:
                raise MarkerError(
                    f"{filename}:{i + 1}: the BEGIN SOLUTION marker must name the notebook "
                    f'section, e.g. {HASHES} BEGIN SOLUTION (01_knn, section 3 "Distances")'
                )
            start = (i, begin["indent"], begin["where"].strip())
        elif END.match(line):
            if start is None:
                raise MarkerError(f"{filename}:{i + 1}: END SOLUTION without BEGIN SOLUTION")
            function = functions.get(start[0] + 1)
            if function is None:
                raise MarkerError(f"{filename}:{start[0] + 1}: a solution region must be "
                                  "inside a function")
            regions.append(Region(start[0], i, start[1], start[2], function))
            start = None
    if start is not None:
        raise MarkerError(f"{filename}:{start[0] + 1}: BEGIN SOLUTION is never ended")
    return regions


def make_stub(source: str, filename: str = "<source>", *,
              keep: Callable[[Region], bool] | None = None) -> str:
    """Return the student copy of a complete graded module.

    ``keep(region)`` returning True leaves that answer in place (tests use it to build a
    submission with exactly one function right).
    """
    lines = source.splitlines()
    out: list[str] = []
    last = 0
    for region in find_regions(source, filename):
        out.extend(lines[last:region.begin])
        if keep is not None and keep(region):
            out.extend(lines[region.begin + 1:region.end])
            last = region.end + 1
            continue
        message = (f"{region.function} is not written yet: fill it in, "
                   f"guided by {region.where}.")
        ind = region.indent
        out.append(f"{ind}# YOUR CODE HERE")
        out.append(f"{ind}raise NotImplementedError(")
        pieces = textwrap.wrap(message, width=max(40, 88 - len(ind)), drop_whitespace=False)
        out.extend(f"{ind}    {piece!r}" for piece in pieces)
        out.append(f"{ind})")
        last = region.end + 1
    out.extend(lines[last:])
    # An import that only an answer used would be left unused here (ruff F401): graded
    # modules import at the top only what their scaffold needs.
    return HEADER + "\n".join(out) + "\n"


def solution_lines(source: str, filename: str = "<source>") -> set[str]:
    """The distinctive lines of the answers: answer lines that appear nowhere else.

    Used by the leak test: none of them may be found in the student copy.
    """
    lines = source.splitlines()
    inside: set[int] = set()
    for region in find_regions(source, filename):
        inside.update(range(region.begin + 1, region.end))
    outside = {lines[i].strip() for i in range(len(lines)) if i not in inside}
    return {
        lines[i].strip()
        for i in inside
        if len(lines[i].strip()) >= 12 and not lines[i].strip().startswith("#")
        and lines[i].strip() not in outside
    }
