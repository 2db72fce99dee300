"""Showing a service's refusal on the form the page submitted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's `ValidationError` on the form: by field where it names one of the
    form's fields, else on top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
