"""Give existing role groups the permissions of issue 15's models.

`lup.roles.ensure_role_groups` grants programme administrators every permission of `lup`,
and HR its `view_` permissions, but only when it runs (the demo seed, API tokens). On an
installation whose groups already exist, administrators would lack `add_completioncheck`
("Check completions now") until then: this grants what that function would, once.
A database without the groups (a new one) is left alone: the function creates them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATORS_GROUP = "Programme administrators"  # lup.roles (not imported: migrations stay frozen)
HR_GROUP = "HR"
NEW_MODELS = ["completioncheck", "certificatereview"]


def grant(apps, schema_editor):
    # Permissions are created after all migrations have run; create these ones now. The
    # migration state's app config has no models module, which create_permissions asks for.
    config = apps.get_app_config("lup")
    had_module = getattr(config, "models_module", None)
    config.models_module = had_module or True
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        config.models_module = had_module
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    new = permission_model.objects.filter(
        content_type__app_label="lup", content_type__model__in=NEW_MODELS
    )
    for group in group_model.objects.filter(name=ADMINISTRATORS_GROUP):
        group.permissions.add(*new)
    for group in group_model.objects.filter(name=HR_GROUP):
        group.permissions.add(*new.filter(codename__startswith="view_"))


class Migration(migrations.Migration):
    dependencies = [
        ("lup", "0015_cohort_close_and_completion_checks"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
