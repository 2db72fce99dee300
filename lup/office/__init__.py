"""The programme office: the administrators of the organisation that runs a programme run
its cohorts in the product's own pages (not the admin): new and changed cohorts with their
facilitators, gatherings planned, changed and cancelled, and a unit moved between running
cohorts with its work.

`services` (the writes, validated and audited), `selectors` (who may facilitate, where a
unit may move), `forms`, `views` and `urls` (included in `lup.urls`, names `lup:office-...`).
Who may: `lup.permissions.can_plan_cohorts`.

CSV imports of units and participants (`csv_imports`, `import_forms`, `imports_views`):
`lup.permissions.can_import_units`, `can_import_participants`.
"""
