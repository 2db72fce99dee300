"""Certificates in the API: those the caller may see (as `certificates`' adapter decides,
lup's follows `lup.scoping`), public verification by code, and revocation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from certificates.api import Certificate, certificate_by_code, get_adapter, revoke_certificate

from .base import ScopedViewSet, read_schema, service_errors


class CertificateSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    code = serializers.CharField(source="display_code", read_only=True)
    status = serializers.SerializerMethodField()
    name_withheld = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "code",
            "status",
            "source_key",
            "recipient_name",
            "name_withheld",
            "achievement",
            "issuer",
            "issued_on",
            "revoked_at",
            "revocation_reason",
            "sha256",
        ]

    def get_status(self, certificate: Certificate) -> str:
        """valid or revoked."""
        return "revoked" if certificate.is_revoked else "valid"

    def get_name_withheld(self, certificate: Certificate) -> bool:
        """Whether the recipient's name is withheld (they were anonymised)."""
        return certificate.name_withheld_at is not None


class VerificationSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "revoked"])
    valid = serializers.BooleanField()
    recipient_name = serializers.CharField(
        allow_null=True, help_text=_lazy("None when the name is withheld.")
    )
    name_withheld = serializers.BooleanField(
        help_text=_lazy("The recipient was anonymised: the certificate names no one.")
    )
    achievement = serializers.CharField()
    issuer = serializers.CharField()
    issued_on = serializers.DateField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField()


class RevocationSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


@read_schema(listing="List certificates", detail="Get a certificate", tag="certificates")
class CertificateViewSet(ScopedViewSet):
    """Certificates the caller may see: their own, and those of the achievements in their
    scope (their teams', cohorts' and organisation's)."""

    serializer_class = CertificateSerializer

    def scope(self) -> QuerySet[Any]:
        certificates = Certificate.objects.defer("pdf", "body", "details").order_by("-pk")
        if not self.request.user.is_authenticated:
            return certificates.none()
        return get_adapter().visible_certificates(self.request.user, certificates)

    @extend_schema(
        summary="Revoke a certificate",
        request=RevocationSerializer,
        responses=CertificateSerializer,
        tags=["certificates"],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def revoke(self, request: Request, id: str) -> Response:
        """Revoke with a reason (administrators). It stays; verification says revoked."""
        certificate = self.get_object()
        if not request.user.has_perm("certificates.revoke_certificate"):
            raise PermissionDenied(_("Only administrators revoke certificates."))
        given = RevocationSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        with service_errors():
            revoked = revoke_certificate(
                certificate=certificate,
                reason=given.validated_data["reason"],
                revoked_by=request.user,
            )
        return Response(CertificateSerializer(revoked).data)


@extend_schema(
    summary="Verify a certificate by its code (public)",
    parameters=[
        OpenApiParameter(
            "code",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description="The code printed on the certificate (with or without dashes).",
        )
    ],
    responses=VerificationSerializer,
    tags=["certificates"],
    auth=[],
)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def verify_certificate(request: Request, code: str) -> Response:
    """Whether the certificate with this code is valid, and what it says. Anyone may ask;
    an unknown code is 404. Rate limited per address."""
    certificate = certificate_by_code(code)
    if certificate is None:
        raise Http404
    return Response(
        VerificationSerializer(
            {
                "code": certificate.display_code,
                "status": "revoked" if certificate.is_revoked else "valid",
                "valid": not certificate.is_revoked,
                "recipient_name": None
                if certificate.name_withheld_at
                else certificate.recipient_name,
                "name_withheld": certificate.name_withheld_at is not None,
                "achievement": certificate.achievement,
                "issuer": certificate.issuer,
                "issued_on": certificate.issued_on,
                "revoked_at": certificate.revoked_at,
                "sha256": certificate.sha256,
            }
        ).data
    )
