"""A person's own data (GDPR articles 15 and 20): everything the register finds about them.

The export is built only from the register (`register.entries()`): for each entry, every
row `entry.rows_of(person)` holds, with every concrete field but the entry's `secret`
ones. A model that declares personal data is therefore exported the day it is registered;
nothing here names a model. The structure is documented in docs/personal-data-export.md
(and, for the person, in the archive's README.txt); change `FORMAT` when it changes in a
way a reader of an older export would misread.

Values are JSON's own types (text, numbers, booleans, lists, objects), so the JSON
download, the API and the archive's data.json are the same whatever encoder writes them:
times in ISO 8601 with their offset (UTC), decimals and UUIDs as text, relations as ids,
many-to-many relations as lists of ids, files as their path inside the archive.

Queries: one per installed entry, one per many-to-many field of an entry that has rows,
two for the readable summary at the top (and one for the counts when only the first rows
of each model are asked for): the same for a person with ten rows or ten thousand.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import BooleanField, Case, CharField, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import get_language

from ..selectors import participations_of
from .categories import Category
from .register import PersonalData, entries

FORMAT = "lup-personal-data/1"
ARCHIVE_FILES = "files"

# A binary field holds a file without a name: its path in the archive gets the extension
# its field is named after when that names a type people open (a certificate's `pdf`).
_BINARY_SUFFIXES = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "jpg": ".jpg", "svg": ".svg"}


@dataclass(frozen=True)
class ArchivedFile:
    """A file an export refers to: where it goes in the archive, and where it comes from."""

    path: str
    model: str
    pk: Any
    field: str


def personal_data_of(person: Any, *, rows_per_model: int | None = None) -> dict[str, Any]:
    """Everything the register holds about `person`, in the documented structure.

    With `rows_per_model`, each model keeps only its newest rows (for a page to show) and
    its `count` still says how many there are; the export then says `"complete": false`.
    Without it (downloads, the API, the archive), every row is there.
    """
    complete = rows_per_model is None
    registered = list(entries())
    counts = None if complete else _counts(registered, person)
    categories: dict[str, dict[str, Any]] = {}
    for category in Category:
        in_category = [entry for entry in registered if entry.category == category]
        if not in_category:
            continue
        categories[category.value] = {
            "label": str(category.label),
            "models": {
                entry.model: _model_export(entry, person, limit=rows_per_model, counts=counts)
                for entry in in_category
            },
        }
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        "language": get_language(),
        "complete": complete,
        "person": _person(person),
        "participations": _participations(person),
        "categories": categories,
    }


def to_json(export: dict[str, Any]) -> str:
    """The export as the JSON text people download (and the archive's data.json)."""
    return json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def row_count(export: dict[str, Any]) -> int:
    """How many rows the export holds, over every model."""
    return sum(model["count"] for model in _models(export))


def archived_files(export: dict[str, Any]) -> list[ArchivedFile]:
    """Every file the export's rows refer to (the archive's `files/` folder), in order."""
    found = []
    for label, model in _labelled_models(export):
        pk_name = model["pk"]
        for field in model["files"]:
            for row in model["rows"]:
                if row.get(field):
                    found.append(ArchivedFile(row[field], label, row[pk_name], field))
    return found


def _models(export: dict[str, Any]) -> Iterable[dict[str, Any]]:
    return (model for _label, model in _labelled_models(export))


def _labelled_models(export: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    for category in export["categories"].values():
        yield from category["models"].items()


def _person(person: Any) -> dict[str, Any]:
    """Who the export is about, readable; the account's full row is under "account"."""
    return {
        "id": person.pk,
        "email": getattr(person, "email", ""),
        "first_name": getattr(person, "first_name", ""),
        "last_name": getattr(person, "last_name", ""),
        "roles": sorted(person.groups.values_list("name", flat=True))
        if hasattr(person, "groups")
        else [],
    }


def _participations(person: Any) -> list[dict[str, Any]]:
    """The person's participations with names rather than ids, newest cohort first."""
    return [
        {
            "id": participation.pk,
            "programme": participation.enrolment.cohort.programme.name,
            "cohort": participation.enrolment.cohort.name,
            "unit": participation.enrolment.unit.name,
            "organisation": participation.enrolment.unit.organisation.name,
            "role": str(participation.get_role_display()),
            "status": str(participation.get_status_display()),
            "completed_at": _plain(participation.completed_at),
        }
        for participation in participations_of(person)
    ]


def exported_fields(entry: PersonalData) -> tuple[list[models.Field[Any, Any]], list[Any]]:
    """The entry's concrete fields and many-to-many fields that are exported (not secret)."""
    meta = entry.model_class()._meta
    concrete = [field for field in meta.concrete_fields if field.name not in entry.secret]
    many = [field for field in meta.many_to_many if field.name not in entry.secret]
    return concrete, many


def files_of(entry: PersonalData) -> tuple[str, ...]:
    """The entry's `person` lookups through which a row's files are the person's own: a
    submission they handed in or that covers them, a certificate they received. Files of
    rows they reach only as someone who acted on them (a reviewer, who revoked) belong to
    others and stay out of their archive. Every lookup when the entry does not say."""
    return tuple(getattr(entry, "files_of", ()) or entry.person)


def _rows_through(entry: PersonalData, lookups: Iterable[str], person: Any) -> Any:
    condition = Q()
    for lookup in lookups:
        condition |= Q(**{lookup: person.pk})
    return entry.model_class()._default_manager.filter(condition)


def is_file_field(entry: PersonalData, field: models.Field[Any, Any]) -> bool:
    """Whether the field's value is a file (exported as its path in the archive)."""
    return field.name in entry.files or isinstance(field, models.FileField | models.BinaryField)


def _model_export(
    entry: PersonalData, person: Any, *, limit: int | None, counts: dict[str, int] | None
) -> dict[str, Any]:
    model = entry.model_class()
    meta = model._meta
    concrete, many = exported_fields(entry)
    files = [field for field in concrete if is_file_field(entry, field)]
    binary = [field for field in files if isinstance(field, models.BinaryField)]
    selected = [field.name for field in concrete if field not in binary]
    # Whether each binary field holds something, without reading its bytes.
    presence = {
        f"_has_{field.name}": Case(
            When(**{f"{field.name}__isnull": True}, then=Value(False)),
            default=Value(True),
            output_field=BooleanField(),
        )
        for field in binary
    }
    # Whether the row's files are the person's own (see `files_of`).
    owned = (
        {
            "_own_files": Exists(
                _rows_through(entry, files_of(entry), person).filter(pk=OuterRef("pk"))
            )
        }
        if files
        else {}
    )
    # The rows by primary key from the entry's rows: the entry's lookups may join through
    # many-to-many relations, and DISTINCT over every column (long texts, JSON) is costly.
    rows_query = (
        model._default_manager.filter(pk__in=entry.rows_of(person).order_by().values("pk"))
        .annotate(**presence, **owned)
        .values(*selected, *presence, *owned)
    )
    if limit is None:
        raw_rows = list(rows_query.order_by("pk"))
    else:
        raw_rows = list(rows_query.order_by("-pk")[:limit])
    pk_name = meta.pk.name
    related = _many_to_many(many, [row[pk_name] for row in raw_rows])
    rows = []
    for raw in raw_rows:
        row: dict[str, Any] = {}
        for field in concrete:
            if field in files and not raw["_own_files"]:
                row[field.name] = None  # someone else's file (a submission one reviewed)
            elif field in binary:
                present = raw[f"_has_{field.name}"]
                row[field.name] = _binary_path(entry, raw[pk_name], field) if present else None
            elif field in files:
                row[field.name] = _file_path(entry, raw, field)
            else:
                row[field.name] = _plain(raw[field.name])
        for field in many:
            row[field.name] = related[field.name].get(raw[pk_name], [])
        rows.append(row)
    return {
        "label": str(meta.verbose_name_plural),
        "purpose": str(entry.purpose),
        "on_anonymise": entry.on_anonymise.value,
        "retention": entry.retention.value if entry.retention is not None else None,
        "pk": pk_name,
        "fields": {field.name: str(field.verbose_name) for field in [*concrete, *many]},
        "files": [field.name for field in files],
        "withheld": list(entry.secret),
        "count": len(rows) if counts is None else counts.get(entry.model, 0),
        "rows": rows,
    }


def _many_to_many(fields: list[Any], pks: list[Any]) -> dict[str, dict[Any, list[Any]]]:
    """For each many-to-many field, the ids each row points at: one query per field."""
    related: dict[str, dict[Any, list[Any]]] = {}
    for field in fields:
        links: dict[Any, list[Any]] = defaultdict(list)
        if pks:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            for owner, other in (
                through._default_manager.filter(**{f"{source}__in": pks})
                .order_by(target)
                .values_list(source, target)
            ):
                links[owner].append(other)
        related[field.name] = links
    return related


def _counts(registered: list[PersonalData], person: Any) -> dict[str, int]:
    """How many rows each entry holds about the person: one query for all of them."""
    parts = [
        entry.model_class()
        ._default_manager.filter(pk__in=entry.rows_of(person).order_by().values("pk"))
        .order_by()
        .values_list(Value(entry.model, output_field=CharField()), "pk")
        for entry in registered
    ]
    if not parts:
        return {}
    counts: dict[str, int] = defaultdict(int)
    first, *rest = parts
    for label, _pk in first.union(*rest, all=True):
        counts[label] += 1
    return counts


def _file_path(entry: PersonalData, row: dict[str, Any], field: models.Field[Any, Any]) -> Any:
    """Where a stored file goes in the archive: `files/<model>/<pk>/<field>/<name>`.

    The name is the one the person gave the file when the model keeps it next to the file
    (`<field>_name`, as submissions do: their stored names are random), else the stored
    file's own name."""
    stored = row[field.name]
    if not stored:
        return None
    given = row.get(f"{field.name}_name") or ""
    name = _safe_name(given) or _safe_name(os.path.basename(str(stored))) or field.name
    pk = row[entry.model_class()._meta.pk.name]
    return f"{ARCHIVE_FILES}/{entry.model}/{pk}/{field.name}/{name}"


def _binary_path(entry: PersonalData, pk: Any, field: models.Field[Any, Any]) -> str:
    """Where a file kept in a binary field goes: `files/<model>/<pk>/<field><extension>`."""
    suffix = _BINARY_SUFFIXES.get(field.name, ".bin")
    return f"{ARCHIVE_FILES}/{entry.model}/{pk}/{field.name}{suffix}"


def _safe_name(name: str) -> str:
    """A file name that stays inside its folder when the archive is unpacked."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(character for character in name if character.isprintable())
    return "" if name in {"", ".", ".."} else name[:200]


def _plain(value: Any) -> Any:
    """A value as JSON's own types (see the module's docstring)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None  # never exported as bytes: binary fields are files (see `files`)
    return value
