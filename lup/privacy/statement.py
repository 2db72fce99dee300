"""The privacy statement of one organisation, written from the register of personal data,
the organisation's settings (controller, data protection officer, legal basis, retention
periods, certificate policy) and the installation's configuration (the services data goes
to): what it says is what the code does, and `tests/privacy/test_statement.py` checks each
claim against the code.

Texts are translated when the statement is built, in the active language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import app_settings
from ..models import Organisation
from .categories import Category
from .periods import audit_retention_days, periods_for
from .recipients import Recipient, configured_recipients
from .register import LAST_COHORT_END, OTHER_PEOPLE, PersonalData, entries

DATATILSYNET_URL = "https://www.datatilsynet.no/"


@dataclass(frozen=True)
class Controller:
    """The organisation responsible for the processing (behandlingsansvarlig)."""

    name: str
    organisation_number: str


@dataclass(frozen=True)
class Officer:
    """The data protection officer's contact, as the organisation gave it (may be blank)."""

    name: str
    email: str

    @property
    def given(self) -> bool:
        return bool(self.name or self.email)


@dataclass(frozen=True)
class DataItem:
    """One register entry: what is kept and why, and what happens to it when you leave."""

    model: str
    purpose: str
    when_you_leave: str


@dataclass(frozen=True)
class RetentionRule:
    """How long one kind of data is kept. `text` speaks to the person; `record_text` is the
    same rule for the records of processing activities. `months` or `days` is the period
    where there is one (None: kept while the account is)."""

    key: str
    text: str
    record_text: str
    months: int | None = None
    days: int | None = None


@dataclass(frozen=True)
class CategorySection:
    """A category of personal data with its register entries and how long it is kept."""

    category: Category
    label: str
    items: tuple[DataItem, ...]
    retention: tuple[RetentionRule, ...]


@dataclass(frozen=True)
class Right:
    """One of the person's rights, with the page or address to use it."""

    key: str
    title: str
    text: str
    link: str = ""
    link_text: str = ""


@dataclass(frozen=True)
class Statement:
    """Everything the privacy statement page shows for one organisation."""

    organisation: Organisation
    controller: Controller
    officer: Officer
    legal_basis: str
    legal_basis_is_default: bool
    categories: tuple[CategorySection, ...]
    other_people: tuple[str, ...]
    certificate_policy: str
    recipients: tuple[Recipient, ...]
    who_sees: str
    no_identity_number: str
    rights: tuple[Right, ...]


def default_legal_basis() -> str:
    """The legal basis an organisation that wrote none of its own processes under."""
    return _(
        "The processing is necessary for a task carried out in the public interest (GDPR "
        "article 6(1)(e)): the organisation's duty as employer to develop its managers and "
        "its services."
    )


# Where a retained category's period starts, by the register's `retention_from`.
def _period_starts() -> dict[str, str]:
    return {
        LAST_COHORT_END: _("the end of the participant's last cohort"),
        "gathering__cohort__ends_on": _("the end of the cohort"),
        "received_at": _("they were received"),
        "submitted_at": _("they were handed in"),
    }


def period_start(retention_from: str) -> str:
    """The words for when a period runs from (a register entry's `retention_from`)."""
    return _period_starts().get(retention_from, _("they were recorded"))


def known_period_starts() -> frozenset[str]:
    """The `retention_from` values the statement has words for (a test holds the register
    to them)."""
    return frozenset(_period_starts())


def _months_rule(key: str, months: int, retention_from: str) -> RetentionRule:
    text = ngettext(
        "Deleted %(months)s month after %(start)s.",
        "Deleted %(months)s months after %(start)s.",
        months,
    ) % {"months": months, "start": period_start(retention_from)}
    return RetentionRule(key=key, text=text, record_text=text, months=months)


def _account_rule() -> RetentionRule:
    return RetentionRule(
        key="account",
        text=_(
            "Kept as long as you have an account. When you leave, an administrator anonymises you."
        ),
        record_text=_(
            "Kept while the person has an account; when they leave, an administrator "
            "anonymises them."
        ),
    )


def _audit_rule() -> RetentionRule:
    days = audit_retention_days()
    text = ngettext("Deleted after %(days)s day.", "Deleted after %(days)s days.", days) % {
        "days": days
    }
    return RetentionRule(key="audit", text=text, record_text=text, days=days)


def _exports_rule() -> RetentionRule:
    days = app_settings.PERSONAL_EXPORT_DAYS()
    text = ngettext(
        "Deleted %(days)s day after it is ready.",
        "Deleted %(days)s days after it is ready.",
        days,
    ) % {"days": days}
    return RetentionRule(key="data_exports", text=text, record_text=text, days=days)


def _notifications_rule() -> RetentionRule:
    days = app_settings.NOTIFICATION_RETENTION_DAYS()
    text = ngettext(
        "Notifications are deleted %(days)s day after they were made; announcements and "
        "your choices are kept while you have an account.",
        "Notifications are deleted %(days)s days after they were made; announcements and "
        "your choices are kept while you have an account.",
        days,
    ) % {"days": days}
    return RetentionRule(key="notifications", text=text, record_text=text, days=days)


