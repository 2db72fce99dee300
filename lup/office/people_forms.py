"""The people and roles page's forms: they parse input; `people_services` checks and writes.

Only the four programme roles can be chosen (`ROLE_CHOICES`); any other value posted (a
group's name or id, `is_staff`) is a form error, and fields the forms do not declare (an
account flag) are never read.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import OfficeForm
from .people_services import ADMINISTRATOR, EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, ROLE_GROUPS

ROLE_LABELS = {
    ADMINISTRATOR: _("Programme administrator"),
    "facilitator": _("Facilitator"),
    "hr": _("HR"),
    "prize_jury": _("Prize jury"),
}
ROLE_DESCRIPTIONS = {
    ADMINISTRATOR: _(
        "Runs the programme: cohorts, intake, settings, certificates, and people and roles."
    ),
    "facilitator": _("Runs the gatherings of the cohorts they are given, and uploads H5P."),
    "hr": _("Reads the organisation's figures and exports completion reports."),
    "prize_jury": _("Scores the nominations for the innovation prize."),
}
assert ROLE_LABELS.keys() == ROLE_GROUPS.keys()  # every role has a label
ROLE_CHOICES = list(ROLE_LABELS.items())


class RoleChoiceField(forms.MultipleChoiceField):
    default_error_messages = {
        "invalid_choice": _("Not a role this page gives: %(value)s."),
    }


class AddPersonForm(OfficeForm):
    """A person for the office, by work e-mail, with their name and one or more roles."""

    email = forms.EmailField(label=_("Work e-mail"), max_length=EMAIL_MAX_LENGTH)
    first_name = forms.CharField(
        label=_("First name"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text=_("Needed for a new account; an existing account keeps its name."),
    )
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX_LENGTH, required=False)
    roles = RoleChoiceField(
        label=_("Roles"),
        choices=[(role, f"{ROLE_LABELS[role]}: {ROLE_DESCRIPTIONS[role]}") for role in ROLE_LABELS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("email", "first_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = "off"  # another person's


class ChangeRolesForm(OfficeForm):
    """One person's roles (the checkboxes of their row), or their removal from the office."""

    SAVE, REMOVE = "save", "remove"

    action = forms.ChoiceField(
        label=_("Action"), choices=[(SAVE, _("Save the roles")), (REMOVE, _("Remove"))]
    )
    roles = RoleChoiceField(label=_("Roles"), choices=ROLE_CHOICES, required=False)
