"""The student's submit command: notebooks + graded modules + manifest, with warnings."""

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from cs231n_utils.course import ASSIGNMENTS_DIR, PACKAGE_DIR, SOLUTION_PACKAGE_DIR
from cs231n_utils.submit import build_submission, main

MODULE = "classifiers/k_nearest_neighbor.py"


@pytest.fixture
def workbook(tmp_path):
    shutil.copytree(ASSIGNMENTS_DIR / "01_knn", tmp_path / "assignments" / "01_knn")
    shutil.copytree(PACKAGE_DIR, tmp_path / "cs231n_utils",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def run_all_cells(notebook: Path, order=None):
    nb = json.loads(notebook.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for count, cell in zip(order or range(1, len(code) + 1), code, strict=False):
        cell["execution_count"] = count
    notebook.write_text(json.dumps(nb))


def test_an_untouched_copy_is_zipped_with_both_warnings(workbook):
    out, warnings = build_submission("01_knn", workbook, workbook / "s.zip")
    assert any("never run" in w for w in warnings)
    assert any("still a stub" in w and "compute_distances_two_loops" in w for w in warnings)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["01_knn.ipynb", f"cs231n_utils/{MODULE}",
                                         "manifest.json"]
        manifest = json.loads(zf.read("manifest.json"))
        for name, digest in manifest["files"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest
    assert manifest["assignment"] == "01_knn" and manifest["warnings"] == warnings
    assert manifest["created"].endswith("+00:00")


def test_finished_work_run_in_order_gives_no_warning(workbook):
    shutil.copy(SOLUTION_PACKAGE_DIR / MODULE, workbook / "cs231n_utils" / MODULE)
    run_all_cells(workbook / "assignments" / "01_knn" / "01_knn.ipynb")
    _, warnings = build_submission("01_knn", workbook, workbook / "s.zip")
    assert warnings == []


def test_cells_run_out_of_order_or_skipped_are_reported(workbook):
    notebook = workbook / "assignments" / "01_knn" / "01_knn.ipynb"
    n = sum(c["cell_type"] == "code" for c in json.loads(notebook.read_text())["cells"])
    run_all_cells(notebook, order=[2, 1, *range(3, n + 1)])
    _, warnings = build_submission("01_knn", workbook, workbook / "s.zip")
    assert any("out of order" in w for w in warnings)
    run_all_cells(notebook, order=list(range(1, n)))  # the last cell never ran
    nb = json.loads(notebook.read_text())
    [c for c in nb["cells"] if c["cell_type"] == "code"][-1]["execution_count"] = None
    notebook.write_text(json.dumps(nb))
    _, warnings = build_submission("01_knn", workbook, workbook / "s.zip")
    assert any(f"1 of {n} code cells were not run" in w for w in warnings)


def test_the_command_line(workbook, capsys):
    assert main(["01_knn", "--workbook", str(workbook)]) == 0
    assert (workbook / "submissions" / "01_knn.zip").is_file()
    assert "WARNING" in capsys.readouterr().out
    assert main(["99_nope", "--workbook", str(workbook)]) == 2
    assert "accepted values: 01_knn" in capsys.readouterr().err


def test_make_submit_writes_the_zip_in_the_repository():
    import subprocess

    from cs231n_utils.course import REPO_ROOT

    out = REPO_ROOT / "submissions" / "01_knn.zip"
    proc = subprocess.run(["make", "--no-print-directory", "submit", "A=01_knn"],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    try:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert f"wrote {out}" in proc.stdout
        with zipfile.ZipFile(out) as zf:
            assert "manifest.json" in zf.namelist()
    finally:
        out.unlink(missing_ok=True)
