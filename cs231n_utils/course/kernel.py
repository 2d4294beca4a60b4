"""The kernel that runs a submission during grading: ipykernel with limits and guards.

Started inside the sandbox (:mod:`cs231n_utils.course.sandbox`) as
``python -m cs231n_utils.course.kernel -f <connection file>``. Before the kernel starts:

- resource limits: address space (an attempt to allocate 50 GB gets a ``MemoryError``
  instead of taking the grader down), CPU seconds, processes, size of written files;
- ``os._exit`` and ``os.abort`` raise an error instead of killing the kernel, so a
  graded function that calls them costs only the cells that call it (a dead kernel would
  void the whole notebook).
"""

from __future__ import annotations

import os
import resource
import sys

GiB = 2**30
LIMITS = {
    "RLIMIT_AS": int(os.environ.get("CS231N_GRADING_MEMORY_GB", "8")) * GiB,
    "RLIMIT_CPU": int(os.environ.get("CS231N_GRADING_CPU_SECONDS", "1800")),
    "RLIMIT_FSIZE": 200 * 2**20,
}
EXTRA_PROCESSES = 64  # over what the user already runs: enough for BLAS threads, not a bomb


class ForbiddenWhileGrading(RuntimeError):
    """Raised instead of ending the kernel."""


def _refuse(name: str):
    def refuse(*args, **kwargs):
        raise ForbiddenWhileGrading(f"{name}() would end the kernel; it is not allowed while "
                                    "grading (this cell scores 0, the others still count)")
    return refuse


def apply_limits() -> None:
    """Set the resource limits of this process (and so of everything it starts)."""
    for name, value in LIMITS.items():
        limit = getattr(resource, name)
        _, hard = resource.getrlimit(limit)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (value, value))
    running = sum(1 for p in os.listdir("/proc") if p.isdigit())
    nproc = running + EXTRA_PROCESSES
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def guard_exits() -> None:
    """Make ``os._exit`` and ``os.abort`` raise instead of ending this process."""
    os._exit = _refuse("os._exit")
    os.abort = _refuse("os.abort")


def main() -> None:
    apply_limits()
    guard_exits()
    from ipykernel import kernelapp

    sys.argv[0] = "cs231n-grading-kernel"
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
