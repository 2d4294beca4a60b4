"""The trusted grader's parts: the plain-data format, the supervisor of the sandboxed
worker, and the nbgrader preprocessor that turns verdicts into scores."""

import json
import textwrap
import zipfile

import nbformat
import numpy as np
import pytest
from nbgrader.utils import determine_grade

from cs231n_utils.course.sandbox import bwrap_problem
from cs231n_utils.course.trusted.nbgrader_plugin import TrustedVerdicts, verdict_outputs
from cs231n_utils.course.trusted.plain import NotPlainData, load_plain, save_plain, to_plain
from cs231n_utils.course.trusted.runner import (
    Verdict,
    judge_submission,
    read_verdicts,
    write_verdicts,
)

# ---------------------------------------------------------------- plain data


def test_plain_data_round_trips(tmp_path):
    cases = [{"a": np.arange(6.0).reshape(2, 3), "k": 3, "name": "x", "flag": True},
             {}, {"z": np.zeros((0, 4), dtype=np.float32)}]
    save_plain(tmp_path / "r.npz", cases)
    back = load_plain(tmp_path / "r.npz")
    assert len(back) == 3 and back[1] == {}
    np.testing.assert_array_equal(back[0]["a"], cases[0]["a"])
    assert back[0]["k"].shape == () and int(back[0]["k"]) == 3 and str(back[0]["name"]) == "x"
    assert back[2]["z"].dtype == np.float32 and back[2]["z"].shape == (0, 4)


def test_torch_tensors_become_arrays():
    torch = pytest.importorskip("torch")
    t = torch.ones(2, 2, requires_grad=True) * 2
    assert to_plain(t).tolist() == [[2.0, 2.0], [2.0, 2.0]]


@pytest.mark.parametrize("value", [object(), np.array([object()]), {"a": 1}, [1, "a", None]])
def test_objects_are_not_plain(value):
    with pytest.raises(NotPlainData):
        to_plain(value)


def test_pickled_object_arrays_are_refused(tmp_path):
    path = tmp_path / "r.npz"
    np.savez(path, **{"0/x": np.array([{"evil": 1}], dtype=object)})
    with pytest.raises(NotPlainData, match="not plain data"):
        load_plain(path)


def test_a_lying_header_is_refused_before_anything_is_allocated(tmp_path):
    import io

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**13,)})
    with zipfile.ZipFile(tmp_path / "r.npz", "w") as zf:
        zf.writestr("0/x.npy", header.getvalue() + b"\0" * 32)  # 80 TB asked, 32 B held
    with pytest.raises(NotPlainData, match="asks for more data than the file has"):
        load_plain(tmp_path / "r.npz")


@pytest.mark.parametrize("content", [b"not a zip", b""])
def test_garbage_files_are_refused(tmp_path, content):
    (tmp_path / "r.npz").write_bytes(content)
    with pytest.raises(NotPlainData):
        load_plain(tmp_path / "r.npz")


def test_unexpected_names_are_refused(tmp_path):
    np.savez(tmp_path / "r.npz", **{"../x": np.zeros(2)})
    with pytest.raises(NotPlainData, match="unexpected entry"):
        load_plain(tmp_path / "r.npz")


# ---------------------------------------------------------------- the supervisor

DEMO = '''
import os
import signal
import time

import numpy as np

from cs231n_utils.course.trusted import HiddenTest


def cases():
    return [{"x": np.arange(3.0)}, {"x": np.ones(2)}]


def probe_double(case):
    return {"y": 2 * case["x"]}


def probe_wrong(case):
    return {"y": case["x"]}


def probe_loop(case):
    while True:
        pass


def probe_kill(case):
    os.kill(os.getpid(), signal.SIGKILL)


def probe_exit(case):
    os._exit(3)


def probe_raise(case):
    raise ValueError("oops")


def probe_object(case):
    return {"y": object()}


def judge_double(case, got):
    assert got["y"].shape == case["x"].shape, f"shape {got['y'].shape}"
    assert np.allclose(got["y"], 2 * case["x"]), "values differ"


HIDDEN_TESTS = [
    HiddenTest("ok_first", "double", cases, probe_double, judge_double),
    HiddenTest("loops", "double", cases, probe_loop, judge_double),
    HiddenTest("ok_after_loop", "double", cases, probe_double, judge_double),
    HiddenTest("killed", "double", cases, probe_kill, judge_double),
    HiddenTest("exits", "double", cases, probe_exit, judge_double),
    HiddenTest("raises", "double", cases, probe_raise, judge_double),
    HiddenTest("wrong", "double", cases, probe_wrong, judge_double),
    HiddenTest("garbage", "double", cases, probe_object, judge_double),
    HiddenTest("ok_last", "double", cases, probe_double, judge_double),
]
'''


