"""Writes on innovation projects: starting one, its phase, canvas, benefits and reviews.

Every service takes keyword-only arguments, runs in one transaction and validates with
`full_clean()` before saving, so a rejected input changes nothing. Reviews feed the
programme's completion rule through the completion services of `lup.services`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import app_settings
from ..models import Participant, Programme, UnitEnrolment
from ..services import complete_unit_if_earned, withdraw_unit_completion_for_project
from .models import (
    DEFAULT_CANVAS_FIELDS,
    DEFAULT_PHASES,
    Benefit,
    BenefitMeasurement,
    BenefitReminder,
    CanvasField,
    CanvasVersion,
    InnovationProject,
    PhaseChange,
    ProjectPhase,
    ProjectReview,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A follow-up measured up to this many days before its due date counts for that date:
# teams measure when it suits their routines, not on the exact day.
MEASUREMENT_SLACK_DAYS = 30


class CanvasConflict(Exception):
    """Someone saved a newer canvas version since the one the edit started from."""

    def __init__(self, latest: CanvasVersion) -> None:
        super().__init__(f"canvas version {latest.number} is newer")
        self.latest = latest


# Phases and canvas fields


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


def canvas_fields(programme: Programme | None) -> list[tuple[str, str, str]]:
    """The canvas's fields as (key, label, help): the programme's own, else the defaults."""
    if programme is not None:
        own = [
            (field.key, field.label, field.help_text)
            for field in CanvasField.objects.filter(programme=programme).order_by("position")
        ]
        if own:
            return own
    return list(DEFAULT_CANVAS_FIELDS)


# Projects


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
    if project.enrolment is None:
        raise ValidationError(_("An imported project cannot be edited here."))
    project.title, project.need, project.audience, project.idea = title, need, audience, idea
    project.full_clean()
    project.save(update_fields=["title", "need", "audience", "idea", "updated_at"])
    project.members.set(_team_members(project.enrolment, members))
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
    of order and is refused.
    """
    programme = project.enrolment.cohort.programme if project.enrolment else None
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
                % {"date": latest.strftime("%d.%m.%Y")}
            }
        )
    change = PhaseChange(
        project=project, phase=phase, entered_on=entered_on, note=note, changed_by=changed_by
    )
    change.full_clean()
    change.save()
    project.phase = phase
    project.save(update_fields=["phase", "updated_at"])
    return change


# Canvas


@transaction.atomic
def save_canvas(
    *,
    project: InnovationProject,
    content: Mapping[str, str],
    base_number: int,
    saved_by: User | None,
) -> CanvasVersion | None:
    """Save the team canvas as a new version (number + 1). Returns None when nothing changed.

    `base_number` is the version the editor started from (0 for a blank canvas). If someone
    saved a newer version in the meantime, raises CanvasConflict with that version so the
    editor can merge instead of silently overwriting it.
    """
    # Lock the project row so two saves of the same project queue up (PostgreSQL); on
    # SQLite writes are serialised anyway, and the unique version number is the last guard.
    InnovationProject.objects.select_for_update().filter(pk=project.pk).first()
    latest = CanvasVersion.objects.filter(project=project).order_by("-number").first()
    latest_number = latest.number if latest else 0
    if latest is not None and latest_number != base_number:
        raise CanvasConflict(latest)
    if latest is None and base_number != 0:
        raise ValidationError(_("The canvas version you edited no longer exists."))
    cleaned = {key: value.strip() for key, value in content.items()}
    previous = dict(latest.content) if latest else {}
    if {k: v for k, v in previous.items() if v} == {k: v for k, v in cleaned.items() if v}:
        return None
    # Keep the text of fields the programme no longer shows rather than dropping it.
    merged = {**previous, **cleaned}
    version = CanvasVersion(
        project=project, number=latest_number + 1, content=merged, saved_by=saved_by
    )
    version.full_clean()
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        newer = CanvasVersion.objects.filter(project=project).order_by("-number").first()
        if newer is None:
            raise
        raise CanvasConflict(newer) from None
    InnovationProject.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    return version


# Benefits


BENEFIT_FIELDS = (
    "type",
    "description",
    "indicator",
    "unit_of_measure",
    "baseline_value",
    "baseline_on",
    "target_value",
    "target_on",
    "owner",
)


