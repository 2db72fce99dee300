"""The register of personal data: every model of every installed app that holds data about
a person, what it is, how it is exported, anonymised and deleted.

It is the single source the privacy feature works from: the own-data export
(`export.personal_data_of`) walks it, anonymisation (`anonymise`) applies each entry's rule,
retention (`retention`) deletes by it, and the privacy statement and the records of
processing activities (`statement`) are written from it. `tests/privacy/test_register.py`
walks every installed model with a relation to the user model (or to a row that is about
one person, or a field that may hold a person's name or address) and fails when one is
neither here nor in `NOT_PERSONAL` with a reason: nothing new can slip past.

Models are named by label, so the register reads courses', certificates' and allauth's
models without importing them; an entry whose app is not installed is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .categories import Category, RetainedCategory


class OnAnonymise(models.TextChoices):
    """What anonymising a person does to an entry's rows."""

    ERASE = "erase", _("deleted")
    # The rows stay for the programme's figures and the team's work; they name the person
    # only through the link to the account, which anonymisation renames to the pseudonym.
    KEEP = "keep", _("kept, showing only the pseudonym")
    # The rows stay, and every copy of the person's name or address in their text
    # (`redact_text`) is replaced by the pseudonym.
    REDACT = "redact", _("kept, with the name and address replaced by the pseudonym")


# `retention_from` when a learning record has no date of its own that the period runs from:
# the end of the person's last cohort (a person's course records span their participation).
LAST_COHORT_END = "__last_cohort_end__"


@dataclass(frozen=True)
class PersonalData:
    """One model's personal data.

    `person` lists the lookups from the model to the person (the user model), as used in
    `Model.objects.filter(<lookup>=person)`; "pk" for the user model itself. `secret`
    fields are never exported (password hashes, TOTP secrets, tokens). `files` are file
    or binary fields whose content goes into the export archive as files. `redact_text`
    are text or JSON fields that may quote a person's name or address (in any row, not
    only the person's own): anonymisation replaces the quotes. `retention` names the
    category whose period deletes the rows (`retention_from` is the date it runs from);
    None means the rows live as long as the account (until anonymised).
    """

    model: str
    person: tuple[str, ...]
    category: Category
    purpose: Promise
    on_anonymise: OnAnonymise
    secret: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    # The `person` lookups through which a row's files are the person's own (their archive
    # holds them); a row reached only through another lookup (a submission they reviewed, a
    # certificate they revoked) is listed without its file. Empty: every lookup.
    files_of: tuple[str, ...] = ()
    redact_text: tuple[str, ...] = ()
    retention: RetainedCategory | None = None
    retention_from: str = ""
    # The row is about one person, so rows that point at it are personal data too (the
    # register test follows such relations: an attendance points at a participation).
    about_one_person: bool = False

    @property
    def app_label(self) -> str:
        return self.model.split(".", 1)[0]

    @property
    def installed(self) -> bool:
        return _label_installed(self.app_label)

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def rows_of(self, person: Any) -> models.QuerySet[Any]:
        """Every row of this model that is about `person` (one query when evaluated)."""
        condition = Q()
        for lookup in self.person:
            condition |= Q(**{lookup: person.pk})
        return self.model_class()._default_manager.filter(condition).distinct()


def _label_installed(app_label: str) -> bool:
    return any(config.label == app_label for config in apps.get_app_configs())


P = PersonalData
C = Category
A = OnAnonymise
R = RetainedCategory

