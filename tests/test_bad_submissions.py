"""The corpus of bad and hostile submissions (tests/bad_submissions.py), graded for real
by the grade command in the sandbox (the kinds whose notebook cells do the harm with the
notebooks run too, ``execute=True``): each scores what it deserves, nothing outside the
student's folder changes, nothing secret is readable, and the run finishes."""

import json
import socket
import threading
import zipfile

import pytest
from bad_submissions import ALL_CELLS, corpus
from grading_support import CELL_TIMEOUT, tree_digest

from cs231n_utils.course import REPO_ROOT
from cs231n_utils.course.grade import grade_class, summary

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(course, sandbox_works, tmp_path_factory):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(listener.accept())
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    # Kinds whose notebook cells do the harm are graded with the notebooks run in the
    # sandboxed kernel (execute=True); the others as a class is graded by default.
    zips = {run: tmp_path_factory.mktemp(f"bad_zips_{run}") for run in ("executed", "judged")}
    kinds = {bad.name: bad for bad in corpus(course, listener.getsockname()[1], REPO_ROOT)}
    for bad in kinds.values():
        run = "executed" if bad.says or bad.note or bad.name == "baseline" else "judged"
        with zipfile.ZipFile(zips[run] / f"{bad.name}.zip", "w") as zf:
            for name, data in bad.files.items():
                zf.writestr(name, data)
    # (the repository's own folders are checked by the planted files: other work may change
    # them while the suite runs)
    protected = [course / "solutions", course / "assignments", REPO_ROOT / "datasets"]
    before = tree_digest(*protected)
    results = {r.student: r for run, execute in (("executed", True), ("judged", False))
               for r in grade_class("01_knn", zips[run], course_root=course, jobs=2,
                                    cell_timeout=CELL_TIMEOUT, execute=execute)}
    after = tree_digest(*protected)
    stop.set()
    thread.join()
    listener.close()
    return kinds, results, before == after, connections, course


def autograded_text(course, student):
    folder = course / "grading" / "autograded" / student / "01_knn"
    nb = json.loads((folder / "01_knn.ipynb").read_text())
    return "\n".join("".join(o.get("text", "")) if isinstance(o.get("text"), list)
                     else o.get("text", "") for c in nb["cells"] for o in c.get("outputs", []))


def test_the_corpus_has_every_kind(graded):
    kinds, _, _, _, _ = graded
    assert len(kinds) - 1 >= 14  # the baseline is not a bad kind


def test_each_kind_scores_what_it_deserves(graded):
    kinds, results, _, _, _ = graded
    baseline = results["baseline"]
    assert not baseline.failure and baseline.score > 0
    assert all(baseline.cells[c] > 0 for c in ALL_CELLS)
    wrong = {}
    for name, bad in kinds.items():
        result = results[name]
        if bad.failure:
            if bad.failure not in result.failure or result.score != 0:
                wrong[name] = (result.failure, result.score)
            continue
        expected = {c: (0.0 if c in bad.zero else s) for c, s in baseline.cells.items()}
        if result.failure or result.cells != expected or bad.note not in result.note:
            wrong[name] = (result.failure, result.note, {
                c: s for c, s in result.cells.items() if s != expected.get(c)})
    assert not wrong, wrong


def test_hostile_cells_could_not_do_what_they_tried(graded):
    kinds, results, _, connections, course = graded
    for name, bad in kinds.items():
        if bad.says:
            text = autograded_text(course, name)
            assert bad.says in text, (name, text[:2000])
            assert "READ " not in text and "WROTE " not in text and "CONNECTED" not in text
    assert connections == [], "a submission reached the test's loopback port"


def test_nothing_outside_the_students_folders_changed(graded):
    _, _, unchanged, _, course = graded
    assert unchanged
    assert not (REPO_ROOT / "cs231n_utils" / "planted.txt").exists()
    assert not (course / "solutions" / "01_knn" / "planted.txt").exists()


def test_the_summary_names_each_failure(graded):
    kinds, results, _, _, _ = graded
    text = summary(list(results.values()))
    for name, bad in kinds.items():
        if bad.failure:
            assert f"{name}.zip" in text and bad.failure in text
