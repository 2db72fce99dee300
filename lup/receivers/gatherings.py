"""A gathering planned, changed or cancelled by the office (`lup.signals.gathering_changed`)
tells the people of its cohort: each current team member and facilitator gets one
notification per version of the event (lup.notifications), e-mailed with the calendar
event (lup.calendar): METHOD:REQUEST with the raised SEQUENCE for a new or moved gathering,
METHOD:CANCEL for a cancelled one, always with the same UID, so their calendar follows.
A gathering that is already over tells nobody."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from .. import app_settings
from ..calendar.events import gathering_calendar, gathering_uid
from ..models import Gathering, Participant
from ..notifications.models import Notification
from ..notifications.services import notify
from ..signals import gathering_changed

KINDS = {
    "planned": Notification.Kind.GATHERING_PLANNED,
    "changed": Notification.Kind.GATHERING_CHANGED,
    "cancelled": Notification.Kind.GATHERING_CANCELLED,
}


def people_of_cohort(cohort_id: int) -> Any:
    """The cohort's current team members and its facilitators, active and with an address
    (one query)."""
    on_team = Participant.objects.current().filter(enrolment__cohort_id=cohort_id)
    return (
        get_user_model()
        .objects.filter(
            Q(pk__in=on_team.values("user_id")) | Q(lup_facilitated_cohorts__pk=cohort_id),
            is_active=True,
        )
        .exclude(email="")
        .distinct()
    )


@receiver(gathering_changed, sender=Gathering, dispatch_uid="lup_tell_gathering_changed")
def tell_the_cohort(sender: Any, gathering: Gathering, change: str, **kwargs: Any) -> None:
    if gathering.ends_at <= timezone.now():
        return  # over already: no calendar needs it, nobody needs telling
    cohort = gathering.cohort
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    uid = gathering_uid(gathering)
    notify(
        recipients=people_of_cohort(cohort.pk),
        kind=KINDS[change],
        key=f"{uid}:{gathering.calendar_sequence}:{method}",
        context={
            "title": gathering.title,
            "cohort": cohort.name,
            "starts_at": gathering.starts_at.isoformat(),
            "ends_at": gathering.ends_at.isoformat(),
            "place": gathering.place,
            "organisation": cohort.programme.organisation.name,
        },
        url=app_settings.SITE_URL() + reverse("lup:cohort-detail", args=[cohort.pk]),
        calendar=gathering_calendar(gathering, method=method).decode(),
        calendar_method=method,
    )
