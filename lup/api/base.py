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
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular import utils as spectacular
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework import decorators, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from .authentication import ApiTokenAuthentication
from .pagination import PageNumberPagination
from .parsers import JSONParser
from .permissions import TokenScope
from .throttling import AnonRateThrottle, TokenOrUserRateThrottle

MAX_ID = 2**63 - 1


class ApiDefaults:
    """What every view of the API uses unless it sets its own, set on the views
    themselves, never through REST_FRAMEWORK's global defaults: those belong to the host
    project's own API (README, "Installing the apps into another Django project"), and
    must neither loosen ours (DRF's default permission is AllowAny) nor be changed by us.

    Put it first among a view's bases: `class V(ApiDefaults, viewsets.GenericViewSet)`.
    Function views get the same from this module's `api_view`.
    """

    # Token first, so a bad token answers 401; without one, the session (403 if none).
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenScope]
    # JSON bodies nested past a limit get a clear 400, not a RecursionError (parsers).
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    throttle_classes = [TokenOrUserRateThrottle, AnonRateThrottle]
    pagination_class = PageNumberPagination
    filter_backends = [DjangoFilterBackend]
    schema = AutoSchema()  # drf-spectacular's, whatever DEFAULT_SCHEMA_CLASS says


def api_view(methods: list[str]) -> Any:
    """DRF's `api_view`, with `ApiDefaults` for what the function's own decorators
    (`permission_classes`, `renderer_classes`, ...) leave unset."""

    def decorator(function: Any) -> Any:
        for name in (
            "authentication_classes",
            "permission_classes",
            "parser_classes",
            "renderer_classes",
            "throttle_classes",
        ):
            if not hasattr(function, name):
                setattr(function, name, getattr(ApiDefaults, name))
        if not hasattr(function, "schema"):
            function.schema = AutoSchema()
        view = decorators.api_view(methods)(function)
        view.cls.kwargs = {"schema": AutoSchema}  # what `extend_schema` below builds on
        return view

    return decorator


def extend_schema(**kwargs: Any) -> Any:
    """drf-spectacular's `extend_schema`, building on its own AutoSchema.

    On a view method or an `api_view` function the original builds on DRF's
    DEFAULT_SCHEMA_CLASS, the host project's setting: without drf-spectacular's class
    there, the schema could not be made. Classes build on `ApiDefaults.schema`."""
    decorate = spectacular.extend_schema(**kwargs)

    def decorator(target: Any) -> Any:
        if callable(target) and not isinstance(target, type) and not hasattr(target, "cls"):
            if not hasattr(target, "kwargs"):
                target.kwargs = {}
            target.kwargs.setdefault("schema", AutoSchema)
        return decorate(target)

    return decorator


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


class ScopedViewSet(ApiDefaults, viewsets.ReadOnlyModelViewSet):
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
