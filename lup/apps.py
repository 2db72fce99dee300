from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LupConfig(AppConfig):
    name = "lup"
    label = "lup"
    verbose_name = _("Leadership programme (LUP)")
    default_auto_field = "django.db.models.BigAutoField"

    def import_models(self) -> None:
        """Load `lup.models`, then the models of the features, which belong to the `lup`
        app label too (a model registers with its app when its class is created). The
        core's `lup.models` does not import them: the core never imports a layer above it.
        Imported here, not at the top, because models load while the registry populates."""
        super().import_models()
        from .barometer import models as barometer_models  # noqa: F401
        from .calendar import models as calendar_models  # noqa: F401
        from .innovation import models as innovation_models  # noqa: F401
        from .intake import models as intake_models  # noqa: F401
        from .notifications import models as notification_models  # noqa: F401
        from .privacy import models as privacy_models  # noqa: F401
        from .reporting import models as reporting_models  # noqa: F401

    def ready(self) -> None:
        from django.core import checks as django_checks

        from . import checks, receivers  # noqa: F401  (registers checks and receivers)
        from .privacy.checks import check_register

        # A model with personal data outside the register warns (lup.W010, lup.W011), in
        # this site and in any host project that installs lup.
        django_checks.register(check_register)

        receivers.connect_role_change_receivers()
        receivers.connect_account_receivers()
        receivers.connect_language_receivers()
