"""The token an activity page gives its H5P player: who plays which activity, until when.

The player (its frame page, the content's files, the saved state and the statements it
reports) is reached only with this token, never with the session cookie. That is what lets
the player run on an origin of its own that shares no cookie with the site
(COURSES_H5P_PLAYER_ORIGIN), and it means a statement can only come from a page the learner
opened: a request forged elsewhere (another site, a hand-made POST) has no valid token.

A token is signed with the site's SECRET_KEY (`django.core.signing`, salted for this use),
carries the learner, the activity, the page's language and a fresh attempt id, and expires
after COURSES_H5P_PLAY_TOKEN_SECONDS. It is bound to the learner's password hash: changing
the password ends every token. What it cannot stop is the learner themselves scripting the
page they opened: the token is theirs (README, "H5P").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from .. import app_settings

SALT = "courses.h5p.play-token"


class PlayTokenInvalid(Exception):
    """The token is forged, damaged, for someone else, or has expired (`expired`)."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class PlayGrant:
    """What a valid token allows: `user` plays the activity `activity_id` (primary key)."""

    user: Any
    activity_id: int
    language: str
    attempt: str


def _password_binding(user: Any) -> str:
    """A short keyed digest of the learner's password hash: a new password ends the token."""
    return salted_hmac(SALT, user.password or "", algorithm="sha256").hexdigest()[:16]


def issue_play_token(*, user: Any, activity: Any, language: str) -> str:
    """A new token for `user` to play `activity`, opened in `language` (a fresh attempt)."""
    payload = {
        "u": user.pk,
        "a": activity.pk,
        "l": language,
        "n": uuid.uuid4().hex,
        "p": _password_binding(user),
    }
    return signing.dumps(payload, salt=SALT, compress=False)


def read_play_token(token: str) -> PlayGrant:
    """The grant of a valid token (one query, for the learner); raises PlayTokenInvalid."""
    if not token or len(token) > 400:
        raise PlayTokenInvalid
    try:
        payload = signing.loads(token, salt=SALT, max_age=app_settings.H5P_PLAY_TOKEN_SECONDS())
    except signing.SignatureExpired:
        raise PlayTokenInvalid(expired=True) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise PlayTokenInvalid from None
    if not isinstance(payload, dict):
        raise PlayTokenInvalid
    user_id, activity_id = payload.get("u"), payload.get("a")
    if not isinstance(user_id, int) or not isinstance(activity_id, int):
        raise PlayTokenInvalid
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(
        str(payload.get("p", "")), _password_binding(user)
    ):
        raise PlayTokenInvalid
    return PlayGrant(
        user=user,
        activity_id=activity_id,
        language=str(payload.get("l") or ""),
        attempt=str(payload.get("n") or ""),
    )
