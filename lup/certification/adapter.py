"""Tells `certificates` who may see which of LUP's certificates, and which language their
recipients read.

Configured with CERTIFICATES_ADAPTER = "lup.certification.LupCertificatesAdapter" (the
package re-exports it). The decision is `lup.permissions.can_view_certificate`; this
adapter reads the certificate's source key and hands over the user's scopes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from certificates.api import (
    AchievementDetails,
    Certificate,
    DefaultCertificatesAdapter,
    IssuerDetails,
)

from .. import permissions, scoping
from ..languages import remembered_language
from ..models import Organisation, Participant, Programme, UnitEnrolment
from .credentials import achievement_details, issuer_details
from .keys import achievement_of, participant_key, unit_key


def _source_keys_in_scope(user: Any) -> Iterator[str]:
    for public_id in scoping.participants_for(user).values_list("public_id", flat=True):
        yield participant_key(public_id)
    for public_id in scoping.enrolments_for(user).values_list("public_id", flat=True):
        yield unit_key(public_id)


class LupCertificatesAdapter(DefaultCertificatesAdapter):
    """Who sees a certificate follows who sees its achievement (lup.scoping): the
    recipient, the unit's manager, the cohort's facilitators, and the organisation's
    administrators and HR. Team members also see their unit's certificate."""

    def can_view(self, user: Any, certificate: Certificate) -> bool:
        """See `lup.permissions.can_view_certificate`."""
        achievement = achievement_of(certificate.source_key)
        return permissions.can_view_certificate(
            user,
            recipient_id=certificate.recipient_id,
            participant=achievement.participant,
            enrolment=achievement.enrolment,
            participants_in_scope=scoping.participants_for(user),
            enrolments_in_scope=scoping.enrolments_for(user),
        )

    def recipient_language(self, user: Any) -> str | None:
        """The person's remembered language (`lup.languages`); for someone with none, the
        certificate's own (it was issued in the bokmål template's language then)."""
        return remembered_language(user)

    def _programme(self, certificate: Certificate) -> tuple[Programme | None, str]:
        """The programme a certificate is for, and its kind ("participant" or "unit"):
        looked up once per certificate object (the issuer and the achievement both ask)."""
        known = certificate.__dict__.get("_lup_programme")
        if known is None:
            known = certificate.__dict__["_lup_programme"] = self._find_programme(certificate)
        return known

    @staticmethod
    def _find_programme(certificate: Certificate) -> tuple[Programme | None, str]:
        achievement = achievement_of(certificate.source_key)
        related = "cohort__programme__organisation"
        if achievement.participant is not None:
            participant = (
                Participant.objects.select_related(f"enrolment__{related}")
                .filter(public_id=achievement.participant)
                .first()
            )
            return (participant.enrolment.cohort.programme if participant else None), "participant"
        if achievement.enrolment is not None:
            enrolment = (
                UnitEnrolment.objects.select_related(related)
                .filter(public_id=achievement.enrolment)
                .first()
            )
            return (enrolment.cohort.programme if enrolment else None), "unit"
        return None, ""

    def credential_issuer(self, certificate: Certificate) -> IssuerDetails:
        """Each organisation issues its own credentials, with its own keys
        (`lup.certification.credentials`)."""
        programme, _kind = self._programme(certificate)
        if programme is None:
            return super().credential_issuer(certificate)
        return issuer_details(programme.organisation)

    def credential_achievement(self, certificate: Certificate) -> AchievementDetails:
        """One achievement per programme and kind: completing it as a participant, or as a
        service unit (`lup.certification.credentials`)."""
        programme, kind = self._programme(certificate)
        if programme is None:
            return super().credential_achievement(certificate)
        return achievement_details(programme, kind=kind)

    def credential_issuers(self) -> list[IssuerDetails]:
        """Every organisation, so each has its keys before its first credential."""
        return [issuer_details(organisation) for organisation in Organisation.objects.all()]

    def visible_certificates(self, user: Any, certificates: QuerySet[Any]) -> QuerySet[Any]:
        """The certificates of achievements in the user's scope, and their own."""
        if user.is_superuser:
            return certificates
        # Keys of the achievements in scope (an organisation's, at most some thousands).
        return certificates.filter(
            Q(source_key__in=list(_source_keys_in_scope(user))) | Q(recipient_id=user.pk)
        )
