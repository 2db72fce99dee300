"""A person's language: which of the site's languages e-mails and certificates reach them in.

A person's language is remembered in `lup.models.PersonProfile` when they choose one on the
site, when single sign-on tells it (ID-porten's `locale` claim), or when an administrator
sets it (`lup.services.remember_language` writes it). Someone with none gets the site's
default, `settings.LANGUAGE_CODE`. Only codes in `settings.LANGUAGES` are ever answered:
a stored code the host no longer offers counts as none.

Reads only; `site_language` maps what other systems call a language ("nb-NO", "no",
"en-GB") to one of the site's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from .models import PersonProfile

# Codes that mean a site language under another name: Norwegian without a written standard
# ("no", as browsers and Entra ID often say) is bokmål; ISO 639-2/3 codes for the three.
_ALIASES = {"no": "nb", "nob": "nb", "nor": "nb", "nno": "nn", "eng": "en"}
# Longer than any language tag worth reading (BCP 47 allows 35 characters for the usual ones).
_MAX_TAG_LENGTH = 35


def _site_codes() -> dict[str, str]:
    """The site's language codes, by their lower-case spelling."""
    return {code.lower(): code for code, _name in settings.LANGUAGES}


def site_language(code: Any) -> str | None:
    """The site language a locale or language tag stands for, or None.

    "nb", "nb-NO", "nb_NO", "no" and "NO" give "nb"; "nn-NO" gives "nn"; "en-GB" gives "en";
    a language the site does not offer ("se", Northern Sami, which ID-porten may send),
    an empty value or anything not a string gives None.
    """
    if not isinstance(code, str):
        return None
    tag = code.strip().lower().replace("_", "-")
    if not tag or len(tag) > _MAX_TAG_LENGTH:
        return None
    codes = _site_codes()
    if tag in codes:
        return codes[tag]
    primary = tag.split("-", 1)[0]
    return codes.get(_ALIASES.get(primary, primary))


def _offered(code: str | None) -> str | None:
    """`code` if the site offers it (as spelled in LANGUAGES), else None."""
    if not code:
        return None
    return _site_codes().get(code.lower())


def remembered_language(user: Any) -> str | None:
    """The language remembered for `user`, if it is one the site offers; None for nobody
    (None, anonymous) and for people with none. At most one query; none when the profile
    was loaded with the user (`select_related("lup_profile")`) or read before."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    try:
        profile = user.lup_profile
    except PersonProfile.DoesNotExist:
        return None
    return _offered(profile.language)


def language_of(user: Any) -> str:
    """The language to write to `user` in: their remembered one, else the site's default."""
    return remembered_language(user) or settings.LANGUAGE_CODE


def remembered_languages(user_ids: Iterable[int]) -> dict[int, str]:
    """The remembered language of each of these people who has one the site offers (people
    without one are left out). One query; none for no ids."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    rows = PersonProfile.objects.filter(user_id__in=ids).values_list("user_id", "language")
    return {
        user_id: offered
        for user_id, language in rows
        if (offered := _offered(language)) is not None
    }


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each person's language (`language_of`) by user id, for many people in one query."""
    ids = [user_id for user_id in user_ids if user_id is not None]
    remembered = remembered_languages(ids)
    return {user_id: remembered.get(user_id, settings.LANGUAGE_CODE) for user_id in ids}
