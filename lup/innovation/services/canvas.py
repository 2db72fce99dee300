"""The team canvas: which fields it has, and saving it as a new version without overwriting
someone else's newer one."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import Programme
from ..models import DEFAULT_CANVAS_FIELDS, CanvasField, CanvasVersion, InnovationProject


class CanvasConflict(Exception):
    """Someone saved a newer canvas version since the one the edit started from."""

    def __init__(self, latest: CanvasVersion) -> None:
        super().__init__(f"canvas version {latest.number} is newer")
        self.latest = latest


def canvas_fields(programme: Programme | None) -> list[tuple[str, str, str]]:
    """The canvas's fields as (key, label, help): the programme's own, else the defaults."""
    if programme is not None:
        own = [
            (field.key, field.label, field.help_text)
            for field in CanvasField.objects.filter(programme=programme).order_by("position")
        ]
        if own:
            return own
    return list(DEFAULT_CANVAS_FIELDS)


@transaction.atomic
def save_canvas(
    *,
    project: InnovationProject,
    content: Mapping[str, str],
    base_number: int,
    saved_by: User | None,
) -> CanvasVersion | None:
    """Save the team canvas as a new version (number + 1). Returns None when nothing changed.

    `base_number` is the version the editor started from (0 for a blank canvas). If someone
    saved a newer version in the meantime, raises CanvasConflict with that version so the
    editor can merge instead of silently overwriting it.
    """
    # Lock the project row so two saves of the same project queue up (PostgreSQL); on
    # SQLite writes are serialised anyway, and the unique version number is the last guard.
    InnovationProject.objects.select_for_update().filter(pk=project.pk).first()
    latest = CanvasVersion.objects.filter(project=project).order_by("-number").first()
    latest_number = latest.number if latest else 0
    if latest is not None and latest_number != base_number:
        raise CanvasConflict(latest)
    if latest is None and base_number != 0:
        raise ValidationError(_("The canvas version you edited no longer exists."))
    cleaned = {key: value.strip() for key, value in content.items()}
    previous = dict(latest.content) if latest else {}
    if {k: v for k, v in previous.items() if v} == {k: v for k, v in cleaned.items() if v}:
        return None
    # Keep the text of fields the programme no longer shows rather than dropping it.
    merged = {**previous, **cleaned}
    version = CanvasVersion(
        project=project, number=latest_number + 1, content=merged, saved_by=saved_by
    )
    version.full_clean()
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        newer = CanvasVersion.objects.filter(project=project).order_by("-number").first()
        if newer is None:
            raise
        raise CanvasConflict(newer) from None
    InnovationProject.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    return version
