"""A programme's completion checks in the API: the latest first, and a request for a new
one (the dashboard's "Check completions now"), for the programme's administrators."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from .. import permissions, scoping
from ..models import CompletionCheck, Programme
from ..tasks import start_completion_check
from .base import ID_PARAMETER, ApiDefaults, extend_schema, is_uuid


class CompletionFindingSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="The unit's name.")
    cohort = serializers.CharField(help_text="The cohort's name.")
    failed = serializers.BooleanField(
        default=False,
        help_text="True: the unit could not be checked (the next check tries again). "
        "False: the unit has completed but no longer meets the rule (it keeps its completion).",
    )


class CompletionCheckSerializer(serializers.ModelSerializer):
    programme = serializers.UUIDField(source="programme.public_id", read_only=True)
    status = serializers.SerializerMethodField()
    findings = CompletionFindingSerializer(many=True, read_only=True)

    class Meta:
        model = CompletionCheck
        fields = [
            "programme",
            "reason",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "units_total",
            "units_checked",
            "repairs",
            "findings",
        ]

    def get_status(self, check: CompletionCheck) -> str:
        """waiting, running or finished."""
        if check.finished_at is not None:
            return "finished"
        return "running" if check.started_at is not None else "waiting"


@extend_schema(parameters=[ID_PARAMETER], tags=["programmes"])
class ProgrammeCompletionChecks(ApiDefaults, generics.GenericAPIView):
    """A programme's completion checks (re-evaluations of its units against the completion
    rule): its organisation's programme administrators only."""

    serializer_class = CompletionCheckSerializer

    def programme(self) -> Programme:
        if not is_uuid(self.kwargs["id"]):
            raise Http404  # not an id: as absent as an id out of scope
        found = (
            scoping.programmes_for(self.request.user).filter(public_id=self.kwargs["id"]).first()
        )
        if found is None:
            raise Http404
        if not permissions.can_check_completions(self.request.user, found):
            raise PermissionDenied(_("Only the programme's administrators check completions."))
        return found

    def get_queryset(self) -> Any:
        return CompletionCheck.objects.none()  # for the schema; the views read `programme()`

    @extend_schema(summary="List a programme's completion checks, the latest first")
    def get(self, request: Request, id: str) -> Response:
        programme = self.programme()
        checks = (
            CompletionCheck.objects.filter(programme=programme)
            .select_related("programme")
            .order_by("-created_at", "-pk")
        )
        page = self.paginate_queryset(checks)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Check a programme's completions now",
        request=None,
        responses={202: CompletionCheckSerializer, 200: CompletionCheckSerializer},
    )
    def post(self, request: Request, id: str) -> Response:
        """Start a completion check (202), or answer with the one already under way (200).
        It runs in the background: follow it in the list."""
        programme = self.programme()
        check, created = start_completion_check(
            programme, reason=CompletionCheck.Reason.REQUESTED, requested_by=request.user
        )
        if created:
            check.refresh_from_db()  # with eager Celery it has already run
        return Response(
            self.get_serializer(check).data,
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        )
