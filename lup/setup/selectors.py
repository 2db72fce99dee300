"""Reads for the settings pages: what a changed completion rule would complete today, and
an organisation's API tokens. A fixed number of queries whatever the programme's size.

The preview decides with the completion rule's own code (`lup.completion`): a participant
has completed when `members_who_completed` says so; a unit when its manager and
`min_enthusiasts` enthusiasts have (`unit_has_completed`, here over the whole programme at
once) and, when the rule asks for it, its innovation project is approved. It looks at the
enrolments the completion check after a rule change looks at
(`lup.services.reconcile.enrolments_to_check`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from courses.api import Activity, Module

from .. import completion
from ..models import CompletionRule, Organisation, Participant, Programme, UnitEnrolment
from ..permissions import member_organisations
from ..reporting.models import ApiToken
from ..services.reconcile import enrolments_to_check


@dataclass(frozen=True)
class RuleCandidate:
    """A completion rule as the settings form has it, not saved."""

    required_modules: frozenset[int]  # module ids; empty: every module of the curriculum
    min_enthusiasts: int
    min_attendance: int
    require_project_approval: bool

    def as_rule(self, programme: Programme) -> CompletionRule:
        return CompletionRule(
            programme=programme,
            min_enthusiasts=self.min_enthusiasts,
            min_attendance=self.min_attendance,
            require_project_approval=self.require_project_approval,
        )


@dataclass(frozen=True)
class RulePreview:
    """What the changed rule would do today, in counts of units (nothing is written)."""

    units_checked: int  # open enrolments in running, upcoming and recently ended cohorts
    completed_now: int  # of them, those completed now
    meet_current_rule: int  # judged from the team's work today, by the rule as saved
    meet_changed_rule: int  # ... and by the changed rule
    newly_completed: int  # enrolled units the check after saving would complete
    completed_not_meeting: int  # completed units that would no longer meet it (they stay)

    @property
    def difference(self) -> int:
        return self.meet_changed_rule - self.meet_current_rule


def current_candidate(programme: Programme) -> RuleCandidate:
    """The programme's rule as it is saved (the defaults when it has none)."""
    rule = CompletionRule.objects.filter(programme_id=programme.pk).first()
    if rule is None:
        rule = CompletionRule(programme=programme)
        modules: frozenset[int] = frozenset()
    else:
        modules = frozenset(rule.required_modules.values_list("pk", flat=True))
    return RuleCandidate(
        required_modules=modules,
        min_enthusiasts=rule.min_enthusiasts,
        min_attendance=rule.min_attendance,
        require_project_approval=rule.require_project_approval,
    )


def _required(activities: list[tuple[int, int]], modules: frozenset[int]) -> frozenset[int]:
    """The required activities of the chosen modules (all modules when none are chosen), as
    `completion.required_activity_ids` finds them."""
    return frozenset(
        activity for activity, module in activities if not modules or module in modules
    )


def _units_meeting(
    teams: dict[int, list[Participant]],
    done: set[int],
    rule: CompletionRule,
    approved: set[int],
) -> set[int]:
    """The enrolments whose manager and enough enthusiasts are in `done` (participant ids),
    with an approved project when the rule requires one (`completion.unit_has_completed`)."""
    meeting = set()
    for enrolment_id, team in teams.items():
        managers = sum(1 for m in team if m.pk in done and m.role == Participant.Role.MANAGER)
        enthusiasts = sum(1 for m in team if m.pk in done and m.role == Participant.Role.ENTHUSIAST)
        if (
            managers >= 1
            and enthusiasts >= rule.min_enthusiasts
            and (not rule.require_project_approval or enrolment_id in approved)
        ):
            meeting.add(enrolment_id)
    return meeting


def preview_rule_change(
    programme: Programme, candidate: RuleCandidate, *, current: RuleCandidate | None = None
) -> RulePreview:
    """How many units the changed rule would complete today against the rule as saved.

    Read only, at most ten queries however many units and people. Judged from the work
    each team has done (a participant's status is ignored, so a stricter rule shows fewer);
    `newly_completed` and `completed_not_meeting` follow what the completion check after
    saving does: it keeps every completion already stamped, stamps participants and
    enrolled units that now meet the rule, and only reports completed units that do not.
    """
    current = current if current is not None else current_candidate(programme)
    enrolments = enrolments_to_check(programme)
    statuses = dict(enrolments.values_list("pk", "status"))
    members = list(
        Participant.objects.current()
        .filter(enrolment_id__in=enrolments.values("pk"))
        .only("pk", "user_id", "enrolment_id", "role", "status")
        .order_by("pk")
    )
    teams: dict[int, list[Participant]] = {pk: [] for pk in statuses}
    for member in members:
        teams.setdefault(member.enrolment_id, []).append(member)
    activities: list[tuple[int, int]] = []
    if programme.course_id is not None:
        activities = list(
            Activity.objects.filter(
                module__course_id=programme.course_id, required=True
            ).values_list("pk", "module_id")
        )
    rule_now, rule_then = current.as_rule(programme), candidate.as_rule(programme)
    done_now = completion.members_who_completed(
        members, _required(activities, current.required_modules), rule_now
    )
    done_then = completion.members_who_completed(
        members, _required(activities, candidate.required_modules), rule_then
    )
    approved: set[int] = set()
    if statuses and (current.require_project_approval or candidate.require_project_approval):
        project: Any = apps.get_model("lup", "InnovationProject")
        approved = set(
            project.objects.filter(
                enrolment_id__in=list(statuses), review_status=project.Review.APPROVED
            ).values_list("enrolment_id", flat=True)
        )
    meet_now = _units_meeting(teams, done_now, rule_now, approved)
    meet_then = _units_meeting(teams, done_then, rule_then, approved)
    # After saving, the check keeps every stamped participant and stamps those who now meet.
    stamped = {m.pk for m in members if m.status == Participant.Status.COMPLETED}
    after_check = _units_meeting(teams, stamped | done_then, rule_then, approved)
    completed = {pk for pk, status in statuses.items() if status == UnitEnrolment.Status.COMPLETED}
    enrolled = {pk for pk, status in statuses.items() if status == UnitEnrolment.Status.ENROLLED}
    return RulePreview(
        units_checked=len(statuses),
        completed_now=len(completed),
        meet_current_rule=len(meet_now),
        meet_changed_rule=len(meet_then),
        newly_completed=len(enrolled & after_check),
        completed_not_meeting=len(completed - after_check),
    )


def module_choices(programme: Programme) -> QuerySet[Any]:
    """The modules of the programme's curriculum (none without one)."""
    if programme.course_id is None:
        return Module.objects.none()
    return Module.objects.filter(course_id=programme.course_id).order_by("position", "pk")


def tokens_of(organisation: Organisation) -> list[ApiToken]:
    """The organisation's API tokens, newest first, with who created them (one query)."""
    return list(
        ApiToken.objects.filter(organisation=organisation)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def administered_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose tokens the user may see: where they work (all for a
    superuser)."""
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=member_organisations(user))


def modules_outside(programme: Programme, module_ids: Iterable[int]) -> set[int]:
    """Those of `module_ids` that are not modules of the programme's curriculum."""
    wanted = set(module_ids)
    if not wanted:
        return set()
    inside = set(module_choices(programme).filter(pk__in=wanted).values_list("pk", flat=True))
    return wanted - inside
