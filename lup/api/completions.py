"""The completions feed: every participant in the caller's scope with their completion,
in a stable order for systems that sync incrementally (HR's report rows, as a feed)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, viewsets

from ..reporting.selectors import completion_rows, completion_values
from . import filters, serializers
from .base import ApiDefaults, extend_schema
from .pagination import FeedCursorPagination
from .permissions import REPORTS_AREA


@extend_schema_view(
    list=extend_schema(
        summary="The completions feed",
        description=(
            "Participants' completion status, ordered by (updated_at, id), for systems that "
            "sync incrementally: follow `next` until it is null, remember the last row's "
            "`updated_at`, and next time ask with `updated_since` set to it. Up to 500 a page."
        ),
        tags=["completions"],
    )
)
class CompletionViewSet(ApiDefaults, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every participant in the caller's scope with their completion, unit and programme."""

    api_area = REPORTS_AREA
    serializer_class = serializers.CompletionSerializer
    filterset_class = filters.CompletionFilter
    pagination_class = FeedCursorPagination

    def get_queryset(self) -> QuerySet[Any]:
        # HR's report rows (the scope), as the values a row shows; the paginator orders.
        return completion_values(completion_rows(self.request.user))
