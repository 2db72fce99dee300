from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The standalone site: no models, only its production safety checks."""

    name = "config"
    label = "site_config"
    verbose_name = "LUP site"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
