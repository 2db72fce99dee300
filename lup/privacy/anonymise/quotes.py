"""How an anonymised person may be written in other rows (`Identity`), and finding those
rows with the database (`quoting_rows`) and replacing the quotes (`redacted`)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connections, models, router
from django.db.models import Q, TextField
from django.db.models.functions import Cast


@dataclass(frozen=True)
class Identity:
    """Every way the person's name and addresses may be written in other rows."""

    names: tuple[str, ...]
    addresses: tuple[str, ...]
    username: str = ""

    @property
    def needles(self) -> tuple[str, ...]:
        """What the sweep looks for, longest first (a full name before its parts)."""
        found: dict[str, str] = {}
        for text in (*self.names, *self.addresses, self.username):
            if text:
                found.setdefault(text.casefold(), text)
        return tuple(sorted(found.values(), key=len, reverse=True))

    def pattern(self) -> re.Pattern[str] | None:
        """One case-insensitive pattern for every needle, as whole words."""
        return text_pattern(self.needles)

    def hashes(self) -> tuple[str, ...]:
        """xAPI's `mbox_sha1sum` of each address."""
        return tuple(
            hashlib.sha1(f"mailto:{address}".encode(), usedforsecurity=False).hexdigest()
            for address in {address.lower() for address in self.addresses}
        )


def identity_of(person: Any) -> Identity:
    """The person's names (first and last in every usual order), every e-mail address
    they had here, and their username when it is distinctive enough to find safely (one
    query for the addresses)."""
    first, last = " ".join(person.first_name.split()), " ".join(person.last_name.split())
    names = []
    if first and last:
        names = [f"{first} {last}", f"{last} {first}", f"{last}, {first}"]
    elif len(first or last) >= 4:
        names = [first or last]
    addresses = [person.email] if person.email else []
    if apps.is_installed("allauth.account"):
        addresses += (
            apps.get_model("account", "EmailAddress")
            .objects.filter(user=person)
            .values_list("email", flat=True)
        )
    username = person.get_username()
    # A plain word ("admin", "kari") would be replaced in unrelated text: only a username
    # that could not be a word is looked for (an address, name.surname, with digits...).
    distinctive = any(char in username for char in "@._-+") or any(
        char.isdigit() for char in username
    )
    return Identity(
        names=tuple(names),
        addresses=tuple(dict.fromkeys(address for address in addresses if address)),
        username=username if distinctive and len(username) >= 4 else "",
    )


def text_pattern(needles: Sequence[str]) -> re.Pattern[str] | None:
    """A case-insensitive pattern matching any of `needles` as whole words: not inside a
    longer name or address ("ola@x.no" is not found in "kari.ola@x.no")."""
    spelled = sorted({needle for needle in needles if needle}, key=len, reverse=True)
    if not spelled:
        return None
    alternatives = "|".join(re.escape(needle) for needle in spelled)
    # A genitive s goes with the name ("Kari Nordmanns team" in Norwegian).
    return re.compile(rf"(?<![\w.@+-])(?:{alternatives})(?:s|'s|’s)?(?![\w@-])", re.IGNORECASE)


def _spellings(needle: str, *, json_on_postgresql: bool = False) -> set[str]:
    """The forms a database's LIKE must be given to find `needle` in any case.

    LIKE without case is sure only for ASCII letters (SQLite's always; PostgreSQL's with
    its locale), so other letters are looked for in each case. SQLite stores JSON with
    them escaped ("\\u00f8"), and text that holds JSON (the admin's change messages) is
    escaped on both: each form is looked for escaped too, except in PostgreSQL's JSON
    (jsonb shows its letters as they are)."""
    forms = {needle}
    if not needle.isascii():
        forms |= {needle.lower(), needle.upper(), needle.title(), needle.capitalize()}
    if json_on_postgresql:
        return forms
    return forms | {json.dumps(form)[1:-1] for form in forms}


def quoting_rows(
    model: type[models.Model], fields: Sequence[str], needles: Sequence[str]
) -> models.QuerySet[Any]:
    """Every row of `model` whose `fields` may quote one of `needles` (a superset: the
    database finds candidates with LIKE, `redacted` decides). JSON fields are searched
    as text."""
    if not needles or not fields:
        return model._default_manager.none()
    postgresql = connections[router.db_for_read(model)].vendor == "postgresql"
    aliases: dict[str, Any] = {}
    condition = Q()
    for name in fields:
        target = name
        is_json = isinstance(model._meta.get_field(name), models.JSONField)
        if is_json:
            target = f"{name}_as_text"
            aliases[target] = Cast(name, output_field=TextField())
        for needle in needles:
            for form in _spellings(needle, json_on_postgresql=is_json and postgresql):
                condition |= Q(**{f"{target}__icontains": form})
    return model._default_manager.alias(**aliases).filter(condition)


def redacted(value: Any, pattern: re.Pattern[str], replacement: str) -> Any:
    """`value` with every match of `pattern` replaced: text, JSON data (keys included),
    and text that holds JSON (the admin's change messages), which is read and written
    back so escaped letters are found too."""
    if isinstance(value, str):
        stripped = value.lstrip()
        if stripped[:1] in ("[", "{"):
            try:
                data = json.loads(value)
            except ValueError:
                pass
            else:
                if isinstance(data, list | dict):
                    cleaned = redacted(data, pattern, replacement)
                    return value if cleaned == data else json.dumps(cleaned)
        return pattern.sub(lambda _match: replacement, value)
    if isinstance(value, list):
        return [redacted(item, pattern, replacement) for item in value]
    if isinstance(value, dict):
        return {
            redacted(key, pattern, replacement): redacted(item, pattern, replacement)
            for key, item in value.items()
        }
    return value
