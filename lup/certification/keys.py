"""Certificate source keys, from the core (`lup.certificate_keys`), where reporting reads
them too: the feature and the reports spell them in one place."""

from ..certificate_keys import (
    PARTICIPANT_SOURCE,
    UNIT_SOURCE,
    CertifiedAchievement,
    achievement_of,
    participant_key,
    unit_key,
)

__all__ = [
    "PARTICIPANT_SOURCE",
    "UNIT_SOURCE",
    "CertifiedAchievement",
    "achievement_of",
    "participant_key",
    "unit_key",
]
