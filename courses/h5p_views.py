"""The H5P upload page and a package's page (attach it to an H5P activity).

Thin: the forms parse, `courses.h5p.services` validates, stores and attaches. Uploading
needs `courses.add_h5ppackage`; installing new libraries `courses.install_h5p_library`;
attaching a package to an activity `courses.change_activity` in a course the adapter
lets the person see and change (`editable_courses`: a course another organisation owns is
used as it is, never changed here).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .h5p import app_settings, services
from .h5p.forms import AttachForm, PackageUploadForm
from .h5p.validation import PackageRejected
from .models import H5PPackage

UPLOAD_PERMISSION = "courses.add_h5ppackage"
RECENT_PACKAGES = 20


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(UPLOAD_PERMISSION, raise_exception=True)
def h5p_upload(request: HttpRequest) -> HttpResponse:
    """Upload an `.h5p` file: every problem is listed, and nothing is stored on rejection."""
    form = PackageUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            package, created = services.install_package(
                upload=form.cleaned_data["file"],
                uploaded_by=request.user,
                allow_new_libraries=request.user.has_perm("courses.install_h5p_library"),
                title=form.cleaned_data.get("title") or None,
            )
        except PackageRejected as rejection:
            problems = rejection.problems
        else:
            if created:
                messages.success(
                    request, _("The package “%(title)s” is stored.") % {"title": package.title}
                )
            else:
                messages.info(
                    request,
                    _("This file was uploaded before, as “%(title)s”: nothing new was stored.")
                    % {"title": package.title},
                )
            return redirect("courses:h5p-package-detail", package_id=package.public_id)
    packages = H5PPackage.objects.select_related("main_library")[:RECENT_PACKAGES]
    return render(
        request,
        "courses/h5p_upload.html",
        {
            "form": form,
            "problems": problems,
            "packages": packages,
            "may_install_libraries": request.user.has_perm("courses.install_h5p_library"),
            "max_megabytes": app_settings.MAX_TOTAL_BYTES() // (1024 * 1024),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required(UPLOAD_PERMISSION, raise_exception=True)
def h5p_package(request: HttpRequest, package_id: Any) -> HttpResponse:
    """A stored package, its libraries and activities; a POST attaches it to an activity."""
    package = get_object_or_404(
        H5PPackage.objects.select_related("main_library", "uploaded_by"), public_id=package_id
    )
    # Only activities of courses the person may change: the form refuses any other choice.
    activities = services.attachable_activities(request.user)
    form = AttachForm(
        request.POST or None,
        activities=activities,
        suggested=services.suggested_completion(package),
    )
    if request.method == "POST" and form.is_valid():
        activity = form.cleaned_data["activity"]
        try:
            services.attach_package(
                activity=activity,
                package=package,
                user=request.user,
                completion=form.cleaned_data["completion"],
                min_score=form.min_score(),
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(
                "activity",
                error
                if isinstance(error, ValidationError)
                else _("You may not change this activity."),
            )
        else:
            messages.success(
                request,
                _("“%(activity)s” now shows “%(package)s”.")
                % {"activity": activity.title, "package": package.title},
            )
            return redirect("courses:h5p-package-detail", package_id=package.public_id)
    return render(
        request,
        "courses/h5p_package.html",
        {
            "package": package,
            # What it plays with now: the installed libraries it needs, at their newest patch.
            "libraries": sorted(
                services.play_libraries(package).values(), key=lambda library: library.title
            ),
            "attached": package.activities.select_related("module__course").order_by(
                "module__course__title", "module__position", "position"
            ),
            "form": form,
            "may_attach": activities.exists(),
        },
    )
