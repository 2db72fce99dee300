"""Admin for authoring the curriculum, and for following submissions and completions.

Content (courses, modules, activities, assignments, images) is shared: the adapter says
which courses a staff member sees (`visible_courses`) and which of those they may change
(`editable_courses`); the others open read-only, and add forms offer only editable courses.
Submissions and completions are personal data, so they are limited to the learners the
adapter says the staff member may see.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import app_settings, services, xapi
from .adapter import get_adapter, limit_to_editable
from .models import (
    Activity,
    ActivityCompletion,
    Assignment,
    Course,
    CourseImage,
    Enrolment,
    H5PLibrary,
    H5PPackage,
    Module,
    RubricCriterion,
    Submission,
    XAPIStatement,
)


def _editable(request: HttpRequest, model: type[Any], obj: Any, course_field: str) -> bool:
    """Whether the course of `obj` (a `model` row; its course at `course_field`) is one the
    staff member may change."""
    if obj is None or obj.pk is None:
        return True
    rows = model._default_manager.filter(pk=obj.pk)
    return limit_to_editable(rows, request.user, course_field).exists()


class CourseScopedInline(admin.TabularInline):
    """An inline whose parent is read-only when its course is not editable: the rows too."""

    parent_course_field = ""  # from the parent to its course; "" when the parent is a course

    def _parent_editable(self, request: HttpRequest, obj: Any) -> bool:
        return _editable(request, self.parent_model, obj, self.parent_course_field)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)


class ModuleInline(CourseScopedInline):
    model = Module
    extra = 0
    fields = ["position", "title", "kind", "due_days_after_start"]
    show_change_link = True


class ImageInline(CourseScopedInline):
    model = CourseImage
    extra = 0
    fields = ["image", "alt_text", "markdown_to_paste"]
    readonly_fields = ["markdown_to_paste"]

    @admin.display(description=_("Markdown to paste"))
    def markdown_to_paste(self, image: CourseImage) -> str:
        return image.markdown if image.pk and image.image else ""


class CourseScopedAdmin(admin.ModelAdmin):
    """Lists only the courses (and their parts) the adapter lets the staff member see, and
    opens read-only those whose course they may not change (a course another organisation
    owns): the change page shows it, a POST is refused (403), and it cannot be deleted."""

    course_field = "course"
    # The foreign keys (and many-to-many) to course content, with the path from the
    # related model to its course: their choices are only the editable courses' rows.
    content_choices: dict[str, str] = {}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        courses = get_adapter().visible_courses(request.user)
        if courses is None:
            return queryset
        if not self.course_field:
            return queryset.filter(pk__in=courses.values("pk"))
        return queryset.filter(**{f"{self.course_field}__in": courses.values("pk")})

    def _obj_editable(self, request: HttpRequest, obj: Any) -> bool:
        return _editable(request, self.model, obj, self.course_field)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._obj_editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._obj_editable(request, obj)

    def _limit_choices(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        if db_field.name in self.content_choices:
            related = db_field.related_model._default_manager.all()
            kwargs["queryset"] = limit_to_editable(
                kwargs.get("queryset", related),
                request.user,
                self.content_choices[db_field.name],
            )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Course)
class CourseAdmin(CourseScopedAdmin):
    course_field = ""
    list_display = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ModuleInline, ImageInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # The host may record who owns it (LUP: the creator's organisation).
            get_adapter().course_created(request.user, obj)


class ActivityInline(CourseScopedInline):
    model = Activity
    parent_course_field = "course"
    extra = 0
    fields = ["position", "title", "kind", "required"]
    show_change_link = True


@admin.register(Module)
class ModuleAdmin(CourseScopedAdmin):
    list_display = ["title", "course", "position", "kind"]
    # Relation filters list only what the (scoped) list holds: Django's default lists every
    # course in the installation, other municipalities' too.
    list_filter = [("course", admin.RelatedOnlyFieldListFilter), "kind"]
    filter_horizontal = ["prerequisites"]
    inlines = [ActivityInline]
    content_choices = {"course": "", "prerequisites": "course"}


@admin.register(Activity)
class ActivityAdmin(CourseScopedAdmin):
    course_field = "module__course"
    list_display = ["title", "module", "kind", "required"]
    list_filter = [("module__course", admin.RelatedOnlyFieldListFilter), "kind", "required"]
    search_fields = ["title"]
    content_choices = {"module": "course"}


class CriterionInline(CourseScopedInline):
    model = RubricCriterion
    parent_course_field = "activity__module__course"
    extra = 0


@admin.register(Assignment)
class AssignmentAdmin(CourseScopedAdmin):
    course_field = "activity__module__course"
    list_display = ["__str__", "team", "due_days_after_start", "closes_at_due"]
    list_filter = ["team"]
    inlines = [CriterionInline]
    content_choices = {"activity": "module__course"}


class LearnerScopedAdmin(admin.ModelAdmin):
    """Lists only the learners the adapter lets the staff member see."""

    learner_field = "user"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        learners = get_adapter().visible_learners(request.user)
        if learners is None:
            return queryset
        return queryset.filter(**{f"{self.learner_field}__in": learners.values("pk")})


@admin.register(Submission)
class SubmissionAdmin(LearnerScopedAdmin):
    """Follow answers here; review them on the review page (the same flow as facilitators)."""

    learner_field = "submitted_by"
    list_display = ["__str__", "submitted_by", "status", "submitted_at", "late", "review_link"]
    list_filter = ["status", "late", ("assignment", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["assignment__activity", "submitted_by"]
    readonly_fields = [
        "assignment",
        "submitted_by",
        "group_key",
        "members",
        "attempt",
        "text",
        "file_name",
        "file_size",
        "submitted_at",
        "late",
        "status",
        "feedback",
        "rubric_levels",
        "reviewed_by",
        "reviewed_at",
    ]
    exclude = ["file"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("review"))
    def review_link(self, submission: Submission) -> str:
        from django.urls import reverse

        url = reverse("courses:submission-review", kwargs={"submission_id": submission.public_id})
        return format_html('<a href="{}">{}</a>', url, _("Open"))


@admin.register(ActivityCompletion)
class ActivityCompletionAdmin(LearnerScopedAdmin):
    list_display = ["user", "activity", "completed_at", "source"]
    list_filter = ["source", ("activity__module__course", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "activity"]
    actions = ["withdraw"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # withdraw instead, so the figures above move back

    def has_withdraw_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("courses.delete_activitycompletion"))

    @admin.action(description=_("Withdraw the selected completions"), permissions=["withdraw"])
    def withdraw(self, request: HttpRequest, queryset: QuerySet[ActivityCompletion]) -> None:
        count = 0
        for completion in queryset.select_related("user", "activity"):
            if services.withdraw_completion(
                user=completion.user, activity=completion.activity, withdrawn_by=request.user
            ):
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d completion withdrawn.", "%(count)d completions withdrawn.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Enrolment)
class EnrolmentAdmin(LearnerScopedAdmin):
    list_display = ["user", "course", "starts_on"]
    list_filter = [("course", admin.RelatedOnlyFieldListFilter)]
    raw_id_fields = ["user"]


# H5P packages and libraries: uploaded on the upload page (courses/h5p_views.py), where the
# package is validated; the admin lists them. Libraries are installed by packages only.


@admin.register(H5PLibrary)
class H5PLibraryAdmin(admin.ModelAdmin):
    list_display = ["machine_name", "version", "title", "runnable", "installed_at", "installed_by"]
    list_filter = ["runnable"]
    search_fields = ["machine_name", "title"]
    list_select_related = ["installed_by"]
    readonly_fields = [
        "machine_name",
        "major_version",
        "minor_version",
        "patch_version",
        "title",
        "runnable",
        "metadata",
        "files_path",
        "installed_at",
        "installed_by",
    ]

    @admin.display(description=_("version"))
    def version(self, library: H5PLibrary) -> str:
        return f"{library.major_version}.{library.minor_version}.{library.patch_version}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # packages depend on it; its files stay in the H5P storage


@admin.register(H5PPackage)
class H5PPackageAdmin(admin.ModelAdmin):
    """Packages are added on the upload page ("Add" leads there), which validates them."""

    list_display = ["title", "main_library", "size", "uploaded_at", "uploaded_by", "page_link"]
    search_fields = ["title", "sha256"]
    list_select_related = ["main_library", "uploaded_by"]
    readonly_fields = [
        "public_id",
        "sha256",
        "title",
        "main_library",
        "libraries",
        "h5p_json",
        "original_path",
        "content_path",
        "size",
        "uploaded_at",
        "uploaded_by",
    ]

    def add_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        from django.core.exceptions import PermissionDenied
        from django.shortcuts import redirect

        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("courses:h5p-upload")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its files stay in the H5P storage; activities may show it

    @admin.display(description=_("page"))
    def page_link(self, package: H5PPackage) -> str:
        from django.urls import reverse

        url = reverse("courses:h5p-package-detail", kwargs={"package_id": package.public_id})
        return format_html('<a href="{}">{}</a>', url, _("Open"))


@admin.register(XAPIStatement)
class XAPIStatementAdmin(LearnerScopedAdmin):
    """Where statements stand with the external LRS (COURSES_LRS_ENDPOINT): filtered by
    state, with each one's attempts, next attempt and last error, the counts per state and
    the oldest statement still pending above the list, and "Send again now" for failed or
    refused ones once the cause is fixed. Read-only: statements are the learners' record."""

    list_display = [
        "received_at",
        "statement_id",
        "user",
        "activity",
        "verb",
        "forwarding_state",
        "forwarding_attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["forwarding_state"]
    list_select_related = ["user", "activity"]
    search_fields = ["statement_id"]
    date_hierarchy = "received_at"
    actions = ["send_again"]
    readonly_fields = [
        "statement_id",
        "user",
        "activity",
        "received_at",
        "verb",
        "top_level",
        "score_raw",
        "score_max",
        "score_scaled",
        "success",
        "completion",
        "duration",
        "raw",
        "forwarding_state",
        "forwarding_attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the retention rules delete statements (lup.privacy)

    def has_send_again_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("courses.change_xapistatement"))

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        """The list, under a line of counts per state for the statements this staff member
        may see (one query)."""
        figures = xapi.forwarding_summary(self.get_queryset(request))
        counts = ", ".join(
            f"{label}: {figures[state]}" for state, label in XAPIStatement.Forwarding.choices
        )
        oldest = figures["oldest_pending"]
        if oldest is not None:
            counts += " — " + _("oldest pending received %(when)s") % {
                "when": date_format(localtime(oldest), "DATETIME_FORMAT")
            }
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": counts})

    @admin.action(description=_("Send again now"), permissions=["send_again"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[XAPIStatement]) -> None:
        if not app_settings.LRS_ENDPOINT():
            self.message_user(
                request,
                _("No LRS is configured (COURSES_LRS_ENDPOINT): there is nowhere to send to."),
                messages.ERROR,
            )
            return
        report = xapi.send_now(queryset)
        self.message_user(
            request,
            _(
                "Sent: %(sent)d. Refused by the LRS: %(refused)d. To be tried again: "
                "%(retrying)d. Failed: %(failed)d."
            )
            % report.as_dict(),
            messages.SUCCESS if not (report.refused or report.failed) else messages.WARNING,
        )
