"""HTML pages of `courses`: thin, reading through selectors and writing through services.

A learner sees only courses they are enrolled in; a submission's file and review page
only those the adapter allows. Anything else is "not found", so nothing leaks.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import app_settings, authoring_services, selectors, services
from .adapter import ReviewQueue, get_adapter
from .forms import ReviewForm, SubmissionForm
from .h5p_player import frame_url
from .models import Activity, Submission


def _submission(public_id: Any) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related(
            "assignment__activity__module__course", "submitted_by", "reviewed_by"
        ),
        public_id=public_id,
    )


@require_GET
@login_required
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A course's modules in order, with the learner's progress and next step."""
    course = get_object_or_404(selectors.enrolled_courses(request.user), slug=slug)
    progress = selectors.course_progress(user=request.user, course=course)
    return render(
        request,
        "courses/course_detail.html",
        {
            "course": course,
            "progress": progress,
            "may_edit": authoring_services.may_edit(request.user, course),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def activity_detail(request: HttpRequest, activity_id: Any) -> HttpResponse:
    """An activity: content to read and mark done, a link, or an assignment to answer
    (a POST submits an answer; errors are shown with the form and nothing is stored)."""
    activity = get_object_or_404(selectors.enrolled_activities(request.user), public_id=activity_id)
    state = selectors.activity_state(user=request.user, activity=activity)
    if request.method == "POST" and state.assignment is None:
        return HttpResponse(status=405, headers={"Allow": "GET"})
    form = None
    if state.assignment is not None:
        form = SubmissionForm(
            request.POST or None, request.FILES or None, assignment=state.assignment
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.submit_assignment(
                    user=request.user,
                    assignment=state.assignment,
                    text=form.cleaned_data.get("text") or "",
                    upload=form.cleaned_data.get("file"),
                )
            except ValidationError as error:
                form.add_service_error(error)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("Your answer was submitted. It now waits for review."))
                return redirect("courses:activity-detail", activity_id=activity.public_id)
    h5p = None
    if activity.kind == Activity.Kind.H5P and activity.h5p_package_id is not None:
        language = translation.get_language() or settings.LANGUAGE_CODE
        h5p = {
            "frame_url": frame_url(activity, user=request.user, language=language),
            "origin": app_settings.H5P_PLAYER_ORIGIN(),
            "may_mark_done": services.may_be_marked_done(activity),
        }
    return render(
        request,
        "courses/activity_detail.html",
        {
            "activity": activity,
            "course": activity.module.course,
            "state": state,
            "form": form,
            "h5p": h5p,
        },
    )


@require_POST
@login_required
def mark_done(request: HttpRequest, activity_id: Any) -> HttpResponse:
    """Mark a content page or an external link as done (once, however often it is sent)."""
    activity = get_object_or_404(selectors.enrolled_activities(request.user), public_id=activity_id)
    try:
        _completion, created = services.mark_done(user=request.user, activity=activity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        if created:
            messages.success(request, _("Marked as done."))
        else:
            messages.info(request, _("You have already marked this as done."))
    return redirect("courses:activity-detail", activity_id=activity.public_id)


@require_GET
@login_required
def submission_file(request: HttpRequest, submission_id: Any) -> FileResponse:
    """The file of a submission, for those who may see it, as a download."""
    submission = _submission(submission_id)
    if not submission.file or not get_adapter().can_see_submission(request.user, submission):
        raise Http404
    try:
        handle = submission.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=submission.file_name or "file")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _next_url(request: HttpRequest) -> str | None:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _next_waiting(queue: ReviewQueue | None, current: Submission) -> Submission | None:
    """The answer to review after `current`: the next waiting one in the queue's order,
    else the first waiting one before it (or the queue's first, if `current` left it)."""
    if queue is None:
        return None
    waiting = list(queue.waiting)
    position = next((i for i, item in enumerate(waiting) if item.pk == current.pk), -1)
    others = waiting[position + 1 :] + waiting[: max(position, 0)]
    return others[0] if others else None


@require_http_methods(["GET", "POST"])
@login_required
def submission_review(request: HttpRequest, submission_id: Any) -> HttpResponse:
    """Approve a waiting answer (completing the activity for everyone it covers) or return
    it with feedback, then go on to the next answer in the reviewer's queue (the adapter's
    `review_queue`). Only reviewers the adapter allows find it."""
    submission = _submission(submission_id)
    adapter = get_adapter()
    if not adapter.can_review(request.user, submission):
        raise Http404
    state = selectors.review_state(submission=submission)
    form = ReviewForm(request.POST or None, criteria=state.criteria)
    queue = adapter.review_queue(request.user, submission)
    following = _next_waiting(queue, submission)
    if request.method == "POST":
        if not state.waiting:
            messages.error(request, _("This answer has already been reviewed."))
            return redirect("courses:submission-review", submission_id=submission.public_id)
        if form.is_valid():
            try:
                services.review_submission(
                    submission=submission,
                    reviewer=request.user,
                    approve=form.approve,
                    feedback=form.cleaned_data.get("feedback") or "",
                    rubric_levels=form.rubric_levels,
                )
            except ValidationError as error:
                form.add_service_error(error)
            except PermissionDenied:
                raise Http404 from None
            else:
                if form.approve:
                    messages.success(
                        request,
                        _("Approved. The activity is completed for everyone the answer covers."),
                    )
                else:
                    messages.success(request, _("Returned for revision with your feedback."))
                if following is not None:
                    return redirect("courses:submission-review", submission_id=following.public_id)
                return redirect(
                    _next_url(request)
                    or (queue.url if queue is not None else None)
                    or reverse("courses:submission-review", args=[submission.public_id])
                )
    return render(
        request,
        "courses/submission_review.html",
        {
            "submission": submission,
            "activity": submission.assignment.activity,
            "state": state,
            "form": form,
            "next": _next_url(request) or "",
            "submitted_for": adapter.submitted_for(submission),
            "queue": queue,
            "following": following,
            "waiting_count": len(queue.waiting) if queue is not None else 0,
        },
    )
