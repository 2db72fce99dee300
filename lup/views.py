"""HTML views of the programme: thin, calling selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import certification, permissions, progress, scoping, selectors, services
from .audit import describe_all
from .charts import burn_up_chart
from .excel_csv import write_excel_csv
from .forms import AnonymiseForm, HandOverForm, TeamInviteForm
from .innovation import selectors as innovation_selectors
from .intake import selectors as intake_selectors
from .models import AuditEvent, Participant, UnitEnrolment
from .notifications import selectors as notification_selectors
from .privacy import anonymise


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Administrators land on the target dashboard; facilitators see their cohorts with
    what waits for them; participants their own participation."""
    programmes = list(scoping.programmes_for(request.user))
    if len(programmes) == 1:
        return redirect("lup:dashboard", slug=programmes[0].slug)
    facilitated = innovation_selectors.with_projects_waiting(
        progress.facilitated_cohorts(request.user, timezone.now())
    )
    return render(
        request,
        "lup/home.html",
        {
            "programmes": programmes,
            "facilitated": list(facilitated),
            "participations": selectors.participations_of(request.user),  # type: ignore[arg-type]
            # Calls open to the person's organisation: a manager applies for their unit.
            "open_calls": list(intake_selectors.open_calls_for(request.user)),
            # Where a signed-in person lands: the unread count (one query; not in the menu,
            # which every page shows).
            "unread_notifications": notification_selectors.unread_count(request.user),
        },
    )


@require_GET
@login_required
@permission_required("lup.view_target_dashboard", raise_exception=True)
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """The target dashboard: units completed against target, burn-up, forecast, breakdowns."""
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    progress = selectors.programme_target_progress(programme)
    can_check = permissions.can_check_completions(request.user, programme)
    return render(
        request,
        "lup/dashboard.html",
        {
            "programme": programme,
            "progress": progress,
            "chart": burn_up_chart(progress),
            # Certificates whose completion was withdrawn: one query, for those who decide.
            "certificate_reviews": certification.reviews_to_decide(request.user, programme),
            # The latest completion check, for the administrators who may start one.
            "completion_check": services.latest_completion_check(programme) if can_check else None,
            "can_check_completions": can_check,
            # Both the completion checks and intake are for the organisation's own
            # administrators: its membership, already asked above, and the permission.
            "can_run_intake": can_check
            and request.user.has_perm(permissions.RUN_INTAKE_PERMISSION),
            # The settings pages (lup.setup), for the organisation's administrators: those
            # who check completions work for it (no query more), and may change the programme.
            "can_change_settings": can_check
            and request.user.has_perm(permissions.CHANGE_PROGRAMME_PERMISSION),
            # People and roles (lup.office.people_views), for the organisation's
            # administrators: works for it (asked above), and may manage its people.
            "can_manage_people": can_check
            and request.user.has_perm(permissions.MANAGE_PEOPLE_PERMISSION),
            # The office's CSV imports (lup.office.imports_views), for the organisation's
            # administrators: works for it (asked above), and holds the import's permissions.
            "can_import_units": can_check
            and permissions.may_import_at_all(request.user, permissions.IMPORT_UNITS_PERMISSIONS),
            "can_import_participants": can_check
            and permissions.may_import_at_all(
                request.user, permissions.IMPORT_PARTICIPANTS_PERMISSIONS
            ),
            # Revoking a certificate by its code, the organisation's privacy details and its
            # retention periods: the same administrators (works for it, asked above).
            "can_revoke_certificates": can_check
            and permissions.may_revoke_certificates(request.user),
            "can_change_organisation_details": can_check
            and request.user.has_perm(permissions.ORGANISATION_DETAILS_PERMISSION),
            "can_set_retention": can_check
            and request.user.has_perm(permissions.RETENTION_PERMISSION),
            # Announcements to all units (lup.announcements): the same administrators.
            "can_announce": can_check and request.user.has_perm(permissions.ANNOUNCE_PERMISSION),
            # The curriculum editor, for those who may edit the programme's course.
            "editable_course_slug": permissions.editable_course_slug(
                request.user, programme.course_id
            ),
            # Examples of the programme's e-mails, for the office that runs it (works for
            # it, asked above; plans its cohorts: lup.permissions.can_plan_cohorts).
            "can_preview_emails": can_check
            and request.user.has_perm(permissions.PLAN_COHORTS_PERMISSION),
            # Where an administrator lands: the unread count (one query).
            "unread_notifications": notification_selectors.unread_count(request.user),
        },
    )


