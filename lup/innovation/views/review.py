"""The facilitators' review page: comment on, approve or return a project."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ... import scoping
from .. import selectors, services
from ..form_errors import add_service_errors
from ..forms import ReviewForm


@require_http_methods(["GET", "POST"])
@login_required
def project_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Facilitators and programme administrators comment on, approve or return a project."""
    project = get_object_or_404(scoping.reviewable_projects_for(request.user), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_project(
                project=project,
                reviewer=request.user,  # type: ignore[arg-type]
                point=form.cleaned_data["point"],
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                {
                    "approve": _("The project is approved."),
                    "return": _("The project is returned to the team."),
                }.get(review.decision, _("Your comment is saved.")),
            )
            return redirect("lup:project-detail", pk=project.pk)
    return render(
        request,
        "lup/innovation/project_review.html",
        {"form": form, "project": project, "reviews": selectors.reviews_of(project)},
    )
