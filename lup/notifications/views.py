"""A person's notifications in the product: the list (read, marked read), opening one, and
the choice of how each kind reaches them by e-mail; and, for the programme office, examples
of every e-mail the programme's people may get.

Thin views: a person's own notifications come from `selectors.notifications_of` (another
person's answers 404 and is never touched), writes go through `services.mark_read` and
`services.choose_delivery`. Bad input answers 400 with the reason and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from .. import permissions, scoping
from . import selectors, services
from .kinds import OPTIONAL
from .models import Delivery
from .previews import email_previews as build_previews

PAGE_SIZE = 30
# A personal page: no browser or proxy keeps a copy.
personal = cache_control(private=True, no_store=True)


def _page_number(value: Any) -> int:
    """A page number from the request: a whole number from 1, else the first page."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 10**6 else 1


def _list_url(page: int) -> str:
    url = reverse("lup:my-notifications")
    return url if page <= 1 else f"{url}?page={page}"


@personal
@require_http_methods(["GET", "POST"])
@login_required
def my_notifications(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first, in their language; POST marks one read
    (`read`: its id) or all of them (`all`), then goes back to the same page."""
    if request.method == "POST":
        return _mark_read(request)
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(
        _page_number(request.GET.get("page"))
    )
    return render(
        request,
        "lup/notifications/list.html",
        {
            "page": page,
            "rows": selectors.shown(page),
            "unread": selectors.unread_count(request.user),
        },
    )


def _mark_read(request: HttpRequest) -> HttpResponse:
    back = _list_url(_page_number(request.POST.get("page")))
    if "all" in request.POST:
        count = services.mark_read(user=request.user, notification_ids=None)
        if count:
            messages.success(request, _("All your notifications are marked as read."))
        return redirect(back)
    raw = request.POST.get("read", "")
    if not (raw.isascii() and raw.isdigit() and int(raw) < 2**63):
        return HttpResponse(_("Choose a notification to mark as read."), status=400)
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=int(raw))
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    return redirect(back)


@personal
@require_GET
@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one's own notification read and go to its page on this site (a link elsewhere,
    or none, leads back to the list)."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    target = selectors.local_path(notification.url)
    return redirect(target if target is not None else reverse("lup:my-notifications"))


DELIVERY_CHOICES = [
    (Delivery.NOW, gettext_lazy("By e-mail at once")),
    (Delivery.DAILY, gettext_lazy("In one daily e-mail")),
    (Delivery.OFF, gettext_lazy("No e-mail, only here")),
]


class ChoicesForm(forms.Form):
    """One set of radio buttons per kind a person may choose for; a kind left out is left
    as it is. A kind that cannot be chosen (the gatherings', which carry a calendar event)
    or is unknown is an error, not ignored."""

    def __init__(self, *args: Any, choices: list[selectors.Choice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for choice in choices:
            self.fields[choice.kind] = forms.ChoiceField(
                label=choice.label,
                choices=DELIVERY_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial=choice.delivery,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.is_bound:
            sent = {key for key in self.data if key != "csrfmiddlewaretoken"}
            refused = sorted(sent - set(OPTIONAL))
            if refused:
                raise forms.ValidationError(
                    _("These cannot be chosen here: %(kinds)s.") % {"kinds": ", ".join(refused)}
                )
            if not any(cleaned.get(kind) for kind in OPTIONAL):
                raise forms.ValidationError(_("Choose how you want to get at least one kind."))
        return cleaned


@personal
@require_http_methods(["GET", "POST"])
@login_required
def notification_choices(request: HttpRequest) -> HttpResponse:
    """How each optional kind reaches the person by e-mail: at once, in the daily e-mail,
    or not at all. The gatherings' kinds always come at once (they update the calendar)."""
    optional, fixed = selectors.choices_of(request.user)
    form = ChoicesForm(request.POST if request.method == "POST" else None, choices=optional)
    if request.method == "POST" and form.is_valid():
        current = {choice.kind: choice.delivery for choice in optional}
        changed = {
            kind: delivery
            for kind, delivery in form.cleaned_data.items()
            if delivery and delivery != current[kind]
        }
        with transaction.atomic():  # all of the choices, or none
            for kind, delivery in changed.items():
                services.choose_delivery(user=request.user, kind=kind, delivery=delivery)
        if changed:
            messages.success(request, _("Your choices are saved."))
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("lup:notification-choices")
    return render(
        request,
        "lup/notifications/choices.html",
        {"form": form, "fixed": fixed},
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def email_previews(request: HttpRequest, slug: str) -> HttpResponse:
    """Every e-mail the programme's people may get, as they get it, in a chosen language:
    for the office that runs the programme. Those without the office's permission are
    refused before anything is looked up; another organisation's programme is not found."""
    user: Any = request.user
    if not (user.is_superuser or user.has_perm(permissions.PLAN_COHORTS_PERMISSION)):
        raise PermissionDenied
    programme = get_object_or_404(scoping.programmes_for(user), slug=slug)
    if not permissions.can_plan_cohorts(user, programme):
        raise PermissionDenied
    languages = [(code, str(name)) for code, name in settings.LANGUAGES]
    language = request.GET.get("language") or translation.get_language() or ""
    error = ""
    if language not in dict(languages):
        error = _("Choose one of the languages in the list.")
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in dict(languages):
            language = settings.LANGUAGE_CODE
    previews, digest = build_previews(programme, language)
    return render(
        request,
        "lup/notifications/email_previews.html",
        {
            "programme": programme,
            "languages": languages,
            "language": language,
            "error": error,
            "previews": previews,
            "digest": digest,
        },
        status=400 if error else 200,
    )


# Included in lup/urls.py (namespace `lup`).
notification_urlpatterns = [
    path("me/notifications/", my_notifications, name="my-notifications"),
    path("me/notifications/<int:pk>/open/", open_notification, name="my-notification-open"),
    path("me/notifications/choices/", notification_choices, name="notification-choices"),
    path("programmes/<slug:slug>/emails/", email_previews, name="email-previews"),
]