@require_GET
@login_required
@permission_required("lup.view_target_dashboard", raise_exception=True)
def dashboard_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The dashboard's figures as CSV: UTF-8 with BOM and semicolons, for Norwegian Excel."""
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    progress = selectors.programme_target_progress(programme)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{programme.slug}-{progress.today.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    forecast = progress.forecast
    rows: list[list[Any]] = [
        [
            _("section"),
            _("name"),
            _("date"),
            _("units in scope"),
            _("units in progress"),
            _("units completed"),
            _("target"),
            _("forecast at deadline"),
            _("forecast low"),
            _("forecast high"),
            _("units in ended cohorts not closed"),
            _("units behind schedule"),
            _("units withdrawn"),
        ]
    ]
    blank = [""] * 7
    rows.append(
        [
            _("total"),
            programme.name,
            progress.today.isoformat(),
            progress.population,
            progress.units_in_progress,
            progress.completed,
            progress.target,
            forecast.expected,
            forecast.low,
            forecast.high,
            progress.units_in_ended_cohorts,
            progress.units_behind_schedule,
            progress.units_withdrawn,
        ]
    )
    for row in progress.by_sector:
        label = row.label or _("Guest units (other organisations)")
        rows.append(
            [
                _("sector"),
                label,
                "",
                row.units_in_scope if row.units_in_scope is not None else "",
                row.units_in_progress,
                row.units_completed,
                *blank,
            ]
        )
    for row in progress.by_cohort:
        rows.append(
            [
                _("cohort"),
                row.label,
                row.ends_on.isoformat() if row.ends_on else "",
                "",
                row.units_in_progress,
                row.units_completed,
                "",
                row.expected if row.expected is not None else "",
                "",
                "",
                row.units_in_progress if row.needs_closing else "",
                row.units_behind,
                row.units_withdrawn,
            ]
        )
    for point in progress.series:
        rows.append(
            [_("completed by date"), "", point.day.isoformat(), "", "", point.completed, *blank]
        )
    for step in forecast.steps:
        rows.append(
            [
                _("planned by date"),
                ", ".join(step.cohorts),
                step.day.isoformat(),
                "",
                "",
                "",
                "",
                step.expected,
                step.low,
                step.high,
                "",
                "",
                "",
            ]
        )
    write_excel_csv(response, rows)
    return response


@require_GET
@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    """The cohorts the user runs, oversees or takes part in."""
    cohorts = selectors.cohort_overview(scoping.cohorts_for(request.user))
    # The programme office starts new cohorts here (lup.office).
    plannable = [
        programme
        for programme in scoping.programmes_for(request.user)
        if permissions.can_plan_cohorts(request.user, programme)
    ]
    # ... and imports their participants (lup.office.imports_views): the same people, when
    # they hold the import's permissions (no query more).
    imports_participants = permissions.may_import_at_all(
        request.user, permissions.IMPORT_PARTICIPANTS_PERMISSIONS
    )
    return render(
        request,
        "lup/cohort_list.html",
        {
            "cohorts": cohorts,
            "plannable_programmes": plannable,
            "can_import_participants": imports_participants,
        },
    )


@require_GET
@login_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A cohort's gatherings and, for those who may see them, its units' teams."""
    cohort = get_object_or_404(scoping.cohorts_for(request.user), pk=pk)
    teams = selectors.team_overview(
        scoping.enrolments_for(request.user)
        .filter(cohort=cohort)
        .select_related("unit", "moved_to__cohort")
    )
    return render(
        request,
        "lup/cohort_detail.html",
        {
            "cohort": cohort,
            "gatherings": cohort.gatherings.all(),
            "teams": teams,
            "can_follow": permissions.can_follow_cohort(request.user, cohort),
            "can_record_attendance": permissions.can_record_attendance(request.user, cohort),
            # The link is offered when closing would be allowed: a cohort that has started
            # and is open, for the administrators of the organisation that runs it.
            "can_close": permissions.can_close_cohort(request.user, cohort)
            and services.closing_refusal(cohort) is None,
            # The programme office edits the cohort, plans its gatherings and moves units
            # (lup.office), while the cohort is open.
            "can_plan": permissions.can_plan_cohorts(request.user, cohort.programme)
            and not cohort.is_closed,
            # Its facilitators and the programme's office write to the cohort
            # (lup.announcements).
            "can_announce": permissions.can_announce(request.user, cohort.programme, cohort),
        },
    )


@require_GET
@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's team in a cohort: its manager and enthusiasts and how far they are; for its
    manager (and the programme's administrators) the forms that change the team."""
    enrolment = get_object_or_404(scoping.enrolments_for(request.user), pk=pk)
    return _team_page(request, enrolment)


def _team_page(
    request: HttpRequest,
    enrolment: Any,
    *,
    invite_form: TeamInviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    members = list(
        scoping.participants_for(request.user)
        .filter(enrolment=enrolment)
        .order_by("role", "user__last_name", "user__first_name")
    )
    can_manage = (
        permissions.can_manage_team(request.user, enrolment)
        and enrolment.status == UnitEnrolment.Status.ENROLLED
        and not enrolment.cohort.is_closed
    )
    enthusiasts = Participant.objects.current().filter(
        enrolment=enrolment, role=Participant.Role.ENTHUSIAST
    )
    return render(
        request,
        "lup/team_detail.html",
        {
            "enrolment": enrolment,
            "members": members,
            "progress": progress.team_progress(enrolment, members),
            "can_anonymise": request.user.has_perm("lup.anonymise_person"),
            "unit_certificate": certification.unit_certificate(enrolment),
            "can_manage": can_manage,
            # The cohort's facilitators and the programme's office write to the team.
            "can_announce": permissions.can_announce(
                request.user, enrolment.cohort.programme, enrolment.cohort
            ),
            "can_see_barometer": permissions.can_see_team_barometer(request.user, enrolment),
            "size": services.team_size(enrolment) if can_manage else None,
            "invite_form": invite_form or TeamInviteForm(),
            "handover_form": HandOverForm(
                enthusiasts=enthusiasts.select_related("user"), auto_id="handover_%s"
            ),
        },
        status=status,
    )


def _managed_team(request: HttpRequest, pk: int) -> Any:
    """A team in the user's scope (else 404) that they may change (else 403)."""
    enrolment = get_object_or_404(
        scoping.enrolments_for(request.user).select_related("cohort__programme", "unit"), pk=pk
    )
    if not permissions.can_manage_team(request.user, enrolment):
        raise PermissionDenied
    return enrolment


def _member_of(enrolment: Any, participant_pk: int) -> Participant:
    return get_object_or_404(
        Participant.objects.current().select_related("user"),
        pk=participant_pk,
        enrolment=enrolment,
    )


def _name(participant: Participant) -> str:
    return participant.user.get_full_name() or participant.user.email


@require_POST
@login_required
def team_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager puts an enthusiast on the team by their work e-mail."""
    enrolment = _managed_team(request, pk)
    form = TeamInviteForm(request.POST)
    if form.is_valid():
        try:
            participant = services.invite_to_team(
                enrolment=enrolment,
                invited_by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("%(name)s is on the team and has been told by e-mail.")
                % {"name": _name(participant)},
            )
            return redirect("lup:team-detail", pk=enrolment.pk)
    return _team_page(request, enrolment, invite_form=form, status=400)


@require_POST
@login_required
def team_member_remove(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    """The manager takes an enthusiast off the team (refused below the rule's minimum)."""
    enrolment = _managed_team(request, pk)
    member = _member_of(enrolment, participant_pk)
    try:
        services.remove_from_team(participant=member, removed_by=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is no longer on the team.") % {"name": _name(member)})
    return redirect("lup:team-detail", pk=enrolment.pk)


@require_http_methods(["GET", "POST"])
@login_required
def team_member_replace(request: HttpRequest, pk: int, participant_pk: int) -> HttpResponse:
    """The manager puts someone new on the team in place of an enthusiast who leaves."""
    enrolment = _managed_team(request, pk)
    member = _member_of(enrolment, participant_pk)
    form = TeamInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            newcomer = services.replace_in_team(
                participant=member,
                replaced_by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("%(new)s has taken the place of %(old)s on the team.")
                % {"new": _name(newcomer), "old": _name(member)},
            )
            return redirect("lup:team-detail", pk=enrolment.pk)
    return render(
        request,
        "lup/team_replace.html",
        {"enrolment": enrolment, "member": member, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def team_handover(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager hands the manager role to an enthusiast on the team."""
    enrolment = _managed_team(request, pk)
    form = HandOverForm(
        request.POST,
        enthusiasts=Participant.objects.current()
        .filter(enrolment=enrolment, role=Participant.Role.ENTHUSIAST)
        .select_related("user"),
    )
    if not form.is_valid():
        messages.error(request, _("Choose an enthusiast on the team."))
        return redirect("lup:team-detail", pk=enrolment.pk)
    successor = form.cleaned_data["successor"]
    try:
        services.hand_over_manager(enrolment=enrolment, successor=successor, by=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is now the manager of the team.") % {"name": _name(successor)}
        )
    # A manager who handed over is an enthusiast now, who does not see the team page.
    if permissions.in_scope(scoping.enrolments_for(request.user), enrolment):
        return redirect("lup:team-detail", pk=enrolment.pk)
    return redirect("lup:my-programme")


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("lup.anonymise_person", raise_exception=True)
def anonymise_person(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then anonymise a person who has left (their figures stay). The page lists
    exactly what will change (`lup.privacy.anonymise.plan_anonymisation`)."""
    person = get_object_or_404(scoping.people_for(request.user).exclude(pk=request.user.pk), pk=pk)
    participations = (
        scoping.participants_for(request.user)
        .filter(user=person)
        .select_related("enrolment__cohort", "enrolment__unit")
    )
    form = AnonymiseForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            anonymise.anonymise_person(person=person, actor=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The person was anonymised."))
            return redirect("lup:home")
    return render(
        request,
        "lup/anonymise_person.html",
        {
            "person": person,
            "participations": participations,
            "form": form,
            "plan": anonymise.plan_anonymisation(person, request.user),
        },
    )


@require_GET
@login_required
@permission_required("lup.view_auditevent", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Security-relevant events of the user's organisations, newest first, filterable by
    kind, each with its details in sentences (`lup.audit.describe`)."""
    events = scoping.audit_events_for(request.user)
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    else:
        action = ""
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "lup/audit_log.html",
        {
            "page": page,
            "rows": describe_all(page),
            "actions": AuditEvent.Action.choices,
            "selected_action": action,
        },
    )
