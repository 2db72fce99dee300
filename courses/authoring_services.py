"""Writes of the curriculum editor (`courses.authoring_views`): the course's title and
description, its images for content pages, modules, activities, their order, assignments
and their rubrics.

Each write locks the course row (`select_for_update`), so two editors reordering or adding
at the same moment take turns and positions stay unique; each checks that the editor may
change the course (`adapter.can_edit_course`) and sends `curriculum_changed` inside the
transaction, so the host's audit trail is saved with the change or not at all.

Learners' records never vanish through the editor: a module or activity that anyone has
completed, answered, played or been scored on is not deleted (`LearnerRecordsExist`);
whether it is required may still change.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

from . import app_settings
from .adapter import get_adapter
from .models import (
    Activity,
    ActivityCompletion,
    Assignment,
    Course,
    CourseImage,
    H5PAttempt,
    H5PContentUserData,
    H5PPackage,
    Module,
    RubricCriterion,
    Submission,
    XAPIStatement,
)
from .signals import curriculum_changed

Direction = Literal["up", "down"]

# What the editor's own activity forms create; gathering attendance is the host's (LUP
# makes those activities with its gatherings), though an existing one can be edited here.
AUTHORED_KINDS = (
    Activity.Kind.PAGE,
    Activity.Kind.H5P,
    Activity.Kind.LINK,
    Activity.Kind.ASSIGNMENT,
)
MAX_RUBRIC_LEVELS = 10
MAX_LEVEL_LENGTH = 100


class CurriculumChange:
    """What `curriculum_changed` says was done (its `change` argument)."""

    COURSE_CHANGED = "course_changed"
    IMAGE_ADDED = "image_added"
    IMAGE_REMOVED = "image_removed"
    MODULE_ADDED = "module_added"
    MODULE_CHANGED = "module_changed"
    MODULE_REMOVED = "module_removed"
    MODULE_MOVED = "module_moved"
    ACTIVITY_ADDED = "activity_added"
    ACTIVITY_CHANGED = "activity_changed"
    ACTIVITY_REMOVED = "activity_removed"
    ACTIVITY_MOVED = "activity_moved"

    LABELS = {
        COURSE_CHANGED: gettext_lazy("Title or description changed"),
        IMAGE_ADDED: gettext_lazy("Image added"),
        IMAGE_REMOVED: gettext_lazy("Image deleted"),
        MODULE_ADDED: gettext_lazy("Module added"),
        MODULE_CHANGED: gettext_lazy("Module changed"),
        MODULE_REMOVED: gettext_lazy("Module deleted"),
        MODULE_MOVED: gettext_lazy("Module moved"),
        ACTIVITY_ADDED: gettext_lazy("Activity added"),
        ACTIVITY_CHANGED: gettext_lazy("Activity changed"),
        ACTIVITY_REMOVED: gettext_lazy("Activity deleted"),
        ACTIVITY_MOVED: gettext_lazy("Activity moved"),
    }


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion as the editor sends it: `pk` of an existing one, or None."""

    title: str
    levels: list[str]
    pk: int | None = None


@dataclass(frozen=True)
class AssignmentSettings:
    """The assignment behind an activity of kind "assignment"."""

    instructions: str
    team: bool = False
    accepts_text: bool = True
    accepts_file: bool = True
    due_days_after_start: int | None = None
    closes_at_due: bool = False


@dataclass(frozen=True)
class ActivityContent:
    """What an editor sets on an activity, by its kind (the fields its kind does not use
    are left alone)."""

    title: str
    required: bool = True
    body: str = ""
    url: str = ""
    h5p_package: H5PPackage | None = None
    h5p_completion: str = Activity.H5PCompletion.SCORE
    h5p_min_score: float | None = None
    assignment: AssignmentSettings | None = None
    criteria: Sequence[Criterion] | None = None


class LearnerRecordsExist(ValidationError):
    """Deleting this would delete what learners have done."""


# Reading rubric levels --------------------------------------------------------------------


