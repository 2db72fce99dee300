"""The barometer's questions as structured data: the default set, the check of a set's
schema, and the check and normalisation of a unit's answers against it.

A schema is `{"questions": [question, ...]}`. A question has a `key` (unique, the name its
answer is stored under), a `type` and an English `text` (shown through gettext, so the
default set's texts are translated; texts a programme writes itself are shown as written):

- `yes_no`: answered "yes" or "no", stored as true or false;
- `number`: a whole number between `min` and `max`;
- `choice`: one of `options`; `choices`: any of `options` (a list);
- `ratings`: each of `items` rated from `min` to `max` (a mapping item → rating).

Options and items are `{"key": ..., "text": ...}`. Every answer is optional except the
`yes_no` question keyed `introduced`, which defines whether the unit is innovative.

The default set is modelled on the themes of KS' Innovasjonsbarometer (an innovation is
new to the unit, useful, and put to use within the last two years); the wording is ours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

INNOVATIVE_KEY = "introduced"
QUESTION_TYPES = ("yes_no", "number", "choice", "choices", "ratings")
RATING_MIN, RATING_MAX = 1, 6
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _options(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "text": text} for key, text in pairs]


def _ratings(key: str, text: str, *items: tuple[str, str]) -> dict[str, Any]:
    return {
        "key": key,
        "type": "ratings",
        "text": text,
        "min": RATING_MIN,
        "max": RATING_MAX,
        "items": _options(*items),
    }


def default_schema() -> dict[str, Any]:
    """The question set a programme starts with (version 1)."""
    return {
        "questions": [
            {
                "key": INNOVATIVE_KEY,
                "type": "yes_no",
                "text": N_(
                    "Has your unit put to use something new that made a difference – a new "
                    "or clearly improved service, way of working or tool – in the last two "
                    "years?"
                ),
            },
            {
                "key": "how_many",
                "type": "number",
                "text": N_("About how many such innovations?"),
                "min": 0,
                "max": 500,
            },
            {
                "key": "kinds",
                "type": "choices",
                "text": N_("What kind of innovations were they?"),
                "options": _options(
                    ("service", N_("A new or changed service to users")),
                    ("process", N_("A new way of working or process")),
                    ("organisation", N_("A new way of organising or leading the work")),
                    ("communication", N_("New communication or technology")),
                ),
            },
            {
                "key": "origin",
                "type": "choice",
                "text": N_("Where did the most important innovation come from?"),
                "options": _options(
                    ("own", N_("We developed it ourselves")),
                    ("adopted", N_("We took it from others and adapted it (“steal and share”)")),
                    ("together", N_("We developed it together with others")),
                ),
            },
            {
                "key": "spread",
                "type": "yes_no",
                "text": N_("Have you shared what you learned with other units or organisations?"),
            },
            {
                "key": "involved",
                "type": "choices",
                "text": N_("Who took part in the innovation work?"),
                "options": _options(
                    ("employees", N_("Our employees")),
                    ("users", N_("Users, patients or residents")),
                    ("other_units", N_("Other units in our organisation")),
                    ("partners", N_("External partners (businesses, research, other bodies)")),
                ),
            },
            _ratings(
                "enablers",
                N_("How much did each of these help? (1 = not at all, 6 = very much)"),
                ("leadership", N_("Support from leaders")),
                ("culture", N_("A culture where we try new things")),
                ("time", N_("Time set aside for development")),
                ("competence", N_("Knowledge of innovation methods")),
                ("users", N_("Insight from users")),
            ),
            _ratings(
                "barriers",
                N_("How much did each of these hold you back? (1 = not at all, 6 = very much)"),
                ("no_time", N_("Lack of time")),
                ("no_money", N_("Lack of money")),
                ("rules", N_("Rules and regulations")),
                ("risk", N_("Fear of failing")),
                ("technology", N_("Technology that does not fit")),
            ),
            {
                "key": "gains",
                "type": "choices",
                "text": N_("What gains have you seen?"),
                "options": _options(
                    ("quality", N_("Better quality of the service")),
                    ("time", N_("Time saved")),
                    ("money", N_("Money saved")),
                    ("environment", N_("A better working environment")),
                    ("other", N_("Other gains")),
                ),
            },
        ]
    }


def question_map(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {question["key"]: question for question in schema.get("questions", [])}


def validate_schema(schema: Any) -> None:
    """Refuse a question set the survey and its results could not use (ValidationError)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("questions"), list):
        raise ValidationError(_("A question set needs a list of questions."))
    seen: set[str] = set()
    for question in schema["questions"]:
        key = question.get("key") if isinstance(question, dict) else None
        if not isinstance(key, str) or not KEY_PATTERN.match(key) or key in seen:
            raise ValidationError(_("Each question needs its own short key."))
        seen.add(key)
        if question.get("type") not in QUESTION_TYPES or not question.get("text"):
            raise ValidationError(
                _("The question “%(key)s” needs a known type and a text.") % {"key": key}
            )
        if question["type"] in ("choice", "choices", "ratings"):
            entries = question.get("items" if question["type"] == "ratings" else "options")
            keys = [entry.get("key") for entry in entries or [] if isinstance(entry, dict)]
            if not keys or len(set(keys)) != len(keys) or not all(entry for entry in keys):
                raise ValidationError(
                    _("The question “%(key)s” needs options, each with its own key.") % {"key": key}
                )
        if question["type"] in ("number", "ratings"):
            low, high = question.get("min"), question.get("max")
            if not isinstance(low, int) or not isinstance(high, int) or low > high:
                raise ValidationError(
                    _("The question “%(key)s” needs a lowest and a highest value.") % {"key": key}
                )
    innovative = question_map(schema).get(INNOVATIVE_KEY)
    if innovative is None or innovative["type"] != "yes_no":
        raise ValidationError(
            _("A question set must ask whether the unit introduced innovations (yes or no).")
        )


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,6}\s*", value):
        return int(value)
    return None


