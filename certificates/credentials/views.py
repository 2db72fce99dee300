"""The public addresses of Open Badges 3.0 (no login, cacheable, readable from any origin):
credentials, issuer profiles and their keys, achievements and status lists.

Mounted by the site at "credentials/" (certificates.credentials.urls). They answer with
what a verifier needs and no more: a credential is found only by its unguessable id, and
one whose recipient's name is withheld no longer names them.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import app_settings
from ..models import Achievement, Credential, Issuer, SigningKey
from . import badge_image, documents, issuing, status
from .verification import credential_payload

JSON_LD = "application/ld+json"
VC_JWT = "application/vc+jwt"
# A status list may be kept this long by caches: a revocation shows within a minute.
STATUS_LIST_MAX_AGE = 60
# A credential names its holder: kept briefly, so withholding the name shows soon.
CREDENTIAL_MAX_AGE = 300


def _public(response: HttpResponse, *, max_age: int | None = None) -> HttpResponse:
    """Anyone may read and keep it: verifiers in browsers on other sites included."""
    patch_cache_control(
        response,
        public=True,
        max_age=app_settings.PUBLIC_CACHE_SECONDS() if max_age is None else max_age,
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _json(data: dict[str, Any], content_type: str = JSON_LD, **kwargs: Any) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return _public(HttpResponse(body, content_type=f"{content_type}; charset=utf-8"), **kwargs)


def _wants_html(request: HttpRequest) -> bool:
    """A browser following a link, rather than a verifier asking for the document."""
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "json" not in accept


def _issuer(slug: str) -> Issuer:
    return get_object_or_404(Issuer, slug=slug)


@require_GET
def issuer_profile(request: HttpRequest, slug: str) -> HttpResponse:
    """The issuer's Open Badges `Profile`: its id is this address."""
    return _json(documents.issuer_profile(_issuer(slug)))


@require_GET
def key_set(request: HttpRequest, slug: str) -> HttpResponse:
    """The issuer's public keys as a JWKS (the active key and retired ones)."""
    return _json(documents.key_set(_issuer(slug)), content_type="application/jwk-set+json")


@require_GET
def key(request: HttpRequest, slug: str, kid: str) -> HttpResponse:
    """One public key (a JWK): the address a signature's `kid` names. A withdrawn key
    is gone, so what it signed no longer verifies."""
    signing_key = get_object_or_404(
        SigningKey.objects.published().select_related("issuer"), issuer__slug=slug, kid=kid
    )
    return _json(documents.public_jwk(signing_key), content_type="application/jwk+json")


def _achievement(slug: str, key: str) -> Achievement:
    return get_object_or_404(
        Achievement.objects.select_related("issuer"), issuer__slug=slug, key=key
    )


@require_GET
def achievement(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The achievement's definition (JSON-LD); a browser is shown its page."""
    found = _achievement(slug, key)
    if _wants_html(request):
        return redirect("certificates-credentials:achievement-page", slug=slug, key=key)
    return _json(documents.achievement_document(found))


@require_GET
def achievement_page(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The achievement for people: what it is, its criteria and who issues it. Cached
    publicly only for visitors who are not signed in (the layout shows who is)."""
    found = _achievement(slug, key)
    response = render(
        request,
        "certificates/achievement.html",
        {
            "achievement": found,
            "issuer": found.issuer,
            "document_url": documents.achievement_id(found),
            "image_url": documents.achievement_image(found),
            "issuer_url": documents.issuer_id(found.issuer),
        },
    )
    if request.user.is_authenticated:
        return response
    return _public(response)


@require_GET
def achievement_image(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The achievement's badge image (SVG)."""
    found = _achievement(slug, key)
    response = HttpResponse(badge_image.svg(found), content_type="image/svg+xml")
    # An SVG opened directly must not run anything, whatever it says.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return _public(response)


@require_GET
def status_list(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The issuer's status list `number`, signed (VC-JWT); `?format=json` shows it
    unsigned, to read."""
    issuer = _issuer(slug)
    if not status.list_exists(issuer, number):
        raise Http404(_("No such status list."))
    if request.GET.get("format") == "json":
        return _json(documents.status_list_credential(issuer, number), max_age=STATUS_LIST_MAX_AGE)
    response = HttpResponse(issuing.signed_status_list(issuer, number), content_type=VC_JWT)
    return _public(response, max_age=STATUS_LIST_MAX_AGE)


def _credential(certificate_id: UUID) -> Credential:
    return get_object_or_404(
        Credential.objects.select_related(
            "certificate", "certificate__recipient", "issuer", "achievement__issuer"
        ),
        certificate__public_id=certificate_id,
    )


@require_GET
def credential(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    """The credential as JSON-LD (what was signed, without the JWT's own claims); a browser
    is sent to the certificate's verification page."""
    found = _credential(certificate_id)
    if _wants_html(request):
        return redirect("certificates-verify:certificate", code=found.certificate.code)
    response = _json(credential_payload(found), max_age=CREDENTIAL_MAX_AGE)
    patch_vary_headers(response, ["Accept"])
    return response


@require_GET
def credential_signed(request: HttpRequest, certificate_id: UUID) -> HttpResponse:
    """The signed credential (VC-JWT), to download and keep in a wallet. Gone once the
    recipient's name is withheld: it names them."""
    found = _credential(certificate_id)
    if not found.signed:
        return _public(
            HttpResponse(
                _("This credential is no longer published: the name on it is withheld."),
                status=410,
                content_type="text/plain; charset=utf-8",
            ),
            max_age=CREDENTIAL_MAX_AGE,
        )
    response = HttpResponse(found.signed, content_type=VC_JWT)
    response["Content-Disposition"] = (
        f'attachment; filename="credential-{found.certificate.code}.jwt"'
    )
    return _public(response, max_age=CREDENTIAL_MAX_AGE)
