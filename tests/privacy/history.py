"""A unit manager with a history in every part of the register, for the own-data tests.

`build_history` makes a person who has done (or had done to them) something in every
model the register lists: a team that completed (certificates issued through
lup.certification), submissions with files, activity completions, attendance, H5P state,
attempts and xAPI statements, project work, administrative work, sign-in methods, an API
token they created, audit events. Other people's rows stand next to theirs, so an export
that leaks or misses a row shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailConfirmation
from allauth.socialaccount.models import SocialToken
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certificates.models import Certificate
from courses import services as course_services
from courses.models import Activity, Assignment, H5PLibrary, H5PPackage, Submission
from lup import certification, services
from lup.api.tokens import create_api_token
from lup.audit import record_event
from lup.innovation.models import (
    BenefitUpdate,
    JuryScore,
    Nomination,
    PhaseChange,
    PrizeCategory,
    ProjectReuse,
    ProjectReview,
)
from lup.models import (
    AuditEvent,
    CertificateReview,
    CompletionCheck,
    Gathering,
    Participant,
    PersonProfile,
)
from lup.privacy.models import PersonalDataExport, RetentionPeriod
from lup.reporting.models import ExportPreset, ScheduledExport
from tests.factories import (
    ActivityCompletionFactory,
    AuthenticatorFactory,
    BenefitFactory,
    BenefitMeasurementFactory,
    CanvasVersionFactory,
    CohortFactory,
    EmailAddressFactory,
    H5PAttemptFactory,
    H5PContentUserDataFactory,
    InnovationProjectFactory,
    OrganisationMembershipFactory,
    ProjectPhaseFactory,
    ServiceUnitFactory,
    SocialAccountFactory,
    UserFactory,
    XAPIStatementFactory,
)
from tests.lup.curriculum import build_curriculum

PASSWORD = "a-long-password-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"
CONFIRMATION_KEY = "confirmation-key-that-must-stay-secret"
SOCIAL_TOKEN = "social-access-token-that-must-stay-secret"


@dataclass
class History:
    person: Any
    facilitator: Any
    teammate: Any
    stranger: Any
    setup: Any
    files: dict[int, bytes] = field(default_factory=dict)  # submission pk: its file's bytes
    api_token_secret: str = ""
    certificates: list[Certificate] = field(default_factory=list)


def pdf_bytes(label: str, size: int = 0) -> bytes:
    """A file the submission check takes as a PDF, `size` bytes long at least."""
    body = f"%PDF-1.4\n% {label}\n".encode()
    return body + b"x" * max(0, size - len(body))


def build_history(
    *,
    submissions: int = 3,
    completions: int = 13,
    statements: int = 5,
    file_size: int = 0,
    name: str = "leder",
    authenticator: bool = True,
) -> History:
    """A unit manager (the person) with rows in every register entry; see the module."""
    # Accounts made first, so a person's id and their participation's id differ: a lookup
    # that mixes the two up finds the wrong rows.
    UserFactory.create_batch(3)
    setup = build_curriculum(team_size=1)
    person, teammate = setup.manager, setup.enthusiasts[0]
    person.email = person.username = f"{name}@solbakken.example.no"
    person.first_name, person.last_name = "Liv", "Leder"
    person.set_password(PASSWORD)
    person.save()
    facilitator = UserFactory.create(email=f"fasilitator-for-{name}@example.no")
    stranger = UserFactory.create(email=f"fremmed-for-{name}@example.no")
    setup.cohort.facilitators.add(facilitator)
    history = History(person, facilitator, teammate, stranger, setup)
    organisation = setup.cohort.programme.organisation
    programme = setup.cohort.programme

    # The team completes: a team submission (text), pages, attendance; then certificates.
    team_answer = course_services.submit_assignment(
        user=person, assignment=setup.assignment, text="Brukerreisen vår"
    )
    course_services.review_submission(submission=team_answer, reviewer=facilitator, approve=True)
    for member in (person, teammate):
        course_services.mark_done(user=member, activity=setup.page)
        services.record_attendance(
            gathering=setup.gathering,
            participant=setup.enrolment.participants.get(user=member),
            recorded_by=facilitator,
            method="facilitator",
        )
    participant = setup.enrolment.participants.get(user=person)
    for issued in (
        certification.issue_participant_certificate(participant=participant, notify=False),
        certification.issue_unit_certificate(enrolment=setup.enrolment, notify=False),
    ):
        assert issued is not None, "the team should have completed"
        history.certificates.append(issued)
    # The teammate's own certificate: not the person's (it must stay out of their export).
    certification.issue_participant_certificate(
        participant=setup.enrolment.participants.get(user=teammate), notify=False
    )

    # Individual assignments with files.
    module = setup.page.module
    for number in range(submissions):
        activity = Activity.objects.create(
            module=module, position=100 + number, title=f"Refleksjon {number}", kind="assignment"
        )
        assignment = Assignment.objects.create(activity=activity, instructions="Skriv.")
        content = pdf_bytes(f"refleksjon {number}", file_size)
        submission = course_services.submit_assignment(
            user=person,
            assignment=assignment,
            upload=SimpleUploadedFile(f"refleksjon-{number}.pdf", content, "application/pdf"),
        )
        history.files[submission.pk] = content
    # A submission the person reviewed: the teammate's, with the teammate's file.
    reviewed_activity = Activity.objects.create(
        module=module, position=300, title="Teammate's own", kind="assignment"
    )
    reviewed = course_services.submit_assignment(
        user=teammate,
        assignment=Assignment.objects.create(activity=reviewed_activity, instructions="Skriv."),
        upload=SimpleUploadedFile("teammate.pdf", pdf_bytes("teammate"), "application/pdf"),
    )
    Submission.objects.filter(pk=reviewed.pk).update(
        reviewed_by=person, reviewed_at=timezone.now(), feedback="Bra!"
    )

    # Learning records.
    for number in range(completions):
        page = Activity.objects.create(
            module=module, position=400 + number, title=f"Side {number}", kind="page"
        )
        ActivityCompletionFactory.create(user=person, activity=page)
    ActivityCompletionFactory.create(user=stranger, activity=setup.optional)
    h5p = Activity.objects.create(module=module, position=600, title="Quiz", kind="h5p")
    H5PContentUserDataFactory.create(user=person, activity=h5p)
    H5PAttemptFactory.create(user=person, activity=h5p)
    H5PAttemptFactory.create(user=teammate, activity=h5p)
    XAPIStatementFactory.create_batch(statements, user=person, activity=h5p)
    XAPIStatementFactory.create(user=teammate, activity=h5p)
    # Attendance the person recorded for someone else (another gathering).
    later = Gathering.objects.create(
        cohort=setup.cohort,
        kind=Gathering.Kind.OPENING,
        title="Oppstart",
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=30) + dt.timedelta(hours=3),
    )
    later.attendances.create(
        participant=setup.enrolment.participants.get(user=teammate),
        method="facilitator",
        recorded_by=person,
    )

    # The innovation project and prize work.
    # A member of the project (through their participation); the teammate consented.
    project = InnovationProjectFactory.create(enrolment=setup.enrolment, consent_by=teammate)
    project.members.add(participant)
    # A project they consented to share, without being a member.
    InnovationProjectFactory.create(consent_by=person)
    InnovationProjectFactory.create()  # another unit's project
    CanvasVersionFactory.create(project=project, saved_by=person)
    CanvasVersionFactory.create(project=project, saved_by=teammate)
    BenefitMeasurementFactory.create(benefit__project=project, recorded_by=person)
    phase = ProjectPhaseFactory.create(programme=programme)
    PhaseChange.objects.create(
        project=project, phase=phase, entered_on=dt.date(2026, 9, 1), changed_by=person
    )
    # A benefit they are the named owner of, and its update at the end of a phase.
    owned = BenefitFactory.create(project=project, owner_person=person)
    BenefitUpdate.objects.create(
        benefit=owned,
        phase=phase,
        value=900,
        measured_on=dt.date(2026, 9, 1),
        status="on_track",
        recorded_by=person,
    )
    ProjectReview.objects.create(
        project=project, point="plan", decision="comment", comment="Fint", reviewer=person
    )
    category = PrizeCategory.objects.create(programme=programme, key="arets", name="Årets")
    nomination = Nomination.objects.create(
        category=category, project=project, year=2026, reason="God", nominated_by=person
    )
    JuryScore.objects.create(nomination=nomination, juror=person, score=4)
    ProjectReuse.objects.create(
        source=InnovationProjectFactory.create(),
        unit=ServiceUnitFactory.create(organisation=organisation),
        marked_by=person,
    )

    # Roles and administrative work.
    OrganisationMembershipFactory.create(organisation=organisation, user=person)
    facilitated = CohortFactory.create(programme=programme)
    facilitated.facilitators.add(person)
    CohortFactory.create(programme=programme, closed_at=timezone.now(), closed_by=person)
    _token, history.api_token_secret = create_api_token(
        name="Intranett",
        organisation=organisation,
        scope="read",
        expires_at=timezone.now() + dt.timedelta(days=30),
        created_by=person,
    )
    ExportPreset.objects.create(
        organisation=organisation, key="mine", name="Mine", created_by=person
    )
    ScheduledExport.objects.create(
        organisation=organisation,
        name="Hver uke",
        preset_key="mine",
        frequency="weekly",
        delivery="email",
        recipients="hr@example.no",
        next_run_on=dt.date(2026, 12, 7),
        created_by=person,
    )
    CompletionCheck.objects.create(programme=programme, reason="requested", requested_by=person)
    # Intake: a call they opened, their unit's application to it, the sector they lead.
    from lup.intake.models import Application, Call

    call = Call.objects.create(
        cohort=CohortFactory.create(programme=programme),
        capacity=3,
        deadline=dt.date(2026, 12, 1),
        opened_by=person,
    )
    Application.objects.create(
        call=call,
        unit=setup.enrolment.unit,
        kind=Application.Kind.APPLIED,
        applied_by=person,
        manager_email=person.email,
        motivation="Kortere ventetid",
    )
    setup.enrolment.unit.sector.leaders.add(person)
    CertificateReview.objects.create(
        certificate=history.certificates[0],
        programme=programme,
        reason="Testing",
        decision="kept",
        decided_at=timezone.now(),
        decided_by=person,
    )
    RetentionPeriod.objects.create(
        organisation=organisation, category="uploaded_files", months=12, updated_by=person
    )
    library = H5PLibrary.objects.create(
        machine_name=f"H5P.Quiz{name.capitalize()}",
        major_version=1,
        minor_version=0,
        patch_version=0,
        title="Quiz",
        files_path="libraries/H5P.Quiz-1.0",
        installed_by=person,
    )
    H5PPackage.objects.create(
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        title="Quiz",
        main_library=library,
        original_path="packages/quiz.h5p",
        content_path="content/quiz",
        size=10,
        uploaded_by=person,
    )
    LogEntry.objects.create(
        user=person,
        content_type=ContentType.objects.get_for_model(Participant),
        object_id=str(participant.pk),
        object_repr=str(participant),
        action_flag=ADDITION,
    )

    # Signing in.
    PersonProfile.objects.create(user=person, language="nb", language_source="site")
    from lup.calendar.services import make_calendar_feed

    make_calendar_feed(user=person)
    from lup.notifications.models import Notification

    Notification.objects.create(
        recipient=person,
        kind=Notification.Kind.GATHERING_PLANNED,
        key="gathering-1@lup.test:0:REQUEST",
        context={"title": "Åpning"},
    )
    from lup.barometer.services import answer_round, open_round

    barometer_round = open_round(
        enrolment=setup.enrolment, moment="start", today=setup.cohort.starts_on
    )
    answer_round(
        round=barometer_round,
        user=person,
        version=1,
        answers={"introduced": "no", "spread": "no"},
        today=setup.cohort.starts_on,
    )
    from lup.notifications.models import Announcement, NotificationPreference

    NotificationPreference.objects.create(
        user=person, kind=Notification.Kind.ANSWER_APPROVED, delivery="daily"
    )
    Announcement.objects.create(
        programme=programme,
        audience=Announcement.Audience.PROGRAMME,
        subject="Velkommen",
        body=f"Hilsen {person.get_full_name()}",
        author=person,
    )
    address = EmailAddressFactory.create(user=person)
    EmailAddressFactory.create(user=teammate)
    EmailConfirmation.objects.create(email_address=address, key=f"{CONFIRMATION_KEY}-{name}")
    account = SocialAccountFactory.create(user=person)
    SocialToken.objects.create(account=account, token=SOCIAL_TOKEN)
    if authenticator:  # a browser journey signs in with the password alone
        AuthenticatorFactory.create(user=person, data={"secret": TOTP_SECRET})
    record_event(action=AuditEvent.Action.LOGIN, subject=person, actor=person)
    record_event(action=AuditEvent.Action.ROLE_CHANGED, subject=teammate, actor=person)
    record_event(action=AuditEvent.Action.LOGIN, subject=stranger, actor=stranger)
    PersonalDataExport.objects.create(
        user=person,
        status=PersonalDataExport.Status.FAILED,
        finished_at=timezone.now() - dt.timedelta(days=1),
    )
    return history
