"""Run datasets/get_datasets.sh for real against a local HTTP server.

The server (127.0.0.1, a port the OS picks) serves a small tarball in CIFAR-10's own
format and honours Range requests, so resuming is tested for real. The script writes
into a temporary folder given by CS231N_DATASETS; the repository's datasets/ is untouched.
"""

import hashlib
import io
import os
import pickle
import re
import shutil
import socket
import subprocess
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from cs231n_utils.data import CIFAR10_CLASSES, load_CIFAR10, load_CIFAR10_class_names

SCRIPT = Path(__file__).resolve().parent.parent / "datasets" / "get_datasets.sh"
TARBALL = "cifar-10-python.tar.gz"
BATCHES = [*(f"data_batch_{i}" for i in range(1, 6)), "test_batch"]
PER_BATCH = 20

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


# ----------------------------------------------------------------------------- the tarball


def cifar_pickle(obj) -> bytes:
    """Pickle like the real CIFAR-10 files: protocol 2, NumPy's pre-2.0 module name."""
    raw = pickle.dumps(obj, protocol=2)
    return raw.replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")


def build_cifar_tarball() -> tuple[bytes, dict]:
    """A gzipped tar of cifar-10-batches-py/ with PER_BATCH images per batch."""
    rng = np.random.default_rng(7)
    members, written = {}, {}
    for name in BATCHES:
        rows = rng.integers(0, 256, size=(PER_BATCH, 3072), dtype=np.uint8)
        labels = [int(c) for c in rng.integers(0, 10, PER_BATCH)]
        members[name] = cifar_pickle(
            {
                b"batch_label": name.encode(),
                b"labels": labels,
                b"data": rows,
                b"filenames": [f"{name}_{i}.png".encode() for i in range(PER_BATCH)],
            }
        )
        written[name] = (rows, labels)
    members["batches.meta"] = cifar_pickle(
        {
            b"num_cases_per_batch": PER_BATCH,
            b"label_names": [n.encode() for n in CIFAR10_CLASSES],
            b"num_vis": 3072,
        }
    )
    members["readme.html"] = b"<html>test copy</html>"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return buffer.getvalue(), written


@pytest.fixture(scope="module")
def tarball():
    return build_cifar_tarball()


# ----------------------------------------------------------------------------- the server


class RangeHandler(BaseHTTPRequestHandler):
    """Serve ``server.payload`` at ``/cifar-10-python.tar.gz``, with byte ranges."""

    def do_GET(self):
        self._serve(send_body=True)

    def do_HEAD(self):
        self._serve(send_body=False)

    def _serve(self, send_body):
        payload, requested = self.server.payload, self.headers.get("Range")
        self.server.requests.append((self.command, self.path, requested))
        if self.path != f"/{TARBALL}":
            self.send_error(404)
            return
        start, end, status = 0, len(payload) - 1, 200
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", (requested or "").strip())
        if match and (match[1] or match[2]) and self.server.honour_ranges:
            if match[1]:
                start = int(match[1])
                end = min(int(match[2]), end) if match[2] else end
            else:  # suffix range: the last N bytes
                start = max(len(payload) - int(match[2]), 0)
            if start >= len(payload) or start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(payload)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        body = payload[start : end + 1]
        self.send_response(status)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(payload)}")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format, *args):  # keep the test output quiet
        pass


