"""The innovation barometer in the API, as on its pages (`lup.barometer.views`): a team's
rounds with the questions to answer, a round answered through the same service
(`lup.barometer.services.answer_round`), and a programme's results
(`lup.barometer.selectors.programme_results`) for those who read them: a group with fewer
than `selectors.MIN_ANSWERS` answers says only that, never its figures.

A team is a unit's enrolment in a cohort, named by the enrolment's id. Who may do what is
`lup.permissions`' (can_see_team_barometer, can_answer_barometer,
can_read_barometer_results), as for the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .. import permissions, scoping
from ..barometer import selectors, services
from ..barometer.models import BarometerResponse, BarometerRound
from ..barometer.questions import QUESTION_TYPES
from ..models import Programme, UnitEnrolment
from .base import ID_PARAMETER, api_view, extend_schema, is_uuid

Moment = BarometerRound.Moment
ROUND_STATES = ("upcoming", "open", "answered", "closed")
# A group's figures at a moment: shown, hidden (fewer answers than the minimum), or none yet.
FIGURE_STATES = ("shown", "too_few", "no_answers")

TEAM_PARAMETER = OpenApiParameter(
    "id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description=gettext_lazy("The team's id: its unit's enrolment in the cohort."),
)
MOMENT_PARAMETER = OpenApiParameter(
    "moment",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=Moment.values,
    description=gettext_lazy("The round: at the start, at the end, or the follow-up."),
)


# Shapes ----------------------------------------------------------------------------------


class OptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=gettext_lazy("The name the answer is given under."))
    type = serializers.ChoiceField(
        choices=QUESTION_TYPES,
        help_text=gettext_lazy(
            'yes_no: true or false (or "yes", "no"); number: a whole number from min to '
            "max; choice: one option's key; choices: a list of options' keys; ratings: an "
            "object rating each item's key from min to max."
        ),
    )
    text = serializers.CharField()
    min = serializers.IntegerField(required=False)
    max = serializers.IntegerField(required=False)
    options = OptionSerializer(many=True, required=False)
    items = OptionSerializer(many=True, required=False)


class QuestionSetSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text=gettext_lazy("Give it with the answers: answers to an older version are refused.")
    )
    questions = QuestionSerializer(many=True)


class RoundSerializer(serializers.Serializer):
    moment = serializers.ChoiceField(choices=Moment.choices)
    label = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField(help_text=gettext_lazy("The last day it is open."))
    state = serializers.ChoiceField(choices=ROUND_STATES)
    answered_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("The question set version the answers are to.")
    )
    answers = serializers.DictField(allow_null=True)


class TeamBarometerSerializer(serializers.Serializer):
    team = serializers.UUIDField()
    unit = serializers.UUIDField()
    cohort = serializers.UUIDField()
    can_answer = serializers.BooleanField(
        help_text=gettext_lazy("Whether the caller may answer on the unit's behalf.")
    )
    question_set = QuestionSetSerializer(
        help_text=gettext_lazy("The questions an open round is answered with.")
    )
    rounds = RoundSerializer(many=True)


class AnswerSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text=gettext_lazy("The version of the question set the answers are to.")
    )
    answers = serializers.DictField(
        help_text=gettext_lazy(
            "Each answer under its question's key; questions left out are not answered, "
            "except whether the unit introduced innovations."
        )
    )


class FiguresSerializer(serializers.Serializer):
    moment = serializers.ChoiceField(choices=Moment.choices)
    state = serializers.ChoiceField(
        choices=FIGURE_STATES,
        help_text=gettext_lazy(
            "too_few: some answers, but fewer than min_answers, so none of the figures."
        ),
    )
    answers = serializers.IntegerField(allow_null=True)
    innovative_share = serializers.FloatField(allow_null=True)
    means = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField()),
        help_text=gettext_lazy("The mean rating of each factor rated by enough units."),
    )


class GroupSerializer(serializers.Serializer):
    name = serializers.CharField()
    moments = FiguresSerializer(many=True)
    change = serializers.FloatField(
        allow_null=True,
        help_text=gettext_lazy(
            "The change in the share of innovative units from the start to the latest moment "
            "shown after it."
        ),
    )


class FactorSerializer(serializers.Serializer):
    question = serializers.CharField()
    items = OptionSerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    programme = serializers.UUIDField()
    version = serializers.IntegerField(
        help_text=gettext_lazy("The question set version the factors are named from.")
    )
    min_answers = serializers.IntegerField()
    reference_share = serializers.DecimalField(max_digits=4, decimal_places=3, allow_null=True)
    reference_source = serializers.CharField(allow_blank=True)
    factors = FactorSerializer(many=True)
    overall = GroupSerializer()
    cohorts = GroupSerializer(many=True)
    sectors = GroupSerializer(many=True)


# Reads --------------------------------------------------------------------------------------


def _team(request: Request, id: str) -> UnitEnrolment:
    """The team, for itself and for those who read the programme's results; someone who
    sees the team otherwise (its facilitator) is refused (403), anyone else finds nothing
    (404), as on the team's barometer page."""
    if not is_uuid(id):
        raise Http404
    enrolment = (
        UnitEnrolment.objects.select_related("unit", "cohort__programme__organisation")
        .filter(public_id=id)
        .first()
    )
    if enrolment is None:
        raise Http404
    if permissions.can_see_team_barometer(request.user, enrolment):
        return enrolment
    if permissions.in_scope(scoping.enrolments_for(request.user), enrolment):
        raise PermissionDenied(_("Only the unit's team and the programme's office see this."))
    raise Http404


