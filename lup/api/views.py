"""API views: thin, read-only, starting from lup.scoping like the HTML views."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from .. import scoping, selectors
from . import serializers


@api_view(["GET"])
def me(request: Request) -> Response:
    """Who is signed in, and what their roles let them see."""
    user: Any = request.user
    return Response(
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "is_superuser": user.is_superuser,
            "organisations": sorted(
                user.lup_memberships.values_list("organisation__name", flat=True)
            ),
            "facilitates": sorted(user.facilitated_cohorts.values_list("name", flat=True)),
        }
    )


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists and looks up only what the requesting user's scope holds (else 404)."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def scope(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.scope()


class ProgrammeViewSet(ScopedViewSet):
    serializer_class = serializers.ProgrammeSerializer

    def scope(self) -> QuerySet[Any]:
        return scoping.programmes_for(self.request.user)

    @action(detail=True)
    def progress(self, request: Request, id: str) -> Response:
        """The programme's target figures, burn-up series and forecast (fixed query count)."""
        progress = selectors.programme_target_progress(self.get_object())
        return Response(serializers.TargetProgressSerializer(progress).data)


class CohortViewSet(ScopedViewSet):
    serializer_class = serializers.CohortSerializer

    def scope(self) -> QuerySet[Any]:
        return scoping.cohorts_for(self.request.user)


class ServiceUnitViewSet(ScopedViewSet):
    serializer_class = serializers.ServiceUnitSerializer

    def scope(self) -> QuerySet[Any]:
        return scoping.units_for(self.request.user).order_by("name")


class ParticipantViewSet(ScopedViewSet):
    serializer_class = serializers.ParticipantSerializer

    def scope(self) -> QuerySet[Any]:
        return scoping.participants_for(self.request.user).order_by("pk")
