"""Calendar pages: a gathering's calendar file, the person's calendar feed (read by their
calendar app at a secret address, without signing in) and the page where they make or
stop that address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import app_settings, scoping
from ..languages import language_of
from ..models import Gathering
from . import selectors, services
from .events import calendar_of, due_date_event, gathering_calendar, gathering_event

CALENDAR_TYPE = "text/calendar; charset=utf-8"


@require_GET
@login_required
def gathering_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One gathering as a calendar file, for those who see its cohort."""
    gathering = get_object_or_404(
        Gathering.objects.select_related("cohort__programme__organisation").filter(
            cohort__in=scoping.cohorts_for(request.user)
        ),
        pk=pk,
    )
    response = HttpResponse(gathering_calendar(gathering), content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'attachment; filename="samling-{gathering.pk}.ics"'
    return response


@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The person's gatherings for their calendar app. An unknown, revoked or malformed
    secret answers 404, like an address that never existed."""
    feed = selectors.feed_for_secret(secret)
    if feed is None:
        raise Http404
    services.note_feed_read(feed)
    with translation.override(language_of(feed.user)):
        events = [gathering_event(g) for g in selectors.gatherings_for_feed(feed.user)]
        events += [due_date_event(due) for due in selectors.due_dates_for_feed(feed.user)]
        body = calendar_of(events, name=_("LUP gatherings and due dates"))
    response = HttpResponse(body, content_type=CALENDAR_TYPE)
    # The address is the secret and the content personal: nobody keeps a copy.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    """Make (or replace) the secret address of one's calendar feed, shown once, or stop it."""
    secret = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "make":
            secret = services.make_calendar_feed(user=request.user)
        elif action == "revoke":
            if services.revoke_calendar_feed(user=request.user):
                messages.success(request, _("The calendar address is stopped."))
            return redirect("lup:my-calendar")
        else:
            return HttpResponse(_("Choose what to do."), status=400)
    addresses = None
    if secret is not None:
        https = app_settings.SITE_URL() + reverse("lup:calendar-feed", args=[secret])
        addresses = {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}
    return render(
        request,
        "lup/calendar/my_calendar.html",
        {"feed": selectors.feed_of(request.user), "addresses": addresses},
    )


# Included in lup/urls.py (namespace `lup`). The feed's name does not start with "privacy"
# or any prefix the two-factor middleware lets through: calendar apps never sign in, and
# the middleware only asks signed-in sessions.
calendar_urlpatterns = [
    path("gatherings/<int:pk>/calendar.ics", gathering_ics, name="gathering-calendar"),
    path("calendar/<str:secret>.ics", calendar_feed, name="calendar-feed"),
    path("me/calendar/", my_calendar, name="my-calendar"),
]
