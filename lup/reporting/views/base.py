"""What HR's report pages share: who may open them, and the pages every saved thing has
(its permissions shown on the list, a confirmation before deleting it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import columns as report_columns
from ..models import ReportKind
from ..safeguards import EXPORT_PERMISSION

FORM_METHODS = ("GET", "POST")  # a form page: shown, then posted

View = TypeVar("View", bound=Callable[..., Any])


def for_exporters(*permissions: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    """A page of HR's reports: signed in, allowed to export completions (and to have the
    extra `permissions`, such as changing presets), asked with one of `methods`."""

    def decorate(view: View) -> View:
        checked = permission_required([EXPORT_PERMISSION, *permissions], raise_exception=True)(view)
        return require_http_methods(list(methods))(login_required(checked))

    return decorate


def model_permissions(user: Any, model_name: str) -> dict[str, bool]:
    """What a list page offers for one of lup's models: adding, changing, deleting."""
    return {
        f"can_{action}": user.has_perm(f"lup.{action}_{model_name}")
        for action in ("add", "change", "delete")
    }


def column_sets() -> list[tuple[Any, list[report_columns.Column]]]:
    """Every report's label and columns, for the pages that explain column keys."""
    return [
        (ReportKind(report).label, list(report_columns.columns_for(report).values()))
        for report in ReportKind.values
    ]


def confirm_delete(
    request: HttpRequest,
    saved: Model,
    *,
    title: str,
    deleted: str,
    list_url: str,
    warning: Callable[[], str] = str,
) -> HttpResponse:
    """Ask before deleting `saved` (GET, with the `warning`, if any), delete it (POST) and
    go back to the list."""
    if request.method == "POST":
        saved.delete()
        messages.success(request, deleted)
        return redirect(list_url)
    return render(
        request,
        "lup/reporting/confirm_delete.html",
        {"object": saved, "title": title, "warning": warning(), "cancel_url": list_url},
    )
