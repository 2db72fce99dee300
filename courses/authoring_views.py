"""The curriculum editor: a course's title and description, its images for content pages
(uploaded with their text alternative, listed with the Markdown to paste), its modules and
activities, their order, content pages with a Markdown preview, H5P activities, links, and
assignments with their rubric.

Thin: forms parse, `courses.authoring_services` writes (and refuses), the adapter decides
who may edit which course (`can_edit_course`). Without the permission to change courses
the pages are refused (403); a course the person may not edit is "not found" (404), so
another organisation's course is not even confirmed to exist. No JavaScript: moving is a
small POST form, the preview a second submit button that saves nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import authoring_selectors, authoring_services
from .adapter import EDIT_COURSE_PERMISSION
from .authoring_forms import (
    ActivityForm,
    CourseDetailsForm,
    CourseImageForm,
    CriterionFormSet,
    ModuleForm,
    MoveForm,
    criteria_initial,
)
from .models import Activity, Assignment, Course, CourseImage, Module
from .rendering import render_markdown

PREVIEW = "preview"


def _course(request: HttpRequest, slug: str) -> Course:
    """The course, if the signed-in person may edit it: 403 without the permission at all,
    404 for a course they may not edit (or none)."""
    if not request.user.has_perm(EDIT_COURSE_PERMISSION):
        raise PermissionDenied
    course = get_object_or_404(Course, slug=slug)
    if not authoring_services.may_edit(request.user, course):
        raise Http404
    return course


def _module(course: Course, module_id: int) -> Module:
    return get_object_or_404(Module, course=course, pk=module_id)


def _activity(course: Course, activity_id: Any) -> Activity:
    return get_object_or_404(
        Activity.objects.select_related("module__course", "h5p_package"),
        module__course=course,
        public_id=activity_id,
    )


def _outline_url(course: Course, anchor: str = "") -> str:
    url = reverse("courses:course-edit", kwargs={"slug": course.slug})
    return f"{url}#{anchor}" if anchor else url


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
@login_required
def course_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The outline: modules in order, each with its activities, and what can be done."""
    course = _course(request, slug)
    return render(
        request,
        "courses/authoring/outline.html",
        {
            "course": course,
            "outline": authoring_selectors.curriculum_outline(course),
            "images": authoring_selectors.course_images(course),
            "kinds": [
                (kind, Activity.Kind(kind).label) for kind in authoring_services.AUTHORED_KINDS
            ],
        },
    )


def _module_form(request: HttpRequest, course: Course, module: Module | None) -> ModuleForm:
    others = Module.objects.filter(course=course).order_by("position", "pk")
    if module is not None:
        others = others.exclude(pk=module.pk)
    initial = ModuleForm.initial_for(module) if module is not None else {"kind": Module.Kind.THEORY}
    return ModuleForm(request.POST or None, others=others, initial=initial)


