"""Certificates in the API: those the caller may see (as `certificates`' adapter decides,
lup's follows `lup.scoping`), public verification by code, and revocation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.decorators import action, permission_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from certificates.api import (
    CREDENTIAL_RELATED,
    Certificate,
    certificate_by_code,
    credential_addresses,
    get_adapter,
    revoke_certificate,
    verify_file,
)

from .base import ScopedViewSet, api_view, extend_schema, read_schema, service_errors


class CredentialAddressesSerializer(serializers.Serializer):
    """Where a certificate's signed Open Badges 3.0 credential and its parts are (public)."""

    id = serializers.URLField(help_text=_lazy("The credential as JSON-LD (its id)."))
    signed = serializers.URLField(
        allow_null=True,
        help_text=_lazy("The signed credential (VC-JWT); None once the name is withheld."),
    )
    issuer = serializers.URLField(help_text=_lazy("The issuer's Open Badges profile."))
    achievement = serializers.URLField(help_text=_lazy("The achievement's definition."))
    status_list = serializers.URLField(help_text=_lazy("The issuer's revocation status list."))
    status_list_index = serializers.IntegerField(
        help_text=_lazy("The credential's bit in the status list.")
    )


class CertificateSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    code = serializers.CharField(source="display_code", read_only=True)
    status = serializers.SerializerMethodField()
    name_withheld = serializers.SerializerMethodField()
    credential = serializers.SerializerMethodField()

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
            "credential",
        ]

    def get_status(self, certificate: Certificate) -> str:
        """valid or revoked."""
        return "revoked" if certificate.is_revoked else "valid"

    def get_name_withheld(self, certificate: Certificate) -> bool:
        """Whether the recipient's name is withheld (they were anonymised)."""
        return certificate.name_withheld_at is not None

    @extend_schema_field(CredentialAddressesSerializer(allow_null=True))
    def get_credential(self, certificate: Certificate) -> dict[str, Any] | None:
        """Its signed Open Badges credential's addresses (None if it has none yet)."""
        return credential_addresses(certificate)


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
    credential = CredentialAddressesSerializer(allow_null=True)


class CredentialCheckSerializer(serializers.Serializer):
    check = serializers.ChoiceField(
        choices=["format", "issuer", "key", "signature", "dates", "issued", "status"]
    )
    passed = serializers.BooleanField(
        allow_null=True, help_text=_lazy("None: not checked (an earlier check failed).")
    )
    detail = serializers.CharField()


class CredentialVerificationSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=["valid", "revoked", "unsigned", "invalid"],
        help_text=_lazy(
            "unsigned: a JSON copy that matches our record but proves nothing by itself."
        ),
    )
    checks = CredentialCheckSerializer(many=True)
    certificate = serializers.DictField(
        allow_null=True, help_text=_lazy("The certificate's code and credential id, if ours.")
    )


class CredentialUploadSerializer(serializers.Serializer):
    credential = serializers.CharField(
        max_length=1024 * 1024,
        trim_whitespace=True,
        help_text=_lazy("The signed credential (VC-JWT), or the credential as JSON text."),
    )


class RevocationSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


@read_schema(listing="List certificates", detail="Get a certificate", tag="certificates")
class CertificateViewSet(ScopedViewSet):
    """Certificates the caller may see: their own, and those of the achievements in their
    scope (their teams', cohorts' and organisation's)."""

    serializer_class = CertificateSerializer

    def scope(self) -> QuerySet[Any]:
        certificates = (
            Certificate.objects.select_related(*CREDENTIAL_RELATED)
            .defer("body", "details", "credential__signed")
            .order_by("-pk")
        )
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
                "credential": credential_addresses(certificate),
            }
        ).data
    )


@extend_schema(
    summary="Verify an Open Badges credential (public)",
    request=CredentialUploadSerializer,
    responses=CredentialVerificationSerializer,
    tags=["certificates"],
    auth=[],
)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
def verify_credential(request: Request) -> Response:
    """Check a credential we issued: its issuer, key, signature, dates and revocation, each
    reported. Anyone may ask; a credential that is not ours is invalid here (check it with
    its own issuer). Rate limited per address."""
    given = CredentialUploadSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    result = verify_file(given.validated_data["credential"].encode())
    return Response(CredentialVerificationSerializer(result.as_dict()).data)
