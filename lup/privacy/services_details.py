"""Changing what an organisation says of itself as data controller: its organisation
number, data protection officer, legal basis, the e-mail domains scheduled exports may go
to, and what happens to the certificates of people it anonymises (the organisation's
privacy page; before, only the Django admin could)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..audit import record_event
from ..models import AuditEvent, Organisation

# The fields this service changes; every other field of the organisation (its name, its
# address on the site) belongs to whoever runs the installation.
DETAIL_FIELDS = (
    "organisation_number",
    "data_protection_officer",
    "data_protection_email",
    "legal_basis",
    "export_email_domains",
    "anonymised_certificates",
)


def change_organisation_details(
    *, organisation: Organisation, wanted: Mapping[str, Any], actor: Any
) -> list[str]:
    """Set the organisation's data-controller details to `wanted` (a subset of
    DETAIL_FIELDS). The row is locked while it is compared and written, so two
    administrators saving at once each see the other's change in the log.

    Refuses, changing nothing, a field outside DETAIL_FIELDS or a value the model's
    validators reject (ValidationError keyed by field). The caller checks that the actor
    may (`permissions.may_change_organisation_details`). Audits one ORGANISATION_CHANGED
    event naming the changed fields (not their values: the officer's name and address
    are personal data, and the page shows them); nothing when nothing changed. Returns the
    changed fields' names."""
    unknown = sorted(set(wanted) - set(DETAIL_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Not a detail of the organisation."))
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changed = [
            name
            for name in DETAIL_FIELDS
            if name in wanted and getattr(locked, name) != wanted[name]
        ]
        if not changed:
            return []
        for name in changed:
            setattr(locked, name, wanted[name])
        locked.full_clean(
            exclude=[field.name for field in Organisation._meta.fields if field.name not in changed]
        )
        locked.save(update_fields=changed)
        record_event(
            action=AuditEvent.Action.ORGANISATION_CHANGED,
            actor=actor if getattr(actor, "pk", None) else None,
            organisation_id=locked.pk,
            organisation=locked.name,
            fields=changed,
        )
    for name in changed:
        setattr(organisation, name, wanted[name])
    return changed
