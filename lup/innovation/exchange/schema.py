"""The exchange format: published projects passed between municipalities as JSON.

The format is versioned; version 1 (`"schema": "lup-innovation-project/1"`) is one object:

    {
      "schema": "lup-innovation-project/1",
      "id": "<the origin's identifier, 1–64 characters>",
      "url": "<the project's page at the origin, or empty>",
      "exported_at": "<ISO 8601 date and time>",
      "licence": "CC-BY-4.0" | "CC-BY-SA-4.0" | "CC0-1.0" | "NLOD-2.0",
      "origin": {"organisation": "...", "unit": "...", "sector": "..."},
      "title": "...", "need": "...", "audience": "...", "idea": "...", "story": "...",
      "phase": "<phase key>" | null,
      "phases": [{"key": "...", "name": "...", "entered_on": "YYYY-MM-DD"}],
      "canvas": {"version": 1, "fields": [{"key": "...", "label": "...", "text": "..."}]} | null,
      "benefits": [{
        "type": "quality" | "time" | "costs" | "satisfaction" | "other",
        "description": "...", "indicator": "...", "owner": "<a role, not a person>",
        "unit_of_measure": "hours_year" | "nok_year" | "percent" | "score" | "count",
        "baseline_value": "<decimal as a string>", "baseline_on": "YYYY-MM-DD",
        "target_value": "<decimal as a string>", "target_on": "YYYY-MM-DD" | null,
        "measurements": [{"measured_on": "YYYY-MM-DD", "value": "<decimal>", "note": "..."}]
      }]
    }

Every key is required and no other key is allowed. It holds no personal data: no names or
e-mail addresses of people, only the organisation, unit and sector names, the texts the
manager consented to share, phases, canvas and benefits.

An import validates the whole file first; a file that does not match gets every problem
listed (by JSON path) and nothing is written. A file over 2 MB, or nested more than 32 arrays
and objects deep, is refused before it is parsed; no text (key or value) may hold a NUL
character or half of a surrogate pair, which the database cannot store.

The imported project is published in the importer's organisation under its licence and keeps
its origin; importing the same origin identifier again updates that project instead of
creating a second one.
"""

SCHEMA = "lup-innovation-project/1"
MAX_BYTES = 2_000_000
MAX_ITEMS = 200  # benefits, measurements, phases and canvas fields: each at most this many
# The schema nests 5 levels ($.benefits[0].measurements[0]); far deeper input is an attack
# on the parser (Python's json recurses per level), refused before parsing.
MAX_DEPTH = 32
