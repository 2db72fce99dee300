"""The announcement form: it parses the text; `services.send_announcement` checks and sends."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..forms import DesignsystemetForm
from .services import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH


class AnnouncementForm(DesignsystemetForm):
    """A subject and a message (spaces alone are empty)."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX_LENGTH,
        error_messages={"required": _("Write a subject.")},
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write the message.")},
        help_text=_("Plain text. Empty lines separate paragraphs."),
    )

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's refusal on the fields it names (the rest above the form)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                target = name if name in self.fields else None
                for message in ValidationError(errors).messages:
                    self.add_error(target, message)
        else:
            for message in error.messages:
                self.add_error(None, message)
        # Ties the new errors to their inputs, as after validation.
        for name, field in self.fields.items():
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"
                error_id = f"{self[name].auto_id}_error"
                described = field.widget.attrs.get("aria-describedby", "").split()
                if error_id not in described:
                    field.widget.attrs["aria-describedby"] = " ".join([*described, error_id])
