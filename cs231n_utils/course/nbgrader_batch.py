"""Run nbgrader's autograde and feedback for many students in one process.

``python -m cs231n_utils.course.nbgrader_batch <assignment> <student> [<student> ...]``, run
in the course root. Starting nbgrader costs seconds; once per class instead of twice per
student is what makes grading fast. Without ``CS231N_GRADING_EXECUTE`` nothing of the
student's runs here: autograde only writes the trusted verdicts into the cells
(:mod:`cs231n_utils.course.trusted.nbgrader_plugin`) and records the scores. Prints one JSON
line per student: ``{"student": ..., "ok": true}`` or ``{"student": ..., "ok": false,
"error": ...}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _last_lines(result: dict) -> str:
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    lines = [line for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-3:])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print("usage: python -m cs231n_utils.course.nbgrader_batch ASSIGNMENT STUDENT...",
              file=sys.stderr)
        return 2
    assignment, students = argv[0], argv[1:]
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(Path.cwd())).load_config()
    config.Application.log_level = "WARN"
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    for student in students:
        result = api.autograde(assignment, student, force=True, create=True)
        outcome: dict = {"student": student, "ok": bool(result.get("success"))}
        if outcome["ok"]:
            feedback = api.generate_feedback(assignment, student, force=True)
            if not feedback.get("success"):
                outcome["feedback_error"] = _last_lines(feedback)
        else:
            outcome["error"] = _last_lines(result)
        print(json.dumps(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
