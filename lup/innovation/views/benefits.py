"""The benefit pages: adding and changing a benefit, recording follow-ups and the update at
the end of a phase, and a programme's benefits rolled up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ... import scoping
from .. import selectors, services
from ..form_errors import add_service_errors
from ..forms import BenefitForm, BenefitUpdateForm, MeasurementForm
from ..models import Benefit, InnovationProject


@require_http_methods(["GET", "POST"])
@login_required
def benefit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an expected benefit with its baseline and target."""
    project = get_object_or_404(selectors.editable_own_projects_for(request.user), pk=pk)
    form = BenefitForm(
        request.POST or None,
        initial={"owner": _("Unit manager")},
        owners=services.owner_candidates(project),
    )
    if request.method == "POST" and form.is_valid():
        try:
            benefit = services.add_benefit(project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The benefit is added."))
            return redirect("lup:benefit-detail", pk=benefit.pk)
    return render(request, "lup/innovation/benefit_form.html", {"form": form, "project": project})


def _benefit(pk: int, projects: QuerySet[InnovationProject]) -> Benefit:
    """The benefit `pk` of one of `projects`, or 404."""
    return get_object_or_404(
        Benefit.objects.select_related("project", "owner_person").filter(
            project__in=projects.values("pk")
        ),
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@login_required
def benefit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a benefit's description, baseline, target or owner."""
    benefit = _benefit(pk, selectors.editable_own_projects_for(request.user))
    initial = {
        name: getattr(benefit, name) for name in (*services.BENEFIT_FIELDS, *services.PLAN_FIELDS)
    }
    form = BenefitForm(
        request.POST or None, initial=initial, owners=services.owner_candidates(benefit.project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_benefit(benefit=benefit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            benefit.refresh_from_db()  # the page header shows the saved benefit, not the rejected
        else:
            messages.success(request, _("The benefit is saved."))
            return redirect("lup:benefit-detail", pk=benefit.pk)
    return render(
        request,
        "lup/innovation/benefit_form.html",
        {"form": form, "project": benefit.project, "benefit": benefit},
    )


@require_http_methods(["GET", "POST"])
@login_required
def benefit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A benefit's chart and measurements; the team records follow-ups here."""
    benefit = _benefit(pk, scoping.projects_for(request.user))
    project = get_object_or_404(scoping.projects_for(request.user), pk=benefit.project_id)
    can_edit = selectors.may_edit_project(request.user, project)
    form = MeasurementForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            return redirect("lup:benefit-detail", pk=benefit.pk)
        if form.is_valid():
            try:
                services.record_measurement(
                    benefit=benefit,
                    measured_on=form.cleaned_data["measured_on"],
                    value=form.cleaned_data["value"],
                    note=form.cleaned_data["note"],
                    recorded_by=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The measurement is recorded."))
                return redirect("lup:benefit-detail", pk=benefit.pk)
    return render(
        request,
        "lup/innovation/benefit_detail.html",
        {
            "project": project,
            "view": selectors.benefit_view(benefit),
            "form": form,
            "can_edit": can_edit,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def benefit_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Update a benefit for the phase the project finished last: the team and the benefit's
    named owner (linked from the reminder) record it here."""
    benefit = get_object_or_404(
        selectors.updatable_benefits_for(request.user).select_related(
            "project__enrolment", "project__organisation"
        ),
        pk=pk,
    )
    phase = services.finished_phase(benefit.project)
    done = phase is not None and benefit.updates.filter(phase=phase).exists()
    form = BenefitUpdateForm(request.POST or None, prefix=f"update-{benefit.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            services.record_benefit_update(
                benefit=benefit,
                value=form.cleaned_data["value"],
                measured_on=form.cleaned_data["measured_on"],
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                recorded_by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The benefit's update is recorded."))
            if selectors.may_edit_project(request.user, benefit.project):
                return redirect("lup:project-detail", pk=benefit.project_id)
            return redirect("lup:benefit-update", pk=benefit.pk)
    return render(
        request,
        "lup/innovation/benefit_update.html",
        {
            "benefit": benefit,
            "project": benefit.project,
            "phase": phase,
            "done": done,
            "form": form,
            "updates": list(benefit.updates.select_related("phase", "recorded_by")),
        },
    )


@require_GET
@login_required
def programme_benefits(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's benefits summed across projects, as reported by the units."""
    programme = get_object_or_404(selectors.benefit_programmes_for(request.user), slug=slug)
    rollup = selectors.benefit_rollup(programme)
    return render(
        request,
        "lup/innovation/programme_benefits.html",
        {
            "programme": programme,
            "rollup": rollup,
            "realisation": selectors.benefit_realisation(programme),
            "can_see_dashboard": request.user.has_perm("lup.view_target_dashboard"),
        },
    )
