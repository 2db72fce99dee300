"""Production refuses unsafe settings, and every setting a deployment needs comes from the
environment. The starts are real: `manage.py check`, gunicorn and a Celery worker, each in
a subprocess with the environment an operations team would give it."""

from __future__ import annotations

import ast
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_site import load_settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GOOD_KEY = "Zq8x4Lr2Vm9Tb6Nw1Hs5Pd3Kf7Jc0Yg-Ua8Re2Wt6Xo4Qi9Mn3Lp5Ok7Ij1Uh2Gv"
PSEUDONYM_KEY = "Pk2Lx9Qw4Er7Ty1Ui6Op3As8Df5Gh0Jk"


# A Fernet key of the test's own for the issuers' signing keys (certificates.W011).
ENCRYPTION_KEY = "tW3Q0b0dYy6c8mJ0l8s2Hc5kq1o7Wf3rV9nXvB4aZ2E="


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """What a municipality's operations team would set, minus what a test leaves out."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "COURSES_", "LUP_", "CERTIFICATES_", "REDIS_"))
        and name not in {"DATABASE_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": GOOD_KEY,
        "COURSES_LEARNER_PSEUDONYM_KEY": PSEUDONYM_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "SITE_URL": "https://lup.example.no",
        "CERTIFICATES_KEY_ENCRYPTION_KEYS": ENCRYPTION_KEY,
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value != "<unset>"}


def manage_check(env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gunicorn(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Start gunicorn as production would; a refused start exits by itself (bounded)."""
    return subprocess.run(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{free_port()}",
            "--workers",
            "1",
            "--preload",  # load the application in the master, so a refusal ends the start
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("<unset>", "is not set"),
        ("", "is not set"),
        ("django-insecure-lup-development-key-change-me", "is not set"),
        ("short-key", "is too weak"),
    ],
    ids=["missing", "empty", "the published development key", "too short"],
)
def test_production_refuses_to_start_without_its_own_secret_key(tmp_path, key, reason):
    completed = manage_check(production_env(tmp_path, DJANGO_SECRET_KEY=key), "--deploy")

    assert completed.returncode != 0
    lines = [line for line in completed.stderr.splitlines() if "site.E001" in line]
    assert len(lines) == 1, completed.stderr
    assert f"DJANGO_SECRET_KEY {reason}" in lines[0]


def test_gunicorn_refuses_to_serve_on_the_development_key_with_one_clear_line(tmp_path):
    completed = gunicorn(production_env(tmp_path, DJANGO_SECRET_KEY="<unset>"))

    assert completed.returncode != 0
    assert "ImproperlyConfigured: site.E001: DJANGO_SECRET_KEY is not set" in completed.stderr


def test_gunicorn_refuses_to_serve_without_the_pseudonym_key(tmp_path):
    completed = gunicorn(production_env(tmp_path, COURSES_LEARNER_PSEUDONYM_KEY="<unset>"))

    assert completed.returncode != 0
    assert "courses.E001: COURSES_LEARNER_PSEUDONYM_KEY is not set" in completed.stderr


