"""System checks for the `courses` app's configuration."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver


@checks.register(checks.Tags.security, deploy=True)
def check_learner_pseudonym_key(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Outside DEBUG, learners' xAPI pseudonyms need their own secret key."""
    if settings.DEBUG or getattr(settings, "COURSES_LEARNER_PSEUDONYM_KEY", None):
        return []
    return [
        checks.Error(
            "COURSES_LEARNER_PSEUDONYM_KEY is not set: production (DEBUG off) needs a secret "
            "key of its own for learners' xAPI pseudonyms (never SECRET_KEY or a default).",
            id="courses.E001",
        )
    ]


@checks.register(checks.Tags.security)
def check_player_origin(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The H5P player's own origin allows 'unsafe-eval': it must be another origin than the
    site's, and must not receive the site's session cookie."""
    from urllib.parse import urlsplit

    from . import app_settings

    player = app_settings.H5P_PLAYER_ORIGIN()
    if not player:
        return []
    host = urlsplit(player).hostname or ""
    messages: list[checks.CheckMessage] = []
    site = urlsplit(app_settings.SITE_URL())
    if site.scheme and f"{site.scheme}://{site.netloc}" == player:
        messages.append(
            checks.Error(
                "COURSES_H5P_PLAYER_ORIGIN is the site's own origin (SITE_URL): on it only "
                "the player would be served, and its policy would apply to the whole site.",
                hint="Use another host name for the player, or leave the setting empty.",
                id="courses.E002",
            )
        )
    domain = str(getattr(settings, "SESSION_COOKIE_DOMAIN", "") or "").lstrip(".").lower()
    if domain and (host == domain or host.endswith("." + domain)):
        messages.append(
            checks.Warning(
                f"The H5P player's origin ({player}) receives the session cookie "
                f"(SESSION_COOKIE_DOMAIN={settings.SESSION_COOKIE_DOMAIN}): content that runs "
                "there could act as the signed-in person.",
                hint="Give the player a host name outside SESSION_COOKIE_DOMAIN.",
                id="courses.W002",
            )
        )
    return messages


# Names a host project's own apps could already use ------------------------------------------

URL_NAMESPACES = ("courses",)


@checks.register()
def check_names_are_free(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Our URL namespace and template folder are ours alone in the host project."""
    return name_clashes("courses", URL_NAMESPACES, check_id="courses.W001")


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
