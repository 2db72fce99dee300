"""Reading the audit log: each kind of event described in sentences (`describe`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import (
    AuditEvent,
    CompletionRule,
    Organisation,
    Participant,
    Programme,
    UnitEnrolment,
)
from .labels import (
    CHANNEL_SENTENCES,
    CURRICULUM_SENTENCES,
    DATE_FILTERS,
    EMPTY_VALUES,
    FILTER_LABELS,
    FILTER_MODELS,
    FLAG_SENTENCES,
    FORMAT_LABELS,
    GROUP_LABELS,
    HIDDEN_KEYS,
    KEY_LABELS,
    LICENCE_LABELS,
    PROGRAMME_DATE_FIELDS,
    PURGE_LABELS,
    REFUSED_ATTEMPTS,
    REPORT_LABELS,
    RETENTION_CATEGORY_LABELS,
    STOP_REASONS,
    TOKEN_SCOPE_LABELS,
    WITHDRAWAL_REASONS,
    Details,
    Names,
)


def _text(value: Any) -> str:
    """A value as a reader sees it: yes/no, dates in the language's format, lists joined."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{_key_label(key)}: {_text(item)}" for key, item in value.items())
    return str(value)


def _date_text(value: Any) -> str:
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return _text(value)
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _key_label(key: str) -> str:
    label = KEY_LABELS.get(key) or FILTER_LABELS.get(key) or key.replace("_", " ")
    return str(label)


def _generic(key: str, value: Any) -> str:
    return _("%(label)s: %(value)s") % {"label": capfirst(_key_label(key)), "value": _text(value)}


def _role_changed(details: Details, names: Names) -> list[str]:
    lines = [
        str(given if details.pop(flag) else taken)
        for flag, (given, taken) in FLAG_SENTENCES.items()
        if flag in details
    ]
    change = details.pop("change", "")
    added = change == "post_add"
    if "groups" in details:
        groups = [str(GROUP_LABELS.get(name, name)) for name in details.pop("groups")]
        values = {"roles": ", ".join(groups)}
        if change == "pre_clear":
            lines.append(_("Every role taken away: %(roles)s") % values)
        elif added:
            lines.append(
                ngettext("Given the role %(roles)s", "Given the roles %(roles)s", len(groups))
                % values
            )
        else:
            lines.append(
                ngettext("Role taken away: %(roles)s", "Roles taken away: %(roles)s", len(groups))
                % values
            )
    if "facilitator_of" in details:
        values = {"cohort": details.pop("facilitator_of")}
        if added:
            lines.append(_("Made facilitator of the cohort %(cohort)s") % values)
        else:
            lines.append(_("No longer facilitator of the cohort %(cohort)s") % values)
    if "member_of" in details:
        values = {"organisation": details.pop("member_of")}
        if added:
            lines.append(_("Made a member of %(organisation)s") % values)
        else:
            lines.append(_("No longer a member of %(organisation)s") % values)
    if "role_after" in details:
        before = details.pop("role_before", None)
        values = {
            "unit": details.pop("unit", "–"),
            "cohort": details.pop("cohort", "–"),
            "before": _choice(Participant.Role, before),
            "after": _choice(Participant.Role, details.pop("role_after")),
        }
        if before:
            lines.append(
                _("Role on the team of %(unit)s (%(cohort)s) changed from %(before)s to %(after)s")
                % values
            )
        else:
            lines.append(_("Joined the team of %(unit)s (%(cohort)s) as %(after)s") % values)
    return lines


