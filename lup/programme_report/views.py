"""The programme report's pages: HTML and PDF, for those who see the target dashboard (the
programme's administrators and HR of the organisation that runs it; another organisation's
people do not find the programme: 404; participants and facilitators: 403)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .. import scoping
from ..barometer.charts import share_chart
from ..barometer.selectors import MIN_ANSWERS
from ..charts import burn_up_chart
from ..models import Programme
from . import selectors
from .charts import reuse_graph
from .forms import PeriodForm
from .pdf import render_report_pdf

TEMPLATE = "lup/programme_report/report.html"


def _programme_and_period(
    request: HttpRequest, slug: str
) -> tuple[Programme, PeriodForm, selectors.Period | None]:
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    form = PeriodForm(request.GET)
    return programme, form, form.period_for(programme)


def _bad_period(request: HttpRequest, programme: Programme, form: PeriodForm) -> HttpResponse:
    """Dates that do not make a period: the form with its errors, nothing read."""
    return render(request, TEMPLATE, {"programme": programme, "form": form}, status=400)


@require_GET
@login_required
@permission_required("lup.view_target_dashboard", raise_exception=True)
def programme_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's report for a period (default: its start to today)."""
    programme, form, period = _programme_and_period(request, slug)
    if period is None:
        return _bad_period(request, programme, form)
    report = selectors.programme_report(programme, period)
    return render(
        request,
        TEMPLATE,
        {
            "programme": programme,
            "form": form,
            "report": report,
            "progress": report.progress,
            "chart": burn_up_chart(report.progress),
            "barometer_chart": share_chart(report.barometer.results),
            "min_answers": MIN_ANSWERS,
            "reuse_graph": reuse_graph(report.spreading),
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@login_required
@permission_required("lup.view_target_dashboard", raise_exception=True)
def programme_report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The same report as an A4 PDF, in the page's language."""
    programme, form, period = _programme_and_period(request, slug)
    if period is None:
        return _bad_period(request, programme, form)
    report = selectors.programme_report(programme, period)
    response = HttpResponse(render_report_pdf(report), content_type="application/pdf")
    filename = (
        f"programme-report-{programme.slug}-{period.starts_on.isoformat()}-"
        f"{period.ends_on.isoformat()}.pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
