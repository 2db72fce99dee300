"""Navigation for the site layout, chosen by what the user may do (roles are data: permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    active: bool


def navigation(request: HttpRequest) -> dict[str, list[NavItem]]:
    """The main menu: the dashboard for those who may see it, admin for staff."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"lup_nav": []}
    items: list[tuple[str | Promise, str]] = []
    if user.has_perm("lup.view_target_dashboard"):
        items.append((_("Target dashboard"), reverse("lup:home")))
    else:
        items.append((_("My programme"), reverse("lup:home")))
    if user.is_staff:
        items.append((_("Administration"), reverse("admin:index")))
    path = request.path
    return {
        "lup_nav": [
            NavItem(
                label=label, url=url, active=(path == url or (url != "/" and path.startswith(url)))
            )
            for label, url in items
        ]
    }
