"""Courses and lessons (issue 3)."""
