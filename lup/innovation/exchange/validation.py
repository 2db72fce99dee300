"""Checking a document against the exchange schema (see `schema`), listing every problem by
its JSON path, before anything is written."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import deque
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from ..models import MEASUREMENT_LIMIT, BenefitType, Licence, MeasureUnit
from .schema import MAX_BYTES, MAX_DEPTH, MAX_ITEMS, SCHEMA

_TOP_KEYS = {
    "schema",
    "id",
    "url",
    "exported_at",
    "licence",
    "origin",
    "title",
    "need",
    "audience",
    "idea",
    "story",
    "phase",
    "phases",
    "canvas",
    "benefits",
}
# Used with `fullmatch`: `$` would also let a trailing newline through.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"-?\d{1,12}(\.\d{1,2})?")
_KEY = re.compile(r"[-a-zA-Z0-9_]{1,40}")
# How deep JSON nests, found without parsing it: escapes taken out, then strings, then
# everything but brackets (each a single pass, linear whatever the text holds).
_JSON_ESCAPE = re.compile(r"\\.", re.DOTALL)
_JSON_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# Text the database cannot store: PostgreSQL refuses NUL in text and jsonb, and half of a
# surrogate pair cannot be encoded as UTF-8 at all (nor shown on the error page).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ExchangeRejected(Exception):
    """The file does not match the schema; `errors` lists every problem. Nothing was written."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


_BENEFIT_KEYS = {
    "type",
    "description",
    "indicator",
    "owner",
    "unit_of_measure",
    "baseline_value",
    "baseline_on",
    "target_value",
    "target_on",
    "measurements",
}


