"""The corpus of in-process attacks (tests/attack_submissions.py), graded for real by the
grade command in the sandbox, each kind beside its honest version (the same wrong methods,
the attack code removed), all in one run: every attack loses exactly the cells of its
wrong methods, scores what its honest version scores, the verdicts and the gradebook
agree, nothing outside the students' folders changes and the run finishes."""

import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from attack_submissions import ALL_CELLS, Attack, corpus, zip_files
from grading_support import CELL_TIMEOUT, tree_digest

from cs231n_utils.course import REPO_ROOT
from cs231n_utils.course.grade import StudentResult, grade_class, verdicts_file
from cs231n_utils.course.grading import scores
from cs231n_utils.course.trusted.runner import read_verdicts

pytestmark = pytest.mark.slow
PLANTED = "planted_by_attack.txt"  # what forges_job_files tries to write in the course/repo
RUN_DEADLINE = 600


def within(seconds: float, function):
    """``function()``, run in a thread: a grader stuck for good (e.g. reading a FIFO that a
    submission left) fails the test instead of hanging it."""
    box = []

    def run():
        try:
            box.append((True, function()))
        except BaseException as error:  # noqa: BLE001 (raised again below)
            box.append((False, error))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if not box:
        pytest.fail(f"the grade run did not finish within {seconds} s")
    ok, value = box[0]
    if not ok:
        raise value
    return value


@dataclass
class Graded:
    kinds: dict[str, Attack]
    honest_of: dict[str, str]  # kind -> student id of its honest version
    results: dict[str, StudentResult]
    points: dict[str, dict[str, tuple[float, float]]]  # student -> {cell: (score, max)}
    course: Path
    unchanged: bool
    decoy: Path
    decoy_text: str
    marker: Path
    seconds: float

    def scores(self, student: str) -> dict[str, float]:
        return {cell: score for cell, (score, _) in self.points[student].items()}

    def full_except(self, student: str, zero: set[str]) -> dict[str, float]:
        return {cell: 0.0 if cell in zero else top
                for cell, (_, top) in self.points[student].items()}


@pytest.fixture(scope="module")
def graded(course, sandbox_works, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside_every_sandbox")
    decoy, marker = outside / "decoy.txt", outside / "unpickled"
    decoy_text = "the grader must never write here\n"
    decoy.write_text(decoy_text)
    kinds = {kind.name: kind for kind in corpus(course, REPO_ROOT, decoy, marker)}
    modules: dict[str, str] = {}
    honest_of = {}
    for name, kind in kinds.items():
        modules[f"attack_{name}"] = kind.attacked()
        honest = kind.honest()  # kinds with the same wrong methods share one
        honest_of[name] = next((s for s, text in modules.items()
                                if s.startswith("honest_") and text == honest), f"honest_{name}")
        modules.setdefault(honest_of[name], honest)
    zips = tmp_path_factory.mktemp("attack_zips")
    for student, module in modules.items():
        with zipfile.ZipFile(zips / f"{student}.zip", "w") as zf:
            for name, data in zip_files(module).items():
                zf.writestr(name, data)
    protected = [course / "solutions", course / "assignments", REPO_ROOT / "datasets"]
    before = tree_digest(*protected)
    start = time.monotonic()
    results = {r.student: r for r in within(RUN_DEADLINE, lambda: grade_class(
        "01_knn", zips, course_root=course, jobs=2, cell_timeout=CELL_TIMEOUT))}
    seconds = time.monotonic() - start
    after = tree_digest(*protected)
    points = {s: scores(course, "01_knn", s) for s in modules if not results[s].failure}
    return Graded(kinds, honest_of, results, points, course, before == after, decoy,
                  decoy_text, marker, seconds)


def test_the_corpus_has_every_kind(tmp_path):
    kinds = corpus(tmp_path, REPO_ROOT, tmp_path / "decoy", tmp_path / "marker")
    assert len(kinds) >= 12 and len({k.name for k in kinds}) == len(kinds)
    for kind in kinds:
        assert kind.zero and kind.zero < ALL_CELLS, kind.name  # some wrong, some right
        assert kind.attacked() != kind.honest() and kind.at_import and kind.tries, kind.name


def test_every_submission_was_graded(graded):
    print(f"graded {len(graded.results)} submissions in {graded.seconds:.1f} s")
    failed = {s: r.failure for s, r in graded.results.items() if r.failure}
    assert not failed, failed
    assert set(graded.points) == set(graded.results)


def test_each_attack_loses_exactly_its_wrong_cells(graded):
    wrong = {}
    for name, kind in graded.kinds.items():
        for student in (f"attack_{name}", graded.honest_of[name]):
            got, expected = graded.scores(student), graded.full_except(student, kind.zero)
            if got != expected:
                wrong[student] = {c: (s, expected[c]) for c, s in got.items()
                                  if s != expected[c]}
    assert not wrong, wrong


def test_nothing_a_submission_does_inside_its_process_changes_its_points(graded):
    changed = {name: (graded.scores(f"attack_{name}"), graded.scores(graded.honest_of[name]))
               for name in graded.kinds
               if graded.scores(f"attack_{name}") != graded.scores(graded.honest_of[name])}
    assert not changed, changed


def test_the_verdicts_and_the_gradebook_agree(graded):
    disagree = {}
    for student in graded.results:
        verdicts = read_verdicts(verdicts_file(graded.course, student, "01_knn"))
        assert set(verdicts) == set(graded.points[student]) == ALL_CELLS, student
        for cell, (score, top) in graded.points[student].items():
            verdict = verdicts[cell]
            if score != (top if verdict.passed else 0.0) or (
                    verdict.message.startswith("PASS") != verdict.passed):
                disagree[(student, cell)] = (score, top, verdict)
    assert not disagree, disagree


def test_the_verdicts_show_each_attack_ran(graded):
    for name, kind in graded.kinds.items():
        verdicts = read_verdicts(verdicts_file(graded.course, f"attack_{name}", "01_knn"))
        for cell, words in kind.says.items():
            assert words in verdicts[cell].message, (name, verdicts[cell])


def test_nothing_outside_the_students_folders_changed(graded):
    assert graded.unchanged  # the course's solutions and release, the repository's data
    assert graded.decoy.read_text() == graded.decoy_text  # job.json linked to it
    assert not graded.marker.exists()  # a pickled payload was never unpickled
    for root in (graded.course, REPO_ROOT):
        assert not (root / PLANTED).exists()
    assert not (graded.course / "grading" / PLANTED).exists()