REGISTER: tuple[PersonalData, ...] = (
    # The account and how the person signs in.
    P(
        "auth.User",
        ("pk",),
        C.ACCOUNT,
        _("Your name and work e-mail address, to sign you in and show your team who you are."),
        A.REDACT,
        secret=("password",),
        about_one_person=True,
    ),
    P(
        "lup.PersonProfile",
        ("user",),
        C.LANGUAGE,
        _("The language you chose, so e-mails and certificates reach you in it."),
        A.ERASE,
    ),
    # What people are told (lup.notifications): deleted after LUP_NOTIFICATION_RETENTION_DAYS.
    P(
        "lup.Notification",
        ("recipient",),
        C.NOTIFICATIONS,
        _(
            "What you were told (gatherings, answers, reminders, announcements), whether you "
            "read it and when it was e-mailed to you, so each thing is told once."
        ),
        A.ERASE,
        # An announcement's notifications quote its author's name for its readers.
        redact_text=("context",),
    ),
    P(
        "lup.NotificationPreference",
        ("user",),
        C.NOTIFICATIONS,
        _("How you chose to get each kind of notification by e-mail."),
        A.ERASE,
    ),
    P(
        "lup.Announcement",
        ("author",),
        C.NOTIFICATIONS,
        _(
            "Announcements you wrote to a cohort, a team or a programme, kept as its history "
            "for those you wrote to."
        ),
        A.KEEP,
        redact_text=("subject", "body"),
    ),
    # The innovation barometer (lup.barometer): the answers are about the unit; only who
    # gave them on the unit's behalf is about a person.
    P(
        "lup.BarometerResponse",
        ("answered_by",),
        C.PARTICIPATION,
        _(
            "That you answered your unit's innovation barometer, and when, so the team "
            "knows who gave the unit's answers."
        ),
        A.KEEP,
    ),
    P(
        "lup.CalendarFeed",
        ("user",),
        C.SIGN_IN,
        _(
            "That you made a calendar address, when, and when a calendar last read it (the "
            "address itself is kept only as a fingerprint), so your calendar shows your "
            "gatherings."
        ),
        A.ERASE,
        secret=("secret_hash",),
    ),
    P(
        "account.EmailAddress",
        ("user",),
        C.ACCOUNT,
        _("Your e-mail addresses and whether they are verified, to sign you in."),
        A.ERASE,
        about_one_person=True,
    ),
    P(
        "account.EmailConfirmation",
        ("email_address__user",),
        C.SIGN_IN,
        _("Links sent to confirm an e-mail address."),
        A.ERASE,
        secret=("key",),
    ),
    P(
        "socialaccount.SocialAccount",
        ("user",),
        C.SIGN_IN,
        _(
            "Which single sign-on service you use and its identifier for you (never your "
            "national identity number), to sign you in."
        ),
        A.ERASE,
        about_one_person=True,
    ),
    P(
        "socialaccount.SocialToken",
        ("account__user",),
        C.SIGN_IN,
        _("Access tokens from a single sign-on service."),
        A.ERASE,
        secret=("token", "token_secret"),
    ),
    P(
        "mfa.Authenticator",
        ("user",),
        C.SIGN_IN,
        _("Your two-factor devices and recovery codes, to sign you in safely."),
        A.ERASE,
        secret=("data",),
    ),
    # Roles.
    P(
        "lup.OrganisationMembership",
        ("user",),
        C.ROLES,
        _("Your role in an organisation's programme office or HR, to give you access."),
        A.ERASE,
    ),
    P(
        "lup.ApiToken",
        ("user", "created_by"),
        C.ROLES,
        _("API tokens for systems acting for you, or that you created."),
        A.KEEP,
        secret=("secret_hash",),
    ),
    P(
        "lup.Cohort",
        ("facilitators", "closed_by"),
        C.ROLES,
        _("The cohorts you facilitate or closed."),
        A.KEEP,
    ),
    # Taking part.
    P(
        "lup.Participant",
        ("user",),
        C.PARTICIPATION,
        _(
            "Your service unit, cohort, role (manager or enthusiast), status and when you "
            "completed, to run the programme and report completion."
        ),
        A.KEEP,
        about_one_person=True,
    ),
    P(
        "lup.Attendance",
        ("participant__user", "recorded_by"),
        C.ATTENDANCE,
        _("Which gatherings you attended, and how it was recorded."),
        A.KEEP,
        retention=R.LEARNING_RECORDS,
        retention_from="gathering__cohort__ends_on",
    ),
    P(
        "courses.Enrolment",
        ("user",),
        C.LEARNING_RECORDS,
        _("The courses you are enrolled in."),
        A.KEEP,
        retention=R.LEARNING_RECORDS,
        retention_from=LAST_COHORT_END,
    ),
    P(
        "courses.ActivityCompletion",
        ("user",),
        C.LEARNING_RECORDS,
        _("Which learning activities you completed, and when."),
        A.KEEP,
        retention=R.LEARNING_RECORDS,
        retention_from=LAST_COHORT_END,
    ),
    P(
        "courses.H5PContentUserData",
        ("user",),
        C.LEARNING_RECORDS,
        _("Your saved answers in interactive (H5P) activities, so you can continue later."),
        A.ERASE,
        retention=R.LEARNING_RECORDS,
        retention_from=LAST_COHORT_END,
    ),
    P(
        "courses.H5PAttempt",
        ("user",),
        C.LEARNING_RECORDS,
        _("Your best score in each interactive (H5P) activity."),
        A.KEEP,
        retention=R.LEARNING_RECORDS,
        retention_from=LAST_COHORT_END,
    ),
    P(
        "courses.XAPIStatement",
        ("user",),
        C.XAPI_STATEMENTS,
        _(
            "What you did in interactive activities (xAPI statements), under a pseudonym, "
            "to record scores and completion."
        ),
        A.KEEP,
        retention=R.XAPI_STATEMENTS,
        retention_from="received_at",
    ),
    P(
        "courses.Submission",
        ("submitted_by", "members", "reviewed_by"),
        C.UPLOADED_FILES,
        _("What you or your team handed in, with files, and the feedback on it."),
        A.KEEP,
        files=("file",),
        files_of=("submitted_by", "members"),
        retention=R.UPLOADED_FILES,
        retention_from="submitted_at",
    ),
    P(
        "certificates.Certificate",
        ("recipient", "revoked_by"),
        C.CERTIFICATES,
        _("Your certificates, and the unit certificates of your team, so anyone can verify them."),
        A.REDACT,
        files=("pdf",),
        files_of=("recipient",),
        redact_text=("recipient_name", "title", "body", "details"),
    ),
    # The certificate as a signed credential: withholding the name (anonymising) empties the
    # signed copy, which names them (certificates.api.withhold_recipient_name).
    P(
        "certificates.Credential",
        ("certificate__recipient",),
        C.CERTIFICATES,
        _(
            "Your certificates as signed digital credentials (Open Badges), so anyone can "
            "verify them anywhere."
        ),
        A.KEEP,
    ),
    # The innovation project: the team's work keeps its content.
    P(
        "lup.InnovationProject",
        ("members__user", "consent_by"),
        C.PROJECT_WORK,
        _("The innovation projects you are a member of, and your consent to share them."),
        A.KEEP,
    ),
    P("lup.CanvasVersion", ("saved_by",), C.PROJECT_WORK, _("Canvas versions you saved."), A.KEEP),
    P("lup.PhaseChange", ("changed_by",), C.PROJECT_WORK, _("Phase changes you made."), A.KEEP),
    P(
        "lup.BenefitMeasurement",
        ("recorded_by",),
        C.PROJECT_WORK,
        _("Benefit measurements you recorded."),
        A.KEEP,
    ),
    P(
        "lup.Benefit",
        ("owner_person",),
        C.PROJECT_WORK,
        _("Project benefits you are named owner of."),
        A.KEEP,
    ),
    P(
        "lup.BenefitUpdate",
        ("recorded_by",),
        C.PROJECT_WORK,
        _("Benefit updates you recorded at the end of a project phase."),
        A.KEEP,
    ),
    P(
        "lup.ProjectReview",
        ("reviewer",),
        C.PROJECT_WORK,
        _("Reviews you gave of projects."),
        A.KEEP,
    ),
    P(
        "lup.Nomination",
        ("nominated_by",),
        C.PROJECT_WORK,
        _("Nominations you made for the innovation prize."),
        A.KEEP,
    ),
    P("lup.JuryScore", ("juror",), C.PROJECT_WORK, _("Your scores as a juror."), A.KEEP),
    P(
        "lup.ProjectReuse",
        ("marked_by",),
        C.PROJECT_WORK,
        _("Reuse of other units' solutions that you recorded."),
        A.KEEP,
    ),
    # Administrative work: who did what, kept with the pseudonym.
    P(
        "lup.ExportPreset",
        ("created_by",),
        C.ADMINISTRATION,
        _("Report presets you created."),
        A.KEEP,
    ),
    # Intake: the calls the office opened, and the applications and nominations sent or
    # decided, with the work e-mails of the team proposed (redacted when one of them is
    # anonymised).
    P(
        "lup.Call",
        ("opened_by",),
        C.ADMINISTRATION,
        _("Calls for applications you opened."),
        A.KEEP,
    ),
    P(
        "lup.Application",
        ("applied_by", "decided_by"),
        C.PARTICIPATION,
        _(
            "Applications and nominations you sent or decided, with the team they proposed, "
            "so the programme office can choose the units of a cohort."
        ),
        A.REDACT,
        redact_text=("manager_email", "enthusiast_emails", "motivation", "decision_note"),
    ),
    P(
        "lup.Sector",
        ("leaders",),
        C.ROLES,
        _("The sectors you lead, so you may nominate their units."),
        A.KEEP,
    ),
    P(
        "lup.ScheduledExport",
        ("created_by",),
        C.ADMINISTRATION,
        _("Scheduled reports you created, and the addresses they go to."),
        A.REDACT,
        redact_text=("recipients",),
    ),
    P(
        "lup.CompletionCheck",
        ("requested_by",),
        C.ADMINISTRATION,
        _("Completion checks you started."),
        A.KEEP,
        redact_text=("findings",),
    ),
    P(
        "lup.CertificateReview",
        ("decided_by",),
        C.ADMINISTRATION,
        _("Certificate reviews you decided."),
        A.KEEP,
    ),
    P(
        "lup.RetentionPeriod",
        ("updated_by",),
        C.ADMINISTRATION,
        _("Retention periods you set."),
        A.KEEP,
    ),
    P(
        "courses.H5PLibrary",
        ("installed_by",),
        C.ADMINISTRATION,
        _("Interactive content libraries you installed."),
        A.KEEP,
    ),
    P(
        "courses.H5PPackage",
        ("uploaded_by",),
        C.ADMINISTRATION,
        _("Interactive content you uploaded."),
        A.KEEP,
    ),
    P(
        "admin.LogEntry",
        ("user",),
        C.ADMINISTRATION,
        _("Changes you made in the administration pages."),
        A.REDACT,
        redact_text=("object_repr", "change_message"),
    ),
    # Security.
    P(
        "lup.AuditEvent",
        ("actor", "subject"),
        C.AUDIT,
        _(
            "Sign-ins, failed sign-ins, role changes and exports of personal data, with time "
            "and IP address, to detect and investigate misuse."
        ),
        A.REDACT,
        redact_text=("actor_label", "subject_label", "details"),
    ),
    P(
        "lup.PersonalDataExport",
        ("user",),
        C.DATA_EXPORTS,
        _("The archives of your own data you asked for, until they expire."),
        A.ERASE,
    ),
)

