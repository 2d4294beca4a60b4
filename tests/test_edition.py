"""The student edition (``make student-edition``): no answer in it, and it works on its own.

Unpacked into an empty folder, the edition sets itself up with its own Makefile. Its
third-party packages come from the suite's environment through a ``.pth`` line (a full
download of PyTorch, JupyterLab and nbgrader takes 3-5 minutes); the edition's own
package is installed by its own ``make setup`` and is the only ``cs231n_utils`` there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
from grading_support import CELL_TIMEOUT

from cs231n_utils.course import REPO_ROOT, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.edition import build_edition, student_pyproject
from cs231n_utils.course.notebooks import notebook_sources, text_to_notebook
from cs231n_utils.course.overlay import graded_modules
from cs231n_utils.course.stubs import solution_lines

MARKERS = re.compile(r"### (BEGIN|END) (SOLUTION|HIDDEN TESTS)")


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build_edition(out)
    return out


@pytest.fixture(scope="module")
def unpacked(dist, tmp_path_factory) -> Path:
    """student-edition.zip unpacked in an empty folder and set up by its own Makefile."""
    root = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(dist / "student-edition.zip") as zf:
        zf.extractall(root)
    edition = root / "student-edition"
    subprocess.run([sys.executable, "-m", "venv", str(edition / ".venv")], check=True)
    purelib = Path(sysconfig.get_paths()["purelib"])
    site = next((edition / ".venv" / "lib").glob("python3*/site-packages"))
    (site / "_suite_packages.pth").write_text(f"{purelib}\n")
    proc = subprocess.run(["make", "--no-print-directory", "setup", f"PYTHON={sys.executable}"],
                          cwd=edition, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return edition


def edition_lines(folder: Path) -> dict[str, set[str]]:
    """Every text file of the edition (notebooks: their cells' lines) -> its stripped lines."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.is_symlink() or ".venv" in path.parts:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue  # data: .npz, .pt
        if path.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        found[str(path.relative_to(folder))] = {line.strip() for line in text.splitlines()}
    return found


def notebook_answers(source: Path) -> set[str]:
    """Lines inside a solution notebook's answer and hidden-test regions, not outside them."""
    inside, outside = set(), set()
    for cell in text_to_notebook(source).cells:
        within = False
        for line in cell.source.splitlines():
            if MARKERS.search(line):
                within = "BEGIN" in line
            elif len(line.strip()) >= 12:
                (inside if within else outside).add(line.strip())
    return inside - outside


def own_secrets() -> dict[str, set[str]]:
    """Edition file -> the answer lines of its own source (graded module, notebook): the
    release's leak comparison, file by file."""
    found = {f"cs231n_utils/{rel}": solution_lines((SOLUTION_PACKAGE_DIR / rel).read_text())
             for rel in graded_modules()}
    for source in notebook_sources(REPO_ROOT / "solutions"):
        name = source.parent.name
        found[f"assignments/{name}/{name}.ipynb"] = notebook_answers(source)
    return found


def secret_lines() -> set[str]:
    """Distinctive lines of every answer and every hidden test that the instructor's
    student copy (package, released notebooks) does not show anyway: none may appear in
    any file of the edition."""
    secrets = set().union(*own_secrets().values())
    for path in (REPO_ROOT / "solutions" / "hidden_tests").glob("*.py"):
        secrets |= {line.strip() for line in path.read_text().splitlines()
                    if len(line.strip()) >= 12 and not line.strip().startswith("#")}
    public = set()
    for path in (REPO_ROOT / "cs231n_utils").rglob("*.py"):
        public |= {line.strip() for line in path.read_text().splitlines()}
    for path in (REPO_ROOT / "assignments").glob("*/*.ipynb"):
        public |= {line.strip() for c in nbformat.read(path, as_version=4).cells
                   for line in c.source.splitlines()}
    return secrets - public


def test_the_edition_holds_no_answer_and_no_instructor_part(dist):
    folder = dist / "student-edition"
    names = {str(p.relative_to(folder)) for p in folder.rglob("*")}
    for part in ("solutions", "hidden_tests", "tests", "cs231n_utils/course", "grading",
                 "nbgrader_config.py", "benchmarks", ".ci"):
        assert not any(n == part or n.startswith(part + "/") for n in names), part
    assert {"Makefile", "README.md", "pyproject.toml", "assignments/01_knn/01_knn.ipynb",
            "datasets/get_datasets.sh", "cs231n_utils/selfcheck.py",
            "cs231n_utils/submit.py"} <= names
    secrets, own = secret_lines(), own_secrets()
    assert len(secrets) > 500 and all(own.values())  # the comparisons compare something
    files = edition_lines(folder)
    assert set(own) <= set(files), set(own) - set(files)
    for name, lines in files.items():
        leaked = lines & (secrets | own.get(name, set()))
        assert not leaked, f"{name} holds answer or hidden-test lines: {sorted(leaked)[:3]}"
        assert not any(MARKERS.search(line) for line in lines), name


def test_every_zip_is_the_folder_and_each_assignment_has_its_own(dist):
    folder = dist / "student-edition"
    files = {str(p.relative_to(folder.parent)) for p in folder.rglob("*")
             if p.is_file() and not any(q.is_symlink() for q in [p, *p.parents])}
    with zipfile.ZipFile(dist / "student-edition.zip") as zf:
        assert set(zf.namelist()) == files
    for notebook in sorted(folder.glob("assignments/*/*.ipynb")):
        name = notebook.parent.name
        with zipfile.ZipFile(dist / f"student-edition-{name}.zip") as zf:
            notebooks = [n for n in zf.namelist() if n.endswith(".ipynb")]
        assert notebooks == [f"student-edition/assignments/{name}/{name}.ipynb"]


def test_the_student_readme_and_makefile_speak_to_students(dist):
    folder = dist / "student-edition"
    readme = (folder / "README.md").read_text()
    assert "make lab" in readme and "make check A=01_knn" in readme and "make submit" in readme
    assert "{assignments}" not in readme and "| `07_rnn` |" in readme
    assert "make test" not in readme and "solutions/" not in readme
    makefile = (folder / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.M))
    assert {"setup", "lab", "check", "submit"} <= targets and "test" not in targets
    # its lab is the student's JupyterLab (no Create Assignment, Formgrader, course list)
    assert 'JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter/student' in makefile
    assert (json.loads((folder / "jupyter/student/labconfig/page_config.json").read_text())
            == json.loads((REPO_ROOT / "jupyter/student/labconfig/page_config.json")
                          .read_text()))
    pyproject = (folder / "pyproject.toml").read_text()
    assert '"pytest' not in pyproject and "[tool.pytest" not in pyproject
    assert '"torch==' in pyproject and "[tool.setuptools.packages.find]" in pyproject


