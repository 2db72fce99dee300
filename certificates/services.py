"""Writes of `certificates`: templates, issuing, revoking, and the e-mail that brings a
certificate. Other apps call these; they never create certificates themselves."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image

from . import app_settings, rendering
from .adapter import get_adapter
from .credentials.details import AchievementDetails, IssuerDetails
from .credentials.issuing import issue_credential
from .models import (
    Certificate,
    CertificateTemplate,
    Credential,
    Signatory,
    fill_placeholders,
    new_code,
)
from .signals import certificate_issued, certificate_revoked
from .storage import pdf_storage

logger = logging.getLogger(__name__)

# A fresh code collides with an existing one about once in 10^12 issues; try a few.
CODE_ATTEMPTS = 5


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _store_pdf(certificate: Certificate, content: bytes) -> None:
    """Write the PDF to the certificate's storage (named by its public id and SHA-256) and
    keep its SHA-256; the row is saved by the caller."""
    certificate.sha256 = sha256_of(content)
    certificate.pdf.save(f"{certificate.sha256}.pdf", ContentFile(content), save=False)


def _discard_pdf(name: str) -> None:
    """Delete a stored PDF that no row points to (any more)."""
    if name:
        pdf_storage().delete(name)


def _discard_pdf_after_commit(name: str) -> None:
    """Delete a PDF the row stops pointing to, once that change is committed (a rollback
    leaves the row pointing at it, so it must stay until then)."""
    if name:
        transaction.on_commit(lambda: _discard_pdf(name))


@transaction.atomic
def ensure_template(*, key: str, defaults: Mapping[str, Any]) -> CertificateTemplate:
    """The template with `key`, created from `defaults` when there is none yet.

    `defaults` holds the template's fields and optionally "signatories", a list of dicts
    with "name" and "title". An existing template is returned unchanged: administrators
    own it once it exists. Safe when two callers create it at the same time.
    """
    existing = CertificateTemplate.objects.filter(key=key).first()
    if existing is not None:
        return existing
    values = dict(defaults)
    signatories = values.pop("signatories", [])
    template = CertificateTemplate(key=key, **values)
    template.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        return CertificateTemplate.objects.get(key=key)
    for position, signatory in enumerate(signatories, start=1):
        Signatory.objects.create(template=template, position=position, **signatory)
    return template


@transaction.atomic
def save_template(*, template: CertificateTemplate) -> CertificateTemplate:
    """Validate and save a template; a change raises its version (certificates record which
    version they were issued with)."""
    template.full_clean()
    if template.pk is not None:
        template.version = F("version") + 1
    template.save()
    template.refresh_from_db(fields=["version"])
    return template


# Signatories ---------------------------------------------------------------------------------

# The PDF has room for three signatures side by side (`rendering` draws the first three).
MAX_SIGNATORIES = 3
# What a signature image may be, as Pillow names the format, and the file ending it is kept
# under (the uploaded name is not trusted).
SIGNATURE_FORMATS = {"PNG": "png", "JPEG": "jpg"}


def check_signature_image(upload: Any) -> str:
    """Refuse (ValidationError) anything but a PNG or JPEG image of at most
    CERTIFICATES_SIGNATURE_MAX_BYTES bytes and CERTIFICATES_SIGNATURE_MAX_PIXELS pixels, as
    Pillow reads its bytes: its name and stated type are not trusted, and it is decoded
    whole, so a broken or truncated file is refused here rather than left out of every
    certificate later. Returns the file ending for its format ("png" or "jpg")."""
    max_bytes = app_settings.SIGNATURE_MAX_BYTES()
    too_large = ValidationError(
        _("The signature image may be at most %(size)s kB.") % {"size": max_bytes // 1024},
        code="signature_size",
    )
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise too_large
    not_an_image = ValidationError(
        _("The signature must be a PNG or JPEG image (this file is not one)."),
        code="signature_type",
    )
    too_many_pixels = ValidationError(
        _("The signature image has too many pixels: at most %(pixels)s million.")
        % {"pixels": f"{app_settings.SIGNATURE_MAX_PIXELS() / 1_000_000:g}"},
        code="signature_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(SIGNATURE_FORMATS)) as image:
                width, height = image.size
                if width * height > app_settings.SIGNATURE_MAX_PIXELS():
                    raise too_many_pixels
                image.load()  # decodes every pixel: a broken file fails here
                found = str(image.format)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels from error
    except Exception as error:  # Pillow raises many kinds for a file that is not an image
        raise not_an_image from error
    if found not in SIGNATURE_FORMATS:
        raise not_an_image
    return SIGNATURE_FORMATS[found]


def _signature_upload(upload: Any) -> Any:
    """The upload, checked, under a name of its real format (never the uploaded name)."""
    ending = check_signature_image(upload)
    upload.name = f"signature.{ending}"
    return upload


def _locked_template(template: CertificateTemplate) -> CertificateTemplate:
    return CertificateTemplate.objects.select_for_update().get(pk=template.pk)


def _new_version(template: CertificateTemplate) -> None:
    """Raise the template's version: its signatories are part of what certificates show."""
    CertificateTemplate.objects.filter(pk=template.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    template.refresh_from_db(fields=["version", "updated_at"])


def _renumber_signatories(signatories: Sequence[Signatory]) -> None:
    """Give `signatories` (one template's, in their new order) the positions 1, 2, 3 ..."""
    for position, signatory in enumerate(signatories, start=1):
        signatory.position = position
    Signatory.objects.bulk_update(list(signatories), ["position"])


def _ordered_signatories(template: CertificateTemplate) -> list[Signatory]:
    return list(Signatory.objects.filter(template=template).order_by("position", "pk"))


@transaction.atomic
def add_signatory(
    *, template: CertificateTemplate, name: str, title: str = "", signature: Any = None
) -> Signatory:
    """Add a signatory after the template's others, with an optional signature image
    (`check_signature_image`). Under a lock on the template; refused when it already has
    MAX_SIGNATORIES. Raises the template's version; certificates already issued keep theirs.
    Raises ValidationError by field ("name", "title", "signature") with nothing saved."""
    locked = _locked_template(template)
    existing = _ordered_signatories(locked)
    if len(existing) >= MAX_SIGNATORIES:
        raise ValidationError(
            _("A certificate has room for at most %(count)d signatories.")
            % {"count": MAX_SIGNATORIES},
            code="signatories_full",
        )
    signatory = Signatory(
        template=locked,
        position=len(existing) + 1,
        name=(name or "").strip(),
        title=(title or "").strip(),
    )
    if signature is not None:
        try:
            signatory.signature = _signature_upload(signature)
        except ValidationError as error:
            raise ValidationError({"signature": error.error_list}) from error
    signatory.full_clean()
    _renumber_signatories(existing)  # gaps left by earlier changes close
    signatory.save()
    _new_version(locked)
    template.version = locked.version
    return signatory


@transaction.atomic
def change_signatory(
    *,
    signatory: Signatory,
    name: str,
    title: str = "",
    signature: Any = None,
    remove_signature: bool = False,
) -> tuple[str, ...]:
    """Change a signatory's name and title, give it a new signature image (`signature`) or
    take its image away (`remove_signature`). Under a lock on its template; a change raises
    the template's version. Returns the names of the fields changed (none: nothing saved).

    A replaced or removed image's file stays: a language's template made from this one
    shares it (`ensure_template` copies signatories by file name)."""
    locked = _locked_template(signatory.template)
    current = Signatory.objects.get(pk=signatory.pk, template=locked)
    changed = []
    for field, value in (("name", (name or "").strip()), ("title", (title or "").strip())):
        if getattr(current, field) != value:
            setattr(current, field, value)
            changed.append(field)
    if signature is not None:
        try:
            current.signature = _signature_upload(signature)
        except ValidationError as error:
            raise ValidationError({"signature": error.error_list}) from error
        changed.append("signature")
    elif remove_signature and current.signature:
        current.signature = ""
        changed.append("signature")
    if not changed:
        return ()
    current.full_clean()
    current.save()
    _new_version(locked)
    return tuple(changed)


@transaction.atomic
def move_signatory(*, signatory: Signatory, direction: Literal["up", "down"]) -> bool:
    """Move a signatory one place left (up) or right (down) on the certificate; False when it
    is already first (last). Under a lock on its template; a move raises its version."""
    locked = _locked_template(signatory.template)
    ordered = _ordered_signatories(locked)
    index = next((i for i, item in enumerate(ordered) if item.pk == signatory.pk), None)
    if index is None:
        raise Signatory.DoesNotExist
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _renumber_signatories(ordered)
    _new_version(locked)
    return True


@transaction.atomic
def remove_signatory(*, signatory: Signatory) -> bool:
    """Remove a signatory from its template (the others close up); False when it was gone
    already. Under a lock on the template; raises its version. Certificates already issued
    keep the signatories they were issued with, and the image file stays (see
    `change_signatory`)."""
    locked = _locked_template(signatory.template)
    deleted, _rows = Signatory.objects.filter(pk=signatory.pk, template=locked).delete()
    if not deleted:
        return False  # removed already (in another tab): nothing changes
    _renumber_signatories(_ordered_signatories(locked))
    _new_version(locked)
    return True


def template_assets(
    template: CertificateTemplate | None, signatories: list[Signatory] | None = None
) -> tuple[list[rendering.Signatory], bytes | None]:
    """The template's signatories and logo as the renderer wants them (image bytes read).

    `signatories` may be given unsaved (the admin's preview); otherwise they are loaded.
    """
    if template is None:
        return [], None
    if signatories is None:
        signatories = list(template.signatories.all()) if template.pk else []
    return (
        [
            rendering.Signatory(
                name=signatory.name,
                title=signatory.title,
                signature=_read(signatory.signature),
            )
            for signatory in signatories
        ],
        _read(template.logo),
    )


def _read(image: Any) -> bytes | None:
    if not image:
        return None
    try:
        if getattr(image, "_file", None) is not None:  # an upload not saved yet (preview)
            image.file.seek(0)
            return bytes(image.file.read())
        with image.open("rb") as file:
            return bytes(file.read())
    except (OSError, ValueError):
        logger.warning("Certificate image %s cannot be read; leaving it out.", image.name)
        return None


def _issued_on_text(day: dt.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def _prepare(
    *,
    template: CertificateTemplate,
    recipient: Any,
    recipient_name: str,
    achievement: str,
    issuer: str,
    values: Mapping[str, str],
    issued_on: dt.date,
) -> Certificate:
    """An unsaved certificate with every shown value filled in from the template."""
    issuer = template.issuer or issuer
    shown = {
        **{key: str(value) for key, value in values.items()},
        "recipient_name": recipient_name,
        "achievement": achievement,
        "issuer": issuer,
        "issued_on": _issued_on_text(issued_on, template.language),
    }
    return Certificate(
        template=template if template.pk else None,
        template_version=template.version,
        recipient=recipient,
        recipient_name=recipient_name,
        title=fill_placeholders(template.title, shown),
        body=fill_placeholders(template.body, shown),
        achievement=achievement,
        issuer=issuer,
        issued_on=issued_on,
        language=template.language,
        details={"values": shown},
    )


def _render(
    certificate: Certificate,
    template: CertificateTemplate | None,
    assets: tuple[list[rendering.Signatory], bytes | None],
) -> bytes:
    adapter = get_adapter()
    signatories, logo = assets
    document = adapter.build_document(
        certificate=certificate, template=template, signatories=signatories, logo=logo
    )
    return adapter.render_pdf(document)


@transaction.atomic
def issue_certificate(
    *,
    template: CertificateTemplate,
    source_key: str,
    recipient: Any,
    recipient_name: str,
    achievement: str,
    issuer: str,
    values: Mapping[str, str] | None = None,
    issued_on: dt.date | None = None,
    notify: bool = True,
    assets: tuple[list[rendering.Signatory], bytes | None] | None = None,
    credential: tuple[IssuerDetails, AchievementDetails] | None = None,
) -> tuple[Certificate, bool]:
    """Issue the certificate for `source_key` once; returns (certificate, created).

    Idempotent and safe under concurrency: the source key is unique, so when two callers
    issue for the same achievement at once, the second insert fails inside a savepoint
    and the first caller's certificate is returned. The PDF is rendered and stored now,
    with its SHA-256. When `notify` is set and the recipient has an address, the PDF is
    e-mailed after the transaction commits (a Celery task). `assets` lets bulk callers
    pass the template's signatories and logo once (see `template_assets`). The certificate's
    signed Open Badges credential is issued with it; `credential` says by whom and for what
    when the caller knows (otherwise the adapter is asked).
    """
    existing = Certificate.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    certificate = _prepare(
        template=template,
        recipient=recipient,
        recipient_name=recipient_name,
        achievement=achievement,
        issuer=issuer,
        values=values or {},
        issued_on=issued_on or timezone.localdate(),
    )
    certificate.source_key = source_key
    assets = assets if assets is not None else template_assets(template)
    certificate.details["signatories"] = [
        {"name": signatory.name, "title": signatory.title} for signatory in assets[0]
    ]
    for _attempt in range(CODE_ATTEMPTS):
        certificate.code = new_code()
        # The file first, then the row: a row never points at a file that is not there.
        _store_pdf(certificate, _render(certificate, template, assets))
        # Uniqueness is left to the database: a check here could not stop a concurrent
        # insert anyway, and the IntegrityError below is how we learn of one.
        certificate.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:
            _discard_pdf(certificate.pdf.name)  # this attempt's file belongs to no row
            winner = Certificate.objects.filter(source_key=source_key).first()
            if winner is not None:
                return winner, False
            continue  # the code was taken: draw another
        break
    else:
        raise RuntimeError("Could not find a free verification code.")
    # The same achievement as a signed Open Badges 3.0 credential, in the same transaction:
    # a certificate never exists without the credential that lets it travel.
    issue_credential(
        certificate=certificate,
        issuer_details=credential[0] if credential else None,
        achievement_details=credential[1] if credential else None,
        certificate_is_new=True,
    )
    certificate_issued.send(sender=Certificate, certificate=certificate)
    if notify and recipient is not None and recipient.email:
        from . import tasks

        certificate_id = certificate.pk
        transaction.on_commit(lambda: tasks.send_certificate_email.delay(certificate_id))
    return certificate, True


@transaction.atomic
def revoke_certificate(*, certificate: Certificate, reason: str, revoked_by: Any) -> Certificate:
    """Revoke a certificate with a reason. It stays, and its verification page says revoked.

    Raises ValidationError without a reason or when it is already revoked. Sends
    `certificate_revoked` (the host app audits it).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for revoking the certificate."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.is_revoked:
        raise ValidationError(_("This certificate is already revoked."))
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = reason
    certificate.revoked_by = revoked_by if getattr(revoked_by, "pk", None) else None
    certificate.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
    certificate_revoked.send(
        sender=Certificate, certificate=certificate, revoked_by=revoked_by, reason=reason
    )
    return certificate


def pdf_version(*, certificate: Certificate, data: bytes) -> str | None:
    """Which of the certificate's PDFs `data` is exactly (same SHA-256): "current" (the
    one stored, or the one issued when the name was withheld and the file deleted),
    "earlier" (a PDF drawn before a name on it was replaced, see `replace_names`), or
    None when it is none of them."""
    digest = sha256_of(data)
    if digest == certificate.sha256:
        return "current"
    if digest in earlier_sha256(certificate):
        return "earlier"
    return None


def pdf_matches(*, certificate: Certificate, data: bytes) -> bool:
    """Whether `data` is exactly a PDF issued with this certificate's code (the current
    one or an earlier one, see `pdf_version`)."""
    return pdf_version(certificate=certificate, data=data) is not None


def earlier_sha256(certificate: Certificate) -> list[str]:
    """The fingerprints of the PDFs the certificate had before it was drawn again."""
    earlier = (certificate.details or {}).get(EARLIER_SHA256, [])
    return [str(digest) for digest in earlier] if isinstance(earlier, list) else []


# Where a certificate drawn again keeps the fingerprints of its earlier PDFs (in `details`).
EARLIER_SHA256 = "earlier_sha256"


def _name_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for `names`, longest first, whole words only (so
    "Ola Nordmann" is not found inside "Kari Ola Nordmannsen")."""
    spelled = sorted({name.strip() for name in names if name and name.strip()}, key=len)
    if not spelled:
        return None
    alternatives = "|".join(re.escape(name) for name in reversed(spelled))
    # A genitive s goes with the name ("Kari Nordmanns team" in Norwegian).
    return re.compile(rf"(?<![\w.@+-])(?:{alternatives})(?:s|'s|’s)?(?![\w@-])", re.IGNORECASE)


