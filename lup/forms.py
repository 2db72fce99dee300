"""Forms of the HTML interface (the admin's CSV imports)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Programme


class CsvFileField(forms.FileField):
    default_error_messages = {"invalid_extension": _("Choose a .csv file.")}

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and not uploaded.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(self.error_messages["invalid_extension"])
        return uploaded


class UnitImportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label=_("Organisation")
    )
    file = CsvFileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: code (kode), name (navn), sector (sektor), optionally active (aktiv)."
        ),
    )
    create_sectors = forms.BooleanField(
        required=False,
        label=_("Create sectors that do not exist yet"),
    )


class ParticipantImportForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.all(), label=_("Programme"))
    file = CsvFileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email (e-post), first_name (fornavn), last_name (etternavn), "
            "unit_code (enhetskode), cohort (kull), role (rolle: leder or ildsjel), "
            "optionally organisation (for guest units)."
        ),
    )
