"""Sharing innovation projects in the catalogue ("stjæl og del") and marking reuse.

A project is published only by its unit's current manager, with their recorded consent
(personal data removed from the texts, and an open licence chosen); the manager may
withdraw it again. Any current member of a unit's team may mark that the unit reuses a
published project, optionally linking the unit's own project, so the catalogue shows how
ideas spread. Who may do what is decided by the callers' querysets (`lup.scoping`) and by
`reuse_units_for`; the services check the invariants that hold whoever calls them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import record_event
from ..models import AuditEvent, Participant, ServiceUnit
from .models import InnovationProject, Licence, ProjectReuse


def reuse_units_for(user: Any) -> QuerySet[ServiceUnit]:
    """Units for which the user may mark reuse: those where they are on a current team."""
    units = ServiceUnit.objects.select_related("organisation", "sector").order_by("name")
    if not user.is_authenticated:
        return units.none()
    return units.filter(
        pk__in=Participant.objects.current().filter(user_id=user.pk).values("enrolment__unit_id")
    )


def reuse_projects_for(user: Any) -> QuerySet[InnovationProject]:
    """The user's units' own projects, which a reuse may link to."""
    return InnovationProject.objects.filter(
        enrolment__unit__in=reuse_units_for(user).values("pk")
    ).select_related("enrolment__unit", "enrolment__cohort")


@transaction.atomic
def publish_project(
    *, project: InnovationProject, user: Any, licence: str, consent: bool
) -> InnovationProject:
    """Publish `project` in the catalogue under `licence`, recording the manager's consent.

    `consent` is the manager's confirmation that the texts hold no personal data and that
    they agree to sharing; without it nothing is published. Publishing again (to change
    the licence) renews the consent. The caller has checked that `user` may publish
    (`lup.scoping.publishable_projects_for`).
    """
    if project.is_imported:
        raise ValidationError(_("Imported projects are already shared by their origin."))
    if not consent:
        raise ValidationError(
            {"consent": _("Confirm that personal data is removed and that you consent.")}
        )
    if licence not in Licence.values:
        raise ValidationError({"licence": _("Choose an open licence.")})
    now = timezone.now()
    project.licence = licence
    project.consent_by = user
    project.consent_at = now
    project.published_at = project.published_at or now
    project.full_clean()
    project.save(
        update_fields=["licence", "consent_by", "consent_at", "published_at", "updated_at"]
    )
    # The consent is a record of the manager's decision: keep who gave it, and when.
    record_event(
        action=AuditEvent.Action.PROJECT_PUBLISHED,
        actor=user,
        subject_label=project.title,
        project=str(project.public_id),
        licence=licence,
    )
    return project


@transaction.atomic
def withdraw_publication(*, project: InnovationProject, user: Any) -> InnovationProject:
    """Take `project` out of the catalogue; the consent ends with it (the licence stays as
    the default for a later publication). Units that reuse it keep their records."""
    project.published_at = None
    project.consent_at = None
    project.consent_by = None
    project.full_clean()
    project.save(update_fields=["published_at", "consent_at", "consent_by", "updated_at"])
    record_event(
        action=AuditEvent.Action.PROJECT_WITHDRAWN,
        actor=user,
        subject_label=project.title,
        project=str(project.public_id),
    )
    return project


@transaction.atomic
def mark_reuse(
    *,
    source: InnovationProject,
    unit: ServiceUnit,
    user: Any,
    project: InnovationProject | None = None,
    note: str = "",
) -> ProjectReuse:
    """Record that `unit` reuses the published project `source`, optionally linking the
    unit's own `project`. A unit cannot reuse its own project, nor the same one twice."""
    if source.published_at is None:
        raise ValidationError(_("Only published projects can be reused."))
    if not reuse_units_for(user).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("You are not on a team of this unit.")})
    source_unit_id = source.enrolment.unit_id if source.enrolment is not None else None
    if source_unit_id == unit.pk or (project is not None and project.pk == source.pk):
        raise ValidationError(_("This is your own unit's project: it cannot be reused by you."))
    if project is not None and (project.enrolment is None or project.enrolment.unit_id != unit.pk):
        raise ValidationError({"project": _("Choose a project of the reusing unit.")})
    if ProjectReuse.objects.filter(source=source, unit=unit).exists():
        raise ValidationError(_("%(unit)s already reuses this project.") % {"unit": unit.name})
    reuse = ProjectReuse(source=source, unit=unit, project=project, note=note, marked_by=user)
    reuse.full_clean()
    try:
        with transaction.atomic():
            reuse.save()
    except IntegrityError as error:  # marked by someone else a moment ago
        raise ValidationError(
            _("%(unit)s already reuses this project.") % {"unit": unit.name}
        ) from error
    return reuse


@transaction.atomic
def unmark_reuse(*, reuse: ProjectReuse, user: Any) -> None:
    """Remove a reuse record; only a current member of the reusing unit's team may."""
    if not reuse_units_for(user).filter(pk=reuse.unit_id).exists():
        raise ValidationError(_("You are not on a team of this unit."))
    reuse.delete()