# Models that a name- or address-like field or a relation would flag, with why they are
# not personal data about the platform's users (the register test reads this).
NOT_PERSONAL: dict[str, str] = {
    "auth.Permission": "names of permissions",
    "auth.Group": "names of roles",
    "contenttypes.ContentType": "names of models",
    "socialaccount.SocialApp": "names of sign-in services",
    "certificates.CertificateTemplate": "names of certificate templates",
    "certificates.Issuer": "an issuing organisation's name and published contact address",
    "certificates.Achievement": "what a credential is for, the same for everyone: no person",
    "lup.Organisation": (
        "an organisation's name, number, e-mail domains and its data protection officer's "
        "role address (the controller's own published contact)"
    ),
    "lup.ServiceUnit": "names of service units",
    "lup.Programme": "names of programmes",
    "lup.ProjectPhase": "names of project phases",
    "lup.CanvasField": "labels of canvas fields",
    "lup.PrizeCategory": "names of prize categories",
    "lup.UnitEnrolment": "a unit's enrolment: it names the unit, not a person",
    "lup.Gathering": "a cohort's gatherings",
}

# Personal data about people without an account here: shown, never exported to a user.
OTHER_PEOPLE: dict[str, Promise] = {
    "certificates.Signatory": _(
        "The names and titles of the people who sign certificates, chosen by administrators."
    ),
}


def entries() -> Iterator[PersonalData]:
    """The register's entries for the installed apps."""
    for entry in REGISTER:
        if _label_installed(entry.app_label):
            yield entry


def entry_for(label: str) -> PersonalData | None:
    """The entry of the model `label` ("app_label.ModelName"), if registered."""
    label = label.lower()
    return next((entry for entry in REGISTER if entry.model.lower() == label), None)
