"""HR completion reports: the report selectors, streamed CSV and XLSX exports, column presets
and scheduled exports. The models live here and are imported by `lup.models`."""
