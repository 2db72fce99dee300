"""Writes of the settings pages for a certificate template's signatories: add one (with an
optional signature image), change, move and remove one.

Each calls the `certificates` service that makes the change under a lock on the template
and raises its version (`certificates.api`), and audits it in the same transaction as
TEMPLATE_CHANGED, like a change of the template's text
(`services.change_certificate_template`): the template, what was done to which signatory
and the new version, filed under the organisation whose administrator made it. The caller
checks that the actor may (`lup.permissions.can_edit_certificate_templates`).
"""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _

from certificates.api import (
    CertificateTemplate,
    Signatory,
    add_signatory,
    change_signatory,
    move_signatory,
    remove_signatory,
)

from ..audit import record_event
from ..models import AuditEvent


def _audit(
    *,
    template: CertificateTemplate,
    what: str,
    name: str,
    actor: Any,
    organisation_id: int,
) -> None:
    template.refresh_from_db(fields=["name", "version"])
    record_event(
        action=AuditEvent.Action.TEMPLATE_CHANGED,
        actor=actor,
        subject_label=template.name,
        template=template.key,
        fields=[what],
        signatory=name,
        version=template.version,
        organisation_id=organisation_id,
    )


@transaction.atomic
def add_certificate_signatory(
    *,
    template: CertificateTemplate,
    name: str,
    title: str,
    signature: Any,
    actor: Any,
    organisation_id: int,
) -> Signatory:
    """Add a signatory at the end of the template's (ValidationError by field, nothing
    saved, when the name is missing, the image is not a small PNG or JPEG, or the template
    has as many signatories as a certificate has room for)."""
    signatory = add_signatory(template=template, name=name, title=title, signature=signature)
    _audit(
        template=template,
        what=_("signatory added"),
        name=signatory.name,
        actor=actor,
        organisation_id=organisation_id,
    )
    return signatory


@transaction.atomic
def change_certificate_signatory(
    *,
    signatory: Signatory,
    name: str,
    title: str,
    signature: Any,
    remove_signature: bool,
    actor: Any,
    organisation_id: int,
) -> tuple[str, ...]:
    """Change a signatory's name, title or signature image; returns the fields changed
    (none: nothing saved, nothing audited)."""
    changed = change_signatory(
        signatory=signatory,
        name=name,
        title=title,
        signature=signature,
        remove_signature=remove_signature,
    )
    if changed:
        _audit(
            template=signatory.template,
            what=_("signatory changed"),
            name=(name or "").strip(),
            actor=actor,
            organisation_id=organisation_id,
        )
    return changed


@transaction.atomic
def move_certificate_signatory(
    *,
    signatory: Signatory,
    direction: Literal["up", "down"],
    actor: Any,
    organisation_id: int,
) -> bool:
    """Move a signatory one place; False (nothing audited) when it is already at that end."""
    moved = move_signatory(signatory=signatory, direction=direction)
    if moved:
        _audit(
            template=signatory.template,
            what=_("signatory moved"),
            name=signatory.name,
            actor=actor,
            organisation_id=organisation_id,
        )
    return moved


@transaction.atomic
def remove_certificate_signatory(*, signatory: Signatory, actor: Any, organisation_id: int) -> bool:
    """Remove a signatory; certificates already issued keep the signatories they show.
    False (nothing audited) when it was removed already."""
    if not remove_signatory(signatory=signatory):
        return False
    _audit(
        template=signatory.template,
        what=_("signatory removed"),
        name=signatory.name,
        actor=actor,
        organisation_id=organisation_id,
    )
    return True
