"""CSV imports of service units and participants.

Files are UTF-8 (with or without BOM), separated by comma or semicolon, with a
header row; Norwegian and English column names are both understood. Every row is
validated before anything is written: a file with a bad row is rejected whole,
with every problem reported by line number. Re-importing a file updates what
changed and never creates duplicates.

One module per job: `csv_table` reads a file into rows, `units` and `participants` import
them (`participant_rows` holds the checks of a participant file), `results` the outcome.
"""

from .participants import import_participants
from .results import ImportRejected, ImportResult, RowError
from .units import import_units

__all__ = ["ImportRejected", "ImportResult", "RowError", "import_participants", "import_units"]
