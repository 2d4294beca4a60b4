"""Helpers and graded modules of the CS231n-style workbook."""
