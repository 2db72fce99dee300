"""Programmes (with their progress against the target) and cohorts in the API: read only,
as far as the caller's scope reaches."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import scoping, selectors
from . import filters, serializers
from .base import ScopedViewSet, extend_schema, read_schema


@read_schema(listing="List programmes", detail="Get a programme", tag="programmes")
class ProgrammeViewSet(ScopedViewSet):
    """Programmes whose target dashboard the caller may see."""

    serializer_class = serializers.ProgrammeSerializer

    def scope(self) -> QuerySet[Any]:
        return scoping.programmes_for(self.request.user)

    @extend_schema(
        summary="A programme's progress against its target",
        responses=serializers.TargetProgressSerializer,
        tags=["programmes"],
    )
    @action(detail=True, pagination_class=None, filter_backends=[])
    def progress(self, request: Request, id: str) -> Response:
        """The programme's target figures, burn-up series and forecast from the plan, the same
        figures as the dashboard and its CSV (fixed query count)."""
        target = selectors.programme_target_progress(self.get_object())
        return Response(serializers.TargetProgressSerializer(target).data)


@read_schema(listing="List cohorts", detail="Get a cohort", tag="cohorts")
class CohortViewSet(ScopedViewSet):
    """Cohorts the caller runs, oversees or takes part in."""

    serializer_class = serializers.CohortSerializer
    filterset_class = filters.CohortFilter

    def scope(self) -> QuerySet[Any]:
        return scoping.cohorts_for(self.request.user)
