"""How long each organisation keeps each retained category: its own period, else the
default from the settings. The purge and the privacy statement both read it here, so the
statement says what the purge does."""

from __future__ import annotations

from collections.abc import Iterable

from .. import app_settings
from ..models import Organisation
from .categories import RetainedCategory
from .models import RetentionPeriod


def default_periods() -> dict[str, int]:
    """The installation's default months per retained category (`LUP_RETENTION_*`)."""
    return {
        category.value: app_settings.RETENTION_MONTHS()[category.value]
        for category in RetainedCategory
    }


def own_periods(organisation: Organisation) -> dict[str, int]:
    """The periods the organisation set itself, by category (its defaults left out)."""
    return dict(
        RetentionPeriod.objects.filter(organisation=organisation).values_list("category", "months")
    )


def periods_for(organisation: Organisation) -> dict[str, int]:
    """The organisation's months per retained category (its own where set): one query."""
    return periods_for_many([organisation])[organisation.pk]


def periods_for_many(organisations: Iterable[Organisation]) -> dict[int, dict[str, int]]:
    """Months per retained category for each organisation, by its id: one query."""
    organisation_ids = [organisation.pk for organisation in organisations]
    periods = {organisation_id: default_periods() for organisation_id in organisation_ids}
    for row in RetentionPeriod.objects.filter(organisation_id__in=organisation_ids).values(
        "organisation_id", "category", "months"
    ):
        periods[row["organisation_id"]][row["category"]] = row["months"]
    return periods


def audit_retention_days() -> int:
    """Days audit events are kept: one period for the whole installation."""
    return app_settings.AUDIT_RETENTION_DAYS()
