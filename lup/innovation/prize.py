"""The innovation prize: categories, nominations, the jury's scores and the winners.

Facilitators, programme administrators and unit managers nominate projects (published ones,
or those in their scope) in a programme's categories with a reason. Members of the
"Prize jury" group (permission `lup.judge_prize`) score nominations 1–5 and declare one
winner per category and year; the catalogue shows the winners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from ..models import Cohort, Participant, Programme
from ..permissions import member_organisations
from .models import (
    DEFAULT_PRIZE_CATEGORIES,
    InnovationProject,
    JuryScore,
    Nomination,
    PrizeCategory,
)

JUDGE_PERMISSION = "lup.judge_prize"
NOMINATE_PERMISSION = "lup.add_nomination"


@transaction.atomic
def ensure_prize_categories(programme: Programme) -> list[PrizeCategory]:
    """The programme's prize categories, creating the defaults when it has none."""
    categories = list(programme.prize_categories.order_by("position", "pk"))
    if categories:
        return categories
    for position, (key, name, description) in enumerate(DEFAULT_PRIZE_CATEGORIES, start=1):
        PrizeCategory.objects.get_or_create(
            programme=programme,
            key=key,
            defaults={"name": name, "description": description, "position": position},
        )
    return list(programme.prize_categories.order_by("position", "pk"))


def nominator_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes in whose prize the user may nominate: as programme administrator of its
    organisation, as facilitator of one of its cohorts, or as a current unit manager in it."""
    programmes = Programme.objects.select_related("organisation").order_by("name")
    if not user.is_authenticated:
        return programmes.none()
    if user.is_superuser:
        return programmes
    scope = Q(
        Exists(
            Cohort.facilitators.through.objects.filter(
                cohort__programme_id=OuterRef("pk"), user_id=user.pk
            )
        )
    ) | Q(
        Exists(
            Participant.objects.current().filter(
                enrolment__cohort__programme_id=OuterRef("pk"),
                user_id=user.pk,
                role=Participant.Role.MANAGER,
            )
        )
    )
    if user.has_perm(NOMINATE_PERMISSION):
        scope |= Q(organisation__in=member_organisations(user))
    return programmes.filter(scope)


def jury_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes whose prize the user judges: jury members of the programme's organisation."""
    programmes = Programme.objects.select_related("organisation").order_by("name")
    if not user.is_authenticated or not user.has_perm(JUDGE_PERMISSION):
        return programmes.none()
    if user.is_superuser:
        return programmes
    return programmes.filter(organisation__in=member_organisations(user))


def nomination_categories_for(user: Any) -> QuerySet[PrizeCategory]:
    """The categories the user may nominate in (the defaults are created on first use)."""
    programmes = list(nominator_programmes(user))
    for programme in programmes:
        ensure_prize_categories(programme)
    return PrizeCategory.objects.filter(programme__in=programmes).select_related("programme")


@transaction.atomic
def nominate_project(
    *, project: InnovationProject, category: PrizeCategory, year: int, reason: str, user: Any
) -> Nomination:
    """Nominate `project` for `category` in `year`, with the nominator's reason. The caller
    has checked that the user may see the project (`lup.scoping.projects_for`)."""
    if not nominator_programmes(user).filter(pk=category.programme_id).exists():
        raise ValidationError({"category": _("You cannot nominate in this programme's prize.")})
    if (
        project.published_at is None
        and project.organisation_id != category.programme.organisation_id
    ):
        raise ValidationError(
            _("Only published projects can be nominated in another organisation's prize.")
        )
    nomination = Nomination(
        category=category, project=project, year=year, reason=reason.strip(), nominated_by=user
    )
    nomination.full_clean(validate_constraints=False)
    if Nomination.objects.filter(category=category, project=project, year=year).exists():
        raise ValidationError(
            _("This project is already nominated for %(category)s %(year)d.")
            % {"category": category.name, "year": year}
        )
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError as error:
        raise ValidationError(_("This project is already nominated.")) from error
    return nomination


@transaction.atomic
def score_nomination(
    *, nomination: Nomination, juror: Any, score: int, comment: str = ""
) -> JuryScore:
    """Record (or change) a jury member's score, 1–5, of a nomination."""
    if not jury_programmes(juror).filter(pk=nomination.category.programme_id).exists():
        raise ValidationError(_("You are not on this prize's jury."))
    jury_score = JuryScore.objects.filter(nomination=nomination, juror=juror).first() or JuryScore(
        nomination=nomination, juror=juror
    )
    jury_score.score = score
    jury_score.comment = comment.strip()
    jury_score.full_clean(validate_constraints=False)
    jury_score.save()
    return jury_score


@transaction.atomic
def declare_winner(*, nomination: Nomination, user: Any) -> Nomination:
    """Make `nomination` the winner of its category and year (a previous winner there loses
    the title: there is one winner per category and year)."""
    if not jury_programmes(user).filter(pk=nomination.category.programme_id).exists():
        raise ValidationError(_("You are not on this prize's jury."))
    Nomination.objects.filter(
        category=nomination.category, year=nomination.year, is_winner=True
    ).exclude(pk=nomination.pk).update(is_winner=False)
    if not nomination.is_winner:
        nomination.is_winner = True
        nomination.save(update_fields=["is_winner"])
    return nomination


@dataclass
class NominationRow:
    nomination: Nomination
    average: float | None
    scores: int
    my_score: JuryScore | None


@dataclass
class CategoryBoard:
    category: PrizeCategory
    rows: list[NominationRow] = field(default_factory=list)

    @property
    def winner(self) -> Nomination | None:
        return next((row.nomination for row in self.rows if row.nomination.is_winner), None)


def jury_board(*, programmes: list[Programme], year: int, juror: Any) -> list[CategoryBoard]:
    """Each category of `programmes` with its nominations in `year`, best average first,
    with the number of scores and the juror's own; a fixed number of queries."""
    nominations = (
        Nomination.objects.filter(year=year)
        .select_related("project__organisation", "project__enrolment__unit", "nominated_by")
        .annotate(average=Avg("scores__score"), score_count=Count("scores"))
        .prefetch_related(
            Prefetch("scores", queryset=JuryScore.objects.filter(juror_id=juror.pk), to_attr="mine")
        )
        .order_by("-is_winner", "-average", "created_at")
    )
    categories = list(
        PrizeCategory.objects.filter(programme__in=programmes)
        .select_related("programme")
        .prefetch_related(Prefetch("nominations", queryset=nominations, to_attr="this_year"))
        .order_by("programme__name", "position", "pk")
    )
    return [
        CategoryBoard(
            category=category,
            rows=[
                NominationRow(
                    nomination=nomination,
                    average=nomination.average,
                    scores=nomination.score_count,
                    my_score=next(iter(nomination.mine), None),
                )
                for nomination in category.this_year
            ],
        )
        for category in categories
    ]


def nomination_years(programmes: list[Programme]) -> list[int]:
    """Years with nominations in these programmes, newest first."""
    return list(
        Nomination.objects.filter(category__programme__in=programmes)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
