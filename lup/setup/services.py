"""Writes of the settings pages: a programme's settings with its completion rule, and a
certificate template. The caller checks that the actor may (`lup.permissions`).

A programme's target, deadline, population and rule are audited as PROGRAMME_CHANGED, with
each field's old and new value, by the receivers every change of these fields goes through
(`lup.receivers.programme_changes`, the same as in the admin); a change of the rule also
starts a completion check there (`lup.tasks.start_completion_check`), which stamps what is
now earned and never takes a completion back. The hours of learning and the reminders'
settings (days before a due date, days answers wait), which those receivers do not follow,
are audited here in the same form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from certificates.api import CertificateTemplate, save_template

from ..audit import record_event
from ..models import AuditEvent, CompletionCheck, CompletionRule, Programme, Sector
from ..models.programmes import reminder_days, validate_reminder_days
from ..tasks import start_completion_check
from .selectors import RuleCandidate, modules_outside

# How large a rule's minimums may be: larger is a typing error, not a programme.
MAX_ENTHUSIASTS = 50
MAX_ATTENDANCE = 100
# Answers wait at most this long before facilitators are reminded (the model's limit).
MAX_REVIEW_REMINDER_DAYS = 60


def reminder_days_text(value: str) -> str:
    """Due-date reminder days as a programme keeps them: "0, 7" is "7,0"."""
    return ",".join(str(day) for day in reminder_days(value))


@dataclass(frozen=True)
class ProgrammeSettings:
    """What the settings page changes of a programme and its completion rule."""

    target_units: int
    deadline: dt.date
    population_sectors: frozenset[int]  # sector ids of the owner organisation
    population_size_override: int | None
    learning_hours: Decimal | None
    rule: RuleCandidate
    # The reminders (lup.reminders): the days before a module's due date ("7,0"; "" for
    # none) and how long answers wait before facilitators are told. None keeps the value.
    due_reminder_days: str | None = None
    review_reminder_days: int | None = None


@dataclass(frozen=True)
class SettingsChange:
    """The fields that changed, and whether the completion rule did (a check then runs)."""

    fields: tuple[str, ...]
    rule_changed: bool

    def __bool__(self) -> bool:
        return bool(self.fields)


RULE_FIELDS = ("min_enthusiasts", "min_attendance", "require_project_approval")


def _check(programme: Programme, wanted: ProgrammeSettings) -> None:
    """Refuse, changing nothing, what the programme cannot take (ValidationError by field)."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if wanted.target_units < 1:
        refuse("target_units", _("The target must be at least one unit."))
    if wanted.deadline <= programme.starts_on:
        refuse(
            "deadline",
            _("The deadline must be after the programme's start (%(start)s).")
            % {"start": formats.date_format(programme.starts_on, "SHORT_DATE_FORMAT")},
        )
    if wanted.population_size_override is not None and wanted.population_size_override < 1:
        refuse("population_size_override", _("A fixed population must be at least one unit."))
    if wanted.learning_hours is not None and wanted.learning_hours < 0:
        refuse("learning_hours", _("The hours of learning cannot be negative."))
    if wanted.due_reminder_days is not None:
        try:
            validate_reminder_days(wanted.due_reminder_days)
        except ValidationError as error:
            for message in error.messages:
                refuse("due_reminder_days", message)
    if wanted.review_reminder_days is not None and not (
        1 <= wanted.review_reminder_days <= MAX_REVIEW_REMINDER_DAYS
    ):
        refuse(
            "review_reminder_days",
            _("Give a number from 1 to %(max)s.") % {"max": MAX_REVIEW_REMINDER_DAYS},
        )
    rule = wanted.rule
    if not 0 <= rule.min_enthusiasts <= MAX_ENTHUSIASTS:
        refuse(
            "min_enthusiasts",
            _("Give a number from 0 to %(max)s.") % {"max": MAX_ENTHUSIASTS},
        )
    if not 0 <= rule.min_attendance <= MAX_ATTENDANCE:
        refuse("min_attendance", _("Give a number from 0 to %(max)s.") % {"max": MAX_ATTENDANCE})
    if modules_outside(programme, rule.required_modules):
        refuse("required_modules", _("Choose only modules of the programme's curriculum."))
    sectors = set(wanted.population_sectors)
    if sectors and Sector.objects.filter(
        pk__in=sectors, organisation_id=programme.organisation_id
    ).count() != len(sectors):
        refuse("population_sectors", _("Choose only sectors of the programme's organisation."))
    if errors:
        raise ValidationError(errors)


# The programme's fields this page changes that lup.receivers.programme_changes does not
# follow: the hours of learning and the reminders' settings.
OWN_AUDITED_FIELDS = ("learning_hours", "due_reminder_days", "review_reminder_days")


