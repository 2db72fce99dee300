"""System checks for the `lup` app's configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from courses.api import name_clashes


@register()
def check_lup_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in (
        "IMPORT_MAX_BYTES",
        "IMPORT_MAX_ROWS",
        "FORECAST_MIN_HISTORY",
        "CHECK_IN_CODE_SECONDS",
    ):
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


# Caches that each process keeps for itself: counters in them are not shared.
_PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register()
def check_rate_limits_are_shared(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Sign-in, API and verification rate limits count in the default cache: outside DEBUG
    they must be shared by every process, or each gunicorn worker allows the full rate."""
    if settings.DEBUG:
        return []
    caches: dict[str, dict[str, Any]] = settings.CACHES
    backend = caches.get("default", {}).get("BACKEND", "")
    if backend not in _PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "Rate limits (sign-in, API, certificate verification) are kept per process: the "
            f"default cache is {backend.rsplit('.', 1)[-1]}. Set REDIS_URL (a shared cache).",
            id="lup.W002",
        )
    ]


URL_NAMESPACES = ("lup", "lup-api")


@register()
def check_names_are_free(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """lup's URL namespaces and template folder are its own in the host project."""
    return name_clashes("lup", URL_NAMESPACES, check_id="lup.W003")


# Microsoft's sign-in endpoints that admit accounts from any tenant (or personal accounts):
# with one of them, anyone with a Microsoft account could sign in as an employee.
MULTI_TENANT_ENTRA_AUTHORITIES = frozenset({"common", "organizations", "consumers"})


def entra_tenant_is_multi_tenant(tenant: str | None) -> bool:
    """Whether `tenant` (an Entra ID tenant setting) is missing or admits other tenants."""
    return not tenant or tenant.strip().lower() in MULTI_TENANT_ENTRA_AUTHORITIES


@register()
def check_entra_is_one_tenant(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Microsoft Entra ID sign-in must name the municipality's own tenant."""
    providers: dict[str, dict[str, Any]] = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {})
    microsoft = providers.get("microsoft", {})
    default_tenant = microsoft.get("TENANT", microsoft.get("tenant"))
    messages: list[CheckMessage] = []
    for app in microsoft.get("APPS", []):
        tenant = (app.get("settings") or {}).get("tenant", default_tenant)
        if entra_tenant_is_multi_tenant(tenant):
            messages.append(
                Error(
                    f"Entra ID's tenant is {tenant!r}: it admits accounts from any tenant.",
                    hint="Set ENTRA_TENANT_ID to the municipality's tenant ID (a GUID).",
                    id="lup.E002",
                )
            )
    return messages
