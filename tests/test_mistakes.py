"""The mistake catalogue (cs231n_utils.checks.mistakes): every catalogued mistake, swapped
into the solution, is named by its visible check and by the trusted grader's feedback, and
by no other diagnosis; the solution is named by none; mutants outside the catalogue get
no false diagnosis.

The test process has the solutions laid over the package (tests/conftest.py); a mistake is
"swapped in" by replacing the graded function (or method) with the catalogued variant.
"""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import re
import textwrap
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from cs231n_utils.checks import mistakes
from cs231n_utils.course import SOLUTION_PACKAGE_DIR
from cs231n_utils.course.trusted.plain import load_plain, save_plain
from cs231n_utils.course.trusted.runner import _diagnosis
from cs231n_utils.course.trusted.spec import load_hidden_tests
from cs231n_utils.selfcheck import checks_modules

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = {a: c for a in mistakes.CATALOGUE_MODULES
              if (ROOT / "cs231n_utils" / "checks" / "catalogue"
                  / f"{mistakes.CATALOGUE_MODULES[a]}.py").is_file()
              for c in [mistakes.catalogue_of(a)]}
CASES = [(a, m, f) for a, c in CATALOGUES.items() for m in c.mistakes for f in m.functions]
FUNCTIONS = [(a, f) for a, c in CATALOGUES.items() for f in c.graded]


def _id(case: tuple) -> str:
    return "-".join(str(getattr(part, "name", part)) for part in case)


@contextmanager
def swapped(assignment: str, function: str, replacement):
    """``function`` (``name`` or ``Class.method``) replaced by ``replacement``."""
    graded = CATALOGUES[assignment].graded[function]
    module = importlib.import_module(f"cs231n_utils.{graded.module}")
    owner_name, _, attr = function.rpartition(".")
    owner = getattr(module, owner_name) if owner_name else module
    old = inspect.getattr_static(owner, attr)
    setattr(owner, attr, replacement)
    try:
        yield
    finally:
        setattr(owner, attr, old)


def run_check(assignment: str, function: str) -> str | None:
    """The visible check's failure message, or None if it passed."""
    check = checks_modules()[assignment].CHECKS[function]
    try:
        check()
    except AssertionError as error:
        return str(error)
    return None


def hidden_feedback(assignment: str, function: str) -> list[str]:
    """What the trusted grader says of each hidden test of ``function`` that fails (probes
    run in this process, their results sent through the plain-data format)."""
    said = []
    tests = [t for t in load_hidden_tests(ROOT, assignment) if t.function == function]
    assert tests, f"{assignment} has no hidden test of {function}"
    for test in tests:
        assert test.call is not None, f"hidden test {test.grade_id} has no call (catalogue)"
        cases = test.cases()
        got = []
        for case in cases:
            try:
                got.append(test.probe(copy.deepcopy(case)))
            except Exception as error:  # noqa: BLE001 (the grader reports a raise)
                said.append(f"raised {type(error).__name__}")
                break
        else:
            path = Path(f"/tmp/cs231n-mistakes-{id(got)}.npz")
            save_plain(path, got)
            got = load_plain(path)
            path.unlink()
            for case, out in zip(cases, got, strict=True):
                try:
                    test.judge(copy.deepcopy(case), out)
                except AssertionError as problem:
                    said.append(f"{_diagnosis(assignment, test, cases, got)}{problem}")
                    break
    return said


def other_diagnoses(catalogue, function: str, mistake) -> list[str]:
    return [m.diagnosis for m in catalogue.of(function) if m.diagnosis != mistake.diagnosis]


# ------------------------------------------------------------------------ the catalogue
def test_catalogue_is_large_enough():
    count = sum(len(c.mistakes) for c in CATALOGUES.values())
    assert set(CATALOGUES) == set(mistakes.CATALOGUE_MODULES)
    assert count >= 80, f"{count} mistakes catalogued"


@pytest.mark.parametrize("assignment", sorted(CATALOGUES))
def test_sections_are_the_notebooks(assignment):
    notebook = (ROOT / "solutions" / assignment / f"{assignment}.nb.py").read_text()
    headings = dict(re.findall(r"^# ## (\d+)\. (.+)$", notebook, flags=re.M))
    for number, title in CATALOGUES[assignment].sections.items():
        assert headings.get(str(number)) == title, (number, title, headings.get(str(number)))


