"""`make lab` starts JupyterLab on assignments/: started headless on loopback, asked over HTTP.

`make lab` is the student's JupyterLab (nbgrader's Validate button and assignment list, not
Create Assignment, Formgrader or the course list); `make lab-instructor` has all of nbgrader.
"""

import contextlib
import html
import json
import os
import re
import secrets
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from lab_support import free_port, stop_group

from cs231n_utils.course import REPO_ROOT


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


# The nbgrader parts: JupyterLab plugins (labextension @jupyter/nbgrader) and the server
# handlers behind them (one per server extension).
STUDENT_PLUGINS = ["@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:assignment-list"]
INSTRUCTOR_PLUGINS = ["@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                      "@jupyter/nbgrader:course-list"]
STUDENT_HANDLERS = ["/assignments/validate", "/courses"]  # validate, assignment list
INSTRUCTOR_HANDLERS = ["/formgrader", "/formgraders"]      # formgrader, course list


@contextlib.contextmanager
def running_lab(target: str, tmp_path):
    """Start ``make <target>`` headless on loopback; yield (base URL, token, first listing)."""
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token}"
    if os.geteuid() == 0:  # CI runs as root, which JupyterLab refuses unless told
        args += " --allow-root"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path))
    log = open(tmp_path / f"{target}.log", "w")
    proc = subprocess.Popen(["make", "--no-print-directory", target, f"LAB_ARGS={args}"],
                            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        listing = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                listing = get_json(f"{base}/api/contents?token={token}")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert listing is not None, (tmp_path / f"{target}.log").read_text()[-3000:]
        yield base, token, listing
    finally:
        stop_group(proc)
        log.close()


def page_config(base: str, token: str) -> dict:
    """The page config JupyterLab's /lab page hands to the browser (the plugins it loads)."""
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
        text = page.read().decode()
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      text, re.S)
    assert found, "no page config in /lab"
    return json.loads(html.unescape(found.group(1)))


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def nbgrader_parts(base: str, token: str) -> tuple[set[str], dict[str, int]]:
    """The nbgrader plugins the page disables, and each nbgrader handler's HTTP status."""
    config = page_config(base, token)
    assert "@jupyter/nbgrader" in {e["name"] for e in config["federated_extensions"]}
    disabled = config.get("disabledExtensions", [])
    disabled = set(disabled if isinstance(disabled, list) else
                   [k for k, v in disabled.items() if v])
    handlers = {h: status(f"{base}{h}?token={token}")
                for h in STUDENT_HANDLERS + INSTRUCTOR_HANDLERS}
    return disabled, handlers


@pytest.mark.slow
def test_make_lab_serves_the_assignments(tmp_path):
    with running_lab("lab", tmp_path) as (base, token, listing):
        names = {item["name"] for item in listing["content"]}
        assert "01_knn" in names
        folder = get_json(f"{base}/api/contents/01_knn?token={token}")
        assert "01_knn.ipynb" in {item["name"] for item in folder["content"]}
        # the graded modules can be opened and edited from JupyterLab too
        module = get_json(f"{base}/api/contents/cs231n_utils/classifiers/"
                          f"k_nearest_neighbor.py?type=file&format=text&token={token}")
        assert module["writable"] and "class KNearestNeighbor" in module["content"]
        # the page itself is JupyterLab
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
            assert b"JupyterLab" in page.read()
        # and a request without the token is refused
        with pytest.raises(urllib.error.HTTPError):
            get_json(f"{base}/api/contents")
        # the student's nbgrader: Validate and the assignment list, nothing of the instructor's
        disabled, handlers = nbgrader_parts(base, token)
        assert set(INSTRUCTOR_PLUGINS) <= disabled, disabled
        assert not set(STUDENT_PLUGINS) & disabled, disabled
        assert all(handlers[h] == 404 for h in INSTRUCTOR_HANDLERS), handlers
        assert all(handlers[h] != 404 for h in STUDENT_HANDLERS), handlers


@pytest.mark.slow
def test_make_lab_instructor_has_all_of_nbgrader(tmp_path):
    with running_lab("lab-instructor", tmp_path) as (base, token, listing):
        assert "01_knn" in {item["name"] for item in listing["content"]}
        disabled, handlers = nbgrader_parts(base, token)
        assert not set(STUDENT_PLUGINS + INSTRUCTOR_PLUGINS) & disabled, disabled
        assert all(handlers[h] != 404 for h in STUDENT_HANDLERS + INSTRUCTOR_HANDLERS), handlers
