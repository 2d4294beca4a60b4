"""nbgrader configuration of the workbook.

The course root is the folder of this file, so nbgrader works from the repository root
(and from a copy of this file in a temporary course, as the tests make). Grading work files
live under ``grading/`` and stay out of git.
"""

import os

c = get_config()  # noqa: F821 (nbgrader provides get_config)

ROOT = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(ROOT, "grading"), exist_ok=True)

c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "cs231n-workbook"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "grading/submitted"
c.CourseDirectory.autograded_directory = "grading/autograded"
c.CourseDirectory.feedback_directory = "grading/feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "grading", "gradebook.db")
# Notebooks are authored as percent-format text (<name>.nb.py) beside the generated .ipynb:
# that text holds the solutions, so it is never released nor copied into a graded folder.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.nb.py"]

# Every cell gets this long; a cell that runs over is interrupted and scores 0, the rest of
# the notebook is still graded. Heavy cells shrink while NBGRADER_EXECUTION is set.
c.Execute.timeout = int(os.environ.get("CS231N_CELL_TIMEOUT", "120"))
c.Execute.kernel_name = "python3"

# Points come from the trusted grader (cs231n_utils/course/trusted): the grade command runs
# each submission's hidden tests in the sandbox, judges them outside it and saves verdicts
# that TrustedVerdicts writes into the autograded cells. The notebook itself is executed
# only with CS231N_GRADING_EXECUTE=1 (grade --execute), for the outputs in the feedback:
# no point depends on what runs in the kernel.
c.TrustedVerdicts.verdicts_dir = os.path.join(ROOT, "grading", "verdicts")
c.Autograde.autograde_preprocessors = [
    *(["nbgrader.preprocessors.Execute"] if os.environ.get("CS231N_GRADING_EXECUTE") else []),
    "cs231n_utils.course.trusted.nbgrader_plugin.TrustedVerdicts",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\n"
    'raise NotImplementedError("Write your answer in this cell, then run it again.")'
}
