"""Certificate templates and issued certificates.

A template is the editable design (title, body with placeholders, signatories, logo,
colours). An issued certificate is immutable: it keeps every shown value, the PDF and
its SHA-256 as they were at issue; revoking it is a state, never a deletion.
"""

from __future__ import annotations

import logging
import secrets
import string
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .storage import pdf_name, pdf_storage

logger = logging.getLogger(__name__)

# Placeholders a template's title and body may use, written like {recipient_name}
# (str.format style, without format specs). The issuing app fills in those it knows;
# unknown ones are rejected when the template is saved.
PLACEHOLDERS: dict[str, Any] = {
    "recipient_name": _("the recipient's name"),
    "achievement": _("what was achieved (for example the programme)"),
    "issuer": _("who issues the certificate"),
    "issued_on": _("the date of issue"),
    "unit_name": _("the service unit"),
    "team": _("the team's members"),
    "programme": _("the programme"),
    "cohort": _("the cohort"),
}

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper cannot be
# mistaken; what people type for them anyway is mapped back (O -> 0, I and L -> 1).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_CODE_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})

colour_validator = RegexValidator(
    r"^#[0-9A-Fa-f]{6}$", _("Write the colour as # and six hexadecimal digits, e.g. #1E2B3C.")
)


def placeholders_in(text: str) -> list[str]:
    """The placeholder names used in `text`; raises ValidationError for a malformed one.

    Only plain names are allowed: no attribute or index access ("{a.b}", "{a[0]}"),
    conversions or format specs, so filling a template can never reach into objects.
    """
    names = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise ValidationError(
            _("Braces must come in pairs around a placeholder, e.g. {recipient_name}: %(error)s")
            % {"error": error}
        ) from error
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValidationError(
                _("“{%(name)s}” is not a placeholder. Use a plain name such as {recipient_name}.")
                % {
                    "name": name
                    + (f"!{conversion}" if conversion else "")
                    + (f":{spec}" if spec else "")
                }
            )
        names.append(name)
    return names


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """`text` with each {name} replaced by values[name] (missing ones become "")."""
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(text):
        parts.append(literal)
        if name is not None:
            parts.append(str(values.get(name, "")))
    return "".join(parts)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """A code as typed or read aloud, as stored: upper case, no dashes or spaces, and
    the letters people mistake for digits turned into those digits."""
    cleaned = "".join(char for char in text.upper() if char not in " -_.\t")
    return cleaned.translate(_CODE_TYPOS)


