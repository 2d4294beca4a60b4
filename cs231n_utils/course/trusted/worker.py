"""The untrusted side: run a submission's graded functions on hidden inputs, in the sandbox.

Started by :mod:`cs231n_utils.course.trusted.runner` as a script inside bubblewrap::

    python -I <this file> <job folder>

The job folder holds ``package/cs231n_utils`` (the overlay: trusted helpers and ONLY the
student's graded modules), ``hidden_tests.py`` (the probes), ``job.json`` (which probes, in
which order) and ``inputs/<grade_id>.npz``; inside the sandbox only ``results/`` is
writable. For each test in order it removes what that test's result files already hold
(forged by the submission before the test ran), writes ``results/<grade_id>.started``,
calls the probe on every case and writes
``results/<grade_id>.npz`` (plain data, :mod:`~cs231n_utils.course.trusted.plain`) and
``results/<grade_id>.json`` (``{"error": null}`` or the exception's type and message).

Nothing here decides a point: everything this process writes is data that the trusted side
checks against its own expected values. A submission can change what this process does;
it can only change what its own functions are reported to return.
"""

import json
import os
import sys
import time
import traceback
from pathlib import Path

MAX_MESSAGE = 600
_exit = os._exit  # the real one: the guard below replaces os._exit for the student's code


def _short(error: BaseException) -> str:
    """``Type: message`` of an exception, with the last frame in the student's code."""
    try:
        text = f"{type(error).__name__}: {error}"
    except BaseException:  # noqa: BLE001 (a hostile __str__)
        text = "an exception whose message could not be read"
    frames = [f for f in traceback.extract_tb(error.__traceback__)  # the student's files only
              if "/package/cs231n_utils/" in f.filename and "/course/" not in f.filename]
    if frames:
        where = frames[-1]
        text += f" (at {where.filename.split('/package/', 1)[1]}, line {where.lineno})"
    return text[:MAX_MESSAGE]


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def main(job: Path) -> None:
    sys.path.insert(0, str(job / "package"))  # the overlay wins over the installed package
    sys.dont_write_bytecode = True
    from cs231n_utils.course.kernel import apply_limits, guard_exits
    from cs231n_utils.course.trusted.plain import load_plain, save_plain
    from cs231n_utils.course.trusted.spec import load_module

    apply_limits()
    guard_exits()
    spec = json.loads((job / "job.json").read_text())
    results = job / "results"
    results.mkdir(exist_ok=True)
    probes = load_module(job / "hidden_tests.py")
    for test in spec["tests"]:
        grade_id = test["grade_id"]
        for suffix in (".json", ".npz"):  # written before it ran (forged): not its result
            try:
                (results / f"{grade_id}{suffix}").unlink(missing_ok=True)
            except OSError:
                pass
        (results / f"{grade_id}.started").touch()
        start = time.perf_counter()
        error = None
        try:
            cases = load_plain(job / "inputs" / f"{grade_id}.npz")
            probe = getattr(probes, test["probe"])
            outputs = []
            for index, case in enumerate(cases):
                try:
                    outputs.append(probe(case))
                except BaseException as exc:  # noqa: BLE001 (SystemExit, KeyboardInterrupt too)
                    error = f"case {index}: {_short(exc)}"
                    break
            if error is None:
                save_plain(results / f"{grade_id}.npz", outputs)
        except BaseException as exc:  # noqa: BLE001
            error = _short(exc)
        _write_json(results / f"{grade_id}.json",
                    {"error": error, "seconds": time.perf_counter() - start})
    sys.stdout.flush()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
    _exit(0)  # whatever threads a submission left running end here
