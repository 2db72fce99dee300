"""The barometer's pages: the team's survey (answered on the unit's behalf), the
programme's results with a chart and tables, the researchers' pseudonymous CSV, and the
administrators' editor of the questions (each change a new version) with their history."""

from __future__ import annotations

import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions, scoping
from ..excel_csv import write_excel_csv
from ..models import UnitEnrolment
from . import selectors, services
from .charts import share_chart
from .forms import TYPE_LABELS, QuestionSetEditor, entries_key
from .models import BarometerQuestionSet, BarometerRound
from .questions import INNOVATIVE_KEY, question_map

PRIVATE = "private, no-store"


def _enrolment(request: HttpRequest, pk: int) -> UnitEnrolment:
    """The enrolment, for its own team (managers and enthusiasts alike: the barometer is
    the unit's) and for those who read the programme's results. Someone who sees the team
    otherwise (its facilitator) is refused (403); anyone else finds nothing (404)."""
    enrolment = get_object_or_404(
        UnitEnrolment.objects.select_related("unit", "cohort__programme__organisation"), pk=pk
    )
    if permissions.can_see_team_barometer(request.user, enrolment):
        return enrolment
    if permissions.in_scope(scoping.enrolments_for(request.user), enrolment):
        raise PermissionDenied
    raise Http404


def _programme(request: HttpRequest, slug: str) -> Any:
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    if not permissions.can_read_barometer_results(request.user, programme):
        raise PermissionDenied
    return programme


def _administered_programme(request: HttpRequest, slug: str) -> Any:
    """The programme, for those who may change its barometer (its administrators): the
    same permission as the barometer's settings. HR, who read the results, are refused."""
    programme = _programme(request, slug)
    if not permissions.can_change_programme(request.user, programme):
        raise PermissionDenied
    return programme


