"""The stub generator: answers vanish, the student gets a message naming function and section."""

import ast
import textwrap

import pytest

from cs231n_utils.course.stubs import MarkerError, find_regions, make_stub, solution_lines

SOLUTION = textwrap.dedent('''\
    import numpy as np


    def top(x):
        """Doc."""
        ### BEGIN SOLUTION (01_knn, section 2 "Top")
        return np.sort(x)[::-1][:3]
        ### END SOLUTION


    class Model:
        def fit(self, X):
            self.X = X
            ### BEGIN SOLUTION (01_knn, section 5 "Fitting")
            self.mean_ = X.mean(axis=0)
            self.scale_ = X.std(axis=0) + 1e-12
            ### END SOLUTION
            return self
    ''')


def test_stub_replaces_each_region_and_names_function_and_section():
    stub = make_stub(SOLUTION)
    ast.parse(stub)
    assert "BEGIN SOLUTION" not in stub and "END SOLUTION" not in stub
    assert "np.sort(x)" not in stub and "self.mean_" not in stub
    ns: dict = {}
    exec(compile(stub, "stub", "exec"), ns)
    with pytest.raises(NotImplementedError, match=r'top .*01_knn, section 2 "Top"'):
        ns["top"]([1, 2, 3])
    with pytest.raises(NotImplementedError, match=r'Model\.fit .*section 5 "Fitting"'):
        ns["Model"]().fit(None)


def test_scaffold_outside_regions_is_kept():
    stub = make_stub(SOLUTION)
    assert '"""Doc."""' in stub and "self.X = X" in stub and "return self" in stub


def test_solution_lines_are_the_distinctive_answer_lines():
    lines = solution_lines(SOLUTION)
    assert "return np.sort(x)[::-1][:3]" in lines
    assert "self.scale_ = X.std(axis=0) + 1e-12" in lines
    assert all(line not in make_stub(SOLUTION) for line in lines)


B, E = "### BEGIN SOLUTION", "### END SOLUTION"


@pytest.mark.parametrize("bad, message", [
    (f"def f():\n    {B}\n    pass\n    {E}\n", "must name the notebook"),
    ("def f():\n    ### BEGIN SOLUTION (a)\n    pass\n", "never ended"),
    ("def f():\n    pass\n    ### END SOLUTION\n", "without BEGIN"),
    ("### BEGIN SOLUTION (a)\nx = 1\n### END SOLUTION\n", "inside a function"),
    (f"def f():\n    {B} (a)\n    {B} (b)\n    pass\n", "inside another"),
])
def test_malformed_markers_are_refused(bad, message):
    with pytest.raises(MarkerError, match=message):
        find_regions(bad, "bad.py")


def test_keep_leaves_chosen_answers_in_place():
    stub = make_stub(SOLUTION, keep=lambda r: r.function == "top")
    ns: dict = {}
    exec(compile(stub, "stub", "exec"), ns)
    assert list(ns["top"]([5, 1, 4, 2])) == [5, 4, 2]
    with pytest.raises(NotImplementedError):
        ns["Model"]().fit(None)


def test_every_marker_names_a_section_heading_of_its_notebook():
    """A stub's message says 'see <id>, section <n> "<title>"': that heading must exist."""
    import re

    from cs231n_utils.course import SOLUTION_PACKAGE_DIR, SOLUTIONS_DIR
    from cs231n_utils.course.overlay import graded_modules

    where = re.compile(r'^(?P<id>\w+), section (?P<n>\d+) "(?P<title>[^"]+)"$')
    missing = []
    for rel in graded_modules(SOLUTION_PACKAGE_DIR):
        for region in find_regions((SOLUTION_PACKAGE_DIR / rel).read_text(), str(rel)):
            match = where.match(region.where)
            assert match, f"{rel}: marker {region.where!r} is not '<id>, section <n> \"<title>\"'"
            notebook = SOLUTIONS_DIR / match["id"] / f"{match['id']}.nb.py"
            heading = f"# ## {match['n']}. {match['title']}\n"
            if not notebook.is_file() or heading not in notebook.read_text():
                missing.append(f"{rel} ({region.function}): {heading.strip()}")
    assert not missing, sorted(set(missing))
