"""Run grading kernels inside bubblewrap.

Student code runs during autograding with the instructor's rights. Each grading kernel is
started through ``python -m cs231n_utils.course.sandbox --hide DIR ... -- <kernel command>``
(the ``cs231n-sandbox`` kernelspec that :func:`write_kernelspec` writes), which execs
``bwrap`` so that the kernel sees:

- the whole file system read-only, except its own notebook folder (its working directory)
  and its private runtime folder (``$TMPDIR``: the connection file and the sockets), which
  stay writable, and an empty private ``/tmp``;
- the user's home folder replaced by an empty one (keys, tokens, mail: a notebook's output
  goes back to its student in the feedback), except the ``--readable`` folders (the
  course, the Python installation), which are put back read-only;
- the ``--hide`` folders (the course's ``solutions/`` and ``grading/``: answers, hidden
  tests, the gradebook, other students' work) replaced by empty read-only folders;
- no network at all (its own empty network namespace), its own process namespace, no
  capabilities; it dies with the grader.

The kernel speaks to the grader over Unix sockets (``ipc`` transport) in the runtime folder,
and interrupts go as messages, since signals do not cross into the sandbox. Limits on
memory, CPU time and processes are set by :mod:`cs231n_utils.course.kernel`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

KERNEL_NAME = "cs231n-sandbox"


def bwrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox here, or None when it can (tried for real)."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bubblewrap (bwrap) is not installed; on Debian/Ubuntu: apt-get install bubblewrap"
    probe = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
             "--unshare-net", "--unshare-pid", "--die-with-parent", "true"]
    try:
        proc = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not start: {error}"
    if proc.returncode != 0:
        return f"bubblewrap cannot make a sandbox here: {proc.stderr.strip()}"
    return None


def bwrap_command(workdir: Path, runtime: Path, hide: list[Path], kernel: list[str],
                  readable: list[Path] = ()) -> list[str]:
    """The bwrap command line that runs ``kernel`` in the sandbox described above."""
    cmd = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    # Emptied: /tmp and the home folder; then the readable folders inside them come back.
    masks = [Path("/tmp").resolve(), Path.home().resolve()]
    masks = [m for m in dict.fromkeys(masks) if m != Path("/") and m.is_dir()]
    for mask in masks:
        cmd += ["--tmpfs", str(mask)]
    for folder in readable:
        folder = folder.resolve()
        if folder.exists() and any(folder.is_relative_to(m) for m in masks):
            cmd += ["--ro-bind", str(folder), str(folder)]
    for folder in hide:
        if folder.exists():
            cmd += ["--tmpfs", str(folder)]
    for folder in (runtime, workdir):  # after the hiding: these stay visible and writable
        cmd += ["--bind", str(folder), str(folder)]
    # The emptied folders are read-only too: a write there fails instead of landing in a
    # throw-away copy. (/tmp stays writable: the kernel keeps its caches there.)
    for folder in [*(m for m in masks if m != Path("/tmp").resolve()), *hide]:
        if folder.exists():
            cmd += ["--remount-ro", str(folder)]
    cmd += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--unsetenv", "JPY_PARENT_PID", "--setenv", "IPYTHONDIR", "/tmp/ipython",
            "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib", "--setenv", "HOME", "/tmp",
            "--chdir", str(workdir), "--", *kernel]
    return cmd


def python_folders() -> list[Path]:
    """The folders the kernel's Python needs to read (the environment and its base)."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent}
    return sorted(f.resolve() for f in folders)


def write_kernelspec(kernels_dir: Path, hide: list[Path], readable: list[Path]) -> Path:
    """Write the ``cs231n-sandbox`` kernelspec under ``kernels_dir`` (a JUPYTER_PATH entry)."""
    spec_dir = Path(kernels_dir) / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "cs231n_utils.course.sandbox"]
    for folder in [*readable, *python_folders()]:
        argv += ["--readable", str(Path(folder).resolve())]
    for folder in hide:
        argv += ["--hide", str(Path(folder).resolve())]
    argv += ["--", sys.executable, "-m", "cs231n_utils.course.kernel", "-f",
             "{connection_file}"]
    spec = {"argv": argv, "display_name": "CS231n grading sandbox", "language": "python",
            "interrupt_mode": "message"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n")
    return spec_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Start a kernel inside bubblewrap.")
    parser.add_argument("--hide", action="append", default=[], type=Path)
    parser.add_argument("--readable", action="append", default=[], type=Path)
    parser.add_argument("kernel", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    kernel = args.kernel[1:] if args.kernel[:1] == ["--"] else args.kernel
    runtime = Path(os.environ.get("TMPDIR") or os.environ["JUPYTER_RUNTIME_DIR"]).resolve()
    cmd = bwrap_command(Path.cwd().resolve(), runtime, args.hide, kernel, args.readable)
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
