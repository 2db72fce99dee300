"""Nothing personal slips past the register: the checks `tests/privacy/test_register.py`
runs (and `check_register`, a Django system check a host may register).

`unregistered_personal_models` walks every model and names those that look personal but
are neither in the register nor explained in `NOT_PERSONAL`/`OTHER_PEOPLE`. A model looks
personal when it has a relation (foreign key, one-to-one or many-to-many) to the user
model or to a model whose rows are each about one person (`about_one_person`), or a text
field whose name says it holds a name, an e-mail address or a recipient.

`register_problems` checks that each entry's names are real: its `person` lookups lead to
the user model, its `secret`, `files` and `redact_text` are fields of the right kind, its
`retention_from` leads to a date, and every file or binary field is exported as a file or
declared secret.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.checks import CheckMessage, Warning
from django.db import models
from django.db.models.fields.related import ForeignObjectRel

from .register import LAST_COHORT_END, NOT_PERSONAL, OTHER_PEOPLE, REGISTER, PersonalData, entries

# Parts of a text field's name that say it may hold who someone is.
PERSONAL_NAME_PARTS = ("name", "email", "recipient")


def _label(model: Any) -> str:
    """A model's "app_label.ModelName" in lower case (a lazy reference's string too)."""
    if isinstance(model, str):
        return model.lower()
    return str(model._meta.label_lower)


def _about_one_person() -> set[str]:
    """The user model and the models whose entries say each row is about one person."""
    labels = {_label(get_user_model())}
    labels.update(entry.model.lower() for entry in REGISTER if entry.about_one_person)
    return labels


def _explained() -> set[str]:
    return (
        {entry.model.lower() for entry in REGISTER}
        | {label.lower() for label in NOT_PERSONAL}
        | {label.lower() for label in OTHER_PEOPLE}
    )


def personal_reasons(model: type[models.Model]) -> list[str]:
    """Why a model looks personal (empty when it does not)."""
    people = _about_one_person()
    reasons = []
    for field in model._meta.get_fields():
        forward = (field.is_relation and field.concrete) or (
            field.many_to_many and not field.auto_created
        )
        if forward and field.related_model is not None:
            target = _label(field.related_model)
            if target in people:
                reasons.append(f"{field.name} refers to {target}")
        if isinstance(field, models.CharField | models.TextField) and any(
            part in field.name.lower() for part in PERSONAL_NAME_PARTS
        ):
            reasons.append(f"{field.name} may hold a name or address")
    return reasons


def unregistered_personal_models(
    candidates: Iterable[type[models.Model]] | None = None,
) -> dict[str, list[str]]:
    """Every model (of the installed apps, or `candidates`) that looks personal and is
    neither registered nor explained, with why it looks personal."""
    explained = _explained()
    found: dict[str, list[str]] = {}
    for model in apps.get_models() if candidates is None else candidates:
        # A proxy has its concrete model's rows: registered when that one is.
        concrete = model._meta.concrete_model or model
        if _label(model) in explained or _label(concrete) in explained:
            continue
        reasons = personal_reasons(model)
        if reasons:
            found[model._meta.label] = reasons
    return found


def register_problems() -> list[str]:
    """What is wrong in the register's entries for the installed apps (empty when right)."""
    problems: list[str] = []
    seen: set[str] = set()
    for entry in REGISTER:
        label = entry.model.lower()
        if label in seen:
            problems.append(f"{entry.model} is registered twice")
        seen.add(label)
        if label in {name.lower() for name in [*NOT_PERSONAL, *OTHER_PEOPLE]}:
            problems.append(f"{entry.model} is registered and also listed as not personal")
    for entry in entries():
        try:
            model = entry.model_class()
        except LookupError:
            problems.append(f"{entry.model}: no such model")
            continue
        problems.extend(f"{entry.model}: {problem}" for problem in _entry_problems(entry, model))
    return problems


def _entry_problems(entry: PersonalData, model: type[models.Model]) -> list[str]:
    problems = []
    user_label = _label(get_user_model())
    if not entry.person:
        problems.append("no lookup to the person")
    for lookup in entry.person:
        if lookup == "pk":
            if _label(model) != user_label:
                problems.append('"pk" names the person only on the user model')
            continue
        path, error = _walk(model, lookup)
        if error:
            problems.append(f"person lookup {lookup!r}: {error}")
        elif not path[-1].is_relation or _label(path[-1].related_model) != user_label:
            problems.append(f"person lookup {lookup!r} does not lead to the user model")
    for lookup in getattr(entry, "files_of", ()):
        if lookup not in entry.person:
            problems.append(f"files_of {lookup!r} is not one of the person lookups")
    for name in entry.secret:
        if _concrete(model, name) is None:
            problems.append(f"secret {name!r} is not a field")
    for name in entry.files:
        field = _concrete(model, name)
        if not isinstance(field, models.FileField | models.BinaryField):
            problems.append(f"files {name!r} is not a file or binary field")
    for name in entry.redact_text:
        field = _concrete(model, name)
        if not isinstance(field, models.CharField | models.TextField | models.JSONField):
            problems.append(f"redact_text {name!r} is not a text or JSON field")
    for field in model._meta.concrete_fields:
        if isinstance(field, models.FileField | models.BinaryField) and (
            field.name not in entry.files and field.name not in entry.secret
        ):
            problems.append(f"{field.name!r} holds a file but is neither in files nor secret")
    if entry.retention is not None and not entry.retention_from:
        problems.append("a retention category without retention_from")
    if entry.retention_from and entry.retention is None:
        problems.append("retention_from without a retention category")
    if entry.retention_from and entry.retention_from != LAST_COHORT_END:
        path, error = _walk(model, entry.retention_from)
        if error:
            problems.append(f"retention_from {entry.retention_from!r}: {error}")
        elif not isinstance(path[-1], models.DateField):  # DateTimeField is one too
            problems.append(f"retention_from {entry.retention_from!r} is not a date")
    return problems


def _concrete(model: type[models.Model], name: str) -> Any:
    try:
        field = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist
        return None
    return field if getattr(field, "concrete", False) else None


def _walk(model: type[models.Model], lookup: str) -> tuple[list[Any], str]:
    """The fields a lookup passes through, or why it is not a lookup of `model`."""
    path: list[Any] = []
    current: Any = model
    for part in lookup.split("__"):
        if current is None or isinstance(current, str):
            return path, f"{part!r} follows a field that is not a relation"
        try:
            field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        except Exception:  # FieldDoesNotExist
            return path, f"{current._meta.label} has no field {part!r}"
        path.append(field)
        is_relation = field.is_relation or isinstance(field, ForeignObjectRel)
        current = field.related_model if is_relation else None
    return path, ""


def check_register(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A system check: personal-looking models outside the register, and wrong entries."""
    messages: list[CheckMessage] = [
        Warning(
            f"{label} looks like personal data ({'; '.join(reasons)}) but is not in the "
            "register of personal data.",
            hint="Add an entry to lup.privacy.register.REGISTER, or explain it in "
            "NOT_PERSONAL or OTHER_PEOPLE.",
            id="lup.W010",
        )
        for label, reasons in unregistered_personal_models().items()
    ]
    messages.extend(Warning(problem, id="lup.W011") for problem in register_problems())
    return messages
