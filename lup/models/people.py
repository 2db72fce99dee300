"""What the platform remembers about a person beyond their account: their language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonProfile(models.Model):
    """A person's own settings, kept apart from the account model (which a host project
    may replace). Today only their language: e-mails and PDFs they receive are written in
    it (`lup.languages.language_of`). Rows are created when a language is first chosen."""

    class LanguageSource(models.TextChoices):
        SITE = "site", _("Chosen on the site")
        SINGLE_SIGN_ON = "sso", _("From single sign-on")
        ADMINISTRATOR = "admin", _("Set by an administrator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lup_profile",
        verbose_name=_("person"),
    )
    # No `choices`: they would follow the host project's LANGUAGES into the migration.
    language = models.CharField(_("language"), max_length=10)
    language_source = models.CharField(
        _("language chosen"), max_length=10, choices=LanguageSource.choices
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("person's settings")
        verbose_name_plural = _("people's settings")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
