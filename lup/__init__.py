"""LUP: the leadership programme for innovation, built on `courses` and `certificates`."""
