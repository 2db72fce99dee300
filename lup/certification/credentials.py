"""How LUP's certificates travel as Open Badges 3.0 credentials: who issues them (each
organisation, with its own keys) and what they are for (one achievement per programme and
kind, the same for everyone who completes it: no names, no personal text).

The signing, the keys and the public addresses are `certificates`'; the adapter
(`LupCertificatesAdapter`) hands these over.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from certificates.api import AchievementDetails, IssuerDetails

from ..models import Organisation, Programme

# The language an achievement is described in: the programme's people read bokmål first.
ACHIEVEMENT_LANGUAGE = "nb"


def issuer_details(organisation: Organisation) -> IssuerDetails:
    """The organisation as an issuer: its slug is part of every credential it signs."""
    return IssuerDetails(slug=organisation.slug, name=organisation.name)


def achievement_details(programme: Programme, *, kind: str) -> AchievementDetails:
    """Completing `programme` as a participant ("participant") or as a service unit
    ("unit"), described in bokmål."""
    with translation.override(ACHIEVEMENT_LANGUAGE):
        about = programme.description.strip() or _(
            "A leadership programme for innovation: the manager and enthusiasts of a "
            "service unit learn innovation in theory and practice, together, and carry out "
            "an innovation project."
        )
        if kind == "unit":
            return AchievementDetails(
                key=f"{programme.slug}-unit",
                name=_("%(programme)s: service unit") % {"programme": programme.name},
                description=about,
                criteria=_(
                    "The service unit completed the programme: its manager completed it, "
                    "together with the enthusiasts the programme requires, and the unit's "
                    "innovation project was approved where the programme requires it."
                ),
                language=ACHIEVEMENT_LANGUAGE,
            )
        return AchievementDetails(
            key=f"{programme.slug}-participant",
            name=programme.name,
            description=about,
            criteria=_(
                "Completed the programme as a manager or enthusiast of a service unit: "
                "attended its gatherings and completed its learning activities, as the "
                "programme's completion rules require."
            ),
            language=ACHIEVEMENT_LANGUAGE,
        )
