"""The H5P player: the activity page embeds it, the frame page starts it with our own files
under a strict policy, the package's files reach only those who may see them, and the
learner's state is saved and resumed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from courses.h5p.validation import open_archive, validate_archive
from courses.h5p_player import CORE_INLINE_SCRIPT, CORE_INLINE_SCRIPT_HASH
from courses.models import ActivityCompletion, H5PAttempt, H5PContentUserData
from tests.courses.h5p_setup import (
    h5p_activity,
    h5p_root,  # noqa: F401  (a fixture)
    install_reflection,
    learner_of,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("h5p_root")]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def package():
    return install_reflection()


@pytest.fixture
def activity(package):
    return h5p_activity(package)


@pytest.fixture
def learner(activity):
    return learner_of(activity)


def frame_url(activity) -> str:
    return reverse("courses:h5p-frame", kwargs={"activity_id": activity.public_id})


def state_url(activity) -> str:
    return reverse("courses:h5p-state", kwargs={"activity_id": activity.public_id})


def content_url(package, path: str) -> str:
    return f"/courses/h5p/{package.public_id}/content/{path}"


def library_url(package, path: str) -> str:
    return f"/courses/h5p/{package.public_id}/libraries/{path}"


def frame_config(response) -> dict:
    match = re.search(
        r'<script id="h5p-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the frame page carries its configuration"
    return json.loads(match.group(1))


def csp(response) -> dict[str, str]:
    directives = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    pairs = [(*d.split(" ", 1), "")[:2] for d in directives if d]
    return dict(pairs)


# The activity page ----------------------------------------------------------------------------


def test_the_activity_page_embeds_the_player_in_a_titled_frame(client, activity, learner):
    client.force_login(learner)

    response = client.get(reverse("courses:activity-detail", args=[activity.public_id]))

    html = response.content.decode()
    frame = re.search(r"<iframe[^>]*data-h5p-player[^>]*>", html).group(0)
    assert f'src="{frame_url(activity)}"' in frame
    assert re.search(r'title="[^"]*Refleksjon[^"]*"', frame)
    assert "h5p_activity.js" in html
    assert "later release" not in html


def test_a_player_origin_serves_the_frame_from_there(client, activity, learner, settings):
    settings.COURSES_H5P_PLAYER_ORIGIN = "https://h5p.lup.example.no"
    client.force_login(learner)

    response = client.get(reverse("courses:activity-detail", args=[activity.public_id]))

    html = response.content.decode()
    assert f'src="https://h5p.lup.example.no{frame_url(activity)}"' in html
    assert 'data-player-origin="https://h5p.lup.example.no"' in html


def test_an_h5p_activity_without_content_has_no_player(client):
    activity = h5p_activity(None)
    client.force_login(learner_of(activity))

    response = client.get(reverse("courses:activity-detail", args=[activity.public_id]))

    assert response.status_code == 200
    assert "<iframe" not in response.content.decode()
    frame = reverse("courses:h5p-frame", kwargs={"activity_id": activity.public_id})
    assert client.get(frame).status_code == 404


def test_the_activity_page_shows_the_best_score(client, activity, learner):
    H5PAttempt.objects.create(user=learner, activity=activity, statements=3, best_score_scaled=0.75)
    client.force_login(learner)

    response = client.get(
        reverse("courses:activity-detail", args=[activity.public_id]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Your best score: 75 %." in response.content.decode()


def test_the_course_page_lists_the_best_score(client, activity, learner):
    H5PAttempt.objects.create(user=learner, activity=activity, statements=2, best_score_scaled=0.5)
    client.force_login(learner)
    course = activity.module.course

    response = client.get(
        reverse("courses:course-detail", args=[course.slug]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "best score 50 %" in response.content.decode()


# The frame page -------------------------------------------------------------------------------


def test_the_frame_page_starts_the_player_with_our_own_files(client, activity, learner, package):
    client.force_login(learner)

    response = client.get(frame_url(activity))

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/h5p-standalone/main.bundle.js" in html
    assert "cdn" not in html.lower()
    options = frame_config(response)["options"]
    root = f"/courses/h5p/{package.public_id}"
    assert options["h5pJsonPath"] == root
    assert options["contentJsonPath"] == f"{root}/content"
    assert options["librariesPath"] == f"{root}/libraries"
    assert options["frameJs"] == "/static/vendor/h5p-standalone/frame.bundle.js"
    assert options["frameCss"] == "/static/vendor/h5p-standalone/styles/h5p.css"
    assert options["saveFreq"] > 0
    assert options["ajax"]["contentUserDataUrl"].startswith(state_url(activity))
    assert str(activity.public_id) in options["xAPIObjectIRI"]
    assert learner.email not in json.dumps(options)  # the player knows only a pseudonym
    assert "contentUserData" not in options  # nothing saved yet


def test_the_frame_page_sends_a_strict_policy(client, activity, learner):
    client.force_login(learner)

    response = client.get(frame_url(activity))

    policy = csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == f"'self' '{CORE_INLINE_SCRIPT_HASH}'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "no-store" in response["Cache-Control"]


def test_other_pages_still_refuse_to_be_framed(client, activity, learner):
    client.force_login(learner)

    response = client.get(reverse("courses:activity-detail", args=[activity.public_id]))

    assert response["X-Frame-Options"] == "DENY"


def test_frame_ancestors_follow_the_setting(client, activity, learner, settings):
    settings.COURSES_H5P_FRAME_ANCESTORS = ["https://lup.example.no"]
    client.force_login(learner)

    response = client.get(frame_url(activity))

    assert csp(response)["frame-ancestors"] == "'self' https://lup.example.no"
    assert "https://lup.example.no" in frame_config(response)["parentOrigins"]


def test_the_inline_script_allowed_by_hash_is_the_one_h5p_core_writes():
    bundle = ROOT / "node_modules" / "h5p-standalone" / "dist" / "frame.bundle.js"
    if not bundle.is_file():
        pytest.skip("h5p-standalone is not installed; run npm ci")

    assert f"<script>{CORE_INLINE_SCRIPT}<\\/script>" in bundle.read_text()


def test_the_frame_page_is_only_for_enrolled_learners(client, activity):
    assert client.get(frame_url(activity)).status_code == 302  # to sign in
    client.force_login(UserFactory())
    assert client.get(frame_url(activity)).status_code == 404


# The package's files --------------------------------------------------------------------------


def test_the_package_files_are_served_with_strict_headers(client, package, learner):
    client.force_login(learner)

    h5p_json = client.get(f"/courses/h5p/{package.public_id}/h5p.json")
    content = client.get(content_url(package, "content.json"))
    script = client.get(library_url(package, "LUP.Reflection-1.0/reflection.js"))
    style = client.get(library_url(package, "LUP.Reflection-1.0/reflection.css"))
    library = client.get(library_url(package, "LUP.Reflection-1.0/library.json"))

    assert h5p_json.json()["mainLibrary"] == "LUP.Reflection"
    assert json.loads(b"".join(content.streaming_content))["minLength"] == 20
    assert script["Content-Type"].startswith("text/javascript")
    assert style["Content-Type"].startswith("text/css")
    assert library["Content-Type"] == "application/json"
    for response in (h5p_json, content, script, style, library):
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert response["Cache-Control"].startswith("private")


def test_unknown_file_types_are_downloads(client, package, learner, settings):
    (Path(settings.COURSES_H5P_ROOT) / package.content_path / "notes.xyz").write_text(
        "<script>alert(1)</script>"
    )
    client.force_login(learner)

    response = client.get(content_url(package, "notes.xyz"))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_files_are_not_found_for_learners_of_other_courses(client, package, activity):
    client.force_login(UserFactory())

    assert client.get(f"/courses/h5p/{package.public_id}/h5p.json").status_code == 404
    assert client.get(content_url(package, "content.json")).status_code == 404
    assert client.get(library_url(package, "LUP.Reflection-1.0/reflection.js")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, package):
    assert client.get(content_url(package, "content.json")).status_code == 302


def test_staff_who_may_view_packages_see_the_files(client, package):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_h5ppackage"))
    client.force_login(staff)

    assert client.get(content_url(package, "content.json")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "content/../../libraries/LUP.Reflection-1.0/reflection.js",
        "content/%2e%2e/%2e%2e/packages/x.h5p",
        "content/..%2f..%2fh5p.json",
        "content/./content.json/../../x",
        "content/.hidden",
        "content/images\\..\\..\\x",
        "libraries/LUP.Reflection-1.0/../../content/x/content.json",
        "libraries/LUP.Reflection-1.0/%2e%2e/H5P.Other-1.0/library.json",
        "libraries/H5P.NotInThePackage-1.0/library.json",
        "libraries/LUP.Reflection-1.0",
        "libraries/LUP.Reflection-1.0/",
        "content/",
        "content/missing.json",
    ],
)
def test_paths_outside_the_folders_are_not_found(client, package, learner, path):
    client.force_login(learner)

    response = client.get(f"/courses/h5p/{package.public_id}/{path}")

    assert response.status_code == 404


def test_a_library_of_another_package_is_not_served(client, package, learner, settings):
    other = Path(settings.COURSES_H5P_ROOT) / "libraries" / "H5P.Other-1.0"
    other.mkdir(parents=True)
    (other / "library.json").write_text("{}")
    client.force_login(learner)

    response = client.get(library_url(package, "H5P.Other-1.0/library.json"))

    assert response.status_code == 404


# Saved state ----------------------------------------------------------------------------------


STATE = json.dumps({"answer": "Vi vil spørre brukerne først.", "choice": 0, "checked": False})


def test_the_state_is_saved_and_resumed(client, activity, learner):
    client.force_login(learner)
    url = f"{state_url(activity)}?dataType=state&subContentId=0"

    empty = client.get(url)
    saved = client.post(url, {"data": STATE, "preload": "1", "invalidate": "1"})
    again = client.get(url)
    frame = client.get(frame_url(activity))

    assert empty.json() == {"success": True, "data": False}
    assert saved.json() == {"success": True}
    assert again.json() == {"success": True, "data": STATE}
    assert frame_config(frame)["options"]["contentUserData"] == {"0": {"state": STATE}}
    stored = H5PContentUserData.objects.get()
    assert (stored.user, stored.activity, stored.data_type, stored.sub_content_id) == (
        learner,
        activity,
        "state",
        "0",
    )


def test_posting_zero_forgets_the_state(client, activity, learner):
    client.force_login(learner)
    url = f"{state_url(activity)}?dataType=state&subContentId=0"
    client.post(url, {"data": STATE})

    client.post(url, {"data": "0"})

    assert not H5PContentUserData.objects.exists()


def test_a_state_is_saved_per_learner(client, activity, learner):
    other = learner_of(activity)
    client.force_login(learner)
    client.post(state_url(activity), {"data": STATE})
    client.force_login(other)

    assert client.get(state_url(activity)).json()["data"] is False


@pytest.mark.parametrize(("data", "status"), [("{not json", 400), ('"' + "x" * 70_000 + '"', 413)])
def test_a_bad_state_is_refused(client, activity, learner, data, status):
    client.force_login(learner)

    response = client.post(state_url(activity), {"data": data})

    assert response.status_code == status
    assert not H5PContentUserData.objects.exists()


def test_saving_the_state_needs_the_csrf_token_and_a_session(activity, learner):
    client = Client(enforce_csrf_checks=True)
    assert client.get(state_url(activity)).status_code == 403
    client.force_login(learner)

    response = client.post(state_url(activity), {"data": STATE})

    assert response.status_code == 403
    assert not H5PContentUserData.objects.exists()


def test_others_cannot_read_or_write_a_state(client, activity):
    client.force_login(UserFactory())

    assert client.get(state_url(activity)).status_code == 404
    assert client.post(state_url(activity), {"data": STATE}).status_code == 404


# Our own content type -------------------------------------------------------------------------


def test_build_demo_h5p_writes_a_package_that_passes_validation(tmp_path, capsys):
    target = tmp_path / "demo" / "lup-refleksjon.h5p"

    call_command("build_demo_h5p", output=str(target))

    assert capsys.readouterr().out.strip() == str(target.resolve())
    with target.open("rb") as handle:
        package = validate_archive(open_archive(handle), installed={})
    assert package.main_library.machine_name == "LUP.Reflection"
    first = target.read_bytes()
    call_command("build_demo_h5p", output=str(target))
    assert target.read_bytes() == first  # reproducible: installing again finds it


def test_installing_the_same_package_twice_stores_it_once(package):
    assert install_reflection().pk == package.pk


def test_a_completed_statement_from_the_frame_completes_the_activity(client, activity, learner):
    client.force_login(learner)
    options = frame_config(client.get(frame_url(activity)))["options"]
    data = {
        "actor": {"mbox": "mailto:x@learners.invalid"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": options["xAPIObjectIRI"]},
        "result": {"score": {"raw": 2, "max": 2, "scaled": 1}, "completion": True},
    }

    response = client.post(
        reverse("courses:h5p-xapi", args=[activity.public_id]),
        json.dumps(data),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert ActivityCompletion.objects.filter(user=learner, activity=activity).exists()
