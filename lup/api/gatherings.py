"""Gatherings in the API: those of the cohorts in the caller's scope, who attended them,
and (for the cohort's facilitators and its organisation's administrators) recording and
removing attendance through the same services as the attendance page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .. import permissions, scoping, services
from ..models import Attendance, Gathering, Participant
from . import filters, serializers
from .base import ApiDefaults, extend_schema, is_number, is_uuid, read_schema, service_errors


@read_schema(listing="List gatherings", detail="Get a gathering", tag="gatherings")
class GatheringViewSet(ApiDefaults, viewsets.ReadOnlyModelViewSet):
    """Gatherings of the cohorts in the caller's scope, and who attended them.
    Facilitators of the cohort and its organisation's administrators record attendance."""

    serializer_class = serializers.GatheringSerializer
    filterset_class = filters.GatheringFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Any]:
        cohorts = scoping.cohorts_for(self.request.user).values("pk")
        return (
            Gathering.objects.filter(cohort__in=cohorts)
            .select_related("cohort__programme")
            .order_by("starts_at", "pk")
        )

    def get_object(self) -> Any:
        if not is_number(self.kwargs[self.lookup_url_kwarg or self.lookup_field]):
            raise Http404
        return super().get_object()

    def _gathering_for(self, check: Any) -> Gathering:
        gathering = self.get_object()
        if not check(self.request.user, gathering.cohort):
            raise PermissionDenied(_("You do not take attendance for this cohort."))
        return gathering

    @extend_schema(
        summary="Who attended a gathering",
        responses=serializers.AttendanceSerializer(many=True),
        tags=["gatherings"],
        filters=False,
        methods=["GET"],
    )
    @extend_schema(
        summary="Record that a participant attended",
        request=serializers.AttendanceCreateSerializer,
        responses={200: serializers.AttendanceSerializer, 201: serializers.AttendanceSerializer},
        tags=["gatherings"],
        methods=["POST"],
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def attendance(self, request: Request, pk: str) -> Response:
        """GET: who was present (facilitators, administrators and HR of the cohort).
        POST: mark a participant present; it completes the gathering's attendance
        activity. 201 when recorded, 200 when it already was."""
        if request.method == "GET":
            gathering = self._gathering_for(permissions.can_follow_cohort)
            attendances = (
                Attendance.objects.filter(gathering=gathering)
                .select_related("participant")
                .order_by("pk")
            )
            page = self.paginate_queryset(attendances)
            data = serializers.AttendanceSerializer(page, many=True).data
            return self.get_paginated_response(data)
        gathering = self._gathering_for(permissions.can_record_attendance)
        given = serializers.AttendanceCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        participant = (
            Participant.objects.filter(
                public_id=given.validated_data["participant"], enrolment__cohort=gathering.cohort
            )
            .select_related("user", "enrolment")
            .first()
        )
        if participant is None:
            raise ApiValidationError(
                {"participant": [_("No participant with this id in the gathering's cohort.")]}
            )
        with service_errors():
            attendance, created = services.record_attendance(
                gathering=gathering,
                participant=participant,
                recorded_by=request.user,
                method=Attendance.Method.FACILITATOR,
            )
        return Response(
            serializers.AttendanceSerializer(attendance).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Remove an attendance recorded by mistake",
        parameters=[
            OpenApiParameter(
                "participant", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Participant"
            )
        ],
        request=None,
        responses={204: None},
        tags=["gatherings"],
        filters=False,
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"attendance/(?P<participant>[^/]+)",
        url_name="attendance-detail",
        filter_backends=[],
        pagination_class=None,
    )
    def remove_attendance(self, request: Request, pk: str, participant: str) -> Response:
        """Undo an attendance; the attendance activity's completion is withdrawn too."""
        gathering = self._gathering_for(permissions.can_record_attendance)
        if not is_uuid(participant):
            raise Http404
        person = get_object_or_404(
            Participant.objects.select_related("user").filter(enrolment__cohort=gathering.cohort),
            public_id=participant,
        )
        services.remove_attendance(
            gathering=gathering,
            participant=person,
            removed_by=request.user,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