def clean_answers(schema: Mapping[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check a unit's answers against the schema and return them normalised (yes/no as
    booleans, numbers and ratings as integers, unanswered questions left out). Unknown
    questions, unknown options and values out of range are refused: a ValidationError
    keyed by question, so a form can show each error beside its question."""
    questions = question_map(schema)
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key in raw:
        if key not in questions:
            errors[key] = _("This question is not in the question set.")
    for key, question in questions.items():
        value = raw.get(key)
        kind = question["type"]
        if kind == "ratings":
            if not isinstance(value, dict):
                if not _blank(value):
                    errors[key] = _("Rate only the listed factors.")
                continue
            value = {item: rating for item, rating in value.items() if not _blank(rating)}
            if not value:
                continue
        elif _blank(value):
            if key == INNOVATIVE_KEY:
                errors[key] = _("Answer yes or no.")
            continue
        if kind == "yes_no":
            if value in ("yes", True):
                cleaned[key] = True
            elif value in ("no", False):
                cleaned[key] = False
            else:
                errors[key] = _("Answer yes or no.")
        elif kind == "number":
            number = _whole_number(value)
            if number is None or not question["min"] <= number <= question["max"]:
                errors[key] = _("Give a whole number from %(min)s to %(max)s.") % question
            else:
                cleaned[key] = number
        elif kind == "choice":
            # A list or mapping (from JSON) is no option either, and is not hashable.
            if not isinstance(value, str) or value not in {
                option["key"] for option in question["options"]
            }:
                errors[key] = _("Choose one of the options.")
            else:
                cleaned[key] = value
        elif kind == "choices":
            listed = [option["key"] for option in question["options"]]
            chosen = value if isinstance(value, list | tuple) else [value]
            if any(choice not in listed for choice in chosen):
                errors[key] = _("Choose among the options.")
            else:
                cleaned[key] = [option for option in listed if option in chosen]
        elif kind == "ratings" and isinstance(value, dict):
            items = {item["key"] for item in question["items"]}
            ratings: dict[str, int] = {}
            for item, rating in value.items():
                number = _whole_number(rating)
                if item not in items:
                    errors[key] = _("Rate only the listed factors.")
                elif number is None or not question["min"] <= number <= question["max"]:
                    errors[key] = _("Rate each factor from %(min)s to %(max)s.") % question
                else:
                    ratings[item] = number
            if key not in errors:
                cleaned[key] = ratings
    if errors:
        raise ValidationError(errors)
    return cleaned
