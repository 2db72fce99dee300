"""API views: thin. Reads start from lup.scoping like the HTML views (out of scope: 404,
or absent from lists and counts); writes check the HTML pages' rules and call the same
services. A token's scope is enforced by `permissions.TokenScope` for every view."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from courses.api import course_progress

from .. import permissions, scoping, selectors, services
from ..models import (
    Attendance,
    Gathering,
    Organisation,
    Participant,
    Sector,
)
from ..reporting.models import ApiToken
from ..reporting.selectors import completion_rows
from . import filters, serializers
from . import services as api_services
from .pagination import FeedCursorPagination
from .permissions import REPORTS_AREA

MAX_ID = 2**63 - 1


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's ValidationError is the caller's mistake: 400 with its messages."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ApiValidationError(error.message_dict) from error
        raise ApiValidationError({"non_field_errors": error.messages}) from error


def _is_uuid(value: Any) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def _is_number(value: Any) -> bool:
    """A database id: a whole number that fits a 64-bit integer."""
    text = str(value)
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID


@extend_schema(summary="Who is calling", responses=serializers.MeSerializer, tags=["me"])
@api_view(["GET"])
def me(request: Request) -> Response:
    """Who is signed in (or which system's token is calling), and what their roles let
    them see."""
    user: Any = request.user
    token = request.auth if isinstance(request.auth, ApiToken) else None
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
            "facilitates": sorted(user.lup_facilitated_cohorts.values_list("name", flat=True)),
            "token_scope": token.scope if token is not None else None,
        }
    )


ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The resource's id."
)


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists and looks up only what the requesting user's scope holds (else 404)."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"

    def scope(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.scope()

    def get_object(self) -> Any:
        if not _is_uuid(self.kwargs[self.lookup_url_kwarg]):
            raise Http404  # not an id: as absent as an id out of scope
        return super().get_object()


@extend_schema_view(
    list=extend_schema(summary="List organisations", tags=["organisations"]),
    retrieve=extend_schema(summary="Get an organisation", tags=["organisations"]),
)
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


@extend_schema_view(
    list=extend_schema(summary="List sectors", tags=["organisations"]),
    retrieve=extend_schema(summary="Get a sector", tags=["organisations"]),
)
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
        if not _is_number(self.kwargs[self.lookup_url_kwarg]):
            raise Http404
        return viewsets.ReadOnlyModelViewSet.get_object(self)


@extend_schema_view(
    list=extend_schema(summary="List programmes", tags=["programmes"]),
    retrieve=extend_schema(summary="Get a programme", tags=["programmes"]),
)
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
        """The programme's target figures, burn-up series and forecast (fixed query count)."""
        target = selectors.programme_target_progress(self.get_object())
        return Response(serializers.TargetProgressSerializer(target).data)


@extend_schema_view(
    list=extend_schema(summary="List cohorts", tags=["cohorts"]),
    retrieve=extend_schema(summary="Get a cohort", tags=["cohorts"]),
)
class CohortViewSet(ScopedViewSet):
    """Cohorts the caller runs, oversees or takes part in."""

    serializer_class = serializers.CohortSerializer
    filterset_class = filters.CohortFilter

    def scope(self) -> QuerySet[Any]:
        return scoping.cohorts_for(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="List service units", tags=["units"]),
    retrieve=extend_schema(summary="Get a service unit", tags=["units"]),
)
class ServiceUnitViewSet(ScopedViewSet):
    """Service units of the caller's organisations and cohorts."""

    serializer_class = serializers.ServiceUnitSerializer
    filterset_class = filters.ServiceUnitFilter

    def scope(self) -> QuerySet[Any]:
        return scoping.units_for(self.request.user).order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(summary="List participants", tags=["participants"]),
    retrieve=extend_schema(summary="Get a participant", tags=["participants"]),
)
class ParticipantViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """People on the teams in the caller's scope. Administrators add people to teams and
    change their roles, as with the participant import."""

    serializer_class = serializers.ParticipantSerializer
    filterset_class = filters.ParticipantFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope(self) -> QuerySet[Any]:
        return scoping.participants_for(self.request.user).order_by("pk")

    @extend_schema(
        summary="Add a person to a unit's team",
        request=serializers.ParticipantCreateSerializer,
        responses={
            200: serializers.ParticipantSerializer,
            201: serializers.ParticipantSerializer,
        },
        tags=["participants"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Put a person on a unit's team in a cohort (found or created by e-mail; the unit
        is enrolled if it is not yet). 201 when added, 200 when already there (their role
        is updated). Programme administrators of the cohort's organisation only."""
        given = serializers.ParticipantCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        user = request.user
        cohort = scoping.cohorts_for(user).filter(public_id=data["cohort"]).first()
        if cohort is None:
            raise ApiValidationError({"cohort": [_("No cohort with this id in your scope.")]})
        unit = scoping.units_for(user).filter(public_id=data["unit"]).first()
        if unit is None:
            raise ApiValidationError({"unit": [_("No unit with this id in your scope.")]})
        if not permissions.oversees(user, cohort.programme.organisation_id, "lup.add_participant"):
            raise PermissionDenied(_("Only the programme's administrators add participants."))
        with service_errors():
            participant, created = api_services.add_team_member(
                cohort=cohort,
                unit=unit,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
            )
        shown = self.scope().get(pk=participant.pk)
        return Response(
            serializers.ParticipantSerializer(shown).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Change a participant's role",
        request=serializers.ParticipantUpdateSerializer,
        responses=serializers.ParticipantSerializer,
        parameters=[ID_PARAMETER],
        tags=["participants"],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Make a participant the manager or an enthusiast (a team has one manager)."""
        participant = self.get_object()
        given = serializers.ParticipantUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        organisation_id = participant.enrolment.cohort.programme.organisation_id
        if not permissions.oversees(request.user, organisation_id, "lup.change_participant"):
            raise PermissionDenied(_("Only the programme's administrators change roles."))
        with service_errors():
            services.add_participant(
                enrolment=participant.enrolment,
                user=participant.user,
                role=given.validated_data["role"],
            )
        return Response(serializers.ParticipantSerializer(self.scope().get(pk=participant.pk)).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        summary="A participant's progress through the curriculum",
        responses=serializers.ParticipantProgressSerializer,
        tags=["participants"],
    )
    @action(detail=True, pagination_class=None, filter_backends=[])
    def progress(self, request: Request, id: str) -> Response:
        """Module by module, which required activities the participant has done."""
        participant = self.get_object()
        cohort = participant.enrolment.cohort
        course = cohort.programme.course
        course_data = None
        if course is not None:
            course_data = course_progress(
                user=participant.user, course=course, starts_on=cohort.starts_on
            )
        return Response(
            serializers.ParticipantProgressSerializer(
                {
                    "participant": participant.public_id,
                    "status": participant.status,
                    "completed_at": participant.completed_at,
                    "course": course_data,
                }
            ).data
        )


@extend_schema_view(
    list=extend_schema(summary="List gatherings", tags=["gatherings"]),
    retrieve=extend_schema(summary="Get a gathering", tags=["gatherings"]),
)
class GatheringViewSet(viewsets.ReadOnlyModelViewSet):
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
        if not _is_number(self.kwargs[self.lookup_url_kwarg or self.lookup_field]):
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
        if not _is_uuid(participant):
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


@extend_schema_view(
    list=extend_schema(
        summary="The completions feed",
        description=(
            "Participants' completion status, ordered by (updated_at, id), for systems that "
            "sync incrementally: follow `next` until it is null, remember the last row's "
            "`updated_at`, and next time ask with `updated_since` set to it. Up to 500 a page."
        ),
        tags=["completions"],
    )
)
class CompletionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every participant in the caller's scope with their completion, unit and programme."""

    api_area = REPORTS_AREA
    serializer_class = serializers.CompletionSerializer
    filterset_class = filters.CompletionFilter
    pagination_class = FeedCursorPagination

    def get_queryset(self) -> QuerySet[Any]:
        # HR's report rows (the scope, with what a row shows), in the feed's order.
        return completion_rows(self.request.user)