def format_code(code: str) -> str:
    """XXXX-XXXX, as printed and shown."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


class CertificateTemplate(models.Model):
    """How certificates of one kind look. The issuing app finds it by `key`."""

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape")
        PORTRAIT = "portrait", _("Portrait")

    key = models.SlugField(
        _("key"),
        max_length=80,
        unique=True,
        help_text=_("How the issuing app finds this template, e.g. “lup-participant”."),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("For administrators."))
    title = models.CharField(_("heading"), max_length=200, help_text=_("For example “Kursbevis”."))
    body = models.TextField(
        _("text"),
        help_text=_(
            "May use placeholders in braces: {recipient_name}, {achievement}, {issuer}, "
            "{issued_on}, {unit_name}, {team}, {programme}, {cohort}."
        ),
    )
    issuer = models.CharField(
        _("issuer"),
        max_length=200,
        blank=True,
        help_text=_("Printed as the issuer; leave empty to use the one the issuing app gives."),
    )
    logo = models.ImageField(_("logo"), upload_to="certificates/logos/", blank=True)
    primary_colour = models.CharField(
        _("main colour"), max_length=7, default="#1E2B3C", validators=[colour_validator]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#0062BA", validators=[colour_validator]
    )
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        default="nb",
        # No choices here: they would come from the host's LANGUAGES into the migration.
        help_text=_("The certificate's language: its labels, dates and e-mail."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Raised at every change.")
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        for field in ("title", "body"):
            try:
                names = placeholders_in(getattr(self, field) or "")
            except ValidationError as error:
                errors.setdefault(field, []).append(error)
                continue
            unknown = sorted(set(names) - PLACEHOLDERS.keys())
            if unknown:
                errors.setdefault(field, []).append(
                    ValidationError(
                        _("Unknown placeholder: %(names)s. Allowed: %(allowed)s.")
                        % {
                            "names": ", ".join(f"{{{name}}}" for name in unknown),
                            "allowed": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                        }
                    )
                )
        if errors:
            raise ValidationError(errors)


class Signatory(models.Model):
    """Someone who signs a template's certificates, with an optional signature image."""

    template = models.ForeignKey(
        CertificateTemplate,
        on_delete=models.CASCADE,
        related_name="signatories",
        verbose_name=_("template"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    signature = models.ImageField(
        _("signature image"), upload_to="certificates/signatures/", blank=True
    )

    class Meta:
        ordering = ["template", "position", "pk"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return self.name


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def valid(self) -> CertificateQuerySet:
        return self.filter(revoked_at__isnull=True)


class CertificateManager(models.Manager["Certificate"]):
    def get_queryset(self) -> CertificateQuerySet:
        return CertificateQuerySet(self.model, using=self._db)

    def valid(self) -> CertificateQuerySet:
        return self.get_queryset().valid()


class Certificate(models.Model):
    """An issued certificate: what it showed, its PDF and fingerprint, and whether it holds.

    Every shown field is a copy taken at issue, so the certificate reads the same after
    the template, the person or the programme changes. The PDF is a file in
    `certificates.storage` (object storage in production), named by the certificate's
    public id and the PDF's SHA-256; the row keeps that SHA-256, which is what verification
    compares. The services write the file before the row and remove it again when the row
    is not written (`certificates.services`), so a certificate never points at a missing
    file; what an outer rollback leaves behind, `manage.py certificate_files --sweep` finds.
    """

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    code = models.CharField(
        _("verification code"),
        max_length=CODE_LENGTH,
        unique=True,
        default=new_code,
        editable=False,
    )
    source_key = models.CharField(
        _("source"),
        max_length=200,
        unique=True,
        help_text=_("What it was issued for, as the issuing app names it; issued once."),
    )
    template = models.ForeignKey(
        CertificateTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("template"),
    )
    template_version = models.PositiveIntegerField(_("template version"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates_received",
        verbose_name=_("recipient"),
    )
    recipient_name = models.CharField(_("recipient's name"), max_length=300)
    title = models.CharField(_("heading"), max_length=300)
    body = models.TextField(_("text"))
    achievement = models.CharField(_("achievement"), max_length=300)
    issuer = models.CharField(_("issuer"), max_length=200)
    issued_on = models.DateField(_("date of issue"))
    language = models.CharField(_("language"), max_length=10, default="nb")
    details = models.JSONField(
        _("shown details"),
        default=dict,
        blank=True,
        help_text=_("Every other value shown, as at issue (unit, team, signatories...)."),
    )
    pdf = models.FileField(
        _("PDF"),
        storage=pdf_storage,
        upload_to=pdf_name,
        max_length=200,
        blank=True,
        editable=False,
    )
    # Indexed: the public verification page finds a certificate by the PDF uploaded to it.
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, editable=False, db_index=True)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revoking"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    # Set when the recipient's name is withheld (they were anonymised): the certificate
    # keeps its code and fingerprint, so it stays answerable, but no longer names them.
    name_withheld_at = models.DateTimeField(_("name withheld"), null=True, blank=True)

    objects = CertificateManager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        permissions = [("revoke_certificate", _("Can revoke a certificate"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="certificates_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_code} {self.recipient_name}"

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def pdf_bytes(self) -> bytes:
        """The stored PDF, or b"" when there is none (the name is withheld) or its storage
        has lost it (logged: a file that should be there and is not)."""
        if not self.pdf.name:
            return b""
        try:
            with self.pdf.storage.open(self.pdf.name, "rb") as stored:
                return stored.read()
        except FileNotFoundError:
            logger.error(
                "Certificate %s: its PDF %s is missing from storage", self.pk, self.pdf.name
            )
            return b""


# Open Badges 3.0 credentials ------------------------------------------------------------------
#
# Each certificate is also issued as a signed OpenBadgeCredential (certificates.credentials):
# by an Issuer (one per organisation, with a public profile and keys), for an Achievement
# (a reusable definition: the same for everyone who completes the same thing), signed with
# the issuer's SigningKey and revocable through the issuer's status list.


class Issuer(models.Model):
    """Who issues credentials: an organisation with a public Open Badges profile and its
    own signing keys. Its address (under CERTIFICATES_SITE_URL) is its identifier in
    every credential it signs, so the slug never changes once credentials exist."""

    slug = models.SlugField(_("key"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("home page"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("credential issuer")
        verbose_name_plural = _("credential issuers")

    def __str__(self) -> str:
        return self.name


class SigningKeyQuerySet(models.QuerySet["SigningKey"]):
    def published(self) -> SigningKeyQuerySet:
        """Keys a verifier may check signatures with: the active one and retired ones
        (credentials they signed stay valid), not withdrawn ones."""
        return self.filter(withdrawn_at__isnull=True)

    def active(self) -> SigningKeyQuerySet:
        return self.filter(retired_at__isnull=True, withdrawn_at__isnull=True)


class SigningKey(models.Model):
    """One of an issuer's key pairs (ES256). The private key is stored encrypted with
    CERTIFICATES_KEY_ENCRYPTION_KEYS, never in plain text; the public key is published.

    An issuer signs with its one active key. Rotating retires it (its credentials still
    verify: retired keys stay published); withdrawing a key (it leaked) unpublishes it, so
    everything it signed fails verification.
    """

    issuer = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="signing_keys", verbose_name=_("issuer")
    )
    kid = models.CharField(_("key identifier"), max_length=64, unique=True, editable=False)
    algorithm = models.CharField(_("algorithm"), max_length=16, default="ES256", editable=False)
    public_jwk = models.JSONField(_("public key (JWK)"), editable=False)
    encrypted_private_key = models.BinaryField(_("private key, encrypted"), editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = SigningKeyQuerySet.as_manager()

    class Meta:
        ordering = ["issuer", "-created_at", "-pk"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer"],
                condition=Q(retired_at__isnull=True),
                name="certificates_one_active_key_per_issuer",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(retired_at__isnull=False),
                name="certificates_withdrawn_key_is_retired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.kid}"


class Achievement(models.Model):
    """What a credential says was achieved, defined once and shared by everyone who
    achieves it (an Open Badges `Achievement`): its name, description and criteria, never
    anything about one person. Published at its own address."""

    issuer = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="achievements", verbose_name=_("issuer")
    )
    key = models.SlugField(_("key"), max_length=120)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"))
    criteria = models.TextField(_("criteria"))
    achievement_type = models.CharField(
        _("type"),
        max_length=40,
        default="Certificate",
        help_text=_("An Open Badges achievement type, e.g. Certificate or Award."),
    )
    language = models.CharField(_("language"), max_length=10, default="nb")
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["issuer", "name"]
        verbose_name = _("Open Badges achievement")
        verbose_name_plural = _("Open Badges achievements")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "key"], name="certificates_achievement_key_per_issuer"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Credential(models.Model):
    """A certificate as a signed OpenBadgeCredential (VC-JWT), issued once.

    `status_index` is its bit in the issuer's status list (W3C Bitstring Status List):
    drawn at random, so a list's neighbours say nothing about each other. The signed form
    is kept as issued; when the recipient's name is withheld it is emptied (it names them),
    while everything needed to verify a copy the holder kept stays.
    """

    certificate = models.OneToOneField(
        Certificate,
        on_delete=models.CASCADE,
        related_name="credential",
        verbose_name=_("certificate"),
    )
    issuer = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="credentials", verbose_name=_("issuer")
    )
    achievement = models.ForeignKey(
        Achievement,
        on_delete=models.PROTECT,
        related_name="credentials",
        verbose_name=_("achievement"),
    )
    signing_key = models.ForeignKey(
        SigningKey,
        on_delete=models.PROTECT,
        related_name="credentials",
        verbose_name=_("signing key"),
    )
    status_index = models.PositiveIntegerField(_("status list index"))
    identity_salt = models.CharField(_("identity salt"), max_length=64, editable=False)
    signed = models.TextField(_("signed credential (VC-JWT)"), blank=True, editable=False)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "status_index"], name="certificates_one_credential_per_status_bit"
            )
        ]

    def __str__(self) -> str:
        return str(self.certificate_id)
