import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from celery.result import allow_join_result
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test.client import ClientMixin
from django.utils import translation

from tests.factories import UserFactory
from tests.s3 import object_storage, s3_endpoint  # noqa: F401  (a real S3 server, moto)
from tests.smtp import smtp_server  # noqa: F401  (a real SMTP server, for every test)


def administrator_permissions():
    return Permission.objects.filter(content_type__app_label="lup")


@pytest.fixture
def administrator(db):
    """A programme administrator; add an OrganisationMembership to give them a scope."""
    user = UserFactory(email="admin@example.no")
    user.user_permissions.add(*administrator_permissions())
    return user


@pytest.fixture
def staff_admin(db):
    """A staff user with every lup permission, for the Django admin."""
    user = UserFactory(email="staff@example.no", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="lup"))
    return user


@pytest.fixture
def english():
    """Read messages in English; the site's default language is bokmål."""
    with translation.override("en"):
        yield


@pytest.fixture
def english_site(settings):
    """Pages and messages in English, for tests that assert the English source texts: the
    client sends no Accept-Language, so the site falls back to LANGUAGE_CODE."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate limits and used two-factor codes live in the cache: every test starts clean."""
    cache.clear()


@pytest.fixture(autouse=True)
def joining_task_results_allowed():
    """Each test may wait on a task's result, whatever an earlier test's threads left.

    With CELERY_TASK_ALWAYS_EAGER, Celery marks the process "inside a task" while an eager
    task runs (`result.get()` then refuses), saving and restoring one process-wide flag
    around each. Two eager tasks at once in the live server's threads (a browser test's
    parallel requests) can restore it in the wrong order and leave it set for the rest of
    the process: four xAPI tests that read their task's result then failed in CI. No code
    of the apps waits on a result, so this concerns tests only."""
    with allow_join_result():
        yield


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Submitted files, people's own-data archives and certificate PDFs go to the test's
    own directory, never into the working tree."""
    settings.COURSES_PRIVATE_ROOT = str(tmp_path / "private")
    settings.LUP_PRIVATE_ROOT = str(tmp_path / "lup-private")
    settings.CERTIFICATES_PDF_ROOT = str(tmp_path / "certificates")


@pytest.fixture(autouse=True)
def h5p_files_in_tmp(settings, tmp_path):
    """Installed H5P packages and libraries go to the test's own directory too."""
    settings.COURSES_H5P_ROOT = str(tmp_path / "h5p")


_plain_force_login = ClientMixin.force_login


def sign_in_with_password_only(client, user):
    """A session that used the password alone: what a stolen password would give."""
    _plain_force_login(client, user)


def _force_login_as_after_two_factor(self, user, backend=None):
    """`force_login` as allauth would leave the session after password and code: a person
    with an authenticator gets a session that used it (how allauth records it). Tests of
    the per-session rule use `sign_in_with_password_only`."""
    from lup.access import MULTI_FACTOR_METHOD, has_multi_factor

    _plain_force_login(self, user, backend)
    if not has_multi_factor(user):
        return
    session = self.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": MULTI_FACTOR_METHOD, "at": now, "type": "totp"},
    ]
    # allauth keeps the records only for the user they were written for.
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture(autouse=True)
def sessions_have_used_two_factor(monkeypatch):
    monkeypatch.setattr(ClientMixin, "force_login", _force_login_as_after_two_factor)