def _text(text: str) -> str:
    # gettext("") is the catalogue's header, not an empty text
    return _(text) if text else ""


def _questions(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The questions in the caller's language, as the survey page shows them."""
    shown = []
    for question in schema["questions"]:
        entry: dict[str, Any] = {
            "key": question["key"],
            "type": question["type"],
            "text": _text(question["text"]),
        }
        for bound in ("min", "max"):
            if bound in question:
                entry[bound] = question[bound]
        for name in ("options", "items"):
            if name in question:
                entry[name] = [
                    {"key": option["key"], "text": _text(option.get("text", ""))}
                    for option in question[name]
                ]
        shown.append(entry)
    return shown


def _team_barometer(request: Request, enrolment: UnitEnrolment) -> dict[str, Any]:
    question_set = services.current_question_set(enrolment.cohort.programme)
    rounds = []
    for item in selectors.team_rounds(enrolment):
        response = item.response
        rounds.append(
            {
                "moment": item.moment,
                "label": item.label,
                "opens_on": item.opens_on,
                "closes_on": item.closes_on,
                "state": item.state,
                "answered_at": response.answered_at if response is not None else None,
                "version": response.question_set.version if response is not None else None,
                "answers": response.answers if response is not None else None,
            }
        )
    return {
        "team": enrolment.public_id,
        "unit": enrolment.unit.public_id,
        "cohort": enrolment.cohort.public_id,
        "can_answer": permissions.can_answer_barometer(request.user, enrolment),
        "question_set": {
            "version": question_set.version,
            "questions": _questions(question_set.schema),
        },
        "rounds": rounds,
    }


@extend_schema(
    summary="A team's barometer rounds",
    parameters=[TEAM_PARAMETER],
    responses=TeamBarometerSerializer,
    tags=["barometer"],
)
@api_view(["GET"])
def team_barometer(request: Request, id: str) -> Response:
    """The unit's three rounds (start, end, follow-up) with their dates, their state and
    the answers given, and the current question set to answer an open round with. For the
    unit's team and for the programme's administrators and HR."""
    enrolment = _team(request, id)
    return Response(TeamBarometerSerializer(_team_barometer(request, enrolment)).data)


# Answering ----------------------------------------------------------------------------------


@extend_schema(
    summary="Answer a team's barometer round",
    parameters=[TEAM_PARAMETER, MOMENT_PARAMETER],
    request=AnswerSerializer,
    responses={200: RoundSerializer, 201: RoundSerializer},
    tags=["barometer"],
)
@api_view(["POST"])
def team_barometer_answer(request: Request, id: str, moment: str) -> Response:
    """Answer the round on the unit's behalf while it is open (201; answering again while
    it is open replaces the answers: 200). A member of the unit's team only. Answers that
    do not fit the questions (out of range, unknown options or questions), a round not
    open and a question set version no longer current are refused (400) and nothing is
    stored."""
    enrolment = _team(request, id)
    if moment not in Moment.values:
        raise Http404
    if not permissions.can_answer_barometer(request.user, enrolment):
        raise PermissionDenied(_("Only the unit's team can answer its barometer."))
    given = AnswerSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    data = given.validated_data
    answered_before = BarometerResponse.objects.filter(
        round__enrolment=enrolment, round__moment=moment
    ).exists()
    try:
        # One transaction: a refused answer does not leave a newly opened round behind.
        with transaction.atomic():
            round_ = services.open_round(enrolment=enrolment, moment=moment)
            services.answer_round(
                round=round_,
                user=request.user,
                version=data["version"],
                answers=data["answers"],
            )
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):  # by question
            raise ApiValidationError({"answers": error.message_dict}) from error
        raise ApiValidationError({"non_field_errors": error.messages}) from error
    shown = next(
        item for item in _team_barometer(request, enrolment)["rounds"] if item["moment"] == moment
    )
    return Response(
        RoundSerializer(shown).data,
        status=status.HTTP_200_OK if answered_before else status.HTTP_201_CREATED,
    )


