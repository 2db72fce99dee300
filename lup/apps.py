from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LupConfig(AppConfig):
    name = "lup"
    label = "lup"
    verbose_name = _("Leadership programme (LUP)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers checks and receivers)

        receivers.connect_role_change_receivers()
        receivers.connect_account_receivers()