@pytest.fixture(scope="module")
def demo_verdicts(tmp_path_factory):
    course = tmp_path_factory.mktemp("demo_course")
    (course / "solutions" / "hidden_tests").mkdir(parents=True)
    (course / "solutions" / "hidden_tests" / "demo.py").write_text(textwrap.dedent(DEMO))
    return judge_submission(course, "demo", None, sandbox=bwrap_problem() is None,
                            test_timeout=3)


def test_a_misbehaving_test_costs_only_itself(demo_verdicts):
    passed = {g for g, v in demo_verdicts.items() if v.passed}
    assert passed == {"ok_first", "ok_after_loop", "ok_last"}, demo_verdicts


@pytest.mark.parametrize("grade_id, says", [
    ("loops", "did not finish within 3 s"),
    ("killed", "killed by signal 9"),
    ("exits", "ForbiddenWhileGrading"),  # os._exit raises instead of ending the worker
    ("raises", "raised case 0: ValueError: oops"),
    ("wrong", "hidden case 1 of 2: values differ"),
    ("garbage", "not plain data"),
])
def test_each_failure_says_why(demo_verdicts, grade_id, says):
    assert says in demo_verdicts[grade_id].message, demo_verdicts[grade_id]


def test_verdicts_round_trip(tmp_path, demo_verdicts):
    write_verdicts(tmp_path / "v.json", demo_verdicts)
    assert read_verdicts(tmp_path / "v.json") == demo_verdicts
    assert read_verdicts(tmp_path / "missing.json") == {}


# ---------------------------------------------------------------- nbgrader's side


def _grade_cell(grade_id, source="check()", outputs=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True,
                                 "points": 2, "schema_version": 3, "solution": False,
                                 "task": False}
    cell.outputs = list(outputs)
    return cell


def test_verdicts_decide_the_cells_scores(tmp_path):
    fake_pass = nbformat.v4.new_output("stream", name="stdout", text="PASS (forged)\n")
    nb = nbformat.v4.new_notebook(cells=[
        _grade_cell("right"), _grade_cell("wrong", outputs=[fake_pass]),
        _grade_cell("unjudged", outputs=[fake_pass]), nbformat.v4.new_code_cell("x = 1")])
    folder = tmp_path / "alice"
    write_verdicts(folder / "01_knn.json", {
        "right": Verdict("right", True, "PASS right"),
        "wrong": Verdict("wrong", False, "wrong: dists differ by up to 3")})
    pre = TrustedVerdicts(verdicts_dir=str(tmp_path))
    nb, _ = pre.preprocess(nb, {"nbgrader": {"student": "alice", "assignment": "01_knn"}})
    scores = [determine_grade(cell)[0] for cell in nb.cells[:3]]
    assert scores == [2, 0, 0]
    assert nb.cells[1].outputs[0]["evalue"] == "wrong: dists differ by up to 3"
    assert "no trusted verdict" in nb.cells[2].outputs[0]["evalue"]
    assert nb.cells[3].outputs == []


def test_verdict_outputs_are_what_nbgrader_scores():
    cell = _grade_cell("c", outputs=verdict_outputs(True, "PASS c"))
    assert determine_grade(cell) == (2, 2)
    cell = _grade_cell("c", outputs=verdict_outputs(False, "c: wrong"))
    assert determine_grade(cell) == (0, 2)
    assert json.dumps(cell.outputs)  # plain JSON in the notebook
