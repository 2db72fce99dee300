"""Pages of `certificates`: the holder's list and downloads, and public verification.

Verification is public and rate-limited per IP address (CERTIFICATES_VERIFY_RATE), and
says no more about an unknown code than "not found". Downloads are for those the
adapter allows (`can_view`); anyone else is told the certificate does not exist.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import app_settings, selectors, services
from .adapter import get_adapter
from .credentials import documents, verification
from .forms import CodeForm, FileCheckForm
from .models import Certificate, Credential


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


@require_http_methods(["GET", "POST"])
def verify_form(request: HttpRequest) -> HttpResponse:
    """Type the code printed on a certificate (sent on to that certificate's page), or
    upload a file to check: a certificate PDF, or a credential (.jwt or .json)."""
    form = CodeForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "file_form": FileCheckForm()}
    if (request.GET or request.method == "POST") and rate_limited(request):
        return _too_many(request)
    if request.method == "POST":
        file_form = FileCheckForm(request.POST, request.FILES)
        context.update(form=CodeForm(), file_form=file_form)
        if not file_form.is_valid():
            return render(request, "certificates/verify_form.html", context, status=422)
        data = file_form.cleaned_data["data"]
        if file_form.cleaned_data["kind"] == "pdf":
            context["pdf_checked"] = True
            context["pdf_certificate"] = selectors.certificate_by_pdf(data)
        else:
            context["verification"] = verification.verify_file(data)
        return render(request, "certificates/verify_form.html", context)
    if request.GET and form.is_valid():
        return redirect("certificates-verify:certificate", code=form.cleaned_data["code"])
    return render(request, "certificates/verify_form.html", context)


@csrf_exempt
@require_POST
def verify_credential_json(request: HttpRequest) -> HttpResponse:
    """Check a credential, for machines: the body is the signed credential (VC-JWT) or the
    credential as JSON. Answers what was checked and the verdict (valid, revoked, unsigned
    or invalid). Exempt from CSRF: it reads no cookies and acts for no one."""
    if rate_limited(request):
        return _too_many(request, as_json=True)
    if len(request.body) > app_settings.VERIFY_MAX_UPLOAD_BYTES():
        return JsonResponse({"error": "too large"}, status=413)
    result = verification.verify_file(request.body)
    response = JsonResponse(result.as_dict(), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_http_methods(["GET", "POST"])
def verify_certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The public page of a certificate: valid or revoked, and what it says, with its signed
    credential to download or add to LinkedIn. A PDF or credential file can be uploaded
    here to check that it is this certificate's, unchanged."""
    if request.GET.get("format") == "json":
        return verify_certificate_json(request, code)
    if rate_limited(request):
        return _too_many(request)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return _not_found(request, code)
    check_form = FileCheckForm()
    matches = version = result = None
    if request.method == "POST":
        check_form = FileCheckForm(request.POST, request.FILES)
        if check_form.is_valid():
            data = check_form.cleaned_data["data"]
            if check_form.cleaned_data["kind"] == "pdf":
                version = services.pdf_version(certificate=certificate, data=data)
                matches = version is not None
            else:
                result = verification.verify_file(data)
    credential = selectors.credential_of(certificate)
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "credential": credential,
            "credential_links": credential_links(certificate, credential) if credential else None,
            "check_form": check_form,
            "matches": matches,
            "earlier_version": version == "earlier",
            "verification": result,
            "other_certificate": result is not None
            and result.certificate is not None
            and result.certificate.pk != certificate.pk,
        },
        status=422 if request.method == "POST" and not check_form.is_valid() else 200,
    )


def credential_links(certificate: Certificate, credential: Credential) -> dict[str, str]:
    """Where to get the certificate's credential and read about its achievement, and
    LinkedIn's "add certification" link (none for a revoked certificate or one whose name
    is withheld)."""
    links = {
        "json": documents.credential_id(certificate),
        "signed": documents.signed_credential_url(certificate) if credential.signed else "",
        "achievement": documents.achievement_page(credential.achievement),
        "linkedin": "",
    }
    if not certificate.is_revoked and certificate.name_withheld_at is None:
        links["linkedin"] = "https://www.linkedin.com/profile/add?" + urlencode(
            {
                "startTask": "CERTIFICATION_NAME",
                "name": credential.achievement.name,
                "organizationName": credential.issuer.name,
                "issueYear": certificate.issued_on.year,
                "issueMonth": certificate.issued_on.month,
                "certUrl": get_adapter().verification_url(certificate.code),
                "certId": certificate.display_code,
            }
        )
    return links


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
            "credential": selectors.credential_addresses(certificate),
            "url": request.build_absolute_uri(
                reverse("certificates-verify:certificate", kwargs={"code": certificate.code})
            ),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _viewable(request: HttpRequest, certificate_id: UUID) -> Certificate:
    certificate = Certificate.objects.filter(public_id=certificate_id).first()
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
    certificate = _viewable(request, certificate_id)
    if not certificate.pdf:
        # Deleted when the recipient's name was withheld (services.withhold_recipient_name).
        raise Http404(_("This certificate's PDF was deleted: the name on it is withheld."))
    content = certificate.pdf_bytes()
    if not content:
        # Its storage lost it (logged by pdf_bytes): say so rather than send an empty file.
        raise Http404(_("This certificate's PDF could not be found. Contact the issuer."))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(certificate)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _filename(certificate: Certificate) -> str:
    from django.utils.text import slugify

    return f"{slugify(certificate.title) or 'certificate'}-{certificate.code}.pdf"


@require_GET
@login_required
def certificate_badge(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    """Where the holder's page linked to the credential before it was public and signed:
    sent on to its public address."""
    certificate = _viewable(request, certificate_id)
    return redirect(documents.credential_id(certificate))
