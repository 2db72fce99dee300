"""Intake's forms: opening or changing a call, applying, and the office's decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import DateInput, DesignsystemetForm
from ..models import Cohort, Sector, ServiceUnit


class CallForm(DesignsystemetForm):
    """A call's cohort (when opening), places, deadline, who may apply and its message."""

    cohort = forms.ModelChoiceField(queryset=Cohort.objects.none(), label=_("Cohort"))
    capacity = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=500,
        help_text=_("How many units the cohort takes. Others go on the waiting list."),
    )
    deadline = forms.DateField(label=_("Apply by"), widget=DateInput())
    sectors = forms.ModelMultipleChoiceField(
        queryset=Sector.objects.none(),
        required=False,
        label=_("Sectors that may apply"),
        help_text=_("None chosen: every sector of the programme's population."),
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.ModelMultipleChoiceField(
        queryset=ServiceUnit.objects.none(),
        required=False,
        label=_("Single units invited besides"),
        help_text=_("Hold Ctrl (or ⌘) to choose more than one."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    message = forms.CharField(
        label=_("Message to applicants"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the programme offers and what it asks of a unit."),
    )

    def __init__(self, *args: Any, programme: Any, cohorts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation_id = programme.organisation_id
        if cohorts is None:
            del self.fields["cohort"]
        else:
            self.fields["cohort"].queryset = cohorts  # type: ignore[attr-defined]
        self.fields["sectors"].queryset = Sector.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        ).order_by("name")
        self.fields["units"].queryset = ServiceUnit.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id, active=True
        ).order_by("name")


class ApplicationForm(DesignsystemetForm):
    """A unit's application, or a sector leader's nomination of one of its units."""

    unit = forms.ModelChoiceField(queryset=ServiceUnit.objects.none(), label=_("Unit"))
    manager_email = forms.EmailField(
        label=_("The unit's manager (work e-mail)"),
        max_length=254,
        help_text=_(
            "Your own address when you lead the unit. A sector leader who nominates a unit "
            "gives its manager's."
        ),
    )
    enthusiasts = forms.CharField(
        label=_("Enthusiasts you propose (work e-mails, one per line)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )
    motivation = forms.CharField(
        label=_("What does the unit want to improve?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few sentences: the challenge, who it matters for, and why now."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["unit"].label_from_instance = (  # type: ignore[attr-defined]
            lambda unit: f"{unit.name} ({unit.sector})" if unit.sector_id else unit.name
        )

    def enthusiast_lines(self) -> list[str]:
        text = self.cleaned_data.get("enthusiasts") or ""
        return text.replace(",", "\n").replace(";", "\n").splitlines()


class DecisionForm(DesignsystemetForm):
    """The office's decision on one application."""

    DECISIONS = [
        ("accept", _("Accept")),
        ("wait", _("Put on the waiting list")),
        ("decline", _("Decline")),
    ]
    decision = forms.ChoiceField(choices=DECISIONS, label=_("Decision"))
    note = forms.CharField(
        label=_("Note to the unit"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you decline."),
    )


class SectorLeaderForm(DesignsystemetForm):
    """A sector's new leader, by work e-mail."""

    email = forms.EmailField(label=_("Work e-mail"), max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"  # another person's address