def test_a_celery_worker_refuses_the_same_unsafe_settings(tmp_path):
    env = production_env(tmp_path, DJANGO_SECRET_KEY="<unset>")
    completed = subprocess.run(
        [str(BIN / "celery"), "-A", "config", "worker", "--pool", "solo", "--loglevel", "error"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode != 0
    assert "site.E001: DJANGO_SECRET_KEY is not set" in completed.stderr + completed.stdout


def test_production_settings_with_their_own_keys_pass_every_check(tmp_path):
    completed = manage_check(production_env(tmp_path))

    assert completed.returncode == 0, completed.stderr
    assert "System check identified no issues" in completed.stdout


@pytest.mark.parametrize(
    "site_url",
    ["<unset>", "http://localhost:8000", "http://lup.example.no", "https://127.0.0.1"],
    ids=["unset", "the development default", "not HTTPS", "a local address"],
)
def test_production_refuses_a_site_address_verifiers_cannot_reach(tmp_path, site_url):
    """Certificates print it and every credential, issuer and key is identified by it."""
    completed = manage_check(production_env(tmp_path, SITE_URL=site_url), "--deploy")

    assert completed.returncode != 0
    assert "certificates.E010" in completed.stderr
    assert "public HTTPS address" in completed.stderr


def test_production_warns_when_signing_keys_are_encrypted_with_the_secret_key(tmp_path):
    completed = manage_check(
        production_env(tmp_path, CERTIFICATES_KEY_ENCRYPTION_KEYS="<unset>"), "--deploy"
    )

    assert "certificates.W011" in completed.stderr
    assert "certificates.E010" not in completed.stderr


def test_production_refuses_an_encryption_key_that_is_not_one(tmp_path):
    completed = manage_check(
        production_env(tmp_path, CERTIFICATES_KEY_ENCRYPTION_KEYS="not-a-key"), "--deploy"
    )

    assert completed.returncode != 0
    assert "certificates.E011" in completed.stderr


def test_development_starts_on_the_published_key(tmp_path):
    """`make run` sets DJANGO_DEBUG=1 and nothing else."""
    env = production_env(
        tmp_path,
        DJANGO_DEBUG="1",
        DJANGO_SECRET_KEY="<unset>",
        COURSES_LEARNER_PSEUDONYM_KEY="<unset>",
        REDIS_URL="<unset>",
    )

    completed = manage_check(env)

    assert completed.returncode == 0, completed.stderr


def test_production_warns_when_rate_limits_are_kept_per_process(tmp_path):
    completed = manage_check(production_env(tmp_path, REDIS_URL="<unset>"))

    assert completed.returncode == 0  # a warning: one process behind a proxy is still safe
    assert "lup.W002" in completed.stderr
    assert "Set REDIS_URL" in completed.stderr


def test_learner_pseudonyms_are_keyed_with_their_own_setting_not_the_secret_key(settings, db):
    from courses.xapi import learner_pseudonym
    from tests.factories import UserFactory

    learner = UserFactory()
    settings.COURSES_LEARNER_PSEUDONYM_KEY = "first-key"
    first = learner_pseudonym(learner)
    settings.SECRET_KEY = "another-secret-key-entirely-" * 3
    assert learner_pseudonym(learner) == first  # SECRET_KEY plays no part

    settings.COURSES_LEARNER_PSEUDONYM_KEY = "second-key"
    assert learner_pseudonym(learner) != first


def test_without_the_pseudonym_key_production_code_refuses_rather_than_defaults(settings, db):
    from django.core.exceptions import ImproperlyConfigured

    from courses.xapi import learner_pseudonym
    from tests.factories import UserFactory

    settings.COURSES_LEARNER_PSEUDONYM_KEY = ""
    settings.DEBUG = False

    with pytest.raises(ImproperlyConfigured, match="COURSES_LEARNER_PSEUDONYM_KEY"):
        learner_pseudonym(UserFactory())


def test_database_connections_persist_with_health_checks_by_default(monkeypatch):
    database = load_settings(monkeypatch)["DATABASES"]["default"]

    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_database_connection_settings_come_from_the_environment(monkeypatch):
    database = load_settings(
        monkeypatch, DATABASE_CONN_MAX_AGE="0", DATABASE_CONN_HEALTH_CHECKS="0"
    )["DATABASES"]["default"]

    assert database["CONN_MAX_AGE"] == 0
    assert database["CONN_HEALTH_CHECKS"] is False


# --- every setting from the environment, and in the README ----------------------------

APP_SETTINGS_MODULES = {
    "LUP_": ROOT / "lup" / "app_settings.py",
    "COURSES_": ROOT / "courses" / "app_settings.py",
    "COURSES_H5P_": ROOT / "courses" / "h5p" / "app_settings.py",
    "CERTIFICATES_": ROOT / "certificates" / "app_settings.py",
}
# Not deployment settings: code paths a host project sets in Python, or structures that
# have no sensible form as one environment variable (README says so for each).
PYTHON_ONLY = {
    "COURSES_ADAPTER",
    "CERTIFICATES_ADAPTER",
    "COURSES_SUBMISSION_FILE_TYPES",
}


def app_setting_names() -> set[str]:
    """Every setting the apps read: each `_get("NAME", ...)` in their app_settings modules."""
    names = set()
    for prefix, path in APP_SETTINGS_MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_get"
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(prefix + str(node.args[0].value))
    return names


def environment_variables_read_by_the_site() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|int|bool|list)\(\s*"([A-Z0-9_]+)"', source))


def test_the_scan_finds_the_apps_settings():
    names = app_setting_names()

    assert {"LUP_EXPORT_ROOT", "COURSES_H5P_ROOT", "CERTIFICATES_VERIFY_RATE"} <= names


def test_every_app_setting_a_deployment_needs_comes_from_the_environment(tmp_path):
    """Set each app setting through its environment variable and read it back in a fresh
    process of the site: none is a setting only in Python."""
    samples = {
        "int": ("4242", 4242),
        "str": (str(tmp_path / "somewhere"), str(tmp_path / "somewhere")),
    }
    special = {
        "LUP_SSO_FORBIDDEN_CLAIMS": ("pid,fnr", ["pid", "fnr"]),
        "LUP_MFA_REQUIRED_GROUPS": (
            "HR,Programme administrators",
            ["HR", "Programme administrators"],
        ),
        "LUP_BENEFIT_REMINDER_MONTHS": ("3,9", [3, 9]),
        "CERTIFICATES_VERIFY_RATE": ("5/minute", "5/minute"),
        "COURSES_H5P_FRAME_ANCESTORS": ("https://lup.example.no", ["https://lup.example.no"]),
        "COURSES_H5P_PLAYER_ORIGIN": ("https://h5p.example.no", "https://h5p.example.no"),
        "COURSES_H5P_EMBED_SOURCES": (
            "https://www.youtube.com,https://upload.wikimedia.org",
            ["https://www.youtube.com", "https://upload.wikimedia.org"],
        ),
        "COURSES_LRS_ENDPOINT": ("https://lrs.example.no/xapi/", "https://lrs.example.no/xapi/"),
        "COURSES_LRS_USERNAME": ("lrs-user", "lrs-user"),
        "COURSES_LRS_PASSWORD": ("lrs-pass", "lrs-pass"),
        "COURSES_LEARNER_PSEUDONYM_KEY": ("k" * 40, "k" * 40),
        "CERTIFICATES_FROM_EMAIL": ("kursbevis@example.no", "kursbevis@example.no"),
        "CERTIFICATES_KEY_ENCRYPTION_KEYS": (
            f"{ENCRYPTION_KEY},{ENCRYPTION_KEY}",
            [ENCRYPTION_KEY, ENCRYPTION_KEY],
        ),
        "COURSES_PRIVATE_ROOT": samples["str"],
        "LUP_EXPORT_ROOT": samples["str"],
        "LUP_PRIVATE_ROOT": samples["str"],
        "COURSES_H5P_ROOT": samples["str"],
        "CERTIFICATES_PDF_ROOT": samples["str"],
    }
    # CERTIFICATES_SITE_URL, COURSES_SITE_URL and LUP_SITE_URL come from SITE_URL.
    from_site_url = {"CERTIFICATES_SITE_URL", "COURSES_SITE_URL", "LUP_SITE_URL"}
    names = sorted(app_setting_names() - PYTHON_ONLY - from_site_url)
    env = production_env(tmp_path, SITE_URL="https://lup.example.no")
    expected = {}
    for name in names:
        raw, value = special.get(name) or samples["int"]
        env[name] = raw
        expected[name] = value
    expected |= dict.fromkeys(from_site_url, "https://lup.example.no")
    program = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {sorted(expected)!r}}}))"
    )

    completed = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    import json

    assert json.loads(completed.stdout) == expected


