"""Participants in the API: the people on the teams in the caller's scope, their progress
through the curriculum, and (for the programme's administrators) adding people to teams
and changing their roles, as the participant import does."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from courses.api import course_progress

from .. import permissions, scoping, services
from . import filters, serializers
from . import services as api_services
from .base import ID_PARAMETER, ScopedViewSet, extend_schema, read_schema, service_errors


@read_schema(listing="List participants", detail="Get a participant", tag="participants")
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
                actor=user,
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
