"""Exactly ID-porten's claims, and an audit log of what the provider was asked for.

People's national identity number (`pid`), assurance level (`acr`) and, for Ansattporten,
organisation numbers come from their entry in the run directory's config.json (see
server.py); `acr` falls back to the LUP_OIDC_ACR environment variable, then to
"idporten-loa-substantial". As in ID-porten, `acr` is an ID-token claim only; `pid` is in both
the ID token and the userinfo answer, so the site must strip it from everything it keeps; and
there is no e-mail address and no name, so the site cannot match people by them.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import threading
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

DEFAULT_ACR = "idporten-loa-substantial"
_audit_lock = threading.Lock()


def run_dir() -> Path:
    return Path(os.environ["LUP_OIDC_DIR"])


@cache
def profiles() -> dict[str, dict[str, Any]]:
    """Each person's entry in config.json, by username."""
    config = json.loads((run_dir() / "config.json").read_text())
    return {person["username"]: person for person in config["users"]}


def audit(event: str, **fields: Any) -> None:
    """Append one JSON line to the run directory's audit log."""
    line = json.dumps({"event": event, **fields}, sort_keys=True)
    with _audit_lock, (run_dir() / "audit.jsonl").open("a") as log:
        log.write(line + "\n")


def pairwise_sub(client_id: str, username: str) -> str:
    """A pairwise pseudonym, as ID-porten's `sub`: stable for one person at one client,
    different at every other client, and not derived from anything the site knows."""
    digest = hmac.new(b"test-provider-sector", f"{client_id}:{username}".encode(), "sha256")
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def authorization_details(organisation_numbers: list[str]) -> list[dict[str, Any]]:
    """Ansattporten's rich authorization: the organisations the person may act for."""
    return [
        {
            "type": "ansattporten:altinn:service",
            "resource": "urn:altinn:resource:lup-test",
            "resource_name": "LUP",
            "reportees": [
                {
                    "Rights": ["Read"],
                    "Authority": "iso6523-actorid-upis",
                    "ID": f"0192:{number}",
                    "Name": f"ORGANISASJON {number}",
                }
                for number in organisation_numbers
            ],
        }
    ]


class IdPortenLikeValidator(OAuth2Validator):
    """Exactly the claims ID-porten sends (see ../shared/conformance/idporten-claims.md): no
    e-mail and no name, a pairwise `sub`, the national identity number `pid`, `locale`; in
    the ID token also `acr`, `amr`, `sid` (and, for an Ansattporten person,
    `authorization_details`)."""

    oidc_claim_scope = None  # ID-porten sends these whatever the scopes

    def _profile(self, request: Any) -> dict[str, Any]:
        return profiles().get(request.user.get_username(), {})

    @staticmethod
    def _client_id(request: Any) -> str:
        # The token request names its client; the userinfo request only has the token.
        client = getattr(request, "client", None)
        if client is not None:
            return str(client.client_id)
        return str(request.access_token.application.client_id)

    def get_claim_dict(self, request: Any) -> dict[str, Any]:
        profile = self._profile(request)
        return {
            "sub": pairwise_sub(self._client_id(request), request.user.get_username()),
            "pid": profile.get("pid", "01017012345"),
            "locale": profile.get("locale", "nb"),
        }

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: Any
    ) -> tuple[dict[str, Any], Any]:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        profile = self._profile(request)
        claims["acr"] = profile.get("acr") or os.environ.get("LUP_OIDC_ACR", DEFAULT_ACR)
        claims["amr"] = ["TestID"]
        claims["sid"] = str(uuid.uuid4())
        if profile.get("organisation_numbers"):
            claims["authorization_details"] = authorization_details(profile["organisation_numbers"])
        return claims, expiration_time

    def save_authorization_code(
        self, client_id: str, code: dict[str, Any], request: Any, *args: Any, **kwargs: Any
    ) -> None:
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        audit(
            "authorize",
            client_id=client_id,
            username=request.user.get_username(),
            scopes=list(request.scopes or []),
            nonce=request.nonce,
            acr_values=request.acr_values,
            code_challenge=request.code_challenge,
            code_challenge_method=request.code_challenge_method,
        )

    def save_bearer_token(self, token: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        # oauthlib calls this only after the code, and its PKCE verifier, passed validation.
        saved = super().save_bearer_token(token, request, *args, **kwargs)
        audit(
            "token",
            client_id=request.client.client_id,
            username=request.user.get_username(),
            code_verifier_sent=bool(request.code_verifier),
        )
        return saved
