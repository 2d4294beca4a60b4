"""A corpus of bad and hostile submissions of 01_knn, each with its expected outcome.

Each entry builds one zip's files (name in the zip -> bytes) and says what grading must
give: ``failure`` (a substring of the reason the submission could not be graded), or the
cells that must score 0 while every other cell scores what the correct baseline scores.
Hostile notebooks add a code cell of their own (students may add cells); whatever it
prints lands in the autograded notebook, where the test reads it.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from grading_support import replace_answer

from cs231n_utils.course import ASSIGNMENTS_DIR, SOLUTION_PACKAGE_DIR

MODULE = "cs231n_utils/classifiers/k_nearest_neighbor.py"
SOLUTION = (SOLUTION_PACKAGE_DIR / "classifiers" / "k_nearest_neighbor.py").read_text()
NOTEBOOK = (ASSIGNMENTS_DIR / "01_knn" / "01_knn.ipynb").read_text()
ALL_CELLS = {"two_loops", "one_loop", "no_loops", "l1", "predict_labels"}
L1 = "KNearestNeighbor.compute_distances_l1"


@dataclass
class Bad:
    """One kind of bad submission."""

    name: str
    files: dict[str, bytes]
    failure: str = ""  # expected reason the whole submission fails ("" = it is graded)
    zero: set[str] = field(default_factory=set)  # cells that must score 0
    says: str = ""  # text the hostile cell must print (proving what it could not do)
    note: str = ""  # expected in the result's note (the notebook's display run)


def notebook_with_cell(source: str, cell_id: str = "student-cell") -> bytes:
    """The released notebook with one extra code cell of the student's, early on."""
    nb = json.loads(NOTEBOOK)
    cell = {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {},
            "outputs": [], "source": source}
    nb["cells"].insert(2, cell)
    return json.dumps(nb).encode()


def with_answer(function: str, body: list[str]) -> bytes:
    return replace_answer(SOLUTION, function, body).encode()


def corpus(course: Path, port: int, repo: Path) -> list[Bad]:
    """Every kind, for a course at ``course``; ``port`` is a loopback port the test listens
    on; ``repo`` is the repository (its solutions must stay unreadable too)."""
    nb = NOTEBOOK.encode()
    good = SOLUTION.encode()
    secrets = [course / "solutions" / "01_knn" / "01_knn.nb.py",
               course / "solutions" / "01_knn" / "01_knn.ipynb",
               course / "grading" / "gradebook.db",
               repo / "solutions" / "cs231n_utils" / "classifiers" / "k_nearest_neighbor.py"]
    read_attempt = "\n".join([
        "import os",
        f"for path in {[str(p) for p in secrets]!r}:",
        "    try:",
        "        text = open(path, 'rb').read()",
        "        print('READ', path, len(text))",
        "    except OSError as error:",
        "        print('could not read', path, type(error).__name__)",
    ])
    write_attempt = "\n".join([
        f"for path in [{str(course / 'grading' / 'gradebook.db')!r},",
        f"             {str(course / 'solutions' / '01_knn' / 'planted.txt')!r},",
        f"             {str(repo / 'cs231n_utils' / 'planted.txt')!r}]:",
        "    try:",
        "        with open(path, 'ab') as f:",
        "            f.write(b'owned')",
        "        print('WROTE', path)",
        "    except OSError as error:",
        "        print('could not write', path, type(error).__name__)",
    ])
    connect_attempt = "\n".join([
        "import socket",
        "try:",
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=3)",
        "    print('CONNECTED')",
        "except OSError as error:",
        "    print('no connection', type(error).__name__)",
    ])
    return [
        Bad("baseline", {"01_knn.ipynb": nb, MODULE: good}),
        Bad("empty_zip", {}, failure="the zip file is empty"),
        Bad("wrong_file_names", {"knn.ipynb": nb, "k_nearest_neighbor.py": good},
            failure="does not hold 01_knn.ipynb"),
        Bad("syntax_error", {"01_knn.ipynb": nb, MODULE: good + b"\ndef broken(:\n"},
            zero=ALL_CELLS),
        Bad("raises", {"01_knn.ipynb": nb,
                       MODULE: with_answer(L1, ["raise ValueError('oops')"])}, zero={"l1"}),
        Bad("infinite_loop", {"01_knn.ipynb": nb,
                              MODULE: with_answer(L1, ["while True:", "    pass"])},
            zero={"l1"}),
        Bad("os_exit", {"01_knn.ipynb": nb,
                        MODULE: with_answer(L1, ["import os", "os._exit(0)"])}, zero={"l1"}),
        # A process killed outright (not through os._exit): the trusted grader's worker dies
        # in the l1 test and a new one goes on with the others; the notebook's display run
        # dies too, which the summary notes without touching the points.
        Bad("kills_its_kernel", {"01_knn.ipynb": nb, MODULE: with_answer(
            L1, ["import os", "import signal", "os.kill(os.getpid(), signal.SIGKILL)"])},
            zero={"l1"}, note="the kernel died"),
        Bad("allocate_50_gb", {"01_knn.ipynb": nb, MODULE: with_answer(
            L1, ["huge = np.ones((50 * 2**30) // 8)", "dists += huge[0]"])}, zero={"l1"}),
        Bad("output_flood", {"01_knn.ipynb": nb, MODULE: with_answer(
            L1, ["for i in range(300_000):", "    print('flood', i)",
                 "while True:", "    pass"])}, zero={"l1"}),
        Bad("edited_helpers", {
            "01_knn.ipynb": nb,
            "cs231n_utils/gradient_check.py": b"def rel_error(x, y):\n    return 0.0\n",
            "cs231n_utils/checks/knn.py": "".join(
                f"def check_{c}():\n    print('PASS')\n" for c in ALL_CELLS).encode(),
            "cs231n_utils/selfcheck.py": b"raise SystemExit\n"}, zero=ALL_CELLS),
        Bad("deleted_test_cell", {"01_knn.ipynb": _without_cell("no_loops"), MODULE: good},
            zero={"no_loops"}),
        Bad("edited_test_cell", {"01_knn.ipynb": _edited_cell("l1", "print('PASS l1')"),
                                 MODULE: with_answer(L1, ["pass"])}, zero={"l1"}),
        Bad("reads_solutions", {"01_knn.ipynb": notebook_with_cell(read_attempt),
                                MODULE: good}, says="could not read"),
        Bad("writes_gradebook", {"01_knn.ipynb": notebook_with_cell(write_attempt),
                                 MODULE: good}, says="could not write"),
        Bad("connects_to_loopback", {"01_knn.ipynb": notebook_with_cell(connect_attempt),
                                     MODULE: good}, says="no connection"),
    ]


def _without_cell(grade_id: str) -> bytes:
    nb = json.loads(NOTEBOOK)
    nb["cells"] = [c for c in nb["cells"]
                   if c["metadata"].get("nbgrader", {}).get("grade_id") != grade_id]
    return json.dumps(nb).encode()


def _edited_cell(grade_id: str, source: str) -> bytes:
    nb = json.loads(NOTEBOOK)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = source
    return json.dumps(nb).encode()
