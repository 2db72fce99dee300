"""The office's CSV import pages: an organisation's service units and a programme's
participants, checked ("Check only": nothing is written) or imported, with every problem of a
rejected file listed by line; and an example file of each.

Thin views: the organisation or programme is found in the person's scope (out of scope
answers 404), `lup.permissions.can_import_units` / `can_import_participants` decide (in
scope but not allowed answers 403; those without the import's permissions are refused
before anything is looked up), and `lup.office.csv_imports` checks or imports.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import imports, permissions, scoping
from ..models import Organisation, Programme
from . import csv_imports
from .import_forms import IMPORT, CsvImportForm, ParticipantImportForm, UnitImportForm


def _refuse_unless_may_import(request: HttpRequest, wanted: tuple[str, ...]) -> None:
    if not permissions.may_import_at_all(request.user, wanted):
        raise PermissionDenied


def _unit_organisation(request: HttpRequest, slug: str) -> Organisation:
    _refuse_unless_may_import(request, permissions.IMPORT_UNITS_PERMISSIONS)
    organisation = get_object_or_404(csv_imports.unit_import_organisations(request.user), slug=slug)
    if not permissions.can_import_units(request.user, organisation.pk):
        raise PermissionDenied
    return organisation


def _participant_programme(request: HttpRequest, slug: str) -> Programme:
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    if not permissions.can_import_participants(request.user, programme):
        raise PermissionDenied
    return programme


def _import_page(
    request: HttpRequest,
    form: CsvImportForm,
    run: Any,
    context: dict[str, Any],
) -> HttpResponse:
    """Check or import the posted file with `run(data, dry_run=...)`; the page again with
    what a check found or every problem, or (imported) back to the page with the result."""
    rejected: list[imports.RowError] = []
    checked = None
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != IMPORT
        try:
            result = run(form.file_data(), dry_run=dry_run)
        except imports.ImportRejected as rejection:
            rejected = rejection.errors
        else:
            if dry_run:
                checked = result
            else:
                messages.success(request, _("Import finished: %(result)s") % {"result": result})
                return redirect(request.path)
    return render(
        request,
        "lup/office/csv_import.html",
        {**context, "form": form, "rejected": rejected, "checked": checked},
        status=400 if form.errors or rejected else 200,
    )


def _csv_download(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def unit_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Import an organisation's service units from CSV (or only check the file)."""
    organisation = _unit_organisation(request, slug)
    form = UnitImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )

    def run(data: bytes, *, dry_run: bool) -> imports.ImportResult:
        return csv_imports.check_or_import_units(
            data=data,
            organisation=organisation,
            create_sectors=form.cleaned_data["create_sectors"],
            dry_run=dry_run,
            actor=request.user,
        )

    return _import_page(
        request,
        form,
        run,
        {
            "kind": "units",
            "organisation": organisation,
            "columns": csv_imports.UNIT_IMPORT_COLUMNS,
            "template_url": reverse("lup:office-unit-import-template", kwargs={"slug": slug}),
        },
    )


@require_GET
@login_required
def unit_import_template(request: HttpRequest, slug: str) -> HttpResponse:
    """The example units file: the columns and one row."""
    organisation = _unit_organisation(request, slug)
    return _csv_download(csv_imports.unit_example_file(organisation), "enheter.csv")


@require_http_methods(["GET", "POST"])
@login_required
def participant_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Import a programme's participants from CSV (or only check the file)."""
    programme = _participant_programme(request, slug)
    form = ParticipantImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )

    def run(data: bytes, *, dry_run: bool) -> imports.ImportResult:
        return csv_imports.check_or_import_participants(
            data=data, programme=programme, dry_run=dry_run, actor=request.user
        )

    return _import_page(
        request,
        form,
        run,
        {
            "kind": "participants",
            "programme": programme,
            "organisation": programme.organisation,
            "columns": csv_imports.PARTICIPANT_IMPORT_COLUMNS,
            "template_url": reverse(
                "lup:office-participant-import-template", kwargs={"slug": slug}
            ),
        },
    )


@require_GET
@login_required
def participant_import_template(request: HttpRequest, slug: str) -> HttpResponse:
    """The example participants file: the columns and one row."""
    programme = _participant_programme(request, slug)
    return _csv_download(csv_imports.participant_example_file(programme), "deltakere.csv")
