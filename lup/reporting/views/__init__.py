"""HR's completion reports in the browser: tables, downloads, saved presets and schedules.

Everyone here needs `lup.export_completions` (HR and programme administrators); saving
presets and schedules needs the model's add/change/delete permission as well. Rows,
presets and schedules come from the user's scope: anything else is a 404.

One module a group of pages: `reports` (the tables), `downloads` (CSV and XLSX),
`presets`, `schedules`; what they share is in `base`.
"""

from .base import EXPORT_PERMISSION
from .downloads import participant_export, unit_export
from .presets import preset_create, preset_delete, preset_edit, preset_list
from .reports import participant_report, unit_report
from .schedules import schedule_create, schedule_delete, schedule_edit, schedule_list

__all__ = [
    "EXPORT_PERMISSION",
    "participant_export",
    "participant_report",
    "preset_create",
    "preset_delete",
    "preset_edit",
    "preset_list",
    "schedule_create",
    "schedule_delete",
    "schedule_edit",
    "schedule_list",
    "unit_export",
    "unit_report",
]
