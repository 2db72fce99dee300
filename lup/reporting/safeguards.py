"""Who may keep a scheduled export running, and where it may deliver.

A scheduled export sends personal data long after someone set it up, so it is checked
when it is saved (the form and the service) and again at every run:

- its owner must still be active, still hold the export permission (HR or programme
  administrator; superusers always) and still work for the schedule's organisation;
- every e-mail recipient must be in one of the organisation's configured export domains
  (`Organisation.export_email_domains`; none configured means no e-mail delivery);
- a folder must resolve, symlinks followed, to a folder inside LUP_EXPORT_ROOT.

These only decide; stopping a schedule (and auditing why) is `services.stop_schedule`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import InvalidStorageError, Storage, storages
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .. import app_settings
from ..models import Organisation
from ..models.organisations import normalise_email_domain
from ..permissions import works_for
from .folders import clean_folder_name
from .models import ScheduledExport

EXPORT_PERMISSION = "lup.export_completions"

StopReason = ScheduledExport.StopReason


# The owner -------------------------------------------------------------------------------


def owner_problem(owner: Any, organisation_id: int) -> StopReason | None:
    """Why `owner` may not (or no longer) run a scheduled export of the organisation, or
    None if they may. Pass a user fresh from the database: permissions are cached on the
    instance, and a role removed since it was loaded must count."""
    if owner is None:
        return StopReason.NO_OWNER
    if not owner.is_active:
        return StopReason.OWNER_DEACTIVATED
    if owner.is_superuser:
        return None
    if not owner.has_perm(EXPORT_PERMISSION):
        return StopReason.OWNER_LOST_ROLE
    if not works_for(owner, organisation_id):
        return StopReason.OWNER_LEFT
    return None


# E-mail recipients -----------------------------------------------------------------------


def split_recipients(text: str) -> list[str]:
    """The addresses of a recipients field: one per line (commas and semicolons also
    separate them), trimmed, empty lines left out."""
    return [
        line.strip()
        for line in text.replace(",", "\n").replace(";", "\n").splitlines()
        if line.strip()
    ]


def email_domain(address: str) -> str:
    """The normalised domain of an address (the part after the last "@")."""
    return normalise_email_domain(address.rpartition("@")[2])


def check_recipients(organisation: Organisation, addresses: list[str]) -> list[str]:
    """The addresses, if every one is a plain e-mail address in one of the organisation's
    export domains; otherwise a ValidationError that says what is wrong and what to do."""
    allowed = organisation.export_email_domain_set()
    if not allowed:
        raise ValidationError(
            _(
                "Scheduled exports cannot be e-mailed for %(organisation)s: an administrator "
                "must first configure the organisation's e-mail domains for exports. Deliver "
                "to a storage folder instead."
            ),
            params={"organisation": organisation.name},
            code="no_export_domains",
        )
    invalid = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(address)
    if invalid:
        raise ValidationError(
            _("Not e-mail addresses: %(addresses)s"),
            params={"addresses": ", ".join(invalid)},
            code="invalid_address",
        )
    outside = [address for address in addresses if email_domain(address) not in allowed]
    if outside:
        raise ValidationError(
            _(
                "Scheduled exports contain personal data and may only be e-mailed to "
                "addresses in %(domains)s. Not allowed: %(addresses)s"
            ),
            params={"domains": ", ".join(sorted(allowed)), "addresses": ", ".join(outside)},
            code="outside_domain",
        )
    return addresses


def refused_domains(organisation: Organisation, addresses: list[str]) -> list[str]:
    """The domains among the addresses that the organisation does not allow (for the audit:
    the domains say why without copying outside addresses into the log)."""
    allowed = organisation.export_email_domain_set()
    return sorted({email_domain(address) for address in addresses} - allowed)


# Folders ---------------------------------------------------------------------------------


EXPORT_STORAGE_ALIAS = "lup_exports"


def configured_export_storage() -> Storage | None:
    """STORAGES["lup_exports"] (object storage shared by every app server) when the host
    configures one; None means the local folder LUP_EXPORT_ROOT."""
    try:
        return storages[EXPORT_STORAGE_ALIAS]
    except InvalidStorageError:
        return None


def export_root() -> Path:
    """LUP_EXPORT_ROOT as an absolute path with its symlinks resolved."""
    return Path(app_settings.EXPORT_ROOT()).resolve()


def _inside(target: Path, root: Path) -> bool:
    return target == root or target.is_relative_to(root)


def resolve_export_folder(folder: str, *, create: bool = False) -> Path:
    """The absolute folder for `folder` under the export root, symlinks followed; refuses
    a name that is not a plain relative folder (`..`, absolute) and any folder that
    resolves outside the root (a symlink out). `create` makes it, then checks again, so a
    symlink swapped in meanwhile is refused too. With an export storage configured there are
    no symlinks or folders to make: the clean relative name is the key prefix."""
    if configured_export_storage() is not None:
        return Path(clean_folder_name(folder))
    root = export_root()
    target = (root / clean_folder_name(folder)).resolve()
    if not _inside(target, root):
        raise ValidationError(
            _("The folder must be inside the export storage."), code="outside_export_root"
        )
    if create:
        target.mkdir(parents=True, exist_ok=True)
        if not _inside(target.resolve(strict=True), root):
            raise ValidationError(
                _("The folder must be inside the export storage."), code="outside_export_root"
            )
    return target
