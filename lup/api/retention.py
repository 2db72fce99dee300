"""An organisation's retention periods in the API, as on the retention page
(`lup.privacy.retention_views`): read and set by the organisation's programme
administrators only; another organisation is as absent as an unknown id (404)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import Organisation
from ..permissions import RETENTION_PERMISSION
from ..privacy.categories import RetainedCategory
from ..privacy.periods import default_periods, own_periods
from ..privacy.services_retention import MAX_MONTHS, MIN_MONTHS, set_retention_periods
from ..scoping import retention_organisations_for
from .base import ID_PARAMETER, ApiDefaults, extend_schema, is_uuid, service_errors


class PeriodSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=RetainedCategory.choices)
    label = serializers.CharField(help_text=gettext_lazy("The category's name."))
    months = serializers.IntegerField(help_text=gettext_lazy("The period that applies."))
    default_months = serializers.IntegerField(
        help_text=gettext_lazy("The installation's default for the category.")
    )
    own = serializers.BooleanField(
        help_text=gettext_lazy("Whether the organisation set the period (else the default).")
    )


class RetentionSerializer(serializers.Serializer):
    organisation = serializers.UUIDField()
    periods = PeriodSerializer(many=True)


def _months_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=MIN_MONTHS,
        max_value=MAX_MONTHS,
        allow_null=True,
        required=False,
        help_text=gettext_lazy("Whole months from 1 to 240; null for the installation's default."),
    )


class RetentionChangeSerializer(serializers.Serializer):
    """The categories to change, each with its months (null: the default); categories
    left out stay as they are."""

    learning_records = _months_field()
    uploaded_files = _months_field()
    xapi_statements = _months_field()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise ApiValidationError(
                    {key: [_("There is no such category of data.")] for key in unknown}
                )
        return super().to_internal_value(data)


def _periods_of(organisation: Organisation) -> dict[str, Any]:
    defaults = default_periods()
    own = own_periods(organisation)
    return {
        "organisation": organisation.public_id,
        "periods": [
            {
                "category": category.value,
                "label": str(category.label),
                "months": own.get(category.value, defaults[category.value]),
                "default_months": defaults[category.value],
                "own": category.value in own,
            }
            for category in RetainedCategory
        ],
    }


@extend_schema(parameters=[ID_PARAMETER], tags=["organisations"])
class OrganisationRetention(ApiDefaults, generics.GenericAPIView):
    """How long the organisation keeps each category of personal data: its programme
    administrators read and set it (the nightly purge deletes what is older)."""

    serializer_class = RetentionSerializer

    def organisation(self) -> Organisation:
        user = self.request.user
        if not (user.is_superuser or user.has_perm(RETENTION_PERMISSION)):
            raise PermissionDenied(_("Only the organisation's administrators set retention."))
        if not is_uuid(self.kwargs["id"]):
            raise Http404  # not an id: as absent as an id out of scope
        found = retention_organisations_for(user).filter(public_id=self.kwargs["id"]).first()
        if found is None:
            raise Http404
        return found

    def get_object(self) -> Organisation:
        return self.organisation()  # also what OPTIONS asks before describing PUT

    def get_queryset(self) -> Any:
        return Organisation.objects.none()  # for the schema; the views read `organisation()`

    @extend_schema(summary="Get an organisation's retention periods")
    def get(self, request: Request, id: str) -> Response:
        return Response(RetentionSerializer(_periods_of(self.organisation())).data)

    @extend_schema(
        summary="Set an organisation's retention periods",
        request=RetentionChangeSerializer,
        responses=RetentionSerializer,
    )
    def put(self, request: Request, id: str) -> Response:
        """Set the periods given (months, or null for the default); the others stay.
        Audited with the old and new months."""
        organisation = self.organisation()
        given = RetentionChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            set_retention_periods(
                organisation=organisation,
                periods=dict(given.validated_data),
                actor=request.user,
            )
        return Response(RetentionSerializer(_periods_of(organisation)).data)
