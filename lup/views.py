"""HTML views of the programme: thin, calling selectors and services."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors
from .charts import burn_up_chart


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Administrators land on the target dashboard; participants on their own participation."""
    programmes = list(selectors.dashboard_programmes(request.user))
    if len(programmes) == 1:
        return redirect("lup:dashboard", slug=programmes[0].slug)
    return render(
        request,
        "lup/home.html",
        {
            "programmes": programmes,
            "participations": selectors.participations_of(request.user),  # type: ignore[arg-type]
        },
    )


@require_GET
@login_required
@permission_required("lup.view_target_dashboard", raise_exception=True)
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """The target dashboard: units completed against target, burn-up, forecast, breakdowns."""
    programme = get_object_or_404(selectors.dashboard_programmes(request.user), slug=slug)
    progress = selectors.programme_target_progress(programme)
    return render(
        request,
        "lup/dashboard.html",
        {"programme": programme, "progress": progress, "chart": burn_up_chart(progress)},
    )


@require_GET
@login_required
@permission_required("lup.view_target_dashboard", raise_exception=True)
def dashboard_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The dashboard's figures as CSV: UTF-8 with BOM and semicolons, for Norwegian Excel."""
    programme = get_object_or_404(selectors.dashboard_programmes(request.user), slug=slug)
    progress = selectors.programme_target_progress(programme)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{programme.slug}-{progress.today.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("section"),
            _("name"),
            _("date"),
            _("units in scope"),
            _("units in progress"),
            _("units completed"),
            _("target"),
            _("forecast at deadline"),
        ]
    )
    writer.writerow(
        [
            _("total"),
            programme.name,
            progress.today.isoformat(),
            progress.population,
            progress.units_in_progress,
            progress.completed,
            progress.target,
            progress.forecast_at_deadline,
        ]
    )
    for row in progress.by_sector:
        label = row.label or _("Guest units (other organisations)")
        writer.writerow(
            [
                _("sector"),
                label,
                "",
                row.units_in_scope if row.units_in_scope is not None else "",
                row.units_in_progress,
                row.units_completed,
                "",
                "",
            ]
        )
    for row in progress.by_cohort:
        writer.writerow(
            [_("cohort"), row.label, "", "", row.units_in_progress, row.units_completed, "", ""]
        )
    for point in progress.series:
        writer.writerow(
            [_("completed by date"), "", point.day.isoformat(), "", "", point.completed, "", ""]
        )
    return response