def test_the_readme_lists_every_environment_variable_with_its_default():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", readme, flags=re.MULTILINE)) | set(
        re.findall(r"`([A-Z][A-Z0-9_]+)`", readme)
    )
    variables = environment_variables_read_by_the_site() | (
        app_setting_names()
        - PYTHON_ONLY
        - {"CERTIFICATES_SITE_URL", "COURSES_SITE_URL", "LUP_SITE_URL"}
    )

    missing = sorted(variables - documented)

    assert not missing, f"README.md, Configuration: document {missing}"


def test_s3_settings_put_every_kind_of_file_in_the_bucket(tmp_path, s3_endpoint):
    """S3_* from the environment, in a fresh production process, against a real S3 server:
    each storage writes under its own prefix, and pages may show the bucket's images."""
    import boto3

    from tests.s3 import CREDENTIALS, REGION

    bucket = "lup-production-settings"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS)
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    env = production_env(
        tmp_path,
        S3_BUCKET=bucket,
        S3_ENDPOINT_URL=s3_endpoint,
        S3_REGION=REGION,
        S3_ACCESS_KEY_ID=CREDENTIALS["aws_access_key_id"],
        S3_SECRET_ACCESS_KEY=CREDENTIALS["aws_secret_access_key"],
    )
    aliases = [
        "default",
        "courses_h5p",
        "courses_private",
        "certificates_pdf",
        "lup_private",
        "lup_exports",
    ]
    program = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from django.core.files.base import ContentFile; "
        "from django.core.files.storage import storages; "
        f"[storages[a].save('probe.txt', ContentFile(a.encode())) for a in {aliases!r}]; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )

    completed = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(item["Key"] for item in listed) == [
        "certificates/probe.txt",
        "exports/probe.txt",
        "h5p/probe.txt",
        "lup-private/probe.txt",
        "media/probe.txt",
        "private/probe.txt",
    ]
    assert s3_endpoint in json.loads(completed.stdout.splitlines()[-1])
