"""Serializers of lup's API: resources are identified by their public UUID."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import Cohort, Participant, Programme, ServiceUnit


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


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
        ]


class TargetProgressSerializer(serializers.Serializer):
    completed = serializers.IntegerField()
    target = serializers.IntegerField()
    population = serializers.IntegerField()
    units_in_progress = serializers.IntegerField()
    guest_units_completed = serializers.IntegerField()
    forecast_at_deadline = serializers.IntegerField()
    pace_per_30_days = serializers.FloatField()
    on_track = serializers.BooleanField()
    series = serializers.SerializerMethodField()

    def get_series(self, progress: Any) -> list[dict[str, Any]]:
        return [{"date": point.day, "completed": point.completed} for point in progress.series]


class CohortSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = serializers.UUIDField(source="programme.public_id", read_only=True)

    class Meta:
        model = Cohort
        fields = ["id", "name", "programme", "starts_on", "ends_on"]


class ServiceUnitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    sector = serializers.CharField(source="sector.name", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = ServiceUnit
        fields = ["id", "code", "name", "sector", "organisation", "active"]


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
            "unit",
            "cohort",
        ]
