"""Exchanging published projects between municipalities as JSON.

- `schema`: the versioned format (documented there), its identifier and limits;
- `exporting`: a project as a document of the schema;
- `validation`: checking an uploaded document (its size and depth before it is parsed), every
  problem listed by JSON path;
- `importing`: writing a valid document as a published project keeping its origin.
"""

from .exporting import export_project, export_project_json
from .importing import ImportOutcome, import_project_json
from .schema import MAX_BYTES, MAX_DEPTH, MAX_ITEMS, SCHEMA
from .validation import ExchangeRejected, parse_document, validate_document

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "SCHEMA",
    "ExchangeRejected",
    "ImportOutcome",
    "export_project",
    "export_project_json",
    "import_project_json",
    "parse_document",
    "validate_document",
]