class _Checker:
    """Collects every problem of a document, each with its JSON path."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.reported: set[str] = set()

    def fail(self, path: str, message: str) -> None:
        if path in self.reported:  # one problem per place (a missing key is not also "not text")
            return
        self.reported.add(path)
        self.errors.append(f"{path}: {message}")

    def keys(self, value: Any, path: str, expected: set[str]) -> bool:
        if not isinstance(value, dict):
            self.fail(path, _("must be an object"))
            return False
        for missing in sorted(expected - set(value)):
            self.fail(f"{path}.{missing}", _("is missing"))
        for extra in sorted(set(value) - expected):
            self.fail(f"{path}.{_shown(extra)}", _("is not part of the schema"))
        return True

    def text(
        self, value: Any, path: str, *, max_length: int | None = None, required: bool = True
    ) -> None:
        if not isinstance(value, str):
            self.fail(path, _("must be text"))
        elif required and not value.strip():
            self.fail(path, _("must not be empty"))
        elif max_length is not None and len(value) > max_length:
            self.fail(path, _("is longer than %(max)d characters") % {"max": max_length})

    def key(self, value: Any, path: str) -> bool:
        """Whether `value` is a phase or canvas field key; reports it when it is not."""
        if isinstance(value, str) and _KEY.fullmatch(value):
            return True
        self.fail(path, _("must be a key of letters, digits and hyphens"))
        return False

    def choice(self, value: Any, path: str, choices: list[str]) -> None:
        if value not in choices:
            self.fail(path, _("must be one of %(choices)s") % {"choices": ", ".join(choices)})

    def date(self, value: Any, path: str, *, nullable: bool = False) -> dt.date | None:
        if value is None and nullable:
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(path, _("must be a date written YYYY-MM-DD"))
        return None

    def decimal(self, value: Any, path: str) -> Decimal | None:
        if isinstance(value, str) and _DECIMAL.fullmatch(value):
            try:
                number = Decimal(value)
            except InvalidOperation:
                pass
            else:
                if -MEASUREMENT_LIMIT < number < MEASUREMENT_LIMIT:
                    return number
                self.fail(path, _("is out of range"))
                return None
        self.fail(path, _('must be a decimal number written as text, such as "12.50"'))
        return None

    def array(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, _("must be a list"))
            return []
        if len(value) > MAX_ITEMS:
            self.fail(path, _("has more than %(max)d items") % {"max": MAX_ITEMS})
            return []
        return value


def _shown(text: str, limit: int = 60) -> str:
    """Text from the file as part of an error message: shortened, and with control
    characters and halves of surrogate pairs escaped, so the message shows (and encodes
    as UTF-8) whatever the file held."""
    shown = "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in text[:limit])
    return shown + "…" if len(text) > limit else shown


def _check_storable_text(check: _Checker, document: Any) -> None:
    """Every key and text anywhere in the document: no NUL characters, no halves of
    surrogate pairs. Walked breadth first without recursion (the depth is limited before
    parsing, but this must not depend on it)."""
    pending: deque[tuple[str, Any]] = deque([("$", document)])
    while pending:
        path, value = pending.popleft()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                check.fail(path, _("holds a NUL character or invalid text"))
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{path}.{_shown(key)}"
                if _UNSTORABLE.search(key):
                    check.fail(inner, _("is a name with a NUL character or invalid text"))
                else:
                    pending.append((inner, item))
        elif isinstance(value, list):
            pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))


def validate_document(document: Any) -> list[str]:
    """Every way `document` differs from schema version 1; empty when it matches."""
    check = _Checker()
    _check_storable_text(check, document)
    if not check.keys(document, "$", _TOP_KEYS):
        return check.errors
    _check_project(check, document)
    _check_phases(check, document.get("phases"))
    _check_canvas(check, document.get("canvas"))
    _check_benefits(check, document.get("benefits"))
    return check.errors


def _check_project(check: _Checker, document: Any) -> None:
    """The document's own keys: schema, identity, licence, origin and the project's texts."""
    if document.get("schema") != SCHEMA:
        check.fail("$.schema", _('must be "%(schema)s"') % {"schema": SCHEMA})
    check.text(document.get("id"), "$.id", max_length=64)
    url = document.get("url")
    check.text(url, "$.url", max_length=200, required=False)
    if isinstance(url, str) and url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            check.fail("$.url", _("must be an http or https address, or empty"))
    exported_at = document.get("exported_at")
    try:
        dt.datetime.fromisoformat(exported_at)
    except (TypeError, ValueError):
        check.fail("$.exported_at", _("must be a date and time in ISO 8601"))
    check.choice(document.get("licence"), "$.licence", list(Licence.values))
    origin = document.get("origin")
    if check.keys(origin, "$.origin", {"organisation", "unit", "sector"}):
        check.text(origin.get("organisation"), "$.origin.organisation", max_length=200)
        check.text(origin.get("unit"), "$.origin.unit", max_length=200, required=False)
        check.text(origin.get("sector"), "$.origin.sector", max_length=200, required=False)
    check.text(document.get("title"), "$.title", max_length=200)
    check.text(document.get("need"), "$.need", max_length=20_000)
    check.text(document.get("audience"), "$.audience", max_length=300)
    check.text(document.get("idea"), "$.idea", max_length=20_000, required=False)
    check.text(document.get("story"), "$.story", max_length=50_000, required=False)
    phase = document.get("phase")
    if phase is not None and not (isinstance(phase, str) and _KEY.fullmatch(phase)):
        check.fail("$.phase", _("must be a phase key or null"))


def _check_phases(check: _Checker, phases: Any) -> None:
    """The timeline: each phase entered, by key and name, and when."""
    for index, item in enumerate(check.array(phases, "$.phases")):
        path = f"$.phases[{index}]"
        if check.keys(item, path, {"key", "name", "entered_on"}):
            check.key(item.get("key"), f"{path}.key")
            check.text(item.get("name"), f"{path}.name", max_length=80)
            check.date(item.get("entered_on"), f"{path}.entered_on")


def _check_canvas(check: _Checker, canvas: Any) -> None:
    """The current canvas (or null): its version and fields, each key once."""
    if canvas is None or not check.keys(canvas, "$.canvas", {"version", "fields"}):
        return
    version = canvas.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        check.fail("$.canvas.version", _("must be a whole number from 1"))
    seen: set[str] = set()
    for index, item in enumerate(check.array(canvas.get("fields"), "$.canvas.fields")):
        path = f"$.canvas.fields[{index}]"
        if check.keys(item, path, {"key", "label", "text"}):
            key = item.get("key")
            if check.key(key, f"{path}.key"):
                if key in seen:
                    check.fail(f"{path}.key", _("appears twice"))
                else:
                    seen.add(key)
            check.text(item.get("label"), f"{path}.label", max_length=80)
            check.text(item.get("text"), f"{path}.text", max_length=10_000, required=False)


def _check_benefits(check: _Checker, benefits: Any) -> None:
    """The benefits with their baselines, targets and measurements (one a day)."""
    for index, item in enumerate(check.array(benefits, "$.benefits")):
        path = f"$.benefits[{index}]"
        if not check.keys(item, path, _BENEFIT_KEYS):
            continue
        check.choice(item.get("type"), f"{path}.type", list(BenefitType.values))
        check.text(item.get("description"), f"{path}.description", max_length=300)
        check.text(item.get("indicator"), f"{path}.indicator", max_length=200)
        check.text(item.get("owner"), f"{path}.owner", max_length=120)
        check.choice(item.get("unit_of_measure"), f"{path}.unit_of_measure", MeasureUnit.values)
        baseline = check.decimal(item.get("baseline_value"), f"{path}.baseline_value")
        check.date(item.get("baseline_on"), f"{path}.baseline_on")
        target = check.decimal(item.get("target_value"), f"{path}.target_value")
        check.date(item.get("target_on"), f"{path}.target_on", nullable=True)
        if baseline is not None and baseline == target:
            check.fail(f"{path}.target_value", _("must differ from the baseline"))
        days: set[dt.date] = set()
        for number, measurement in enumerate(
            check.array(item.get("measurements"), f"{path}.measurements")
        ):
            mpath = f"{path}.measurements[{number}]"
            if check.keys(measurement, mpath, {"measured_on", "value", "note"}):
                day = check.date(measurement.get("measured_on"), f"{mpath}.measured_on")
                if day is not None and day in days:
                    check.fail(f"{mpath}.measured_on", _("has a measurement already that day"))
                elif day is not None:
                    days.add(day)
                check.decimal(measurement.get("value"), f"{mpath}.value")
                check.text(measurement.get("note"), f"{mpath}.note", max_length=300, required=False)


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether the JSON `text` opens more than `limit` arrays and objects inside each other.

    Scans the text without parsing it (brackets inside strings do not count): Python's
    json parser recurses once per level, so a file of a million "[" would exhaust the stack
    before any check could run. The running depth is summed in C (`accumulate`), so even
    2 MB of brackets takes a moment only.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", _JSON_ESCAPE.sub("", text)))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) > limit


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_document(data: bytes) -> dict[str, Any]:
    """Decode and validate an uploaded file; raise `ExchangeRejected` listing every problem.

    Too large, too deeply nested, not UTF-8 or not JSON (NaN and Infinity are not JSON,
    nor a number of more than 4,300 digits) is refused as a whole before any check of the
    content; the content's problems are then listed by their JSON path.
    """
    if len(data) > MAX_BYTES:
        raise ExchangeRejected(
            [_("The file is larger than %(limit)d MB.") % {"limit": MAX_BYTES // 1_000_000}]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExchangeRejected([_("The file is not UTF-8 text.")]) from None
    if nested_deeper_than(text, MAX_DEPTH):
        raise ExchangeRejected(
            [
                _("The file nests arrays and objects more than %(max)d levels deep.")
                % {"max": MAX_DEPTH}
            ]
        )
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise ExchangeRejected(
            [
                _("The file is not valid JSON (line %(line)d, column %(column)d: %(message)s).")
                % {"line": error.lineno, "column": error.colno, "message": error.msg}
            ]
        ) from None
    except (ValueError, RecursionError):
        raise ExchangeRejected([_("The file is not valid JSON.")]) from None
    errors = validate_document(document)
    if errors:
        raise ExchangeRejected(errors)
    return document
