"""Certificate source keys: which achievement a LUP certificate is for.

`certificates` issues one certificate per source key, so a key names the achievement
("lup.participant:<participant.public_id>", "lup.unit:<unit_enrolment.public_id>") and a
certificate is issued once per achievement whatever retries or races happen. Keys are
spelled here and nowhere else: the certification feature issues by them and the HR
reports look certificates up by them. They are stored in issued certificates, so the
spelling never changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

PARTICIPANT_SOURCE = "lup.participant"
UNIT_SOURCE = "lup.unit"


def participant_key(public_id: uuid.UUID) -> str:
    """The source key of a participant's certificate (their `Participant.public_id`)."""
    return f"{PARTICIPANT_SOURCE}:{public_id}"


def unit_key(public_id: uuid.UUID) -> str:
    """The source key of a unit's certificate (its `UnitEnrolment.public_id`)."""
    return f"{UNIT_SOURCE}:{public_id}"


@dataclass(frozen=True)
class CertifiedAchievement:
    """What a source key names: a participant's completion or a unit's (public ids)."""

    participant: uuid.UUID | None = None
    enrolment: uuid.UUID | None = None


def achievement_of(source_key: str) -> CertifiedAchievement:
    """The participant or unit enrolment a source key names; neither for a key of another
    source (a host project may issue its own certificates) or a malformed one."""
    kind, _sep, identifier = source_key.partition(":")
    try:
        public_id = uuid.UUID(identifier)
    except ValueError:
        return CertifiedAchievement()
    if kind == PARTICIPANT_SOURCE:
        return CertifiedAchievement(participant=public_id)
    if kind == UNIT_SOURCE:
        return CertifiedAchievement(enrolment=public_id)
    return CertifiedAchievement()
