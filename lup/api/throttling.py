"""Rate limits: each API token (or signed-in person) has its own budget; anonymous
callers of the public endpoints share theirs by address. Rates: the `token` and `anon`
rates of REST_FRAMEWORK's DEFAULT_THROTTLE_RATES when the project sets them, else
`DEFAULT_RATES` (a host project need not configure DRF for our API)."""

from __future__ import annotations

from typing import Any

from rest_framework import throttling

from ..reporting.models import ApiToken

# Each scope's rate when REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] names none for it.
DEFAULT_RATES = {"token": "1200/minute", "anon": "60/minute"}


class _RateOrDefault:
    """The project's rate for the scope if it sets one (None: unlimited), else ours."""

    scope: str
    THROTTLE_RATES: dict[str, str | None]

    def get_rate(self) -> str | None:
        if self.scope in self.THROTTLE_RATES:
            return self.THROTTLE_RATES[self.scope]
        return DEFAULT_RATES[self.scope]


class TokenOrUserRateThrottle(_RateOrDefault, throttling.SimpleRateThrottle):
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


class AnonRateThrottle(_RateOrDefault, throttling.AnonRateThrottle):
    """DRF's limit for anonymous callers, by address, with our rate by default."""