def _form_questions(
    schema: dict[str, Any], values: dict[str, Any], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The questions as the template draws them, with the given values and errors."""
    shown = []
    for question in schema["questions"]:
        key, kind = question["key"], question["type"]
        value = values.get(key)
        entry: dict[str, Any] = {
            "key": key,
            "type": kind,
            "text": _(question["text"]),
            "min": question.get("min"),
            "max": question.get("max"),
            "value": "" if value is None else value,
            "errors": errors.get(key, []),
        }
        if kind == "yes_no":
            chosen = {True: "yes", False: "no"}.get(value, value) if value is not None else ""
            entry["options"] = [
                {"key": "yes", "text": _("Yes"), "checked": chosen == "yes"},
                {"key": "no", "text": _("No"), "checked": chosen == "no"},
            ]
        elif kind in ("choice", "choices"):
            chosen_keys = value if isinstance(value, list) else [value]
            entry["options"] = [
                {
                    "key": option["key"],
                    "text": _(option["text"]),
                    "checked": option["key"] in chosen_keys,
                }
                for option in question["options"]
            ]
        elif kind == "ratings":
            given = value if isinstance(value, dict) else {}
            entry["scale"] = list(range(question["min"], question["max"] + 1))
            entry["items"] = [
                {
                    "key": item["key"],
                    "text": _(item["text"]),
                    "value": str(given.get(item["key"], "")),
                }
                for item in question["items"]
            ]
        shown.append(entry)
    return shown


def _posted_answers(schema: dict[str, Any], data: Any) -> dict[str, Any]:
    """The form's fields as the answers `services.answer_round` checks. Fields that are
    not questions are ignored here (the form cannot post them by mistake)."""
    answers: dict[str, Any] = {}
    for key, question in question_map(schema).items():
        if question["type"] == "choices":
            answers[key] = data.getlist(key)
        elif question["type"] == "ratings":
            answers[key] = {
                item["key"]: data.get(f"{key}.{item['key']}", "") for item in question["items"]
            }
        else:
            answers[key] = data.get(key, "")
    return answers


@require_GET
@login_required
def team_barometer(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's barometer: its three rounds, which is open, and its before and after."""
    enrolment = _enrolment(request, pk)
    question_set = services.current_question_set(enrolment.cohort.programme)
    response = render(
        request,
        "lup/barometer/team.html",
        {
            "enrolment": enrolment,
            "rounds": selectors.team_rounds(enrolment),
            "comparison": selectors.unit_before_after(enrolment, question_set),
            "moments": [label for _value, label in BarometerRound.Moment.choices],
            "can_answer": permissions.can_answer_barometer(request.user, enrolment),
        },
    )
    response["Cache-Control"] = PRIVATE
    return response


@require_http_methods(["GET", "POST"])
@login_required
def team_barometer_answer(request: HttpRequest, pk: int, moment: str) -> HttpResponse:
    """The survey of one round, answered by a member of the unit's team."""
    enrolment = _enrolment(request, pk)
    if moment not in BarometerRound.Moment.values:
        raise Http404
    if not permissions.can_answer_barometer(request.user, enrolment):
        raise PermissionDenied
    question_set = services.current_question_set(enrolment.cohort.programme)
    existing = BarometerRound.objects.filter(enrolment=enrolment, moment=moment).first()
    answered = getattr(existing, "response", None) if existing is not None else None
    values: dict[str, Any] = dict(answered.answers) if answered is not None else {}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    status = 200
    changed = False
    if request.method == "POST":
        values = _posted_answers(question_set.schema, request.POST)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        if 0 < version < question_set.version:
            # The questions were changed while the team answered: nothing is saved, and the
            # page says so above the new questions (keeping the answers that still fit).
            changed, status = True, 400
        else:
            try:
                round_ = services.open_round(enrolment=enrolment, moment=moment)
                services.answer_round(
                    round=round_, user=request.user, version=version, answers=values
                )
            except ValidationError as error:
                status = 400
                if hasattr(error, "error_dict"):
                    errors = error.message_dict
                else:
                    general = [str(message) for message in error.messages]
            else:
                messages.success(request, _("Thank you: the unit's answers are saved."))
                return redirect("lup:team-barometer", pk=enrolment.pk)
    response = render(
        request,
        "lup/barometer/answer.html",
        {
            "enrolment": enrolment,
            "moment_label": BarometerRound.Moment(moment).label,
            "moment": moment,
            "version": question_set.version,
            "questions": _form_questions(question_set.schema, values, errors),
            "errors": general,
            "has_field_errors": bool(errors),
            "questions_changed": changed,
            "answered": answered,
        },
        status=status,
    )
    response["Cache-Control"] = PRIVATE
    return response


@require_GET
@login_required
def barometer_results(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's barometer results, for its administrators and HR."""
    programme = _programme(request, slug)
    question_set = services.current_question_set(programme)
    results = selectors.programme_results(programme, question_set)
    response = render(
        request,
        "lup/barometer/results.html",
        {
            "programme": programme,
            "results": results,
            "chart": share_chart(results),
            "programme_groups": [results.programme, *results.cohorts],
            "factor_tables": selectors.factor_tables(results),
            "min_answers": selectors.MIN_ANSWERS,
            "moments": BarometerRound.Moment.choices,
            "settings": services.settings_for(programme),
            "question_set": question_set,
            "can_change": permissions.can_change_programme(request.user, programme),
        },
    )
    response["Cache-Control"] = PRIVATE
    return response


@require_POST
@login_required
def barometer_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's follow-up interval and national reference figure (administrators)."""
    programme = _programme(request, slug)
    if not permissions.can_change_programme(request.user, programme):
        raise PermissionDenied
    share_text = request.POST.get("reference_share", "").strip().replace(",", ".")
    try:
        share = Decimal(share_text) if share_text else None
        months = int(request.POST.get("follow_up_months", "12"))
        services.save_settings(
            programme=programme,
            follow_up_months=months,
            reference_share=share,
            reference_source=request.POST.get("reference_source", ""),
        )
    except (InvalidOperation, ValueError):
        messages.error(request, _("Give the share as a number between 0 and 1."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The barometer settings are saved."))
    return redirect("lup:barometer-results", slug=programme.slug)


@require_GET
@login_required
def barometer_export(request: HttpRequest, slug: str) -> HttpResponse:
    """Every response of the programme as CSV for researchers, pseudonymous: no names, no
    e-mail addresses, no unit or cohort names. Each unit gets a random code that holds
    within this file only (a new mapping per export), so files cannot be joined with each
    other or traced back to a unit by anyone who knows the site's secrets."""
    programme = _programme(request, slug)
    question_set = services.current_question_set(programme)
    rows = selectors.response_rows(programme)
    questions = question_map(question_set.schema)
    columns: list[tuple[str, str, str | None]] = []  # header, question key, item key
    for key, question in questions.items():
        if question["type"] == "ratings":
            columns += [(f"{key}.{item['key']}", key, item["key"]) for item in question["items"]]
        else:
            columns.append((key, key, None))
    pseudonyms: dict[int, str] = {}
    cohort_codes: dict[int, str] = {}
    sector_codes: dict[Any, str] = {}
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="barometer-{programme.slug}.csv"'
    response["Cache-Control"] = PRIVATE
    table: list[list[Any]] = [
        ["unit", "cohort", "sector", "moment", "version", "answered_on", *[c[0] for c in columns]]
    ]
    for row in rows:
        unit = row["round__enrolment__unit_id"]
        if unit not in pseudonyms:
            pseudonyms[unit] = f"U-{secrets.token_hex(4)}"
        cohort = cohort_codes.setdefault(
            row["round__enrolment__cohort_id"], f"C{len(cohort_codes) + 1}"
        )
        sector = sector_codes.setdefault(
            row["round__enrolment__unit__sector_id"], f"S{len(sector_codes) + 1}"
        )
        cells = []
        for _header, key, item in columns:
            value = row["answers"].get(key)
            if item is not None:
                value = (value or {}).get(item)
            if isinstance(value, list):
                value = "|".join(value)  # several options in one cell
            elif isinstance(value, bool):
                value = int(value)
            cells.append("" if value is None else value)
        table.append(
            [
                pseudonyms[unit],
                cohort,
                sector,
                row["round__moment"],
                row["question_set__version"],
                row["answered_at"].date().isoformat(),
                *cells,
            ]
        )
    # The guarded writer (Norwegian Excel's format): an answer never becomes a formula in
    # the researcher's spreadsheet.
    write_excel_csv(response, table)
    return response


def _versions(programme: Any) -> list[BarometerQuestionSet]:
    """Every version of the programme's questions, newest first, each with how many
    answers were given to it (`answer_count`): one query."""
    return list(
        BarometerQuestionSet.objects.filter(programme=programme)
        .annotate(answer_count=Count("responses"))
        .order_by("-version")
    )


def _readable(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """A version's questions as the history page lists them, in the reader's language."""
    readable = []
    for number, question in enumerate(schema.get("questions", []), start=1):
        kind = question["type"]
        readable.append(
            {
                "number": number,
                "key": question["key"],
                "text": _(question["text"]),
                "type": TYPE_LABELS.get(kind, kind),
                "min": question.get("min"),
                "max": question.get("max"),
                "entries": [_(entry["text"]) for entry in question.get(entries_key(kind)) or []],
                "rated": kind == "ratings",
                "defines_innovative": question["key"] == INNOVATIVE_KEY,
            }
        )
    return readable


@require_http_methods(["GET", "POST"])
@login_required
def barometer_questions(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's barometer questions: the editor of the current version (saving
    publishes a new version; answers already given keep theirs) and the version history."""
    programme = _administered_programme(request, slug)
    current = services.current_question_set(programme)
    versions = _versions(programme)
    history = [version.schema for version in versions]
    editor = QuestionSetEditor(current, history=history)
    status = 200
    if request.method == "POST":
        posted = QuestionSetEditor(current, history=history, data=request.POST)
        edited = posted.edited_version
        if edited is not None and edited != current.version:
            # Made from an older version: its rows would not match the current questions.
            status = 409
            editor.add_problem(_(services.STALE_EDIT) % {"version": current.version})
        elif edited is None or not posted.is_valid():
            status, editor = 400, posted
        else:
            try:
                made = services.revise_question_set(
                    programme=programme, based_on=edited, schema=posted.schema()
                )
            except ValidationError as error:
                if error.code == "stale":
                    # Published by someone else between reading and saving: start over.
                    messages.error(request, " ".join(error.messages))
                    return redirect("lup:barometer-questions", slug=programme.slug)
                status, editor = 400, posted
                for message in error.messages:
                    editor.add_problem(message)
            else:
                if made is None:
                    messages.info(request, _("No changes: no new version was made."))
                else:
                    messages.success(
                        request,
                        _(
                            "Version %(version)s of the questions is published. Answers "
                            "already given keep the version they were given to."
                        )
                        % {"version": made.version},
                    )
                return redirect("lup:barometer-questions", slug=programme.slug)
    response = render(
        request,
        "lup/barometer/questions.html",
        {
            "programme": programme,
            "current": current,
            "versions": versions,
            "editor": editor,
            "errors": editor.error_summary(),
        },
        status=status,
    )
    response["Cache-Control"] = PRIVATE
    return response


@require_GET
@login_required
def barometer_question_version(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """One version of the programme's questions, read only (404 for a version it never
    had), with how many answers were given to it."""
    programme = _administered_programme(request, slug)
    current = services.current_question_set(programme)
    shown = get_object_or_404(
        BarometerQuestionSet.objects.annotate(answer_count=Count("responses")),
        programme=programme,
        version=version,
    )
    response = render(
        request,
        "lup/barometer/question_version.html",
        {
            "programme": programme,
            "current": current,
            "question_set": shown,
            "questions": _readable(shown.schema),
        },
    )
    response["Cache-Control"] = PRIVATE
    return response
