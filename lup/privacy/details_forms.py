"""The form of an organisation's data-controller details (the organisation's privacy page)."""

from __future__ import annotations

from typing import Any

from django import forms

from ..forms import DesignsystemetForm
from ..models import Organisation
from .services_details import DETAIL_FIELDS


class OrganisationDetailsForm(DesignsystemetForm, forms.ModelForm):
    """What the privacy statement and the records of processing say of the organisation,
    where scheduled exports may be e-mailed, and its policy for anonymised people's
    certificates. The model's validators check each field (nine digits, domains)."""

    class Meta:
        model = Organisation
        fields = list(DETAIL_FIELDS)
        widgets = {
            "organisation_number": forms.TextInput(attrs={"inputmode": "numeric"}),
            "legal_basis": forms.Textarea(attrs={"rows": 4}),
            "export_email_domains": forms.Textarea(attrs={"rows": 3}),
            "anonymised_certificates": forms.RadioSelect,
        }

    def wanted(self) -> dict[str, Any]:
        """The details as given, for `services_details.change_organisation_details`."""
        return {name: self.cleaned_data[name] for name in DETAIL_FIELDS}
