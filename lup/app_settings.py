"""Settings of the `lup` app, all prefixed LUP_ and read when used so tests can override them."""

from django.conf import settings


def _get(name: str, default: int) -> int:
    return getattr(settings, f"LUP_{name}", default)


def IMPORT_MAX_BYTES() -> int:
    """Largest CSV file accepted by the imports, in bytes."""
    return int(_get("IMPORT_MAX_BYTES", 5_000_000))


def IMPORT_MAX_ROWS() -> int:
    """Most data rows accepted in one CSV import."""
    return int(_get("IMPORT_MAX_ROWS", 20_000))


def DASHBOARD_FORECAST_WINDOW_DAYS() -> int:
    """How many recent days the completion pace (and so the forecast) is measured over."""
    return int(_get("DASHBOARD_FORECAST_WINDOW_DAYS", 365))