def test_student_pyproject_keeps_the_rest_of_the_dependencies():
    text = student_pyproject((REPO_ROOT / "pyproject.toml").read_text())
    assert '"numpy>=' in text and '"nbgrader>=' in text and '"distributed' not in text


@pytest.mark.slow
def test_make_check_in_a_fresh_folder_reports_the_stubs(unpacked):
    proc = subprocess.run(["make", "--no-print-directory", "check", "A=01_knn"], cwd=unpacked,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert "0 of 5 checks pass" in proc.stdout, proc.stdout + proc.stderr
    assert 'not written yet (see 01_knn, section 4 "Distances with two loops")' in proc.stdout
    # the edition's own package answered, not the instructor's
    where = subprocess.run([str(unpacked / ".venv" / "bin" / "python"), "-c",
                            "import cs231n_utils; print(cs231n_utils.__file__)"],
                           cwd="/", capture_output=True, text=True, check=True).stdout
    assert where.strip() == str(unpacked / "cs231n_utils" / "__init__.py")


RUN_UNTIL_STUB = """
import json, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
notebook = Path(sys.argv[1])
nb = nbformat.read(notebook, as_version=4)
try:
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    print(json.dumps({"ran": "all"}))
except CellExecutionError as error:
    print(json.dumps({"ran": "error", "message": str(error)[-3000:]}))
"""


@pytest.mark.slow
def test_its_notebooks_run_until_their_first_stub(unpacked):
    python = str(unpacked / ".venv" / "bin" / "python")
    env = dict(os.environ, CS231N_QUICK="1")
    for notebook in sorted(unpacked.glob("assignments/*/*.ipynb")):
        proc = subprocess.run([python, "-c", RUN_UNTIL_STUB, str(notebook)], cwd=unpacked,
                              env=env, capture_output=True, text=True, timeout=900)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        assert result["ran"] == "error", f"{notebook.name} ran to the end on the stubs"
        message = result["message"]
        assert "NotImplementedError" in message and "is not written yet" in message, (
            notebook.name, message[-1500:])


@pytest.mark.slow
def test_its_make_submit_is_graded_full_marks_with_the_answers_and_zero_without(
        unpacked, course, tmp_path, sandbox_works):
    from cs231n_utils.course.grade import grade_class
    from cs231n_utils.course.grading import scores

    zips = tmp_path / "zips"
    zips.mkdir()

    def submit(name: str) -> None:
        proc = subprocess.run(["make", "--no-print-directory", "submit", "A=01_knn"],
                              cwd=unpacked, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        shutil.move(unpacked / "submissions" / "01_knn.zip", zips / f"{name}.zip")

    submit("untouched")
    for rel in json.loads((unpacked / "cs231n_utils" / "graded_modules.json").read_text())[
            "01_knn"]:
        shutil.copy(SOLUTION_PACKAGE_DIR / rel, unpacked / "cs231n_utils" / rel)
    submit("answered")
    results = {r.student: r for r in grade_class("01_knn", zips, course_root=course, jobs=2,
                                                 cell_timeout=CELL_TIMEOUT)}
    assert not results["answered"].failure and not results["untouched"].failure
    answered, untouched = scores(course, "01_knn", "answered"), scores(course, "01_knn",
                                                                      "untouched")
    assert answered and all(score == top > 0 for score, top in answered.values()), answered
    assert all(score == 0 for score, _ in untouched.values()), untouched
