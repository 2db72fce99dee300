"""The privacy statement pages (public) and the records of processing activities (a PDF
for the organisation's administrators).

`/personvern/` shows a signed-in person their own organisation's statement (a choice of
theirs when they belong to several) and anyone else the organisations to choose from (or
the only one); `/personvern/<slug>/` is one organisation's statement. The site names the
first `privacy` (config/urls.py); `statement_urlpatterns` holds the others, under `lup:`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import permissions
from ..models import Organisation, Participant
from .records import processing_records, render_records_pdf
from .statement import privacy_statement


def organisations_of_person(user: Any) -> QuerySet[Organisation]:
    """The organisations whose statement concerns a signed-in person: those they belong
    to (`permissions.organisations_of`) and those whose programmes they take part in."""
    return Organisation.objects.filter(
        Q(pk__in=permissions.organisations_of(user).values("pk"))
        | Q(
            pk__in=Participant.objects.filter(user_id=user.pk).values(
                "enrolment__cohort__programme__organisation_id"
            )
        )
    ).order_by("name")


@require_GET
def privacy_index(request: HttpRequest) -> HttpResponse:
    """The statement that concerns the visitor, or the organisations to choose from."""
    organisations: list[Organisation] = []
    if request.user.is_authenticated:
        organisations = list(organisations_of_person(request.user))
    if not organisations:
        organisations = list(Organisation.objects.order_by("name"))
    if len(organisations) == 1:
        return _statement_page(request, organisations[0])
    return render(request, "lup/privacy/organisations.html", {"organisations": organisations})


@require_GET
def organisation_statement(request: HttpRequest, slug: str) -> HttpResponse:
    """One organisation's privacy statement (public)."""
    return _statement_page(request, get_object_or_404(Organisation, slug=slug))


def _statement_page(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    administers = permissions.may_view_processing_records(request.user, organisation)
    settings_url = ""
    if administers and request.user.is_staff:
        try:
            settings_url = reverse("admin:lup_organisation_change", args=[organisation.pk])
        except NoReverseMatch:  # a host project without the admin
            settings_url = ""
    return render(
        request,
        "lup/privacy/statement.html",
        {
            "statement": privacy_statement(organisation),
            "administers": administers,
            "settings_url": settings_url,
        },
    )


@require_GET
@login_required
def processing_records_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's records of processing activities as a PDF, in the page's
    language: its administrators only (another organisation's: 404)."""
    if not request.user.has_perm(permissions.PROCESSING_RECORDS_PERMISSION):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.may_view_processing_records(request.user, organisation):
        raise Http404
    pdf = render_records_pdf(processing_records(organisation))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"behandlingsprotokoll-{organisation.slug}-{timezone.localdate().isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Included in lup/urls.py (namespace `lup`). The records' name does not start with
# "privacy": lup.middleware lets URL names starting so through before two-factor sign-in.
statement_urlpatterns = [
    path(
        "personvern/<slug:slug>/",
        organisation_statement,
        name="privacy-statement",
    ),
    path(
        "personvern/<slug:slug>/behandlingsprotokoll.pdf",
        processing_records_pdf,
        name="processing-records",
    ),
]
