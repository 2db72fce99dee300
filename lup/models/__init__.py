"""The programme backbone: who takes part (units and people), in what, and when they completed.

The enrolled entity is the service unit (tjenestested). A unit joins a cohort of a
programme with its manager and a few enthusiasts; the programme measures how many
units in its population have completed against its target.

One module per domain: `organisations` (organisations, sectors, units, memberships),
`programmes` (programmes, cohorts, the completion rule), `enrolments` (a unit's enrolment
and its team), `gatherings` (gatherings and attendance), `people` (a person's settings:
their language) and `audit` (the audit log).
Django finds a model when its module is imported, so every model is imported here, and
everything imports the models from `lup.models`.
"""

from .audit import AuditEvent
from .completion_checks import CertificateReview, CompletionCheck
from .course_ownership import CourseOwnership
from .enrolments import PLACE_GIVEN_UP, Participant, UnitEnrolment
from .gatherings import Attendance, Gathering
from .gatherings import _new_check_in_code as _new_check_in_code  # migration 0004 refers to it
from .organisations import Organisation, OrganisationMembership, Sector, ServiceUnit
from .people import PersonProfile
from .programmes import Cohort, CohortPhase, CompletionRule, Programme

# The models of the features (`lup.innovation.models`, `lup.reporting.models`) belong to
# the `lup` app too, but this core package does not import them: LupConfig.import_models()
# loads them after this one. Everything imports them from their own packages.
__all__ = [
    "PLACE_GIVEN_UP",
    "Attendance",
    "AuditEvent",
    "CertificateReview",
    "Cohort",
    "CohortPhase",
    "CompletionCheck",
    "CompletionRule",
    "CourseOwnership",
    "Gathering",
    "Organisation",
    "OrganisationMembership",
    "Participant",
    "PersonProfile",
    "Programme",
    "Sector",
    "ServiceUnit",
    "UnitEnrolment",
]
