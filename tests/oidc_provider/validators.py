"""Claims like ID-porten's, and an audit log of what the provider was asked for.

People's national identity number (`pid`) and assurance level (`acr`) come from their entry
in the run directory's config.json (see server.py); `acr` falls back to the LUP_OIDC_ACR
environment variable, then to "idporten-loa-substantial". As in ID-porten, `acr` is an ID-token
claim only; `pid` is in both the ID token and the userinfo answer, so the site must strip it
from everything it keeps.
"""

from __future__ import annotations

import json
import os
import threading
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


class IdPortenLikeValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "pid": "openid"}

    def _profile(self, request: Any) -> dict[str, Any]:
        return profiles().get(request.user.get_username(), {})

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "email": user.email,
            "email_verified": True,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "pid": self._profile(request).get("pid", "01017012345"),
        }

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: Any
    ) -> tuple[dict[str, Any], Any]:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        claims["acr"] = self._profile(request).get("acr") or os.environ.get(
            "LUP_OIDC_ACR", DEFAULT_ACR
        )
        claims["amr"] = ["TestID"]
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
