"""HTML views of the programme: thin, calling selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import certification, permissions, progress, scoping, selectors, services
from .audit import describe_all
from .charts import burn_up_chart
from .excel_csv import write_excel_csv
from .forms import AnonymiseForm
from .innovation import selectors as innovation_selectors
from .models import AuditEvent
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
    return render(request, "lup/cohort_list.html", {"cohorts": cohorts})


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
        },
    )


@require_GET
@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's team in a cohort: its manager and enthusiasts and how far they are."""
    enrolment = get_object_or_404(scoping.enrolments_for(request.user), pk=pk)
    members = list(
        scoping.participants_for(request.user)
        .filter(enrolment=enrolment)
        .order_by("role", "user__last_name", "user__first_name")
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
        },
    )


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