def parse_rubric_levels(text: str) -> list[str]:
    """A criterion's levels from the editor's text: one a line, lowest first; blank lines
    and the spaces around a level are dropped. Refuses fewer than two levels, more than
    MAX_RUBRIC_LEVELS, a level longer than MAX_LEVEL_LENGTH, and a level given twice."""
    levels = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(levels) < 2:
        raise ValidationError(_("Give at least two levels, one a line."), code="levels_few")
    if len(levels) > MAX_RUBRIC_LEVELS:
        raise ValidationError(
            _("Give at most %(count)d levels.") % {"count": MAX_RUBRIC_LEVELS},
            code="levels_many",
        )
    if any(len(level) > MAX_LEVEL_LENGTH for level in levels):
        raise ValidationError(
            _("A level may be at most %(count)d characters long.") % {"count": MAX_LEVEL_LENGTH},
            code="level_long",
        )
    if len({level.casefold() for level in levels}) != len(levels):
        raise ValidationError(_("Each level must have its own name."), code="levels_repeated")
    return levels


# Who may, and the lock ---------------------------------------------------------------------


def may_edit(user: Any, course: Course) -> bool:
    """Whether `user` may edit the course's curriculum (the adapter decides)."""
    return bool(user.is_authenticated and get_adapter().can_edit_course(user, course))


def usable_packages(user: Any, course: Course) -> QuerySet[H5PPackage]:
    """The uploaded H5P packages `user` may show in an activity of `course`."""
    packages = get_adapter().h5p_packages_for(user, course)
    if packages is None:
        packages = H5PPackage.objects.all()
    return packages.select_related("main_library").order_by("title", "pk")


def _lock(course: Course, user: Any) -> Course:
    """Lock the course row for the change, after checking the editor may make it."""
    if not may_edit(user, course):
        raise PermissionDenied
    return Course.objects.select_for_update().get(pk=course.pk)


def _changed(course: Course, user: Any, change: str, title: str) -> None:
    curriculum_changed.send(sender=Course, course=course, user=user, change=change, title=title)


def _renumber(model: type[Model], items: list[Any]) -> None:
    """Give `items` (rows of one parent, in their new order) the positions 1, 2, 3 ...

    Positions are unique per parent and PostgreSQL checks that row by row, so the rows
    first move above every position in use, then down to their places."""
    if not items:
        return
    top = max(item.position for item in items) + len(items) + 1
    for offset, item in enumerate(items):
        item.position = top + offset
    model._default_manager.bulk_update(items, ["position"])
    for index, item in enumerate(items, start=1):
        item.position = index
    model._default_manager.bulk_update(items, ["position"])


