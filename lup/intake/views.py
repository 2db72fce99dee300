"""Intake's pages: the office's calls, applications and candidates; a unit's application;
a person's own calls and applications. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions, scoping
from ..models import Programme
from . import selectors, services
from .forms import ApplicationForm, CallForm, DecisionForm, SectorLeaderForm
from .models import Application, Call


def _office_programme(request: HttpRequest, slug: str) -> Programme:
    """A programme in the user's scope (else 404) whose intake they run (else 403)."""
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    if not permissions.can_run_intake(request.user, programme):
        raise PermissionDenied
    return programme


def _form_errors(form: Any, error: ValidationError) -> None:
    """Put a service's refusal on the form: on its field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


@require_GET
@login_required
def intake_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """The office's intake: the programme's calls with their counts, the cohorts that could
    open one, and the units that never took part, by sector (the candidates towards the
    target)."""
    programme = _office_programme(request, slug)
    candidates = selectors.candidates_by_sector(programme)
    return render(
        request,
        "lup/intake/overview.html",
        {
            "sectors": list(selectors.sectors_with_leaders(programme)),
            "programme": programme,
            "calls": list(selectors.calls_of(programme)),
            "cohorts_without_call": list(selectors.cohorts_without_call(programme)),
            "candidates": candidates,
            "candidate_count": sum(len(group.units) for group in candidates),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def call_open(request: HttpRequest, slug: str) -> HttpResponse:
    """The office opens a call for one of the programme's coming cohorts."""
    programme = _office_programme(request, slug)
    cohorts = selectors.cohorts_without_call(programme)
    initial = {"cohort": request.GET.get("cohort")} if request.method == "GET" else None
    form = CallForm(
        request.POST if request.method == "POST" else None,
        programme=programme,
        cohorts=cohorts,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            call = services.open_call(opened_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("The call for %(cohort)s is open until %(date)s.")
                % {"cohort": call.cohort.name, "date": form["deadline"].value()},
            )
            return redirect("lup:call-detail", pk=call.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "lup/intake/call_form.html",
        {"programme": programme, "form": form, "call": None},
        status=status,
    )


def _call_in_scope(request: HttpRequest, pk: int) -> Call:
    """A call of a programme the person may see or apply to; anyone else's: 404."""
    call = get_object_or_404(Call.objects.select_related("cohort__programme__organisation"), pk=pk)
    programme = call.cohort.programme
    if not (
        permissions.can_run_intake(request.user, programme)
        or permissions.may_apply(request.user, programme)
    ):
        raise Http404  # another organisation's: not even whether it exists
    return call


@require_http_methods(["GET", "POST"])
@login_required
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The office changes a call's places, deadline, who may apply and its message."""
    call = _call_in_scope(request, pk)
    programme = call.cohort.programme
    if not permissions.can_run_intake(request.user, programme):
        raise PermissionDenied
    initial = {
        "capacity": call.capacity,
        "deadline": call.deadline,
        "sectors": list(call.sectors.all()),
        "units": list(call.units.all()),
        "message": call.message,
    }
    form = CallForm(
        request.POST if request.method == "POST" else None, programme=programme, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_call(call=call, changed_by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The call is saved."))
            return redirect("lup:call-detail", pk=call.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "lup/intake/call_form.html",
        {"programme": programme, "form": form, "call": call},
        status=status,
    )


@require_GET
@login_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A call: for the office, its applications with their units' history and the decisions;
    for the organisation's people, what the call offers and how to apply."""
    call = _call_in_scope(request, pk)
    programme = call.cohort.programme
    office = permissions.can_run_intake(request.user, programme)
    counts = call.applications.aggregate(
        accepted=Count("pk", filter=Q(status="accepted")),
        waiting=Count("pk", filter=Q(status="waiting")),
        pending=Count("pk", filter=Q(status="pending")),
    )
    context: dict[str, Any] = {
        "call": call,
        "programme": programme,
        "office": office,
        "counts": counts,
        "taken": (taken := selectors.places_taken(call.cohort_id)),
        "places_left": max(call.capacity - taken, 0),
        "is_open": call.is_open(),
        "invited": (
            list(call.sectors.order_by("name")),
            list(call.units.order_by("name")),
        ),
    }
    if office:
        context["rows"] = selectors.applications_for_office(call)
        context["decision_form"] = DecisionForm()
    return render(request, "lup/intake/call_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def call_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's manager applies with the team they propose; a sector's leader nominates one
    of its units, naming its manager."""
    call = _call_in_scope(request, pk)
    if not permissions.may_apply(request.user, call.cohort.programme):
        raise PermissionDenied
    if not call.is_open():
        messages.error(
            request, _("The call for %(cohort)s is closed.") % {"cohort": call.cohort.name}
        )
        return redirect("lup:call-detail", pk=call.pk)
    units = selectors.units_to_apply_for(call, request.user)
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        units=units,
        initial={"manager_email": request.user.email},  # type: ignore[union-attr]
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.apply_to_call(
                call=call,
                unit=form.cleaned_data["unit"],
                sent_by=request.user,  # type: ignore[arg-type]
                motivation=form.cleaned_data["motivation"],
                enthusiasts=form.enthusiast_lines(),
                manager_email=form.cleaned_data["manager_email"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("The application of %(unit)s is sent. You have a receipt by e-mail.")
                % {"unit": application.unit.name},
            )
            return redirect("lup:my-applications")
    status = 400 if request.method == "POST" else 200
    return render(request, "lup/intake/apply.html", {"call": call, "form": form}, status=status)


@require_POST
@login_required
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The office accepts an application, puts it on the waiting list, or declines it."""
    application = get_object_or_404(
        Application.objects.select_related("call__cohort__programme", "unit"), pk=pk
    )
    programme = application.call.cohort.programme
    if not permissions.can_run_intake(request.user, programme):
        if permissions.may_apply(request.user, programme):
            raise PermissionDenied
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("lup:call-detail", pk=application.call_id)
    action = {
        "accept": services.accept_application,
        "wait": services.wait_list_application,
        "decline": services.decline_application,
    }[form.cleaned_data["decision"]]
    try:
        action(application=application, by=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(
            request,
            _("%(unit)s: %(reason)s")
            % {"unit": application.unit.name, "reason": " ".join(error.messages)},
        )
    else:
        done = {
            "accept": _("%(unit)s has a place; its team is enrolled and told."),
            "wait": _("%(unit)s is on the waiting list and has been told."),
            "decline": _("%(unit)s is declined and has been told."),
        }[form.cleaned_data["decision"]]
        messages.success(request, done % {"unit": application.unit.name})
    return redirect("lup:call-detail", pk=application.call_id)


@require_POST
@login_required
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The sender or the unit's manager withdraws an undecided application."""
    application = get_object_or_404(Application.objects.select_related("unit"), pk=pk)
    if not permissions.sent_or_named_in(request.user, application):
        raise Http404
    try:
        services.withdraw_application(application=application, by=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The application of %(unit)s is withdrawn.") % {"unit": application.unit.name},
        )
    return redirect("lup:my-applications")


@require_GET
@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    """The calls open to the person's organisation, and the applications they sent or that
    name them as the unit's manager, with what was decided."""
    applications = list(selectors.applications_of(request.user))
    positions = selectors.waiting_positions(applications)
    for application in applications:
        application.position = positions.get(application.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "lup/intake/my_applications.html",
        {
            "open_calls": list(selectors.open_calls_for(request.user)),
            "applications": applications,
        },
    )


def _office_sector(request: HttpRequest, slug: str, sector_pk: int) -> tuple[Programme, Any]:
    programme = _office_programme(request, slug)
    sector = get_object_or_404(selectors.sectors_with_leaders(programme), pk=sector_pk)
    return programme, sector


@require_POST
@login_required
def sector_leader_add(request: HttpRequest, slug: str, sector_pk: int) -> HttpResponse:
    """The office names a sector's leader by work e-mail (they may nominate its units)."""
    programme, sector = _office_sector(request, slug, sector_pk)
    form = SectorLeaderForm(request.POST)
    if form.is_valid():
        try:
            person = services.add_sector_leader(
                sector=sector,
                email=form.cleaned_data["email"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(email)s leads %(sector)s and may nominate its units.")
                % {"email": person.email, "sector": sector.name},
            )
    else:
        messages.error(request, _("Enter a valid e-mail address."))
    return redirect(reverse("lup:intake", kwargs={"slug": programme.slug}) + "#sector-leaders")


@require_POST
@login_required
def sector_leader_remove(
    request: HttpRequest, slug: str, sector_pk: int, user_pk: int
) -> HttpResponse:
    """The office takes a leader off a sector."""
    programme, sector = _office_sector(request, slug, sector_pk)
    person = get_object_or_404(sector.leaders.all(), pk=user_pk)
    services.remove_sector_leader(sector=sector, person=person, by=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        _("%(email)s no longer leads %(sector)s.") % {"email": person.email, "sector": sector.name},
    )
    return redirect(reverse("lup:intake", kwargs={"slug": programme.slug}) + "#sector-leaders")
