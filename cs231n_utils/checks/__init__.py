"""Visible checks: one function per graded function, the same ones a notebook runs.

Each assignment has a module here (``knn`` for 01_knn, ...) whose ``check_*`` functions
build small seeded inputs, call ONE graded function of the student's package, compare
the result with an independent answer (SciPy, or a direct count), raise
``AssertionError`` with a one-line reason when something is wrong, and otherwise print
one line that starts with ``PASS``. Every module exports ``CHECKS``, a dict from the
graded function's name to its check, for the command-line summary table.

These are trusted helpers: they are complete in the student copy and are never graded.
"""
