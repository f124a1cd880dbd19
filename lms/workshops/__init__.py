"""Workshops: in-person training with enrolment, waitlist, check-in and a calendar."""
