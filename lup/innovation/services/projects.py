"""Writes on a project itself: the programme's phases, starting a project, changing what it is
about and who works on it, and moving it through the phases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ...models import Participant, Programme, UnitEnrolment
from ..models import DEFAULT_PHASES, InnovationProject, PhaseChange, ProjectPhase
from .phase_updates import finished_phase, request_benefit_updates


@transaction.atomic
def ensure_project_phases(*, programme: Programme) -> list[ProjectPhase]:
    """The programme's phases in order; creates KS' roadmap (DEFAULT_PHASES) if it has none."""
    phases = list(ProjectPhase.objects.filter(programme=programme).order_by("position"))
    if phases:
        return phases
    for position, (key, name, starts_pilot) in enumerate(DEFAULT_PHASES, start=1):
        phase = ProjectPhase(
            programme=programme, key=key, name=name, position=position, starts_pilot=starts_pilot
        )
        phase.full_clean()
        phase.save()
        phases.append(phase)
    return phases


def require_own_project(project: InnovationProject) -> UnitEnrolment:
    """The project's enrolment; refuses a project imported from elsewhere, which has no team
    and is reference material only."""
    if project.enrolment is None:
        raise ValidationError(_("An imported project cannot be edited here."))
    return project.enrolment


@transaction.atomic
def start_project(
    *,
    enrolment: UnitEnrolment,
    title: str,
    need: str,
    audience: str,
    idea: str = "",
    members: Iterable[Participant] = (),
    started_by: User | None = None,
) -> InnovationProject:
    """Start the unit team's innovation project for its enrolment (one per enrolment).

    The project belongs to the programme's organisation, so its administrators follow it,
    and enters the programme's first phase today.
    """
    if enrolment.status == UnitEnrolment.Status.WITHDRAWN:
        raise ValidationError(_("A withdrawn unit cannot start a project."))
    if InnovationProject.objects.filter(enrolment=enrolment).exists():
        raise ValidationError(_("This team already has a project."))
    programme = enrolment.cohort.programme
    first_phase = ensure_project_phases(programme=programme)[0]
    project = InnovationProject(
        organisation_id=programme.organisation_id,
        enrolment=enrolment,
        title=title,
        need=need,
        audience=audience,
        idea=idea,
        phase=first_phase,
    )
    project.full_clean()
    project.save()
    project.members.set(_team_members(enrolment, members))
    PhaseChange.objects.create(
        project=project,
        phase=first_phase,
        entered_on=timezone.localdate(),
        changed_by=started_by,
    )
    return project


def _team_members(enrolment: UnitEnrolment, members: Iterable[Participant]) -> list[Participant]:
    """`members`, provided each is on the unit's team in the enrolment's cohort."""
    chosen = list(members)
    if any(member.enrolment_id != enrolment.pk for member in chosen):
        raise ValidationError(_("Team members must be on the unit's team in this cohort."))
    return chosen


@transaction.atomic
def update_project(
    *,
    project: InnovationProject,
    title: str,
    need: str,
    audience: str,
    idea: str,
    members: Iterable[Participant],
) -> InnovationProject:
    """Change what the project is about and who works on it."""
    enrolment = require_own_project(project)
    project.title, project.need, project.audience, project.idea = title, need, audience, idea
    project.full_clean()
    project.save(update_fields=["title", "need", "audience", "idea", "updated_at"])
    project.members.set(_team_members(enrolment, members))
    return project


@transaction.atomic
def change_phase(
    *,
    project: InnovationProject,
    phase: ProjectPhase,
    entered_on: dt.date,
    changed_by: User | None,
    note: str = "",
) -> PhaseChange:
    """Move the project to a phase from a day the team chooses (today or earlier).

    The change is kept as a dated entry, so the timeline shows the whole path, going back
    included. A date before the project's latest phase change would draw the timeline out
    of order and is refused. The benefits' owners are then asked to update them for the
    phase the project finished (`phase_updates.request_benefit_updates`).
    """
    programme = project.programme
    if programme is None or phase.programme_id != programme.pk:
        raise ValidationError({"phase": _("Choose one of the programme's phases.")})
    if phase.pk == project.phase_id:
        raise ValidationError({"phase": _("The project is already in this phase.")})
    if entered_on > timezone.localdate():
        raise ValidationError({"entered_on": _("The date cannot be in the future.")})
    latest = project.phase_changes.aggregate(latest=Max("entered_on"))["latest"]
    if latest is not None and entered_on < latest:
        raise ValidationError(
            {
                "entered_on": _("The date cannot be before the latest phase change (%(date)s).")
                % {"date": formats.date_format(latest, "SHORT_DATE_FORMAT")}
            }
        )
    change = PhaseChange(
        project=project, phase=phase, entered_on=entered_on, note=note, changed_by=changed_by
    )
    change.full_clean()
    change.save()
    project.phase = phase
    project.save(update_fields=["phase", "updated_at"])
    # The end of a phase is when each benefit is updated: ask its owner for it.
    finished = finished_phase(project)
    if finished is not None:
        request_benefit_updates(project=project, phase=finished, ended_on=entered_on)
    return change
