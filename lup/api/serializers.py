"""Serializers of lup's API: shapes only, no rules (those live in the services).

Resources are identified by their public UUID (`id`); sectors and gatherings, which
have none, by their number.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import (
    Attendance,
    Cohort,
    Gathering,
    Organisation,
    Participant,
    Programme,
    Sector,
    ServiceUnit,
)
from ..reporting.columns import credited_learning_hours

# References to other resources, embedded ------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class NamedRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class UnitRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    name = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


# Who is calling ----------------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    email = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    is_superuser = serializers.BooleanField()
    organisations = serializers.ListField(child=serializers.CharField())
    facilitates = serializers.ListField(child=serializers.CharField())
    token_scope = serializers.CharField(
        allow_null=True, help_text=_("The API token's scope, when a token is calling.")
    )


# The organisation's structure ----------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "organisation_number"]


class SectorSerializer(serializers.ModelSerializer):
    organisation = serializers.UUIDField(source="organisation.public_id", read_only=True)

    class Meta:
        model = Sector
        fields = ["id", "name", "organisation"]


class ServiceUnitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    sector = serializers.CharField(source="sector.name", read_only=True)
    sector_id = serializers.IntegerField(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = ServiceUnit
        fields = ["id", "code", "name", "sector", "sector_id", "organisation", "active"]


# Programmes and their targets ----------------------------------------------------------------


class ProgrammeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "short_name",
            "slug",
            "organisation",
            "starts_on",
            "deadline",
            "target_units",
            "learning_hours",
        ]


class SeriesPointSerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    completed = serializers.IntegerField()


class PlanStepSerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    expected = serializers.IntegerField()
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    cohorts = serializers.ListField(child=serializers.CharField())


class ForecastSerializer(serializers.Serializer):
    expected = serializers.IntegerField(
        help_text=_(
            "Units likely completed by the deadline, from the cohorts planned to end by then."
        )
    )
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    reachable = serializers.IntegerField(
        help_text=_("Completed units plus the units enrolled in cohorts ending by the deadline.")
    )
    status = serializers.ChoiceField(choices=["reached", "on_track", "uncertain", "behind"])
    rate = serializers.FloatField(help_text=_("The programme's completion rate (0–1)."))
    basis = serializers.ChoiceField(
        choices=["sector", "programme", "assumed"],
        help_text=_("'assumed' when the programme has too little history of its own."),
    )
    history_enrolments = serializers.IntegerField()
    history_cohorts = serializers.IntegerField()
    typical_cohort_days = serializers.IntegerField()
    units_to_enrol = serializers.IntegerField(allow_null=True)
    enrol_by = serializers.DateField(allow_null=True)
    summary = serializers.CharField()
    verdict = serializers.CharField()
    advice = serializers.CharField()
    basis_note = serializers.CharField()
    steps = PlanStepSerializer(
        many=True, help_text=_("The plan: cumulative units at each cohort end.")
    )


class TargetProgressSerializer(serializers.Serializer):
    completed = serializers.IntegerField(help_text=_("Units of the population completed."))
    target = serializers.IntegerField()
    population = serializers.IntegerField()
    units_in_progress = serializers.IntegerField(
        help_text=_("Units enrolled in cohorts that are not closed.")
    )
    units_in_ended_cohorts = serializers.IntegerField(
        help_text=_("Of those, units in cohorts that have ended and are not closed.")
    )
    units_behind_schedule = serializers.IntegerField()
    units_withdrawn = serializers.IntegerField()
    guest_units_completed = serializers.IntegerField()
    forecast_at_deadline = serializers.IntegerField(help_text=_("The forecast's expected units."))
    pace_per_30_days = serializers.FloatField(
        help_text=_(
            "Units completed per 30 days since the programme started (descriptive: the "
            "forecast comes from the plan)."
        )
    )
    on_track = serializers.BooleanField(
        help_text=_("The target is reached, or even the forecast's low end reaches it.")
    )
    forecast = ForecastSerializer()
    series = SeriesPointSerializer(many=True, help_text=_("Completed units, month by month."))


class CohortSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = serializers.UUIDField(source="programme.public_id", read_only=True)

    class Meta:
        model = Cohort
        fields = ["id", "name", "programme", "starts_on", "ends_on", "closed_at"]
        read_only_fields = ["closed_at"]


# People on teams --------------------------------------------------------------------------


class ParticipantSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    unit = serializers.UUIDField(source="enrolment.unit.public_id", read_only=True)
    cohort = serializers.UUIDField(source="enrolment.cohort.public_id", read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "role",
            "status",
            "completed_at",
            "updated_at",
            "unit",
            "cohort",
        ]


class ParticipantCreateSerializer(serializers.Serializer):
    """Put a person on a unit's team in a cohort (the unit is enrolled if it is not yet)."""

    email = serializers.EmailField(max_length=150)
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")
    cohort = serializers.UUIDField()
    unit = serializers.UUIDField()
    role = serializers.ChoiceField(choices=Participant.Role.choices)


class ParticipantUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Participant.Role.choices)


class ActivityProgressSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="activity.public_id")
    title = serializers.CharField(source="activity.title")
    kind = serializers.CharField(source="activity.kind")
    required = serializers.BooleanField(source="activity.required")
    done = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)


class ModuleProgressSerializer(serializers.Serializer):
    title = serializers.CharField(source="module.title")
    required_count = serializers.IntegerField()
    done_count = serializers.IntegerField()
    percent = serializers.IntegerField()
    due_at = serializers.DateTimeField(allow_null=True)
    activities = ActivityProgressSerializer(many=True)


class CourseProgressSerializer(serializers.Serializer):
    course = serializers.CharField(source="course.title", allow_null=True)
    required_count = serializers.IntegerField()
    done_count = serializers.IntegerField()
    percent = serializers.IntegerField()
    is_done = serializers.BooleanField()
    modules = ModuleProgressSerializer(many=True)


class ParticipantProgressSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    status = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    course = CourseProgressSerializer(
        allow_null=True, help_text=_("Null when the programme has no curriculum.")
    )


# Gatherings and attendance -------------------------------------------------------------------


class GatheringSerializer(serializers.ModelSerializer):
    cohort = serializers.UUIDField(source="cohort.public_id", read_only=True)

    class Meta:
        model = Gathering
        fields = ["id", "cohort", "kind", "title", "starts_at", "ends_at", "place"]


class AttendanceSerializer(serializers.ModelSerializer):
    participant = serializers.UUIDField(source="participant.public_id", read_only=True)

    class Meta:
        model = Attendance
        fields = ["participant", "method", "recorded_at"]


class AttendanceCreateSerializer(serializers.Serializer):
    participant = serializers.UUIDField(help_text=_("The participant who was present."))


# The completions feed ------------------------------------------------------------------------


class CompletionSerializer(serializers.Serializer):
    """A participant's completion status, as HR systems sync it."""

    id = serializers.UUIDField(help_text=_("The participant (a person in one cohort)."))
    updated_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Participant.Status.choices)
    role = serializers.ChoiceField(choices=Participant.Role.choices)
    completed_at = serializers.DateTimeField(allow_null=True)
    person = PersonSerializer()
    unit = UnitRefSerializer()
    cohort = NamedRefSerializer()
    programme = serializers.UUIDField()
    learning_hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        help_text=_("The programme's hours of learning, once completed (as in the HR export)."),
    )
    unit_status = serializers.CharField()
    unit_completed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """Flat and fast: a feed page holds up to 500 rows (see benchmarks/api.py), read as
        dicts of `lup.reporting.selectors.COMPLETION_VALUES`, not model instances."""
        return {
            "id": str(instance["public_id"]),
            "updated_at": _iso(instance["updated_at"]),
            "status": instance["status"],
            "role": instance["role"],
            "completed_at": _iso(instance["completed_at"]),
            "person": {
                "email": instance["user__email"],
                "first_name": instance["user__first_name"],
                "last_name": instance["user__last_name"],
            },
            "unit": {
                "id": str(instance["enrolment__unit__public_id"]),
                "code": instance["enrolment__unit__code"],
                "name": instance["enrolment__unit__name"],
            },
            "cohort": {
                "id": str(instance["enrolment__cohort__public_id"]),
                "name": instance["enrolment__cohort__name"],
            },
            "programme": str(instance["enrolment__cohort__programme__public_id"]),
            "learning_hours": _decimal_text(
                credited_learning_hours(
                    instance["status"], instance["enrolment__cohort__programme__learning_hours"]
                )
            ),
            "unit_status": instance["enrolment__status"],
            "unit_completed_at": _iso(instance["enrolment__completed_at"]),
        }


_DATETIME = serializers.DateTimeField()


def _decimal_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(value: Any) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)
