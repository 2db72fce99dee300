"""Reads of the team canvas: the latest version, its history, and word-by-word comparison of
two versions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..models import CanvasVersion, InnovationProject


def latest_canvas(project: InnovationProject) -> CanvasVersion | None:
    """The project's current canvas (its newest version), or None before the first save."""
    return (
        CanvasVersion.objects.filter(project=project)
        .select_related("saved_by")
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class Segment:
    """A run of words in a comparison: kept, added or removed."""

    kind: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class FieldComparison:
    """One canvas field's text in two versions, with the words that changed."""

    key: str
    label: str
    before: str
    after: str
    segments: list[Segment]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def word_diff(before: str, after: str) -> list[Segment]:
    """The words removed and added between two texts, for an inline diff."""
    old, new = before.split(" "), after.split(" ")
    segments: list[Segment] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("same", " ".join(old[a1:a2])))
            continue
        if a2 > a1:
            segments.append(Segment("removed", " ".join(old[a1:a2])))
        if b2 > b1:
            segments.append(Segment("added", " ".join(new[b1:b2])))
    return segments


def compare_canvas(
    fields: list[tuple[str, str, str]],
    before: dict[str, str],
    after: dict[str, str],
) -> list[FieldComparison]:
    """Field by field comparison of two canvas versions (the programme's fields first, then
    any field kept from an earlier configuration)."""
    labels = {key: label for key, label, _help in fields}
    keys = [key for key, _label, _help in fields]
    keys += sorted((set(before) | set(after)) - set(keys))
    return [
        FieldComparison(
            key=key,
            label=labels.get(key, key),
            before=before.get(key, ""),
            after=after.get(key, ""),
            segments=word_diff(before.get(key, ""), after.get(key, "")),
        )
        for key in keys
    ]


def canvas_history(project: InnovationProject) -> list[CanvasVersion]:
    """Every saved version of the project's canvas, newest first, with who saved it."""
    return list(
        CanvasVersion.objects.filter(project=project).select_related("saved_by").order_by("-number")
    )
