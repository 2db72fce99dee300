"""Generic learning: courses, modules, activities, assignments, H5P and progress.

Knows nothing of LUP; sends signals (see `courses.signals`) that upper apps listen to.
"""
