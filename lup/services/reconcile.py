"""Re-checking a programme's completions against its rule, so that drift heals itself.

Completions are stamped at event time (`completion_writes`); should a transaction ever have
missed one, or the rule have changed since, `reconcile_programme` re-evaluates every open
enrolment (enrolled or completed) of the programme's running and upcoming cohorts and of
those that ended or were closed in the last `LUP_RECONCILE_RECENT_DAYS` days, with
`reevaluate_enrolment`: it stamps what was earned but is missing (audited as
`COMPLETION_REPAIRED`) and reports completed units that no longer meet the rule, which it
never takes back. Each enrolment is re-evaluated in its own short transaction, so one
failure loses nothing else and locks are held briefly; the run's progress is kept in a
`CompletionCheck` row that the dashboard and the API show.

Runs nightly (`lup.tasks.reconcile_completions`), after a change of the completion rule, on
an administrator's request, and from `manage.py reconcile_completions`.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .. import app_settings, completion
from ..models import Cohort, CompletionCheck, Programme, UnitEnrolment
from .completion_writes import reevaluate_enrolment

logger = logging.getLogger(__name__)

# Progress is written every this many units (and at the end).
PROGRESS_EVERY = 25
# An unfinished check older than this is taken as abandoned (a worker that died): a
# request for a new check no longer waits for it.
ABANDONED_AFTER = dt.timedelta(hours=1)

OPEN_STATUSES = (UnitEnrolment.Status.ENROLLED, UnitEnrolment.Status.COMPLETED)


def enrolments_to_check(
    programme: Programme, *, recently_closed_days: int | None = None
) -> QuerySet[UnitEnrolment]:
    """The open enrolments (enrolled or completed) of the programme's cohorts that run, are
    upcoming, or ended or were closed in the last `recently_closed_days` days."""
    days = (
        app_settings.RECONCILE_RECENT_DAYS()
        if recently_closed_days is None
        else max(0, recently_closed_days)
    )
    ended_since = timezone.localdate() - dt.timedelta(days=days)
    closed_since = timezone.now() - dt.timedelta(days=days)
    cohorts = Cohort.objects.filter(programme_id=programme.pk).filter(
        Q(ends_on__gte=ended_since) | Q(closed_at__gte=closed_since)
    )
    return (
        UnitEnrolment.objects.filter(cohort__in=cohorts, status__in=OPEN_STATUSES)
        .select_related("unit", "cohort")
        .order_by("cohort__starts_on", "cohort_id", "pk")
    )


def request_completion_check(
    *, programme: Programme, reason: str, requested_by: Any = None
) -> tuple[CompletionCheck, bool]:
    """The check to run for `reason`, and whether it is new (the caller then runs it, or
    queues `lup.tasks.recheck_programme` when the transaction commits).

    An administrator's request joins a check of the programme still under way; a rule
    change joins one that has not started yet (several saves of one change: the rule's
    fields, then its modules); the nightly reconcile always starts its own.
    """
    Reason = CompletionCheck.Reason
    waiting = CompletionCheck.objects.filter(
        programme_id=programme.pk,
        finished_at__isnull=True,
        created_at__gte=timezone.now() - ABANDONED_AFTER,
    ).order_by("-created_at", "-pk")
    existing = None
    if reason == Reason.REQUESTED:
        existing = waiting.first()
    elif reason == Reason.RULE_CHANGED:
        existing = waiting.filter(reason=Reason.RULE_CHANGED, started_at__isnull=True).first()
    if existing is not None:
        return existing, False
    if requested_by is not None and not getattr(requested_by, "is_authenticated", False):
        requested_by = None
    check = CompletionCheck.objects.create(
        programme=programme, reason=reason, requested_by=requested_by
    )
    return check, True


def reconcile_programme(
    programme: Programme,
    *,
    reason: str,
    requested_by: Any = None,
    check: CompletionCheck | None = None,
    recently_closed_days: int | None = None,
) -> CompletionCheck:
    """Re-evaluate the programme's open enrolments (see `enrolments_to_check`), recording
    progress, repairs and findings in `check` (a new one for `reason` when None), and
    return the finished check. A check already started elsewhere is returned as it is.

    Repairs are audited with the check's requester as the actor (none for the nightly
    run). A fixed number of queries per unit (plus one per participant it stamps), and a
    few for the whole run.
    """
    if check is None:
        check = CompletionCheck.objects.create(
            programme=programme, reason=reason, requested_by=requested_by
        )
    started_at = timezone.now()
    claimed = CompletionCheck.objects.filter(pk=check.pk, started_at__isnull=True).update(
        started_at=started_at
    )
    if not claimed:
        check.refresh_from_db()
        return check  # started by another worker (a task delivered twice): theirs to finish
    check.started_at = started_at
    actor = check.requested_by if check.requested_by_id is not None else None
    enrolments = list(enrolments_to_check(programme, recently_closed_days=recently_closed_days))
    total = len(enrolments)
    CompletionCheck.objects.filter(pk=check.pk).update(units_total=total)
    repairs = 0
    findings: list[dict[str, Any]] = []
    # The programme's required activities, read once for all its units.
    required = frozenset(completion.required_activity_ids(programme))
    for checked, enrolment in enumerate(enrolments, start=1):
        place = {"unit": enrolment.unit.name, "cohort": enrolment.cohort.name}
        try:
            with transaction.atomic():
                result = reevaluate_enrolment(enrolment=enrolment, actor=actor, required=required)
        except Exception:
            # One unit's failure must not stop the others: logged, and listed in the check.
            logger.exception(
                "Completion check %s: re-evaluating %s (%s) failed", check.pk, *place.values()
            )
            findings.append({**place, "failed": True})
        else:
            repairs += result.repairs
            if result.unit_no_longer_meets_rule:
                findings.append(place)
        if checked % PROGRESS_EVERY == 0 and checked < total:
            CompletionCheck.objects.filter(pk=check.pk).update(
                units_checked=checked, repairs=repairs, findings=findings
            )
    finished_at = timezone.now()
    CompletionCheck.objects.filter(pk=check.pk).update(
        units_checked=total, repairs=repairs, findings=findings, finished_at=finished_at
    )
    check.units_total = check.units_checked = total
    check.repairs, check.findings, check.finished_at = repairs, findings, finished_at
    return check


def latest_completion_check(programme: Programme) -> CompletionCheck | None:
    """The programme's most recent completion check (under way or finished), one query."""
    return (
        CompletionCheck.objects.filter(programme_id=programme.pk)
        .order_by("-created_at", "-pk")
        .first()
    )
