"""Public UUIDs for resources that leave the system (API, exports).

Three steps so that existing rows each get their own UUID: add the field without
uniqueness, fill it row by row, then make it unique.
"""

import uuid

from django.db import migrations, models

MODELS = ["organisation", "serviceunit", "programme", "cohort", "unitenrolment", "participant"]


def fill_public_ids(apps, schema_editor):
    for model_name in MODELS:
        model = apps.get_model("lup", model_name)
        for pk in model.objects.values_list("pk", flat=True).iterator():
            model.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("lup", "0002_roles_scope_and_audit_log")]

    operations = (
        [
            migrations.AddField(
                model_name=model_name,
                name="public_id",
                field=models.UUIDField(null=True, editable=False),
            )
            for model_name in MODELS
        ]
        + [migrations.RunPython(fill_public_ids, migrations.RunPython.noop)]
        + [
            migrations.AlterField(
                model_name=model_name,
                name="public_id",
                field=models.UUIDField(
                    default=uuid.uuid4,
                    editable=False,
                    unique=True,
                    verbose_name="public identifier",
                ),
            )
            for model_name in MODELS
        ]
    )
