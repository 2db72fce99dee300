"""Writes of `courses` that carry its rules. Views, the admin and upper apps call these."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import app_settings
from .adapter import get_adapter
from .models import Activity, ActivityCompletion, Assignment, Enrolment, Submission
from .signals import (
    activity_completed,
    activity_completion_withdrawn,
    submission_reviewed,
    submission_submitted,
)


def record_completion(
    *, user: Any, activity: Activity, source: str, completed_at: dt.datetime | None = None
) -> tuple[ActivityCompletion, bool]:
    """Record that `user` has done `activity`, once. Returns (completion, created).

    The first time, `activity_completed` is sent inside the same transaction, so whatever
    the apps above conclude (a unit completing, say) is saved with it or not at all.
    """
    existing = ActivityCompletion.objects.filter(activity=activity, user=user).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            completion = ActivityCompletion.objects.create(
                activity=activity,
                user=user,
                source=source,
                completed_at=completed_at or timezone.now(),
            )
            activity_completed.send(
                sender=ActivityCompletion, user=user, activity=activity, completion=completion
            )
    except IntegrityError:
        # Recorded at the same moment by another request (a double click): that one stands.
        return ActivityCompletion.objects.get(activity=activity, user=user), False
    return completion, True


@transaction.atomic
def withdraw_completion(*, user: Any, activity: Activity, withdrawn_by: Any) -> bool:
    """Withdraw a learner's completion of an activity; returns whether there was one.

    `activity_completion_withdrawn` lets upper apps move their figures back.
    """
    deleted, _count = ActivityCompletion.objects.filter(activity=activity, user=user).delete()
    if not deleted:
        return False
    activity_completion_withdrawn.send(
        sender=ActivityCompletion, user=user, activity=activity, withdrawn_by=withdrawn_by
    )
    return True


def may_be_marked_done(activity: Activity) -> bool:
    """Whether the learner completes `activity` themselves, with "Mark as done"."""
    if activity.kind in (Activity.Kind.PAGE, Activity.Kind.LINK):
        return True
    return (
        activity.kind == Activity.Kind.H5P
        and activity.h5p_completion == Activity.H5PCompletion.MARKED_DONE
    )


def mark_done(*, user: Any, activity: Activity) -> tuple[ActivityCompletion, bool]:
    """A learner marks a content page, an external link, or an H5P activity whose rule is
    "when the learner marks it as done" (content that sends no score), as done."""
    if not may_be_marked_done(activity):
        raise ValidationError(_("This activity is completed in another way."))
    if not Enrolment.objects.filter(course_id=activity.module.course_id, user=user).exists():
        raise PermissionDenied
    return record_completion(
        user=user, activity=activity, source=ActivityCompletion.Source.MARKED_DONE
    )


def due_on(starts_on: dt.date, days: int | None) -> dt.date | None:
    """The due day of a module or assignment due `days` after `starts_on` (None: no due date).

    Something is overdue once that day has passed (`today > due_on`, or equally
    `now > due_at`)."""
    if days is None:
        return None
    return starts_on + dt.timedelta(days=days)


def due_at(starts_on: dt.date, days: int | None) -> dt.datetime | None:
    """The end of the due day, counted from the learner's start, in the site's time zone."""
    day = due_on(starts_on, days)
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def check_upload(upload: UploadedFile) -> str:
    """Refuse a file of a type we do not accept, or too large; returns its safe display name."""
    name = os.path.basename(upload.name or "")[:200]
    extension = os.path.splitext(name)[1].lower()
    accepted = app_settings.SUBMISSION_FILE_TYPES()
    if extension not in accepted:
        raise ValidationError(
            _("Files of type “%(type)s” are not accepted. Accepted: %(accepted)s.")
            % {"type": extension or "?", "accepted": ", ".join(sorted(accepted))},
            code="file_type",
        )
    limit = app_settings.SUBMISSION_MAX_BYTES()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)},
            code="file_size",
        )
    signatures = accepted[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if signatures and not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("The file's content does not match its name (%(type)s).") % {"type": extension},
            code="file_content",
        )
    if not signatures and b"\x00" in head:
        raise ValidationError(_("A text file cannot contain binary data."), code="file_content")
    return name


def submit_assignment(
    *, user: Any, assignment: Assignment, text: str = "", upload: UploadedFile | None = None
) -> Submission:
    """Submit an attempt, alone or for the learner's team (see the adapter).

    Refuses, storing nothing: an empty attempt, a file or text the assignment does not
    take, a bad file, a second attempt while one waits for review, one after approval,
    and one after the due date when the assignment closes then.
    """
    text = text.strip()
    if text and not assignment.accepts_text:
        raise ValidationError(_("This assignment takes a file, not text."))
    if upload is not None and not assignment.accepts_file:
        raise ValidationError(_("This assignment takes text, not a file."))
    if not text and upload is None:
        raise ValidationError(_("Write an answer or choose a file."))
    file_name = check_upload(upload) if upload is not None else ""
    activity = assignment.activity
    enrolment = Enrolment.objects.filter(course_id=activity.module.course_id, user=user).first()
    if enrolment is None:
        raise PermissionDenied
    deadline = due_at(enrolment.starts_on, assignment.due_days_after_start)
    now = timezone.now()
    late = deadline is not None and now > deadline
    if late and assignment.closes_at_due:
        raise ValidationError(
            _("The deadline has passed: this assignment no longer takes answers.")
        )
    group_key, members = get_adapter().team_for(user, assignment)
    with transaction.atomic():
        previous = Submission.objects.select_for_update().filter(
            assignment=assignment, group_key=group_key
        )
        statuses = set(previous.values_list("status", flat=True))
        if Submission.Status.APPROVED in statuses:
            raise ValidationError(_("This assignment is already approved."))
        if Submission.Status.SUBMITTED in statuses:
            raise ValidationError(_("An answer is already waiting for review."))
        attempt = (previous.aggregate(last=Max("attempt"))["last"] or 0) + 1
        submission = Submission(
            assignment=assignment,
            submitted_by=user,
            group_key=group_key,
            attempt=attempt,
            text=text,
            file_name=file_name,
            file_size=upload.size if upload is not None else None,
            late=late,
        )
        if upload is not None:
            submission.file.save(file_name, upload, save=False)
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            if submission.file:
                submission.file.delete(save=False)
            raise ValidationError(_("An answer is already waiting for review.")) from None
        submission.members.set(members)
        submission_submitted.send(sender=Submission, submission=submission)
    return submission


def review_submission(
    *,
    submission: Submission,
    reviewer: Any,
    approve: bool,
    feedback: str = "",
    rubric_levels: dict[str, str] | None = None,
) -> Submission:
    """Approve a waiting submission (completing the activity for everyone it covers) or
    return it for revision with feedback."""
    if not get_adapter().can_review(reviewer, submission):
        raise PermissionDenied
    feedback = feedback.strip()
    if not approve and not feedback:
        raise ValidationError(_("Tell the learners what to improve when returning an answer."))
    criteria = {str(c.pk): c for c in submission.assignment.criteria.all()}
    levels = {}
    for key, level in (rubric_levels or {}).items():
        criterion = criteria.get(str(key))
        if criterion is None or level not in criterion.levels:
            raise ValidationError(_("Choose a level from the rubric for each criterion."))
        levels[str(key)] = level
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != Submission.Status.SUBMITTED:
            raise ValidationError(_("This answer has already been reviewed."))
        locked.status = Submission.Status.APPROVED if approve else Submission.Status.RETURNED
        locked.feedback = feedback
        locked.rubric_levels = levels
        locked.reviewed_by = reviewer
        locked.reviewed_at = timezone.now()
        locked.save(
            update_fields=["status", "feedback", "rubric_levels", "reviewed_by", "reviewed_at"]
        )
        if approve:
            for member in locked.members.all():
                record_completion(
                    user=member,
                    activity=locked.assignment.activity,
                    source=ActivityCompletion.Source.SUBMISSION_APPROVED,
                )
        submission_reviewed.send(sender=Submission, submission=locked, reviewer=reviewer)
    return locked


def enrol(*, user: Any, course: Any, starts_on: dt.date) -> Enrolment:
    """Enrol a learner in a course (idempotent; the start date of the first enrolment stays)."""
    enrolment, _created = Enrolment.objects.get_or_create(
        course=course, user=user, defaults={"starts_on": starts_on}
    )
    return enrolment


# The note left in an answer that had only a file once the file is gone: a submission
# needs text or a file (`courses_submission_not_empty`), and the reader learns why it is
# empty.
REMOVED_FILE_NOTE = gettext_lazy("The file handed in here was deleted when its retention ended.")


def remove_submission_files(*, submission_ids: Iterable[int], note: str | None = None) -> int:
    """Delete the files of these submissions from their storage and clear the file fields
    (the file's name and size too: a name may say who wrote it); the submissions stay, with
    their text, status, feedback and rubric levels, so an approval and its completion stand.
    Returns how many files were removed. Submissions without a file are left alone.

    An answer that had only a file gets `note` as its text (default `REMOVED_FILE_NOTE`, in
    the site's language). Each file is deleted before its row is cleared: should the update
    fail, a later call finds the row and clears it (deleting a missing file is harmless),
    whereas the other order could leave a file on disk that nothing refers to any more.
    """
    ids = list(submission_ids)
    if not ids:
        return 0
    if note is None:
        with translation.override(settings.LANGUAGE_CODE):
            note = str(REMOVED_FILE_NOTE)
    with_files = Submission.objects.filter(pk__in=ids).exclude(file="")
    names = list(with_files.values_list("pk", "file"))
    storage = Submission._meta.get_field("file").storage
    for _pk, name in names:
        storage.delete(name)
    removed = [pk for pk, _name in names]
    cleared = {"file": "", "file_name": "", "file_size": None}
    with transaction.atomic():
        Submission.objects.filter(pk__in=removed, text="").update(text=note, **cleared)
        Submission.objects.filter(pk__in=removed).exclude(file="").update(**cleared)
    return len(removed)
