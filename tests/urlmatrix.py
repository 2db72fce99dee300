"""Every URL pattern of the project, found from the URL resolver, ready to request as each role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.urls import URLPattern, URLResolver, get_resolver

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern itself when the pattern has no name
    pattern: str

    @property
    def arguments(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.pattern) and [
            a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.pattern)
        ]

    def url(self, values: dict[str, Any]) -> str:
        """The pattern with its arguments filled in (works for unnamed patterns too)."""
        # Regex groups first: their names look like path converters.
        path = re.sub(
            r"\(\?P<(\w+)>[^)]*\)", lambda match: str(values[match.group(1)]), self.pattern
        )
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), path)
        path = path.replace("^", "").replace("$", "").replace("\\", "")
        return "/" + path


def discover_routes() -> list[Route]:
    """All URL patterns reachable from ROOT_URLCONF, once each."""
    routes: dict[str, Route] = {}

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                name = f"{namespace}{entry.name}" if entry.name else pattern
                routes.setdefault(name, Route(name=name, pattern=pattern))

    walk(get_resolver().url_patterns, "", "")
    return sorted(routes.values(), key=lambda route: route.name)


def outcome(response: Any) -> str:
    """What a person would notice: ok, login, redirect, forbidden, not_found, method."""
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"]).path
        return "login" if location.startswith(LOGIN_PATHS) else "redirect"
    return {200: "ok", 403: "forbidden", 404: "not_found", 405: "method"}.get(code, str(code))
