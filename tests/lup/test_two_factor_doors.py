"""Every door asks for the second factor, and a stolen password alone opens none of them.

Attacks from the outside check (issue 14): the admin's own password form signed an
administrator in without a code, and a session that had never used a code was accepted
because the person *had* an authenticator. Here they are tried again, at every door.
"""

from __future__ import annotations

import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse

from lup.demo.seed import current_demo_totp_code
from lup.roles import ADMINISTRATORS_GROUP, FACILITATORS_GROUP
from tests.conftest import sign_in_with_password_only
from tests.factories import UserFactory
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

PASSWORD = "a-long-password-2026"


@pytest.fixture
def world():
    world = build_world()
    for person in world.people.values():
        if person is not None:
            person.set_password(PASSWORD)
            person.save()
            EmailAddress.objects.create(
                user=person, email=person.email, verified=True, primary=True
            )
    return world


def signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_the_admin_password_form_signs_no_one_in(client, world):
    administrator = world.people["administrator"]

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": administrator.username, "password": PASSWORD, "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert signed_in_user_id(client) is None
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_participant_cannot_switch_to_the_administrator_in_the_admin(client, world):
    enthusiast, administrator = world.people["enthusiast"], world.people["administrator"]
    client.force_login(enthusiast)

    form = client.get("/admin/login/")
    attempt = client.post(
        "/admin/login/", {"username": administrator.username, "password": PASSWORD}
    )

    assert form.status_code == 403
    assert attempt.status_code == 403
    assert signed_in_user_id(client) == str(enthusiast.pk)


def test_staff_signed_in_through_allauth_go_on_to_the_admin(client, world):
    client.force_login(world.people["administrator"])

    response = client.get("/admin/login/?next=/admin/lup/")
    outside = client.get("/admin/login/?next=https://evil.example/")

    assert response.status_code == 302
    assert response.url == "/admin/lup/"
    assert outside.status_code == 302
    assert outside.url == reverse("admin:index")


def test_the_password_alone_is_refused_at_every_door(client, world):
    sign_in_with_password_only(client, world.people["administrator"])

    page = client.get(reverse("lup:dashboard", args=[world.programme.slug]))
    admin = client.get("/admin/")
    api = client.get("/api/v1/cohorts/")
    email_change = client.get(reverse("account_email"))

    for response in (page, admin, email_change):
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_reauthenticate"))
    assert "next=" in page.url
    assert api.status_code == 403
    assert "two-factor" in api.json()["detail"]


def test_a_code_opens_the_doors_for_the_rest_of_the_session(client, world):
    sign_in_with_password_only(client, world.people["administrator"])

    wrong = client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    assert client.get(reverse("lup:dashboard", args=[world.programme.slug])).status_code == 302
    right = client.post(reverse("mfa_reauthenticate"), {"code": current_demo_totp_code()})

    assert wrong.status_code == 200  # the form again, with its error
    assert right.status_code == 302
    assert client.get(reverse("lup:dashboard", args=[world.programme.slug])).status_code == 200
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/cohorts/").status_code == 200


def test_signing_in_with_password_and_code_goes_straight_in(client, world):
    administrator = world.people["administrator"]

    first = client.post(
        reverse("account_login"), {"login": administrator.email, "password": PASSWORD}
    )
    assert first.status_code == 302
    assert first.url.startswith(reverse("mfa_authenticate"))
    assert (
        client.get(reverse("lup:dashboard", args=[world.programme.slug])).status_code == 302
    )  # not signed in yet
    client.post(reverse("mfa_authenticate"), {"code": current_demo_totp_code()})

    assert signed_in_user_id(client) == str(administrator.pk)
    assert client.get(reverse("lup:dashboard", args=[world.programme.slug])).status_code == 200


