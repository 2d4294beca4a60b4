"""Course tooling: the release of the student copy, the overlay, running notebooks, grading.

Students never need these modules; instructors and the test suite use them.
"""

from pathlib import Path

#: The repository root (the folder that holds ``nbgrader_config.py``).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: The student package: helpers (complete) and graded modules (stubs).
PACKAGE_DIR = REPO_ROOT / "cs231n_utils"
#: The instructor's graded modules, complete.
SOLUTION_PACKAGE_DIR = REPO_ROOT / "solutions" / "cs231n_utils"
SOLUTIONS_DIR = REPO_ROOT / "solutions"
ASSIGNMENTS_DIR = REPO_ROOT / "assignments"
DATASETS_DIR = REPO_ROOT / "datasets"


def ensure_tools_on_path() -> None:
    """Put this Python's ``bin/`` first on PATH: nbgrader runs the ``alembic`` program
    (installed beside it) whenever it opens a gradebook, also in process."""
    import os
    import sys

    tools = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != tools:
        os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")
