"""Pages for running a cohort: the progress grid, attendance on a phone, QR check-in, and
closing the cohort.

Thin views: they find the object through `lup.scoping` (out of scope answers 404), check
the role (in scope but not allowed answers 403), then call a selector or a service.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from . import app_settings, permissions, progress, scoping, services
from .forms import CloseCohortForm
from .models import Attendance, Cohort, Gathering, Participant, UnitEnrolment
from .services import attendance


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


def _closable_cohort(request: HttpRequest, pk: int) -> Cohort:
    """A cohort in the user's scope (else 404) that they may close (else 403)."""
    cohort = get_object_or_404(scoping.cohorts_for(request.user), pk=pk)
    if not permissions.can_close_cohort(request.user, cohort):
        raise PermissionDenied
    return cohort


@require_http_methods(["GET", "POST"])
@login_required
def cohort_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a cohort that has started (its organisation's administrators): each unit still
    enrolled has not completed, or moves to a later cohort of the programme with its team
    and project. Once closed, the page shows what became of each unit."""
    cohort = _closable_cohort(request, pk)
    units = UnitEnrolment.objects.filter(cohort=cohort).select_related("unit", "moved_to__cohort")
    enrolled = list(
        units.filter(status=UnitEnrolment.Status.ENROLLED)
        .annotate(
            team_size=Count(
                "participants", filter=~Q(participants__status=Participant.Status.WITHDRAWN)
            )
        )
        .order_by("unit__name", "pk")
    )
    form = CloseCohortForm(
        request.POST if request.method == "POST" and not cohort.is_closed else None,
        enrolments=enrolled,
        targets=services.later_cohorts(cohort),
    )
    refusal = services.closing_refusal(cohort)
    if request.method == "POST" and refusal is not None:
        messages.error(request, refusal)
    elif request.method == "POST" and form.is_valid():
        try:
            closing = services.close_cohort(
                cohort=cohort,
                closed_by=request.user,  # type: ignore[arg-type]
                moves=form.moves(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _closed_message(closing))
            return redirect("lup:cohort-detail", pk=cohort.pk)
    counts = units.aggregate(
        completed=Count("pk", filter=Q(status=UnitEnrolment.Status.COMPLETED)),
        withdrawn=Count("pk", filter=Q(status=UnitEnrolment.Status.WITHDRAWN)),
    )
    return render(
        request,
        "lup/cohort_close.html",
        {
            "cohort": cohort,
            "form": form,
            "refusal": refusal,
            "counts": counts,
            "outcome": list(units.order_by("unit__name", "pk")) if cohort.is_closed else [],
        },
    )


def _closed_message(closing: services.CohortClosing) -> str:
    parts = [
        _("%(cohort)s is closed.") % {"cohort": closing.cohort.name},
        ngettext(
            "%(count)d unit had not completed.",
            "%(count)d units had not completed.",
            len(closing.not_completed),
        )
        % {"count": len(closing.not_completed)},
        ngettext(
            "%(count)d unit moved to a later cohort with its team and project.",
            "%(count)d units moved to a later cohort with their teams and projects.",
            len(closing.moved),
        )
        % {"count": len(closing.moved)},
    ]
    if closing.completed:
        parts.append(
            ngettext(
                "%(count)d unit had met the rule: its completion is now recorded.",
                "%(count)d units had met the rule: their completion is now recorded.",
                len(closing.completed),
            )
            % {"count": len(closing.completed)}
        )
    return " ".join(parts)


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
        # The same refusal (say, the gathering has not started) once, not once per person.
        for message in dict.fromkeys(errors):
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
        # Back to the same narrowed-down list (the form posts to the URL with its filters).
        query = request.GET.urlencode()
        target = reverse("lup:gathering-attendance", args=[gathering.pk])
        return redirect(f"{target}?{query}" if query else target)
    text = request.GET.get("q", "")[:100]
    unit = request.GET.get("unit", "")
    enrolment_id = int(unit) if unit.isdigit() else None
    return render(
        request,
        "lup/gathering_attendance.html",
        {
            "gathering": gathering,
            "sheet": sheet,
            "groups": progress.shown_groups(sheet, text=text, enrolment_id=enrolment_id),
            "search": text,
            "unit": enrolment_id,
            "narrowed": bool(text.strip()) or enrolment_id is not None,
        },
    )


def check_in_url(request: HttpRequest, gathering: Gathering, code: str) -> str:
    return request.build_absolute_uri(
        reverse("lup:check-in", kwargs={"pk": gathering.pk, "code": code})
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
    """A QR code to show on the screen at the gathering: participants scan it to check in.

    It carries the current rotating code; the page's script (lup/gathering_qr.js) asks this
    view for the next one (`?format=json`) when it turns."""
    gathering = _gathering(request, pk)
    now = timezone.now()
    code, changes_at = attendance.current_check_in_code(gathering, now=now)
    url = check_in_url(request, gathering, code)
    svg = qr_svg(url)
    refresh_in = max(1, math.ceil((changes_at - now).total_seconds()))
    if request.GET.get("format") == "json":
        return JsonResponse({"url": url, "svg": svg, "refresh_in": refresh_in})
    opens_at = attendance.attendance_opens_at(gathering)
    return render(
        request,
        "lup/gathering_qr.html",
        {
            "gathering": gathering,
            "check_in_url": url,
            "qr_svg": mark_safe(svg),  # noqa: S308  (generated by qrcode from our URL)
            "refresh_url": f"{request.path}?format=json",
            "refresh_in": refresh_in,
            "code_seconds": app_settings.CHECK_IN_CODE_SECONDS(),
            "opens_before_minutes": int(attendance.ATTENDANCE_OPENS_BEFORE.total_seconds() // 60),
            "opens_at": opens_at,
            "check_in_open": opens_at <= now <= gathering.ends_at,
        },
    )


# The session remembers a scan of a current code, per gathering, so that signing in first
# (which may take longer than the code lasts) does not make the person scan again.
_SCANS = "lup_check_in_scans"


def _scanned_at(request: HttpRequest, gathering: Gathering | None, code: str) -> dt.datetime | None:
    """When this person scanned `code` for the gathering, if that scan still counts: a
    remembered scan of the same code within the grace period, or a code valid right now."""
    if gathering is None:
        return None
    now = timezone.now()
    oldest = (now - attendance.CHECK_IN_SCAN_GRACE).timestamp()
    stored = request.session.get(_SCANS)
    scans = {
        key: scan
        for key, scan in (stored if isinstance(stored, dict) else {}).items()
        if isinstance(scan, dict) and oldest <= scan.get("at", 0) <= now.timestamp()
    }
    scan = scans.get(str(gathering.pk))
    if scan is not None and secrets.compare_digest(str(scan.get("code", "")), code):
        scanned_at: dt.datetime | None = dt.datetime.fromtimestamp(scan["at"], tz=dt.UTC)
    elif attendance.check_in_code_is_valid(gathering, code, at=now):
        scanned_at = now
        scans[str(gathering.pk)] = {"code": code, "at": now.timestamp()}
    else:
        scanned_at = None
    if scans != (stored or {}):
        request.session[_SCANS] = scans
    return scanned_at


def _attended(request: HttpRequest, gathering: Gathering) -> bool:
    return Attendance.objects.filter(
        gathering=gathering, participant__user_id=request.user.pk or 0
    ).exists()


@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A participant who scanned the QR code confirms that they are at the gathering.

    The rotating code in the address is the key: a wrong or expired one does not show the
    gathering (404). Anonymous visitors sign in first; a current code they scanned is
    remembered meanwhile (`_scanned_at`), so the address still works when they are back."""
    gathering = Gathering.objects.select_related("cohort", "activity").filter(pk=pk).first()
    scanned_at = _scanned_at(request, gathering, code)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context: dict[str, Any] = {"gathering": gathering}
    if gathering is None or scanned_at is None:
        return render(
            request,
            "lup/check_in.html",
            {
                "error": _(
                    "This check-in code is not valid or has expired. "
                    "Scan the code on the screen again."
                )
            },
            status=404,
        )
    if request.method == "POST":
        try:
            services.check_in(
                gathering=gathering,
                user=request.user,
                code=code,
                scanned_at=scanned_at,
            )
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        else:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect(request.path)
    context["attended"] = _attended(request, gathering)
    if not context["attended"] and "error" not in context:
        # Say so before the button is pressed: too early, too late, or not in the cohort.
        context["error"] = attendance.check_in_refusal(
            gathering=gathering,
            user=request.user,
        )
    return render(request, "lup/check_in.html", context)
