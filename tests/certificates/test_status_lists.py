"""Status list bits: drawn at random, never shared, and spread over more lists as an
issuer's fill up, so a draw keeps finding a free bit."""

from __future__ import annotations

import pytest

from certificates.credentials import status
from certificates.models import Credential

pytestmark = pytest.mark.django_db


def test_a_full_list_sends_new_credentials_to_the_next(monkeypatch, issue):
    monkeypatch.setattr(status, "LIST_SIZE", 8)  # a list of 8 bits: full after 8

    credentials = [
        Credential.objects.get(certificate=issue(source_key=f"full:{n}")[0]) for n in range(14)
    ]

    indexes = [credential.status_index for credential in credentials]
    assert len(set(indexes)) == 14  # never shared
    assert max(indexes) >= 8  # the later ones went to the next list
    issuer = credentials[0].issuer
    assert status.list_exists(issuer, 1)
    assert not status.list_exists(issuer, 9)


def test_bits_round_trip_through_the_encoding():
    bits = status.decode(status.encode([0, 9, 131_071]))

    assert len(bits) * 8 == 131_072
    assert [status.bit(bits, index) for index in (0, 1, 9, 10, 131_071)] == [
        True,
        False,
        True,
        False,
        True,
    ]


@pytest.mark.parametrize("text", ["", "zAAAA", "u!!!!", "u" + "A" * 40])
def test_a_list_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="encodedList"):
        status.decode(text)
