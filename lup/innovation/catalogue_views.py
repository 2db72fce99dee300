"""HTML views of the catalogue ("stjæl og del"): thin, calling `catalogue`, `sharing` and
`exchange`. Anyone signed in browses published projects; a unit's manager publishes and
withdraws; team members mark reuse; programme administrators import projects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import scoping
from . import catalogue, exchange, prize, sharing
from .catalogue_forms import CatalogueSearchForm, ProjectImportForm, PublishForm, ReuseForm
from .form_errors import add_service_errors
from .models import InnovationProject, ProjectReuse

IMPORT_PERMISSION = "lup.add_innovationproject"


def _story(public_id: Any) -> catalogue.ProjectStory:
    try:
        return catalogue.catalogue_project_detail(public_id=public_id)
    except InnovationProject.DoesNotExist:
        raise Http404 from None


@require_GET
@login_required
def catalogue_search(request: HttpRequest) -> HttpResponse:
    """Published projects, searchable by text and filtered by sector, phase and benefit."""
    form = CatalogueSearchForm(
        request.GET or None, sectors=catalogue.sector_names(), phases=catalogue.phase_choices()
    )
    filters = form.filters() if request.GET else catalogue.CatalogueFilters()
    result = catalogue.search_catalogue(filters=filters, page_number=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "lup/innovation/catalogue_list.html",
        {
            "form": form,
            "result": result,
            "page": result.page,
            "query_string": query.urlencode(),
            "can_import": request.user.has_perm(IMPORT_PERMISSION),
        },
    )


@require_GET
@login_required
def catalogue_project(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A published project's page: story, canvas, benefits, timeline, licence, origin, reuse."""
    story = _story(public_id)
    project = story.project
    user_units = set(sharing.reuse_units_for(request.user).values_list("pk", flat=True))
    own_unit = project.enrolment.unit_id if project.enrolment_id else None  # type: ignore[union-attr]
    return render(
        request,
        "lup/innovation/catalogue_project.html",
        {
            "story": story,
            "project": project,
            "can_reuse": bool(user_units - {own_unit}),
            "my_reuses": [reuse for reuse in story.reuses if reuse.unit_id in user_units],
            "can_publish": scoping.publishable_projects_for(request.user)
            .filter(pk=project.pk)
            .exists(),
            "can_nominate": prize.nominator_programmes(request.user).exists(),
        },
    )


@require_GET
@login_required
def catalogue_print(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The project as a printable page, for another municipality to read and reuse."""
    story = _story(public_id)
    return render(
        request, "lup/innovation/catalogue_print.html", {"story": story, "project": story.project}
    )


@require_GET
@login_required
def catalogue_export_json(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The project as JSON of schema lup-innovation-project/1 (no personal data)."""
    story = _story(public_id)
    project = story.project
    url = request.build_absolute_uri(
        reverse("lup:catalogue-project", kwargs={"public_id": project.public_id})
    )
    response = HttpResponse(
        exchange.export_project_json(project, url=url),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="prosjekt-{project.public_id}.json"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def catalogue_reuse(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Mark that one of the user's units reuses this project, linking its own project."""
    story = _story(public_id)
    source = story.project
    form = ReuseForm(request.POST or None, user=request.user, source=source)
    if not form.fields["unit"].queryset.exists():  # type: ignore[attr-defined]
        raise Http404  # not on any team (or only the project's own)
    if request.method == "POST" and form.is_valid():
        try:
            sharing.mark_reuse(
                source=source,
                unit=form.cleaned_data["unit"],
                project=form.cleaned_data["project"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Marked: your unit reuses this project."))
            return redirect("lup:catalogue-project", public_id=source.public_id)
    return render(
        request,
        "lup/innovation/catalogue_reuse.html",
        {"form": form, "story": story, "project": source},
    )


@require_POST
@login_required
def catalogue_unreuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove one of the user's units' reuse marks."""
    reuse = get_object_or_404(
        ProjectReuse.objects.select_related("source").filter(
            unit__in=sharing.reuse_units_for(request.user).values("pk")
        ),
        pk=pk,
    )
    sharing.unmark_reuse(reuse=reuse, user=request.user)
    messages.success(request, _("The reuse mark was removed."))
    if reuse.source.published_at is None:
        return redirect("lup:catalogue")
    return redirect("lup:catalogue-project", public_id=reuse.source.public_id)


@require_http_methods(["GET", "POST"])
@login_required
def project_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's manager publishes the project with consent and a licence (or sees that it
    is published, and may withdraw it)."""
    project = get_object_or_404(scoping.publishable_projects_for(request.user), pk=pk)
    form = PublishForm(request.POST or None, initial={"licence": project.licence or None})
    if request.method == "POST" and form.is_valid():
        try:
            sharing.publish_project(
                project=project,
                user=request.user,
                licence=form.cleaned_data["licence"],
                consent=form.cleaned_data["consent"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project is published in the catalogue."))
            return redirect("lup:catalogue-project", public_id=project.public_id)
    return render(
        request, "lup/innovation/catalogue_publish.html", {"form": form, "project": project}
    )


@require_POST
@login_required
def project_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's manager takes the project out of the catalogue."""
    project = get_object_or_404(scoping.publishable_projects_for(request.user), pk=pk)
    sharing.withdraw_publication(project=project, user=request.user)
    messages.success(request, _("The project is no longer shared in the catalogue."))
    return redirect("lup:project-publish", pk=project.pk)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def catalogue_import(request: HttpRequest) -> HttpResponse:
    """Programme administrators import a project exported from another municipality."""
    form = ProjectImportForm(request.POST or None, request.FILES or None, user=request.user)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = exchange.import_project_json(
                data=form.cleaned_data["file"].read(),
                organisation=form.cleaned_data["organisation"],
                user=request.user,
            )
        except exchange.ExchangeRejected as rejected:
            errors = rejected.errors
        else:
            messages.success(
                request,
                _("The project was imported.")
                if outcome.created
                else _("The project was imported before: it is updated."),
            )
            return redirect("lup:catalogue-project", public_id=outcome.project.public_id)
    return render(
        request,
        "lup/innovation/catalogue_import.html",
        {"form": form, "errors": errors, "schema": exchange.SCHEMA},
    )
