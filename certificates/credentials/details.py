"""What a host project tells `certificates` about who issues a credential and for what
(returned by the adapter's `credential_issuer` and `credential_achievement`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IssuerDetails:
    """An issuer as the host knows it. `slug` is part of its public address and of every
    credential it signs: choose one that never changes (an organisation's slug)."""

    slug: str
    name: str
    url: str = ""
    email: str = ""
    description: str = ""


@dataclass(frozen=True)
class AchievementDetails:
    """An achievement as the host defines it, the same for everyone who achieves it: no
    names, no personal text. `key` is unique within its issuer and never changes."""

    key: str
    name: str
    description: str
    criteria: str
    achievement_type: str = "Certificate"
    language: str = "nb"
