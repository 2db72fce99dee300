"""Changes of a programme's target, population and completion rule, audited; a change of
the completion rule also re-checks the programme's completions (`lup.tasks`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from ..audit import record_event
from ..models import AuditEvent, CompletionCheck, CompletionRule, Programme
from ..tasks import start_completion_check

# Targets, rules and populations ------------------------------------------------------------
#
# What a programme counts, and how far it is from its target, hangs on a few fields: the
# target and its dates, the population (owner, sectors in scope, a fixed size), the
# curriculum and the completion rule. A change to one of them moves every figure on the
# dashboard, so it is audited with the old and the new value. pre_save reads the row as
# the database has it (the instance already holds the new values) and post_save compares.
# QuerySet.update() sends no signals: none of lup's code writes these fields that way.

PROGRAMME_FIELDS = (
    "organisation",
    "starts_on",
    "deadline",
    "target_units",
    "population_size_override",
    "course",
)
RULE_FIELDS = ("min_enthusiasts", "min_attendance", "require_project_approval")
_BEFORE = "_lup_audit_before"
_MODULES_BEFORE = "_lup_audit_modules_before"


def _tracked_fields(sender: Any) -> list[Any]:
    names = PROGRAMME_FIELDS if sender is Programme else RULE_FIELDS
    return [sender._meta.get_field(name) for name in names]


def _audit_value(field: Any, value: Any) -> Any:
    """A field's value as the log keeps it: JSON, and names rather than ids."""
    if value is None:
        return None
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _comparable(field: Any, value: Any) -> Any:
    try:
        return field.to_python(value)
    except ValidationError:
        return value


def _record_programme_change(
    programme: Programme, changes: dict[str, Any], previous_organisation_id: Any = None
) -> AuditEvent:
    # Filed under the programme's organisation (and the one it left), which the audit log
    # scopes by: an administrator's own change is not the only one they must see.
    details: dict[str, Any] = {
        "programme": programme.name,
        "organisation_id": programme.organisation_id,
        "changes": changes,
    }
    if previous_organisation_id not in (None, programme.organisation_id):
        details["previous_organisation_id"] = previous_organisation_id
    return record_event(
        action=AuditEvent.Action.PROGRAMME_CHANGED, subject_label=programme.name, **details
    )


def _recheck_completions(programme: Programme, change: AuditEvent) -> None:
    """The completion rule changed: units may now meet it (or no longer). Re-check the
    programme's completions once the change commits, asked for by whoever made it."""
    start_completion_check(
        programme, reason=CompletionCheck.Reason.RULE_CHANGED, requested_by=change.actor
    )


@receiver(pre_save, sender=Programme, dispatch_uid="lup_audit_programme_before")
@receiver(pre_save, sender=CompletionRule, dispatch_uid="lup_audit_rule_before")
def remember_programme_values(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    instance.__dict__.pop(_BEFORE, None)
    if raw or instance.pk is None:
        return
    attnames = [
        field.attname
        for field in _tracked_fields(sender)
        if update_fields is None or {field.name, field.attname} & set(update_fields)
    ]
    if attnames:
        before = sender._default_manager.filter(pk=instance.pk).values(*attnames).first()
        instance.__dict__[_BEFORE] = before


@receiver(post_save, sender=Programme, dispatch_uid="lup_audit_programme_changed")
@receiver(post_save, sender=CompletionRule, dispatch_uid="lup_audit_rule_changed")
def audit_programme_change(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    before = instance.__dict__.pop(_BEFORE, None)
    if raw:
        return
    if created:
        if sender is Programme:
            return  # a new programme: nothing has changed yet
        # A programme without a rule counts by the defaults; its first rule changes them.
        before = {field.attname: field.get_default() for field in _tracked_fields(sender)}
    elif before is None:
        return  # none of the fields followed here was saved
    changes = {}
    for field in _tracked_fields(sender):
        if field.attname not in before:
            continue
        old, new = before[field.attname], getattr(instance, field.attname)
        if _comparable(field, old) != _comparable(field, new):
            changes[field.name] = {
                "before": _audit_value(field, _comparable(field, old)),
                "after": _audit_value(field, _comparable(field, new)),
            }
    if not changes:
        return
    if sender is Programme:
        _record_programme_change(instance, changes, before.get("organisation_id"))
    else:
        change = _record_programme_change(instance.programme, changes)
        if not created:  # a first rule comes with a new programme: the nightly check follows
            _recheck_completions(instance.programme, change)


@receiver(pre_delete, sender=CompletionRule, dispatch_uid="lup_audit_rule_modules_before")
def remember_rule_modules(sender: Any, instance: CompletionRule, **kwargs: Any) -> None:
    # The rule's required modules go with it, without an m2m signal: read them first.
    instance.__dict__[_MODULES_BEFORE] = sorted(str(m) for m in instance.required_modules.all())


@receiver(post_delete, sender=CompletionRule, dispatch_uid="lup_audit_rule_removed")
def audit_rule_removed(sender: Any, instance: CompletionRule, **kwargs: Any) -> None:
    """Without its rule a programme counts by the defaults again: that is a change too."""
    programme = Programme.objects.filter(pk=instance.programme_id).first()
    if programme is None:
        return
    changes: dict[str, Any] = {}
    for field in _tracked_fields(CompletionRule):
        old, new = getattr(instance, field.attname), field.get_default()
        if old != new:
            changes[field.name] = {"before": old, "after": new}
    modules = instance.__dict__.pop(_MODULES_BEFORE, [])
    if modules:
        changes["required_modules"] = {"before": modules, "after": []}
    if changes:
        change = _record_programme_change(programme, changes)
        origin = kwargs.get("origin")
        if (origin.model if isinstance(origin, QuerySet) else type(origin)) is CompletionRule:
            _recheck_completions(programme, change)  # not when its programme is deleted


# The sets of a programme's population and of its rule's required modules. Their fields
# have related_name="+", so they change only from the programme's (or rule's) side.
_SET_FIELDS = {
    Programme.population_sectors.through: "population_sectors",
    CompletionRule.required_modules.through: "required_modules",
}


@receiver(
    m2m_changed, sender=Programme.population_sectors.through, dispatch_uid="lup_audit_sectors"
)
@receiver(
    m2m_changed, sender=CompletionRule.required_modules.through, dispatch_uid="lup_audit_modules"
)
def audit_programme_set_change(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs: Any
) -> None:
    if reverse or action not in {"post_add", "post_remove", "pre_clear"}:
        return
    field_name = _SET_FIELDS[sender]
    current = set(getattr(instance, field_name).values_list("pk", flat=True))
    changed = set(pk_set or ())
    if action == "pre_clear":
        before, after = current, set()
    elif action == "post_add":
        before, after = current - changed, current
    else:
        before, after = current | changed, current
    if before == after:
        return
    labels = {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=before | after)}
    change = {
        "before": sorted(labels[pk] for pk in before if pk in labels),
        "after": sorted(labels[pk] for pk in after if pk in labels),
    }
    programme = instance if isinstance(instance, Programme) else instance.programme
    event = _record_programme_change(programme, {field_name: change})
    if field_name == "required_modules":
        _recheck_completions(programme, event)
