"""nbgrader's side of trusted grading: the verdicts become the autograded cells' outputs.

``nbgrader_config.py`` puts :class:`TrustedVerdicts` in ``Autograde.autograde_preprocessors``
instead of (or, with ``CS231N_GRADING_EXECUTE=1``, after) nbgrader's ``Execute``. For every
autograded code cell it replaces whatever the cell holds with the trusted verdict of its
``grade_id``: a ``PASS`` line, or an error whose message is the trusted comparison's. nbgrader
then scores the cell as always (an error scores 0, anything else full points), so the
gradebook, the feedback HTML and the grades CSV (read from the gradebook) hold the same
trusted points. A cell without a verdict scores 0: no verdict, no points.
"""

from __future__ import annotations

from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade
from traitlets import Unicode

from cs231n_utils.course.trusted.runner import read_verdicts

NO_VERDICT = ("no trusted verdict for this cell: the grader did not run its hidden test "
              "(see the grading summary)")


def verdicts_path(verdicts_dir: Path, student: str, assignment: str) -> Path:
    """Where the grade command saves one submission's verdicts."""
    return Path(verdicts_dir) / student / f"{assignment}.json"


def verdict_outputs(passed: bool, message: str) -> list[NotebookNode]:
    """The outputs that make nbgrader score a cell full (PASS) or 0 (an error)."""
    if passed:
        return [new_output("stream", name="stdout", text=f"{message}\n")]
    return [new_output("error", ename="HiddenTestFailed", evalue=message,
                       traceback=[f"HiddenTestFailed: {message}"])]


class TrustedVerdicts(NbGraderPreprocessor):
    """Write the trusted verdicts into the autograded code cells (see the module doc)."""

    verdicts_dir = Unicode("", help="Folder of <student>/<assignment>.json verdicts").tag(
        config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        verdicts = read_verdicts(verdicts_path(Path(self.verdicts_dir), info["student"],
                                               info["assignment"]))
        for cell in nb.cells:
            if cell.cell_type == "code" and is_grade(cell):
                verdict = verdicts.get(cell.metadata["nbgrader"]["grade_id"])
                cell.outputs = (verdict_outputs(verdict.passed, verdict.message)
                                if verdict else verdict_outputs(False, NO_VERDICT))
        return nb, resources
