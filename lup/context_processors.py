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
    """The main menu, by role: dashboard, cohorts, audit log, own data, admin for staff."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"lup_nav": []}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    # (label, url, the views it stands for; a name ending in ":" or "-" is a prefix)
    items: list[tuple[str | Promise, str, tuple[str, ...]]] = []
    if user.has_perm("lup.view_target_dashboard"):
        items.append((_("Target dashboard"), reverse("lup:home"), ("lup:home", "lup:dashboard")))
    else:
        items.append(
            (
                _("My programme"),
                reverse("lup:my-programme"),
                # The team's innovation project is part of the programme.
                ("lup:home", "lup:my-programme", "lup:project-", "lup:benefit-", "lup:canvas-"),
            )
        )
    if user.has_perm("lup.view_cohort") or user.lup_facilitated_cohorts.exists():
        items.append((_("Cohorts"), reverse("lup:cohort-list"), ("lup:cohort-", "lup:team-detail")))
    catalogue_views = ("lup:catalogue", "lup:catalogue-", "lup:prize-nominate")
    items.append((_("Steal and share"), reverse("lup:catalogue"), catalogue_views))
    if user.has_perm("lup.judge_prize"):
        items.append((_("Innovation prize"), reverse("lup:prize-jury"), ("lup:prize-jury",)))
    if user.has_perm("lup.export_completions"):
        items.append((_("Reports"), reverse("lup:report-participants"), ("lup:report-",)))
    if user.has_perm("lup.view_auditevent"):
        items.append((_("Audit log"), reverse("lup:audit-log"), ("lup:audit-log",)))
    # Without the unread count: the menu is on every page, and must cost no query.
    notification_views = ("lup:my-notifications", "lup:my-notification-", "lup:notification-")
    items.append((_("Notifications"), reverse("lup:my-notifications"), notification_views))
    items.append((_("Your data"), reverse("lup:my-data"), ("lup:my-data",)))
    if user.is_staff:
        items.append((_("Administration"), reverse("admin:index"), ("admin:",)))
    return {
        "lup_nav": [
            NavItem(
                label=label,
                url=url,
                active=any(
                    current == name or (name.endswith((":", "-")) and current.startswith(name))
                    for name in views
                ),
            )
            for label, url, views in items
        ]
    }
