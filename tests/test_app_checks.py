"""The apps' system checks for names a host project could already use: each app's URL
namespaces and its template folder (lup.W003, courses.W001, certificates.W001), and the
app prefix on every reverse accessor our models put on another app's models."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.core.checks import run_checks
from django.db.models.fields.related import RelatedField
from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, get_resolver, include, path

OUR_APPS = ("lup", "courses", "certificates")
CHECK_IDS = {"lup": "lup.W003", "courses": "courses.W001", "certificates": "certificates.W001"}
NAMESPACES = {
    "lup": {"lup", "lup-api"},
    "courses": {"courses"},
    "certificates": {"certificates", "certificates-verify", "certificates-credentials"},
}


def host_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("a host project's own page")


# A host project whose own apps use our URL namespaces (ROOT_URLCONF = this module).
urlpatterns = [
    path(f"{namespace}/", include(([path("", host_view)], namespace)))
    for namespaces in NAMESPACES.values()
    for namespace in sorted(namespaces)
]


def our_warnings() -> dict[str, list[str]]:
    """Messages of our three checks, by check id."""
    found: dict[str, list[str]] = {check_id: [] for check_id in CHECK_IDS.values()}
    for message in run_checks():
        if message.id in found:
            found[message.id].append(message.msg)
    return found


def test_the_site_as_it_is_raises_none_of_them():
    assert our_warnings() == {check_id: [] for check_id in CHECK_IDS.values()}


def test_a_host_app_using_our_url_namespaces_is_reported(settings):
    settings.ROOT_URLCONF = __name__

    found = our_warnings()

    for app, check_id in CHECK_IDS.items():
        assert len(found[check_id]) == len(NAMESPACES[app]), check_id
        for namespace in NAMESPACES[app]:
            assert any(
                f"URL namespace {namespace!r} of {app} is used by {__name__}" in message
                for message in found[check_id]
            ), namespace


@pytest.mark.parametrize("app", OUR_APPS)
def test_another_app_shipping_our_template_folder_is_reported(app, tmp_path, monkeypatch):
    (tmp_path / "templates" / app).mkdir(parents=True)
    (tmp_path / "templates" / app / "dashboard.html").write_text("a host's page")
    monkeypatch.setattr(apps.get_app_config("humanize"), "path", str(tmp_path))

    found = our_warnings()

    assert found[CHECK_IDS[app]] == [
        f"The app 'django.contrib.humanize' ships templates in {app}'s folder "
        f"({tmp_path / 'templates' / app})."
    ]
    assert all(not messages for check_id, messages in found.items() if check_id != CHECK_IDS[app])


def test_a_template_folder_of_another_name_is_not_reported(tmp_path, monkeypatch):
    (tmp_path / "templates" / "lupine").mkdir(parents=True)
    monkeypatch.setattr(apps.get_app_config("humanize"), "path", str(tmp_path))

    assert our_warnings() == {check_id: [] for check_id in CHECK_IDS.values()}


def test_our_apps_ship_their_templates_in_their_own_folders_only():
    for app in OUR_APPS:
        templates = Path(apps.get_app_config(app).path) / "templates"
        assert {folder.name for folder in templates.iterdir()} <= {app, "admin"}, app
        if (templates / "admin").exists():
            assert {folder.name for folder in (templates / "admin").iterdir()} == {app}, app


def test_our_named_urls_are_all_in_our_namespaces():
    """Every named URL of our apps is reversed as `<namespace>:<name>`, never bare; admin
    pages of our own are `admin:<app label>_…`, like the admin's."""
    ours = set().union(*NAMESPACES.values())
    admin_prefixes = tuple(f"{app}_" for app in OUR_APPS)
    bare = []

    def walk(resolver: URLResolver, namespaces: tuple[str, ...]) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, (*namespaces, pattern.namespace) if pattern.namespace else namespaces)
            elif (
                pattern.name
                and pattern.callback.__module__.split(".")[0] in OUR_APPS
                and not (namespaces and namespaces[0] in ours)
                and not (namespaces == ("admin",) and pattern.name.startswith(admin_prefixes))
            ):
                bare.append(pattern.name)

    walk(get_resolver(), ())
    assert bare == []


def test_reverse_accessors_on_other_apps_models_carry_our_app_label():
    """A relation from our models to the user model (or any model outside our three apps)
    names its reverse accessor `<app label>_…` (or has none), so a host's own apps do not
    clash with it (Wagtail's APIToken, say, already has `user.api_tokens`)."""
    unprefixed = []
    for model in apps.get_models():
        label = model._meta.app_label
        if label not in OUR_APPS:
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, RelatedField):  # reverse relations, generic keys
                continue
            if field.related_model._meta.app_label in OUR_APPS:
                continue
            accessor = field.remote_field.get_accessor_name()
            query_name = field.related_query_name()
            if accessor is None or accessor.endswith("+"):  # no reverse accessor
                continue
            if not (accessor.startswith(f"{label}_") and query_name.startswith(f"{label}_")):
                unprefixed.append(f"{model._meta.label}.{field.name}: {accessor}")
    assert unprefixed == []
