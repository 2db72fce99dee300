"""Setting an organisation's retention periods (the retention page, the API, the admin)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..audit import record_event
from ..models import AuditEvent, Organisation
from .categories import RetainedCategory
from .models import RetentionPeriod
from .periods import default_periods

MIN_MONTHS = 1
MAX_MONTHS = 240


def check_months(category: str, months: Any) -> int | None:
    """A period as given: whole months from MIN_MONTHS to MAX_MONTHS, or None for the
    default. Raises ValidationError (keyed by the category) otherwise."""
    if months is None:
        return None
    if isinstance(months, bool) or not isinstance(months, int):
        raise ValidationError(
            {category: _("Give the period as a whole number of months.")}, code="invalid"
        )
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValidationError(
            {
                category: _("Give a period from %(min)s to %(max)s months.")
                % {"min": MIN_MONTHS, "max": MAX_MONTHS}
            },
            code="out_of_range",
        )
    return months


def set_retention_periods(
    *, organisation: Organisation, periods: Mapping[str, int | None], actor: Any
) -> dict[str, dict[str, Any]]:
    """Set some of the organisation's periods: months per retained category, None for the
    installation's default (its own row is removed). Categories not given stay as they are.

    Refuses, changing nothing, an unknown category or a period that is not whole months
    from 1 to 240 (ValidationError keyed by category). The caller checks that the actor
    may (`permissions.may_set_retention`). Audits one `RETENTION_CHANGED` event with each
    change's old and new months, filed under the organisation; nothing when nothing
    changed. Returns the changes (category: before, after, and whether after is the
    organisation's own)."""
    known = set(RetainedCategory.values)
    errors: dict[str, list[str]] = {}
    wanted: dict[str, int | None] = {}
    for category, months in periods.items():
        if category not in known:
            errors.setdefault(str(category), []).append(_("There is no such category of data."))
            continue
        try:
            wanted[category] = check_months(category, months)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    defaults = default_periods()
    changes: dict[str, dict[str, Any]] = {}
    with transaction.atomic():
        # Locked, so two administrators saving at once each see what the other saved and
        # the log tells the true "before".
        own = {
            row.category: row
            for row in RetentionPeriod.objects.select_for_update().filter(organisation=organisation)
        }
        for category, months in wanted.items():
            row = own.get(category)
            before = row.months if row is not None else defaults[category]
            if months is None:
                if row is None:
                    continue
                row.delete()
                after = defaults[category]
            else:
                if row is not None and row.months == months:
                    continue
                row = row or RetentionPeriod(organisation=organisation, category=category)
                row.months = months
                row.updated_by = actor if getattr(actor, "pk", None) else None
                row.full_clean()
                row.save()
                after = months
            changes[category] = {"before": before, "after": after, "own": months is not None}
        if changes:
            record_event(
                action=AuditEvent.Action.RETENTION_CHANGED,
                actor=actor if getattr(actor, "pk", None) else None,
                organisation_id=organisation.pk,
                organisation=organisation.name,
                changes=changes,
            )
    return changes
