"""Announcement pages: writing one to a cohort, a team or all units of a programme, the
history of what a cohort, a team or a programme was told, and one announcement's page.

Thin views: the cohort, team or programme is found through `lup.scoping` (out of scope:
404), writing asks `lup.permissions.can_announce` (in scope but not allowed: 403), then
`services.send_announcement` checks and sends; a refused or invalid form comes back with
its errors (400), nothing stored or sent. What a person reads comes from
`selectors.announcements_for`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from .. import permissions, scoping
from ..models import Cohort, Programme, UnitEnrolment
from ..notifications.models import Announcement
from . import selectors, services
from .forms import AnnouncementForm

Audience = Announcement.Audience
PER_PAGE = 50


def _cohort(request: HttpRequest, pk: int) -> Cohort:
    return get_object_or_404(
        scoping.cohorts_for(request.user).select_related("programme__organisation"), pk=pk
    )


def _team(request: HttpRequest, pk: int) -> UnitEnrolment:
    return get_object_or_404(
        scoping.enrolments_for(request.user).select_related(
            "unit", "cohort__programme__organisation"
        ),
        pk=pk,
    )


def _programme(request: HttpRequest, slug: str) -> Programme:
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    if not permissions.can_announce(request.user, programme):
        raise PermissionDenied
    return programme


def _write(
    request: HttpRequest,
    *,
    programme: Programme,
    audience: str,
    cohort: Cohort | None = None,
    enrolment: UnitEnrolment | None = None,
    back: str,
) -> HttpResponse:
    """The form, the number of people it reaches, and sending it."""
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    target: dict[str, Any] = {
        "programme": programme,
        "audience": audience,
        "cohort": cohort,
        "enrolment": enrolment,
    }
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.send_announcement(
                author=request.user, **target, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                ngettext(
                    "The announcement is sent to %(count)d person.",
                    "The announcement is sent to %(count)d people.",
                    announcement.recipient_count,
                )
                % {"count": announcement.recipient_count},
            )
            return redirect("lup:announcement-detail", pk=announcement.pk)
    recipients = selectors.recipients_of(**target, author=request.user)
    return render(
        request,
        "lup/announcements/write.html",
        {
            **target,
            "to": services.audience_name(**target),
            "form": form,
            "recipients": recipients,
            "nobody": services.nobody_to_send_to() if not recipients.members else "",
            "back": back,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def cohort_write(request: HttpRequest, pk: int) -> HttpResponse:
    """Write to a cohort: its teams' members and its facilitators."""
    cohort = _cohort(request, pk)
    if not permissions.can_announce(request.user, cohort.programme, cohort):
        raise PermissionDenied
    return _write(
        request,
        programme=cohort.programme,
        audience=Audience.COHORT,
        cohort=cohort,
        back=reverse("lup:cohort-announcements", args=[cohort.pk]),
    )


@require_http_methods(["GET", "POST"])
@login_required
def team_write(request: HttpRequest, pk: int) -> HttpResponse:
    """Write to one team: its members and its cohort's facilitators."""
    enrolment = _team(request, pk)
    cohort = enrolment.cohort
    if not permissions.can_announce(request.user, cohort.programme, cohort):
        raise PermissionDenied
    return _write(
        request,
        programme=cohort.programme,
        audience=Audience.TEAM,
        cohort=cohort,
        enrolment=enrolment,
        back=reverse("lup:team-announcements", args=[enrolment.pk]),
    )


@require_http_methods(["GET", "POST"])
@login_required
def programme_write(request: HttpRequest, slug: str) -> HttpResponse:
    """Write to all units of a programme (the programme's office)."""
    programme = _programme(request, slug)
    return _write(
        request,
        programme=programme,
        audience=Audience.PROGRAMME,
        back=reverse("lup:programme-announcements", args=[programme.slug]),
    )


def _history(
    request: HttpRequest,
    announcements: QuerySet[Announcement],
    *,
    title: str,
    back: tuple[str, str],
    write_url: str | None,
) -> HttpResponse:
    page = Paginator(announcements, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "lup/announcements/history.html",
        {"page": page, "title": title, "back": back, "write_url": write_url},
    )


@require_GET
@login_required
def cohort_history(request: HttpRequest, pk: int) -> HttpResponse:
    """What the cohort was told, as far as the person may read it, newest first."""
    cohort = _cohort(request, pk)
    may_write = permissions.can_announce(request.user, cohort.programme, cohort)
    return _history(
        request,
        selectors.announcements_to_cohort(request.user, cohort),
        title=_("Announcements: %(cohort)s") % {"cohort": cohort.name},
        back=(reverse("lup:cohort-detail", args=[cohort.pk]), cohort.name),
        write_url=reverse("lup:cohort-announcement-write", args=[cohort.pk]) if may_write else None,
    )


@require_GET
@login_required
def team_history(request: HttpRequest, pk: int) -> HttpResponse:
    """What the team was told, as far as the person may read it, newest first."""
    enrolment = _team(request, pk)
    cohort = enrolment.cohort
    may_write = permissions.can_announce(request.user, cohort.programme, cohort)
    return _history(
        request,
        selectors.announcements_to_team(request.user, enrolment),
        title=_("Announcements: %(team)s") % {"team": enrolment.unit.name},
        back=(reverse("lup:team-detail", args=[enrolment.pk]), enrolment.unit.name),
        write_url=reverse("lup:team-announcement-write", args=[enrolment.pk])
        if may_write
        else None,
    )


@require_GET
@login_required
def programme_history(request: HttpRequest, slug: str) -> HttpResponse:
    """Every announcement of the programme, for its office, newest first."""
    programme = _programme(request, slug)
    return _history(
        request,
        selectors.announcements_for(request.user).filter(programme=programme),
        title=_("Announcements: %(programme)s") % {"programme": programme.name},
        back=(reverse("lup:dashboard", args=[programme.slug]), programme.name),
        write_url=reverse("lup:programme-announcement-write", args=[programme.slug]),
    )


@require_GET
@login_required
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One announcement, for those it was sent to and those who manage it."""
    announcement = get_object_or_404(selectors.announcements_for(request.user), pk=pk)
    return render(request, "lup/announcements/detail.html", {"announcement": announcement})


# Included in lup/urls.py (namespace `lup`).
announcement_urlpatterns: list[Any] = [
    path("cohorts/<int:pk>/announcements/", cohort_history, name="cohort-announcements"),
    path("cohorts/<int:pk>/announcements/new/", cohort_write, name="cohort-announcement-write"),
    path("teams/<int:pk>/announcements/", team_history, name="team-announcements"),
    path("teams/<int:pk>/announcements/new/", team_write, name="team-announcement-write"),
    path(
        "programmes/<slug:slug>/announcements/",
        programme_history,
        name="programme-announcements",
    ),
    path(
        "programmes/<slug:slug>/announcements/new/",
        programme_write,
        name="programme-announcement-write",
    ),
    path("announcements/<int:pk>/", announcement_detail, name="announcement-detail"),
]
