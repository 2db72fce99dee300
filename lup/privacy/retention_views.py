"""The retention page: an organisation's administrators set how long each category of
personal data is kept (`services_retention.set_retention_periods`; the nightly purge,
`retention.purge_personal_data`, applies it).

`/privacy/retention/` shows the only organisation the person administers, or those to
choose from (`?organisation=<slug>`). Another organisation's periods are never shown or
changed: an organisation outside theirs answers 404. `retention_urlpatterns` is included
in lup/urls.py (namespace `lup`). Its name does not start with "privacy": lup.middleware
lets such names through before the two-factor code, and this page is an administrator's.
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

from ..permissions import RETENTION_PERMISSION
from ..scoping import retention_organisations_for
from .categories import RetainedCategory
from .choosing import back_to, chosen_organisation
from .periods import default_periods, own_periods
from .retention_forms import RetentionPeriodsForm
from .services_retention import set_retention_periods


@require_http_methods(["GET", "POST"])
@login_required
def retention_periods(request: HttpRequest) -> HttpResponse:
    """Show and set the retention periods of an organisation the person administers."""
    if not (request.user.is_superuser or request.user.has_perm(RETENTION_PERMISSION)):
        raise PermissionDenied
    organisations = list(retention_organisations_for(request.user))
    if not organisations:
        raise PermissionDenied  # the permission, but no organisation of theirs
    organisation = chosen_organisation(request, organisations)
    if organisation is None:
        return render(
            request,
            "lup/privacy/retention.html",
            {"organisations": organisations, "organisation": None},
        )
    defaults = default_periods()
    own = own_periods(organisation)
    form = RetentionPeriodsForm(
        request.POST if request.method == "POST" else None, defaults=defaults, own=own
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = set_retention_periods(
                organisation=organisation, periods=form.periods(), actor=request.user
            )
        except ValidationError as error:
            for category, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(category if category in form.fields else None, problem)
        else:
            if changes:
                messages.success(request, _("The retention periods are saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return back_to("lup:retention-periods", organisation, organisations)
    rows = [
        {
            "field": form[category.value],
            "label": category.label,
            "default": defaults[category.value],
            "current": own.get(category.value, defaults[category.value]),
            "own": category.value in own,
        }
        for category in RetainedCategory
    ]
    return render(
        request,
        "lup/privacy/retention.html",
        {
            "organisations": organisations,
            "organisation": organisation,
            "form": form,
            "rows": rows,
        },
    )


# Included in lup/urls.py (namespace `lup`).
retention_urlpatterns = [
    path("privacy/retention/", retention_periods, name="retention-periods"),
]
