"""System checks for the `lup` app's configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def check_lup_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in ("IMPORT_MAX_BYTES", "IMPORT_MAX_ROWS", "DASHBOARD_FORECAST_WINDOW_DAYS"):
        value = getattr(settings, f"LUP_{name}", None)
        if value is not None and (not isinstance(value, int) or value <= 0):
            messages.append(
                Error(f"LUP_{name} must be a positive integer, not {value!r}.", id="lup.E001")
            )
    templates: list[dict[str, Any]] = settings.TEMPLATES
    processors = [
        processor
        for template in templates
        for processor in template.get("OPTIONS", {}).get("context_processors", [])
    ]
    if "django.template.context_processors.request" not in processors:
        messages.append(
            Warning(
                "lup's templates need 'django.template.context_processors.request'.",
                id="lup.W001",
            )
        )
    return messages
