"""The signed-in person's notifications in the API, as on the page "Notifications": the list,
newest first, written in the request's language, with the unread count; and marking some
(or all) of them read.

Only the person signed in (a session) gets their notifications: an API token acts for a
system, not for a person (as for personal data, `personal_data.PERSON_ONLY`). Another
person's notifications are never listed, and their ids are ignored when marking read.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from ..notifications import selectors, services
from ..notifications.models import Notification
from .base import MAX_ID, ApiDefaults, extend_schema
from .pagination import PageNumberPagination
from .personal_data import PERSON_ONLY

# More ids than a page of the list holds are not marked in one request.
MAX_IDS = 500


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="notification.pk")
    kind = serializers.ChoiceField(choices=Notification.Kind.choices, source="notification.kind")
    subject = serializers.CharField(help_text=gettext_lazy("In the request's language."))
    lines = serializers.ListField(
        child=serializers.CharField(),
        help_text=gettext_lazy("What it says, paragraph by paragraph, in the request's language."),
    )
    url = serializers.CharField(
        source="notification.url",
        help_text=gettext_lazy("The page it is about (absolute), or empty."),
    )
    created_at = serializers.DateTimeField(source="notification.created_at")
    read_at = serializers.DateTimeField(source="notification.read_at", allow_null=True)


class NotificationPagination(PageNumberPagination):
    """Numbered pages (30 by default) with the person's unread count beside them."""

    page_size = 30

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["unread"] = selectors.unread_count(self.request.user)
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["unread"] = {
            "type": "integer",
            "description": "How many of the person's notifications are unread (all pages).",
        }
        paginated["required"] = [*paginated.get("required", []), "unread"]
        return paginated


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=MAX_IDS,
        help_text=gettext_lazy("The notifications to mark read (another person's are ignored)."),
    )
    all = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("True: mark every one read.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("all") == ("ids" in attrs):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give either the ids to mark read, or all: true.")]}
            )
        return attrs


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=gettext_lazy("How many were unread."))
    unread = serializers.IntegerField(help_text=gettext_lazy("How many are unread now."))


class MyNotifications(ApiDefaults, generics.GenericAPIView):
    """The person's own notifications."""

    permission_classes = PERSON_ONLY
    pagination_class = NotificationPagination
    serializer_class = NotificationSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return selectors.notifications_of(self.request.user)

    @extend_schema(
        summary="Your notifications, the newest first",
        description=(
            "Each with its subject and text in the request's language (Accept-Language), its "
            "link and whether it is read; `unread` counts the unread ones on every page. "
            "Signed-in sessions only: API tokens get 403."
        ),
        tags=["me"],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = selectors.shown(page)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class MarkNotificationsRead(ApiDefaults, generics.GenericAPIView):
    """Mark the person's own notifications read."""

    permission_classes = PERSON_ONLY
    serializer_class = MarkReadSerializer

    @extend_schema(
        summary="Mark your notifications read",
        description=(
            "Either `ids` (yours; another person's are ignored) or `all: true`. "
            "Signed-in sessions only: API tokens get 403."
        ),
        request=MarkReadSerializer,
        responses={200: MarkedSerializer},
        tags=["me"],
    )
    def post(self, request: Request) -> Response:
        given = MarkReadSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        ids = None if given.validated_data["all"] else given.validated_data["ids"]
        marked = services.mark_read(user=request.user, notification_ids=ids)
        return Response(
            MarkedSerializer(
                {"marked": marked, "unread": selectors.unread_count(request.user)}
            ).data
        )
