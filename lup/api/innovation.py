"""Innovation projects and their benefits in the API: read as `lup.scoping` allows, written
through `lup.innovation.services` with the workspace's rules (its team, facilitators and
administrators edit; imported catalogue projects are reference material only). A benefit's
update at the end of a phase is recorded by the same people and by its named owner, as on
the update page (`lup:benefit-update`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from ..innovation.models import (
    MEASUREMENT_LIMIT,
    Benefit,
    BenefitClass,
    BenefitMeasurement,
    BenefitType,
    BenefitUpdate,
    InnovationProject,
    MeasureUnit,
)
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


# The largest amount a benefit's figures may have, as on the workspace's forms.
LARGEST = MEASUREMENT_LIMIT - Decimal("0.01")


class PhaseUpdateSerializer(serializers.ModelSerializer):
    """A benefit's update at the end of a project phase (read only)."""

    phase = serializers.CharField(
        source="phase.key", read_only=True, help_text=gettext_lazy("The phase's key.")
    )
    phase_name = serializers.CharField(source="phase.name", read_only=True)

    class Meta:
        model = BenefitUpdate
        fields = ["phase", "phase_name", "value", "measured_on", "status", "note", "recorded_at"]
        read_only_fields = fields


class PhaseUpdateCreateSerializer(serializers.Serializer):
    """What the update page asks: the value and the date are required (an update without
    them says nothing), with the same words as the page."""

    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=-LARGEST,
        max_value=LARGEST,
        error_messages={
            "required": gettext_lazy("Enter the value measured."),
            "null": gettext_lazy("Enter the value measured."),
        },
    )
    measured_on = serializers.DateField(
        help_text=gettext_lazy("Today or earlier, not before the baseline."),
        error_messages={
            "required": gettext_lazy("Enter the date of the measurement."),
            "null": gettext_lazy("Enter the date of the measurement."),
        },
    )
    status = serializers.ChoiceField(
        choices=BenefitUpdate.Status.choices,
        error_messages={
            "required": gettext_lazy("Choose a status."),
            "invalid_choice": gettext_lazy("Choose a status."),
        },
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BenefitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    project = serializers.UUIDField(source="project.public_id", read_only=True)
    owner_person = serializers.EmailField(
        source="owner_person.email",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The e-mail address of the person named the benefit's owner."),
    )
    owner_person_name = serializers.SerializerMethodField()
    measurements = MeasurementSerializer(many=True, read_only=True)
    updates = PhaseUpdateSerializer(
        many=True,
        read_only=True,
        help_text=gettext_lazy("The benefit's update at the end of each phase, oldest first."),
    )

    class Meta:
        model = Benefit
        fields = [
            "id",
            "project",
            *project_services.BENEFIT_FIELDS,
            *project_services.PLAN_FIELDS,
            "owner_person_name",
            "measurements",
            "updates",
        ]

    def get_owner_person_name(self, benefit: Benefit) -> str | None:
        """The named owner as the benefit's page shows them (None: no one named)."""
        person = benefit.owner_person
        if person is None:
            return None
        return str(person.get_full_name() or person.email)


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=-LARGEST, max_value=LARGEST, **kwargs
    )


class BenefitWriteSerializer(serializers.Serializer):
    """A benefit's fields as the workspace's form takes them (in a change, fields left out
    stay as they are)."""

    type = serializers.ChoiceField(choices=BenefitType.choices)
    description = serializers.CharField(max_length=300)
    indicator = serializers.CharField(max_length=200)
    unit_of_measure = serializers.ChoiceField(choices=MeasureUnit.choices)
    baseline_value = _amount(help_text=gettext_lazy("The value measured before the change."))
    baseline_on = serializers.DateField()
    target_value = _amount(help_text=gettext_lazy("The value aimed for (not the baseline)."))
    target_on = serializers.DateField(required=False, allow_null=True, default=None)
    owner = serializers.CharField(
        max_length=120,
        help_text=gettext_lazy("The role in the line organisation that answers for the benefit."),
    )
    owner_person = serializers.EmailField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text=gettext_lazy(
            "The e-mail address of a person in the unit's organisation who answers for the "
            "benefit (they may be outside the team); null or empty names no one."
        ),
    )
    benefit_class = serializers.ChoiceField(choices=BenefitClass.choices)
    leads_from_change = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    effect = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    baseline_method = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class BenefitCreateSerializer(BenefitWriteSerializer):
    project = serializers.UUIDField(help_text=gettext_lazy("The project's id."))


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


