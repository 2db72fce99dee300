"""Closing a cohort in the API, as on the cohort's closing page: each unit still enrolled
has not completed, or moves to a later cohort of the programme with its team and project
(`lup.services.close_cohort`). The cohort's organisation's administrators only."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .. import permissions, scoping, services
from ..models import UnitEnrolment
from .base import ID_PARAMETER, api_view, extend_schema, is_uuid, service_errors
from .serializers import CohortSerializer

# More moves than a cohort has units is a mistake, not a request to serve.
MAX_MOVES = 1000


class MoveSerializer(serializers.Serializer):
    enrolment = serializers.UUIDField(
        help_text=gettext_lazy("The id of a unit's enrolment in the cohort being closed.")
    )
    to_cohort = serializers.UUIDField(
        help_text=gettext_lazy("The id of a later, open cohort of the same programme.")
    )


class CloseCohortSerializer(serializers.Serializer):
    moves = MoveSerializer(
        many=True,
        allow_empty=True,
        max_length=MAX_MOVES,
        help_text=gettext_lazy(
            "The units still enrolled that move to a later cohort; every other unit still "
            "enrolled has not completed. An empty list moves none."
        ),
    )

    def validate_moves(self, moves: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[Any] = set()
        for move in moves:
            if move["enrolment"] in seen:
                raise serializers.ValidationError(
                    _("Enrolment %(id)s is given more than once.") % {"id": move["enrolment"]}
                )
            seen.add(move["enrolment"])
        return moves


class MovedUnitSerializer(serializers.Serializer):
    enrolment = serializers.UUIDField(help_text=gettext_lazy("The enrolment in the closed cohort."))
    unit = serializers.UUIDField()
    to_cohort = serializers.UUIDField()
    to_enrolment = serializers.UUIDField(
        help_text=gettext_lazy("The unit's new enrolment, which now holds its team and project.")
    )


class CohortClosingSerializer(serializers.Serializer):
    cohort = CohortSerializer()
    not_completed = serializers.ListField(
        child=serializers.UUIDField(),
        help_text=gettext_lazy("The enrolments now marked as not completed."),
    )
    moved = MovedUnitSerializer(many=True)
    completed = serializers.ListField(
        child=serializers.UUIDField(),
        help_text=gettext_lazy(
            "Enrolments whose team had met the rule: their completion was recorded on closing."
        ),
    )


@extend_schema(
    summary="Close a cohort",
    parameters=[ID_PARAMETER],
    request=CloseCohortSerializer,
    responses=CohortClosingSerializer,
    tags=["cohorts"],
)
@api_view(["POST"])
def cohort_close(request: Request, id: str) -> Response:
    """Close a cohort that has started: each unit still enrolled has not completed, or
    moves to the later cohort given for it, with its team and project. Completed and
    withdrawn units stay. Programme administrators of the cohort's organisation only;
    a closed cohort cannot be closed again (400)."""
    if not is_uuid(id):
        raise Http404
    user = request.user
    cohort = scoping.cohorts_for(user).filter(public_id=id).first()
    if cohort is None:
        raise Http404
    if not permissions.can_close_cohort(user, cohort):
        raise PermissionDenied(_("Only the programme's administrators close cohorts."))
    given = CloseCohortSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    moves = given.validated_data["moves"]
    enrolments = {
        enrolment.public_id: enrolment
        for enrolment in UnitEnrolment.objects.filter(
            cohort=cohort, public_id__in=[move["enrolment"] for move in moves]
        )
    }
    targets = {
        target.public_id: target
        for target in scoping.cohorts_for(user).filter(
            public_id__in=[move["to_cohort"] for move in moves]
        )
    }
    errors = []
    for move in moves:
        if move["enrolment"] not in enrolments:
            errors.append(
                _("No unit enrolment with the id %(id)s in %(cohort)s.")
                % {"id": move["enrolment"], "cohort": cohort.name}
            )
        if move["to_cohort"] not in targets:
            errors.append(
                _("No cohort with the id %(id)s in your scope.") % {"id": move["to_cohort"]}
            )
    if errors:
        raise ApiValidationError({"moves": errors})
    with service_errors():
        closing = services.close_cohort(
            cohort=cohort,
            closed_by=user,
            moves={enrolments[move["enrolment"]]: targets[move["to_cohort"]] for move in moves},
        )
    outcome = {
        "cohort": closing.cohort,
        "not_completed": [enrolment.public_id for enrolment in closing.not_completed],
        "moved": [
            {
                "enrolment": old.public_id,
                "unit": old.unit.public_id,
                "to_cohort": new.cohort.public_id,
                "to_enrolment": new.public_id,
            }
            for old, new in closing.moved
        ],
        "completed": [enrolment.public_id for enrolment in closing.completed],
    }
    return Response(CohortClosingSerializer(outcome).data)
