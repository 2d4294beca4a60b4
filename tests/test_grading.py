"""The grading round trip with nbgrader for real: generate, submit, autograde, read scores.

One course is generated per test module and every kind of submission is graded in one
``nbgrader autograde`` run (quick mode: nbgrader sets NBGRADER_EXECUTION).
"""

import shutil
from pathlib import Path

import pytest

from cs231n_utils.course import PACKAGE_DIR, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.grading import autograde, scores, stage_submission
from cs231n_utils.course.release import generate_release, make_course
from cs231n_utils.course.stubs import find_regions, make_stub

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_knn"
MODULE = Path("classifiers/k_nearest_neighbor.py")
# The autograder cell that checks each graded function of 01_knn.
CELL = {
    "KNearestNeighbor.compute_distances_two_loops": "two_loops",
    "KNearestNeighbor.compute_distances_one_loop": "one_loop",
    "KNearestNeighbor.compute_distances_no_loops": "no_loops",
    "KNearestNeighbor.compute_distances_l1": "l1",
    "KNearestNeighbor.predict_labels": "predict_labels",
}
ONE_RIGHT = "KNearestNeighbor.compute_distances_no_loops"
NEVER_RETURNS = "KNearestNeighbor.compute_distances_two_loops"
CELL_TIMEOUT = 20


def replace_answer(source: str, function: str, new_body: list[str]) -> str:
    """The solution module with one function's answer replaced by ``new_body``."""
    lines = source.splitlines()
    region = next(r for r in find_regions(source) if r.function == function)
    lines[region.begin + 1:region.end] = [region.indent + line for line in new_body]
    return "\n".join(lines) + "\n"


def package_with(folder: Path, module_text: str) -> None:
    """A submission's cs231n_utils holding the graded module ``module_text``."""
    target = folder / "cs231n_utils" / MODULE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(module_text)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("course") / "course")
    generate_release(course)
    released = course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    answered = course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    solution = (SOLUTION_PACKAGE_DIR / MODULE).read_text()
    subs = tmp_path_factory.mktemp("submissions")

    def submission(name: str, notebook: Path) -> Path:
        folder = subs / name
        folder.mkdir()
        shutil.copy(notebook, folder / notebook.name)
        return folder

    # the instructor's answers: full marks
    folder = submission("solutions", answered)
    shutil.copytree(SOLUTION_PACKAGE_DIR, folder / "cs231n_utils")
    # the untouched release: no package at all, the stubs stay
    submission("release", released)
    # exactly one function right
    package_with(submission("one_right", released),
                 make_stub(solution, keep=lambda r: r.function == ONE_RIGHT))
    # everything right but a distance function that never returns
    package_with(submission("never_returns", released),
                 replace_answer(solution, NEVER_RETURNS, ["while True:", "    pass"]))
    # stubs, with the helpers and checks edited to pass everything
    folder = submission("edited_helper", released)
    shutil.copytree(PACKAGE_DIR, folder / "cs231n_utils",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "cs231n_utils" / "gradient_check.py").write_text(
        "def rel_error(x, y):\n    return 0.0\n")
    checks = folder / "cs231n_utils" / "checks" / "knn.py"
    checks.write_text("\n".join(
        f"def check_{cell}():\n    print('PASS')\n" for cell in CELL.values()))

    for student in sorted(p.name for p in subs.iterdir()):
        stage_submission(course, ASSIGNMENT, student, subs / student)
    proc = autograde(course, ASSIGNMENT, cell_timeout=CELL_TIMEOUT)
    results = {}
    for student in sorted(p.name for p in subs.iterdir()):
        assert (course / "grading" / "autograded" / student / ASSIGNMENT).is_dir(), (
            f"{student} was not autograded:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
        results[student] = scores(course, ASSIGNMENT, student)
    return results


def test_every_graded_function_has_its_cell(graded):
    cells = graded["solutions"]
    assert set(CELL.values()) <= set(cells), f"cells in the gradebook: {sorted(cells)}"


def test_solutions_score_full_marks(graded):
    lost = {cell: s for cell, s in graded["solutions"].items() if s[0] != s[1]}
    assert not lost, f"the solutions lost points in {lost}"
    assert sum(m for _, m in graded["solutions"].values()) > 0


def test_the_untouched_release_scores_zero(graded):
    assert graded["release"].keys() == graded["solutions"].keys()
    assert sum(s for s, _ in graded["release"].values()) == 0, graded["release"]


def test_one_function_right_gets_exactly_its_points(graded):
    expected = {cell: (m if cell == CELL[ONE_RIGHT] else 0.0)
                for cell, (_, m) in graded["solutions"].items()}
    got = {cell: s for cell, (s, _) in graded["one_right"].items()}
    assert got == expected


def test_a_function_that_never_returns_loses_only_its_cells(graded):
    expected = {cell: (0.0 if cell == CELL[NEVER_RETURNS] else m)
                for cell, (_, m) in graded["solutions"].items()}
    got = {cell: s for cell, (s, _) in graded["never_returns"].items()}
    assert got == expected


def test_editing_helpers_and_checks_gains_nothing(graded):
    assert sum(s for s, _ in graded["edited_helper"].values()) == 0, graded["edited_helper"]
