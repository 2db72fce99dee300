"""factory_boy factories for the programme backbone."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from lup.models import (
    Cohort,
    Organisation,
    Participant,
    Programme,
    Sector,
    ServiceUnit,
    UnitEnrolment,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"person{n}@example.no")
    username = factory.SelfAttribute("email")
    first_name = "Kari"
    last_name = "Nordmann"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Kommune {n}")
    slug = factory.Sequence(lambda n: f"kommune-{n}")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Sektor {n}")


class ServiceUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceUnit

    organisation = factory.SubFactory(OrganisationFactory)
    sector = factory.SubFactory(SectorFactory, organisation=factory.SelfAttribute("..organisation"))
    code = factory.Sequence(lambda n: f"{1000 + n}")
    name = factory.Sequence(lambda n: f"Enhet {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.SubFactory(OrganisationFactory)
    name = "Lederutviklingsprogram for innovasjon og ledelse"
    short_name = "LUP"
    slug = factory.Sequence(lambda n: f"lup-{n}")
    starts_on = dt.date(2025, 1, 1)
    deadline = dt.date(2026, 12, 31)
    target_units = 10


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"LUP {n}")
    starts_on = dt.date(2025, 8, 1)
    ends_on = dt.date(2026, 1, 31)


class UnitEnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitEnrolment

    cohort = factory.SubFactory(CohortFactory)
    unit = factory.SubFactory(
        ServiceUnitFactory, organisation=factory.SelfAttribute("..cohort.programme.organisation")
    )


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    enrolment = factory.SubFactory(UnitEnrolmentFactory)
    user = factory.SubFactory(UserFactory)
    role = Participant.Role.ENTHUSIAST


# Innovation projects (lup.innovation). Imported here, not at the top, so that additions by
# different people stay appended blocks.
from decimal import Decimal  # noqa: E402

from lup.innovation.models import (  # noqa: E402
    Benefit,
    BenefitMeasurement,
    CanvasVersion,
    InnovationProject,
    ProjectPhase,
)


class ProjectPhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPhase
        django_get_or_create = ("programme", "key")

    programme = factory.SubFactory(ProgrammeFactory)
    key = factory.Sequence(lambda n: f"fase-{n}")
    name = factory.Sequence(lambda n: f"Fase {n}")
    position = factory.Sequence(lambda n: n + 1)


class InnovationProjectFactory(factory.django.DjangoModelFactory):
    """A unit team's own project (draft, unpublished)."""

    class Meta:
        model = InnovationProject

    enrolment = factory.SubFactory(UnitEnrolmentFactory)
    organisation = factory.SelfAttribute("enrolment.cohort.programme.organisation")
    title = factory.Sequence(lambda n: f"Prosjekt {n}")
    need = "Beboerne sover dårlig når nattevakten går runder og åpner døra."
    audience = "Beboere og nattevakter"
    idea = "Digitalt tilsyn med sensorer i stedet for fysiske runder."
    story = "Vi prøvde sensorer på fire rom i tre måneder."


class PublishedProjectFactory(InnovationProjectFactory):
    """A project its manager has shared in the catalogue."""

    licence = "CC-BY-4.0"
    consent_at = factory.LazyFunction(lambda: dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC))
    published_at = factory.SelfAttribute("consent_at")


class BenefitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benefit

    project = factory.SubFactory(InnovationProjectFactory)
    type = "time"
    description = "Færre unødvendige runder om natten"
    indicator = "Timer brukt på runder per år"
    unit_of_measure = "hours_year"
    baseline_value = Decimal("1200")
    baseline_on = dt.date(2025, 9, 1)
    target_value = Decimal("600")
    owner = "Enhetsleder"


class BenefitMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitMeasurement

    benefit = factory.SubFactory(BenefitFactory)
    measured_on = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    value = Decimal("900")


class CanvasVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CanvasVersion

    project = factory.SubFactory(InnovationProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    content = factory.LazyFunction(lambda: {"purpose": "Bedre søvn", "goals": "Halvere rundene"})


# Learning records and sign-in rows, for the own-data export's tests (tests/privacy).
from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.socialaccount.models import SocialAccount  # noqa: E402

from courses.models import (  # noqa: E402
    ActivityCompletion,
    H5PAttempt,
    H5PContentUserData,
    XAPIStatement,
)
from lup.models import OrganisationMembership  # noqa: E402


class ActivityCompletionFactory(factory.django.DjangoModelFactory):
    """A completion row as `courses.services.record_completion` would store it (no signal)."""

    class Meta:
        model = ActivityCompletion

    activity = factory.SubFactory("tests.courses.factories.ActivityFactory")
    user = factory.SubFactory(UserFactory)
    source = ActivityCompletion.Source.MARKED_DONE


class XAPIStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = XAPIStatement

    user = factory.SubFactory(UserFactory)
    activity = factory.SubFactory("tests.courses.factories.ActivityFactory", kind="h5p")
    verb = "http://adlnet.gov/expapi/verbs/answered"
    score_raw = 3.0
    score_max = 4.0
    score_scaled = 0.75
    raw = factory.LazyAttribute(
        lambda statement: {
            "verb": {"id": statement.verb},
            "result": {"score": {"raw": 3, "max": 4, "scaled": 0.75}},
        }
    )


class H5PContentUserDataFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = H5PContentUserData

    user = factory.SubFactory(UserFactory)
    activity = factory.SubFactory("tests.courses.factories.ActivityFactory", kind="h5p")
    data_type = "state"
    data = '{"progress": 2}'


class H5PAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = H5PAttempt

    user = factory.SubFactory(UserFactory)
    activity = factory.SubFactory("tests.courses.factories.ActivityFactory", kind="h5p")
    statements = 1
    best_score_raw = 3.0
    best_score_max = 4.0
    best_score_scaled = 0.75


class EmailAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailAddress

    user = factory.SubFactory(UserFactory)
    email = factory.SelfAttribute("user.email")
    verified = True
    primary = True


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    user = factory.SubFactory(UserFactory)
    provider = "idporten"
    uid = factory.Sequence(lambda n: f"pairwise-{n}")


class AuthenticatorFactory(factory.django.DjangoModelFactory):
    """A TOTP authenticator; its secret is what allauth keeps in `data`."""

    class Meta:
        model = Authenticator

    user = factory.SubFactory(UserFactory)
    type = Authenticator.Type.TOTP
    data = factory.LazyFunction(lambda: {"secret": "JBSWY3DPEHPK3PXPJBSWY3DP"})


class OrganisationMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMembership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