def test_a_role_granted_mid_session_asks_for_the_code_before_its_first_use(client, world):
    person = world.people["facilitator"]  # no authenticator, no role that requires one
    sign_in_with_password_only(client, person)
    assert client.get(reverse("lup:home")).status_code == 200

    person.groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))
    response = client.get(reverse("lup:home"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_facilitators_can_be_required_to_use_two_factor_by_setting(client, world, settings):
    settings.LUP_MFA_REQUIRED_GROUPS = [ADMINISTRATORS_GROUP, "HR", FACILITATORS_GROUP]
    client.force_login(world.people["facilitator"])

    response = client.get(reverse("lup:cohort-list"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


@pytest.mark.django_db(transaction=True)  # allauth announces a new authenticator on commit
def test_activating_an_authenticator_counts_as_proving_it(client, world):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    newcomer = UserFactory(email="new-admin@example.no")
    newcomer.set_password(PASSWORD)
    newcomer.save()
    EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=True, primary=True)
    newcomer.groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))
    client.post(reverse("account_login"), {"login": newcomer.email, "password": PASSWORD})
    assert client.get(reverse("lup:home")).url == reverse("mfa_activate_totp")

    # allauth asks for the password again before an authenticator is added.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    setup = client.get(reverse("mfa_activate_totp"))  # allauth keeps the new secret in the session
    assert setup.status_code == 200, (setup.status_code, setup.get("Location"))
    secret = client.session["mfa.totp.secret"]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    activated = client.post(reverse("mfa_activate_totp"), {"code": code})

    assert activated.status_code == 302
    assert client.get(reverse("lup:my-data")).status_code == 200


def test_the_lockout_holds_at_the_only_door(client, world):
    administrator = world.people["administrator"]
    for _ in range(6):
        client.post(reverse("account_login"), {"login": administrator.email, "password": "wrong"})
    client.post("/admin/login/", {"username": administrator.username, "password": PASSWORD})

    right = client.post(
        reverse("account_login"), {"login": administrator.email, "password": PASSWORD}
    )

    assert right.status_code in {200, 429}
    assert signed_in_user_id(client) is None


def _demo_code_at(step_offset: int) -> str:
    """The demo code `step_offset` 30-second steps from now, taken well inside a step so the
    step does not turn over before the test has used it."""
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from lup.demo.logins import DEMO_TOTP_SECRET

    into_step = time.time() % mfa_settings.TOTP_PERIOD
    if into_step > mfa_settings.TOTP_PERIOD - 5:
        time.sleep(mfa_settings.TOTP_PERIOD - into_step + 0.1)
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + step_offset
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))


def test_a_code_typed_as_the_step_turns_over_still_counts_once(client, world):
    """RFC 6238 section 5.2: one step of delay is accepted (the user read the code, the
    30 seconds ran out while typing). The same code never opens a second session."""
    administrator = world.people["administrator"]
    previous_step = _demo_code_at(-1)

    sign_in_with_password_only(client, administrator)
    first = client.post(reverse("mfa_reauthenticate"), {"code": previous_step})
    assert first.status_code == 302
    assert client.get("/admin/").status_code == 200

    client.logout()
    sign_in_with_password_only(client, administrator)
    again = client.post(reverse("mfa_reauthenticate"), {"code": previous_step})
    assert again.status_code == 200  # the form again: a used code is spent
    assert client.get("/admin/").status_code == 302


def test_a_code_from_two_steps_ago_is_refused(client, world):
    sign_in_with_password_only(client, world.people["administrator"])

    stale = client.post(reverse("mfa_reauthenticate"), {"code": _demo_code_at(-2)})

    assert stale.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_the_privacy_pages_behind_the_door_ask_for_the_code_the_public_ones_do_not(client, world):
    """Only the public statement opens on the password alone: the administrators' privacy
    pages (retention periods, the records of processing activities) ask for the code, even
    though their names also begin with "privacy" or live under /personvern/."""
    sign_in_with_password_only(client, world.people["administrator"])
    organisation = world.programme.organisation

    statement = client.get(reverse("lup:privacy-statement", args=[organisation.slug]))
    index = client.get(reverse("privacy"))
    retention = client.get(reverse("lup:retention-periods"))
    records = client.get(reverse("lup:processing-records", args=[organisation.slug]))

    assert statement.status_code == 200
    assert index.status_code == 200
    for response in (retention, records):
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_reauthenticate"))
