"""Signals that the programme core sends upward; the layers above it (certification, ...)
connect to them in `lup.receivers`, wired by LupConfig.ready().

They are sent by the completion services in `lup.services`, inside the transaction that
writes the completion, after the row is saved; a receiver that acts on the outside world
registers its work with `transaction.on_commit`.
"""

from django.dispatch import Signal

# Sent once when a participant is stamped completed: kwargs `participant`.
participant_completed = Signal()

# Sent once when a unit's enrolment is stamped completed: kwargs `enrolment`.
unit_completed = Signal()

# Sent when a participant's completion is taken back: kwargs `participant`, `withdrawn_by`.
# No receiver today: issued certificates stay (revocation is a separate decision).
participant_completion_withdrawn = Signal()

# Sent when a unit's completion is taken back: kwargs `enrolment`, `withdrawn_by`.
# No receiver today, as above.
unit_completion_withdrawn = Signal()

# Sent when the office plans, changes (what a calendar shows) or cancels a gathering, inside
# its transaction: kwargs `gathering` (before deletion, for a cancellation), `change`
# ("planned", "changed" or "cancelled") and `by`. lup.receivers tells the people of the
# cohort, with the calendar event (lup.calendar) attached.
gathering_changed = Signal()
