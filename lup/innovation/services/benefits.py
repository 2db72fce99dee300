"""Writes on a project's expected benefits (gevinster) and their follow-up measurements, and
who may be named a benefit's owner."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..models import Benefit, BenefitMeasurement, InnovationProject
from .projects import require_own_project

# A benefit's own fields: what `add_benefit` and `update_benefit` take, and what the
# workspace's form and the API show.
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
# The benefit realisation plan's fields (the owner person, class, benefit map, baseline
# method): the workspace's form sets them; a caller that does not give them (the API)
# leaves them as they are.
PLAN_FIELDS = ("owner_person", "benefit_class", "leads_from_change", "effect", "baseline_method")


def owner_candidates(project: InnovationProject) -> QuerySet[User]:
    """The people who may be named a benefit's owner: active people of the project unit's
    organisation (its line organisation), on any of its units' teams or on its staff; they
    need not be on the project's team."""
    if project.enrolment is None:
        return User.objects.none()
    organisation_id = project.enrolment.unit.organisation_id
    people = User.objects.filter(is_active=True).filter(
        Q(lup_memberships__organisation_id=organisation_id)
        | Q(lup_participations__enrolment__unit__organisation_id=organisation_id)
    )
    # distinct through a subquery, so callers may still order and filter freely
    return User.objects.filter(pk__in=people.values("pk")).order_by(
        "last_name", "first_name", "username"
    )


def _set_plan(benefit: Benefit, values: dict[str, Any]) -> None:
    """Set the plan's fields given in `values` (an empty text for None)."""
    for name in PLAN_FIELDS:
        if name not in values:
            continue
        if name == "owner_person":
            benefit.owner_person = values[name]
        else:
            setattr(benefit, name, values[name] or "")


def _check_owner_person(benefit: Benefit) -> None:
    """The named owner must belong to the project unit's organisation."""
    if benefit.owner_person_id is None:
        return
    if not owner_candidates(benefit.project).filter(pk=benefit.owner_person_id).exists():
        raise ValidationError(
            {"owner_person": _("The benefit owner must be a person in the unit's organisation.")}
        )


def _check_benefit(benefit: Benefit) -> None:
    """The rules across a benefit's fields, reported by field."""
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

    `values` are the benefit's fields (BENEFIT_FIELDS, and PLAN_FIELDS where given); a
    named owner person must belong to the unit's organisation. The target must differ from the
    baseline (it gives the direction of improvement) and the baseline cannot be future.
    """
    require_own_project(project)
    benefit = Benefit(project=project, **{name: values.get(name) for name in BENEFIT_FIELDS})
    _set_plan(benefit, values)
    _check_benefit(benefit)
    _check_owner_person(benefit)
    benefit.full_clean()
    benefit.save()
    return benefit


@transaction.atomic
def update_benefit(*, benefit: Benefit, **values: Any) -> Benefit:
    """Change a benefit's description, baseline, target or owner (see `add_benefit`); the
    plan's fields (PLAN_FIELDS) only when given."""
    for name in BENEFIT_FIELDS:
        setattr(benefit, name, values.get(name))
    _set_plan(benefit, values)
    _check_benefit(benefit)
    _check_owner_person(benefit)
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
                % {"date": formats.date_format(benefit.baseline_on, "SHORT_DATE_FORMAT")}
            }
        )
    if BenefitMeasurement.objects.filter(benefit=benefit, measured_on=measured_on).exists():
        raise _already_measured_that_day()
    measurement = BenefitMeasurement(
        benefit=benefit, measured_on=measured_on, value=value, note=note, recorded_by=recorded_by
    )
    measurement.full_clean()
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError:  # the same day saved by someone else a moment ago
        raise _already_measured_that_day() from None
    return measurement


def _already_measured_that_day() -> ValidationError:
    return ValidationError(
        {"measured_on": _("There is already a measurement on this day. Choose another date.")}
    )
