"""Pages of `certificates`: the holder's list and downloads, and public verification.

Verification is public and rate-limited per IP address (CERTIFICATES_VERIFY_RATE), and
says no more about an unknown code than "not found". Downloads are for those the
adapter allows (`can_view`); anyone else is told the certificate does not exist.
"""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import app_settings, badges, selectors, services
from .adapter import get_adapter
from .forms import CodeForm, PdfCheckForm
from .models import Certificate


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: headers can be forged; a proxy must be set up to pass the client's.
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def rate_limited(request: HttpRequest) -> bool:
    """Count this verification request; True when the address has used up its allowance."""
    limit, period = app_settings.VERIFY_RATE()
    window = int(time.time() // period)
    key = f"certificates:verify:{_client_ip(request)}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return count > limit


def _too_many(request: HttpRequest, *, as_json: bool = False) -> HttpResponse:
    _limit, period = app_settings.VERIFY_RATE()
    response: HttpResponse
    if as_json:
        response = JsonResponse({"error": "too many requests"}, status=429)
    else:
        response = render(request, "certificates/rate_limited.html", status=429)
    response["Retry-After"] = str(period)
    return response


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    return render(
        request,
        "certificates/not_found.html",
        {"form": CodeForm(initial={"code": code[:20]})},
        status=404,
    )


@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type the code printed on a certificate; sent on to that certificate's page."""
    form = CodeForm(request.GET or None)
    if request.GET:
        if rate_limited(request):
            return _too_many(request)
        if form.is_valid():
            return redirect("certificates-verify:certificate", code=form.cleaned_data["code"])
    return render(request, "certificates/verify_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify_certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The public page of a certificate: valid or revoked, and what it says. A PDF can be
    uploaded here to check that it is the very file issued."""
    if request.GET.get("format") == "json":
        return verify_certificate_json(request, code)
    if rate_limited(request):
        return _too_many(request)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return _not_found(request, code)
    check_form = PdfCheckForm()
    matches = version = None
    if request.method == "POST":
        check_form = PdfCheckForm(request.POST, request.FILES)
        if check_form.is_valid():
            version = services.pdf_version(
                certificate=certificate, data=check_form.cleaned_data["data"]
            )
            matches = version is not None
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "check_form": check_form,
            "matches": matches,
            "earlier_version": version == "earlier",
        },
        status=422 if request.method == "POST" and not check_form.is_valid() else 200,
    )


@require_GET
def verify_certificate_json(request: HttpRequest, code: str) -> HttpResponse:
    """The same facts for machines; an unknown code is a bare 404."""
    if rate_limited(request):
        return _too_many(request, as_json=True)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return JsonResponse({"error": "not found"}, status=404)
    return JsonResponse(
        {
            "code": certificate.display_code,
            "status": "revoked" if certificate.is_revoked else "valid",
            "valid": not certificate.is_revoked,
            # Withheld (its recipient was anonymised): no name, not even the placeholder.
            "recipient_name": None if certificate.name_withheld_at else certificate.recipient_name,
            "name_withheld": certificate.name_withheld_at is not None,
            "achievement": certificate.achievement,
            "issuer": certificate.issuer,
            "issued_on": certificate.issued_on.isoformat(),
            "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
            "sha256": certificate.sha256,
            "url": request.build_absolute_uri(
                reverse("certificates-verify:certificate", kwargs={"code": certificate.code})
            ),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _viewable(request: HttpRequest, certificate_id: UUID, *, with_pdf: bool = False) -> Certificate:
    queryset = Certificate.objects.all()
    if with_pdf:
        queryset = queryset.defer(None)
    certificate = queryset.filter(public_id=certificate_id).first()
    if certificate is None or not get_adapter().can_view(request.user, certificate):
        raise Http404(_("No such certificate."))
    return certificate


@require_GET
@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    """The signed-in person's certificates, to download or share."""
    return render(
        request,
        "certificates/my_certificates.html",
        {"certificates": selectors.certificates_of(request.user)},
    )


@require_GET
@login_required
def certificate_pdf(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    """The stored PDF, exactly as issued (so its SHA-256 verifies)."""
    certificate = _viewable(request, certificate_id, with_pdf=True)
    if not certificate.pdf:
        # Deleted when the recipient's name was withheld (services.withhold_recipient_name).
        raise Http404(_("This certificate's PDF was deleted: the name on it is withheld."))
    response = HttpResponse(bytes(certificate.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(certificate)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _filename(certificate: Certificate) -> str:
    from django.utils.text import slugify

    return f"{slugify(certificate.title) or 'certificate'}-{certificate.code}.pdf"


@require_GET
@login_required
def certificate_badge(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    """The same achievement as an (unsigned) Open Badges 3.0 credential."""
    certificate = _viewable(request, certificate_id)
    data: dict[str, Any] = badges.open_badge_credential(certificate, request=request)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/ld+json"
    return response
