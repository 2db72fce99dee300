"""The office's CSV import forms: the file (a .csv no larger than `LUP_IMPORT_MAX_BYTES`)
and, for units, whether new sectors may be made. What the file holds is `lup.imports`'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .. import app_settings
from ..forms import CsvFileField
from .forms import OfficeForm

# The buttons: "check" only says what the import would do; "import" writes.
CHECK, IMPORT = "check", "import"


class CsvImportForm(OfficeForm):
    """A CSV file to check or import."""

    file = CsvFileField(
        label=_("CSV file"),
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv"}),
        help_text=_("UTF-8 CSV (“CSV UTF-8” in Excel), separated by semicolons or commas."),
        error_messages={
            "required": _("Choose a CSV file."),
            "empty": _("The file is empty."),
            "invalid": _("Choose a CSV file."),
        },
    )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        limit = app_settings.IMPORT_MAX_BYTES()
        if uploaded.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        return uploaded

    def file_data(self) -> bytes:
        """The uploaded file's bytes (after `is_valid()`: within the size limit)."""
        uploaded = self.cleaned_data["file"]
        uploaded.seek(0)
        return bytes(uploaded.read())


class UnitImportForm(CsvImportForm):
    """Units: the file, and whether sectors it names that do not exist yet are created."""

    create_sectors = forms.BooleanField(
        label=_("Create sectors that do not exist yet"),
        required=False,
        help_text=_("Otherwise a row with an unknown sector is an error."),
    )


class ParticipantImportForm(CsvImportForm):
    """Participants: the file."""
