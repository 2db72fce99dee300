"""Generic learning: a course of ordered modules, each of ordered activities.

`courses` knows nothing of service units or programmes. Where it needs to know who
learns together (a team submitting one assignment for all), it asks its adapter
(`courses.adapter`), which a host project may replace.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .storage import private_storage


class Course(models.Model):
    """A curriculum: ordered modules of activities."""

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    """A module of a course: theory or practice, optionally after other modules and due
    a number of days after the learner's start."""

    class Kind(models.TextChoices):
        THEORY = "theory", _("Theory")
        PRACTICE = "practice", _("Practice")

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.THEORY)
    summary = models.TextField(_("summary"), blank=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+", verbose_name=_("prerequisites")
    )
    due_days_after_start = models.PositiveIntegerField(
        _("due (days after start)"), null=True, blank=True
    )

    class Meta:
        ordering = ["course", "position", "pk"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "position"], name="courses_module_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """One thing to do in a module. Required activities count toward completion."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Content page")
        H5P = "h5p", _("H5P activity")
        ASSIGNMENT = "assignment", _("Assignment")
        ATTENDANCE = "attendance", _("Gathering attendance")
        LINK = "link", _("External link")

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="activities", verbose_name=_("module")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=True)
    body = models.TextField(
        _("content (Markdown)"), blank=True, help_text=_("Markdown; HTML is removed.")
    )
    url = models.URLField(_("link"), blank=True)

    class Meta:
        ordering = ["module", "position", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["module", "position"], name="courses_activity_unique_position"
            ),
            models.CheckConstraint(
                condition=~Q(kind="link") | ~Q(url=""), name="courses_activity_link_has_url"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    """A learner taking a course, from a start date (due dates count from it)."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("course")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="course_enrolments",
        verbose_name=_("learner"),
    )
    starts_on = models.DateField(_("starts"), default=timezone.localdate)

    class Meta:
        verbose_name = _("course enrolment")
        verbose_name_plural = _("course enrolments")
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="courses_enrolment_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.course}"


class ActivityCompletion(models.Model):
    """That a learner has done an activity; recorded once (see services.record_completion)."""

    class Source(models.TextChoices):
        MARKED_DONE = "marked_done", _("Marked as done")
        SUBMISSION_APPROVED = "approved", _("Submission approved")
        ATTENDANCE = "attendance", _("Attendance")
        H5P = "h5p", _("H5P result")
        FACILITATOR = "facilitator", _("Recorded by a facilitator")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="completions", verbose_name=_("activity")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activity_completions",
        verbose_name=_("learner"),
    )
    completed_at = models.DateTimeField(_("completed"), default=timezone.now)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)

    class Meta:
        ordering = ["-completed_at"]
        verbose_name = _("activity completion")
        verbose_name_plural = _("activity completions")
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="courses_completion_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.activity}"


class Assignment(models.Model):
    """The assignment behind an activity: instructions, files allowed, team or individual."""

    activity = models.OneToOneField(
        Activity,
        on_delete=models.CASCADE,
        related_name="assignment",
        verbose_name=_("activity"),
        limit_choices_to={"kind": Activity.Kind.ASSIGNMENT},
    )
    instructions = models.TextField(_("instructions (Markdown)"))
    team = models.BooleanField(
        _("team assignment"),
        default=False,
        help_text=_("The team submits once for all its members."),
    )
    accepts_text = models.BooleanField(_("accepts text"), default=True)
    accepts_file = models.BooleanField(_("accepts a file"), default=True)
    due_days_after_start = models.PositiveIntegerField(
        _("due (days after start)"), null=True, blank=True
    )
    closes_at_due = models.BooleanField(
        _("closed after the due date"),
        default=False,
        help_text=_("Refuse submissions after the due date (otherwise they are marked late)."),
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return self.activity.title


class RubricCriterion(models.Model):
    """One criterion of an assignment's optional rubric, with its levels (lowest first)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("assignment")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("criterion"), max_length=200)
    levels = models.JSONField(_("levels"), default=list, help_text=_("Level names, lowest first."))

    class Meta:
        ordering = ["assignment", "position", "pk"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.title


def submission_upload_to(instance: Submission, filename: str) -> str:
    # A random name: the learner's file name is kept in `file_name`, never used on disk.
    return f"submissions/{instance.assignment_id}/{uuid.uuid4().hex}"


class Submission(models.Model):
    """One attempt at an assignment, by a learner alone or for their team.

    `group_key` names the team (from the adapter); `members` are everyone it covers.
    At most one attempt per learner or team waits for review at a time.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("assignment"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("submitted by"),
    )
    group_key = models.CharField(_("team"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="covered_submissions", verbose_name=_("covers")
    )
    attempt = models.PositiveIntegerField(_("attempt"), validators=[MinValueValidator(1)])
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(
        _("file"), upload_to=submission_upload_to, blank=True, storage=private_storage
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveIntegerField(_("file size"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    late = models.BooleanField(_("late"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    feedback = models.TextField(_("feedback"), blank=True)
    rubric_levels = models.JSONField(_("rubric levels"), default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["assignment", "group_key", "-attempt"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "group_key", "attempt"], name="courses_submission_attempt"
            ),
            models.UniqueConstraint(
                fields=["assignment", "group_key"],
                condition=Q(status="submitted"),
                name="courses_submission_one_waiting",
            ),
            models.UniqueConstraint(
                fields=["assignment", "group_key"],
                condition=Q(status="approved"),
                name="courses_submission_one_approved",
            ),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(file=""), name="courses_submission_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} #{self.attempt} ({self.group_key})"


def course_image_upload_to(instance: CourseImage, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "png"
    return f"courses/images/{uuid.uuid4().hex}.{extension}"


class CourseImage(models.Model):
    """An image for content pages: public (under MEDIA_ROOT), referenced from Markdown."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="images", verbose_name=_("course")
    )
    image = models.ImageField(_("image"), upload_to=course_image_upload_to)
    alt_text = models.CharField(
        _("text alternative"),
        max_length=300,
        help_text=_("What the image shows, for those who cannot see it."),
    )

    class Meta:
        verbose_name = _("course image")
        verbose_name_plural = _("course images")

    def __str__(self) -> str:
        return self.alt_text

    @property
    def markdown(self) -> str:
        """The Markdown to paste into a content page."""
        return f"![{self.alt_text}]({self.image.url})"
