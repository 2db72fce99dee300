"""Announcements in the API: those the caller may read (sent to them, or that they manage),
and writing one to a cohort, a team or all units of a programme through the same service as
the announcement pages (`lup.announcements.services.send_announcement`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .. import permissions, scoping
from ..announcements import selectors
from ..announcements.services import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, send_announcement
from ..notifications.models import Announcement
from .base import ApiDefaults, extend_schema, is_number, read_schema

Audience = Announcement.Audience


class AnnouncementSerializer(serializers.ModelSerializer):
    programme = serializers.UUIDField(source="programme.public_id", read_only=True)
    cohort = serializers.UUIDField(source="cohort.public_id", read_only=True, allow_null=True)
    team = serializers.UUIDField(
        source="enrolment.public_id",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The unit's enrolment, for an announcement to a team."),
    )
    author = serializers.SerializerMethodField()

    class Meta:
        model = Announcement
        fields = [
            "id",
            "programme",
            "audience",
            "cohort",
            "team",
            "subject",
            "body",
            "author",
            "recipient_count",
            "created_at",
        ]

    def get_author(self, announcement: Announcement) -> str:
        author = announcement.author
        if author is None:
            return ""
        return str(author.get_full_name() or author.email)


class AnnouncementCreateSerializer(serializers.Serializer):
    audience = serializers.ChoiceField(choices=Audience.choices)
    programme = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "The programme, for an announcement to all its units (else the cohort's)."
        ),
    )
    cohort = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The cohort, for an announcement to a cohort."),
    )
    team = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The unit's enrolment in a cohort, for an announcement to a team."),
    )
    # Blank is the service's to refuse, with the same words as the announcement pages.
    subject = serializers.CharField(max_length=SUBJECT_MAX_LENGTH, allow_blank=True)
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, allow_blank=True)


@contextmanager
def _service_errors() -> Iterator[None]:
    """The service's refusal as a 400, its `enrolment` named `team` as in the request."""
    try:
        yield
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            messages = error.message_dict
            renamed = {("team" if name == "enrolment" else name): m for name, m in messages.items()}
            if "__all__" in renamed:
                renamed["non_field_errors"] = renamed.pop("__all__")
            raise ApiValidationError(renamed) from error
        raise ApiValidationError({"non_field_errors": error.messages}) from error


@read_schema(listing="List announcements", detail="Get an announcement", tag="announcements")
class AnnouncementViewSet(ApiDefaults, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Announcements the caller may read, newest first: those sent to them, and those to the
    cohorts they facilitate or the programmes whose office they are. Facilitators write to
    their cohorts and teams; the programme's office also to all its units."""

    serializer_class = AnnouncementSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.announcements_for(self.request.user)

    def get_object(self) -> Any:
        if not is_number(self.kwargs[self.lookup_url_kwarg or self.lookup_field]):
            raise Http404
        return super().get_object()

    @extend_schema(
        summary="Send an announcement",
        request=AnnouncementCreateSerializer,
        responses={201: AnnouncementSerializer},
        tags=["announcements"],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Write to a cohort (`audience` "cohort" and `cohort`), one team ("team" and
        `team`) or all units of a programme ("programme" and `programme`). Each current
        team member of the units it is for (and, for a cohort or a team, the cohort's
        facilitators) is told once. The cohort's facilitators and the programme's
        administrators only; an empty subject or message, or nobody to send to, is a 400
        and nothing is sent."""
        given = AnnouncementCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        user = request.user
        audience = data["audience"]
        programme = cohort = enrolment = None
        if audience == Audience.TEAM:
            if not data.get("team"):
                raise ApiValidationError({"team": [_("Give the team's id.")]})
            enrolment = (
                scoping.enrolments_for(user)
                .select_related("unit", "cohort__programme__organisation")
                .filter(public_id=data["team"])
                .first()
            )
            if enrolment is None:
                raise ApiValidationError({"team": [_("No team with this id in your scope.")]})
            cohort = enrolment.cohort
        elif audience == Audience.COHORT:
            if not data.get("cohort"):
                raise ApiValidationError({"cohort": [_("Give the cohort's id.")]})
            cohort = (
                scoping.cohorts_for(user)
                .select_related("programme__organisation")
                .filter(public_id=data["cohort"])
                .first()
            )
            if cohort is None:
                raise ApiValidationError({"cohort": [_("No cohort with this id in your scope.")]})
        if cohort is not None:
            programme = cohort.programme
            if data.get("programme") and data["programme"] != programme.public_id:
                raise ApiValidationError({"programme": [_("The cohort is not in this programme.")]})
        else:
            if not data.get("programme"):
                raise ApiValidationError({"programme": [_("Give the programme's id.")]})
            programme = (
                scoping.programmes_for(user)
                .select_related("organisation")
                .filter(public_id=data["programme"])
                .first()
            )
            if programme is None:
                raise ApiValidationError(
                    {"programme": [_("No programme with this id in your scope.")]}
                )
        if not permissions.can_announce(user, programme, cohort):
            raise PermissionDenied(_("You may not write announcements to them."))
        with _service_errors():
            announcement = send_announcement(
                author=user,
                programme=programme,
                audience=audience,
                cohort=cohort,
                enrolment=enrolment,
                subject=data["subject"],
                body=data["body"],
            )
        shown = self.get_queryset().get(pk=announcement.pk)
        return Response(AnnouncementSerializer(shown).data, status=status.HTTP_201_CREATED)