def _moved(items: list[Any], item: Any, direction: Direction) -> list[Any] | None:
    """`items` with `item` swapped with its neighbour, or None at the end it moves to."""
    index = next(i for i, candidate in enumerate(items) if candidate.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(items):
        return None
    items = list(items)
    items[index], items[other] = items[other], items[index]
    return items


# Learners' records -------------------------------------------------------------------------


def learner_record_count(activities: Iterable[Activity] | QuerySet[Activity]) -> int:
    """How many learners' records (completions, answers, H5P scores, statements and saved
    states) hang on these activities: what deleting them would delete."""
    ids = [activity.pk for activity in activities]
    if not ids:
        return 0
    return (
        ActivityCompletion.objects.filter(activity_id__in=ids).count()
        + Submission.objects.filter(assignment__activity_id__in=ids).count()
        + H5PAttempt.objects.filter(activity_id__in=ids).count()
        + XAPIStatement.objects.filter(activity_id__in=ids).count()
        + H5PContentUserData.objects.filter(activity_id__in=ids).count()
    )


def _refuse_if_learners_have_records(activities: QuerySet[Activity], message: str) -> None:
    if learner_record_count(activities):
        raise LearnerRecordsExist(message, code="learner_records")


# Modules -------------------------------------------------------------------------------------


def _check_prerequisites(
    course: Course, module: Module | None, prerequisites: Iterable[Module]
) -> list[Module]:
    prerequisites = list(prerequisites)
    for other in prerequisites:
        if other.course_id != course.pk or (module is not None and other.pk == module.pk):
            raise ValidationError(
                _("A module can only come after other modules of the same course."),
                code="prerequisites",
            )
    return prerequisites


@transaction.atomic
def add_module(
    *,
    course: Course,
    user: Any,
    title: str,
    kind: str = Module.Kind.THEORY,
    summary: str = "",
    due_days_after_start: int | None = None,
    prerequisites: Iterable[Module] = (),
) -> Module:
    """Add a module at the end of the course."""
    course = _lock(course, user)
    before = _check_prerequisites(course, None, prerequisites)
    last = Module.objects.filter(course=course).aggregate(last=Max("position"))["last"] or 0
    module = Module(
        course=course,
        position=last + 1,
        title=title.strip(),
        kind=kind,
        summary=summary.strip(),
        due_days_after_start=due_days_after_start,
    )
    module.full_clean()
    module.save()
    module.prerequisites.set(before)
    _changed(course, user, CurriculumChange.MODULE_ADDED, module.title)
    return module


@transaction.atomic
def update_module(
    *,
    module: Module,
    user: Any,
    title: str,
    kind: str,
    summary: str = "",
    due_days_after_start: int | None = None,
    prerequisites: Iterable[Module] = (),
) -> Module:
    """Change a module's title, kind, summary, due day and the modules it comes after."""
    course = _lock(module.course, user)
    module = Module.objects.get(pk=module.pk, course=course)
    before = _check_prerequisites(course, module, prerequisites)
    module.title = title.strip()
    module.kind = kind
    module.summary = summary.strip()
    module.due_days_after_start = due_days_after_start
    module.full_clean()
    module.save()
    module.prerequisites.set(before)
    _changed(course, user, CurriculumChange.MODULE_CHANGED, module.title)
    return module


@transaction.atomic
def delete_module(*, module: Module, user: Any) -> None:
    """Delete a module and its activities, unless learners have records in it."""
    course = _lock(module.course, user)
    module = Module.objects.get(pk=module.pk, course=course)
    _refuse_if_learners_have_records(
        Activity.objects.filter(module=module),
        _(
            "“%(title)s” cannot be deleted: learners have done, answered or played its "
            "activities, and their records would be deleted with it. You can make its "
            "activities optional instead."
        )
        % {"title": module.title},
    )
    title = module.title
    module.delete()
    _changed(course, user, CurriculumChange.MODULE_REMOVED, title)


@transaction.atomic
def move_module(*, module: Module, user: Any, direction: Direction) -> bool:
    """Move a module one place up or down; False when it is already first (or last)."""
    course = _lock(module.course, user)
    modules = list(Module.objects.filter(course=course).order_by("position", "pk"))
    order = _moved(modules, module, direction)
    if order is None:
        return False
    _renumber(Module, order)
    _changed(course, user, CurriculumChange.MODULE_MOVED, module.title)
    return True


# Activities ----------------------------------------------------------------------------------


def _apply_content(activity: Activity, content: ActivityContent, packages: QuerySet[Any]) -> None:
    """Copy what the kind of `activity` uses from `content`; the other fields stay as
    they are (the editor's form for the kind does not show them)."""
    kind = activity.kind
    activity.title = content.title.strip()
    activity.required = content.required
    if kind == Activity.Kind.PAGE:
        activity.body = content.body
    if kind == Activity.Kind.LINK:
        activity.url = content.url.strip()
    if kind == Activity.Kind.H5P:
        package = content.h5p_package
        if package is not None and not packages.filter(pk=package.pk).exists():
            raise ValidationError(
                {"h5p_package": _("Choose one of the packages offered.")}, code="h5p_package"
            )
        activity.h5p_package = package
        activity.h5p_completion = content.h5p_completion
        activity.h5p_min_score = (
            content.h5p_min_score
            if content.h5p_completion == Activity.H5PCompletion.SCORE
            else None
        )


def _save_assignment(activity: Activity, settings: AssignmentSettings | None) -> Assignment:
    if settings is None:
        raise ValidationError(_("An assignment needs its instructions."), code="assignment")
    assignment = Assignment.objects.filter(activity=activity).first() or Assignment(
        activity=activity
    )
    assignment.instructions = settings.instructions.strip()
    assignment.team = settings.team
    assignment.accepts_text = settings.accepts_text
    assignment.accepts_file = settings.accepts_file
    assignment.due_days_after_start = settings.due_days_after_start
    assignment.closes_at_due = settings.closes_at_due
    if not (assignment.accepts_text or assignment.accepts_file):
        raise ValidationError(
            _("An assignment must accept a text, a file or both."), code="assignment_answer"
        )
    assignment.full_clean()
    assignment.save()
    return assignment


def _save_criteria(assignment: Assignment, criteria: Sequence[Criterion]) -> None:
    """Make the assignment's rubric `criteria`, in this order. Existing criteria are
    changed in place (reviews name them by id); one that a review has used is not removed."""
    existing = {criterion.pk: criterion for criterion in assignment.criteria.all()}
    kept = {criterion.pk for criterion in criteria if criterion.pk is not None}
    sent = [criterion.pk for criterion in criteria if criterion.pk is not None]
    if kept - set(existing) or len(sent) != len(kept):
        raise ValidationError(_("A criterion of another assignment was sent."), code="criteria")
    for pk in set(existing) - kept:
        used = Submission.objects.filter(assignment=assignment, rubric_levels__has_key=str(pk))
        if used.exists():
            raise ValidationError(
                _(
                    "The criterion “%(title)s” cannot be removed: reviewers have used it. "
                    "Change its title or levels instead."
                )
                % {"title": existing[pk].title},
                code="criterion_used",
            )
    RubricCriterion.objects.filter(pk__in=set(existing) - kept).delete()
    for position, criterion in enumerate(criteria, start=1):
        row = existing[criterion.pk] if criterion.pk is not None else None
        row = row or RubricCriterion(assignment=assignment)
        row.position = position
        row.title = criterion.title.strip()
        row.levels = list(criterion.levels)
        row.full_clean()
        row.save()


@transaction.atomic
def add_activity(*, module: Module, user: Any, kind: str, content: ActivityContent) -> Activity:
    """Add an activity of `kind` at the end of a module (an assignment with its rubric)."""
    course = _lock(module.course, user)
    module = Module.objects.get(pk=module.pk, course=course)
    if kind not in AUTHORED_KINDS:
        raise ValidationError(_("This kind of activity is not made here."), code="kind")
    last = Activity.objects.filter(module=module).aggregate(last=Max("position"))["last"] or 0
    activity = Activity(module=module, position=last + 1, kind=kind)
    _apply_content(activity, content, usable_packages(user, course))
    activity.full_clean()
    activity.save()
    if kind == Activity.Kind.ASSIGNMENT:
        assignment = _save_assignment(activity, content.assignment)
        _save_criteria(assignment, content.criteria or ())
    _changed(course, user, CurriculumChange.ACTIVITY_ADDED, activity.title)
    return activity


@transaction.atomic
def update_activity(*, activity: Activity, user: Any, content: ActivityContent) -> Activity:
    """Change an activity (its kind stays): whether it is required may always change."""
    course = _lock(activity.module.course, user)
    activity = Activity.objects.select_related("module").get(pk=activity.pk, module__course=course)
    _apply_content(activity, content, usable_packages(user, course))
    activity.full_clean()
    activity.save()
    if activity.kind == Activity.Kind.ASSIGNMENT:
        assignment = _save_assignment(activity, content.assignment)
        if content.criteria is not None:
            _save_criteria(assignment, content.criteria)
    _changed(course, user, CurriculumChange.ACTIVITY_CHANGED, activity.title)
    return activity


@transaction.atomic
def delete_activity(*, activity: Activity, user: Any) -> None:
    """Delete an activity, unless learners have records of it."""
    course = _lock(activity.module.course, user)
    activity = Activity.objects.get(pk=activity.pk, module__course=course)
    _refuse_if_learners_have_records(
        Activity.objects.filter(pk=activity.pk),
        _(
            "“%(title)s” cannot be deleted: learners have done, answered or played it, and "
            "their records would be deleted with it. You can make it optional instead."
        )
        % {"title": activity.title},
    )
    title = activity.title
    activity.delete()
    _changed(course, user, CurriculumChange.ACTIVITY_REMOVED, title)


@transaction.atomic
def move_activity(*, activity: Activity, user: Any, direction: Direction) -> bool:
    """Move an activity one place up or down in its module; False at the module's end."""
    course = _lock(activity.module.course, user)
    activities = list(
        Activity.objects.filter(module_id=activity.module_id, module__course=course).order_by(
            "position", "pk"
        )
    )
    order = _moved(activities, activity, direction)
    if order is None:
        return False
    _renumber(Activity, order)
    _changed(course, user, CurriculumChange.ACTIVITY_MOVED, activity.title)
    return True


# The course's title and description ---------------------------------------------------------


@transaction.atomic
def update_course(*, course: Course, user: Any, title: str, description: str) -> tuple[str, ...]:
    """Change the course's title and description (Markdown, shown on the course's page).
    Returns the fields changed; nothing changed is nothing saved and nothing sent."""
    course = _lock(course, user)
    wanted = {"title": (title or "").strip(), "description": (description or "").strip()}
    changed = [field for field, value in wanted.items() if getattr(course, field) != value]
    for field in changed:
        setattr(course, field, wanted[field])
    if not changed:
        return ()
    course.full_clean()
    course.save(update_fields=changed)
    _changed(course, user, CurriculumChange.COURSE_CHANGED, course.title)
    return tuple(changed)


# Images for content pages ----------------------------------------------------------------------

# What a course image may be, as Pillow names the format, and the file ending it is kept under
# (the uploaded name and stated type are not trusted).
COURSE_IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}


