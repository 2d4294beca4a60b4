"""The instructor's grade command: zips in, grades CSV, feedback and a failure summary out."""

import csv
import zipfile
from pathlib import Path

import pytest
from grading_support import CELL_TIMEOUT

from cs231n_utils.course import ASSIGNMENTS_DIR, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.grade import (
    SubmissionError,
    grade_class,
    main,
    safe_unpack,
    student_id,
    summary,
)

pytestmark = pytest.mark.slow

NOTEBOOK = ASSIGNMENTS_DIR / "01_knn" / "01_knn.ipynb"
MODULE = "classifiers/k_nearest_neighbor.py"


def make_zip(path: Path, entries: dict[str, Path | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in entries.items():
            if isinstance(content, Path):
                zf.write(content, name)
            else:
                zf.writestr(name, content)
    return path


@pytest.fixture(scope="module")
def graded(course, sandbox_works, tmp_path_factory):
    zips = tmp_path_factory.mktemp("zips")
    make_zip(zips / "alice.zip", {"01_knn.ipynb": NOTEBOOK,
                                  f"cs231n_utils/{MODULE}": SOLUTION_PACKAGE_DIR / MODULE})
    make_zip(zips / "bob__late.zip", {"work/01_knn.ipynb": NOTEBOOK})
    (zips / "carol.zip").write_bytes(b"this is not a zip")
    make_zip(zips / "dave.zip", {})
    make_zip(zips / "eve.zip", {"../../escaped.txt": b"x"})
    make_zip(zips / "frank.zip", {"notes.txt": b"forgot the notebook"})
    make_zip(zips / "alice__again.zip", {"01_knn.ipynb": NOTEBOOK})
    make_zip(zips / "bad name!.zip", {"01_knn.ipynb": NOTEBOOK})
    def grade():
        return {r.zip_name: r for r in grade_class("01_knn", zips, course_root=course, jobs=2,
                                                   cell_timeout=CELL_TIMEOUT)}

    first, second = grade(), grade()
    return course, zips, first, second


def test_good_submissions_are_graded(graded):
    _, _, results, _ = graded
    assert results["alice.zip"].failure == ""
    assert results["alice.zip"].score == 12 and results["alice.zip"].max_score == 17
    # a notebook inside a folder of the zip is found; nothing written scores 0
    assert results["bob__late.zip"].failure == "" and results["bob__late.zip"].score == 0


@pytest.mark.parametrize("zip_name, reason", [
    ("carol.zip", "not a readable zip file"),
    ("dave.zip", "the zip file is empty"),
    ("eve.zip", "points outside its folder"),
    ("frank.zip", "does not hold 01_knn.ipynb"),
    ("alice__again.zip", "student id 'alice' also has alice.zip"),
    ("bad name!.zip", "does not start with a student id"),
])
def test_each_bad_submission_is_reported_and_the_rest_go_on(graded, zip_name, reason):
    _, _, results, _ = graded
    assert reason in results[zip_name].failure
    assert results[zip_name].score == 0


def test_nothing_escapes_the_unpack_folder(graded):
    course, zips, _, _ = graded
    assert not list(course.parent.rglob("escaped.txt"))
    assert not list(zips.parent.rglob("escaped.txt"))


def test_csv_and_feedback_are_written(graded):
    course, _, results, _ = graded
    rows = list(csv.DictReader(open(course / "grading" / "grades" / "01_knn.csv")))
    assert {row["zip"] for row in rows} == set(results)
    alice = next(row for row in rows if row["zip"] == "alice.zip")
    assert float(alice["score"]) == 12 and float(alice["no_loops"]) == 3
    assert (course / "grading" / "feedback" / "alice" / "01_knn" / "01_knn.html").is_file()
    text = summary(list(results.values()))
    assert "2 graded, 6 failed" in text and "FAILED: the zip file is empty" in text


def test_grading_again_gives_the_same_results(graded):
    _, _, first, second = graded
    assert {k: (r.score, r.failure) for k, r in first.items()} == \
        {k: (r.score, r.failure) for k, r in second.items()}


def test_student_ids_and_unpacking(tmp_path):
    assert student_id(Path("a-1_b.zip")) == "a-1_b"
    assert student_id(Path("s123__01_knn_final.zip")) == "s123"
    with pytest.raises(SubmissionError):
        student_id(Path("-starts-with-a-dash.zip"))
    absolute = tmp_path / "abs.zip"
    with zipfile.ZipFile(absolute, "w") as zf:
        info = zipfile.ZipInfo("placeholder")
        info.filename = str(tmp_path / "outside.txt")  # an absolute path inside the zip
        zf.writestr(info, b"x")
    with pytest.raises(SubmissionError, match="outside"):
        safe_unpack(absolute, tmp_path / "out")
    assert not (tmp_path / "outside.txt").exists()


def test_the_command_line_refuses_bad_arguments(tmp_path, capsys):
    assert main(["01_knn", str(tmp_path / "missing")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert main(["01_knn", str(tmp_path), "--jobs", "0"]) == 2


def test_make_grade_explains_its_arguments():
    import subprocess

    from cs231n_utils.course import REPO_ROOT

    proc = subprocess.run(["make", "--no-print-directory", "grade", "A=01_knn"],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode != 0 and "usage: make grade A=01_knn ZIPS=folder" in proc.stdout


def test_grading_refuses_without_a_sandbox_unless_told(tmp_path, monkeypatch, capsys):
    import cs231n_utils.course.grade as grade

    monkeypatch.setattr(grade, "bwrap_problem", lambda: "bubblewrap (bwrap) is not installed")
    (tmp_path / "zips").mkdir()
    assert main(["01_knn", str(tmp_path / "zips"), "--course", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "NOT GRADING: bubblewrap (bwrap) is not installed" in err and "--unsandboxed" in err


def test_the_csv_the_gradebook_the_verdicts_and_the_feedback_agree(graded):
    """One source of truth: the trusted verdicts decide the gradebook's scores, the CSV is
    read from the gradebook, and the feedback shows each verdict's message."""
    import html

    from cs231n_utils.course.grade import verdicts_file
    from cs231n_utils.course.grading import scores
    from cs231n_utils.course.trusted.runner import read_verdicts

    course, _, results, _ = graded
    rows = {row["student"]: row for row in
            csv.DictReader(open(course / "grading" / "grades" / "01_knn.csv"))
            if not row["failure"]}
    for student in ("alice", "bob"):
        verdicts = read_verdicts(verdicts_file(course, student, "01_knn"))
        book = scores(course, "01_knn", student)
        assert set(verdicts) == set(book) and verdicts
        for cell, (score, top) in book.items():
            assert score == (top if verdicts[cell].passed else 0.0), (student, cell)
            assert float(rows[student][cell]) == score
        page = html.unescape((course / "grading" / "feedback" / student / "01_knn" /
                              "01_knn.html").read_text())
        for verdict in verdicts.values():
            assert verdict.message.split(" (at ")[0] in page, verdict.message
    assert not any(v.passed for v in read_verdicts(verdicts_file(course, "bob", "01_knn"))
                   .values())


def test_the_feedback_never_shows_an_expected_value(course, tmp_path):
    """A wrong answer's feedback says how far off it is, not what was expected."""
    import html

    from grading_support import replace_answer

    from cs231n_utils.course.grade import verdicts_file
    from cs231n_utils.course.trusted.runner import read_verdicts

    wrong = replace_answer((SOLUTION_PACKAGE_DIR / MODULE).read_text(),
                           "KNearestNeighbor.compute_distances_l1",
                           ["return np.full((X.shape[0], self.X_train.shape[0]), 1.5)"])
    (tmp_path / "zips").mkdir()
    make_zip(tmp_path / "zips" / "mallory.zip",
             {"01_knn.ipynb": NOTEBOOK, f"cs231n_utils/{MODULE}": wrong.encode()})
    (result,) = grade_class("01_knn", tmp_path / "zips", course_root=course,
                            cell_timeout=CELL_TIMEOUT)
    assert result.cells["l1"] == 0 and result.score == 10
    message = read_verdicts(verdicts_file(course, "mallory", "01_knn"))["l1"].message
    assert "differs from scipy cdist (L1) by up to" in message and "expected" not in message
    page = html.unescape((course / "grading" / "feedback" / "mallory" / "01_knn" /
                          "01_knn.html").read_text())
    assert message in page
