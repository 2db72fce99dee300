"""Intake: a programme's calls for applications to a cohort, the units' applications and
nominations, and the office's decisions (accept up to capacity, wait-list, decline)."""
