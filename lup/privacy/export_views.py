"""A person's own data on the site: the page "Your data", its JSON download, and archives
with their files (asked for here, built in the background, downloaded by their owner).

Everything comes from `export.personal_data_of`, so the page, the download, the archive
and the API (`lup.api.personal_data`) show the same rows. Downloads are written to the
audit log. `own_data_urlpatterns` is included by `lup/urls.py` under `lup:`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import app_settings
from ..audit import record_event
from ..models import AuditEvent
from .archive import archives_of, downloadable_archive, expires_at, is_downloadable
from .export import personal_data_of, to_json
from .models import PersonalDataExport
from .register import OnAnonymise
from .services import ArchiveAlreadyRequested, request_archive
from .storage import archive_storage

# Rows of each model the page shows; the download and the archive have them all.
PAGE_ROWS = 5
# Characters of a long value the page shows (a statement, a text answer).
CELL_CHARACTERS = 80


def download_name(extension: str) -> str:
    """The name a download of one's own data is saved under."""
    return f"mine-data-{timezone.localdate().isoformat()}.{extension}"


@require_GET
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the platform holds about the signed-in person, readable: each category
    with its models' newest rows and counts, and the person's archives."""
    data = personal_data_of(request.user, rows_per_model=PAGE_ROWS)
    sections = readable_sections(data)
    now = timezone.now()
    return render(
        request,
        "lup/my_data.html",
        {
            "data": data,
            "sections": [section for section in sections if section.count],
            "empty_sections": [section for section in sections if not section.count],
            "archives": [
                ArchiveRow(record, expires_at(record), is_downloadable(record, now))
                for record in archives_of(request.user)
            ],
            "archive_days": app_settings.PERSONAL_EXPORT_DAYS(),
        },
    )


@require_GET
@login_required
def my_data_json(request: HttpRequest) -> HttpResponse:
    """Everything as a JSON download (docs/personal-data-export.md); audited."""
    data = personal_data_of(request.user)
    record_event(
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED, subject=request.user, format="json"
    )
    response = HttpResponse(to_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name("json")}"'
    return response


@require_POST
@login_required
def my_data_archive_request(request: HttpRequest) -> HttpResponse:
    """Ask for an archive with one's files; it is built in the background and listed on
    the page with a download link when ready."""
    try:
        record = request_archive(person=request.user)
    except ArchiveAlreadyRequested as refused:
        messages.warning(request, refused.messages[0])
    else:
        record.refresh_from_db()  # built already when tasks run inline
        if record.status == PersonalDataExport.Status.READY:
            messages.success(request, _("Your archive is ready: download it below."))
        elif record.status == PersonalDataExport.Status.FAILED:
            messages.error(request, _("Your archive could not be prepared. Please try again."))
        else:
            messages.success(
                request,
                _(
                    "We are preparing your archive. Reload this page in a little while to "
                    "download it."
                ),
            )
    return redirect(reverse("lup:my-data") + "#archives")


@require_GET
@login_required
def my_data_archive(request: HttpRequest, public_id: Any) -> FileResponse:
    """Download one's own archive (404 for anyone else's, or one not ready or expired)."""
    record = downloadable_archive(request.user, public_id)
    if record is None:
        raise Http404
    try:
        stream = archive_storage().open(record.archive_name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    record_event(
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED, subject=request.user, format="zip"
    )
    return FileResponse(
        stream, as_attachment=True, filename=download_name("zip"), content_type="application/zip"
    )


own_data_urlpatterns = [
    path("me/data/", my_data, name="my-data"),
    path("me/data.json", my_data_json, name="my-data-json"),
    path("me/data/archives/", my_data_archive_request, name="my-data-archive-request"),
    path("me/data/archives/<uuid:public_id>/", my_data_archive, name="my-data-archive"),
]


# Reading the export on the page.


@dataclass(frozen=True)
class ArchiveRow:
    record: PersonalDataExport
    expires_at: dt.datetime | None
    downloadable: bool


@dataclass(frozen=True)
class ModelSection:
    label: str
    purpose: str
    on_anonymise: str
    count: int
    columns: list[str]
    rows: list[list[str]]

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


@dataclass(frozen=True)
class CategorySection:
    key: str
    label: str
    models: list[ModelSection]

    @property
    def count(self) -> int:
        return sum(model.count for model in self.models)


def readable_sections(data: dict[str, Any]) -> list[CategorySection]:
    """The export's categories as headings and tables, values as people read them."""
    anonymise_labels = {choice.value: str(choice.label) for choice in OnAnonymise}
    sections = []
    for key, category in data["categories"].items():
        model_sections = []
        for label, model_export in category["models"].items():
            model = apps.get_model(label)
            names = list(model_export["fields"])
            fields = {name: model._meta.get_field(name) for name in names}
            model_sections.append(
                ModelSection(
                    label=model_export["label"],
                    purpose=model_export["purpose"],
                    on_anonymise=anonymise_labels.get(model_export["on_anonymise"], ""),
                    count=model_export["count"],
                    columns=list(model_export["fields"].values()),
                    rows=[
                        [
                            _cell(fields[name], row.get(name), name in model_export["files"])
                            for name in names
                        ]
                        for row in model_export["rows"]
                    ],
                )
            )
        sections.append(CategorySection(key, category["label"], model_sections))
    return sections


def _cell(field: Any, value: Any, is_file: bool) -> str:
    """One value as a short text in the reader's language and time zone."""
    if value is None or value == "" or value == []:
        return "–"
    if is_file:
        return str(value).rsplit("/", 1)[-1]
    if field.many_to_many:
        return ", ".join(f"#{item}" for item in value)
    if field.is_relation:
        return f"#{value}"
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    try:
        if isinstance(field, models.DateTimeField):
            moment = timezone.localtime(dt.datetime.fromisoformat(value))
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        if isinstance(field, models.DateField):
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        pass
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return Truncator(str(value)).chars(CELL_CHARACTERS)
