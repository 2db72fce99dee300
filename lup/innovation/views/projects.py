"""The project's own pages: starting it, reading it, changing what it is about, moving it to
another phase and submitting it for review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ... import permissions, scoping
from .. import selectors, services
from ..form_errors import add_service_errors
from ..forms import BenefitUpdateForm, PhaseForm, ProjectForm
from ..models import InnovationProject, ProjectPhase


@require_http_methods(["GET", "POST"])
@login_required
def project_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the team's project for an enrolment (`pk`); if it has one, go there."""
    enrolment = get_object_or_404(selectors.startable_enrolments_for(request.user), pk=pk)
    existing = InnovationProject.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return redirect("lup:project-detail", pk=existing.pk)
    team = selectors.team_of(enrolment)
    own = team.filter(user=request.user)  # type: ignore[misc]
    form = ProjectForm(request.POST or None, team=team, initial={"members": list(own)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.start_project(
                enrolment=enrolment,
                title=data["title"],
                need=data["need"],
                audience=data["audience"],
                idea=data["idea"],
                members=data["members"],
                started_by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project is started."))
            return redirect("lup:project-detail", pk=project.pk)
    return render(
        request, "lup/innovation/project_form.html", {"form": form, "enrolment": enrolment}
    )


@require_GET
@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The project page: what, who, where it is on the roadmap, benefits and reviews."""
    project = get_object_or_404(scoping.projects_for(request.user), pk=pk)
    page = selectors.project_page(project)
    can_edit = selectors.may_edit_project(request.user, project)
    can_review = permissions.in_scope(scoping.reviewable_projects_for(request.user), project)
    # Sharing needs the unit manager's consent: only they see publish and withdraw.
    can_publish = permissions.in_scope(scoping.publishable_projects_for(request.user), project)
    # After a phase change the team is asked to update each benefit for the phase it left.
    update_forms = [
        (benefit, BenefitUpdateForm(prefix=f"update-{benefit.pk}"))
        for benefit in (page.pending_updates or [])
        if can_edit
    ]
    return render(
        request,
        "lup/innovation/project_detail.html",
        {
            "project": project,
            "page": page,
            "can_edit": can_edit,
            "can_review": can_review,
            "can_publish": can_publish,
            "update_forms": update_forms,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the project's title, need, audience, idea and team."""
    project = get_object_or_404(selectors.editable_own_projects_for(request.user), pk=pk)
    assert project.enrolment is not None
    team = selectors.team_of(project.enrolment)
    form = ProjectForm(request.POST or None, team=team, initial=ProjectForm.initial_from(project))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_project(
                project=project,
                title=data["title"],
                need=data["need"],
                audience=data["audience"],
                idea=data["idea"],
                members=data["members"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project is saved."))
            return redirect("lup:project-detail", pk=project.pk)
    return render(
        request,
        "lup/innovation/project_form.html",
        {"form": form, "project": project, "enrolment": project.enrolment},
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_phase(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the project to another phase from a chosen day (default: the next phase,
    today)."""
    project = get_object_or_404(selectors.editable_own_projects_for(request.user), pk=pk)
    assert project.enrolment is not None
    phases = ProjectPhase.objects.filter(programme=project.enrolment.cohort.programme)
    # Suggest the phase after the current one: a careless "save" moves forward, not back.
    following = phases.order_by("position", "pk")
    if project.phase is not None:
        following = following.filter(position__gt=project.phase.position)
        phases = phases.exclude(pk=project.phase.pk)
    form = PhaseForm(
        request.POST or None,
        phases=phases,
        initial={"phase": following.first()},
        auto_id="phase_%s",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_phase(
                project=project,
                phase=form.cleaned_data["phase"],
                entered_on=form.cleaned_data["entered_on"],
                note=form.cleaned_data["note"],
                changed_by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The project is now in the phase %(phase)s.")
                % {"phase": form.cleaned_data["phase"].name},
            )
            return redirect("lup:project-detail", pk=project.pk)
    return render(request, "lup/innovation/project_phase.html", {"form": form, "project": project})


@require_POST
@login_required
def project_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The team asks for a review."""
    project = get_object_or_404(selectors.editable_own_projects_for(request.user), pk=pk)
    try:
        services.submit_for_review(project=project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The project is submitted for review."))
    return redirect("lup:project-detail", pk=project.pk)
