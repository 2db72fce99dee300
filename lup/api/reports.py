"""HR's completion reports in the API: the same rows, filters and scope as the HTML reports
(`lup.reporting`), for HR, administrators and reports-scope tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ..reporting.columns import Preset
from ..reporting.forms import CompletionFilterForm
from ..reporting.models import ReportKind
from ..reporting.selectors import completion_values, report_rows
from ..reporting.services import ExportChannel, record_export
from .base import ApiDefaults, extend_schema
from .permissions import REPORTS_AREA, TokenScope
from .serializers import CompletionSerializer


class ApiCompletionFilterForm(CompletionFilterForm):
    """The report filters with resources named by their public id (sectors by number)."""

    id_field = "public_id"


class CanExportCompletions(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.has_perm("lup.export_completions"))


class UnitReportRowSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    unit = serializers.SerializerMethodField()
    cohort = serializers.SerializerMethodField()
    programme = serializers.UUIDField(source="cohort.programme.public_id")
    sector = serializers.CharField(source="unit.sector.name")
    status = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    team_size = serializers.IntegerField()
    team_completed = serializers.IntegerField()
    manager_email = serializers.CharField(allow_null=True)

    def get_unit(self, row: Any) -> dict[str, str]:
        """The unit: id, code and name."""
        unit = row.unit
        return {"id": str(unit.public_id), "code": unit.code, "name": unit.name}

    def get_cohort(self, row: Any) -> dict[str, str]:
        """The cohort: id and name."""
        return {"id": str(row.cohort.public_id), "name": row.cohort.name}


REPORT_PARAMETERS = [
    OpenApiParameter("programme", OpenApiTypes.UUID, description="A programme's id."),
    OpenApiParameter("cohort", OpenApiTypes.UUID, description="A cohort's id."),
    OpenApiParameter("sector", OpenApiTypes.INT, description="A sector's id."),
    OpenApiParameter("unit", OpenApiTypes.UUID, description="A unit's id."),
    OpenApiParameter("status", OpenApiTypes.STR, description="A row status."),
    OpenApiParameter(
        "completed_from", OpenApiTypes.DATE, description="Completed on or after (yyyy-mm-dd)."
    ),
    OpenApiParameter(
        "completed_to", OpenApiTypes.DATE, description="Completed on or before (yyyy-mm-dd)."
    ),
]


class _ReportViewSet(ApiDefaults, mixins.ListModelMixin, viewsets.GenericViewSet):
    api_area = REPORTS_AREA
    permission_classes = [IsAuthenticated, TokenScope, CanExportCompletions]
    filter_backends: list[Any] = []
    report = ReportKind.PARTICIPANTS

    def get_queryset(self) -> QuerySet[Any]:
        form = ApiCompletionFilterForm(
            self.request.query_params, user=self.request.user, report=self.report
        )
        if not form.is_valid():
            errors = form.errors.get_json_data()
            raise ApiValidationError(
                {field: [error["message"] for error in found] for field, found in errors.items()}
            )
        self.filters = form.filters()
        return report_rows(self.report, self.request.user, self.filters)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The rows, and an audit entry for every page read (as for every other export):
        personal data leaving through the API is on the organisation's record too."""
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else []
        record_export(
            actor=request.user,
            report=self.report,
            preset=Preset(key="api", name="API", report=self.report, columns=()),
            export_format="json",
            filters=self.filters,
            row_count=len(rows),
            channel=ExportChannel.API,
            complete=not (isinstance(response.data, dict) and response.data.get("next")),
            request=request,
        )
        return response


@extend_schema(
    summary="HR's participant report",
    parameters=REPORT_PARAMETERS,
    tags=["reports"],
    description="One row per participant, as in the HTML report and its exports.",
)
class ParticipantReportViewSet(_ReportViewSet):
    serializer_class = CompletionSerializer
    report = ReportKind.PARTICIPANTS

    def get_queryset(self) -> QuerySet[Any]:
        return completion_values(super().get_queryset())


@extend_schema(
    summary="HR's unit report",
    parameters=REPORT_PARAMETERS,
    tags=["reports"],
    description="One row per unit enrolment, with its team's size and completions.",
)
class UnitReportViewSet(_ReportViewSet):
    serializer_class = UnitReportRowSerializer
    report = ReportKind.UNITS
