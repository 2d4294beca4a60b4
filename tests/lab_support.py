"""Starting and stopping a JupyterLab server in the tests (tests/test_lab.py,
tests/test_browser.py)."""

import os
import signal
import socket
import subprocess


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(proc: subprocess.Popen) -> None:
    """End ``proc`` and its children (started with ``start_new_session=True``): SIGTERM,
    then SIGKILL if it is still there after 20 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=20)
            break
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue
