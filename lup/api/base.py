"""What every resource of the API shares: the scoped read-only viewset, the id checks that
make a malformed id as absent as one out of scope, and services' errors as 400s.

API views are thin. Reads start from lup.scoping like the HTML views (out of scope: 404,
or absent from lists and counts); writes check the HTML pages' rules and call the same
services. A token's scope is enforced by `permissions.TokenScope` for every view.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError

MAX_ID = 2**63 - 1

ID_PARAMETER = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The resource's id."
)


def read_schema(*, listing: str, detail: str, tag: str) -> Any:
    """The OpenAPI summaries of a resource's list and detail, under one tag (a class
    decorator)."""
    return extend_schema_view(
        list=extend_schema(summary=listing, tags=[tag]),
        retrieve=extend_schema(summary=detail, tags=[tag]),
    )


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's ValidationError is the caller's mistake: 400 with its messages."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ApiValidationError(error.message_dict) from error
        raise ApiValidationError({"non_field_errors": error.messages}) from error


def is_uuid(value: Any) -> bool:
    """Whether the value is a public id (a UUID)."""
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def is_number(value: Any) -> bool:
    """A database id: a whole number that fits a 64-bit integer."""
    text = str(value)
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists and looks up only what the requesting user's scope holds (else 404)."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"

    def scope(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.scope()

    def get_object(self) -> Any:
        if not is_uuid(self.kwargs[self.lookup_url_kwarg]):
            raise Http404  # not an id: as absent as an id out of scope
        return super().get_object()