def retention_rules(
    category: Category, items: Iterable[PersonalData], periods: dict[str, int]
) -> tuple[RetentionRule, ...]:
    """How long a category's entries are kept: each retained category's period (the
    organisation's own, from `periods`), the audit log's and the archives' fixed periods,
    and "while you have an account" for the rest."""
    if category == Category.AUDIT:
        return (_audit_rule(),)
    if category == Category.DATA_EXPORTS:
        return (_exports_rule(),)
    if category == Category.NOTIFICATIONS:
        return (_notifications_rule(),)
    rules: dict[str, RetentionRule] = {}
    for entry in items:
        if entry.retention is None:
            rules.setdefault("account", _account_rule())
            continue
        key = f"{entry.retention.value}:{entry.retention_from}"
        if key not in rules:
            rules[key] = _months_rule(
                entry.retention.value, periods[entry.retention.value], entry.retention_from
            )
    return tuple(rules.values())


def category_sections(periods: dict[str, int]) -> tuple[CategorySection, ...]:
    """The register's installed entries grouped by category, in the categories' order."""
    grouped: dict[Category, list[PersonalData]] = {}
    for entry in entries():
        grouped.setdefault(entry.category, []).append(entry)
    sections = []
    for category in Category:
        items = grouped.get(category)
        if not items:
            continue
        sections.append(
            CategorySection(
                category=category,
                label=str(category.label),
                items=tuple(
                    DataItem(
                        model=entry.model,
                        purpose=str(entry.purpose),
                        when_you_leave=str(entry.on_anonymise.label),
                    )
                    for entry in items
                ),
                retention=retention_rules(category, items, periods),
            )
        )
    return tuple(sections)


def certificate_policy(organisation: Organisation) -> str:
    """What happens to a person's certificates when they are anonymised, as the
    organisation chose."""
    if organisation.anonymised_certificates == Organisation.AnonymisedCertificates.WITHHOLD_NAME:
        return _(
            "When you are anonymised, your certificates stay valid: anyone with a "
            "certificate's code can still check it, but the verification page withholds "
            "your name."
        )
    return _(
        "When you are anonymised, your certificates are revoked: the verification page says "
        "a certificate is revoked, without your name."
    )


def who_sees() -> str:
    """Who inside the platform sees a person's data (lup.scoping decides it)."""
    return _(
        "You see your own data, and your team sees your name in its shared work (team "
        "assignments and the innovation project). Your unit's manager and the facilitators "
        "of your cohort see your team, and the organisation's programme administrators and "
        "HR see their own organisation's participants. Other organisations' staff see "
        "nothing about you unless your unit takes part in one of their cohorts."
    )


def no_identity_number() -> str:
    """The promise that no national identity number is kept (lup.sso strips it)."""
    return _(
        "The platform never stores your national identity number (fødselsnummer). When a "
        "sign-in service sends it, it is removed before anything is saved."
    )


def rights() -> tuple[Right, ...]:
    """The person's rights under the GDPR, with where to use them."""
    contact = _("Contact the programme administrators or the data protection officer.")
    return (
        Right(
            key="access",
            title=_("See and download your data"),
            text=_(
                "You can see everything the platform stores about you, and download it "
                "(GDPR articles 15 and 20)."
            ),
            link=reverse("lup:my-data"),
            link_text=_("Your data"),
        ),
        Right(
            key="rectification",
            title=_("Have wrong data corrected"),
            text=_("You can ask for data about you that is wrong to be corrected (article 16).")
            + " "
            + contact,
        ),
        Right(
            key="erasure",
            title=_("Have your data erased"),
            text=_(
                "You can ask for your data to be erased (article 17). When you leave, an "
                "administrator anonymises you as described above."
            )
            + " "
            + contact,
        ),
        Right(
            key="restriction",
            title=_("Restrict the processing"),
            text=_(
                "You can ask for the processing to be restricted, for example while a "
                "correction is checked (article 18)."
            )
            + " "
            + contact,
        ),
        Right(
            key="objection",
            title=_("Object"),
            text=_(
                "You can object to the processing on grounds relating to your particular "
                "situation (article 21)."
            )
            + " "
            + contact,
        ),
        Right(
            key="complaint",
            title=_("Complain to the Norwegian Data Protection Authority"),
            text=_(
                "If you think your data is processed unlawfully, you can complain to "
                "Datatilsynet (article 77)."
            ),
            link=DATATILSYNET_URL,
            link_text="Datatilsynet",
        ),
    )


def other_people() -> tuple[str, ...]:
    """Personal data about people without an account here (signatories), when installed."""
    installed = {config.label for config in apps.get_app_configs()}
    return tuple(
        str(purpose) for label, purpose in OTHER_PEOPLE.items() if label.split(".")[0] in installed
    )


def privacy_statement(organisation: Organisation) -> Statement:
    """The privacy statement of `organisation`, in the active language: two queries (its
    retention periods and the sign-in services configured in the admin)."""
    custom_basis = organisation.legal_basis.strip()
    return Statement(
        organisation=organisation,
        controller=Controller(
            name=organisation.name, organisation_number=organisation.organisation_number
        ),
        officer=Officer(
            name=organisation.data_protection_officer.strip(),
            email=organisation.data_protection_email.strip(),
        ),
        legal_basis=custom_basis or default_legal_basis(),
        legal_basis_is_default=not custom_basis,
        categories=category_sections(periods_for(organisation)),
        other_people=other_people(),
        certificate_policy=certificate_policy(organisation),
        recipients=tuple(configured_recipients()),
        who_sees=who_sees(),
        no_identity_number=no_identity_number(),
        rights=rights(),
    )
