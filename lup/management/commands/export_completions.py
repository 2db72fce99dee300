"""Export a completion report to a CSV or XLSX file, as HR downloads it (and audited the same).

    manage.py export_completions --organisation baerum --preset successfactors \\
        --format csv --status completed --completed-from 2025-01-01 --out lup.csv

The rows are those of the programmes the organisation runs (`--organisation`, required),
or those a person may see (`--as-user EMAIL`: their scope; both may be given). Filters
take the same values as the report page: ids for programme, cohort, sector and unit
(or a programme's slug), ISO dates. `--out -` writes CSV to standard output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lup.models import Organisation, Programme
from lup.reporting import columns as report_columns
from lup.reporting.exports import ReportExport, write_csv_file, write_xlsx
from lup.reporting.forms import CompletionFilterForm
from lup.reporting.models import ExportFormat, ExportPreset, ReportKind
from lup.reporting.selectors import SystemScope, report_rows
from lup.reporting.services import ExportChannel, record_export


class Command(BaseCommand):
    help = "Export a completion report (participants or units) to a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=ExportFormat.values, default=ExportFormat.CSV)
        parser.add_argument("--preset", help="A built-in or saved preset (default: the report's).")
        parser.add_argument("--report", choices=ReportKind.values)
        parser.add_argument("--out", required=True, help="The file to write ('-': stdout, CSV).")
        parser.add_argument("--organisation", help="Slug of the organisation whose rows to export.")
        parser.add_argument("--as-user", help="Export what this person (e-mail) may see.")
        parser.add_argument("--delimiter", choices=["semicolon", "comma"], default="semicolon")
        parser.add_argument("--programme", help="A programme's id or slug.")
        parser.add_argument("--cohort", help="A cohort's id.")
        parser.add_argument("--sector", help="A sector's id.")
        parser.add_argument("--unit", help="A service unit's id.")
        parser.add_argument("--status", help="Status of the rows (for example 'completed').")
        parser.add_argument("--completed-from", help="First completion date (yyyy-mm-dd).")
        parser.add_argument("--completed-to", help="Last completion date (yyyy-mm-dd).")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["organisation"])
        user = self._user(options["as_user"])
        if organisation is None and user is None:
            raise CommandError("Give --organisation (its rows) or --as-user (their scope).")
        scope: Any = user or SystemScope()
        organisations = (
            [organisation]
            if organisation
            else list(Organisation.objects.filter(memberships__user=user))
        )
        preset = self._preset(options["preset"], options["report"], organisations)
        filters = self._filters(options, scope, preset.report, organisation)
        export = ReportExport(report_rows(preset.report, scope, filters), preset)
        delimiter = ";" if options["delimiter"] == "semicolon" else ","
        if options["out"] == "-":
            if options["format"] != ExportFormat.CSV:
                raise CommandError("Only CSV can be written to standard output.")
            write_csv_file(export, sys.stdout.buffer, delimiter=delimiter)
        else:
            path = Path(options["out"])
            if not path.parent.is_dir():
                raise CommandError(f"No such folder: {path.parent}")
            with path.open("wb") as target:
                if options["format"] == ExportFormat.XLSX:
                    write_xlsx(export, target, sheet_name=str(ReportKind(preset.report).label))
                else:
                    write_csv_file(export, target, delimiter=delimiter)
        record_export(
            actor=user,
            report=preset.report,
            preset=preset,
            export_format=options["format"],
            filters=filters,
            row_count=export.row_count,
            channel=ExportChannel.COMMAND,
            label=f"manage.py export_completions ({preset.report}:{preset.key})",
        )
        if options["out"] != "-":
            self.stdout.write(
                self.style.SUCCESS(f"{export.row_count} rows written to {options['out']}")
            )

    def _organisation(self, slug: str | None) -> Organisation | None:
        if not slug:
            return None
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"Unknown organisation '{slug}'. Known: {known}.")
        return organisation

    def _user(self, email: str | None) -> Any:
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the e-mail address {email}.")
        if not user.has_perm("lup.export_completions"):
            raise CommandError(f"{email} may not export completion reports.")
        return user

    def _preset(
        self, key: str | None, report: str | None, organisations: list[Any]
    ) -> report_columns.Preset:
        if not key:
            return report_columns.default_preset(report or ReportKind.PARTICIPANTS)
        preset = report_columns.find_preset(key, organisations=organisations)
        if preset is None:
            saved = ExportPreset.objects.filter(organisation__in=organisations).order_by("key")
            available = [
                *(f"{p.key} ({p.report})" for p in report_columns.BUILT_IN_PRESETS),
                *(f"{p.key} ({p.report})" for p in saved),
            ]
            raise CommandError(f"Unknown preset '{key}'. Available: {', '.join(available)}.")
        if report and preset.report != report:
            raise CommandError(f"The preset '{key}' is for the {preset.report} report.")
        return preset

    def _filters(self, options: dict[str, Any], scope: Any, report: str, organisation: Any) -> Any:
        data = {
            name: options[name]
            for name in ("programme", "cohort", "sector", "unit", "status")
            if options.get(name)
        }
        if data.get("programme") and not str(data["programme"]).isdigit():
            programme = Programme.objects.filter(slug=data["programme"]).first()
            data["programme"] = str(programme.pk) if programme else "0"
        for name in ("completed_from", "completed_to"):
            if options.get(name):
                data[name] = options[name]
        form = CompletionFilterForm(data, user=scope, report=report, organisation=organisation)
        if not form.is_valid():
            problems = "; ".join(
                f"--{name.replace('_', '-')}: {' '.join(str(m) for m in messages)}"
                for name, messages in form.errors.items()
            )
            raise CommandError(f"Invalid filters: {problems}")
        return form.filters()
