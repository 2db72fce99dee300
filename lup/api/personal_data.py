"""A person's own data in the API, as on the page "Your data": the JSON export, and
archives with their files (asked for, built in the background, downloaded by their owner).

Only the person signed in (a session) gets their data: an API token acts for a system, not
for a person, so these endpoints refuse tokens (403) rather than hand out the token's
service account or anyone else. Another person's archive is as unknown as one that never
existed (404). Exports and downloads are written to the audit log, as on the page.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import permissions, serializers, status
from rest_framework.decorators import permission_classes, renderer_classes
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ..audit import record_event
from ..models import AuditEvent
from ..privacy.archive import archives_of, downloadable_archive, expires_at, is_downloadable
from ..privacy.export import FORMAT, personal_data_of
from ..privacy.models import PersonalDataExport
from ..privacy.services import ArchiveAlreadyRequested, request_archive
from ..privacy.storage import archive_storage
from ..reporting.models import ApiToken
from .base import api_view, extend_schema, is_uuid
from .permissions import TokenScope

ARCHIVE_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The archive's id."
)


class SignedInPerson(permissions.BasePermission):
    """The person signed in themself: a session, not an API token."""

    message = gettext_lazy(
        "Personal data is given only to the person it is about, signed in on the site. "
        "API tokens act for systems and cannot fetch it."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and not isinstance(request.auth, ApiToken)
        )


# The person check first, so a token hears why it is refused (not that its scope is short).
PERSON_ONLY = [permissions.IsAuthenticated, SignedInPerson, TokenScope]


class ZipRenderer(BaseRenderer):
    """Lets a client ask for `application/zip`; errors are still written as JSON."""

    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: Any = None, context: Any = None) -> Any:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class ArchiveSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.ChoiceField(
        choices=[*PersonalDataExport.Status.values, "expired"],
        help_text=gettext_lazy(
            "queued: being prepared; ready: can be downloaded; failed: ask again; "
            "expired: no longer available."
        ),
    )
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text=gettext_lazy("Until when a ready archive can be downloaded.")
    )
    size = serializers.IntegerField(help_text=gettext_lazy("The archive's size in bytes."))
    rows = serializers.IntegerField(help_text=gettext_lazy("Rows of data in the archive."))
    download_url = serializers.URLField(
        allow_null=True, help_text=gettext_lazy("Where to download it, while it is ready.")
    )


class PendingArchiveSerializer(serializers.Serializer):
    detail = serializers.CharField()
    archive = ArchiveSerializer()


def _archive(request: Request, record: PersonalDataExport) -> dict[str, Any]:
    downloadable = is_downloadable(record)
    expired = record.status == PersonalDataExport.Status.READY and not downloadable
    url = reverse("lup-api:personal-data-archive-download", args=[record.public_id])
    return ArchiveSerializer(
        {
            "public_id": record.public_id,
            "status": "expired" if expired else record.status,
            "requested_at": record.requested_at,
            "finished_at": record.finished_at,
            "expires_at": expires_at(record),
            "size": record.size,
            "rows": record.rows,
            "download_url": request.build_absolute_uri(url) if downloadable else None,
        }
    ).data


def _own_archive(request: Request, id: str) -> PersonalDataExport:
    if not is_uuid(id):
        raise Http404  # not an id: as absent as someone else's archive
    record = PersonalDataExport.objects.filter(user_id=request.user.pk, public_id=id).first()
    if record is None:
        raise Http404
    return record


@extend_schema(
    summary="Everything stored about you",
    description=(
        f"Every row the platform holds about the signed-in person, in the format `{FORMAT}` "
        "(docs/personal-data-export.md). Signed-in sessions only: API tokens get 403. "
        "Written to the audit log."
    ),
    responses={200: OpenApiTypes.OBJECT},
    tags=["me"],
)
@api_view(["GET"])
@permission_classes(PERSON_ONLY)
def personal_data(request: Request) -> Response:
    data = personal_data_of(request.user)
    record_event(
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED, subject=request.user, format="json"
    )
    return Response(data)


@extend_schema(
    methods=["GET"],
    summary="Your archives of your own data",
    responses={200: ArchiveSerializer(many=True)},
    tags=["me"],
)
@extend_schema(
    methods=["POST"],
    summary="Ask for an archive of your data with your files",
    description=(
        "Prepares a ZIP with your data (data.json), a description (README.txt) and your "
        "files in the background: 202 with its status; follow it until it is ready. "
        "While one is being prepared, another is refused with 409."
    ),
    request=None,
    responses={202: ArchiveSerializer, 409: PendingArchiveSerializer},
    tags=["me"],
)
@api_view(["GET", "POST"])
@permission_classes(PERSON_ONLY)
def personal_data_archives(request: Request) -> Response:
    if request.method == "GET":
        return Response([_archive(request, record) for record in archives_of(request.user)])
    try:
        record = request_archive(person=request.user)
    except ArchiveAlreadyRequested as refused:
        return Response(
            {"detail": refused.messages[0], "archive": _archive(request, refused.pending)},
            status=status.HTTP_409_CONFLICT,
        )
    record.refresh_from_db()  # built already when tasks run inline
    return Response(_archive(request, record), status=status.HTTP_202_ACCEPTED)


@extend_schema(
    summary="One of your archives",
    parameters=[ARCHIVE_PARAMETER],
    responses={200: ArchiveSerializer},
    tags=["me"],
)
@api_view(["GET"])
@permission_classes(PERSON_ONLY)
def personal_data_archive(request: Request, id: str) -> Response:
    return Response(_archive(request, _own_archive(request, id)))


@extend_schema(
    summary="Download one of your archives",
    description="The ZIP file, while it is ready (404 before, after it expired, or for "
    "someone else's). Written to the audit log.",
    parameters=[ARCHIVE_PARAMETER],
    responses={
        (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The ZIP.")
    },
    tags=["me"],
)
@api_view(["GET"])
@permission_classes(PERSON_ONLY)
@renderer_classes([JSONRenderer, ZipRenderer])
def personal_data_archive_download(request: Request, id: str) -> FileResponse:
    if not is_uuid(id):
        raise Http404
    record = downloadable_archive(request.user, id)
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
        stream,
        as_attachment=True,
        filename=f"personal-data-{record.public_id}.zip",
        content_type="application/zip",
    )
