"""HTML views of the innovation prize: nominating, and the jury's board (thin: `prize`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import scoping
from . import prize
from .catalogue_forms import JuryScoreForm, NominationForm
from .form_errors import add_service_errors
from .models import Nomination


@require_http_methods(["GET", "POST"])
@login_required
def prize_nominate(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Nominate a project (published, or in the user's scope) for a prize category."""
    if not prize.nominator_programmes(request.user).exists():
        raise PermissionDenied
    project = get_object_or_404(scoping.projects_for(request.user), public_id=public_id)
    form = NominationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = prize.nominate_project(
                project=project,
                category=form.cleaned_data["category"],
                year=form.cleaned_data["year"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(project)s is nominated for %(category)s %(year)d.")
                % {
                    "project": project.title,
                    "category": nomination.category.name,
                    "year": nomination.year,
                },
            )
            if project.published_at is not None:
                return redirect("lup:catalogue-project", public_id=project.public_id)
            return redirect("lup:catalogue")
    return render(request, "lup/innovation/prize_nominate.html", {"form": form, "project": project})


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or "")
    except ValueError:
        return timezone.localdate().year


@require_GET
@login_required
@permission_required(prize.JUDGE_PERMISSION, raise_exception=True)
def prize_jury(request: HttpRequest) -> HttpResponse:
    """The jury's board: nominations per category of a year, with scores and winners."""
    programmes = list(prize.jury_programmes(request.user))
    for programme in programmes:
        prize.ensure_prize_categories(programme)
    year = _year(request)
    years = sorted({*prize.nomination_years(programmes), timezone.localdate().year}, reverse=True)
    return render(
        request,
        "lup/innovation/prize_jury.html",
        {
            "boards": prize.jury_board(programmes=programmes, year=year, juror=request.user),
            "year": year,
            "years": years,
            "score_form": JuryScoreForm(),
        },
    )


def _jury_nomination(request: HttpRequest, pk: int) -> Nomination:
    return get_object_or_404(
        Nomination.objects.select_related("category__programme", "project").filter(
            category__programme__in=prize.jury_programmes(request.user).values("pk")
        ),
        pk=pk,
    )


def _back_to_board(nomination: Nomination) -> HttpResponse:
    url = reverse("lup:prize-jury")
    return redirect(f"{url}?year={nomination.year}#category-{nomination.category_id}")


@require_POST
@login_required
@permission_required(prize.JUDGE_PERMISSION, raise_exception=True)
def prize_score(request: HttpRequest, pk: int) -> HttpResponse:
    """A jury member scores a nomination 1–5."""
    nomination = _jury_nomination(request, pk)
    form = JuryScoreForm(request.POST)
    if form.is_valid():
        prize.score_nomination(
            nomination=nomination,
            juror=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Your score is saved."))
    else:
        messages.error(request, _("Choose a score from 1 to 5."))
    return _back_to_board(nomination)


@require_POST
@login_required
@permission_required(prize.JUDGE_PERMISSION, raise_exception=True)
def prize_winner(request: HttpRequest, pk: int) -> HttpResponse:
    """The jury declares a nomination the winner of its category and year."""
    nomination = _jury_nomination(request, pk)
    prize.declare_winner(nomination=nomination, user=request.user)
    messages.success(
        request,
        _("%(project)s won %(category)s %(year)d.")
        % {
            "project": nomination.project.title,
            "category": nomination.category.name,
            "year": nomination.year,
        },
    )
    return _back_to_board(nomination)
