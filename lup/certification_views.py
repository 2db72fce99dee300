"""Bulk issue of a cohort's certificates, for those who run the cohort.

The work runs as a Celery task (inline when no broker is configured); the page shows
issued of earned certificates and, while a worker is busy, updates itself from a small
JSON endpoint.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from . import certification, permissions, scoping
from .models import Cohort


def _cohort(request: HttpRequest, pk: int) -> Cohort:
    cohort = get_object_or_404(scoping.cohorts_for(request.user), pk=pk)
    if not permissions.can_issue_for_cohort(request.user, cohort):
        raise PermissionDenied
    return cohort


@require_http_methods(["GET", "POST"])
@login_required
def cohort_certificates(request: HttpRequest, pk: int) -> HttpResponse:
    """Issued of earned certificates in a cohort, and a button to issue the missing ones."""
    cohort = _cohort(request, pk)
    if request.method == "POST":
        before = certification.cohort_certificates(cohort)
        certification.issue_cohort_certificates_task.delay(cohort.pk)
        after = certification.cohort_certificates(cohort)
        if after.done:
            issued = after.issued - before.issued
            messages.success(
                request,
                ngettext("%(count)d certificate issued.", "%(count)d certificates issued.", issued)
                % {"count": issued},
            )
            return redirect("lup:cohort-certificates", pk=cohort.pk)
        messages.info(request, _("Issuing has started. This page shows how far it has come."))
        return redirect(reverse("lup:cohort-certificates", kwargs={"pk": cohort.pk}) + "?started=1")
    return render(
        request,
        "lup/cohort_certificates.html",
        {"cohort": cohort, "status": certification.cohort_certificates(cohort)},
    )


@require_GET
@login_required
def cohort_certificates_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """How far the bulk issue has come, for the page to poll."""
    status = certification.cohort_certificates(_cohort(request, pk))
    return JsonResponse({"issued": status.issued, "total": status.total, "percent": status.percent})
