"""Who may call what: a token's scope on top of the caller's role scope.

Reading is scoped by `lup.scoping` in each view (out of scope: 404 or absent). Writing
checks the same rules as the HTML pages, in the view that calls the service. This
module adds what only the API has: a token may do no more than its scope.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from ..reporting.models import ApiToken

REPORTS_AREA = "reports"


class TokenScope(permissions.BasePermission):
    """A reports token reads only the completion feed and reports; a read token reads
    everything in its scope; a write token may also write. Sessions pass through."""

    message = _("This API token's scope does not allow this request.")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        safe = request.method in permissions.SAFE_METHODS
        if token.scope == ApiToken.Scope.WRITE:
            return True
        if token.scope == ApiToken.Scope.READ:
            return safe
        return safe and getattr(view, "api_area", None) == REPORTS_AREA
