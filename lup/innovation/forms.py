"""Forms of the project workspace: they parse and check input; the services write."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..forms import DateInput, DesignsystemetForm
from ..models import Participant
from .models import (
    MEASUREMENT_LIMIT,
    BenefitClass,
    BenefitType,
    BenefitUpdate,
    InnovationProject,
    MeasureUnit,
    ProjectPhase,
    ProjectReview,
)

LARGEST = MEASUREMENT_LIMIT - Decimal("0.01")
CANVAS_FIELD_MAX_LENGTH = 4000


def _not_in_future(day: Any) -> Any:
    if day and day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    return day


# Spaces people and spreadsheets put between digit groups: "1 200", "1\u00a0200" (Norwegian
# formatting's no-break space) and "1\u202f200" (narrow no-break space).
_DIGIT_GROUP_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009](?=\d{3}(?!\d))")


class AmountField(forms.DecimalField):
    """A decimal typed the Norwegian way: "1 200,50" is 1200.50 (a decimal comma, as the
    language's format says, and digit groups separated by spaces, which Django's own
    parsing keeps only when it prints numbers with separators itself)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = _DIGIT_GROUP_SPACES.sub("", value.strip())
        return super().to_python(value)


def _amount(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return AmountField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=14,
        decimal_places=2,
        min_value=-LARGEST,
        max_value=LARGEST,
        localize=True,  # Norwegian decimal comma
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _member_label(participant: Participant) -> str:
    name = participant.user.get_full_name() or participant.user.email
    return f"{name} ({participant.get_role_display()})"


class ProjectForm(DesignsystemetForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    need = forms.CharField(
        label=_("The need"),
        help_text=_("The need or problem, as the users experience it."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    audience = forms.CharField(
        label=_("Who it is for"), max_length=300, help_text=_("The users the project serves.")
    )
    idea = forms.CharField(
        label=_("The idea"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Team members"),
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, team: QuerySet[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        members.queryset = team  # type: ignore[attr-defined]
        members.label_from_instance = _member_label  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(project: InnovationProject) -> dict[str, Any]:
        return {
            "title": project.title,
            "need": project.need,
            "audience": project.audience,
            "idea": project.idea,
            "members": list(project.members.all()),
        }


class PhaseForm(DesignsystemetForm):
    phase = forms.ModelChoiceField(
        label=_("New phase"), queryset=ProjectPhase.objects.none(), empty_label=None
    )
    entered_on = forms.DateField(
        label=_("Entered the phase on"),
        help_text=_("Today or earlier."),
        widget=DateInput(),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args: Any, phases: QuerySet[ProjectPhase], **kwargs: Any) -> None:
        kwargs["initial"] = {"entered_on": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = phases  # type: ignore[attr-defined]

    def clean_entered_on(self) -> Any:
        return _not_in_future(self.cleaned_data.get("entered_on"))


class CanvasForm(DesignsystemetForm):
    """One text area per canvas field, and the version the editor started from."""

    base_number = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, fields: list[tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.canvas_keys = [key for key, _label, _help in fields]
        for key, label, help_text in fields:
            self.fields[f"field_{key}"] = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                max_length=CANVAS_FIELD_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def canvas_fields(self) -> list[forms.BoundField]:
        return [self[f"field_{key}"] for key in self.canvas_keys]

    def content(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"field_{key}", "") for key in self.canvas_keys}


class BenefitForm(DesignsystemetForm):
    description = forms.CharField(
        label=_("Expected benefit"),
        max_length=300,
        help_text=_("For example: fewer hours spent on planning the week."),
    )
    type = forms.ChoiceField(label=_("Type of benefit"), choices=BenefitType.choices)
    indicator = forms.CharField(
        label=_("Indicator"), max_length=200, help_text=_("What is measured, and how.")
    )
    unit_of_measure = forms.ChoiceField(label=_("Unit of measure"), choices=MeasureUnit.choices)
    baseline_value = _amount(_("Baseline"), help_text=_("The value measured before the change."))
    baseline_on = forms.DateField(label=_("Baseline measured on"), widget=DateInput())
    target_value = _amount(_("Target"), help_text=_("The value you aim for."))
    target_on = forms.DateField(
        label=_("Target date (optional)"), required=False, widget=DateInput()
    )
    owner = forms.CharField(
        label=_("Benefit owner"),
        max_length=120,
        help_text=_(
            "The role in the line organisation that answers for the benefit, for example "
            "“enhetsleder” – not a person's name."
        ),
    )

    owner_person = forms.ModelChoiceField(
        label=_("Named benefit owner (optional)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "The person in the unit's organisation who answers for the benefit; they may be "
            "outside the team. They are reminded to update it at the end of each phase."
        ),
    )
    benefit_class = forms.ChoiceField(label=_("Class of benefit"), choices=BenefitClass.choices)
    leads_from_change = forms.CharField(
        label=_("The change"),
        max_length=300,
        required=False,
        help_text=_("What the project changes, that leads to the benefit."),
    )
    effect = forms.CharField(
        label=_("The effect"),
        max_length=300,
        required=False,
        help_text=_("The effect of the change, that gives the benefit."),
    )
    baseline_method = forms.CharField(
        label=_("How the baseline was measured (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: hours counted from the rota for four weeks."),
    )

    def __init__(self, *args: Any, owners: QuerySet[Any], **kwargs: Any) -> None:
        """`owners`: the people who may be named owner (`services.owner_candidates`)."""
        super().__init__(*args, **kwargs)
        field = self.fields["owner_person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = owners
        field.label_from_instance = _person_label  # type: ignore[assignment,method-assign]

    def clean_baseline_on(self) -> Any:
        return _not_in_future(self.cleaned_data.get("baseline_on"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        baseline, target = data.get("baseline_value"), data.get("target_value")
        if baseline is not None and target is not None and baseline == target:
            self.add_error("target_value", _("The target must differ from the baseline."))
        baseline_on, target_on = data.get("baseline_on"), data.get("target_on")
        if baseline_on and target_on and target_on <= baseline_on:
            self.add_error("target_on", _("The target date must be after the baseline date."))
        return data


def _person_label(person: Any) -> str:
    return person.get_full_name() or person.email or person.get_username()


class BenefitUpdateForm(DesignsystemetForm):
    """A benefit's update at the end of a phase. Value and date are required: an update
    without them says nothing."""

    value = AmountField(
        label=_("Value measured"),
        max_digits=14,
        decimal_places=2,
        min_value=-LARGEST,
        max_value=LARGEST,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Enter the value measured.")},
    )
    measured_on = forms.DateField(
        label=_("Measured on"),
        help_text=_("Today or earlier."),
        widget=DateInput(),
        error_messages={"required": _("Enter the date of the measurement.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=BenefitUpdate.Status.choices,
        initial=BenefitUpdate.Status.ON_TRACK,
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def clean_measured_on(self) -> Any:
        return _not_in_future(self.cleaned_data.get("measured_on"))


class MeasurementForm(DesignsystemetForm):
    measured_on = forms.DateField(
        label=_("Measured on"), help_text=_("Today or earlier."), widget=DateInput()
    )
    value = _amount(_("Value"))
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("measured_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_measured_on(self) -> Any:
        return _not_in_future(self.cleaned_data.get("measured_on"))


class ReviewForm(DesignsystemetForm):
    point = forms.ChoiceField(
        label=_("Review point"), choices=ProjectReview.Point.choices, widget=forms.RadioSelect
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ProjectReview.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment for the team"),
        required=False,
        max_length=5000,
        help_text=_("Required when you comment or return the project."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision")
            in {
                ProjectReview.Decision.COMMENT,
                ProjectReview.Decision.RETURN,
            }
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", _("Write a comment for the team."))
        return data
