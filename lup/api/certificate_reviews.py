"""Certificates to review after a withdrawn completion: the open ones in the caller's scope,
and the decision (revoke or keep) through the same service as the page.

The scope is `lup.scoping.certificate_reviews_for`: the programme administrators of the
programme's organisation (those who may revoke certificates). Anyone else sees an empty
list, and a review out of scope (another organisation's) is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .. import certification, scoping
from ..models import CertificateReview
from .base import ApiDefaults, extend_schema, is_number, service_errors


class CertificateReviewSerializer(serializers.ModelSerializer):
    certificate = serializers.UUIDField(
        source="certificate.public_id",
        read_only=True,
        help_text="The certificate's id (as in /api/v1/certificates/).",
    )
    code = serializers.CharField(source="certificate.display_code", read_only=True)
    kind = serializers.SerializerMethodField()
    recipient_name = serializers.CharField(source="certificate.recipient_name", read_only=True)
    achievement = serializers.CharField(source="certificate.achievement", read_only=True)
    programme = serializers.UUIDField(source="programme.public_id", read_only=True)
    withdrawal_reason = serializers.SerializerMethodField()

    class Meta:
        model = CertificateReview
        fields = [
            "id",
            "certificate",
            "code",
            "kind",
            "recipient_name",
            "achievement",
            "programme",
            "withdrawal_reason",
            "opened_at",
            "decision",
            "decided_at",
        ]
        read_only_fields = fields

    def get_kind(self, review: CertificateReview) -> str:
        """participant (a personal certificate) or unit (a unit's certificate)."""
        return certification.review_kind(review)

    def get_withdrawal_reason(self, review: CertificateReview) -> str:
        """Why the completion was withdrawn, in the request's language."""
        return certification.withdrawal_reason_text(review.reason)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=CertificateReview.Decision.choices)
    reason = serializers.CharField(
        max_length=certification.REVIEW_NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="A note for the audit log (optional).",
    )


@extend_schema_view(
    list=extend_schema(
        summary="List certificates to review after a withdrawn completion",
        description=(
            "Valid certificates whose completion was withdrawn, each waiting for an "
            "administrator to revoke or keep it (oldest first)."
        ),
        tags=["certificates"],
    )
)
class CertificateReviewViewSet(ApiDefaults, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Open certificate reviews of the caller's organisations' programmes."""

    serializer_class = CertificateReviewSerializer
    lookup_value_regex = "[^/]+"

    def scope(self) -> QuerySet[CertificateReview]:
        return (
            scoping.certificate_reviews_for(self.request.user)
            .select_related("certificate")
            .defer(*certification.reviews.CERTIFICATE_FIELDS_NOT_READ)
            .order_by("opened_at", "pk")
        )

    def get_queryset(self) -> QuerySet[CertificateReview]:
        return certification.open_reviews(self.scope())

    @extend_schema(
        summary="Revoke or keep a certificate under review",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The review's id."
            )
        ],
        request=DecisionSerializer,
        responses=CertificateReviewSerializer,
        tags=["certificates"],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def decide(self, request: Request, pk: str) -> Response:
        """`revoked` revokes the certificate (its verification says revoked), `kept` leaves
        it valid; both are audited. A review already decided is 400."""
        if not is_number(pk):
            raise Http404  # not an id: as absent as one out of scope
        # Decided ones too: deciding again is a clear 400, not a 404.
        review = get_object_or_404(self.scope(), pk=int(pk))
        given = DecisionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            decided = certification.decide_review(
                review=review,
                decision=given.validated_data["decision"],
                decided_by=request.user,
                reason_text=given.validated_data["reason"],
            )
        return Response(CertificateReviewSerializer(self._reloaded(decided)).data)

    def _reloaded(self, review: CertificateReview) -> Any:
        return self.scope().get(pk=review.pk)
