import pytest

from certificates import services
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _english(english_site):
    """These tests read the English source texts."""


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Logos and signatures go to the test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def template(db):
    return services.ensure_template(
        key="course",
        defaults={
            "name": "Course certificate",
            "title": "Kursbevis",
            "body": "{recipient_name} har fullført {achievement} hos {issuer}.",
            "signatories": [{"name": "Ola Nordmann", "title": "Rektor"}],
        },
    )


@pytest.fixture
def recipient(db):
    return UserFactory(first_name="Åse", last_name="Ødegård", email="ase@example.no")


@pytest.fixture
def issue(template, recipient):
    def issue_(source_key="test:1", **kwargs):
        values = {
            "template": template,
            "source_key": source_key,
            "recipient": recipient,
            "recipient_name": "Åse Ødegård",
            "achievement": "Innovasjon i praksis",
            "issuer": "Bærum kommune",
            "notify": False,
            **kwargs,
        }
        return services.issue_certificate(**values)

    return issue_


@pytest.fixture
def certificate(issue):
    return issue()[0]
