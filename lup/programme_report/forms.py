"""The report's period: from and to dates, checked before any figure is read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..forms import DesignsystemetForm
from .selectors import Period, default_period

# Nothing of a programme can be older: earlier dates are typing mistakes.
EARLIEST = dt.date(2000, 1, 1)


class DateInput(forms.DateInput):
    """The browser's date picker."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PeriodForm(DesignsystemetForm):
    """From and to (both included); empty fields take the default period."""

    starts_on = forms.DateField(label=_("From"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean_starts_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("starts_on")
        if value is not None and value < EARLIEST:
            raise forms.ValidationError(
                _("Choose a date from %(year)s onwards.") % {"year": EARLIEST.year}
            )
        return value

    def clean_ends_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("ends_on")
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError(_("The report cannot end after today."))
        if value is not None and value < EARLIEST:
            raise forms.ValidationError(
                _("Choose a date from %(year)s onwards.") % {"year": EARLIEST.year}
            )
        return value

    def period_for(self, programme: Any) -> Period | None:
        """The period asked for, empty fields taking the default (the programme's start to
        today); None, with the error on the form, when the dates do not make a period."""
        if not self.is_valid():
            return None
        default = default_period(programme)
        period = Period(
            starts_on=self.cleaned_data["starts_on"] or default.starts_on,
            ends_on=self.cleaned_data["ends_on"] or default.ends_on,
        )
        if period.ends_on < period.starts_on:
            self.add_error("starts_on", _("The start of the period is after its end."))
            return None
        return period

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end of the period is before its start."))
        return cleaned