def _replaced(value: Any, pattern: re.Pattern[str], replacement: str) -> Any:
    """`value` (text, or JSON data: dicts, lists) with every match replaced, keys included."""
    if isinstance(value, str):
        return pattern.sub(lambda _match: replacement, value)
    if isinstance(value, list):
        return [_replaced(item, pattern, replacement) for item in value]
    if isinstance(value, dict):
        return {
            _replaced(key, pattern, replacement): _replaced(item, pattern, replacement)
            for key, item in value.items()
        }
    return value


def _replace_in_texts(
    certificate: Certificate, names: Sequence[str], replacement: str
) -> list[str]:
    """Replace `names` in the certificate's shown texts (in memory); the fields changed."""
    pattern = _name_pattern(names)
    if pattern is None:
        return []
    changed = []
    for field in ("recipient_name", "title", "body", "details"):
        before = getattr(certificate, field)
        after = _replaced(before, pattern, replacement)
        if after != before:
            setattr(certificate, field, after)
            changed.append(field)
    return changed


@transaction.atomic
def withhold_recipient_name(
    *, certificate: Certificate, replacement: str, names: Sequence[str] = ()
) -> Certificate:
    """Stop the certificate naming its recipient (they were anonymised, say).

    The recipient's name, as stored, and `names` (other spellings: an e-mail address) are
    replaced by `replacement` wherever the certificate shows them (recipient, heading,
    text, details); the stored PDF, which shows the name, is deleted. The code and the
    SHA-256 stay, so the certificate still answers on its verification page, and a copy
    of the PDF its holder kept is still recognised there. Revoking it, or not, is the
    caller's decision (`revoke_certificate`). Its signed credential, which names them, is
    emptied the same way. Doing it again changes nothing.
    """
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    fields = _replace_in_texts(certificate, [certificate.recipient_name, *names], replacement)
    if certificate.recipient_name != replacement:
        certificate.recipient_name = replacement
        fields.append("recipient_name")
    values = certificate.details.get("values") if isinstance(certificate.details, dict) else None
    if isinstance(values, dict) and values.get("recipient_name", replacement) != replacement:
        values["recipient_name"] = replacement
        fields.append("details")
    if certificate.name_withheld_at is None:
        certificate.name_withheld_at = timezone.now()
        fields.append("name_withheld_at")
    # An empty PDF rather than one without the name: the holder's copy is the certificate
    # (its SHA-256 is kept), and a second PDF under the same code would compete with it.
    _discard_pdf_after_commit(certificate.pdf.name)
    certificate.pdf = ""
    certificate.full_clean(validate_unique=False, validate_constraints=False)
    certificate.save(update_fields=sorted({*fields, "pdf"}))
    # Its signed credential names them too: emptied like the PDF. Its status bit and key
    # stay, so a copy the holder kept still verifies.
    Credential.objects.filter(certificate=certificate).update(signed="")
    return certificate


