"""Who is calling the API: the signed-in person, or the system whose token is used."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from ..reporting.models import ApiToken
from . import serializers
from .base import api_view, extend_schema


@extend_schema(summary="Who is calling", responses=serializers.MeSerializer, tags=["me"])
@api_view(["GET"])
def me(request: Request) -> Response:
    """Who is signed in (or which system's token is calling), and what their roles let
    them see."""
    user: Any = request.user
    token = request.auth if isinstance(request.auth, ApiToken) else None
    return Response(
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "is_superuser": user.is_superuser,
            "organisations": sorted(
                user.lup_memberships.values_list("organisation__name", flat=True)
            ),
            "facilitates": sorted(user.lup_facilitated_cohorts.values_list("name", flat=True)),
            "token_scope": token.scope if token is not None else None,
        }
    )
