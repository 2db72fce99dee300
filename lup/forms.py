"""Forms of the HTML interface (the admin's CSV imports, closing a cohort, changing a team),
and the pieces every feature's forms build on: date inputs and the Designsystemet form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Participant, Programme


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO form, as the picker reads it."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's date and time picker (local time)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DesignsystemetForm(forms.Form):
    """Marks fields for Designsystemet and, after validation, ties each error to its input
    (aria-invalid, aria-describedby) so screen readers announce it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                field.widget.attrs.setdefault("class", "ds-input")

    def full_clean(self) -> None:
        super().full_clean()
        for name, field in self.fields.items():
            described = []
            auto_id = self[name].auto_id
            if field.help_text:
                described.append(f"{auto_id}_helptext")
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"
                described.append(f"{auto_id}_error")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class CsvFileField(forms.FileField):
    default_error_messages = {"invalid_extension": _("Choose a .csv file.")}

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and not uploaded.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(self.error_messages["invalid_extension"])
        return uploaded


class UnitImportForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label=_("Organisation")
    )
    file = CsvFileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: code (kode), name (navn), sector (sektor), optionally active (aktiv)."
        ),
    )
    create_sectors = forms.BooleanField(
        required=False,
        label=_("Create sectors that do not exist yet"),
    )


class ParticipantImportForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.all(), label=_("Programme"))
    file = CsvFileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email (e-post), first_name (fornavn), last_name (etternavn), "
            "unit_code (enhetskode), cohort (kull), role (rolle: leder or ildsjel), "
            "optionally organisation (for guest units)."
        ),
    )


class AnonymiseForm(forms.Form):
    """Asks the administrator to confirm by typing the person's e-mail address."""

    confirm_email = forms.CharField(label=_("Type the person's e-mail address to confirm"))

    def __init__(self, *args: object, person: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.person = person

    def clean_confirm_email(self) -> str:
        value = self.cleaned_data["confirm_email"].strip()
        if value.lower() != (self.person.email or "").lower():  # type: ignore[attr-defined]
            raise forms.ValidationError(_("The e-mail address does not match."))
        return value


class CloseCohortForm(forms.Form):
    """What becomes of each unit still enrolled when its cohort closes: it has not
    completed (the default), or it moves to one of the later cohorts (`targets`)."""

    NOT_COMPLETED = "not_completed"

    def __init__(
        self, *args: Any, enrolments: Iterable[Any], targets: Iterable[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.enrolments = list(enrolments)
        self.targets = {str(target.pk): target for target in targets}
        choices = [(self.NOT_COMPLETED, gettext("Not completed"))] + [
            (pk, gettext("Move to %(cohort)s") % {"cohort": target.name})
            for pk, target in self.targets.items()
        ]
        for enrolment in self.enrolments:
            self.fields[self.field_name(enrolment)] = forms.ChoiceField(
                label=enrolment.unit.name, choices=choices, initial=self.NOT_COMPLETED
            )

    @staticmethod
    def field_name(enrolment: Any) -> str:
        return f"unit-{enrolment.pk}"

    def rows(self) -> list[tuple[Any, forms.BoundField]]:
        """Each unit still enrolled with its choice, for the page."""
        return [(enrolment, self[self.field_name(enrolment)]) for enrolment in self.enrolments]

    def moves(self) -> dict[Any, Any]:
        """The units to move, by enrolment, to their later cohort (after `is_valid()`)."""
        chosen = {
            enrolment: self.cleaned_data[self.field_name(enrolment)]
            for enrolment in self.enrolments
        }
        return {
            enrolment: self.targets[value]
            for enrolment, value in chosen.items()
            if value != self.NOT_COMPLETED
        }


class TeamInviteForm(forms.Form):
    """Who to put on a unit's team: their work e-mail, and their name for a new account."""

    email = forms.EmailField(
        label=_("Work e-mail"),
        max_length=254,
        help_text=_("An account is created if they have none; they are told by e-mail."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.update({"class": "ds-input"})
            if name == "email":
                field.widget.attrs["autocomplete"] = "off"  # another person's address


class HandOverForm(forms.Form):
    """The enthusiast on the team who takes over as its manager."""

    successor: forms.ModelChoiceField[Participant] = forms.ModelChoiceField(
        label=_("New manager"), queryset=Participant.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, enthusiasts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["successor"]
        field.queryset = enthusiasts
        field.widget.attrs["class"] = "ds-input"
        field.label_from_instance = lambda participant: (
            participant.user.get_full_name() or participant.user.email
        )