def _audited(value: Any) -> Any:
    """A value as the log keeps it: hours as text ("12.5"), numbers and text as they are."""
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def change_programme_settings(
    *, programme: Programme, actor: Any, wanted: ProgrammeSettings
) -> SettingsChange:
    """Set the programme's target, deadline, population, hours and completion rule.

    Under a lock on the programme, so two administrators saving at once each see what the
    other saved. Refuses bad values with a ValidationError by field, changing nothing.
    Audited (PROGRAMME_CHANGED, before and after); a change of the rule starts a completion
    check once committed, which completes units that now meet the rule and keeps every
    completion already recorded. Returns what changed.
    """
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    _check(locked, wanted)
    changed: list[str] = []
    # Fields the receivers do not audit: audited here, with their old values.
    own_before = {name: getattr(locked, name) for name in OWN_AUDITED_FIELDS}
    values: dict[str, Any] = {
        "target_units": wanted.target_units,
        "deadline": wanted.deadline,
        "population_size_override": wanted.population_size_override,
        "learning_hours": wanted.learning_hours,
    }
    if wanted.due_reminder_days is not None:
        values["due_reminder_days"] = reminder_days_text(wanted.due_reminder_days)
    if wanted.review_reminder_days is not None:
        values["review_reminder_days"] = wanted.review_reminder_days
    for name, value in values.items():
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if changed:
        locked.full_clean()
        locked.save(update_fields=changed)  # audited by lup.receivers.programme_changes
    own_changes = {
        name: {"before": _audited(own_before[name]), "after": _audited(getattr(locked, name))}
        for name in OWN_AUDITED_FIELDS
        if name in changed
    }
    if own_changes:
        record_event(
            action=AuditEvent.Action.PROGRAMME_CHANGED,
            actor=actor,
            subject_label=locked.name,
            programme=locked.name,
            organisation_id=locked.organisation_id,
            changes=own_changes,
        )
    sectors = set(locked.population_sectors.values_list("pk", flat=True))
    if sectors != set(wanted.population_sectors):
        locked.population_sectors.set(wanted.population_sectors)
        changed.append("population_sectors")
    rule_changed = _change_rule(locked, actor, wanted.rule, changed)
    return SettingsChange(fields=tuple(changed), rule_changed=rule_changed)


def _change_rule(
    programme: Programme, actor: Any, wanted: RuleCandidate, changed: list[str]
) -> bool:
    rule = CompletionRule.objects.select_for_update().filter(programme_id=programme.pk).first()
    created = rule is None
    if rule is None:
        rule = CompletionRule(programme=programme)
    fields = [name for name in RULE_FIELDS if getattr(rule, name) != getattr(wanted, name)]
    modules = set() if created else set(rule.required_modules.values_list("pk", flat=True))
    modules_changed = modules != set(wanted.required_modules)
    if not fields and not modules_changed:
        return False
    for name in fields:
        setattr(rule, name, getattr(wanted, name))
    rule.full_clean()
    rule.save()  # audited; a change of an existing rule starts the check (receivers)
    if modules_changed:
        rule.required_modules.set(wanted.required_modules)  # audited, and checked too
        fields.append("required_modules")
    changed.extend(fields)
    if created:
        # A programme's first rule: the receivers leave the check to the night. Changed on
        # this page, it runs now, like any other change of the rule.
        start_completion_check(
            programme, reason=CompletionCheck.Reason.RULE_CHANGED, requested_by=actor
        )
    return True


# Certificate templates --------------------------------------------------------------------

TEMPLATE_FIELDS = (
    "name",
    "title",
    "body",
    "issuer",
    "primary_colour",
    "accent_colour",
    "orientation",
    "logo",
)


def _comparable(name: str, value: Any) -> Any:
    if name == "logo":
        return getattr(value, "name", value) or ""
    return value


@transaction.atomic
def change_certificate_template(
    *,
    template: CertificateTemplate,
    values: Mapping[str, Any],
    actor: Any,
    organisation_id: int,
) -> tuple[str, ...]:
    """Change what a certificate template says and how it looks (`TEMPLATE_FIELDS`).

    Under a lock on the template; validated by the template's own rules (placeholders,
    colours: ValidationError by field, nothing changed). A change raises the template's
    version (`certificates.api.save_template`); certificates already issued keep what they
    were issued with. Audited as TEMPLATE_CHANGED with the fields changed, filed under the
    organisation whose administrator made it. Returns the names of the changed fields.
    """
    locked = CertificateTemplate.objects.select_for_update().get(pk=template.pk)
    changed = []
    for name in TEMPLATE_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name == "logo" and value is False:  # "clear" ticked
            value = ""
        if name == "logo" and value is None:
            continue  # no new file
        if _comparable(name, getattr(locked, name)) != _comparable(name, value):
            setattr(locked, name, value)
            changed.append(name)
    if not changed:
        return ()
    saved = save_template(template=locked)
    record_event(
        action=AuditEvent.Action.TEMPLATE_CHANGED,
        actor=actor,
        subject_label=saved.name,
        template=saved.key,
        fields=_field_labels(changed),
        version=saved.version,
        organisation_id=organisation_id,
    )
    return tuple(changed)


def _field_labels(names: Iterable[str]) -> list[str]:
    """The changed fields as the template's form names them (for the audit log)."""
    return [
        str(getattr(CertificateTemplate._meta.get_field(name), "verbose_name", name))
        for name in names
    ]