def _choice(choices: type[models.TextChoices], value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return _text(value)


def _certificate_revoked(details: Details, names: Names) -> list[str]:
    lines = []
    if "code" in details:
        lines.append(
            _("Certificate %(code)s: %(achievement)s")
            % {"code": details.pop("code"), "achievement": details.pop("achievement", "–")}
        )
    if "reason" in details:
        lines.append(_("Reason: %(reason)s") % {"reason": details.pop("reason")})
    return lines


def _certificate_kept(details: Details, names: Names) -> list[str]:
    details.pop("review", None)  # the review's number says nothing to a reader
    lines = _certificate_revoked(details, names)
    if details.pop("earned_again", False):
        lines.append(_("Its completion was earned again before anyone decided: it stays valid"))
    else:
        lines.append(_("Kept valid by decision after its completion was withdrawn"))
    if "note" in details:
        lines.append(_("Note: %(note)s") % {"note": details.pop("note")})
    return lines


def _completion_withdrawn(details: Details, names: Names) -> list[str]:
    lines = []
    cohort = details.pop("cohort", "–")
    if "activity" in details:
        lines.append(
            _("Completion withdrawn because the activity “%(activity)s” was undone (%(cohort)s)")
            % {"activity": details.pop("activity"), "cohort": cohort}
        )
    elif "unit" in details:
        lines.append(
            _("The completion of %(unit)s in %(cohort)s was withdrawn")
            % {"unit": details.pop("unit"), "cohort": cohort}
        )
    if "reason" in details:
        reason = details.pop("reason")
        known = WITHDRAWAL_REASONS.get(reason)
        lines.append(str(known) if known else _("Reason: %(reason)s") % {"reason": reason})
    return lines


def _completion_repaired(details: Details, names: Names) -> list[str]:
    unit, cohort = details.pop("unit", "–"), details.pop("cohort", "–")
    if "participant" in details:
        details.pop("participant")
    return [
        _(
            "The rule was met but the completion was missing (%(unit)s, %(cohort)s): "
            "it has been recorded"
        )
        % {"unit": unit, "cohort": cohort}
    ]


def _cohort_closed(details: Details, names: Names) -> list[str]:
    details.pop("programme", None)  # the cohort's name says enough
    lines = [
        _("The cohort %(cohort)s was closed") % {"cohort": details.pop("cohort", "–")},
        ngettext(
            "%(count)s unit had not completed",
            "%(count)s units had not completed",
            details.get("not_completed", 0),
        )
        % {"count": details.pop("not_completed", 0)},
        ngettext(
            "%(count)s unit moved to a later cohort",
            "%(count)s units moved to a later cohort",
            details.get("moved", 0),
        )
        % {"count": details.pop("moved", 0)},
    ]
    if details.get("completed"):
        completed = details.pop("completed")
        lines.append(
            ngettext(
                "%(count)s unit had met the rule: its completion was recorded",
                "%(count)s units had met the rule: their completion was recorded",
                completed,
            )
            % {"count": completed}
        )
    details.pop("completed", None)
    return lines


def _unit_moved(details: Details, names: Names) -> list[str]:
    return [
        _("%(unit)s moved from %(from)s to %(to)s with its team and project")
        % {
            "unit": details.pop("unit", "–"),
            "from": details.pop("from_cohort", "–"),
            "to": details.pop("to_cohort", "–"),
        }
    ]


def _curriculum_changed(details: Details, names: Names) -> list[str]:
    change = str(details.pop("change"))
    item = details.pop("item", "–")
    details.pop("course", None)  # the course is the event's "concerning"
    return [str(CURRICULUM_SENTENCES[change]) % {"item": item}]


def _data_exported(details: Details, names: Names) -> list[str]:
    if "format" not in details:
        return []
    fmt = str(details.pop("format"))
    return [_("Downloaded as %(format)s") % {"format": FORMAT_LABELS.get(fmt, fmt.upper())}]


def _report_exported(details: Details, names: Names) -> list[str]:
    lines = []
    if "report" in details:
        report = details.pop("report")
        lines.append(
            _("Report: %(report)s, columns “%(preset)s”")
            % {
                "report": REPORT_LABELS.get(report, report),
                "preset": details.pop("preset", "–"),
            }
        )
    if "rows" in details:
        rows = details.pop("rows")
        fmt = str(details.pop("format", ""))
        lines.append(
            ngettext("%(count)s row as %(format)s", "%(count)s rows as %(format)s", rows)
            % {"count": rows, "format": FORMAT_LABELS.get(fmt, fmt.upper())}
        )
    if details.get("channel") in CHANNEL_SENTENCES:
        lines.append(str(CHANNEL_SENTENCES[details.pop("channel")]))
    if details.pop("complete", True) is False:
        lines.append(_("Stopped before the end: the file is incomplete"))
    filters = details.pop("filters", None)
    if isinstance(filters, dict) and filters:
        described = [
            f"{FILTER_LABELS.get(key, key)} {_filter_value(key, value, names)}"
            for key, value in filters.items()
        ]
        lines.append(_("Filtered by %(filters)s") % {"filters": ", ".join(described)})
    elif filters == {}:
        lines.append(_("Not filtered: every row in scope"))
    return lines


def _filter_value(key: str, value: Any, names: Names) -> str:
    if key in FILTER_MODELS and isinstance(value, int):
        return names.get((key, value)) or f"#{value}"
    if key in DATE_FILTERS:
        return _date_text(value)
    if key == "status":
        for choices in (Participant.Status, UnitEnrolment.Status):
            if value in choices.values:
                return str(choices(value).label).lower()
    return _text(value)


def _api_token(details: Details, names: Names) -> list[str]:
    lines = []
    if "organisation" in details:
        lines.append(_("For %(organisation)s") % {"organisation": details.pop("organisation")})
    if "scope" in details:
        scope = details.pop("scope")
        lines.append(_("Access: %(scope)s") % {"scope": TOKEN_SCOPE_LABELS.get(scope, scope)})
    if "expires" in details:
        lines.append(_("Expires %(date)s") % {"date": _date_text(details.pop("expires"))})
    return lines


def _project_published(details: Details, names: Names) -> list[str]:
    if "licence" not in details:
        return []
    licence = details.pop("licence")
    return [
        _("Shared in the catalogue under the licence %(licence)s")
        % {"licence": LICENCE_LABELS.get(licence, licence)}
    ]


def _project_imported(details: Details, names: Names) -> list[str]:
    values = {"origin": details.pop("origin", "–")}
    if details.pop("created", True):
        return [_("Imported from %(origin)s as a new project") % values]
    return [_("Imported from %(origin)s again, updating the earlier copy") % values]


def _sign_in_linked(details: Details, names: Names) -> list[str]:
    if "service" not in details:
        return []
    return [_("Signs in with %(service)s from now on") % {"service": details.pop("service")}]


def _tenant_refused(details: Details, names: Names) -> list[str]:
    if "attempted" not in details:
        return []
    attempted = details.pop("attempted")
    known = REFUSED_ATTEMPTS.get(attempted)
    return [str(known) if known else _("Tried: %(attempted)s") % {"attempted": attempted}]


def _schedule_stopped(details: Details, names: Names) -> list[str]:
    lines = []
    if "schedule_name" in details:
        lines.append(_("Schedule “%(name)s”") % {"name": details.pop("schedule_name")})
    if "organisation" in details:
        lines.append(_("For %(organisation)s") % {"organisation": details.pop("organisation")})
    reason = details.pop("reason", None)
    # The explanation was written in the language of whoever was served then: the reason's
    # own label reads in the reader's language instead.
    explanation = details.pop("explanation", None)
    if reason in STOP_REASONS:
        lines.append(str(STOP_REASONS[reason]))
    elif explanation or reason:
        lines.append(_("Reason: %(reason)s") % {"reason": explanation or reason})
    return lines


def _programme_changed(details: Details, names: Names) -> list[str]:
    details.pop("programme", None)  # the programme is what the event concerns
    lines = []
    for field, change in details.pop("changes", {}).items():
        lines.append(
            _("%(field)s changed from %(before)s to %(after)s")
            % {
                "field": capfirst(programme_field_label(field)),
                "before": _field_value(field, change.get("before")),
                "after": _field_value(field, change.get("after")),
            }
        )
    return lines


def _organisation_changed(details: Details, names: Names) -> list[str]:
    lines = []
    if "organisation" in details:
        lines.append(_("For %(organisation)s") % {"organisation": details.pop("organisation")})
    details.pop("organisation_id", None)
    labels = []
    for field in details.pop("fields", []):
        try:
            labels.append(str(Organisation._meta.get_field(field).verbose_name))  # type: ignore[union-attr]
        except FieldDoesNotExist:
            labels.append(str(field).replace("_", " "))
    if labels:
        lines.append(_("Changed: %(fields)s") % {"fields": ", ".join(labels)})
    return lines


def _announcement_sent(details: Details, names: Names) -> list[str]:
    details.pop("organisation_id", None)
    lines = [_("To %(to)s") % {"to": details.pop("to", "")}]
    count = int(details.pop("recipients", 0))
    lines.append(
        ngettext("Sent to %(count)s person", "Sent to %(count)s people", count) % {"count": count}
    )
    return lines


def _data_imported(details: Details, names: Names) -> list[str]:
    lines = []
    if "organisation" in details:
        lines.append(_("For %(organisation)s") % {"organisation": details.pop("organisation")})
    details.pop("organisation_id", None)
    if "programme" in details:
        lines.append(_("Programme: %(programme)s") % {"programme": details.pop("programme")})
    kind = details.pop("kind", "")
    counts = {name: details.pop(name, 0) for name in ("created", "updated", "unchanged")}
    sentence = (
        _("Units: %(created)s new, %(updated)s changed, %(unchanged)s unchanged")
        if kind == "units"
        else _("Participants: %(created)s new, %(updated)s changed, %(unchanged)s unchanged")
    )
    lines.append(sentence % counts)
    return lines


def programme_field_label(field: str) -> str:
    """The label of a field of a programme or its completion rule, as the admin shows it."""
    for model in (Programme, CompletionRule):
        try:
            found = model._meta.get_field(field)
        except FieldDoesNotExist:
            continue
        return str(getattr(found, "verbose_name", field))
    return field.replace("_", " ")


def _field_value(field: str, value: Any) -> str:
    if value is None or value == [] or value == "":
        return str(EMPTY_VALUES.get(field, "–"))
    if field in PROGRAMME_DATE_FIELDS:
        return _date_text(value)
    return _text(value)


def _what_was_purged(key: str) -> str:
    """What a count of the purge counts: its label, else the model's name (plural)."""
    if key in PURGE_LABELS:
        return str(PURGE_LABELS[key])
    try:
        model = apps.get_model(key)
    except (LookupError, ValueError):
        return key
    return str(capfirst(model._meta.verbose_name_plural))


def _months(category: str, months: Any) -> str:
    label = capfirst(str(RETENTION_CATEGORY_LABELS.get(category, category.replace("_", " "))))
    count = months if isinstance(months, int) else 0
    return ngettext("%(category)s: %(count)s month", "%(category)s: %(count)s months", count) % {
        "category": label,
        "count": months,
    }


def _in_order(keyed: dict[str, Any]) -> list[str]:
    """The categories in the order they are listed (jsonb keeps no order of keys)."""
    order = list(RETENTION_CATEGORY_LABELS)
    return sorted(keyed, key=lambda key: (order.index(key) if key in order else len(order), key))


def _personal_data_purged(details: Details, names: Names) -> list[str]:
    lines = []
    if "organisation" in details:
        lines.append(_("For %(organisation)s") % {"organisation": details.pop("organisation")})
    else:
        lines.append(_("Installation-wide, and people without an organisation"))
    # Sorted: PostgreSQL's jsonb keeps no order of keys.
    for key, count in sorted(details.pop("removed", {}).items()):
        lines.append(
            _("Deleted: %(what)s, %(count)s") % {"what": _what_was_purged(key), "count": count}
        )
    periods = details.pop("periods", {})
    if periods:
        lines.append(
            _("Retention periods: %(periods)s")
            % {"periods": "; ".join(_months(key, periods[key]) for key in _in_order(periods))}
        )
    if "audit_days" in details:
        lines.append(_("Audit events are kept %(days)s days") % {"days": details.pop("audit_days")})
    if "archive_days" in details:
        lines.append(
            _("Archives of people's own data are kept %(days)s days")
            % {"days": details.pop("archive_days")}
        )
    if "notification_days" in details:
        lines.append(
            _("Notifications are kept %(days)s days") % {"days": details.pop("notification_days")}
        )
    return lines


def _retention_changed(details: Details, names: Names) -> list[str]:
    lines = []
    if "organisation" in details:
        lines.append(_("For %(organisation)s") % {"organisation": details.pop("organisation")})
    changes = details.pop("changes", {})
    for category in _in_order(changes):
        change = changes[category]
        values = {
            "category": capfirst(
                str(RETENTION_CATEGORY_LABELS.get(category, category.replace("_", " ")))
            ),
            "before": change.get("before", "–"),
            "after": change.get("after", "–"),
        }
        if change.get("own", True):
            lines.append(_("%(category)s: from %(before)s to %(after)s months") % values)
        else:
            lines.append(
                _("%(category)s: back to the default, %(after)s months (was %(before)s)") % values
            )
    return lines


_DESCRIBERS: dict[str, Callable[[Details, Names], list[str]]] = {
    AuditEvent.Action.ROLE_CHANGED: _role_changed,
    AuditEvent.Action.CERTIFICATE_REVOKED: _certificate_revoked,
    AuditEvent.Action.CERTIFICATE_KEPT: _certificate_kept,
    AuditEvent.Action.COMPLETION_WITHDRAWN: _completion_withdrawn,
    AuditEvent.Action.COMPLETION_REPAIRED: _completion_repaired,
    AuditEvent.Action.COHORT_CLOSED: _cohort_closed,
    AuditEvent.Action.UNIT_MOVED: _unit_moved,
    AuditEvent.Action.PERSONAL_DATA_EXPORTED: _data_exported,
    AuditEvent.Action.REPORT_EXPORTED: _report_exported,
    AuditEvent.Action.API_TOKEN_CREATED: _api_token,
    AuditEvent.Action.API_TOKEN_REVOKED: _api_token,
    AuditEvent.Action.PROJECT_PUBLISHED: _project_published,
    AuditEvent.Action.PROJECT_IMPORTED: _project_imported,
    AuditEvent.Action.SIGN_IN_LINKED: _sign_in_linked,
    AuditEvent.Action.TENANT_REFUSED: _tenant_refused,
    AuditEvent.Action.SCHEDULE_STOPPED: _schedule_stopped,
    AuditEvent.Action.PROGRAMME_CHANGED: _programme_changed,
    AuditEvent.Action.PERSONAL_DATA_PURGED: _personal_data_purged,
    AuditEvent.Action.RETENTION_CHANGED: _retention_changed,
    AuditEvent.Action.CURRICULUM_CHANGED: _curriculum_changed,
    AuditEvent.Action.ORGANISATION_CHANGED: _organisation_changed,
    AuditEvent.Action.DATA_IMPORTED: _data_imported,
    AuditEvent.Action.ANNOUNCEMENT_SENT: _announcement_sent,
}


def describe(event: AuditEvent, names: Names | None = None) -> list[str]:
    """The event's details as sentences in the active language, for people to read.

    Each kind of event has its sentences; a key none of them covers gets a translated
    label (or its name in words), so the log never shows code such as `is_staff: True`.
    `names` (from `names_for`) gives the names of what export filters refer to by id;
    without it they show as numbers. Details in a shape the describer does not expect
    (an old event) fall back to the labelled lines rather than failing the page.
    """
    details: Details = dict(event.details) if isinstance(event.details, dict) else {}
    describer = _DESCRIBERS.get(event.action)
    lines: list[str] = []
    if describer is not None:
        remaining = dict(details)
        try:
            lines = describer(remaining, names or {})
            details = remaining
        except (AttributeError, KeyError, TypeError, ValueError):
            lines = []
    return lines + [
        _generic(key, value) for key, value in details.items() if key not in HIDDEN_KEYS
    ]


def names_for(events: Iterable[AuditEvent]) -> dict[tuple[str, int], str]:
    """The names of the objects the events' export filters refer to, by (filter, id):
    one query per kind of object, however many events."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        filters = event.details.get("filters") if isinstance(event.details, dict) else None
        if not isinstance(filters, dict):
            continue
        for key in FILTER_MODELS:
            value = filters.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                wanted.setdefault(key, set()).add(value)
    names: dict[tuple[str, int], str] = {}
    for key, ids in wanted.items():
        rows = FILTER_MODELS[key]._default_manager.filter(pk__in=ids).values_list("pk", "name")
        names.update({(key, pk): name for pk, name in rows})
    return names


def describe_all(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, list[str]]]:
    """Each event with its sentences (`describe`), names looked up once for them all."""
    events = list(events)
    names = names_for(events)
    return [(event, describe(event, names)) for event in events]
