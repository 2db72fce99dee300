"""What an import reports: what it did, or every problem that made it reject the file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file; line numbers count the header as line 1."""

    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportResult:
    """What an import did: counts of created, updated and unchanged rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class ImportRejected(Exception):
    """The file was rejected; `errors` lists every problem found. Nothing was written."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = sorted(errors, key=lambda error: error.line)
        super().__init__("\n".join(str(error) for error in self.errors))
