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


class FileCheckForm(forms.Form):
    """A certificate's PDF or its credential (the signed .jwt, or the JSON), to check.

    `kind` is "pdf" or "credential" once valid; `data` holds the bytes (the file is only
    compared, never kept)."""

    file = forms.FileField(
        label=_("Certificate PDF or credential file"),
        help_text=_("A PDF, a signed credential (.jwt) or a credential in JSON (.json)."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > app_settings.VERIFY_MAX_UPLOAD_BYTES():
            raise forms.ValidationError(_("The file is too large to be a certificate."))
        data = upload.read()
        if data.startswith(b"%PDF-"):
            kind = "pdf"
        elif data.lstrip()[:1] in (b"{", b"e"):  # JSON, or a JWT (its header starts "ey")
            kind = "credential"
        else:
            raise forms.ValidationError(
                _("This is neither a certificate PDF nor a credential file (.jwt or .json).")
            )
        self.cleaned_data["data"] = data
        self.cleaned_data["kind"] = kind
        return upload
