"""Small helpers to read settings from environment variables."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, not {raw!r}")


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_value(name: str, kind: str) -> object:
    """The variable read as `kind` ("str", "int", "list" or "int_list"); None when unset.

    For app settings whose defaults live in the apps: the site sets them only when the
    environment says so, and the app's own default applies otherwise.
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    if kind == "str":
        return raw
    if kind == "int":
        return env_int(name, default=0)
    items = env_list(name, default=[])
    if kind == "list":
        return items
    if kind == "int_list":
        try:
            return [int(item) for item in items]
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name} must be comma-separated integers, not {raw!r}"
            ) from exc
    raise ValueError(f"unknown kind {kind!r}")
