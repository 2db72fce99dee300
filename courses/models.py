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
    h5p_package = models.ForeignKey(
        "H5PPackage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("H5P package"),
    )

    class H5PCompletion(models.TextChoices):
        """How an H5P activity is completed. Content that sends a score (a quiz) completes on
        a good enough score; content that never sends one (an accordion, dialog cards, a
        timeline) would otherwise never complete, so the facilitator picks one of the
        other two for it."""

        SCORE = "score", _("When the learner's score reaches the minimum")
        VIEWED = "viewed", _("When the learner has viewed it to the end")
        MARKED_DONE = "marked_done", _("When the learner marks it as done")

    h5p_completion = models.CharField(
        _("completed"),
        max_length=12,
        choices=H5PCompletion.choices,
        default=H5PCompletion.SCORE,
        help_text=_(
            "For content without a score (accordions, dialog cards, timelines, image "
            "sliders), choose “viewed to the end” or “marks it as done”."
        ),
    )
    h5p_min_score = models.FloatField(
        _("minimum scaled score"),
        null=True,
        blank=True,
        help_text=_(
            "Between 0 and 1 (0.8 is 80 %); leave empty to complete on any answered attempt "
            "with a score above zero."
        ),
    )

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
            models.CheckConstraint(
                condition=Q(h5p_min_score__isnull=True)
                | Q(h5p_min_score__gte=0, h5p_min_score__lte=1),
                name="courses_activity_h5p_min_score_range",
            ),
            models.CheckConstraint(
                condition=Q(h5p_completion__in=["score", "viewed", "marked_done"]),
                name="courses_activity_h5p_completion_known",
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
        related_name="courses_enrolments",
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
        related_name="courses_activity_completions",
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
        related_name="courses_submissions",
        verbose_name=_("submitted by"),
    )
    group_key = models.CharField(_("team"), max_length=100)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="courses_covered_submissions",
        verbose_name=_("covers"),
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
        """The Markdown to paste into a content page (the text alternative on one line, its
        brackets escaped, so that no text alternative breaks the image's Markdown)."""
        alt = " ".join(self.alt_text.split())
        for char in ("\\", "[", "]"):
            alt = alt.replace(char, "\\" + char)
        return f"![{alt}]({self.image.url})"


class H5PLibrary(models.Model):
    """An installed H5P library (machine name and major.minor; the newest patch wins).

    Its files live in the H5P storage under `files_path`; library JavaScript runs in the
    learner's browser, so installing one needs its own permission (`install_h5p_library`).
    """

    machine_name = models.CharField(_("machine name"), max_length=127)
    major_version = models.PositiveIntegerField(_("major version"))
    minor_version = models.PositiveIntegerField(_("minor version"))
    patch_version = models.PositiveIntegerField(_("patch version"))
    title = models.CharField(_("title"), max_length=255)
    runnable = models.BooleanField(_("runnable"), default=False)
    metadata = models.JSONField(_("library.json"), default=dict)
    files_path = models.CharField(_("files path"), max_length=255)
    installed_at = models.DateTimeField(_("installed"), default=timezone.now)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("installed by"),
    )

    class Meta:
        ordering = ["machine_name", "major_version", "minor_version"]
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        permissions = [("install_h5p_library", _("Can install new H5P libraries"))]
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major_version", "minor_version"],
                name="courses_h5plibrary_unique_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major_version}.{self.minor_version}.{self.patch_version}"

    @property
    def folder_name(self) -> str:
        """The folder name H5P uses for it, e.g. "H5P.TrueFalse-1.6"."""
        return f"{self.machine_name}-{self.major_version}.{self.minor_version}"


