"""Query filters of the API's lists (django-filter). A value that does not parse answers
400 with a message under the parameter's name; resources are named by their UUID."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from ..models import Cohort, Gathering, Participant, Sector, ServiceUnit


class IdFilter(filters.NumberFilter):
    """A database id: a whole number (a decimal or an out-of-range one is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """true or false (1 or 0); anything else is an error, not silently ignored."""

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        lowered = str(value).lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", forms.TextInput)  # DRF's widget turns "perhaps" into None
        super().__init__(*args, **kwargs)


class SectorFilter(filters.FilterSet):
    organisation = filters.UUIDFilter(
        field_name="organisation__public_id", help_text=_("An organisation's id.")
    )

    class Meta:
        model = Sector
        fields = ["organisation"]


class ServiceUnitFilter(filters.FilterSet):
    organisation = filters.UUIDFilter(
        field_name="organisation__public_id", help_text=_("An organisation's id.")
    )
    sector = IdFilter(field_name="sector_id", help_text=_("A sector's id."))
    code = filters.CharFilter(help_text=_("The organisation's own code of the unit."))
    active = BooleanFilter()

    class Meta:
        model = ServiceUnit
        fields = ["organisation", "sector", "code", "active"]


class CohortFilter(filters.FilterSet):
    programme = filters.UUIDFilter(
        field_name="programme__public_id", help_text=_("A programme's id.")
    )
    running_on = filters.DateFilter(
        method="filter_running_on", help_text=_("Cohorts running on this date (YYYY-MM-DD).")
    )

    class Meta:
        model = Cohort
        fields = ["programme", "running_on"]

    def filter_running_on(self, queryset: Any, name: str, value: dt.date) -> Any:
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class UtcDateTimeField(filters.IsoDateTimeFilter.field_class):
    """An ISO 8601 time, given to the database in UTC: PostgreSQL refuses offsets beyond
    ±15:59 (Python accepts up to ±23:59), and a time before year 1 in UTC is no time."""

    def clean(self, value: Any) -> Any:
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("Enter a time between year 1 and 9999.")) from None


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class ParticipantFilter(filters.FilterSet):
    programme = filters.UUIDFilter(
        field_name="enrolment__cohort__programme__public_id", help_text=_("A programme's id.")
    )
    cohort = filters.UUIDFilter(
        field_name="enrolment__cohort__public_id", help_text=_("A cohort's id.")
    )
    unit = filters.UUIDFilter(field_name="enrolment__unit__public_id", help_text=_("A unit's id."))
    role = filters.ChoiceFilter(choices=Participant.Role.choices)
    status = filters.ChoiceFilter(choices=Participant.Status.choices)
    updated_since = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gt",
        help_text=_("Only records changed after this time (ISO 8601, with a time zone)."),
    )

    class Meta:
        model = Participant
        fields = ["programme", "cohort", "unit", "role", "status", "updated_since"]


class CompletionFilter(ParticipantFilter):
    completed = BooleanFilter(
        field_name="completed_at",
        lookup_expr="isnull",
        exclude=True,
        help_text=_("true: only completed participants; false: only those not completed."),
    )

    class Meta(ParticipantFilter.Meta):
        fields = [*ParticipantFilter.Meta.fields, "completed"]


class GatheringFilter(filters.FilterSet):
    cohort = filters.UUIDFilter(field_name="cohort__public_id", help_text=_("A cohort's id."))
    kind = filters.ChoiceFilter(choices=Gathering.Kind.choices)

    class Meta:
        model = Gathering
        fields = ["cohort", "kind"]
