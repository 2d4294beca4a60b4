"""The overlay: trusted helpers, and graded modules taken only from where they are asked."""

import json
import subprocess
import sys
from pathlib import Path

from cs231n_utils.course.overlay import build_overlay, graded_modules


def make_packages(tmp_path: Path):
    base = tmp_path / "base"
    (base / "classifiers").mkdir(parents=True)
    (base / "__init__.py").write_text("")
    (base / "classifiers" / "__init__.py").write_text("")
    (base / "helper.py").write_text("def rel_error(x, y):\n    return abs(x - y)\n")
    (base / "classifiers" / "model.py").write_text("def f():\n    raise NotImplementedError\n")
    solution = tmp_path / "solution"
    (solution / "classifiers").mkdir(parents=True)
    (solution / "classifiers" / "model.py").write_text("def f():\n    return 'solved'\n")
    return base, solution


def run_in(folder: Path, code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def test_graded_modules_are_the_files_under_solutions(tmp_path):
    _, solution = make_packages(tmp_path)
    assert graded_modules(solution) == [Path("classifiers/model.py")]


def test_solutions_on_top_win_over_the_installed_package(tmp_path):
    base, solution = make_packages(tmp_path)
    dest = tmp_path / "run"
    build_overlay(dest, solution, base=base, solution_package=solution,
                  datasets_dir=tmp_path)
    # the kernel's working directory comes first on sys.path
    assert run_in(dest, "from cs231n_utils.classifiers.model import f; print(f())") == "solved"
    info = json.loads((dest / "cs231n_utils" / "_overlay.json").read_text())
    assert info["datasets_dir"] == str(tmp_path.resolve())
    assert info["graded_modules_taken"] == ["classifiers/model.py"]


def test_a_submission_brings_only_graded_modules(tmp_path):
    base, solution = make_packages(tmp_path)
    submission = tmp_path / "submission"
    (submission / "classifiers").mkdir(parents=True)
    (submission / "classifiers" / "model.py").write_text("def f():\n    return 'mine'\n")
    (submission / "helper.py").write_text("def rel_error(x, y):\n    return 0\n")
    (submission / "extra.py").write_text("X = 1\n")
    dest = tmp_path / "run"
    pkg = build_overlay(dest, submission, base=base, solution_package=solution,
                        datasets_dir=tmp_path)
    assert (pkg / "helper.py").read_text() == (base / "helper.py").read_text()
    assert not (pkg / "extra.py").exists()
    assert run_in(dest, "from cs231n_utils.classifiers.model import f; print(f())") == "mine"
    assert run_in(dest, "from cs231n_utils.helper import rel_error; print(rel_error(3, 1))") == "2"


def test_a_missing_graded_module_stays_the_stub(tmp_path):
    base, solution = make_packages(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    pkg = build_overlay(tmp_path / "run", empty, base=base, solution_package=solution,
                        datasets_dir=tmp_path)
    assert "NotImplementedError" in (pkg / "classifiers" / "model.py").read_text()
    assert json.loads((pkg / "_overlay.json").read_text())["graded_modules_taken"] == []


def test_rebuilding_replaces_the_old_overlay(tmp_path):
    base, solution = make_packages(tmp_path)
    dest = tmp_path / "run"
    build_overlay(dest, solution, base=base, solution_package=solution, datasets_dir=tmp_path)
    (dest / "cs231n_utils" / "stale.py").write_text("")
    empty = tmp_path / "empty"
    empty.mkdir()
    pkg = build_overlay(dest, empty, base=base, solution_package=solution, datasets_dir=tmp_path)
    assert not (pkg / "stale.py").exists()
    assert "NotImplementedError" in (pkg / "classifiers" / "model.py").read_text()


def test_the_test_suite_imports_the_solutions():
    from cs231n_utils.classifiers import k_nearest_neighbor
    from cs231n_utils.course import SOLUTION_PACKAGE_DIR

    assert Path(k_nearest_neighbor.__file__).is_relative_to(SOLUTION_PACKAGE_DIR)
    import cs231n_utils.gradient_check as helper

    assert not Path(helper.__file__).is_relative_to(SOLUTION_PACKAGE_DIR)