@transaction.atomic
def replace_names(*, certificate: Certificate, names: Sequence[str], replacement: str) -> bool:
    """Replace `names` (whole words, any case) wherever the certificate shows them by
    `replacement`, and draw its PDF again from its stored values: a unit's certificate
    that lists a team member who was anonymised, say. Returns whether anything changed.

    The earlier PDF's SHA-256 is kept in `details["earlier_sha256"]`, so copies of it
    still verify by upload (`pdf_version` answers "earlier"). The code stays. A
    certificate whose name is withheld has no PDF to draw again: its texts change only.
    """
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    fields = _replace_in_texts(certificate, names, replacement)
    if not fields:
        return False
    if certificate.name_withheld_at is None:
        details = dict(certificate.details or {})
        details[EARLIER_SHA256] = [*earlier_sha256(certificate), certificate.sha256]
        certificate.details = details
        earlier = certificate.pdf.name
        _store_pdf(
            certificate, _render(certificate, certificate.template, _stored_assets(certificate))
        )
        if certificate.pdf.name != earlier:
            _discard_pdf_after_commit(earlier)
        fields += ["details", "pdf", "sha256"]
    certificate.full_clean(validate_unique=False, validate_constraints=False)
    certificate.save(update_fields=sorted(set(fields)))
    return True