def _check_benefit(benefit: Benefit) -> None:
    errors: dict[str, str] = {}
    if benefit.baseline_on and benefit.baseline_on > timezone.localdate():
        errors["baseline_on"] = _("The baseline cannot be measured in the future.")
    if (
        benefit.baseline_value is not None
        and benefit.target_value is not None
        and benefit.baseline_value == benefit.target_value
    ):
        errors["target_value"] = _("The target must differ from the baseline.")
    if benefit.target_on and benefit.baseline_on and benefit.target_on <= benefit.baseline_on:
        errors["target_on"] = _("The target date must be after the baseline date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_benefit(*, project: InnovationProject, **values: Any) -> Benefit:
    """Add an expected benefit with its baseline (nullpunkt) and target.

    `values` are the benefit's fields (BENEFIT_FIELDS). The target must differ from the
    baseline (it gives the direction of improvement) and the baseline cannot be future.
    """
    if project.enrolment is None:
        raise ValidationError(_("An imported project cannot be edited here."))
    benefit = Benefit(project=project, **{name: values.get(name) for name in BENEFIT_FIELDS})
    _check_benefit(benefit)
    benefit.full_clean()
    benefit.save()
    return benefit


@transaction.atomic
def update_benefit(*, benefit: Benefit, **values: Any) -> Benefit:
    """Change a benefit's description, baseline, target or owner (see `add_benefit`)."""
    for name in BENEFIT_FIELDS:
        setattr(benefit, name, values.get(name))
    _check_benefit(benefit)
    first = benefit.measurements.aggregate(first=Min("measured_on"))["first"]
    if first is not None and benefit.baseline_on > first:
        raise ValidationError(
            {"baseline_on": _("The baseline must be measured before the first follow-up.")}
        )
    benefit.full_clean()
    benefit.save()
    return benefit


@transaction.atomic
def record_measurement(
    *,
    benefit: Benefit,
    measured_on: dt.date,
    value: Decimal,
    recorded_by: User | None,
    note: str = "",
) -> BenefitMeasurement:
    """Record a follow-up measurement of a benefit: one per day, not in the future, and not
    before the baseline. Raises ValidationError by field otherwise."""
    if measured_on > timezone.localdate():
        raise ValidationError({"measured_on": _("The date cannot be in the future.")})
    if measured_on < benefit.baseline_on:
        raise ValidationError(
            {
                "measured_on": _("A follow-up cannot be before the baseline (%(date)s).")
                % {"date": benefit.baseline_on.strftime("%d.%m.%Y")}
            }
        )
    if BenefitMeasurement.objects.filter(benefit=benefit, measured_on=measured_on).exists():
        raise ValidationError(
            {"measured_on": _("There is already a measurement on this day. Choose another date.")}
        )
    measurement = BenefitMeasurement(
        benefit=benefit, measured_on=measured_on, value=value, note=note, recorded_by=recorded_by
    )
    measurement.full_clean()
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError:  # the same day saved by someone else a moment ago
        raise ValidationError(
            {"measured_on": _("There is already a measurement on this day. Choose another date.")}
        ) from None
    return measurement


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def due_dates(pilot_started_on: dt.date | None) -> list[dt.date]:
    """When follow-up measurements are due (LUP_BENEFIT_REMINDER_MONTHS after the pilot)."""
    if pilot_started_on is None:
        return []
    return [
        add_months(pilot_started_on, months) for months in app_settings.BENEFIT_REMINDER_MONTHS()
    ]


def next_due_date(due: list[dt.date], measured: Iterable[dt.date]) -> dt.date | None:
    """The first due date not yet covered by a measurement (taken at most
    MEASUREMENT_SLACK_DAYS before it, or any time after)."""
    days = sorted(measured)
    for due_on in due:
        window = due_on - dt.timedelta(days=MEASUREMENT_SLACK_DAYS)
        if not any(day >= window for day in days):
            return due_on
    return None


def _pilot_starts(projects: Iterable[int]) -> dict[int, dt.date]:
    rows = (
        PhaseChange.objects.filter(project_id__in=list(projects), phase__starts_pilot=True)
        .values("project_id")
        .annotate(first=Min("entered_on"))
    )
    return {row["project_id"]: row["first"] for row in rows}


@transaction.atomic
def send_benefit_reminders(*, today: dt.date | None = None) -> int:
    """E-mail each team whose benefit follow-ups are due and not yet measured; once per
    benefit and due date (BenefitReminder). Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    benefits = list(
        Benefit.objects.filter(
            project__enrolment__isnull=False,
            project__phase_changes__phase__starts_pilot=True,
        )
        .exclude(project__enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("project")
        .prefetch_related("measurements", "reminders")
        .distinct()
    )
    starts = _pilot_starts({benefit.project_id for benefit in benefits})
    due_by_project: dict[int, list[tuple[Benefit, dt.date]]] = defaultdict(list)
    for benefit in benefits:
        sent = {reminder.due_on for reminder in benefit.reminders.all()}
        measured = [measurement.measured_on for measurement in benefit.measurements.all()]
        for due_on in due_dates(starts.get(benefit.project_id)):
            if due_on > today or due_on in sent:
                continue
            if next_due_date([due_on], measured) is None:
                continue  # already measured for this date
            due_by_project[benefit.project_id].append((benefit, due_on))
    if not due_by_project:
        return 0
    recipients: dict[int, list[str]] = defaultdict(list)
    for participant in (
        Participant.objects.current()
        .filter(enrolment__project__in=list(due_by_project))
        .exclude(user__email="")
        .filter(user__is_active=True)
        .values("enrolment__project", "user__email")
    ):
        recipients[participant["enrolment__project"]].append(participant["user__email"])
    messages = []
    for project_id, due in due_by_project.items():
        BenefitReminder.objects.bulk_create(
            [BenefitReminder(benefit=benefit, due_on=due_on) for benefit, due_on in due],
            ignore_conflicts=True,
        )
        if not recipients[project_id]:
            continue
        project = due[0][0].project
        lines = [
            _("It is time to measure the benefits of “%(title)s”:") % {"title": project.title},
            "",
            *[
                f"– {benefit.description} ({due_on.strftime('%d.%m.%Y')})"
                for benefit, due_on in due
            ],
            "",
            _("Record the measurements on the project page."),
        ]
        messages.append(
            (
                _("Benefit follow-up due: %(title)s") % {"title": project.title},
                "\n".join(lines),
                settings.DEFAULT_FROM_EMAIL,
                sorted(set(recipients[project_id])),
            )
        )
    # Mail only once the reminders are stored, so a rollback never leaves sent-but-unrecorded.
    transaction.on_commit(lambda: send_mass_mail(tuple(messages), fail_silently=False))
    return len(messages)


# Review


@transaction.atomic
def submit_for_review(*, project: InnovationProject) -> InnovationProject:
    """The team asks its facilitators to review the project."""
    if project.review_status not in {
        InnovationProject.Review.DRAFT,
        InnovationProject.Review.RETURNED,
    }:
        raise ValidationError(_("The project is already submitted or approved."))
    project.review_status = InnovationProject.Review.SUBMITTED
    project.save(update_fields=["review_status", "updated_at"])
    return project


@transaction.atomic
def review_project(
    *,
    project: InnovationProject,
    reviewer: User,
    point: str,
    decision: str,
    comment: str = "",
) -> ProjectReview:
    """A facilitator or programme administrator comments on, approves or returns a project.

    Approval stamps the project and re-evaluates the unit's completion (a programme may
    require an approved project). Returning an approved project takes the approval back,
    and with it the unit's completion when the programme requires approval (audited).
    """
    project = InnovationProject.objects.select_for_update().get(pk=project.pk)
    if project.enrolment_id is None:
        raise ValidationError(_("An imported project cannot be reviewed."))
    comment = comment.strip()
    if decision in {ProjectReview.Decision.COMMENT, ProjectReview.Decision.RETURN} and not comment:
        raise ValidationError({"comment": _("Write a comment for the team.")})
    was_approved = project.review_status == InnovationProject.Review.APPROVED
    if decision == ProjectReview.Decision.APPROVE and was_approved:
        raise ValidationError({"decision": _("The project is already approved.")})
    review = ProjectReview(
        project=project, point=point, decision=decision, comment=comment, reviewer=reviewer
    )
    review.full_clean()
    review.save()
    enrolment = UnitEnrolment.objects.select_related(
        "unit", "cohort__programme__completion_rule"
    ).get(pk=project.enrolment_id)
    if decision == ProjectReview.Decision.APPROVE:
        project.review_status = InnovationProject.Review.APPROVED
        project.approved_at = timezone.now()
        project.save(update_fields=["review_status", "approved_at", "updated_at"])
        complete_unit_if_earned(enrolment=enrolment)
    elif decision == ProjectReview.Decision.RETURN:
        project.review_status = InnovationProject.Review.RETURNED
        project.approved_at = None
        project.save(update_fields=["review_status", "approved_at", "updated_at"])
        if was_approved:
            withdraw_unit_completion_for_project(enrolment=enrolment, withdrawn_by=reviewer)
    return review
