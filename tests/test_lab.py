"""`make lab` starts JupyterLab on assignments/: started headless on loopback, asked over HTTP."""

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from cs231n_utils.course import REPO_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@pytest.mark.slow
def test_make_lab_serves_the_assignments(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token}"
    if os.geteuid() == 0:  # CI runs as root, which JupyterLab refuses unless told
        args += " --allow-root"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path))
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
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
        assert listing is not None, (tmp_path / "lab.log").read_text()[-3000:]
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
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=20)
                break
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue
        log.close()