def check_course_image(upload: Any) -> str:
    """Refuse (ValidationError) anything but a PNG, JPEG, WebP or GIF image within
    COURSES_COURSE_IMAGE_MAX_BYTES and COURSES_COURSE_IMAGE_MAX_PIXELS, as Pillow reads its
    bytes (never its name). Only the header is trusted for the size, and Pillow's `verify`
    checks the file's structure without unpacking every pixel. Returns the file ending."""
    max_bytes = app_settings.COURSE_IMAGE_MAX_BYTES()
    too_large = ValidationError(
        _("The image may be at most %(size)s MB.") % {"size": f"{max_bytes / (1024 * 1024):g}"},
        code="image_size",
    )
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise too_large
    not_an_image = ValidationError(
        _("The file must be a PNG, JPEG, WebP or GIF image (this one is not)."),
        code="image_type",
    )
    too_many_pixels = ValidationError(
        _("The image has too many pixels: at most %(pixels)s million.")
        % {"pixels": f"{app_settings.COURSE_IMAGE_MAX_PIXELS() / 1_000_000:g}"},
        code="image_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(COURSE_IMAGE_FORMATS)) as image:
                width, height = image.size
                if width * height > app_settings.COURSE_IMAGE_MAX_PIXELS():
                    raise too_many_pixels
                found = str(image.format)
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels from error
    except Exception as error:  # Pillow raises many kinds for a file that is not an image
        raise not_an_image from error
    if found not in COURSE_IMAGE_FORMATS:
        raise not_an_image
    return COURSE_IMAGE_FORMATS[found]


@transaction.atomic
def add_course_image(*, course: Course, user: Any, image: Any, alt_text: str) -> CourseImage:
    """Upload an image for the course's content pages (`check_course_image`), with its text
    alternative (required). Stored under a new name of its real format; public, like the
    pages that show it. ValidationError by field ("image", "alt_text") with nothing saved."""
    course = _lock(course, user)
    try:
        ending = check_course_image(image)
    except ValidationError as error:
        raise ValidationError({"image": error.error_list}) from error
    stored = without_metadata(image, ending)
    row = CourseImage(course=course, image=stored, alt_text=" ".join((alt_text or "").split()))
    row.full_clean()
    row.save()
    _changed(course, user, CurriculumChange.IMAGE_ADDED, row.alt_text)
    return row


# The formats re-encoded on upload to drop their metadata (EXIF with a photo's GPS position,
# the camera, the time it was taken): course images are public. GIF keeps its frames as
# they are (it carries no EXIF).
_REENCODED = {
    "jpg": ("JPEG", {"quality": 92}),
    "png": ("PNG", {}),
    "webp": ("WEBP", {"quality": 92}),
}


def without_metadata(upload: Any, ending: str) -> ContentFile[bytes]:
    """The checked image (`check_course_image`) as a new file named `image.<ending>`: JPEG,
    PNG and WebP re-encoded with the camera's rotation applied and without their metadata
    (EXIF, XMP, comments); GIF as uploaded."""
    upload.seek(0)
    data = upload.read()
    if ending not in _REENCODED:
        return ContentFile(data, name=f"image.{ending}")
    image_format, options = _REENCODED[ending]
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image) or image
        if image_format == "JPEG" and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        out = io.BytesIO()
        upright.save(out, format=image_format, **options)
    return ContentFile(out.getvalue(), name=f"image.{ending}")


@transaction.atomic
def delete_course_image(*, image: CourseImage, user: Any) -> bool:
    """Delete a course image and, once that is committed, its file. Content pages that
    still show it show its text alternative instead (the editor is warned first:
    `authoring_selectors.pages_using_image`). False when it was gone already."""
    course = _lock(image.course, user)
    row = CourseImage.objects.filter(pk=image.pk, course=course).first()
    if row is None:
        return False
    name, storage = row.image.name, row.image.storage
    row.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    _changed(course, user, CurriculumChange.IMAGE_REMOVED, row.alt_text)
    return True
