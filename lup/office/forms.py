"""The programme office's forms: they parse input; `lup.office.services` checks and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..forms import DateInput, DateTimeInput, DesignsystemetForm
from ..models import Gathering
from .services import AGENDA_MAX_LENGTH, NAME_MAX_LENGTH, PLACE_MAX_LENGTH, TITLE_MAX_LENGTH


class OfficeForm(DesignsystemetForm):
    """A Designsystemet form that also takes a service's refusal onto its fields."""

    def add_service_errors(self, error: ValidationError) -> None:
        """A service's refusal on the fields it names (the rest above the form)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in self.fields else None
                for message in ValidationError(errors).messages:
                    self.add_error(target, message)
        else:
            for message in error.messages:
                self.add_error(None, message)
        self.full_clean_attrs()

    def full_clean_attrs(self) -> None:
        for name, field in self.fields.items():
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"
                described = field.widget.attrs.get("aria-describedby", "")
                error_id = f"{self[name].auto_id}_error"
                if error_id not in described.split():
                    field.widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()


class FacilitatorChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else str(obj.email)


class CohortForm(OfficeForm):
    """A cohort's name, first and last day, and facilitators (from `candidates`)."""

    name = forms.CharField(
        label=_("Name"), max_length=NAME_MAX_LENGTH, help_text=_("For example “LUP 4”.")
    )
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    facilitators = FacilitatorChoice(
        label=_("Facilitators"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The organisation's people who run cohorts."),
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        field = self.fields["facilitators"]
        assert isinstance(field, FacilitatorChoice)
        # The queryset checks a choice; the list keeps the candidates' order for the page.
        field.queryset = get_user_model().objects.filter(pk__in=[p.pk for p in candidates])
        field.choices = [(person.pk, field.label_from_instance(person)) for person in candidates]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("The cohort must end after the day it starts."))
        return cleaned


class ActivityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.module.title}: {obj.title}"


class GatheringForm(OfficeForm):
    """A gathering's title, kind, time, place, agenda and attendance activity."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    kind = forms.ChoiceField(label=_("Kind"), choices=Gathering.Kind.choices)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=PLACE_MAX_LENGTH, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=AGENDA_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    activity = ActivityChoice(
        label=_("Attendance activity"),
        queryset=None,
        required=False,
        empty_label=_("None"),
        help_text=_("Attending completes this activity of the curriculum."),
    )

    def __init__(self, *args: Any, activities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["activity"]
        assert isinstance(field, ActivityChoice)
        field.queryset = activities.select_related("module")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The gathering must end after it starts."))
        return cleaned


class MoveUnitForm(OfficeForm):
    """The open cohort a unit moves to (`targets`)."""

    to_cohort: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Move to cohort"),
        queryset=None,
        empty_label=_("Choose a cohort"),
        error_messages={"invalid_choice": _("Choose one of the open cohorts listed.")},
    )

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_cohort"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = targets
