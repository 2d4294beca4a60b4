"""The README's promises: two quick-start commands, CI runs the test one, no test = failure."""

import re
import subprocess
import sys

from cs231n_utils.course import REPO_ROOT


def test_readme_quick_start_is_the_two_make_commands():
    readme = (REPO_ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make (\w+)", quick, flags=re.M)
    assert commands == ["lab", "test"]


def test_ci_runs_the_readme_test_command():
    run = (REPO_ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec make test$", run, flags=re.M)


def test_make_test_fails_when_pytest_collects_nothing(tmp_path):
    (tmp_path / "test_nothing.py").write_text("x = 1\n")
    proc = subprocess.run(["make", "--no-print-directory", "test",
                           f"PYTEST_ARGS={tmp_path} -p no:cacheprovider"],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "collected no tests" in proc.stdout + proc.stderr


def test_the_code_is_ruff_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "."],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    import tomllib

    import yaml

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    wanted = {requirement_name(s) for s in project["dependencies"]}
    wanted |= {requirement_name(s) for s in project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    listed = set()
    for dep in env["dependencies"]:
        specs = dep["pip"] if isinstance(dep, dict) else [dep]
        listed |= {requirement_name(s) for s in specs if not s.startswith("-e")}
    assert wanted <= listed, f"missing from environment.yml: {wanted - listed}"
    assert listed - wanted <= {"python", "pip"}, f"only in environment.yml: {listed - wanted}"
    with_versions = " ".join(str(d) for d in env["dependencies"])
    assert "torch==2.13.0" in with_versions
