"""The report pages: a report's rows in the default preset's columns, filtered, sorted and
paged, with the download form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import columns as report_columns
from ..forms import CompletionFilterForm, ExportOptionsForm
from ..models import ReportKind
from ..selectors import report_rows, value_batches
from .base import for_exporters

PAGE_SIZE = 50
FILTER_NAMES = ("programme", "cohort", "sector", "unit", "status", "completed_from", "completed_to")


def _filter_query(request: HttpRequest, **extra: Any) -> str:
    """The current filters (and sort), as a query string for links."""
    params = {name: request.GET[name] for name in (*FILTER_NAMES, "sort") if request.GET.get(name)}
    params.update({key: value for key, value in extra.items() if value})
    return urlencode(params)


def _sorted(
    rows: QuerySet[Any], columns: dict[str, report_columns.Column], sort: str
) -> tuple[QuerySet[Any], str]:
    """The rows in the order `sort` asks for (a column key, `-` first for descending) and
    that order, or as they were and "" when the column is unknown or not sortable."""
    key = sort.removeprefix("-")
    column = columns.get(key)
    if column is None or column.sort is None:
        return rows, ""
    descending = sort.startswith("-")
    return rows.order_by(f"{'-' if descending else ''}{column.sort}", "pk"), sort


def _report_page(request: HttpRequest, report: str) -> HttpResponse:
    filter_form = CompletionFilterForm(request.GET, user=request.user, report=report)
    options_form = ExportOptionsForm(user=request.user, report=report)
    preset = report_columns.default_preset(report)
    columns = preset.resolve()
    page = None
    table: list[list[Any]] = []
    sort = ""
    status = 200
    if filter_form.is_valid():
        rows, sort = _sorted(
            report_rows(report, request.user, filter_form.filters()),
            report_columns.columns_for(report),
            request.GET.get("sort", ""),
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page_rows: Any = page.object_list  # a sliced queryset
        positions, batches = value_batches(
            page_rows,
            report_columns.fields_of(columns),
            report=report,
            with_certificates=any(column.certificates for column in columns),
            batch_size=PAGE_SIZE,
        )
        getters = [column.bind(positions) for column in columns]
        kinds = [column.kind for column in columns]
        for batch in batches:
            table.extend(
                [(get(row), kind) for get, kind in zip(getters, kinds, strict=True)]
                for row in batch
            )
    else:
        status = 400
    headers = [
        {
            "column": column,
            "sort": column.sort is not None,
            "ascending": sort == column.key,
            "descending": sort == f"-{column.key}",
            "query": _filter_query(
                request, sort=f"-{column.key}" if sort == column.key else column.key
            ),
        }
        for column in columns
    ]
    return render(
        request,
        "lup/reporting/report.html",
        {
            "report": report,
            "report_label": ReportKind(report).label,
            "filter_form": filter_form,
            "options_form": options_form,
            "headers": headers,
            "table": table,
            "page": page,
            "filter_query": _filter_query(request),
            "can_save_presets": request.user.has_perm("lup.add_exportpreset"),
        },
        status=status,
    )


@for_exporters()
def participant_report(request: HttpRequest) -> HttpResponse:
    """The completion report, one row per participant: filter, sort, page, download."""
    return _report_page(request, ReportKind.PARTICIPANTS)


@for_exporters()
def unit_report(request: HttpRequest) -> HttpResponse:
    """The completion report, one row per unit enrolment."""
    return _report_page(request, ReportKind.UNITS)