def _stored_assets(
    certificate: Certificate,
) -> tuple[list[rendering.Signatory], bytes | None]:
    """The signatories as the certificate stored them at issue (names and titles), with
    the signature images their template still has for those names, and its logo."""
    template = certificate.template
    current, logo = template_assets(template)
    images = {signatory.name: signatory.signature for signatory in current}
    stored = (certificate.details or {}).get("signatories")
    if not isinstance(stored, list):
        return current, logo
    return (
        [
            rendering.Signatory(
                name=str(item.get("name", "")),
                title=str(item.get("title", "")),
                signature=images.get(str(item.get("name", ""))),
            )
            for item in stored
            if isinstance(item, dict)
        ],
        logo,
    )


def preview_pdf(
    *, template: CertificateTemplate, signatories: list[Signatory] | None = None
) -> bytes:
    """The template (possibly unsaved) rendered with made-up values, for the admin."""
    sample = _prepare(
        template=template,
        recipient=None,
        recipient_name="Kari Nordmann",
        achievement=_("Example programme"),
        issuer=_("Example municipality"),
        values={
            "unit_name": "Eksempel skole",
            "team": "Kari Nordmann, Ola Nordmann, Åse Ødegård",
            "programme": _("Example programme"),
            "cohort": "Kull 1",
        },
        issued_on=timezone.localdate(),
    )
    sample.code = "PREV1EW0"  # not a real code: nothing is stored
    return _render(sample, template, template_assets(template, signatories))


