"""Organisations, their service areas (sectors) and service units in the API: read only,
as far as the caller's scope reaches."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from rest_framework import viewsets

from .. import permissions, scoping
from ..models import Organisation, Sector
from . import filters, serializers
from .base import ScopedViewSet, is_number, read_schema


@read_schema(listing="List organisations", detail="Get an organisation", tag="organisations")
class OrganisationViewSet(ScopedViewSet):
    """Organisations the caller works for, or whose units or programmes they see."""

    serializer_class = serializers.OrganisationSerializer

    def scope(self) -> QuerySet[Any]:
        user = self.request.user
        if user.is_superuser:
            return Organisation.objects.order_by("name")
        return (
            Organisation.objects.filter(
                Q(memberships__user_id=user.pk)
                | Q(pk__in=scoping.units_for(user).values("organisation_id"))
                | Q(pk__in=scoping.cohorts_for(user).values("programme__organisation_id"))
            )
            .distinct()
            .order_by("name")
        )


@read_schema(listing="List sectors", detail="Get a sector", tag="organisations")
class SectorViewSet(ScopedViewSet):
    """Service areas (sectors) of the units in the caller's scope and of their organisations."""

    serializer_class = serializers.SectorSerializer
    filterset_class = filters.SectorFilter
    lookup_field = "pk"
    lookup_url_kwarg = "pk"
    lookup_value_regex = "[0-9]+"

    def scope(self) -> QuerySet[Any]:
        user = self.request.user
        sectors = Sector.objects.select_related("organisation").order_by("organisation", "name")
        if user.is_superuser:
            return sectors
        return sectors.filter(
            Q(pk__in=scoping.units_for(user).values("sector_id"))
            | Q(organisation__in=permissions.member_organisations(user))
        )

    def get_object(self) -> Any:
        # Sectors have no public id: looked up by their number (ScopedViewSet checks UUIDs).
        if not is_number(self.kwargs[self.lookup_url_kwarg]):
            raise Http404
        return viewsets.ReadOnlyModelViewSet.get_object(self)


@read_schema(listing="List service units", detail="Get a service unit", tag="units")
class ServiceUnitViewSet(ScopedViewSet):
    """Service units of the caller's organisations and cohorts."""

    serializer_class = serializers.ServiceUnitSerializer
    filterset_class = filters.ServiceUnitFilter

    def scope(self) -> QuerySet[Any]:
        return scoping.units_for(self.request.user).order_by("name", "pk")
