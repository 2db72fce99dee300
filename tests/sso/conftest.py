"""One real OpenID Connect provider (django-oauth-toolkit, in a subprocess) for tests/sso."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.oidc_provider.launcher import ProviderUser, RunningProvider, start_provider
from tests.sso.flow import callback_url

KARI = ProviderUser("kari", "kari-passord", "kari.nordmann@example.no")
# Signs in at the provider with a MinID-like low level only.
LAV = ProviderUser(
    "lav", "lav-passord", "lars.lav@example.no", "Lars", "Lav", "02027012345", "idporten-loa-low"
)
# Known to the provider, but the site has never registered this person.
UKJENT = ProviderUser("ukjent", "ukjent-passord", "ukjent@example.no", "Ukjent", "Person")
# Ansattporten: may act for Bærum (974556584), or only for another organisation.
ANSATT = ProviderUser(
    "ansatt", "ansatt-passord", "ane.ansatt@example.no", organisation_numbers=("974556584",)
)
ANNEN = ProviderUser(
    "annen", "annen-passord", "arne.annen@example.no", organisation_numbers=("911111111",)
)
PROVIDER_IDS = ["idporten", "wrong-issuer", "ansattporten"]


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[RunningProvider]:
    with start_provider(
        redirect_uris=[callback_url(provider_id) for provider_id in PROVIDER_IDS],
        users=[KARI, LAV, UKJENT, ANSATT, ANNEN],
    ) as provider:
        yield provider


@pytest.fixture
def provider(oidc_provider: RunningProvider) -> RunningProvider:
    """The session's provider with an empty audit log."""
    oidc_provider.clear_audit()
    return oidc_provider