class H5PPackage(models.Model):
    """An uploaded `.h5p` file: the original kept, its content unpacked under its SHA-256.

    Uploading the same file again finds this package instead of storing it twice.
    """

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=255)
    main_library = models.ForeignKey(
        H5PLibrary, on_delete=models.PROTECT, related_name="+", verbose_name=_("main library")
    )
    libraries = models.ManyToManyField(
        H5PLibrary, related_name="packages", verbose_name=_("libraries")
    )
    h5p_json = models.JSONField(_("h5p.json"), default=dict)
    original_path = models.CharField(_("original file"), max_length=255)
    content_path = models.CharField(_("content folder"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("H5P package")
        verbose_name_plural = _("H5P packages")

    def __str__(self) -> str:
        return self.title


class H5PContentUserData(models.Model):
    """The player's saved state for a learner (contentUserData), so they resume where they were."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("learner"),
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="+", verbose_name=_("activity")
    )
    data_type = models.CharField(_("data type"), max_length=127, default="state")
    sub_content_id = models.CharField(_("sub-content id"), max_length=127, default="0")
    data = models.TextField(_("data"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("H5P saved state")
        verbose_name_plural = _("H5P saved states")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "activity", "data_type", "sub_content_id"],
                name="courses_h5pstate_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.activity} ({self.data_type})"


class XAPIStatement(models.Model):
    """An xAPI statement from the player, stored as received with its key figures.

    The learner is the signed-in user who posted it, never the statement's actor.

    With an external Learning Record Store configured (COURSES_LRS_ENDPOINT), the row is
    also the statement's place in the outbox (`courses.xapi`): it is marked pending in the
    transaction that stores it, and a worker sends it later, so neither a slow nor a
    stopped LRS can reach the learner's request, and no statement is lost meanwhile.
    """

    class Forwarding(models.TextChoices):
        """Where the statement stands with the external LRS."""

        NOT_FORWARDED = "not_forwarded", _("not forwarded (no LRS was configured)")
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent to the LRS")
        # The LRS answered that it will never take this statement (400 and the like).
        REFUSED = "refused", _("refused by the LRS")
        # The LRS could not be reached for COURSES_LRS_MAX_ATTEMPTS attempts.
        FAILED = "failed", _("could not be sent")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="courses_xapi_statements",
        verbose_name=_("learner"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="xapi_statements",
        verbose_name=_("activity"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    verb = models.CharField(_("verb"), max_length=255)
    top_level = models.BooleanField(_("top level"), default=True)
    score_raw = models.FloatField(_("raw score"), null=True, blank=True)
    score_max = models.FloatField(_("maximum score"), null=True, blank=True)
    score_scaled = models.FloatField(_("scaled score"), null=True, blank=True)
    success = models.BooleanField(_("success"), null=True, blank=True)
    completion = models.BooleanField(_("completion"), null=True, blank=True)
    duration = models.CharField(_("duration"), max_length=64, blank=True)
    raw = models.JSONField(_("statement"))
    # The statement's xAPI id: the player's own when it sent a UUID, else one chosen when it
    # was stored. Unique, so a statement posted twice is stored once; sent under this id, so
    # the LRS drops a copy it already has.
    statement_id = models.UUIDField(
        _("statement id"), unique=True, default=uuid.uuid4, editable=False
    )
    forwarding_state = models.CharField(
        _("forwarding"),
        max_length=16,
        choices=Forwarding.choices,
        default=Forwarding.NOT_FORWARDED,
    )
    forwarding_attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # What went wrong last: an HTTP status or a network error, never the statement's content.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        indexes = [
            models.Index(fields=["user", "activity"], name="courses_xapi_user_act_idx"),
            # The sending worker's query: pending statements whose next attempt is due. Partial,
            # so the many statements sent long ago take no room in it.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(forwarding_state="pending"),
                name="courses_xapi_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(score_scaled__isnull=True)
                | (Q(score_scaled__gte=-1) & Q(score_scaled__lte=1)),
                name="courses_xapi_scaled_in_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    forwarding_state__in=["not_forwarded", "pending", "sent", "refused", "failed"]
                ),
                name="courses_xapi_forwarding_known",
            ),
            # A pending statement always has a time to be sent at, or no worker would find it.
            models.CheckConstraint(
                condition=~Q(forwarding_state="pending") | Q(next_attempt_at__isnull=False),
                name="courses_xapi_pending_has_next_attempt",
            ),
            # Sent, and only sent, says when.
            models.CheckConstraint(
                condition=(Q(forwarding_state="sent") & Q(sent_at__isnull=False))
                | (~Q(forwarding_state="sent") & Q(sent_at__isnull=True)),
                name="courses_xapi_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.verb} {self.activity}"


class H5PAttempt(models.Model):
    """One record per learner and H5P activity, keeping the best score seen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("learner"),
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="h5p_attempts", verbose_name=_("activity")
    )
    statements = models.PositiveIntegerField(_("statements"), default=0)
    best_score_raw = models.FloatField(_("best raw score"), null=True, blank=True)
    best_score_max = models.FloatField(_("maximum score"), null=True, blank=True)
    best_score_scaled = models.FloatField(_("best scaled score"), null=True, blank=True)
    last_statement_at = models.DateTimeField(_("last statement"), null=True, blank=True)

    class Meta:
        verbose_name = _("H5P attempt")
        verbose_name_plural = _("H5P attempts")
        constraints = [
            models.UniqueConstraint(fields=["user", "activity"], name="courses_h5pattempt_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.activity}"
