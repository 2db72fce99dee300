"""Reading LUP's certificates: a cohort's progress, a person's and a unit's certificates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certificates.api import Certificate, certificate_by_code, certificates_of

from ..models import Cohort, Participant, Programme, UnitEnrolment
from .keys import achievement_of, participant_key, unit_key


@dataclass(frozen=True)
class CohortCertificates:
    """Certificates a cohort has earned, and how many of them are issued."""

    issued: int
    total: int

    @property
    def done(self) -> bool:
        return self.issued >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.issued / self.total)


def cohort_certificates(cohort: Cohort) -> CohortCertificates:
    """Issued of earned certificates in a cohort (three queries, for the progress page)."""
    participant_ids = Participant.objects.filter(
        enrolment__cohort=cohort, status=Participant.Status.COMPLETED
    ).values_list("public_id", flat=True)
    unit_ids = UnitEnrolment.objects.filter(
        cohort=cohort, status=UnitEnrolment.Status.COMPLETED
    ).values_list("public_id", flat=True)
    keys = [participant_key(public_id) for public_id in participant_ids] + [
        unit_key(public_id) for public_id in unit_ids
    ]
    issued = Certificate.objects.filter(source_key__in=keys).count() if keys else 0
    return CohortCertificates(issued=issued, total=len(keys))


def certificates_for(user: Any) -> list[Certificate]:
    """The person's own certificates (as participant, and their units' as manager)."""
    return list(certificates_of(user))


def unit_certificate(enrolment: UnitEnrolment) -> Certificate | None:
    """The unit's certificate in this cohort, if issued."""
    return Certificate.objects.filter(source_key=unit_key(enrolment.public_id)).first()


@dataclass(frozen=True)
class ProgrammeCertificate:
    """A certificate found by its code in a programme: whom and what it is for."""

    certificate: Certificate
    kind: str  # "participant" or "unit"
    unit: str
    cohort: str


def programme_certificate_by_code(programme: Programme, code: str) -> ProgrammeCertificate | None:
    """The certificate with this code if it was issued for the programme's participant or
    unit (two queries), else None: a code of another programme or municipality is as
    unknown here as a code that does not exist."""
    certificate = certificate_by_code(code)
    if certificate is None:
        return None
    achievement = achievement_of(certificate.source_key)
    if achievement.participant is not None:
        participant = (
            Participant.objects.select_related("enrolment__unit", "enrolment__cohort")
            .filter(public_id=achievement.participant, enrolment__cohort__programme=programme)
            .first()
        )
        if participant is None:
            return None
        enrolment = participant.enrolment
        kind = "participant"
    elif achievement.enrolment is not None:
        found = (
            UnitEnrolment.objects.select_related("unit", "cohort")
            .filter(public_id=achievement.enrolment, cohort__programme=programme)
            .first()
        )
        if found is None:
            return None
        enrolment = found
        kind = "unit"
    else:
        return None
    return ProgrammeCertificate(
        certificate=certificate,
        kind=kind,
        unit=enrolment.unit.name,
        cohort=enrolment.cohort.name,
    )
