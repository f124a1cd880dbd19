"""Question bank, exams, attempts and grading."""