@pytest.fixture
def server(tarball):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    httpd.payload, httpd.requests, httpd.honour_ranges = tarball[0], [], True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/{TARBALL}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def closed_port_url() -> str:
    """A loopback URL nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{TARBALL}"


def run_script(dest: Path, url: str, md5: str, **extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(
        CS231N_DATASETS=str(dest),
        CIFAR10_URL=url,
        CIFAR10_MD5=md5,
        NO_PROXY="127.0.0.1,localhost",
        **extra,
    )
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120
    )


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def assert_loads(dest: Path, written: dict) -> None:
    Xtr, Ytr, Xte, Yte = load_CIFAR10(dest / "cifar-10-batches-py")
    assert Xtr.shape == (5 * PER_BATCH, 32, 32, 3) and Xte.shape == (PER_BATCH, 32, 32, 3)
    rows, labels = written["data_batch_5"]
    np.testing.assert_array_equal(
        Xtr[4 * PER_BATCH :], rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    )
    assert Ytr[4 * PER_BATCH :].tolist() == labels
    assert Yte.tolist() == written["test_batch"][1]
    assert load_CIFAR10_class_names(dest / "cifar-10-batches-py") == list(CIFAR10_CLASSES)


def leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir() if p.name != "cifar-10-batches-py")


DOWNLOADERS = [d for d in ("curl", "wget") if shutil.which(d)] + ["python"]


# ----------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("downloader", DOWNLOADERS)
def test_download_verify_extract_then_load(tmp_path, server, tarball, downloader):
    payload, written = tarball
    dest = tmp_path / "datasets"
    result = run_script(dest, server.url, md5(payload), CS231N_DOWNLOADER=downloader)
    assert result.returncode == 0, result.stderr
    assert "downloading" in result.stdout and "done" in result.stdout
    assert [r[0] for r in server.requests] == ["GET"]
    assert leftovers(dest) == []  # tarball removed, no .part, no unpack folder
    assert_loads(dest, written)


@pytest.mark.parametrize("downloader", DOWNLOADERS)
def test_resume_from_partial_download(tmp_path, server, tarball, downloader):
    payload, written = tarball
    dest = tmp_path / "datasets"
    dest.mkdir()
    half = len(payload) // 2
    (dest / f"{TARBALL}.part").write_bytes(payload[:half])
    result = run_script(
        dest, server.url, md5(payload), CS231N_DOWNLOADER=downloader, KEEP_TARBALL="1"
    )
    assert result.returncode == 0, result.stderr
    assert "resuming" in result.stdout
    assert [r[2] for r in server.requests if r[0] == "GET"] == [f"bytes={half}-"]
    assert (dest / TARBALL).read_bytes() == payload  # kept, and whole
    assert leftovers(dest) == [TARBALL]
    assert_loads(dest, written)


@pytest.mark.parametrize("downloader", DOWNLOADERS)
def test_server_without_ranges_restarts_the_download(tmp_path, server, tarball, downloader):
    payload, written = tarball
    server.honour_ranges = False
    dest = tmp_path / "datasets"
    dest.mkdir()
    (dest / f"{TARBALL}.part").write_bytes(payload[:1000])
    result = run_script(dest, server.url, md5(payload), CS231N_DOWNLOADER=downloader)
    assert result.returncode == 0, result.stderr
    if downloader == "curl":
        assert "does not support resuming" in result.stdout
    assert leftovers(dest) == []
    assert_loads(dest, written)


def test_complete_partial_download_needs_no_request(tmp_path, server, tarball):
    payload, written = tarball
    dest = tmp_path / "datasets"
    dest.mkdir()
    (dest / f"{TARBALL}.part").write_bytes(payload)
    result = run_script(dest, server.url, md5(payload))
    assert result.returncode == 0, result.stderr
    assert server.requests == []
    assert_loads(dest, written)


def test_second_run_is_a_no_op_without_network(tmp_path, server, tarball):
    payload, _ = tarball
    dest = tmp_path / "datasets"
    assert run_script(dest, server.url, md5(payload)).returncode == 0
    server.requests.clear()
    before = {p: p.stat().st_mtime_ns for p in (dest / "cifar-10-batches-py").iterdir()}
    result = run_script(dest, closed_port_url(), md5(payload))
    assert result.returncode == 0, result.stderr
    assert "nothing to do" in result.stdout
    assert server.requests == []
    after = {p: p.stat().st_mtime_ns for p in (dest / "cifar-10-batches-py").iterdir()}
    assert after == before


def test_wrong_md5_fails_and_deletes_the_download(tmp_path, server, tarball):
    payload, _ = tarball
    dest = tmp_path / "datasets"
    wrong = "0" * 32
    result = run_script(dest, server.url, wrong)
    assert result.returncode != 0
    assert "md5 mismatch" in result.stderr
    assert wrong in result.stderr and md5(payload) in result.stderr
    assert list(dest.iterdir()) == []  # no bad tarball, no .part, nothing unpacked


def test_unreachable_url_fails_with_advice(tmp_path):
    dest = tmp_path / "datasets"
    url = closed_port_url()
    result = run_script(dest, url, "0" * 32)
    assert result.returncode != 0
    assert f"the download of {url} failed" in result.stderr
    for advice in ("connection", "CIFAR10_URL", f"copy {TARBALL} into {dest}"):
        assert advice in result.stderr
    assert not (dest / "cifar-10-batches-py").exists()


def test_copied_tarball_is_used_without_network(tmp_path, tarball):
    payload, written = tarball
    dest = tmp_path / "datasets"
    dest.mkdir()
    (dest / TARBALL).write_bytes(payload)
    result = run_script(dest, closed_port_url(), md5(payload))
    assert result.returncode == 0, result.stderr
    assert leftovers(dest) == []
    assert_loads(dest, written)


def test_bad_copied_tarball_is_reported_not_deleted(tmp_path, tarball):
    payload, _ = tarball
    dest = tmp_path / "datasets"
    dest.mkdir()
    (dest / TARBALL).write_bytes(payload[:-10])
    result = run_script(dest, closed_port_url(), md5(payload))
    assert result.returncode != 0
    assert "md5 mismatch" in result.stderr and "Delete it" in result.stderr
    assert (dest / TARBALL).exists()
