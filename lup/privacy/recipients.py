"""The services outside the platform that personal data goes to, as this installation is
configured: the Learning Record Store, the e-mail provider, the single sign-on services and
file storage. The privacy statement and the records of processing activities list exactly
these, so what they say follows the settings (and the social applications added in the
admin), never a hand-written list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _

from .categories import Category

# E-mail backends that send nothing anywhere: no e-mail provider receives data.
_LOCAL_EMAIL_BACKENDS = (
    "django.core.mail.backends.console.",
    "django.core.mail.backends.locmem.",
    "django.core.mail.backends.filebased.",
    "django.core.mail.backends.dummy.",
)
_SMTP_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Storage backends that keep files on the platform's own disks.
_LOCAL_STORAGE_BACKENDS = (
    "django.core.files.storage.",
    "django.contrib.staticfiles.storage.",
)
# The Norwegian Digitalisation Agency's sign-in services are run in Norway (EEA).
_DIGDIR_DOMAINS = ("idporten.no", "ansattporten.no")


class Kind:
    LRS = "lrs"
    EMAIL = "email"
    SIGN_IN = "sign_in"
    STORAGE = "storage"


@dataclass(frozen=True)
class Recipient:
    """A configured service outside the platform and what it receives.

    `in_eea` is True only when the service is known to run in the EEA (Digdir's sign-in
    services); None means the platform cannot tell, and the controller must check its
    data processing agreement."""

    kind: str
    name: str
    host: str
    receives: str
    categories: tuple[Category, ...]
    in_eea: bool | None = None


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def lrs_recipient() -> Recipient | None:
    """The external Learning Record Store, when `COURSES_LRS_ENDPOINT` is set."""
    endpoint = str(getattr(settings, "COURSES_LRS_ENDPOINT", "") or "")
    if not endpoint:
        return None
    return Recipient(
        kind=Kind.LRS,
        name=_("Learning Record Store (LRS)"),
        host=_host(endpoint),
        receives=_(
            "A copy of each learning activity statement (xAPI), under a pseudonym: never your "
            "name or e-mail address."
        ),
        categories=(Category.XAPI_STATEMENTS,),
    )


def email_recipient() -> Recipient | None:
    """The e-mail provider, when e-mail leaves the platform (an SMTP server or another
    sending backend); None for the console, memory and file backends."""
    backend = str(getattr(settings, "EMAIL_BACKEND", ""))
    if not backend or backend.startswith(_LOCAL_EMAIL_BACKENDS):
        return None
    if backend == _SMTP_EMAIL_BACKEND:
        host = str(getattr(settings, "EMAIL_HOST", ""))
    else:
        host = backend.rsplit(".", 1)[0]  # a provider's own backend: its module names it
    return Recipient(
        kind=Kind.EMAIL,
        name=_("E-mail provider"),
        host=host,
        receives=_(
            "Your name and e-mail address, with the messages sent to you: sign-in and "
            "confirmation codes, certificates, reminders, and scheduled reports to HR."
        ),
        categories=(Category.ACCOUNT, Category.CERTIFICATES, Category.PARTICIPATION),
    )


def _sign_in_name(app: Any) -> str:
    """Which service a social application is: Entra ID, ID-porten, Ansattporten, or the
    name an administrator gave it."""
    if app.provider == "microsoft":
        return "Microsoft Entra ID"
    app_settings = app.settings or {}
    said = f"{app.provider_id} {app.name} {app_settings.get('server_url', '')}".lower()
    if app_settings.get("check_employer") or "ansattporten" in said:
        return "Ansattporten"
    if "idporten" in said or "id-porten" in said:
        return "ID-porten"
    return str(app.name or app.provider_id or app.provider)


def _sign_in_host(app: Any) -> str:
    if app.provider == "microsoft":
        return "login.microsoftonline.com"
    return _host(str((app.settings or {}).get("server_url", "")))


def sign_in_recipients() -> list[Recipient]:
    """Every single sign-on service configured, in settings or as a social application in
    the admin (one query), one entry per service."""
    if not apps.is_installed("allauth.socialaccount"):
        return []
    from allauth.socialaccount.adapter import get_adapter

    found: dict[tuple[str, str], Recipient] = {}
    for app in get_adapter().list_apps(None):
        name, host = _sign_in_name(app), _sign_in_host(app)
        found.setdefault(
            (name, host),
            Recipient(
                kind=Kind.SIGN_IN,
                name=name,
                host=host,
                receives=_(
                    "Signs you in. It tells the platform an identifier for you (and your name "
                    "and e-mail address, when the service has them), never your national "
                    "identity number: that is removed before anything is saved."
                ),
                categories=(Category.SIGN_IN, Category.ACCOUNT),
                in_eea=True if host.endswith(_DIGDIR_DOMAINS) else None,
            ),
        )
    return sorted(found.values(), key=lambda recipient: (recipient.name, recipient.host))


# The storages that may hold files about people (courses' submissions, certificates, the
# archives of people's own data, scheduled reports and the site's uploads, signatures on
# certificates among them), with what they hold. H5P content is course material.
def _storage_contents() -> dict[str, tuple[str, tuple[Category, ...]]]:
    return {
        "certificates_pdf": (
            _("Your certificates as PDF files, with your name on them."),
            (Category.CERTIFICATES,),
        ),
        "lup_private": (
            _("The archive of your own data, when you ask for one, until it expires."),
            (Category.DATA_EXPORTS,),
        ),
        "lup_exports": (
            _(
                "Completion reports HR has scheduled to a folder: names, units and whether "
                "you completed."
            ),
            (Category.PARTICIPATION,),
        ),
        "courses_private": (
            _("What you and your team hand in, with its files."),
            (Category.UPLOADED_FILES,),
        ),
        "default": (
            _("Images uploaded to the site, among them the signatures printed on certificates."),
            (Category.CERTIFICATES,),
        ),
    }


def storage_recipients() -> list[Recipient]:
    """File storage outside the platform's own disks (an S3-compatible bucket or another
    django-storages backend in `STORAGES`) for the storages that hold files about people."""
    configured = getattr(settings, "STORAGES", None) or {}
    recipients = []
    for alias, (receives, categories) in _storage_contents().items():
        storage = configured.get(alias) or {}
        backend = str(storage.get("BACKEND", ""))
        if not backend or backend.startswith(_LOCAL_STORAGE_BACKENDS):
            continue
        options = storage.get("OPTIONS") or {}
        host = _host(str(options.get("endpoint_url") or options.get("custom_domain") or ""))
        recipients.append(
            Recipient(
                kind=Kind.STORAGE,
                name=_("File storage"),
                host=host or str(options.get("bucket_name") or backend),
                receives=receives,
                categories=categories,
            )
        )
    return recipients


def configured_recipients() -> list[Recipient]:
    """Every service outside the platform that receives personal data, as configured now."""
    recipients: list[Recipient] = []
    for single in (lrs_recipient(), email_recipient()):
        if single is not None:
            recipients.append(single)
    return [*recipients, *sign_in_recipients(), *storage_recipients()]
