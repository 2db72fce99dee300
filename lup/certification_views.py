"""Bulk issue of a cohort's certificates, for those who run the cohort; certificates to
review after a withdrawn completion, and revoking a certificate by its code, for the
programme's administrators.

The bulk issue runs as a Celery task (inline when no broker is configured); the page
shows issued of earned certificates and, while a worker is busy, updates itself from a
small JSON endpoint.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certificates.api import revoke_certificate

from . import certification, permissions, scoping
from .models import CertificateReview, Cohort, Programme


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


def _reviewed_programme(request: HttpRequest, slug: str) -> Programme:
    if not permissions.may_revoke_certificates(request.user):
        raise PermissionDenied
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    if not permissions.can_decide_certificate_review(request.user, programme.organisation_id):
        raise PermissionDenied
    return programme


@require_GET
@login_required
def certificate_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    """Certificates whose completion was withdrawn, each waiting for a decision: revoke or
    keep (the programme's administrators)."""
    programme = _reviewed_programme(request, slug)
    reviews = scoping.certificate_reviews_for(request.user).filter(programme=programme)
    return render(
        request,
        "lup/certificate_reviews.html",
        {
            "programme": programme,
            "rows": certification.review_rows(certification.open_reviews(reviews)),
            "note_max_length": certification.REVIEW_NOTE_MAX_LENGTH,
            "revoked": CertificateReview.Decision.REVOKED,
            "kept": CertificateReview.Decision.KEPT,
        },
    )


@require_POST
@login_required
def decide_certificate_review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Revoke or keep one review's certificate; a bad or late decision changes nothing and
    says why."""
    programme = _reviewed_programme(request, slug)
    review = get_object_or_404(
        scoping.certificate_reviews_for(request.user).filter(programme=programme), pk=pk
    )
    try:
        decided = certification.decide_review(
            review=review,
            decision=request.POST.get("decision", ""),
            decided_by=request.user,
            reason_text=request.POST.get("note", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if decided.decision == CertificateReview.Decision.REVOKED:
            messages.success(request, _("The certificate is revoked."))
        else:
            messages.success(request, _("The certificate stays valid."))
    return redirect("lup:certificate-reviews", slug=programme.slug)


REVOCATION_REASON_MAX_LENGTH = 2000


@require_http_methods(["GET", "POST"])
@login_required
def certificate_revoke(request: HttpRequest, slug: str) -> HttpResponse:
    """Find one of the programme's certificates by the code printed on it, see whom it is
    for, and revoke it with a reason (audited; its verification page then says revoked).
    A code of another programme or municipality is as unknown as one that does not exist."""
    programme = _reviewed_programme(request, slug)
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()
    found = certification.programme_certificate_by_code(programme, code) if code else None
    errors: dict[str, str] = {}
    if code and found is None:
        errors["code"] = _("No certificate of this programme has that code.")
    reason = request.POST.get("reason", "").strip()
    if request.method == "POST" and found is not None:
        if not reason:
            errors["reason"] = _("Say why the certificate is revoked.")
        elif len(reason) > REVOCATION_REASON_MAX_LENGTH:
            errors["reason"] = _("Write at most %(count)d characters.") % {
                "count": REVOCATION_REASON_MAX_LENGTH
            }
        else:
            try:
                revoke_certificate(
                    certificate=found.certificate, reason=reason, revoked_by=request.user
                )
            except ValidationError as error:
                errors["reason"] = " ".join(error.messages)
            else:
                messages.success(
                    request,
                    _("The certificate %(code)s is revoked.")
                    % {"code": found.certificate.display_code},
                )
                return redirect(
                    reverse("lup:certificate-revoke", kwargs={"slug": programme.slug})
                    + f"?code={found.certificate.display_code}"
                )
    return render(
        request,
        "lup/certificate_revoke.html",
        {
            "programme": programme,
            "code": code,
            "found": found,
            "reason": reason,
            "errors": errors,
            "reason_max_length": REVOCATION_REASON_MAX_LENGTH,
        },
        status=200,
    )
