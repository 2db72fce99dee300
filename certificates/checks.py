"""System checks for the `certificates` app's configuration."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

# Names a host project's own apps could already use ------------------------------------------

URL_NAMESPACES = ("certificates", "certificates-verify", "certificates-credentials")


@checks.register()
def check_names_are_free(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Our URL namespaces and template folder are ours alone in the host project."""
    return name_clashes("certificates", URL_NAMESPACES, check_id="certificates.W001")


# The same as courses.checks.name_clashes: certificates imports no other app.
def name_clashes(
    app_label: str, namespaces: Sequence[str], *, check_id: str
) -> list[checks.CheckMessage]:
    """Warnings for an app (`app_label`) whose URL namespaces are used by another package's
    URLconf, or whose template folder (`templates/<app_label>/`) another installed app
    also ships: `reverse()` would then find the other app's URLs, and the first app in
    INSTALLED_APPS would shadow the other's templates. (Model reverse accessors are
    prefixed with the app label, and Django itself reports those that clash.)"""
    package = apps.get_app_config(app_label).name
    messages: list[checks.CheckMessage] = []
    for namespace, module in _foreign_namespaces(package, set(namespaces)):
        messages.append(
            checks.Warning(
                f"The URL namespace {namespace!r} of {app_label} is used by {module}.",
                hint=f"Give {module}'s URLs another namespace (app_name).",
                id=check_id,
            )
        )
    for config in apps.get_app_configs():
        folder = Path(config.path) / "templates" / app_label
        if config.label != app_label and folder.is_dir():
            messages.append(
                checks.Warning(
                    f"The app {config.name!r} ships templates in {app_label}'s folder ({folder}).",
                    hint=(
                        f"Move them to a folder of its own, or, if they override "
                        f"{app_label}'s templates on purpose, add {check_id!r} to "
                        "SILENCED_SYSTEM_CHECKS."
                    ),
                    id=check_id,
                )
            )
    return messages


def _foreign_namespaces(package: str, namespaces: set[str]) -> list[tuple[str, str]]:
    """(namespace, module) for each URLconf included under one of `namespaces` whose views
    are not in `package`."""
    if not getattr(settings, "ROOT_URLCONF", None):
        return []
    try:
        resolver = get_resolver()
        resolver.url_patterns  # noqa: B018  (imports the URLconf)
    except Exception:  # Django's own URL checks report a URLconf that does not load.
        return []
    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver) -> None:
        for pattern in resolver.url_patterns:
            if not isinstance(pattern, URLResolver):
                continue
            module = _module_of(pattern)
            if pattern.namespace in namespaces and not (
                module == package or module.startswith(f"{package}.")
            ):
                found.append((pattern.namespace, module))
            walk(pattern)

    walk(resolver)
    return found


def _module_of(resolver: URLResolver) -> str:
    """The module of an included URLconf, or of its first view (a list of patterns)."""
    urlconf = resolver.urlconf_name
    if isinstance(urlconf, str):
        return urlconf
    if isinstance(urlconf, ModuleType):
        return urlconf.__name__
    return next(
        (
            pattern.callback.__module__
            for pattern in resolver.url_patterns
            if isinstance(pattern, URLPattern)
        ),
        "",
    )


# Credentials in production -------------------------------------------------------------------

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "testserver"}  # noqa: S104 (names, not a bind)


@checks.register(checks.Tags.security, deploy=True)
def check_public_address(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without DEBUG, CERTIFICATES_SITE_URL must be the site's public HTTPS address: it is
    printed on certificates and is the identifier of every issuer, key and credential, so
    a verifier elsewhere must be able to reach it, securely."""
    if settings.DEBUG:
        return []
    from urllib.parse import urlsplit

    from . import app_settings

    url = app_settings.SITE_URL()
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname and parts.hostname not in _LOCAL_HOSTS:
        return []
    return [
        checks.Error(
            f"CERTIFICATES_SITE_URL (SITE_URL) is {url!r}: production needs the site's public "
            "HTTPS address, which certificates print and credentials are identified by.",
            hint="Set SITE_URL to e.g. https://lup.example.no before issuing anything.",
            id="certificates.E010",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_key_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The signing keys' encryption keys are readable, and production sets its own."""
    from cryptography.fernet import Fernet

    from . import app_settings

    try:
        for key in app_settings.KEY_ENCRYPTION_KEYS():
            Fernet(key)
    except (ValueError, TypeError):
        return [
            checks.Error(
                "CERTIFICATES_KEY_ENCRYPTION_KEYS holds something that is not a Fernet key.",
                hint="Make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="certificates.E011",
            )
        ]
    if settings.DEBUG or app_settings.KEY_ENCRYPTION_KEYS_SET():
        return []
    return [
        checks.Warning(
            "CERTIFICATES_KEY_ENCRYPTION_KEYS is not set: the issuers' private keys are "
            "encrypted with a key derived from SECRET_KEY, so changing SECRET_KEY would make "
            "them unreadable.",
            hint="Set CERTIFICATES_KEY_ENCRYPTION_KEYS to a Fernet key of its own.",
            id="certificates.W011",
        )
    ]
