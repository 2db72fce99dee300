"""Who takes part: organisations, their service areas (sectors) and service units, and the
people who work for an organisation's programme office or HR."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def normalise_email_domain(domain: str) -> str:
    """A domain as compared: trimmed, without a leading "@" or trailing dot, lower case, and
    in its ASCII (IDNA) form, so "Bærum.Kommune.no" and "xn--brum-roa.kommune.no" match."""
    domain = domain.strip().lstrip("@").rstrip(".").lower()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain  # not a valid domain: it will match no address (and fails validation)


def split_domains(text: str) -> list[str]:
    """The domains of a text field: one per line (commas and spaces also separate them)."""
    return text.replace(",", " ").split()


def validate_export_email_domains(text: str) -> None:
    """Every line must be a domain name (no addresses, no wildcards, no URLs)."""
    validator = DomainNameValidator()
    wrong = []
    for domain in split_domains(text):
        try:
            validator(domain.lstrip("@").rstrip("."))
        except ValidationError:
            wrong.append(domain)
    if wrong:
        raise ValidationError(
            _(
                "Not domain names: %(domains)s. Give one domain per line, such as "
                "baerum.kommune.no."
            ),
            params={"domains": ", ".join(wrong)},
            code="invalid_domain",
        )


class Organisation(models.Model):
    """A municipality (or another public body). Units of other organisations join as guests."""

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", _("An organisation number has nine digits."))],
        help_text=_("Nine digits from the Central Coordinating Register (Enhetsregisteret)."),
    )
    export_email_domains = models.TextField(
        _("e-mail domains for scheduled exports"),
        blank=True,
        validators=[validate_export_email_domains],
        help_text=_(
            "Scheduled exports contain personal data: they may be e-mailed only to addresses "
            "in these domains, one per line (for example baerum.kommune.no; subdomains must be "
            "listed too). Leave empty to allow no e-mail delivery."
        ),
    )

    # What the privacy statement and the records of processing activities say about the
    # organisation as data controller (lup.privacy), and its policy for the certificates
    # of a person it anonymises.
    data_protection_officer = models.CharField(
        _("data protection officer"),
        max_length=200,
        blank=True,
        help_text=_("Name or role of the data protection officer (personvernombud)."),
    )
    data_protection_email = models.EmailField(
        _("data protection officer's e-mail address"),
        blank=True,
        help_text=_("Shown in the privacy statement, for questions and requests."),
    )
    legal_basis = models.TextField(
        _("legal basis"),
        blank=True,
        help_text=_(
            "The legal basis for processing participants' data, as the privacy statement "
            "gives it. Leave empty for the default: GDPR article 6(1)(e), the municipality's "
            "task as employer to develop its managers and services."
        ),
    )

    class AnonymisedCertificates(models.TextChoices):
        REVOKE = "revoke", _("Revoke them (the public page says revoked, without the name)")
        WITHHOLD_NAME = "withhold_name", _("Keep them valid, with the name withheld")

    anonymised_certificates = models.CharField(
        _("certificates of anonymised people"),
        max_length=20,
        choices=AnonymisedCertificates.choices,
        default=AnonymisedCertificates.REVOKE,
        help_text=_("What happens to a person's certificates when they are anonymised."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def export_email_domain_set(self) -> frozenset[str]:
        """The configured domains, normalised (empty: scheduled exports may not be e-mailed)."""
        return frozenset(
            normalise_email_domain(domain) for domain in split_domains(self.export_email_domains)
        )


class Sector(models.Model):
    """A service area (tjenesteområde) of an organisation: school, kindergarten, care..."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="sectors",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=120)
    # The sector's leaders (kommunalsjef) nominate its units to a programme's calls
    # (lup.intake). People of the organisation only (lup.intake.services checks it).
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="lup_led_sectors",
        verbose_name=_("sector leaders"),
    )

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="lup_sector_unique_name_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceUnitQuerySet(models.QuerySet["ServiceUnit"]):
    """Service units, with the filter for those still in service (`active`)."""

    def active(self) -> ServiceUnitQuerySet:
        return self.filter(active=True)


class ServiceUnit(models.Model):
    """A service unit (tjenestested): a school, a kindergarten, a care home. The enrolled entity."""

    public_id = models.UUIDField(
        _("public identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation")
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="units", verbose_name=_("sector")
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        help_text=_("The organisation's own identifier, such as the ansvarssted number."),
    )
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive units are left out of the population.")
    )

    objects = ServiceUnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service unit")
        verbose_name_plural = _("service units")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"], name="lup_serviceunit_unique_code_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OrganisationMembership(models.Model):
    """A person who works for an organisation's programme office or HR.

    Their groups say what they may do (administer, or read reports); this record says
    where: the programmes of this organisation, with every unit enrolled in them.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lup_memberships",
        verbose_name=_("user"),
    )

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="lup_membership_once_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"
