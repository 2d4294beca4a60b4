"""The student's self-check: a table of graded functions, written?, passes?, first failure."""

import subprocess
from pathlib import Path

import pytest
from grading_support import replace_answer

from cs231n_utils.course import REPO_ROOT, SOLUTION_PACKAGE_DIR
from cs231n_utils.course.overlay import build_overlay
from cs231n_utils.selfcheck import format_table, run_checks

MODULE = Path("classifiers/k_nearest_neighbor.py")


def test_the_solutions_pass_every_check(tmp_path):
    build_overlay(tmp_path, SOLUTION_PACKAGE_DIR)
    results = run_checks("01_knn", cwd=tmp_path)
    assert len(results) == 5
    assert all(r.written and r.passed and r.message.startswith("PASS") for r in results)
    assert format_table(results).endswith("5 of 5 checks pass")


def test_stubs_are_reported_as_not_written_with_the_section(tmp_path):
    build_overlay(tmp_path, tmp_path)  # nothing graded on top: the stubs
    results = run_checks("01_knn", cwd=tmp_path)
    assert not any(r.written or r.passed for r in results)
    assert 'see 01_knn, section 4 "Distances with two loops"' in results[0].message


def test_a_wrong_and_an_endless_function_each_cost_only_their_row(tmp_path):
    solution = (SOLUTION_PACKAGE_DIR / MODULE).read_text()
    broken = replace_answer(solution, "KNearestNeighbor.compute_distances_two_loops",
                            ["while True:", "    pass"])
    broken = replace_answer(broken, "KNearestNeighbor.compute_distances_l1",
                            ["dists = dists + 1.0"])
    submission = tmp_path / "submission"
    (submission / MODULE).parent.mkdir(parents=True)
    (submission / MODULE).write_text(broken)
    build_overlay(tmp_path / "run", submission)
    results = {r.function.split(".")[-1]: r for r in run_checks("01_knn", timeout=5,
                                                                  cwd=tmp_path / "run")}
    assert "did not finish within 5 s" in results["compute_distances_two_loops"].message
    l1 = results["compute_distances_l1"]
    assert l1.written and not l1.passed and "differs from scipy cdist" in l1.message
    assert results["compute_distances_no_loops"].passed


def test_unknown_assignment_names_the_accepted_values():
    with pytest.raises(ValueError, match="accepted values: .*01_knn"):
        run_checks("99_nope")


def test_make_check_prints_the_table_and_fails_while_stubs_remain():
    proc = subprocess.run(["make", "--no-print-directory", "check", "A=01_knn"], cwd=REPO_ROOT,
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "graded function" in proc.stdout and "0 of 5 checks pass" in proc.stdout


def test_a_check_covering_several_methods_runs_once(tmp_path, monkeypatch):
    # 04's PyTorch classes: one check per class covers __init__ and forward.
    import cs231n_utils.selfcheck as selfcheck

    calls = []

    def fake_run_one(module, check, timeout, cwd):
        calls.append(check)
        return True, True, f"PASS {check}"

    monkeypatch.setattr(selfcheck, "_run_one", fake_run_one)
    results = selfcheck.run_checks("04_cnn")
    rows = {r.function: r.message for r in results}
    assert rows["VGGBlock.__init__"] == rows["VGGBlock.forward"] == "PASS check_vgg_block"
    assert len(calls) == len(set(calls)) == 12 and len(results) == 16
