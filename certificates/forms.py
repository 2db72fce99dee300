"""Forms of the public verification pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import app_settings
from .models import CODE_ALPHABET, CODE_LENGTH, normalise_code


class CodeForm(forms.Form):
    """A verification code as printed (XXXX-XXXX), typed in any case, with or without dash."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        help_text=_("Eight letters and digits, as printed under the QR code, e.g. AB3D-EF7H."),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
            raise forms.ValidationError(
                _("A verification code has eight letters and digits, e.g. AB3D-EF7H.")
            )
        return code


class PdfCheckForm(forms.Form):
    """A PDF file to compare with the one issued."""

    file = forms.FileField(label=_("PDF file of the certificate"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > app_settings.VERIFY_MAX_UPLOAD_BYTES():
            raise forms.ValidationError(_("The file is too large to be a certificate."))
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(_("This is not a PDF file."))
        self.cleaned_data["data"] = data
        return upload
