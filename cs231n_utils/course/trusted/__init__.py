"""Trusted grading: every autograded point is decided where no submission code ever ran.

- :mod:`.spec`: what a hidden test is (inputs, a probe run in the sandbox, a trusted judge)
  and where an assignment's hidden tests live (``solutions/hidden_tests/<assignment>.py``);
- :mod:`.worker`: the sandboxed process that calls the student's functions;
- :mod:`.plain`: the only format that crosses back (plain arrays, no pickle);
- :mod:`.runner`: the supervisor and the judges (:func:`~.runner.judge_submission`);
- :mod:`.nbgrader_plugin`: writes the verdicts into nbgrader's autograded notebooks, so the
  gradebook, the CSV and the feedback all hold the trusted points.
"""

from cs231n_utils.course.trusted.spec import HiddenTest

__all__ = ["HiddenTest"]
