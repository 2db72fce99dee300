"""The programme office's pages: a new cohort, a cohort's details and facilitators, its
gatherings planned, changed and cancelled, and a unit moved to another running cohort.

Thin views: they find the object through `lup.scoping` (out of scope answers 404), ask
`lup.permissions.can_plan_cohorts` (in scope but not the office answers 403), then call a
service of `lup.office.services`. A refused or invalid form comes back with its errors
(400) and nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import permissions, scoping
from ..models import Cohort, Gathering, Programme, UnitEnrolment
from . import selectors, services
from .forms import CohortForm, GatheringForm, MoveUnitForm


def _office_programme(request: HttpRequest, slug: str) -> Programme:
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    if not permissions.can_plan_cohorts(request.user, programme):
        raise PermissionDenied
    return programme


def _office_cohort(request: HttpRequest, pk: int) -> Cohort:
    cohort = get_object_or_404(
        scoping.cohorts_for(request.user).select_related("programme__organisation"), pk=pk
    )
    if not permissions.can_plan_cohorts(request.user, cohort.programme):
        raise PermissionDenied
    return cohort


def _office_gathering(request: HttpRequest, pk: int) -> Gathering:
    gathering = get_object_or_404(
        Gathering.objects.select_related("cohort__programme__organisation", "activity").filter(
            cohort__in=scoping.cohorts_for(request.user).values("pk")
        ),
        pk=pk,
    )
    if not permissions.can_plan_cohorts(request.user, gathering.cohort.programme):
        raise PermissionDenied
    return gathering


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@login_required
def cohort_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A new cohort of the programme, with its facilitators."""
    programme = _office_programme(request, slug)
    form = CohortForm(_posted(request), candidates=selectors.facilitator_candidates(programme))
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.create_cohort(
                programme=programme,
                by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(cohort)s is created.") % {"cohort": cohort.name})
            return redirect("lup:cohort-detail", pk=cohort.pk)
    return render(
        request,
        "lup/office/cohort_form.html",
        {"programme": programme, "cohort": None, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an open cohort's name, days and facilitators."""
    cohort = _office_cohort(request, pk)
    initial = {
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "facilitators": [person.pk for person in cohort.facilitators.all()],
    }
    form = CohortForm(
        _posted(request),
        initial=initial,
        candidates=selectors.facilitator_candidates(cohort.programme, cohort),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_cohort(
                cohort=cohort,
                by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(cohort)s is saved.") % {"cohort": cohort.name})
            return redirect("lup:cohort-detail", pk=cohort.pk)
    elif request.method == "POST" and cohort.is_closed:
        form.add_error(
            None, _("%(cohort)s is closed and can no longer be changed.") % {"cohort": cohort.name}
        )
    return render(
        request,
        "lup/office/cohort_form.html",
        {"programme": cohort.programme, "cohort": cohort, "form": form},
        status=400 if form.errors else 200,
    )


def _gathering_page(
    request: HttpRequest, cohort: Cohort, form: GatheringForm, gathering: Gathering | None
) -> HttpResponse:
    return render(
        request,
        "lup/office/gathering_form.html",
        {"cohort": cohort, "gathering": gathering, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def gathering_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan a gathering of an open cohort: when, where and what."""
    cohort = _office_cohort(request, pk)
    form = GatheringForm(
        _posted(request),
        initial={"kind": Gathering.Kind.SESSION},
        activities=services.attendance_activities(cohort.programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            gathering = services.plan_gathering(
                cohort=cohort,
                by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("%(title)s is planned.") % {"title": gathering.title})
            return redirect("lup:cohort-detail", pk=cohort.pk)
    return _gathering_page(request, cohort, form, None)


@require_http_methods(["GET", "POST"])
@login_required
def gathering_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a gathering of an open cohort."""
    gathering = _office_gathering(request, pk)
    cohort = gathering.cohort
    form = GatheringForm(
        _posted(request),
        initial={
            "title": gathering.title,
            "kind": gathering.kind,
            "starts_at": gathering.starts_at,
            "ends_at": gathering.ends_at,
            "place": gathering.place,
            "agenda": gathering.agenda,
            "activity": gathering.activity_id,
        },
        activities=services.attendance_activities(cohort.programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_gathering(
                gathering=gathering,
                by=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, _("%(title)s is saved.") % {"title": form.cleaned_data["title"]}
            )
            return redirect("lup:cohort-detail", pk=cohort.pk)
    return _gathering_page(request, cohort, form, gathering)


@require_http_methods(["GET", "POST"])
@login_required
def gathering_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then cancel a gathering that has no attendance recorded."""
    gathering = _office_gathering(request, pk)
    refusal = services.cancelling_refusal(gathering)
    error = None
    if request.method == "POST":
        try:
            services.cancel_gathering(gathering=gathering, by=request.user)  # type: ignore[arg-type]
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("%(title)s is cancelled.") % {"title": gathering.title})
            return redirect("lup:cohort-detail", pk=gathering.cohort_id)
    return render(
        request,
        "lup/office/gathering_cancel.html",
        {"gathering": gathering, "cohort": gathering.cohort, "refusal": refusal, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a unit still enrolled to another open cohort of the programme now, with its
    team, their attendance and its project."""
    enrolment = get_object_or_404(
        scoping.enrolments_for(request.user).select_related("unit", "cohort__programme"), pk=pk
    )
    if not permissions.can_plan_cohorts(request.user, enrolment.cohort.programme):
        raise PermissionDenied
    cohort = enrolment.cohort
    movable = enrolment.status == UnitEnrolment.Status.ENROLLED and not cohort.is_closed
    form = MoveUnitForm(_posted(request), targets=selectors.move_targets(enrolment))
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["to_cohort"]
        try:
            services.move_unit(enrolment=enrolment, to_cohort=target, by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(unit)s moved to %(cohort)s with its team, their attendance and its project.")
                % {"unit": enrolment.unit.name, "cohort": target.name},
            )
            return redirect("lup:cohort-detail", pk=cohort.pk)
    return render(
        request,
        "lup/office/unit_move.html",
        {"enrolment": enrolment, "cohort": cohort, "form": form, "movable": movable},
        status=400 if form.errors else 200,
    )
