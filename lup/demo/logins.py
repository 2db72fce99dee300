"""The demo logins README.md lists: one person per role, with the published demo password.

The administrator and HR need two-factor authentication for their roles; they share a
published authenticator secret (`DEMO_TOTP_SECRET`, demo data only), and
`manage.py demo_totp` prints the current code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ..models import OrganisationMembership, Participant, Programme
from ..roles import ADMINISTRATORS_GROUP, FACILITATORS_GROUP, HR_GROUP

DEMO_PASSWORD = "lup-demo-2026"  # noqa: S105  (documented demo logins, demo data only)
# The demo administrator's and HR's authenticator secret, published in README.md (demo only).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPLUPDEMOLUPDEMO22"  # noqa: S105

ADMINISTRATOR = "admin@baerum.kommune.no"
HR = "hr@baerum.kommune.no"
FACILITATOR = "fasilitator@baerum.kommune.no"
MANAGER = "leder@baerum.kommune.no"
ENTHUSIAST = "ildsjel@baerum.kommune.no"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    first_name: str = ""
    last_name: str = ""


DEMO_LOGINS = [
    DemoLogin(ADMINISTRATOR, "programme administrator", "Astrid", "Admin"),
    DemoLogin(HR, "HR", "Hanne", "Rød"),
    DemoLogin(FACILITATOR, "facilitator of the running cohort", "Frida", "Fasilitator"),
    DemoLogin(MANAGER, "unit manager in the running cohort", "Leif", "Leder"),
    DemoLogin(ENTHUSIAST, "enthusiast in the running cohort", "Ida", "Ildsjel"),
]
TWO_FACTOR_LOGINS = (ADMINISTRATOR, HR)  # their roles require two-factor authentication


def seed_demo_logins(*, groups: dict[str, Group], password_hash: str, today: dt.date) -> None:
    """The people named in README.md, with the demo password, in the first organisation:
    the administrator and HR with their groups, memberships and authenticator; the
    facilitator of the running cohort; its first team's manager and an enthusiast."""
    user_model = get_user_model()
    programme = Programme.objects.get(slug="lup")
    running = programme.cohorts.filter(starts_on__lte=today).order_by("-starts_on").first()
    people = {}
    for login in DEMO_LOGINS:
        user, _ = user_model.objects.get_or_create(
            email=login.email,
            defaults={
                "username": login.email,
                "first_name": login.first_name,
                "last_name": login.last_name,
            },
        )
        user.password = password_hash
        user.save(update_fields=["password"])
        people[login.email] = user
        _verify_email(user)
    # Not staff: the administrator runs the programme in the product's own pages; the
    # Django admin is for the installation's superusers (`manage.py createsuperuser`).
    administrator = people[ADMINISTRATOR]
    administrator.groups.add(groups[ADMINISTRATORS_GROUP])
    people[HR].groups.add(groups[HR_GROUP])
    for email in TWO_FACTOR_LOGINS:
        OrganisationMembership.objects.get_or_create(
            organisation=programme.organisation, user=people[email]
        )
    for email in TWO_FACTOR_LOGINS:
        _activate_demo_totp(people[email])
    if running is None:
        return
    running.facilitators.add(people[FACILITATOR])
    people[FACILITATOR].groups.add(groups[FACILITATORS_GROUP])
    enrolment = running.enrolments.order_by("unit__code").first()
    if enrolment is None:
        return
    # The demo manager takes over the first team's manager seat; the enthusiast joins it.
    manager = people[MANAGER]
    if not enrolment.participants.filter(user=manager).exists():
        enrolment.participants.filter(role=Participant.Role.MANAGER).update(
            role=Participant.Role.ENTHUSIAST
        )
        Participant.objects.create(enrolment=enrolment, user=manager, role=Participant.Role.MANAGER)
    Participant.objects.get_or_create(
        enrolment=enrolment,
        user=people[ENTHUSIAST],
        defaults={"role": Participant.Role.ENTHUSIAST},
    )


def _verify_email(user: Any) -> None:
    """Mark the demo address verified for django-allauth, when it is installed."""
    if not apps.is_installed("allauth.account"):
        return
    email_address_model = apps.get_model("account", "EmailAddress")
    email_address_model.objects.update_or_create(
        user=user,
        email=user.email,
        defaults={"verified": True, "primary": True},
    )


def _activate_demo_totp(user: Any) -> None:
    """Give a demo login the published authenticator secret, since its role requires MFA."""
    if not apps.is_installed("allauth.mfa"):
        return
    # Local: allauth.mfa is optional for a host of lup (tests/host_project has none), and its
    # models cannot even be imported where it is not installed.
    from .two_factor import activate_authenticator

    activate_authenticator(user, DEMO_TOTP_SECRET)


def current_demo_totp_code() -> str:
    """The code an authenticator app would show now for DEMO_TOTP_SECRET."""
    # Local for the same reason as above: `demo_totp` is the only caller, and needs allauth.mfa.
    from .two_factor import current_code

    return current_code(DEMO_TOTP_SECRET)