@pytest.mark.parametrize("assignment", sorted(CATALOGUES))
def test_every_graded_function_is_a_checked_one(assignment):
    checks = checks_modules()[assignment].CHECKS
    for function in CATALOGUES[assignment].graded:
        assert function in checks, f"{function} has no visible check in CHECKS"
    names = [m.name for m in CATALOGUES[assignment].mistakes]
    assert len(names) == len(set(names)), "mistake names must be unique"


@pytest.mark.parametrize("assignment", sorted(CATALOGUES))
def test_the_checks_a_notebook_imports_are_the_diagnosing_ones(assignment):
    """``from cs231n_utils.checks.<module> import check_x`` (a notebook's cell) gets the
    check that names mistakes, from whichever checks file defines it."""
    import sys

    for function, check in checks_modules()[assignment].CHECKS.items():
        assert getattr(check, "__wrapped__", None) is not None, function
        assert getattr(sys.modules[check.__module__], check.__name__) is check, function


# ------------------------------------------------- each mistake: its diagnosis, no other
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_visible_check_names_the_mistake(case):
    assignment, mistake, function = case
    catalogue = CATALOGUES[assignment]
    with swapped(assignment, function, mistake.variant):
        message = run_check(assignment, function)
    assert message is not None, f"the check of {function} passes with {mistake.name}"
    assert message.startswith(catalogue.message(mistake) + ". "), message
    for other in other_diagnoses(catalogue, function, mistake):
        assert other not in message


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_grading_feedback_names_the_mistake(case):
    assignment, mistake, function = case
    catalogue = CATALOGUES[assignment]
    with swapped(assignment, function, mistake.variant):
        said = hidden_feedback(assignment, function)
    assert said, f"the hidden tests of {function} pass with {mistake.name}"
    for message in said:
        assert message.startswith(catalogue.message(mistake) + ". "), message
        for other in other_diagnoses(catalogue, function, mistake):
            assert other not in message


@pytest.mark.parametrize("case", FUNCTIONS, ids=_id)
def test_solution_gets_no_diagnosis(case):
    """The solution passes its check, and no variant reproduces its recorded calls."""
    assignment, function = case
    catalogue = CATALOGUES[assignment]
    recorder = mistakes._Recorder(catalogue)
    token = mistakes._recording.set(recorder)
    try:
        check = checks_modules()[assignment].CHECKS[function]
        inspect.unwrap(check)()
    finally:
        mistakes._recording.reset(token)
    calls = recorder.calls.get(function)
    assert calls, f"the check of {function} made no recorded call"
    assert catalogue.diagnose(function, calls) is None


# ------------------------------------------------------------------ mutants: no false one
_FLIPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt}
#: Mutants tried per graded function (the first ones, in source order, of every kind).
MUTANTS_PER_FUNCTION = 3


def _solution_source(assignment: str, function: str) -> tuple[str, dict]:
    graded = CATALOGUES[assignment].graded[function]
    module = importlib.import_module(f"cs231n_utils.{graded.module}")
    path = SOLUTION_PACKAGE_DIR / (graded.module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text())
    owner_name, _, name = function.rpartition(".")
    scope = tree.body
    if owner_name:
        scope = next(n for n in tree.body if isinstance(n, ast.ClassDef)
                     and n.name == owner_name).body
    node = next(n for n in scope if isinstance(n, ast.FunctionDef) and n.name == name)
    source = textwrap.dedent(ast.get_source_segment(path.read_text(), node, padded=True))
    return source, vars(module)


