"""Anonymising a person in the API, as on the confirmation page: GET says exactly what
would change (`lup.privacy.anonymise.plan_anonymisation`), POST does it
(`anonymise_person`). The person is named by the id of one of their participations (the
API's id for a person on a team), within the caller's scope; the permission is
`lup.anonymise_person`, as for the page."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .. import scoping
from ..privacy.anonymise import anonymise_person, plan_anonymisation
from ..privacy.register import OnAnonymise
from .base import api_view, extend_schema, is_uuid, service_errors

PERSON_PARAMETER = OpenApiParameter(
    "id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description=gettext_lazy("The id of one of the person's participations (a participant)."),
)


class EntryPlanSerializer(serializers.Serializer):
    model = serializers.CharField(help_text=gettext_lazy("The register entry's model."))
    label = serializers.CharField()
    category = serializers.CharField()
    rule = serializers.ChoiceField(choices=OnAnonymise.choices)
    rows = serializers.IntegerField(help_text=gettext_lazy("Rows about the person."))
    quoting = serializers.IntegerField(
        help_text=gettext_lazy("Rows, anyone's, that quote the person's name or address.")
    )
    outcome = serializers.CharField(help_text=gettext_lazy("What happens to them, in words."))
    note = serializers.CharField(allow_blank=True)


class CertificatePlanSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="certificate.public_id")
    code = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=["revoke", "withhold", "already_revoked", "redraw"],
        help_text=gettext_lazy(
            "revoke: revoked as anonymised, without the name; withhold: stays valid without "
            "the name; already_revoked: the name is withheld; redraw: names the person among "
            "others, drawn again without the name."
        ),
    )
    description = serializers.CharField()


class AnonymisationPlanSerializer(serializers.Serializer):
    pseudonym = serializers.CharField(
        help_text=gettext_lazy("What the person is called everywhere afterwards.")
    )
    refusal = serializers.CharField(
        allow_blank=True, help_text=gettext_lazy("Why it would be refused; empty if it would not.")
    )
    entries = EntryPlanSerializer(many=True, source="changes")
    certificates = CertificatePlanSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["totals"] = instance.totals()
        return data


class AnonymisedSerializer(serializers.Serializer):
    pseudonym = serializers.CharField()
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy(
            "Rows deleted, kept (showing the pseudonym) and redacted (quotes replaced); "
            "certificates revoked, with the name withheld, and drawn again."
        ),
    )


@extend_schema(
    methods=["GET"],
    summary="What anonymising a person would change",
    parameters=[PERSON_PARAMETER],
    responses=AnonymisationPlanSerializer,
    tags=["people"],
)
@extend_schema(
    methods=["POST"],
    summary="Anonymise a person who has left",
    parameters=[PERSON_PARAMETER],
    request=None,
    responses=AnonymisedSerializer,
    tags=["people"],
)
@api_view(["GET", "POST"])
def person_anonymisation(request: Request, id: str) -> Response:
    """GET: exactly what anonymising the person would change (nothing changes). POST: do
    it, for good: their name and addresses go everywhere, their figures and team work
    stay under a pseudonym, and their certificates follow the organisation's policy.
    Refused with 400 (nothing changed) for oneself, someone already anonymised, or
    someone with roles in another organisation."""
    if not is_uuid(id):
        raise Http404
    user = request.user
    participant = scoping.participants_for(user).filter(public_id=id).select_related("user").first()
    if participant is None:
        raise Http404
    if not user.has_perm("lup.anonymise_person"):
        raise PermissionDenied(_("Only administrators anonymise people."))
    person = participant.user
    if request.method == "GET":
        return Response(AnonymisationPlanSerializer(plan_anonymisation(person, user)).data)
    if person.pk == user.pk:
        raise ApiValidationError({"non_field_errors": [_("You cannot anonymise yourself.")]})
    with service_errors():
        done = anonymise_person(person=person, actor=user)
    return Response(AnonymisedSerializer({"pseudonym": done.pseudonym, "counts": done.counts}).data)
