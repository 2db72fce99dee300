# The catalogue search (lup.innovation.catalogue.filter_catalogue) looks for each word
# anywhere in five texts of every published project in the country: `UPPER(col) LIKE
# UPPER('%word%')`. On PostgreSQL, trigram indexes on exactly those expressions (pg_trgm,
# shipped with PostgreSQL) turn that into a bitmap OR of index scans: measured at 356
# municipalities, 34,174 published projects, the count query went from 134 ms to 5 ms
# (README, "Performance at national scale"). Partial: only published projects are searched.
# SQLite has no such index; there the search reads the table, as before.
from django.db import migrations

SEARCHED = ["title", "need", "idea", "story", "audience"]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS lup_project_search_{column} ON lup_innovationproject "
            f"USING gin (UPPER({column}::text) gin_trgm_ops) WHERE published_at IS NOT NULL"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS lup_project_search_{column}")


class Migration(migrations.Migration):
    dependencies = [("lup", "0018_grant_privacy_permissions")]

    operations = [migrations.RunPython(create_search_indexes, drop_search_indexes)]