@require_http_methods(["GET", "POST"])
@login_required
def module_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a module at the end of the course."""
    course = _course(request, slug)
    form = _module_form(request, course, None)
    if request.method == "POST" and form.is_valid():
        try:
            module = authoring_services.add_module(
                course=course, user=request.user, **form.values()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The module “%(title)s” is added.") % {"title": module.title}
            )
            return redirect(_outline_url(course, f"module-{module.pk}"))
    return render(
        request,
        "courses/authoring/module_form.html",
        {"course": course, "module": None, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def module_edit(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    """Change a module's title, kind, summary, due day and prerequisites."""
    course = _course(request, slug)
    module = _module(course, module_id)
    form = _module_form(request, course, module)
    if request.method == "POST" and form.is_valid():
        try:
            module = authoring_services.update_module(
                module=module, user=request.user, **form.values()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The module “%(title)s” is saved.") % {"title": module.title}
            )
            return redirect(_outline_url(course, f"module-{module.pk}"))
    return render(
        request,
        "courses/authoring/module_form.html",
        {"course": course, "module": module, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def module_delete(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    """Ask, then delete a module with its activities (refused when learners have records)."""
    course = _course(request, slug)
    module = _module(course, module_id)
    activities = list(module.activities.order_by("position", "pk"))
    records = authoring_services.learner_record_count(activities)
    if request.method == "POST":
        try:
            authoring_services.delete_module(module=module, user=request.user)
        except ValidationError as error:
            messages.error(request, _refusal(error))
            return redirect(_outline_url(course, f"module-{module.pk}"))
        messages.success(request, _("The module “%(title)s” is deleted.") % {"title": module.title})
        return redirect(_outline_url(course))
    return render(
        request,
        "courses/authoring/confirm_delete.html",
        {
            "course": course,
            "title": module.title,
            "activities": activities,
            "records": records,
            "anchor": f"module-{module.pk}",
        },
    )


@require_POST
@login_required
def module_move(request: HttpRequest, slug: str, module_id: int) -> HttpResponse:
    """Move a module one place up or down."""
    course = _course(request, slug)
    module = _module(course, module_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        authoring_services.move_module(
            module=module, user=request.user, direction=form.cleaned_data["direction"]
        )
    return redirect(_outline_url(course, f"module-{module.pk}"))


def _criteria_formset(request: HttpRequest, assignment: Assignment | None) -> Any:
    return CriterionFormSet(
        request.POST or None, initial=criteria_initial(assignment), prefix="criteria"
    )


def _activity_page(
    request: HttpRequest,
    *,
    course: Course,
    module: Module,
    kind: str,
    activity: Activity | None,
) -> HttpResponse:
    """The activity form, new or existing: save, or (the "Preview" button) show the
    Markdown as learners will see it and save nothing."""
    packages = authoring_services.usable_packages(request.user, course)
    initial = ActivityForm.initial_for(activity) if activity else ActivityForm.initial_new(kind)
    form = ActivityForm(request.POST or None, kind=kind, packages=packages, initial=initial)
    formset = None
    if kind == Activity.Kind.ASSIGNMENT:
        assignment = Assignment.objects.filter(activity=activity).first() if activity else None
        formset = _criteria_formset(request, assignment)
    preview = None
    if request.method == "POST":
        valid = form.is_valid() & (formset is None or formset.is_valid())
        markdown_field = form.markdown_field
        if PREVIEW in request.POST:
            if markdown_field is not None:
                preview = render_markdown(request.POST.get(markdown_field, ""))
        elif valid:
            criteria = None
            if formset is not None:
                criteria = [
                    criterion
                    for criterion in (row.criterion() for row in formset.forms)
                    if criterion is not None
                ]
            try:
                if activity is None:
                    activity = authoring_services.add_activity(
                        module=module, user=request.user, kind=kind, content=form.content(criteria)
                    )
                    message = _("The activity “%(title)s” is added.")
                else:
                    activity = authoring_services.update_activity(
                        activity=activity, user=request.user, content=form.content(criteria)
                    )
                    message = _("The activity “%(title)s” is saved.")
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, message % {"title": activity.title})
                return redirect(_outline_url(course, f"activity-{activity.public_id}"))
    return render(
        request,
        "courses/authoring/activity_form.html",
        {
            "course": course,
            "module": module,
            "activity": activity,
            "kind": kind,
            "kind_label": Activity.Kind(kind).label,
            "form": form,
            "formset": formset,
            "preview": preview,
            "has_preview": form.markdown_field is not None,
            "packages_exist": packages.exists() if kind == Activity.Kind.H5P else False,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def activity_create(request: HttpRequest, slug: str, module_id: int, kind: str) -> HttpResponse:
    """Add an activity of a kind (content page, H5P, link, assignment) to a module."""
    course = _course(request, slug)
    module = _module(course, module_id)
    if kind not in authoring_services.AUTHORED_KINDS:
        raise Http404
    return _activity_page(request, course=course, module=module, kind=kind, activity=None)


@require_http_methods(["GET", "POST"])
@login_required
def activity_edit(request: HttpRequest, slug: str, activity_id: Any) -> HttpResponse:
    """Change an activity (its kind stays)."""
    course = _course(request, slug)
    activity = _activity(course, activity_id)
    return _activity_page(
        request, course=course, module=activity.module, kind=activity.kind, activity=activity
    )


@require_http_methods(["GET", "POST"])
@login_required
def activity_delete(request: HttpRequest, slug: str, activity_id: Any) -> HttpResponse:
    """Ask, then delete an activity (refused when learners have records of it)."""
    course = _course(request, slug)
    activity = _activity(course, activity_id)
    records = authoring_services.learner_record_count([activity])
    anchor = f"activity-{activity.public_id}"
    if request.method == "POST":
        try:
            authoring_services.delete_activity(activity=activity, user=request.user)
        except ValidationError as error:
            messages.error(request, _refusal(error))
            return redirect(_outline_url(course, anchor))
        messages.success(
            request, _("The activity “%(title)s” is deleted.") % {"title": activity.title}
        )
        return redirect(_outline_url(course, f"module-{activity.module_id}"))
    return render(
        request,
        "courses/authoring/confirm_delete.html",
        {
            "course": course,
            "title": activity.title,
            "activities": [],
            "records": records,
            "anchor": anchor,
        },
    )


@require_POST
@login_required
def activity_move(request: HttpRequest, slug: str, activity_id: Any) -> HttpResponse:
    """Move an activity one place up or down in its module."""
    course = _course(request, slug)
    activity = _activity(course, activity_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        authoring_services.move_activity(
            activity=activity, user=request.user, direction=form.cleaned_data["direction"]
        )
    return redirect(_outline_url(course, f"activity-{activity.public_id}"))


def _service_errors(form: Any, error: ValidationError) -> None:
    """A service's refusal next to its field where it names one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
@login_required
def course_details(request: HttpRequest, slug: str) -> HttpResponse:
    """Change the course's title and its description for learners (Markdown)."""
    course = _course(request, slug)
    form = CourseDetailsForm(request.POST or None, initial=CourseDetailsForm.initial_for(course))
    if request.method == "POST" and form.is_valid():
        try:
            changed = authoring_services.update_course(
                course=course,
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            if changed:
                messages.success(request, _("The course's title and description are saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect(_outline_url(course, "course-details"))
    return render(
        request,
        "courses/authoring/course_details.html",
        {"course": course, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def course_image_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload an image for the course's content pages, with its text alternative."""
    course = _course(request, slug)
    form = CourseImageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            image = authoring_services.add_course_image(
                course=course,
                user=request.user,
                image=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The image is added. To show it on a content page, paste its Markdown "
                    "there: %(markdown)s"
                )
                % {"markdown": image.markdown},
            )
            return redirect(_outline_url(course, f"image-{image.pk}"))
    return render(
        request,
        "courses/authoring/course_image_form.html",
        {"course": course, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def course_image_delete(request: HttpRequest, slug: str, image_id: int) -> HttpResponse:
    """Ask, then delete a course image: the question names the pages that still show it."""
    course = _course(request, slug)
    image = get_object_or_404(
        CourseImage.objects.select_related("course"), course=course, pk=image_id
    )
    if request.method == "POST":
        authoring_services.delete_course_image(image=image, user=request.user)
        messages.success(request, _("The image “%(alt)s” is deleted.") % {"alt": image.alt_text})
        return redirect(_outline_url(course, "images"))
    return render(
        request,
        "courses/authoring/course_image_delete.html",
        {
            "course": course,
            "image": image,
            "used": authoring_selectors.pages_using_image(image),
        },
    )
