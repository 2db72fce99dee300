"""Pages for running a cohort: the progress grid, attendance on a phone, and QR check-in.

Thin views: they find the object through `lup.scoping` (out of scope answers 404), check
the role (in scope but not allowed answers 403), then call a selector or a service.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from . import permissions, progress, scoping, services
from .models import Attendance, Gathering, UnitEnrolment


@require_GET
@login_required
def cohort_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """Units × modules for the cohort's facilitators (and administrators and HR in scope)."""
    cohort = get_object_or_404(scoping.cohorts_for(request.user), pk=pk)
    if not permissions.can_follow_cohort(request.user, cohort):
        raise PermissionDenied
    grid = progress.cohort_grid(
        cohort,
        scoping.enrolments_for(request.user),
        filters=progress.parse_filters(request.GET),
    )
    # Facilitators review their cohort's answers (see lup.courses_adapter); others may too
    # with the permission. HR and administrators without it see the queue without links.
    can_review = request.user.has_perm("courses.change_submission") or permissions.facilitates(
        request.user, cohort
    )
    return render(
        request,
        "lup/cohort_grid.html",
        {
            "cohort": cohort,
            "grid": grid,
            "statuses": UnitEnrolment.Status.choices,
            "can_review": can_review,
        },
    )


def _gathering(request: HttpRequest, pk: int) -> Gathering:
    """A gathering of a cohort in the user's scope that they may take attendance for."""
    gathering = get_object_or_404(
        Gathering.objects.select_related("cohort__programme", "activity").filter(
            cohort__in=scoping.cohorts_for(request.user).values("pk")
        ),
        pk=pk,
    )
    if not permissions.can_record_attendance(request.user, gathering.cohort):
        raise PermissionDenied
    return gathering


def _ids(values: list[str]) -> set[int]:
    return {int(value) for value in values if value.isdigit()}


@require_http_methods(["GET", "POST"])
@login_required
def gathering_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick who is here. Saving changes only the marks changed on this form, so two
    facilitators (or participants checking in) at the same time do not undo each other."""
    gathering = _gathering(request, pk)
    sheet = progress.attendance_sheet(gathering)
    if request.method == "POST":
        participants = {participant.pk: participant for participant in sheet.participants}
        marked = _ids(request.POST.getlist("present")) & participants.keys()
        shown_present = _ids(request.POST.getlist("was_present")) & participants.keys()
        errors = []
        for participant_pk in sorted(marked - sheet.present.keys()):
            try:
                services.record_attendance(
                    gathering=gathering,
                    participant=participants[participant_pk],
                    recorded_by=request.user,  # type: ignore[arg-type]
                    method=Attendance.Method.FACILITATOR,
                )
            except ValidationError as error:
                errors.extend(error.messages)
        for participant_pk in sorted((shown_present - marked) & sheet.present.keys()):
            services.remove_attendance(
                gathering=gathering,
                participant=participants[participant_pk],
                removed_by=request.user,  # type: ignore[arg-type]
            )
        for message in errors:
            messages.error(request, message)
        present = len(progress.attendance_sheet(gathering).present)
        messages.success(
            request,
            ngettext(
                "Attendance saved: %(count)d present.",
                "Attendance saved: %(count)d present.",
                present,
            )
            % {"count": present},
        )
        return redirect("lup:gathering-attendance", pk=gathering.pk)
    return render(
        request, "lup/gathering_attendance.html", {"gathering": gathering, "sheet": sheet}
    )


def check_in_url(request: HttpRequest, gathering: Gathering) -> str:
    return request.build_absolute_uri(
        reverse("lup:check-in", kwargs={"pk": gathering.pk, "code": gathering.check_in_code})
    )


def qr_svg(data: str) -> str:
    """The QR code for `data` as an inline SVG element (no XML declaration)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(data, image_factory=SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]


@require_GET
@login_required
def gathering_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """A QR code to show on the screen at the gathering: participants scan it to check in."""
    gathering = _gathering(request, pk)
    url = check_in_url(request, gathering)
    return render(
        request,
        "lup/gathering_qr.html",
        {
            "gathering": gathering,
            "check_in_url": url,
            "qr_svg": mark_safe(qr_svg(url)),  # noqa: S308  (generated by qrcode from our URL)
        },
    )


def _code_matches(code: str, gathering: Gathering | None) -> bool:
    return gathering is not None and secrets.compare_digest(
        code.encode(), gathering.check_in_code.encode()
    )


@require_http_methods(["GET", "POST"])
@login_required
def check_in(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A participant who scanned the QR code confirms that they are at the gathering.

    The code in the address is the key: without it the gathering is not shown (404).
    """
    gathering = Gathering.objects.select_related("cohort", "activity").filter(pk=pk).first()
    if gathering is None or not _code_matches(code, gathering):
        return render(
            request,
            "lup/check_in.html",
            {"error": _("This check-in code is not valid.")},
            status=404,
        )
    context: dict[str, Any] = {"gathering": gathering}
    if request.method == "POST":
        try:
            services.check_in(gathering=gathering, user=request.user, code=code)  # type: ignore[arg-type]
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        else:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect(request.path)
    context["attended"] = Attendance.objects.filter(
        gathering=gathering, participant__user_id=request.user.pk or 0
    ).exists()
    return render(request, "lup/check_in.html", context)
