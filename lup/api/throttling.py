"""Rate limits: each API token (or signed-in person) has its own budget; anonymous
callers of the public endpoints share theirs by address. Rates: REST_FRAMEWORK's
DEFAULT_THROTTLE_RATES, `token` and `anon`."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from ..reporting.models import ApiToken


class TokenOrUserRateThrottle(SimpleRateThrottle):
    """Limits each token, or each signed-in person, separately."""

    scope = "token"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # anonymous callers: AnonRateThrottle
        return self.cache_format % {"scope": self.scope, "ident": ident}
