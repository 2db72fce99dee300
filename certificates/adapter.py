"""The adapter through which a host project tells `certificates` what it cannot know itself:
who may see a certificate, where verification lives, how the PDF looks, and the language a
recipient reads.

Set CERTIFICATES_ADAPTER to a subclass of DefaultCertificatesAdapter (as with allauth's
adapters). To change the layout without forking, override `render_pdf` (or
`build_document` to change what is shown).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import formats, translation
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.utils.translation import gettext

from . import app_settings, rendering
from .credentials.details import AchievementDetails, IssuerDetails

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Certificate, CertificateTemplate


class DefaultCertificatesAdapter:
    """Recipients see their own certificates; staff with the permission see all."""

    def can_view(self, user: Any, certificate: Certificate) -> bool:
        """Whether `user` may download the certificate's PDF (the public page needs no login)."""
        if not user.is_authenticated:
            return False
        if certificate.recipient_id is not None and certificate.recipient_id == user.pk:
            return True
        return bool(user.has_perm("certificates.view_certificate"))

    def visible_certificates(self, user: Any, certificates: QuerySet[Any]) -> QuerySet[Any]:
        """The certificates `user` may list in the admin (default: all of them)."""
        return certificates

    def recipient_language(self, user: Any) -> str | None:
        """The language e-mails to `user` are written in; None (the default): the language of
        the certificate they bring (`CertificateTemplate.language`). Hosts that know their
        people's languages override it."""
        return None

    def verification_url(self, code: str) -> str:
        """The public address printed as a QR code on the certificate."""
        return app_settings.SITE_URL() + reverse(
            "certificates-verify:certificate", kwargs={"code": code}
        )

    def build_document(
        self,
        *,
        certificate: Certificate,
        template: CertificateTemplate | None,
        signatories: list[rendering.Signatory],
        logo: bytes | None,
    ) -> rendering.CertificateDocument:
        """What the PDF shows, from the certificate's stored values (never live data)."""
        with translation.override(certificate.language):
            issued_on_text = formats.date_format(certificate.issued_on, "DATE_FORMAT")
            labels = {
                "awarded_to": gettext("Awarded to"),
                "issued_on": gettext("Issued"),
                "verify_at": gettext("Check that it is genuine at"),
            }
        return rendering.CertificateDocument(
            title=certificate.title,
            body=certificate.body,
            recipient_name=certificate.recipient_name,
            issuer=certificate.issuer,
            issued_on=certificate.issued_on,
            issued_on_text=issued_on_text,
            code=certificate.display_code,
            verify_url=self.verification_url(certificate.code),
            language=certificate.language,
            orientation=template.orientation if template else "landscape",
            primary_colour=template.primary_colour if template else "#1E2B3C",
            accent_colour=template.accent_colour if template else "#0062BA",
            logo=logo,
            signatories=tuple(signatories),
            subject=certificate.achievement,
            labels=labels,
        )

    def render_pdf(self, document: rendering.CertificateDocument) -> bytes:
        """The PDF bytes for a document; override to draw another layout."""
        return rendering.render_pdf(document)

    # Open Badges 3.0 credentials (certificates.credentials) ---------------------------------

    def credential_issuer(self, certificate: Certificate) -> IssuerDetails:
        """Who issues the certificate's signed credential. The default: one issuer per
        issuer name printed on certificates. Hosts with organisations return theirs."""
        return IssuerDetails(
            slug=slugify(certificate.issuer)[:80] or "issuer", name=certificate.issuer
        )

    def credential_achievement(self, certificate: Certificate) -> AchievementDetails:
        """The achievement the credential is for, shared by everyone who achieves it. The
        default is made from the achievement's name; hosts describe it properly."""
        name = certificate.achievement
        with translation.override(certificate.language):
            return AchievementDetails(
                key=slugify(name)[:120] or "achievement",
                name=name,
                description=gettext("Awarded by %(issuer)s for %(achievement)s.")
                % {"issuer": certificate.issuer, "achievement": name},
                criteria=gettext("Completed %(achievement)s.") % {"achievement": name},
                language=certificate.language,
            )

    def credential_issuers(self) -> list[IssuerDetails]:
        """Every issuer the host has, so `manage.py credential_keys generate` can give each
        a key before its first credential. The default knows none ahead (they are made at
        first issue)."""
        return []


@cache
def _adapter_class(path: str) -> type[DefaultCertificatesAdapter]:
    return import_string(path)


def get_adapter() -> DefaultCertificatesAdapter:
    return _adapter_class(app_settings.ADAPTER())()
