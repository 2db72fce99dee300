"""Forms of the settings pages: input parsed and checked against the programme (its sectors,
its curriculum's modules), handed to `lup.setup.services` as plain values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from certificates.api import CertificateTemplate, Signatory, check_signature_image
from courses.api import Module

from ..forms import DateInput
from ..models import Programme, Sector
from ..models.programmes import validate_reminder_days
from ..reporting.models import ApiToken
from .selectors import RuleCandidate, module_choices
from .services import (
    MAX_ATTENDANCE,
    MAX_ENTHUSIASTS,
    MAX_REVIEW_REMINDER_DAYS,
    ProgrammeSettings,
    reminder_days_text,
)

TOKEN_LIFETIME_DAYS = 365
MAX_TOKEN_LIFETIME_DAYS = 3 * 365


def _style(form: forms.BaseForm) -> None:
    """Designsystemet classes on every widget (labels, help and errors are in the template)."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            continue
        field.widget.attrs.setdefault("class", "ds-input")


class ProgrammeSettingsForm(forms.Form):
    """The programme's target, deadline, population and hours, and its completion rule."""

    target_units = forms.IntegerField(
        label=_("Target (units)"),
        min_value=1,
        help_text=_("How many units should have completed by the deadline."),
    )
    deadline = forms.DateField(label=_("Target deadline"), widget=DateInput())
    population_sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors in scope"),
        queryset=Sector.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to count every active unit of the organisation."),
    )
    population_size_override = forms.IntegerField(
        label=_("Fixed population size"),
        min_value=1,
        required=False,
        help_text=_("Use when the unit register is incomplete; otherwise leave empty."),
    )
    learning_hours = forms.DecimalField(
        label=_("Hours of learning"),
        min_value=0,
        max_digits=6,
        decimal_places=1,
        required=False,
        help_text=_("Reported to HR for each participant who completes."),
    )
    required_modules = forms.ModelMultipleChoiceField(
        label=_("Required modules"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to require every module of the curriculum."),
    )
    min_enthusiasts = forms.IntegerField(
        label=_("Enthusiasts who must complete"),
        min_value=0,
        max_value=MAX_ENTHUSIASTS,
        help_text=_("Besides the manager."),
    )
    min_attendance = forms.IntegerField(
        label=_("Gatherings to attend"),
        min_value=0,
        max_value=MAX_ATTENDANCE,
        help_text=_("Per participant."),
    )
    require_project_approval = forms.BooleanField(
        label=_("The innovation project must be approved"),
        required=False,
        help_text=_("A facilitator must approve the unit's innovation project."),
    )
    due_reminder_days = forms.CharField(
        label=_("Due-date reminders (days before)"),
        max_length=20,
        required=False,
        help_text=_(
            "Remind those who have not done a module's required activities this many days "
            "before its due date, for example “7,0”: a week before and on the day. Leave "
            "empty for no reminders."
        ),
    )
    review_reminder_days = forms.IntegerField(
        label=_("Remind facilitators of answers waiting (days)"),
        min_value=1,
        max_value=MAX_REVIEW_REMINDER_DAYS,
        help_text=_("Tell the cohort's facilitators when answers have waited this long."),
    )

    def __init__(self, *args: Any, programme: Programme, current: RuleCandidate, **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {
                "target_units": programme.target_units,
                "deadline": programme.deadline,
                "population_sectors": list(
                    programme.population_sectors.values_list("pk", flat=True)
                ),
                "population_size_override": programme.population_size_override,
                "learning_hours": programme.learning_hours,
                "required_modules": sorted(current.required_modules),
                "min_enthusiasts": current.min_enthusiasts,
                "min_attendance": current.min_attendance,
                "require_project_approval": current.require_project_approval,
                "due_reminder_days": programme.due_reminder_days,
                "review_reminder_days": programme.review_reminder_days,
            },
        )
        super().__init__(*args, **kwargs)
        self.programme = programme
        sectors: Any = self.fields["population_sectors"]
        sectors.queryset = Sector.objects.filter(organisation_id=programme.organisation_id)
        modules: Any = self.fields["required_modules"]
        modules.queryset = module_choices(programme)
        if programme.course_id is None:
            del self.fields["required_modules"]
        _style(self)

    def clean_deadline(self) -> dt.date:
        deadline: dt.date = self.cleaned_data["deadline"]
        if deadline <= self.programme.starts_on:
            raise forms.ValidationError(
                _("The deadline must be after the programme's start (%(start)s).")
                % {"start": formats.date_format(self.programme.starts_on, "SHORT_DATE_FORMAT")}
            )
        return deadline

    def clean_due_reminder_days(self) -> str:
        """The days as the programme keeps them ("7,0", largest first), or a clear error."""
        value: str = self.cleaned_data["due_reminder_days"]
        validate_reminder_days(value)
        return reminder_days_text(value)

    def rule(self) -> RuleCandidate:
        data = self.cleaned_data
        modules = data.get("required_modules") or []
        return RuleCandidate(
            required_modules=frozenset(module.pk for module in modules),
            min_enthusiasts=data["min_enthusiasts"],
            min_attendance=data["min_attendance"],
            require_project_approval=bool(data["require_project_approval"]),
        )

    def settings(self) -> ProgrammeSettings:
        data = self.cleaned_data
        return ProgrammeSettings(
            target_units=data["target_units"],
            deadline=data["deadline"],
            population_sectors=frozenset(sector.pk for sector in data["population_sectors"]),
            population_size_override=data["population_size_override"],
            learning_hours=data["learning_hours"],
            rule=self.rule(),
            due_reminder_days=data["due_reminder_days"],
            review_reminder_days=data["review_reminder_days"],
        )


class ApiTokenForm(forms.Form):
    """A new API token of the organisation: what system uses it, what it may, how long."""

    name = forms.CharField(
        label=_("System"),
        max_length=120,
        help_text=_("The system that will use the token, for example “HR (Visma)”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.REPORTS,
        widget=forms.RadioSelect,
        help_text=_(
            "Completion reports: only the completions feed and reports. "
            "Read: everything the organisation's HR may read. "
            "Read and write: also what administrators may change."
        ),
    )
    expires_on = forms.DateField(
        label=_("Expires"),
        widget=DateInput(),
        help_text=_("At most three years ahead."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"expires_on": timezone.localdate() + dt.timedelta(days=TOKEN_LIFETIME_DAYS)},
        )
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["scope"].widget.attrs["class"] = "ds-input"

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(_("Name the system that will use the token."))
        return name

    def clean_expires_on(self) -> dt.date:
        expires_on: dt.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires_on <= today:
            raise forms.ValidationError(_("The expiry must be in the future."))
        if expires_on > today + dt.timedelta(days=MAX_TOKEN_LIFETIME_DAYS):
            raise forms.ValidationError(_("A token may last at most three years."))
        return expires_on

    def expires_at(self) -> dt.datetime:
        """The end of the chosen day, in the site's time zone."""
        day = self.cleaned_data["expires_on"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


class CertificateTemplateForm(forms.ModelForm):
    """What a certificate template says and how it looks (its key and language stay)."""

    class Meta:
        model = CertificateTemplate
        fields = [
            "name",
            "title",
            "body",
            "issuer",
            "primary_colour",
            "accent_colour",
            "orientation",
            "logo",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5}),
            "primary_colour": forms.TextInput(attrs={"type": "color"}),
            "accent_colour": forms.TextInput(attrs={"type": "color"}),
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class SignatoryForm(forms.Form):
    """A signatory of a certificate template: name, title and an optional signature image
    (a PNG or JPEG, checked by its bytes: `certificates.api.check_signature_image`)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Printed under the name, for example “Kommunedirektør”."),
    )
    signature = forms.FileField(
        label=_("Signature image (optional)"),
        required=False,
        help_text=_(
            "A PNG or JPEG image of the signature, at most 1 MB, preferably on a transparent "
            "or white background. It is printed above the name."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_signature = forms.BooleanField(label=_("Remove the signature image"), required=False)

    def __init__(self, *args: Any, signatory: Signatory | None = None, **kwargs: Any) -> None:
        if signatory is not None:
            kwargs.setdefault("initial", {"name": signatory.name, "title": signatory.title})
        super().__init__(*args, **kwargs)
        if signatory is None or not signatory.signature:
            del self.fields["remove_signature"]
        _style(self)

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(_("Give the signatory's name."))
        return name

    def clean_title(self) -> str:
        return str(self.cleaned_data.get("title") or "").strip()

    def clean_signature(self) -> Any:
        upload = self.cleaned_data.get("signature")
        if upload:
            check_signature_image(upload)  # ValidationError: the field's error
        return upload or None


class SignatoryMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


def language_name(code: str) -> str:
    """A language's name as the site lists it."""
    return str(dict(settings.LANGUAGES).get(code, code))
