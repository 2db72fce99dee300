"""Innovation projects and their benefits in the API: read as `lup.scoping` allows, written
through `lup.innovation.services` with the workspace's rules (its team, facilitators and
administrators edit; imported catalogue projects are reference material only)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .. import permissions, scoping
from ..innovation import selectors as project_selectors
from ..innovation import services as project_services
from ..innovation.models import Benefit, BenefitMeasurement, InnovationProject
from ..models import Participant
from .base import extend_schema
from .views import ScopedViewSet, _is_uuid, service_errors

# Shapes ----------------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)
    unit = serializers.SerializerMethodField()
    cohort = serializers.SerializerMethodField()
    phase = serializers.CharField(source="phase.name", read_only=True, allow_null=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = InnovationProject
        fields = [
            "id",
            "title",
            "need",
            "audience",
            "idea",
            "organisation",
            "unit",
            "cohort",
            "phase",
            "review_status",
            "approved_at",
            "published_at",
            "members",
            "created_at",
            "updated_at",
        ]

    def get_unit(self, project: InnovationProject) -> str | None:
        enrolment = project.enrolment
        return str(enrolment.unit.public_id) if enrolment is not None else None

    def get_cohort(self, project: InnovationProject) -> str | None:
        enrolment = project.enrolment
        return str(enrolment.cohort.public_id) if enrolment is not None else None

    def get_members(self, project: InnovationProject) -> list[str]:
        """The participants (ids) working on the project."""
        return [str(member.public_id) for member in project.members.all()]


class ProjectWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    need = serializers.CharField()
    audience = serializers.CharField(max_length=200)
    idea = serializers.CharField(required=False, allow_blank=True, default="")
    members = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, max_length=100
    )


class ProjectCreateSerializer(ProjectWriteSerializer):
    enrolment_unit = serializers.UUIDField(help_text="The team's unit.")
    enrolment_cohort = serializers.UUIDField(help_text="The team's cohort.")


class ProjectUpdateSerializer(ProjectWriteSerializer):
    title = serializers.CharField(max_length=200, required=False)
    need = serializers.CharField(required=False)
    audience = serializers.CharField(max_length=200, required=False)
    idea = serializers.CharField(required=False, allow_blank=True)
    members = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=100)


class MeasurementSerializer(serializers.ModelSerializer):
    class Meta:
        model = BenefitMeasurement
        fields = ["measured_on", "value", "note", "recorded_at"]
        read_only_fields = ["recorded_at"]


class BenefitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    project = serializers.UUIDField(source="project.public_id", read_only=True)
    measurements = MeasurementSerializer(many=True, read_only=True)

    class Meta:
        model = Benefit
        fields = ["id", "project", *project_services.BENEFIT_FIELDS, "measurements"]


# Views ------------------------------------------------------------------------------------


def _require_editable(user: Any, project: InnovationProject, refusal: str) -> None:
    """403 with `refusal` unless the user may edit the project, as in the workspace: its
    team, facilitators and administrators, never for an imported project."""
    if not permissions.in_scope(project_selectors.editable_own_projects_for(user), project):
        raise PermissionDenied(refusal)


def _members(enrolment: Any, ids: list[Any]) -> list[Participant]:
    """The team members with these public ids; 400 naming any not on the team."""
    team = {member.public_id: member for member in project_selectors.team_of(enrolment)}
    unknown = [str(member_id) for member_id in ids if member_id not in team]
    if unknown:
        raise ApiValidationError(
            {"members": [_("Not on the unit's team in this cohort: %s") % ", ".join(unknown)]}
        )
    return [team[member_id] for member_id in ids]


@extend_schema_view(
    list=extend_schema(summary="List innovation projects", tags=["innovation projects"]),
    retrieve=extend_schema(summary="Get an innovation project", tags=["innovation projects"]),
)
class ProjectViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """Projects the caller may open: their teams', those in their scope, and every published
    one. Their team, facilitators and administrators start and edit them."""

    serializer_class = ProjectSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope(self) -> QuerySet[Any]:
        return (
            scoping.projects_for(self.request.user)
            .select_related("enrolment__unit", "enrolment__cohort")
            .prefetch_related(
                Prefetch("members", queryset=Participant.objects.only("pk", "public_id"))
            )
            .order_by("pk")
        )

    @extend_schema(
        summary="Start a team's innovation project",
        request=ProjectCreateSerializer,
        responses={201: ProjectSerializer},
        tags=["innovation projects"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start the project of a unit's team in a cohort (one per team), as on the
        workspace's start page."""
        given = ProjectCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        enrolment = (
            project_selectors.startable_enrolments_for(request.user)
            .filter(
                unit__public_id=data["enrolment_unit"], cohort__public_id=data["enrolment_cohort"]
            )
            .first()
        )
        if enrolment is None:
            raise ApiValidationError(
                {"enrolment_unit": [_("No team you may start a project for in this cohort.")]}
            )
        with service_errors():
            project = project_services.start_project(
                enrolment=enrolment,
                title=data["title"],
                need=data["need"],
                audience=data["audience"],
                idea=data["idea"],
                members=_members(enrolment, data["members"]),
                started_by=request.user,
            )
        return Response(
            ProjectSerializer(self.scope().get(pk=project.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Change an innovation project",
        request=ProjectUpdateSerializer,
        responses=ProjectSerializer,
        tags=["innovation projects"],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change what the project is about and who works on it (fields left out stay)."""
        project = self.get_object()
        _require_editable(request.user, project, _("You cannot edit this project."))
        given = ProjectUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        members = (
            _members(project.enrolment, data["members"])
            if "members" in data
            else list(project.members.all())
        )
        with service_errors():
            project_services.update_project(
                project=project,
                title=data.get("title", project.title),
                need=data.get("need", project.need),
                audience=data.get("audience", project.audience),
                idea=data.get("idea", project.idea),
                members=members,
            )
        return Response(ProjectSerializer(self.scope().get(pk=project.pk)).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(summary="List benefits", tags=["innovation projects"]),
    retrieve=extend_schema(summary="Get a benefit", tags=["innovation projects"]),
)
class BenefitViewSet(ScopedViewSet):
    """Benefits (gevinster) of the projects the caller may open, with their measurements.
    The project's team, facilitators and administrators record follow-up measurements."""

    serializer_class = BenefitSerializer

    def scope(self) -> QuerySet[Any]:
        projects = scoping.projects_for(self.request.user).values("pk")
        return (
            Benefit.objects.filter(project__in=projects)
            .select_related("project")
            .prefetch_related(
                Prefetch(
                    "measurements", queryset=BenefitMeasurement.objects.order_by("measured_on")
                )
            )
            .order_by("pk")
        )

    @extend_schema(
        summary="Record a follow-up measurement of a benefit",
        request=MeasurementSerializer,
        responses={201: MeasurementSerializer},
        tags=["innovation projects"],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def measurements(self, request: Request, id: str) -> Response:
        """One measurement a day, not in the future and not before the baseline."""
        if not _is_uuid(id):
            raise Http404
        benefit = self.get_object()
        _require_editable(
            request.user, benefit.project, _("You cannot record measurements for this project.")
        )
        given = MeasurementSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with service_errors():
            measurement = project_services.record_measurement(
                benefit=benefit,
                measured_on=data["measured_on"],
                value=data["value"],
                note=data.get("note", ""),
                recorded_by=request.user,
            )
        return Response(MeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)