def mutants(assignment: str, function: str) -> list[tuple[str, str]]:
    """``(description, source)`` of single-change mutants of the solution: an operator
    flipped (+ -, * /, > >=, < <=) or a unary minus dropped, in the answer's lines."""
    source, _ = _solution_source(assignment, function)
    tree = ast.parse(source)
    answer, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        inside = (inside or "### BEGIN SOLUTION" in line) and "### END SOLUTION" not in line
        if inside:
            answer.add(number)
    sites = [n for n in ast.walk(tree) if getattr(n, "lineno", 0) in answer and (
             (isinstance(n, ast.BinOp) and type(n.op) in _FLIPS)
             or (isinstance(n, ast.Compare) and type(n.ops[0]) in _FLIPS)
             or (isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub)))]
    found = []
    for index in range(len(sites)):
        mutated = ast.parse(source)
        site = [n for n in ast.walk(mutated) if type(n) is type(sites[index])
                and ast.dump(n) == ast.dump(sites[index])][0]
        if isinstance(site, ast.BinOp):
            site.op = _FLIPS[type(site.op)]()
        elif isinstance(site, ast.Compare):
            site.ops[0] = _FLIPS[type(site.ops[0])]()
        else:
            site.op = ast.UAdd()
        found.append((f"line {site.lineno}: {ast.unparse(sites[index])} -> "
                      f"{ast.unparse(site)}", ast.unparse(mutated)))
    step = max(1, len(found) // MUTANTS_PER_FUNCTION)
    return found[::step][:MUTANTS_PER_FUNCTION]


@pytest.mark.parametrize("case", FUNCTIONS, ids=_id)
def test_mutants_get_no_false_diagnosis(case):
    """A mutant the visible check diagnoses must be that mistake on the hidden inputs too
    (the grader names the same one); otherwise the diagnosis was a coincidence."""
    assignment, function = case
    catalogue = CATALOGUES[assignment]
    _, namespace = _solution_source(assignment, function)
    for description, source in mutants(assignment, function):
        space = dict(namespace)
        exec(compile(source, f"<mutant of {function}>", "exec"), space)  # noqa: S102
        mutant = space[function.rpartition(".")[2]]
        with swapped(assignment, function, mutant):
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    message = run_check(assignment, function)
            except Exception:  # noqa: BLE001 (a mutant that raises is not diagnosed)
                continue
            named = [m for m in catalogue.of(function)
                     if message and message.startswith(catalogue.message(m))]
            if not named:
                continue
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                said = hidden_feedback(assignment, function)
        expected = catalogue.message(named[0])
        assert said and all(s.startswith(expected) for s in said), (
            f"mutant {description} of {function}: the check says {expected!r}, the hidden "
            f"tests say {said}")


# ------------------------------------------------------------- make check, on a copy
def test_make_check_names_the_dropped_regularisation_gradient(tmp_path):
    """``make check A=02_linear_classifiers`` in a student's copy whose
    svm_loss_vectorized has lost ``dW += 2 * reg * W``: its row names that mistake."""
    import shutil
    import subprocess

    from cs231n_utils.course.overlay import build_overlay

    solution = (SOLUTION_PACKAGE_DIR / "classifiers" / "linear_svm.py").read_text()
    assert solution.count("dW += (2 * reg) * W") == 1
    submission = tmp_path / "submission" / "classifiers"
    submission.mkdir(parents=True)
    for name in ("softmax.py", "linear_classifier.py"):  # the rest of the assignment: right
        shutil.copy(SOLUTION_PACKAGE_DIR / "classifiers" / name, submission / name)
    (submission / "linear_svm.py").write_text(solution.replace("dW += (2 * reg) * W", "pass"))
    copy_root = tmp_path / "copy"  # the workbook's Makefile beside the student's package
    build_overlay(copy_root, tmp_path / "submission")
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy_root / name)
    proc = subprocess.run(
        ["make", "--no-print-directory", "check", "A=02_linear_classifiers",
         f"VENV={ROOT / '.venv'}"], cwd=copy_root, capture_output=True, text=True, timeout=600)
    row = proc.stdout.split("svm_loss_vectorized ", 1)[1].split("\nsoftmax_loss_naive", 1)[0]
    assert proc.returncode != 0
    assert " ".join(row.split()).startswith(
        "yes NO dW matches the gradient without the regularisation term (2 * reg * W): see "
        'section 4 "Regularisation: which W to prefer"'), proc.stdout
    assert "svm_loss_naive" in proc.stdout and "5 of 6 checks pass" in proc.stdout


def test_grading_feedback_of_a_real_submission_names_the_mistake(tmp_path, sandbox_works):
    """The grader, sandbox and all: a submission whose svm_loss_vectorized lost its
    regularisation gradient gets 0 for that cell and feedback naming the mistake."""
    import shutil

    from cs231n_utils.course.trusted.runner import judge_submission

    package = tmp_path / "cs231n_utils" / "classifiers"
    package.mkdir(parents=True)
    for name in ("softmax.py", "linear_classifier.py"):
        shutil.copy(SOLUTION_PACKAGE_DIR / "classifiers" / name, package / name)
    solution = (SOLUTION_PACKAGE_DIR / "classifiers" / "linear_svm.py").read_text()
    (package / "linear_svm.py").write_text(solution.replace("dW += (2 * reg) * W", "pass"))
    verdicts = judge_submission(ROOT, "02_linear_classifiers", package.parent)
    failed = {g: v.message for g, v in verdicts.items() if not v.passed}
    assert list(failed) == ["svm_vectorized"], failed
    assert failed["svm_vectorized"].startswith(
        "svm_vectorized: svm_loss_vectorized, hidden case 2 of 6: dW matches the gradient "
        "without the regularisation term (2 * reg * W): see section 4"), failed
