"""Forms of the catalogue and the innovation prize (HTML interface only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Organisation, ServiceUnit
from ..permissions import member_organisations
from . import prize, sharing
from .catalogue import CatalogueFilters
from .models import BenefitType, InnovationProject, Licence, PrizeCategory


class CatalogueSearchForm(forms.Form):
    """The catalogue's search and filters (GET); invalid values are simply ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    phase = forms.ChoiceField(label=_("Phase"), required=False)
    benefit = forms.ChoiceField(label=_("Benefit type"), required=False)
    winners = forms.BooleanField(label=_("Only prize winners"), required=False)

    def __init__(
        self, *args: Any, sectors: list[str], phases: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("All"))
        self.fields["sector"].choices = [everything, *((name, name) for name in sectors)]  # type: ignore[attr-defined]
        self.fields["phase"].choices = [everything, *phases]  # type: ignore[attr-defined]
        self.fields["benefit"].choices = [everything, *BenefitType.choices]  # type: ignore[attr-defined]

    def filters(self) -> CatalogueFilters:
        if not self.is_valid():
            return CatalogueFilters(text=(self.data.get("q") or "")[:200])
        data = self.cleaned_data
        return CatalogueFilters(
            text=data["q"].strip(),
            sector=data["sector"],
            phase=data["phase"],
            benefit_type=data["benefit"],
            winners_only=data["winners"],
        )


class PublishForm(forms.Form):
    """The manager chooses an open licence and gives consent to share."""

    licence = forms.ChoiceField(
        label=_("Licence"),
        choices=Licence.choices,
        widget=forms.RadioSelect,
        help_text=_("Others may reuse the project's texts under this open licence."),
    )
    consent = forms.BooleanField(
        label=_(
            "I confirm that the texts hold no personal data (no names of, or information "
            "about, people) and, as the unit's manager, I consent to sharing the project."
        ),
        error_messages={
            "required": _("Confirm that personal data is removed and that you consent.")
        },
    )


class ReuseForm(forms.Form):
    """Which of the user's units reuses the project, and which of its projects is linked."""

    unit: forms.ModelChoiceField[ServiceUnit] = forms.ModelChoiceField(
        queryset=ServiceUnit.objects.none(), label=_("Our unit"), empty_label=None
    )
    project: forms.ModelChoiceField[InnovationProject] = forms.ModelChoiceField(
        queryset=InnovationProject.objects.none(),
        required=False,
        label=_("Our project that builds on it (optional)"),
        empty_label=_("No project linked"),
    )
    note = forms.CharField(label=_("How we reuse it (optional)"), required=False, max_length=300)

    def __init__(self, *args: Any, user: Any, source: InnovationProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = sharing.reuse_units_for(user)
        if source.enrolment_id is not None:
            units = units.exclude(pk=source.enrolment.unit_id)  # type: ignore[union-attr]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["project"].queryset = sharing.reuse_projects_for(user).exclude(pk=source.pk)  # type: ignore[attr-defined]
        self.fields["project"].label_from_instance = lambda project: (  # type: ignore[attr-defined]
            f"{project.title} ({project.enrolment.unit.name})"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, project = data.get("unit"), data.get("project")
        if unit is not None and project is not None and project.enrolment.unit_id != unit.pk:
            self.add_error("project", _("Choose a project of the unit you chose."))
        return data


class ProjectImportForm(forms.Form):
    """A programme administrator uploads a project exported from another municipality."""

    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Import into"),
        empty_label=None,
    )
    file = forms.FileField(
        label=_("JSON file"),
        help_text=_("A project exported from a catalogue (schema lup-innovation-project/1)."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("name")
        if not user.is_superuser:
            organisations = organisations.filter(pk__in=member_organisations(user))
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError(_("Choose a .json file."))
        return upload


class NominationForm(forms.Form):
    """Nominate a project for a prize category in a year, saying why."""

    category: forms.ModelChoiceField[PrizeCategory] = forms.ModelChoiceField(
        queryset=PrizeCategory.objects.none(), label=_("Category"), empty_label=None
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000)
    reason = forms.CharField(
        label=_("Why this project"), widget=forms.Textarea(attrs={"rows": 5}), max_length=3000
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["category"].queryset = prize.nomination_categories_for(user).order_by(  # type: ignore[attr-defined]
            "programme__name", "position"
        )
        self.fields["category"].label_from_instance = lambda category: (  # type: ignore[attr-defined]
            f"{category.name} ({category.programme.name})"
        )
        self.fields["year"].initial = this_year

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year > timezone.localdate().year + 1:
            raise forms.ValidationError(_("Nominate for this year or the next."))
        return year


class JuryScoreForm(forms.Form):
    """A jury member's score of one nomination."""

    score = forms.TypedChoiceField(
        label=_("Score"),
        coerce=int,
        choices=[(value, str(value)) for value in range(1, 6)],
    )
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=500)
