"""API tokens for systems (HR, intranet, data warehouse): create, revoke, and look up.

A token acts as its own service account: a user with no password who works for the
token's organisation (an `OrganisationMembership`) and belongs to the role group that
fits the token's scope, so every API call is scoped exactly like a person's would be.
Only a SHA-256 hash of the secret is stored; the secret is shown once, when created.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import record_event
from ..models import AuditEvent, Organisation, OrganisationMembership
from ..reporting.models import ApiToken
from ..roles import ADMINISTRATORS_GROUP, HR_GROUP, ensure_role_groups

SECRET_PREFIX = "lup_"  # noqa: S105 (a marker that makes leaked secrets easy to find)
PREFIX_LENGTH = 8  # characters of the random part kept in clear, to recognise a token
SERVICE_ACCOUNT_PREFIX = "api-token-"
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # write last_used_at at most this often


def hash_secret(secret: str) -> str:
    """The stored form of a secret (SHA-256, hex)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _group_for(scope: str) -> Any:
    """The role group whose permissions a token of this scope carries.

    Reports and read tokens read like HR (every view permission of their organisation);
    write tokens act like a programme administrator.
    """
    groups = ensure_role_groups()
    return groups[ADMINISTRATORS_GROUP if scope == ApiToken.Scope.WRITE else HR_GROUP]


@transaction.atomic
def create_api_token(
    *,
    name: str,
    organisation: Organisation,
    scope: str,
    expires_at: dt.datetime,
    created_by: Any,
) -> tuple[ApiToken, str]:
    """Create a token and its service account; returns the token and its secret.

    The secret is not stored anywhere: show it once to the person who created it.
    Raises ValidationError for an unknown scope or an expiry in the past.
    """
    if scope not in ApiToken.Scope.values:
        raise ValidationError(_("Unknown token scope: %(scope)s") % {"scope": scope})
    if expires_at <= timezone.now():
        raise ValidationError(_("The expiry must be in the future."))
    random_part = secrets.token_urlsafe(32)
    secret = f"{SECRET_PREFIX}{random_part}"
    prefix = random_part[:PREFIX_LENGTH]
    account = get_user_model()(
        username=f"{SERVICE_ACCOUNT_PREFIX}{prefix}-{secrets.token_hex(4)}",
        first_name=name[:150],
        last_name=_("(API token)"),
    )
    account.set_unusable_password()
    account.save()
    account.groups.add(_group_for(scope))
    OrganisationMembership.objects.create(organisation=organisation, user=account)
    token = ApiToken(
        name=name,
        organisation=organisation,
        user=account,
        scope=scope,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        expires_at=expires_at,
        created_by=created_by,
    )
    token.full_clean()
    token.save()
    record_event(
        action=AuditEvent.Action.API_TOKEN_CREATED,
        actor=created_by,
        subject_label=str(token),
        organisation=organisation.name,
        scope=scope,
        expires=expires_at.isoformat(),
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, revoked_by: Any = None) -> ApiToken:
    """Revoke a token for good (idempotent); its service account can no longer act."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            action=AuditEvent.Action.API_TOKEN_REVOKED,
            actor=revoked_by,
            subject_label=str(token),
            organisation=token.organisation.name,
        )
    return token


class TokenRejected(Exception):
    """A presented secret that does not authenticate, with a message for the caller."""


def token_for_secret(secret: str) -> ApiToken:
    """The usable token with this secret, or TokenRejected saying why not.

    Records when the token was last used (at most once a minute, to spare writes).
    """
    token = ApiToken.objects.select_related("user").filter(secret_hash=hash_secret(secret)).first()
    if token is None:
        raise TokenRejected(_("Invalid API token."))
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRejected(_("This API token has been revoked."))
    if token.expires_at <= now:
        raise TokenRejected(_("This API token has expired."))
    if not token.user.is_active:
        raise TokenRejected(_("This API token's service account is inactive."))
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
