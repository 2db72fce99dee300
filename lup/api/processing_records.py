"""An organisation's records of processing activities (GDPR article 30(1)) in the API: the
same rows as the PDF, for the organisation's administrators."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import permissions
from ..models import Organisation
from ..privacy.records import processing_records
from .base import ID_PARAMETER, ApiDefaults, extend_schema, is_uuid


class ControllerSerializer(serializers.Serializer):
    name = serializers.CharField()
    organisation_number = serializers.CharField(help_text="Nine digits, or empty.")


class OfficerSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Name or role; empty when not given.")
    email = serializers.CharField(help_text="Empty when not given.")


class CategoryRecordSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="The register's category key.")
    label = serializers.CharField()
    retention = serializers.ListField(child=serializers.CharField())
    months = serializers.ListField(
        child=serializers.IntegerField(), help_text="The periods in months, where there are."
    )
    days = serializers.ListField(
        child=serializers.IntegerField(), help_text="The periods in days, where there are."
    )


class ProcessingActivitySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    purposes = serializers.ListField(child=serializers.CharField())
    data_subjects = serializers.ListField(child=serializers.CharField())
    categories = CategoryRecordSerializer(many=True)
    recipients_inside = serializers.CharField(
        help_text="Who inside the organisation sees the data."
    )
    recipients_outside = serializers.ListField(
        child=serializers.CharField(), help_text="Configured services outside the platform."
    )
    transfers = serializers.CharField(help_text="Transfers to third countries.")


class ProcessingRecordsSerializer(serializers.Serializer):
    organisation = serializers.UUIDField(source="organisation.public_id")
    controller = ControllerSerializer()
    officer = OfficerSerializer()
    legal_basis = serializers.CharField()
    activities = ProcessingActivitySerializer(many=True)
    security_measures = serializers.ListField(child=serializers.CharField())
    not_included = serializers.CharField()
    created = serializers.DateField()
    language = serializers.CharField()


@extend_schema(parameters=[ID_PARAMETER], tags=["organisations"])
class OrganisationProcessingRecords(ApiDefaults, APIView):
    """An organisation's records of processing activities: its administrators only."""

    @extend_schema(
        summary="Get an organisation's records of processing activities",
        responses=ProcessingRecordsSerializer,
    )
    def get(self, request: Request, id: str) -> Response:
        if not request.user.has_perm(permissions.PROCESSING_RECORDS_PERMISSION):
            raise PermissionDenied(
                _("Only the organisation's administrators read its records of processing.")
            )
        if not is_uuid(id):
            raise Http404  # not an id: as absent as an id out of scope
        organisation = Organisation.objects.filter(public_id=id).first()
        if organisation is None or not permissions.may_view_processing_records(
            request.user, organisation
        ):
            raise Http404
        return Response(ProcessingRecordsSerializer(processing_records(organisation)).data)
