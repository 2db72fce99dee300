"""Reading announcements: who an announcement reaches (shown before it is sent, and used by
`services.send_announcement`), and the announcements a person may read, newest first, each
in a fixed number of queries however many there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from ..models import Cohort, Participant, Programme, UnitEnrolment
from ..notifications.models import Announcement
from ..permissions import ANNOUNCE_PERMISSION, member_organisations

Audience = Announcement.Audience


@dataclass(frozen=True)
class Recipients:
    """The people an announcement reaches: the current team members of the units it is
    for, and (to a cohort or a team) the cohort's facilitators; each once, active and with
    an e-mail address, never its author."""

    members: list[Any] = field(default_factory=list)
    facilitators: list[Any] = field(default_factory=list)

    @property
    def people(self) -> list[Any]:
        """Everyone, once each (a facilitator who is also on a team is one person)."""
        return list({person.pk: person for person in [*self.members, *self.facilitators]}.values())

    @property
    def count(self) -> int:
        return len(self.people)


def concerned_enrolments(
    *,
    programme: Programme,
    audience: str,
    cohort: Cohort | None = None,
    enrolment: UnitEnrolment | None = None,
) -> QuerySet[UnitEnrolment]:
    """The unit enrolments (teams) an announcement is for: the one team, every team of the
    cohort, or every team of the programme's cohorts; never a unit that has withdrawn (it
    has left the programme)."""
    enrolments = UnitEnrolment.objects.exclude(status=UnitEnrolment.Status.WITHDRAWN)
    if audience == Audience.TEAM and enrolment is not None:
        return enrolments.filter(pk=enrolment.pk)
    if audience == Audience.COHORT and cohort is not None:
        return enrolments.filter(cohort_id=cohort.pk)
    if audience == Audience.PROGRAMME:
        return enrolments.filter(cohort__programme_id=programme.pk)
    return enrolments.none()


def recipients_of(
    *,
    programme: Programme,
    audience: str,
    cohort: Cohort | None = None,
    enrolment: UnitEnrolment | None = None,
    author: Any = None,
) -> Recipients:
    """Who an announcement to this audience reaches (`Recipients`). Two queries (one for a
    programme-wide announcement, which goes to the units only)."""
    people = get_user_model().objects.filter(is_active=True).exclude(email="").order_by("pk")
    if author is not None and author.pk is not None:
        people = people.exclude(pk=author.pk)
    on_teams = Participant.objects.current().filter(
        enrolment__in=concerned_enrolments(
            programme=programme, audience=audience, cohort=cohort, enrolment=enrolment
        ).values("pk")
    )
    members = list(people.filter(pk__in=on_teams.values("user_id")))
    facilitators: list[Any] = []
    if audience != Audience.PROGRAMME and cohort is not None:
        facilitators = list(people.filter(lup_facilitated_cohorts=cohort.pk))
    return Recipients(members=members, facilitators=facilitators)


def announcements_for(user: Any) -> QuerySet[Announcement]:
    """The announcements a person may read, newest first: those sent to them (to a team they
    are on, to its cohort, to all units of its programme), those to the cohorts they
    facilitate and their teams, and, for the programme's office, every announcement of
    their organisations' programmes. Superusers read all. One query, with what the lists
    show (programme, cohort, team and author)."""
    announcements = Announcement.objects.select_related(
        "programme", "cohort", "enrolment__unit", "author"
    ).order_by("-created_at", "-pk")
    if not user.is_authenticated:
        return announcements.none()
    if user.is_superuser:
        return announcements
    on_teams = (
        Participant.objects.current()
        .filter(user_id=user.pk)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
    )
    scope = (
        Q(audience=Audience.TEAM, enrolment_id__in=on_teams.values("enrolment_id"))
        | Q(audience=Audience.COHORT, cohort_id__in=on_teams.values("enrolment__cohort_id"))
        | Q(
            audience=Audience.PROGRAMME,
            programme_id__in=on_teams.values("enrolment__cohort__programme_id"),
        )
        | Q(
            cohort_id__in=Cohort.facilitators.through.objects.filter(user_id=user.pk).values(
                "cohort_id"
            )
        )
    )
    if user.has_perm(ANNOUNCE_PERMISSION):
        scope |= Q(programme__organisation_id__in=member_organisations(user))
    return announcements.filter(scope)


def announcements_to_cohort(user: Any, cohort: Cohort) -> QuerySet[Announcement]:
    """What the cohort was told, as far as `user` may read it: to the cohort, to its teams,
    and to all units of its programme."""
    return announcements_for(user).filter(
        Q(cohort_id=cohort.pk) | Q(audience=Audience.PROGRAMME, programme_id=cohort.programme_id)
    )


def announcements_to_team(user: Any, enrolment: UnitEnrolment) -> QuerySet[Announcement]:
    """What a team was told, as far as `user` may read it: to the team, to its cohort, and
    to all units of its programme."""
    return announcements_for(user).filter(
        Q(audience=Audience.TEAM, enrolment_id=enrolment.pk)
        | Q(audience=Audience.COHORT, cohort_id=enrolment.cohort_id)
        | Q(audience=Audience.PROGRAMME, programme_id=enrolment.cohort.programme_id)
    )
