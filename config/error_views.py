"""Site error views Django does not provide in the site's layout: the CSRF failure page.

The 400, 403, 404 and 500 pages are Django's default handlers with the templates
400.html, 403.html, 404.html and 500.html in templates/.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: explain in plain words, in the site's layout.

    The technical `reason` is logged by Django's CSRF middleware; people are not shown it.
    Set as CSRF_FAILURE_VIEW.
    """
    return render(request, "403_csrf.html", status=403)
