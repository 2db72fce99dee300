"""One-click unsubscribe from an optional kind of e-mail (RFC 8058), without signing in.

The address in the e-mail's List-Unsubscribe header carries a signed token naming the
person and the kind. A GET only shows what the button will do: mail scanners and link
previews fetch addresses, and must not unsubscribe anyone. A POST turns the e-mail off;
mail clients post `List-Unsubscribe=One-Click` without a CSRF token (RFC 8058 §3.1), and
the token itself is what proves the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .models import Notification


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    valid = services.unsubscribe_target(token)
    if valid is None:
        return render(request, "lup/notifications/unsubscribe.html", {"invalid": True}, status=404)
    kind = valid[1]
    label = Notification.Kind(kind).label if kind in Notification.Kind.values else None
    done = False
    if request.method == "POST":
        done = services.unsubscribe(token) is not None
    response = render(
        request,
        "lup/notifications/unsubscribe.html",
        {"label": label, "done": done, "token": token},
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


notification_public_urlpatterns = [
    path("notifications/unsubscribe/<str:token>/", unsubscribe, name="notifications-unsubscribe"),
]
