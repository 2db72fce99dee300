"""Forms of the completion reports: the filters (shared with the API), presets and schedules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .. import scoping
from ..models import Cohort, Organisation, Programme, Sector, ServiceUnit
from ..permissions import member_organisations
from . import columns as report_columns
from .folders import clean_folder_name
from .models import ExportFormat, ExportPreset, ReportKind, ScheduledExport
from .safeguards import check_recipients, resolve_export_folder, split_recipients
from .selectors import CompletionFilters, status_choices


def _style(form: forms.BaseForm) -> None:
    """Designsystemet classes on every widget (labels, help and errors are in the template)."""
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "ds-input")


class CompletionFilterForm(forms.Form):
    """Filters of a completion report, validated against the user's scope.

    Bind it to GET data (or the API's query parameters) with the user and the report:

        form = CompletionFilterForm(request.GET, user=request.user, report="participants")
        if form.is_valid():
            rows = completion_rows(request.user, form.filters())

    Invalid dates, an end before the start, and ids outside the user's scope give a field
    error (an id outside the scope reads like an unknown one: nothing leaks). Programme,
    cohort, sector and unit are chosen by primary key; a subclass (the API) may set
    `id_field = "public_id"` to take public UUIDs instead (sectors have no public id and
    stay primary keys). `report=None` accepts the statuses of both reports (a scheduled
    export's filters, checked again against its preset's report when it runs);
    `organisation` narrows the scope to the programmes that organisation runs.
    """

    id_field = "pk"

    programme: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Programme"), queryset=None, required=False, empty_label=_("All programmes")
    )
    cohort: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Cohort"), queryset=None, required=False, empty_label=_("All cohorts")
    )
    sector: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Sector"), queryset=None, required=False, empty_label=_("All sectors")
    )
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, empty_label=_("All units")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    completed_from = forms.DateField(
        label=_("Completed from"),
        required=False,
        input_formats=["%Y-%m-%d"],  # ISO 8601 only: the same for the browser and the API
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Inclusive. Format: yyyy-mm-dd."),
    )
    completed_to = forms.DateField(
        label=_("Completed to"),
        required=False,
        input_formats=["%Y-%m-%d"],  # ISO 8601 only: the same for the browser and the API
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Inclusive. Format: yyyy-mm-dd."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        user: Any,
        report: str | None = ReportKind.PARTICIPANTS,
        organisation: Organisation | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        self.report = report
        self.organisation = organisation
        programme_field: Any = self.fields["programme"]
        cohort_field: Any = self.fields["cohort"]
        sector_field: Any = self.fields["sector"]
        unit_field: Any = self.fields["unit"]
        enrolments = scoping.enrolments_for(user)
        if organisation is not None:
            enrolments = enrolments.filter(cohort__programme__organisation=organisation)
        # Only what the user's rows can contain: choosing anything else is an unknown id.
        # InSet: the scope's ids gathered once and looked up by primary key; a plain
        # `pk__in` was a hash join reading every unit and sector in the country.
        programme_field.queryset = Programme.objects.filter(
            scoping.InSet("pk", enrolments.values("cohort__programme_id"))
        ).order_by("name")
        cohort_field.queryset = (
            Cohort.objects.filter(scoping.InSet("pk", enrolments.values("cohort_id")))
            .select_related("programme")
            .order_by("programme__name", "starts_on", "name")
        )
        # The units first, then their sectors: a join from enrolment to unit inside one
        # subquery was planned as a hash join over every unit in the country.
        units_in_scope = ServiceUnit.objects.filter(
            scoping.InSet("pk", enrolments.values("unit_id"))
        )
        sector_field.queryset = (
            Sector.objects.filter(scoping.InSet("pk", units_in_scope.values("sector_id")))
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        unit_field.queryset = units_in_scope.order_by("name", "code")
        if self.id_field != "pk":
            for name in ("programme", "cohort", "unit"):
                field: Any = self.fields[name]
                field.to_field_name = self.id_field
        status_field: Any = self.fields["status"]
        status_field.choices = [("", _("All statuses")), *status_choices(report)]
        _style(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("completed_from"), cleaned.get("completed_to")
        if start and end and end < start:
            self.add_error("completed_to", _("The end date must be on or after the start date."))
        return cleaned

    def filters(self) -> CompletionFilters:
        """The validated filters (call after `is_valid()`)."""
        data = self.cleaned_data
        return CompletionFilters(
            organisation=self.organisation,
            programme=data.get("programme"),
            cohort=data.get("cohort"),
            sector=data.get("sector"),
            unit=data.get("unit"),
            status=data.get("status") or "",
            completed_from=data.get("completed_from"),
            completed_to=data.get("completed_to"),
        )

    def serialised(self) -> dict[str, str]:
        """The validated filters as the strings the form takes (for a scheduled export)."""
        data: dict[str, str] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            if hasattr(value, "isoformat"):
                data[name] = value.isoformat()
            elif hasattr(value, "pk"):
                data[name] = str(getattr(value, self.id_field))
            else:
                data[name] = str(value)
        return data


class ExportOptionsForm(forms.Form):
    """How to export a report: the preset, the file format and (for CSV) the separator."""

    preset = forms.ChoiceField(label=_("Columns"))
    format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.CSV
    )
    delimiter = forms.ChoiceField(
        label=_("CSV separator"),
        choices=[
            ("semicolon", _("Semicolon (Norwegian Excel)")),
            ("comma", _("Comma")),
        ],
        initial="semicolon",
        required=False,
    )

    def __init__(self, data: Any = None, *, user: Any, report: str, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        preset_field: Any = self.fields["preset"]
        preset_field.choices = [
            (preset.key, preset.name)
            for preset in report_columns.available_presets(report, user=user)
        ]
        preset_field.initial = report_columns.default_preset(report).key
        _style(self)

    def clean_delimiter(self) -> str:
        return ";" if self.cleaned_data.get("delimiter", "") in ("", "semicolon") else ","


def _organisations_of(user: Any) -> Any:
    organisations = Organisation.objects.order_by("name")
    if user.is_superuser:
        return organisations
    return organisations.filter(pk__in=member_organisations(user))


class ExportPresetForm(forms.ModelForm):
    """A preset saved by HR: a name, the report, and the columns in the order chosen.

    Columns are given one key per line (or separated by commas), so the order is the
    user's; unknown keys are rejected with the list of the report's columns.
    """

    columns_text = forms.CharField(
        label=_("Columns, in order"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One column key per line, in the order they should appear."),
    )

    class Meta:
        model = ExportPreset
        fields = ["organisation", "name", "key", "report"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation_field: Any = self.fields["organisation"]
        organisation_field.queryset = _organisations_of(user)
        organisation_field.empty_label = None
        self.fields["key"].help_text = _(
            "Letters, digits and hyphens; used in file names and by the export command."
        )
        if self.instance.pk:
            self.fields["columns_text"].initial = "\n".join(self.instance.columns)
        _style(self)

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        if key in report_columns.BUILT_IN_PRESET_KEYS:
            raise ValidationError(
                _("“%(key)s” is the key of a built-in preset; choose another."),
                params={"key": key},
                code="reserved",
            )
        return key

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        report = cleaned.get("report") or ReportKind.PARTICIPANTS
        text = cleaned.get("columns_text") or ""
        keys = [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]
        try:
            cleaned["columns"] = report_columns.validate_column_keys(report, keys)
        except ValidationError as error:
            self.add_error("columns_text", error)
        return cleaned


class ScheduledExportForm(forms.ModelForm):
    """A preset generated every week or month and delivered by e-mail or to a folder.

    E-mail recipients must be in the chosen organisation's export domains (none
    configured: no e-mail delivery); a folder must stay inside the export storage,
    symlinks followed. Both are checked again at every run.
    """

    class Meta:
        model = ScheduledExport
        fields = [
            "organisation",
            "name",
            "preset_key",
            "format",
            "frequency",
            "delivery",
            "recipients",
            "folder",
            "next_run_on",
            "active",
        ]
        widgets = {
            "next_run_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "recipients": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        organisation_field: Any = self.fields["organisation"]
        organisation_field.queryset = _organisations_of(user)
        organisation_field.empty_label = None
        self.fields["preset_key"] = forms.ChoiceField(
            label=_("Columns"),
            choices=[
                (preset.key, f"{preset.name} ({preset.report_label})")
                for preset in report_columns.all_presets(user=user)
            ],
        )
        instance = self.instance
        if instance.pk and instance.stopped_at and not instance.active:
            # Why it stopped, where it is switched on again (saving it makes you the owner).
            self.fields["active"].help_text = _(
                "Stopped on %(date)s: %(reason)s. Saving it active makes you its owner."
            ) % {
                "date": date_format(timezone.localtime(instance.stopped_at), "SHORT_DATE_FORMAT"),
                "reason": instance.get_stopped_reason_display(),
            }
        _style(self)

    def clean_recipients(self) -> str:
        text: str = self.cleaned_data.get("recipients") or ""
        addresses = split_recipients(text)
        validator = forms.EmailField()
        errors = []
        for address in addresses:
            try:
                validator.clean(address)
            except ValidationError:
                errors.append(address)
        if errors:
            raise ValidationError(
                _("Not e-mail addresses: %(addresses)s"), params={"addresses": ", ".join(errors)}
            )
        return "\n".join(addresses)

    def clean_folder(self) -> str:
        folder: str = self.cleaned_data.get("folder") or ""
        if not folder:
            return ""
        resolve_export_folder(folder)  # inside the export storage, symlinks followed
        return clean_folder_name(folder)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        delivery = cleaned.get("delivery")
        organisation = cleaned.get("organisation")
        if delivery == ScheduledExport.Delivery.EMAIL and "recipients" in cleaned:
            if not cleaned["recipients"]:
                self.add_error("recipients", _("Give at least one e-mail address."))
            elif organisation is not None:
                try:
                    check_recipients(organisation, split_recipients(cleaned["recipients"]))
                except ValidationError as error:
                    self.add_error("recipients", error)
        if delivery == ScheduledExport.Delivery.FOLDER and not cleaned.get("folder"):
            self.add_error("folder", _("Give a folder name."))
        preset_key = cleaned.get("preset_key")
        if (
            preset_key
            and organisation is not None
            and report_columns.find_preset(preset_key, organisations=[organisation]) is None
        ):
            self.add_error(
                "preset_key", _("This preset does not belong to the chosen organisation.")
            )
        return cleaned
