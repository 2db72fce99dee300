"""The people and roles page: an organisation's programme office, each person's roles as a
row of checkboxes, a person added by work e-mail, and someone's roles changed or taken away.

Thin views, as the settings pages: those without the permission are refused (403) before
anything is looked up, an organisation the person does not work for is not found (404),
and `lup.permissions.can_manage_people` decides for the organisation itself (403). The
services of `people_services` decide every rule; a refusal comes back on the page with its
errors (400) and nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import app_settings, permissions
from ..models import Organisation, OrganisationMembership
from . import people_selectors, people_services
from .people_forms import ROLE_CHOICES, ROLE_LABELS, AddPersonForm, ChangeRolesForm


def _people_organisation(request: HttpRequest, slug: str) -> Organisation:
    user: Any = request.user
    if not (user.is_superuser or user.has_perm(permissions.MANAGE_PEOPLE_PERMISSION)):
        raise PermissionDenied
    organisation = get_object_or_404(people_selectors.managed_organisations(user), slug=slug)
    if not permissions.can_manage_people(user, organisation.pk):
        raise PermissionDenied
    return organisation


def _name(person: Any) -> str:
    return person.get_full_name() or person.email


def _role_names(roles: Any) -> str:
    return ", ".join(str(label) for role, label in ROLE_CHOICES if role in roles)


def _page(
    request: HttpRequest,
    organisation: Organisation,
    form: AddPersonForm,
    *,
    refused: tuple[Any, list[str]] | None = None,
) -> HttpResponse:
    """The page; `refused` is a person whose change was refused, with the reasons."""
    two_factor = set(app_settings.MFA_REQUIRED_GROUPS())
    failed = bool(form.errors or refused)
    return render(
        request,
        "lup/office/people.html",
        {
            "organisation": organisation,
            "programme": organisation.programmes.order_by("pk").first(),
            "people": people_selectors.office_people(organisation),
            "roles": ROLE_CHOICES,
            "two_factor_roles": [
                ROLE_LABELS[role]
                for role, group in people_services.ROLE_GROUPS.items()
                if group in two_factor
            ],
            "form": form,
            "refused_person": refused[0] if refused else None,
            "refused_reasons": refused[1] if refused else [],
        },
        status=400 if failed else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def people(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's programme office with its people's roles, and "Add a person"."""
    organisation = _people_organisation(request, slug)
    form = AddPersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person = people_services.add_person(
                organisation=organisation,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                roles=form.cleaned_data["roles"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(name)s is in the programme office with the roles: %(roles)s.")
                % {"name": _name(person), "roles": _role_names(form.cleaned_data["roles"])},
            )
            return redirect("lup:office-people", slug=organisation.slug)
    return _page(request, organisation, form)


@require_POST
@login_required
def person_roles(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Save one person's roles (their row's checkboxes), or take them out of the office."""
    organisation = _people_organisation(request, slug)
    membership = get_object_or_404(
        OrganisationMembership.objects.select_related("user").filter(
            organisation=organisation,
            user__lup_api_tokens__isnull=True,  # an API token's account is not the office's
        ),
        user_id=user_id,
    )
    person = membership.user
    form = ChangeRolesForm(request.POST)
    if form.is_valid():
        actor: Any = request.user
        removing = form.cleaned_data["action"] == ChangeRolesForm.REMOVE
        change = people_services.RoleChange(given=frozenset(), taken=frozenset())
        try:
            if removing:
                people_services.remove_person(organisation=organisation, person=person, by=actor)
            else:
                change = people_services.change_roles(
                    organisation=organisation,
                    person=person,
                    roles=form.cleaned_data["roles"],
                    by=actor,
                )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if removing:
                messages.success(
                    request,
                    _("%(name)s is no longer in the programme office, and has no role here.")
                    % {"name": _name(person)},
                )
            elif not change:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(
                    request, _("The roles of %(name)s are saved.") % {"name": _name(person)}
                )
            lost_office = removing or people_services.ADMINISTRATOR in change.taken
            if person.pk == actor.pk and lost_office and not actor.is_superuser:
                return redirect("lup:home")  # this page is no longer theirs
            return redirect("lup:office-people", slug=organisation.slug)
    reasons = [
        f"{form.fields[field].label}: {error}" if field in form.fields else str(error)
        for field, errors in form.errors.items()
        for error in errors
    ]
    return _page(request, organisation, AddPersonForm(), refused=(person, reasons))
