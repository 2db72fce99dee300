"""The organisation's privacy details page: its administrators say who the data
protection officer is, the legal basis the privacy statement gives, where scheduled
exports may be e-mailed, and what happens to anonymised people's certificates
(`services_details.change_organisation_details`). Before, only the Django admin could.

Like the retention page, it shows the only organisation the person administers, or those
to choose from; another organisation answers 404. The URL's name does not start with
"privacy" (lup.middleware lets those through before the two-factor code).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..permissions import ORGANISATION_DETAILS_PERMISSION, may_change_organisation_details
from ..scoping import organisations_overseen_for
from .choosing import back_to, chosen_organisation
from .details_forms import OrganisationDetailsForm
from .services_details import change_organisation_details


@require_http_methods(["GET", "POST"])
@login_required
def organisation_details(request: HttpRequest) -> HttpResponse:
    """Show and change the data-controller details of an organisation the person
    administers."""
    user = request.user
    if not (user.is_superuser or user.has_perm(ORGANISATION_DETAILS_PERMISSION)):
        raise PermissionDenied
    organisations = list(organisations_overseen_for(user, ORGANISATION_DETAILS_PERMISSION))
    if not organisations:
        raise PermissionDenied  # the permission, but no organisation of theirs
    organisation = chosen_organisation(request, organisations)
    if organisation is None:
        return render(
            request,
            "lup/privacy/organisation_details.html",
            {"organisations": organisations, "organisation": None},
        )
    if not may_change_organisation_details(user, organisation):
        raise PermissionDenied
    form = OrganisationDetailsForm(
        request.POST if request.method == "POST" else None, instance=organisation
    )
    if request.method == "POST" and form.is_valid():
        # The ModelForm wrote the cleaned values onto `organisation`: read them back from
        # the database row in the service, never from this instance.
        organisation.refresh_from_db()
        try:
            changed = change_organisation_details(
                organisation=organisation, wanted=form.wanted(), actor=user
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            if changed:
                messages.success(request, _("The organisation's details are saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return back_to("lup:organisation-details", organisation, organisations)
    return render(
        request,
        "lup/privacy/organisation_details.html",
        {"organisations": organisations, "organisation": organisation, "form": form},
    )


# Included in lup/urls.py (namespace `lup`).
details_urlpatterns = [
    path("privacy/organisation/", organisation_details, name="organisation-details"),
]
