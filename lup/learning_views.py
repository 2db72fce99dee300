"""The participant's own learning pages: their programme's curriculum and what to do next."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.api import course_progress

from . import certification
from .models import Participant, UnitEnrolment


def current_participation(user: Any) -> Participant | None:
    """The person's participation in their newest cohort that they have not left."""
    return (
        Participant.objects.current()
        .filter(user_id=user.pk)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("enrolment__unit", "enrolment__cohort__programme__course")
        .order_by("-enrolment__cohort__starts_on", "-pk")
        .first()
    )


@require_GET
@login_required
def my_programme(request: HttpRequest) -> HttpResponse:
    """The signed-in participant's curriculum: next step first, then feedback and modules,
    with due dates counted from their cohort's start."""
    participant = current_participation(request.user)
    progress = None
    if participant is not None:
        cohort = participant.enrolment.cohort
        course = cohort.programme.course
        if course is not None:
            progress = course_progress(user=request.user, course=course, starts_on=cohort.starts_on)
    return render(
        request,
        "lup/my_programme.html",
        {
            "participant": participant,
            "progress": progress,
            "certificates": certification.certificates_for(request.user),
        },
    )
