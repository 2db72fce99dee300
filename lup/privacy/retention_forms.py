"""The retention page's form: one period in months per retained category."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from .categories import RetainedCategory
from .services_retention import MAX_MONTHS, MIN_MONTHS


class RetentionPeriodsForm(forms.Form):
    """A field per retained category: whole months from 1 to 240, or empty for the
    installation's default (shown in each field's help text)."""

    def __init__(
        self, *args: Any, defaults: dict[str, int], own: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for category in RetainedCategory:
            default = defaults[category.value]
            self.fields[category.value] = forms.IntegerField(
                label=_("%(category)s, months") % {"category": category.label},
                required=False,
                min_value=MIN_MONTHS,
                max_value=MAX_MONTHS,
                initial=own.get(category.value),
                help_text=_(
                    "The installation's default is %(default)s months. Leave empty to use it."
                )
                % {"default": default},
                error_messages={
                    "invalid": _("Give the period as a whole number of months."),
                    "min_value": _("Give a period from %(min)s to %(max)s months.")
                    % {"min": MIN_MONTHS, "max": MAX_MONTHS},
                    "max_value": _("Give a period from %(min)s to %(max)s months.")
                    % {"min": MIN_MONTHS, "max": MAX_MONTHS},
                },
                widget=forms.TextInput(attrs={"class": "ds-input", "inputmode": "numeric"}),
            )

    def periods(self) -> dict[str, int | None]:
        """The months given per category (None: the default)."""
        return {
            category.value: self.cleaned_data.get(category.value) for category in RetainedCategory
        }
