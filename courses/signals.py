"""Signals that `courses` sends upward; apps above it connect in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent once when a learner first completes an activity: kwargs `user`, `activity`, `completion`.
activity_completed = Signal()

# Sent when a completion is withdrawn (by a facilitator): kwargs `user`, `activity`, `withdrawn_by`.
activity_completion_withdrawn = Signal()

# Sent when a learner submits an attempt at an assignment, inside the transaction that
# stores it (after its `members` are set): kwargs `submission` (the new attempt; its
# `group_key` and `members` say whom it covers).
submission_submitted = Signal()

# Sent after a submission is reviewed, inside the transaction that stores the review:
# kwargs `submission` (its `status` says approved or returned), `reviewer`.
submission_reviewed = Signal()

# Sent when an editor changes a course's curriculum on the authoring pages, inside the
# transaction that changes it: kwargs `course`, `user`, `change` (a `CurriculumChange`
# value, e.g. "module_added"), `title` (the module's or activity's title).
curriculum_changed = Signal()