# Results ------------------------------------------------------------------------------------


def _figures(moment: str, figures: selectors.MomentFigures) -> dict[str, Any]:
    """A group's figures at a moment; under the minimum, none of them (not even how many
    answered), as on the results page."""
    if figures.shown:
        return {
            "moment": moment,
            "state": "shown",
            "answers": figures.answers,
            "innovative_share": figures.innovative_share,
            "means": figures.means,
        }
    return {
        "moment": moment,
        "state": "too_few" if figures.answers else "no_answers",
        "answers": None,
        "innovative_share": None,
        "means": {},
    }


def _group(group: selectors.GroupResult) -> dict[str, Any]:
    return {
        "name": group.name,
        "moments": [_figures(moment, group.moments[moment]) for moment in Moment.values],
        "change": group.change,
    }


@extend_schema(
    summary="A programme's barometer results",
    parameters=[ID_PARAMETER],
    responses=ResultsSerializer,
    tags=["barometer"],
)
@api_view(["GET"])
def programme_barometer(request: Request, id: str) -> Response:
    """The share of innovative units at each moment, and the mean rating of what helped
    and what held back, for the whole programme, each cohort and each sector: the same
    figures as the results page, for the programme's administrators and HR. A group with
    fewer than `min_answers` answers at a moment shows no figures."""
    if not is_uuid(id):
        raise Http404
    programme: Programme | None = (
        scoping.programmes_for(request.user)
        .select_related("organisation")
        .filter(public_id=id)
        .first()
    )
    if programme is None:
        raise Http404
    if not permissions.can_read_barometer_results(request.user, programme):
        raise PermissionDenied(_("Only the programme's administrators and HR read the results."))
    question_set = services.current_question_set(programme)
    results = selectors.programme_results(programme, question_set)
    shown = {
        "programme": programme.public_id,
        "version": question_set.version,
        "min_answers": selectors.MIN_ANSWERS,
        "reference_share": results.reference_share,
        "reference_source": results.reference_source,
        "factors": [
            {"question": key, "items": [{"key": item, "text": text} for item, text in items]}
            for key, items in results.items.items()
        ],
        "overall": _group(results.programme),
        "cohorts": [_group(group) for group in results.cohorts],
        "sectors": [_group(group) for group in results.sectors],
    }
    return Response(ResultsSerializer(shown).data)
