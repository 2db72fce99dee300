"""The team canvas's pages: reading and editing it, its history and comparing versions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ... import scoping
from .. import selectors, services
from ..form_errors import add_service_errors
from ..forms import CanvasForm
from ..models import CanvasVersion


@require_http_methods(["GET", "POST"])
@login_required
def project_canvas(request: HttpRequest, pk: int) -> HttpResponse:
    """The team canvas: read it, and (for the team) edit it as a new version.

    When someone else saved a newer version since this editor opened the page, nothing
    is lost: the editor's text stays in the form, the newer text is shown next to it, and
    the next save builds on the newer version.
    """
    project = get_object_or_404(scoping.projects_for(request.user), pk=pk)
    can_edit = selectors.may_edit_project(request.user, project)
    fields = services.canvas_fields(project.programme)
    latest = selectors.latest_canvas(project)
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
                add_service_errors(form, error)
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
    comparison = selectors.compare_canvas(
        services.canvas_fields(project.programme), other.content if other else {}, version.content
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