def send_certificate_email(*, certificate: Certificate) -> bool:
    """E-mail the certificate's PDF to its recipient, in the recipient's language (the
    adapter's `recipient_language`), by default the certificate's."""
    recipient = certificate.recipient
    if recipient is None or not recipient.email or certificate.is_revoked:
        return False
    if certificate.name_withheld_at is not None:
        return False  # its PDF is deleted, and its recipient anonymised
    adapter = get_adapter()
    context = {
        "certificate": certificate,
        "verification_url": adapter.verification_url(certificate.code),
        "site_url": app_settings.SITE_URL(),
    }
    with translation.override(adapter.recipient_language(recipient) or certificate.language):
        subject = render_to_string("certificates/email/certificate_subject.txt", context)
        body = render_to_string("certificates/email/certificate_message.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=app_settings.FROM_EMAIL(),
        to=[recipient.email],
    )
    filename = f"{slugify(certificate.title) or 'certificate'}-{certificate.code}.pdf"
    message.attach(filename, certificate.pdf_bytes(), "application/pdf")
    message.send()
    return True


@dataclass(frozen=True)
class PdfAudit:
    """What `audit_pdf_files` found: stored files no certificate points to (left by a
    transaction rolled back after the file was written), and certificates whose file is
    missing from storage."""

    orphaned: list[str]
    missing: list[str]
    deleted: int


def audit_pdf_files(*, delete_orphans_older_than: dt.timedelta | None = None) -> PdfAudit:
    """Compare the PDF storage with the certificate rows.

    Orphans are only deleted when older than `delete_orphans_older_than`, so a certificate
    being issued right now (its file written, its row not yet committed) keeps its file.
    Lists the storage once and reads the rows' names in one query.
    """
    storage = pdf_storage()
    referenced = set(Certificate.objects.exclude(pdf="").values_list("pdf", flat=True))
    try:
        folders = storage.listdir("")[0]
    except FileNotFoundError:  # a local folder not made yet: nothing issued here
        folders = []
    stored = [f"{folder}/{name}" for folder in folders for name in storage.listdir(folder)[1]]
    orphaned = sorted(set(stored) - referenced)
    missing = sorted(referenced - set(stored))
    deleted = 0
    if delete_orphans_older_than is not None:
        cutoff = timezone.now() - delete_orphans_older_than
        for name in orphaned:
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                deleted += 1
    return PdfAudit(orphaned=orphaned, missing=missing, deleted=deleted)
