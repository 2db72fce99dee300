"""The project workspace: a unit team's innovation project, canvas, benefits and reviews.

Thin views. Reading starts from `scoping.projects_for` (out of scope answers 404); every
change starts from `scoping.editable_projects_for` or `reviewable_projects_for`, so people
who may read a project but not change it get 404 on the editing pages and a read-only
project page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions, scoping
from . import selectors, services
from .forms import BenefitForm, CanvasForm, MeasurementForm, PhaseForm, ProjectForm, ReviewForm
from .models import Benefit, CanvasVersion, InnovationProject, ProjectPhase


def _apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: by field where it names one, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _own_projects(queryset: QuerySet[InnovationProject]) -> QuerySet[InnovationProject]:
    # Imported projects have no team to edit them: they are reference material only.
    return queryset.filter(enrolment__isnull=False)


def _editable(request: HttpRequest, pk: int) -> InnovationProject:
    return get_object_or_404(_own_projects(scoping.editable_projects_for(request.user)), pk=pk)


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
            _apply_errors(form, error)
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
    can_edit = project.enrolment_id is not None and permissions.in_scope(
        scoping.editable_projects_for(request.user), project
    )
    can_review = permissions.in_scope(scoping.reviewable_projects_for(request.user), project)
    return render(
        request,
        "lup/innovation/project_detail.html",
        {
            "project": project,
            "page": page,
            "can_edit": can_edit,
            "can_review": can_review,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the project's title, need, audience, idea and team."""
    project = _editable(request, pk)
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
            _apply_errors(form, error)
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
    """Move the project to another phase from a chosen day (default today)."""
    project = _editable(request, pk)
    assert project.enrolment is not None
    phases = ProjectPhase.objects.filter(programme=project.enrolment.cohort.programme)
    if project.phase_id is not None:
        phases = phases.exclude(pk=project.phase_id)
    form = PhaseForm(request.POST or None, phases=phases, auto_id="phase_%s")
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
            _apply_errors(form, error)
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
    project = _editable(request, pk)
    try:
        services.submit_for_review(project=project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The project is submitted for review."))
    return redirect("lup:project-detail", pk=project.pk)


# Canvas


@require_http_methods(["GET", "POST"])
@login_required
def project_canvas(request: HttpRequest, pk: int) -> HttpResponse:
    """The team canvas: read it, and (for the team) edit it as a new version.

    When someone else saved a newer version since this editor opened the page, nothing
    is lost: the editor's text stays in the form, the newer text is shown next to it, and
    the next save builds on the newer version.
    """
    project = get_object_or_404(scoping.projects_for(request.user), pk=pk)
    can_edit = project.enrolment_id is not None and permissions.in_scope(
        scoping.editable_projects_for(request.user), project
    )
    programme = project.enrolment.cohort.programme if project.enrolment else None
    fields = services.canvas_fields(programme)
    latest = (
        CanvasVersion.objects.filter(project=project)
        .select_related("saved_by")
        .order_by("-number")
        .first()
    )
    content = latest.content if latest else {}
    initial: dict[str, Any] = {f"field_{key}": content.get(key, "") for key, _l, _h in fields}
    initial["base_number"] = latest.number if latest else 0
    conflict: CanvasVersion | None = None
    form = None
    if can_edit:
        form = CanvasForm(request.POST or None, fields=fields, initial=initial)
    if request.method == "POST":
        if form is None:
            return redirect("lup:project-canvas", pk=project.pk)  # read-only: nothing to save
        if form.is_valid():
            try:
                version = services.save_canvas(
                    project=project,
                    content=form.content(),
                    base_number=form.cleaned_data["base_number"],
                    saved_by=request.user,  # type: ignore[arg-type]
                )
            except services.CanvasConflict as clash:
                conflict = clash.latest
                # Keep what they wrote, but let the next save build on the newer version.
                data = request.POST.copy()
                data["base_number"] = str(conflict.number)
                form = CanvasForm(data, fields=fields)
                form.is_valid()
                latest = conflict
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                if version is None:
                    messages.info(request, _("Nothing was changed, so no new version was saved."))
                else:
                    messages.success(
                        request,
                        _("The canvas is saved as version %(number)d.")
                        % {"number": version.number},
                    )
                return redirect("lup:project-canvas", pk=project.pk)
    # Each editable field with, after a conflict, the newer version's text to merge with.
    rows = []
    if form is not None:
        newer = conflict.content if conflict is not None else {}
        rows = [
            (bound, newer.get(key, ""))
            for bound, key in zip(form.canvas_fields(), form.canvas_keys, strict=True)
        ]
    return render(
        request,
        "lup/innovation/project_canvas.html",
        {
            "project": project,
            "fields": selectors.compare_canvas(fields, {}, content),
            "latest": latest,
            "form": form,
            "conflict": conflict,
            "rows": rows,
        },
    )


@require_GET
@login_required
def canvas_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every saved version of the canvas: who saved it and when."""
    project = get_object_or_404(scoping.projects_for(request.user), pk=pk)
    return render(
        request,
        "lup/innovation/canvas_history.html",
        {"project": project, "versions": selectors.canvas_history(project)},
    )


@require_GET
@login_required
def canvas_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version, compared field by field with the one before it (or ?compare=N)."""
    project = get_object_or_404(scoping.projects_for(request.user), pk=pk)
    versions = {v.number: v for v in selectors.canvas_history(project)}
    version = versions.get(number)
    if version is None:
        return render(
            request,
            "lup/innovation/canvas_history.html",
            {"project": project, "versions": list(versions.values()), "missing": number},
            status=404,
        )
    compare_param = request.GET.get("compare", "")
    other: CanvasVersion | None
    if compare_param.isdigit() and int(compare_param) in versions:
        other = versions[int(compare_param)]
    else:
        other = versions.get(number - 1)
    programme = project.enrolment.cohort.programme if project.enrolment else None
    comparison = selectors.compare_canvas(
        services.canvas_fields(programme), other.content if other else {}, version.content
    )
    return render(
        request,
        "lup/innovation/canvas_version.html",
        {
            "project": project,
            "version": version,
            "other": other,
            "comparison": comparison,
            "versions": list(versions.values()),
        },
    )


# Benefits


@require_http_methods(["GET", "POST"])
@login_required
def benefit_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an expected benefit with its baseline and target."""
    project = _editable(request, pk)
    form = BenefitForm(request.POST or None, initial={"owner": _("Unit manager")})
    if request.method == "POST" and form.is_valid():
        try:
            benefit = services.add_benefit(project=project, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The benefit is added."))
            return redirect("lup:benefit-detail", pk=benefit.pk)
    return render(request, "lup/innovation/benefit_form.html", {"form": form, "project": project})


def _benefit(request: HttpRequest, pk: int, queryset: QuerySet[InnovationProject]) -> Benefit:
    return get_object_or_404(
        Benefit.objects.select_related("project").filter(project__in=queryset.values("pk")), pk=pk
    )


@require_http_methods(["GET", "POST"])
@login_required
def benefit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a benefit's description, baseline, target or owner."""
    benefit = _benefit(request, pk, _own_projects(scoping.editable_projects_for(request.user)))
    initial = {name: getattr(benefit, name) for name in services.BENEFIT_FIELDS}
    form = BenefitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_benefit(benefit=benefit, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
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
    benefit = _benefit(request, pk, scoping.projects_for(request.user))
    project = get_object_or_404(scoping.projects_for(request.user), pk=benefit.project_id)
    can_edit = project.enrolment_id is not None and permissions.in_scope(
        scoping.editable_projects_for(request.user), project
    )
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
                _apply_errors(form, error)
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
            "can_see_dashboard": request.user.has_perm("lup.view_target_dashboard"),
        },
    )


# Review


@require_http_methods(["GET", "POST"])
@login_required
def project_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Facilitators and programme administrators comment on, approve or return a project."""
    project = get_object_or_404(scoping.reviewable_projects_for(request.user), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_project(
                project=project,
                reviewer=request.user,  # type: ignore[arg-type]
                point=form.cleaned_data["point"],
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                {
                    "approve": _("The project is approved."),
                    "return": _("The project is returned to the team."),
                }.get(review.decision, _("Your comment is saved.")),
            )
            return redirect("lup:project-detail", pk=project.pk)
    return render(
        request,
        "lup/innovation/project_review.html",
        {"form": form, "project": project, "reviews": selectors.reviews_of(project)},
    )
