"""The standalone site: health check, settings from the environment, languages, cache."""

import runpy
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"


def load_settings(monkeypatch, **env):
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "ENTRA_CLIENT_ID",
        "ENTRA_TENANT_ID",
        "OIDC_CLIENT_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE), run_name="config.settings_under_test")


def test_healthz_reports_the_database(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_down(client, db):
    with mock.patch("config.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_accessibility_statement_is_public(client, db):
    response = client.get("/tilgjengelighet/")

    assert response.status_code == 200
    assert "WCAG" in response.content.decode()


def test_embedded_defaults_are_sqlite_locmem_and_eager_celery(monkeypatch):
    settings = load_settings(monkeypatch)

    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert "locmem" in settings["CACHES"]["default"]["BACKEND"]
    assert settings["CELERY_TASK_ALWAYS_EAGER"] is True


def test_scale_out_settings_come_from_the_environment(monkeypatch):
    settings = load_settings(
        monkeypatch,
        DATABASE_URL="postgres://lup:secret@db.example:5432/lup",
        REDIS_URL="redis://cache.example:6379/0",
    )

    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.example", "lup")
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://cache.example:6379/0"
    assert settings["CELERY_BROKER_URL"] == "redis://cache.example:6379/0"
    assert settings["CELERY_TASK_ALWAYS_EAGER"] is False


def test_a_malformed_boolean_setting_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        load_settings(monkeypatch, DJANGO_DEBUG="maybe")


def test_the_cache_round_trips():
    # Locmem in the embedded setup; the real Redis when CI sets REDIS_URL.
    cache.set("lup-test-key", {"units": 120}, timeout=30)

    assert cache.get("lup-test-key") == {"units": 120}
    cache.delete("lup-test-key")


@pytest.mark.parametrize(
    ("language", "sign_in"), [("nb", "Logg inn"), ("nn", "Logg inn"), ("en", "Sign in")]
)
def test_language_switch_changes_the_page_language(client, db, language, sign_in):
    response = client.post(
        "/i18n/setlang/", {"language": language, "next": "/accounts/login/"}, follow=True
    )

    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert sign_in in html


def test_the_default_language_is_bokmal(client, db):
    html = client.get("/accounts/login/").content.decode()

    assert '<html lang="nb"' in html


def test_deploy_check_reports_nothing_with_production_settings(tmp_path):
    import os
    import subprocess
    import sys

    root = SETTINGS_FILE.parent.parent
    # Browser tests allow async-unsafe ORM use in this process; production does not.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "1",
        "DJANGO_SECRET_KEY": "x7Kq2vLr9Tz4Wm8Np3Hs6Bd1Fg5Jc0Yu-Qe7Ra2Sv9Xw4Zt8Mn3Lp6Ok1Ij5Uh0",
        "DJANGO_ALLOWED_HOSTS": "lup.baerum.kommune.no",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "COURSES_LEARNER_PSEUDONYM_KEY": "Vb3Nm8Qw1Er6Ty4Ui9Op2As7Df5Gh0Jk",
        "REDIS_URL": "redis://127.0.0.1:6379/13",  # a shared cache for rate limits (lup.W002)
        "SITE_URL": "https://lup.baerum.kommune.no",  # printed, and identifies credentials
        # The issuers' signing keys are encrypted with a key of their own (certificates.W011).
        "CERTIFICATES_KEY_ENCRYPTION_KEYS": "tW3Q0b0dYy6c8mJ0l8s2Hc5kq1o7Wf3rV9nXvB4aZ2E=",
    }

    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues (0 silenced)." in completed.stdout


def test_entra_id_needs_the_municipalitys_own_tenant(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="ENTRA_TENANT_ID"):
        load_settings(monkeypatch, ENTRA_CLIENT_ID="app-id", ENTRA_CLIENT_SECRET="secret")

    settings = load_settings(
        monkeypatch, ENTRA_CLIENT_ID="app-id", ENTRA_TENANT_ID="baerum-tenant-id"
    )
    app = settings["SOCIALACCOUNT_PROVIDERS"]["microsoft"]["APPS"][0]
    assert app["settings"]["tenant"] == "baerum-tenant-id"


@pytest.mark.parametrize("tenant", ["common", "organizations", "Consumers"])
def test_entra_ids_any_tenant_endpoints_fail_the_system_check(tenant, tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "ENTRA_CLIENT_ID": "app-id",
        "ENTRA_CLIENT_SECRET": "secret",
        "ENTRA_TENANT_ID": tenant,
    }

    completed = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=SETTINGS_FILE.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode != 0
    assert "lup.E002" in completed.stderr + completed.stdout


def test_id_porten_from_the_environment_uses_pkce_and_a_minimum_level(monkeypatch):
    settings = load_settings(
        monkeypatch,
        OIDC_CLIENT_ID="client",
        OIDC_CLIENT_SECRET="secret",
        OIDC_SERVER_URL="https://idporten.no",
    )

    app = settings["SOCIALACCOUNT_PROVIDERS"]["openid_connect"]["APPS"][0]
    assert app["provider_id"] == "idporten"
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert app["settings"]["minimum_acr"] == "idporten-loa-substantial"
    assert app["settings"]["scope"] == ["openid", "profile"]