def _owner_person(project: InnovationProject, email: str | None) -> User | None:
    """The person with this e-mail address among those who may own the project's benefits
    (`services.owner_candidates`: the unit's organisation); 400 for anyone else, with the
    words of the service, whether they exist elsewhere or not at all."""
    if not email:
        return None
    found = list(project_services.owner_candidates(project).filter(email__iexact=email)[:2])
    if len(found) > 1:
        raise ApiValidationError(
            {
                "owner_person": [
                    _("More than one person in the unit's organisation has this e-mail address.")
                ]
            }
        )
    if not found:
        raise ApiValidationError(
            {"owner_person": [_("The benefit owner must be a person in the unit's organisation.")]}
        )
    return found[0]


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
class BenefitViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """Benefits (gevinster) of the projects the caller may open, and those the caller is the
    named owner of, with their measurements and updates. The project's team, facilitators
    and administrators add and change benefits and record follow-up measurements; they and
    the benefit's named owner record its update at the end of a phase."""

    serializer_class = BenefitSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scope(self) -> QuerySet[Any]:
        user = self.request.user
        projects = scoping.projects_for(user).values("pk")
        # The named owner may be outside the team: the update page shows them the benefit.
        owned = Q(owner_person_id=user.pk, project__enrolment__isnull=False)
        return (
            Benefit.objects.filter(Q(project__in=projects) | owned)
            .select_related("project", "owner_person")
            .prefetch_related(
                Prefetch(
                    "measurements", queryset=BenefitMeasurement.objects.order_by("measured_on")
                ),
                Prefetch(
                    "updates",
                    queryset=BenefitUpdate.objects.select_related("phase").order_by(
                        "measured_on", "pk"
                    ),
                ),
            )
            .order_by("pk")
        )

    def _shown(self, benefit: Benefit) -> dict[str, Any]:
        return dict(BenefitSerializer(self.scope().get(pk=benefit.pk)).data)

    @extend_schema(
        summary="Add an expected benefit to a project",
        request=BenefitCreateSerializer,
        responses={201: BenefitSerializer},
        tags=["innovation projects"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add a benefit with its baseline, target, owner and place in the benefit map, as
        on the workspace's form: the target differs from the baseline, the baseline is not
        in the future, a named owner is a person of the unit's organisation."""
        given = BenefitCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        project = (
            scoping.projects_for(request.user)
            .select_related("enrolment__unit")
            .filter(public_id=data.pop("project"))
            .first()
        )
        if project is None:
            raise ApiValidationError({"project": [_("No project with this id in your scope.")]})
        _require_editable(request.user, project, _("You cannot add benefits to this project."))
        data["owner_person"] = _owner_person(project, data["owner_person"])
        with service_errors():
            benefit = project_services.add_benefit(project=project, **data)
        return Response(self._shown(benefit), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a benefit",
        request=BenefitWriteSerializer,
        responses=BenefitSerializer,
        tags=["innovation projects"],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a benefit's fields (those left out stay), with the rules of `create`; the
        baseline cannot move after the first follow-up."""
        benefit = self.get_object()
        _require_editable(request.user, benefit.project, _("You cannot edit this project."))
        given = BenefitWriteSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        values = {name: getattr(benefit, name) for name in project_services.BENEFIT_FIELDS}
        values.update(
            {name: data[name] for name in project_services.BENEFIT_FIELDS if name in data}
        )
        plan = {name: data[name] for name in project_services.PLAN_FIELDS if name in data}
        if "owner_person" in plan:
            plan["owner_person"] = _owner_person(benefit.project, plan["owner_person"])
        with service_errors():
            project_services.update_benefit(benefit=benefit, **values, **plan)
        return Response(self._shown(benefit))

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

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

    @extend_schema(
        summary="Record a benefit's update at the end of a phase",
        request=PhaseUpdateCreateSerializer,
        responses={201: PhaseUpdateSerializer},
        tags=["innovation projects"],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def updates(self, request: Request, id: str) -> Response:
        """The benefit's value and status for the phase the project finished last, once
        per phase (as on the update page): by the project's team, facilitators and
        administrators, and by the benefit's named owner. The value and the date are
        required; the date is not in the future nor before the baseline."""
        if not _is_uuid(id):
            raise Http404
        benefit = (
            project_selectors.updatable_benefits_for(request.user)
            .select_related("project__enrolment", "project__organisation")
            .filter(public_id=id)
            .first()
        )
        if benefit is None:
            if self.scope().filter(public_id=id).exists():
                raise PermissionDenied(_("You cannot update this benefit."))
            raise Http404
        given = PhaseUpdateCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        with service_errors():
            update = project_services.record_benefit_update(
                benefit=benefit,
                value=data["value"],
                measured_on=data["measured_on"],
                status=data["status"],
                note=data["note"],
                recorded_by=request.user,
            )
        shown = BenefitUpdate.objects.select_related("phase").get(pk=update.pk)
        return Response(PhaseUpdateSerializer(shown).data, status=status.HTTP_201_CREATED)
