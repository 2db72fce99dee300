"""Which kinds of notification a person may choose how to get, and the defaults."""

from __future__ import annotations

from .models import Delivery, Notification

Kind = Notification.Kind

# Their e-mail carries the calendar event that moves or cancels it in the person's calendar:
# a digest or no e-mail would leave the calendar wrong, so these always go at once.
ALWAYS_NOW = frozenset({Kind.GATHERING_PLANNED, Kind.GATHERING_CHANGED, Kind.GATHERING_CANCELLED})

# Each kind's delivery for people who have not chosen. Reminders that are only useful on
# the day go at once; reports of what has happened may wait for the digest.
DEFAULT_DELIVERY: dict[str, str] = {
    Kind.GATHERING_PLANNED: Delivery.NOW,
    Kind.GATHERING_CHANGED: Delivery.NOW,
    Kind.GATHERING_CANCELLED: Delivery.NOW,
    Kind.ANSWER_SUBMITTED: Delivery.DAILY,
    Kind.ANSWER_RETURNED: Delivery.NOW,
    Kind.ANSWER_APPROVED: Delivery.DAILY,
    Kind.DUE_SOON: Delivery.NOW,
    Kind.ATTENDANCE_MISSING: Delivery.NOW,
    Kind.REVIEWS_WAITING: Delivery.NOW,
    Kind.BENEFIT_DUE: Delivery.NOW,
    # The certificate has its own e-mail with the PDF (lup.certification): the notification
    # only lists it in the product unless the person asks for more.
    Kind.CERTIFICATE_ISSUED: Delivery.OFF,
    # Likewise an acceptance: intake e-mails its decision (with the office's note) and the
    # team services the invitation to each enthusiast (lup.intake.services).
    Kind.APPLICATION_ACCEPTED: Delivery.OFF,
    Kind.ANNOUNCEMENT: Delivery.NOW,
    # Once per round and person (lup.barometer); the survey stays open for weeks.
    Kind.BAROMETER_DUE: Delivery.NOW,
}

# Kinds a person may choose for (and unsubscribe from with List-Unsubscribe).
OPTIONAL = tuple(kind for kind in Kind if kind not in ALWAYS_NOW)


def is_optional(kind: str) -> bool:
    return kind in OPTIONAL
