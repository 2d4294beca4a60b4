"""The mistake catalogue: one module per assignment (see :mod:`cs231n_utils.checks.mistakes`).

Each module holds ``CATALOGUE``, the wrong variants of the assignment's graded functions
with their diagnoses and the notebook section to reread. Variants are built from the
checks' oracles with one mistake patched in; they run only when a check has failed.
"""
