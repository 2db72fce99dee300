"""The API describes itself: an OpenAPI 3 schema that validates, and documentation pages
served from this site (no CDN)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    for path in (
        "/api/v1/completions/",
        "/api/v1/participants/{id}/progress/",
        "/api/v1/gatherings/{id}/attendance/",
        "/api/v1/organisations/",
        "/api/v1/sectors/",
    ):
        assert f"{path}:" in text


def test_every_operation_has_a_summary_and_a_response(client):
    schema = client.get("/api/v1/schema/?format=json").json()

    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert operations
    for path, method, operation in operations:
        assert operation.get("summary"), f"{method.upper()} {path} has no summary"
        assert operation.get("responses"), f"{method.upper()} {path} has no responses"


def test_the_schema_describes_token_authentication(client):
    schema = client.get("/api/v1/schema/?format=json").json()

    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_documentation_pages_load_their_scripts_from_this_site(client, url):
    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn." not in page
    assert "unpkg" not in page
