"""The H5P player: the activity page embeds it with a fresh play token, the frame page
starts it with our own files under the policy its origin allows, the played package's files,
its state and statements are reached only with a valid token for that learner and activity,
and the learner's state is saved and resumed."""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from courses.checks import check_player_origin
from courses.h5p.validation import open_archive, validate_archive
from courses.h5p_player import CORE_INLINE_SCRIPT, CORE_INLINE_SCRIPT_HASH, mathjax_url
from courses.models import (
    Activity,
    ActivityCompletion,
    H5PAttempt,
    H5PContentUserData,
    H5PLibrary,
    XAPIStatement,
)
from tests.courses.h5p_setup import (
    h5p_activity,
    h5p_root,  # noqa: F401  (a fixture)
    install_reflection,
    learner_of,
    play_token,
    statement,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("h5p_root")]
ROOT = Path(__file__).resolve().parents[2]
PLAYER_HOST = "h5p.lup.test"
PLAYER_ORIGIN = f"http://{PLAYER_HOST}"


@pytest.fixture
def package():
    return install_reflection()


@pytest.fixture
def activity(package):
    return h5p_activity(package)


@pytest.fixture
def learner(activity):
    return learner_of(activity)


@pytest.fixture
def token(learner, activity):
    return play_token(learner, activity)


@pytest.fixture
def player_origin(settings):
    settings.COURSES_H5P_PLAYER_ORIGIN = PLAYER_ORIGIN
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, PLAYER_HOST]
    return PLAYER_ORIGIN


def url(name: str, token: str, **kwargs) -> str:
    return reverse(f"courses:{name}", kwargs={"token": token, **kwargs})


def content_url(token: str, path: str) -> str:
    return url("h5p-content-file", token, path=path)


def library_url(path: str) -> str:
    return reverse("courses:h5p-library-file", kwargs={"path": path})


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


def frame_src(client, activity) -> str:
    html = client.get(reverse("courses:activity-detail", args=[activity.public_id]))
    tag = re.search(r"<iframe[^>]*data-h5p-player[^>]*>", html.content.decode()).group(0)
    return re.search(r'src="([^"]+)"', tag).group(1)


def later(seconds: float):
    """The clock `seconds` from now, for the token's expiry."""
    now = time.time()
    return mock.patch("django.core.signing.time.time", return_value=now + seconds)


# The activity page ----------------------------------------------------------------------------


def test_the_activity_page_embeds_the_player_in_a_titled_sandboxed_frame(client, activity, learner):
    client.force_login(learner)

    response = client.get(reverse("courses:activity-detail", args=[activity.public_id]))

    html = response.content.decode()
    frame = re.search(r"<iframe[^>]*data-h5p-player[^>]*>", html).group(0)
    assert re.search(r'src="/courses/play/[^/"]+/"', frame)
    assert re.search(r'title="[^"]*Refleksjon[^"]*"', frame)
    sandbox = re.search(r'sandbox="([^"]*)"', frame).group(1).split()
    assert {"allow-scripts", "allow-same-origin"} <= set(sandbox)
    assert "allow-top-navigation" not in sandbox
    assert "h5p_activity.js" in html


def test_every_opening_of_the_page_is_a_new_attempt_with_its_own_token(client, activity, learner):
    client.force_login(learner)

    assert frame_src(client, activity) != frame_src(client, activity)


def test_a_player_origin_serves_the_frame_from_there(client, activity, learner, player_origin):
    client.force_login(learner)

    src = frame_src(client, activity)

    assert src.startswith(f"{PLAYER_ORIGIN}/courses/play/")
    html = client.get(reverse("courses:activity-detail", args=[activity.public_id]))
    assert f'data-player-origin="{PLAYER_ORIGIN}"' in html.content.decode()


def test_an_h5p_activity_without_content_has_no_player(client):
    activity = h5p_activity(None)
    learner = learner_of(activity)
    client.force_login(learner)

    response = client.get(reverse("courses:activity-detail", args=[activity.public_id]))

    assert response.status_code == 200
    assert "<iframe" not in response.content.decode()
    assert client.get(url("h5p-frame", play_token(learner, activity))).status_code == 404


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


def test_the_frame_page_starts_the_player_with_our_own_files(client, activity, learner, token):
    response = client.get(url("h5p-frame", token))

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/h5p-standalone/main.bundle.js" in html
    assert "cdn" not in html.lower()
    options = frame_config(response)["options"]
    root = f"/courses/play/{token}"
    assert options["h5pJsonPath"] == root
    assert options["contentJsonPath"] == f"{root}/content"
    assert options["librariesPath"] == "/courses/h5p/libraries"
    assert options["frameJs"] == "/static/vendor/h5p-standalone/frame.bundle.js"
    assert options["frameCss"] == "/static/vendor/h5p-standalone/styles/h5p.css"
    assert options["saveFreq"] > 0
    assert options["ajax"]["contentUserDataUrl"].startswith(url("h5p-state", token))
    # The activity's id comes from SITE_URL, never from the host name of the request.
    assert options["xAPIObjectIRI"] == (
        f"https://lup.test/courses/activities/{activity.public_id}/"
    )
    assert learner.email not in json.dumps(options)  # the player knows only a pseudonym
    assert "contentUserData" not in options  # nothing saved yet


def test_mathdisplay_is_pointed_at_our_own_mathjax(client, token):
    """H5P.MathDisplay 1.0.0-1.0.8 load MathJax from cdnjs unless the host's libraryConfig
    names another: ours (tests/e2e/test_h5p_mathjax.py typesets with it in Chromium)."""
    response = client.get(url("h5p-frame", token))

    mathjax = frame_config(response)["libraryConfig"]["H5P.MathDisplay"]["renderer"]["mathjax"]
    assert mathjax["src"] == "/static/vendor/mathjax/MathJax.js"
    assert mathjax["config"]["jax"] == ["input/TeX", "output/HTML-CSS"]
    assert mathjax["config"]["HTML-CSS"]["imageFont"] is None  # the wheel has no image fonts
    assert finders.find("vendor/mathjax/MathJax.js")


def test_mathjax_keeps_its_file_name_under_a_hashing_storage(settings):
    """MathJax 2 finds its folder by its script's name, MathJax.js: a manifest storage's
    hashed name would hide it, so the unhashed copy beside it is used."""

    class Hashing(StaticFilesStorage):
        def url(self, name, force=False):  # what ManifestStaticFilesStorage returns
            stem, dot, ending = name.rpartition(".")
            return super().url(f"{stem}.0123abcd{dot}{ending}")

    with mock.patch("django.contrib.staticfiles.storage.staticfiles_storage", Hashing()):
        assert mathjax_url() == "/static/vendor/mathjax/MathJax.js"


def test_the_frame_speaks_the_contents_language_and_carries_the_activitys_title(
    client, activity, learner, package
):
    package.h5p_json = {**package.h5p_json, "language": "nn"}
    package.save(update_fields=["h5p_json"])

    html = client.get(url("h5p-frame", play_token(learner, activity, "en"))).content.decode()

    assert '<html lang="nn">' in html
    assert f"<title>{activity.title}</title>" in html
    assert '<div lang="en">' in html  # our own messages: the learner's language
    assert "Loading the activity" in html


def test_content_of_no_stated_language_is_in_the_learners(client, activity, learner, package):
    package.h5p_json = {**package.h5p_json, "language": "und"}
    package.save(update_fields=["h5p_json"])

    html = client.get(url("h5p-frame", play_token(learner, activity, "nb"))).content.decode()

    assert '<html lang="nb">' in html


def test_on_the_sites_own_origin_the_frame_keeps_a_strict_policy(client, token):
    response = client.get(url("h5p-frame", token))

    policy = csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == f"'self' '{CORE_INLINE_SCRIPT_HASH}'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "youtube" not in response["Content-Security-Policy"]
    assert policy["worker-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self' https://lup.test"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-store" in response["Cache-Control"]


def test_on_the_player_origin_the_policy_allows_what_real_content_needs(
    client, token, player_origin
):
    response = client.get(url("h5p-frame", token), HTTP_HOST=PLAYER_HOST)

    assert response.status_code == 200
    policy = csp(response)
    assert "'unsafe-eval'" in policy["script-src"]
    assert "unsafe-inline" not in policy["script-src"]
    assert f"'{CORE_INLINE_SCRIPT_HASH}'" in policy["script-src"]
    for directive in ("script-src", "media-src", "frame-src", "img-src"):
        assert "https://www.youtube.com" in policy[directive]
        assert "https://player.vimeo.com" in policy[directive]
    assert "blob:" in policy["worker-src"]
    assert policy["connect-src"] == "'self'"  # content still cannot send data away
    assert policy["frame-ancestors"] == "'self' https://lup.test"
    assert policy["object-src"] == "'none'"
    assert not response.cookies  # the player's origin is given no cookie


def test_the_same_frame_on_the_sites_origin_is_strict_even_with_a_player_origin(
    client, token, player_origin
):
    response = client.get(url("h5p-frame", token))

    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_the_embed_sources_follow_the_setting(client, token, player_origin, settings):
    settings.COURSES_H5P_EMBED_SOURCES = ["https://upload.wikimedia.org", "https://x; script-src *"]

    policy = csp(client.get(url("h5p-frame", token), HTTP_HOST=PLAYER_HOST))

    assert "https://upload.wikimedia.org" in policy["img-src"]
    assert "youtube" not in policy["img-src"]
    assert "script-src *" not in ";".join(policy)  # no source can add a directive


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/admin/",
        "/me/data/",
        "/courses/h5p/upload/",
        "/api/v1/",
        "/accounts/login/",
    ],
)
def test_the_player_origin_serves_nothing_but_the_player(client, token, player_origin, path):
    response = client.get(path, HTTP_HOST=PLAYER_HOST)

    assert response.status_code == 404
    assert not response.cookies


def test_the_activity_page_is_not_served_on_the_player_origin(
    client, activity, learner, player_origin
):
    client.force_login(learner)

    response = client.get(
        reverse("courses:activity-detail", args=[activity.public_id]), HTTP_HOST=PLAYER_HOST
    )

    assert response.status_code == 404


def test_the_frame_may_be_framed_by_the_site_and_the_setting_only(client, token, settings):
    settings.COURSES_H5P_FRAME_ANCESTORS = ["https://intranett.baerum.kommune.no"]

    response = client.get(url("h5p-frame", token))

    assert csp(response)["frame-ancestors"] == (
        "'self' https://lup.test https://intranett.baerum.kommune.no"
    )
    assert "X-Frame-Options" not in response  # the policy decides, for another origin too
    assert "https://intranett.baerum.kommune.no" in frame_config(response)["parentOrigins"]


def test_other_pages_still_refuse_to_be_framed(client, activity, learner):
    client.force_login(learner)

    response = client.get(reverse("courses:activity-detail", args=[activity.public_id]))

    assert response["X-Frame-Options"] == "DENY"


def test_the_inline_script_allowed_by_hash_is_the_one_h5p_core_writes():
    bundle = ROOT / "node_modules" / "h5p-standalone" / "dist" / "frame.bundle.js"
    if not bundle.is_file():
        pytest.skip("h5p-standalone is not installed; run npm ci")

    assert f"<script>{CORE_INLINE_SCRIPT}<\\/script>" in bundle.read_text()


def test_the_player_takes_a_fixed_number_of_queries(
    client, activity, learner, token, django_assert_num_queries
):
    """The learner and the activity for the token, the saved state: whatever the content."""
    client.get(url("h5p-frame", token))  # warm: sessions, content types
    with django_assert_num_queries(3):
        client.get(url("h5p-frame", token))
    with django_assert_num_queries(2):
        client.get(url("h5p-package", token))
    with django_assert_num_queries(2):
        client.get(content_url(token, "content.json"))
    with django_assert_num_queries(1):
        client.get(library_url("LUP.Reflection-1.0/library.json"))


# The play token -------------------------------------------------------------------------------


def test_the_frame_needs_no_session_only_the_token(token):
    assert Client().get(url("h5p-frame", token)).status_code == 200


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "x" + t, lambda t: "x"])
def test_a_damaged_token_is_refused_everywhere(client, token, mangle):
    bad = mangle(token)

    frame = client.get(url("h5p-frame", bad))
    posted = client.post(
        url("h5p-xapi", bad), json.dumps({"verb": {"id": "x"}}), content_type="application/json"
    )

    assert frame.status_code == 403
    assert 'role="alert"' in frame.content.decode()
    assert client.get(content_url(bad, "content.json")).status_code == 403
    assert client.get(url("h5p-package", bad)).status_code == 403
    assert posted.status_code == 403
    assert posted.json()["code"] == "token_invalid"
    assert not XAPIStatement.objects.exists()


def test_an_expired_token_is_refused_with_a_reason(client, activity, learner, token):
    with later(4 * 3600 + 1):
        response = client.post(
            url("h5p-xapi", token),
            json.dumps(statement(activity, completion=True, scaled=1)),
            content_type="application/json",
        )

    assert response.status_code == 403
    assert response.json()["code"] == "token_expired"
    assert not ActivityCompletion.objects.exists()


def test_the_token_lives_as_long_as_the_setting(client, token, settings):
    settings.COURSES_H5P_PLAY_TOKEN_SECONDS = 60
    with later(59):
        assert client.get(url("h5p-package", token)).status_code == 200
    with later(61):
        assert client.get(url("h5p-package", token)).status_code == 403


def test_a_new_password_ends_the_learners_tokens(client, learner, token):
    learner.set_password("et helt nytt passord 2026")
    learner.save()

    assert client.get(url("h5p-package", token)).status_code == 403


def test_a_deactivated_learner_cannot_play(client, learner, token):
    learner.is_active = False
    learner.save()

    assert client.get(url("h5p-frame", token)).status_code == 403


def test_a_learner_no_longer_enrolled_cannot_play(client, activity, learner, token):
    activity.module.course.enrolments.filter(user=learner).delete()

    assert client.get(url("h5p-frame", token)).status_code == 404
    assert client.get(url("h5p-package", token)).status_code == 404


def test_a_token_for_another_learner_cannot_be_made_from_ones_own(client, activity, learner):
    """The token is signed: changing the learner inside it breaks the signature."""
    other = learner_of(activity)
    token = play_token(learner, activity)
    payload, rest = token.split(":", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["u"] = other.pk
    forged = (
        base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
        .decode()
        .rstrip("=")
    )

    assert client.get(url("h5p-frame", f"{forged}:{rest}")).status_code == 403


# The package's files --------------------------------------------------------------------------


def test_the_package_files_are_served_with_strict_headers(client, package, token):
    h5p_json = client.get(url("h5p-package", token))
    content = client.get(content_url(token, "content.json"))
    script = client.get(library_url("LUP.Reflection-1.0/reflection.js"))
    style = client.get(library_url("LUP.Reflection-1.0/reflection.css"))
    library = client.get(library_url("LUP.Reflection-1.0/library.json"))

    assert h5p_json.json()["mainLibrary"] == "LUP.Reflection"
    assert json.loads(b"".join(content.streaming_content))["minLength"] == 20
    assert script["Content-Type"].startswith("text/javascript")
    assert style["Content-Type"].startswith("text/css")
    assert library["Content-Type"] == "application/json"
    for response in (h5p_json, content, script, style, library):
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    for response in (h5p_json, content):  # the learner's package: only in their browser
        assert response["Cache-Control"].startswith("private")
    for response in (script, style, library):  # public code, the same for everyone
        assert response["Cache-Control"].startswith("public")


def test_unknown_file_types_are_downloads(client, package, token, settings):
    (Path(settings.COURSES_H5P_ROOT) / package.content_path / "notes.xyz").write_text(
        "<script>alert(1)</script>"
    )

    response = client.get(content_url(token, "notes.xyz"))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_token_reaches_only_its_own_activitys_package(client, activity, learner, token):
    """No package is named in the player's addresses: the token's activity decides."""
    other_package = install_reflection({"question": "Et annet spørsmål?", "minLength": 5})
    other = h5p_activity(other_package)
    other.module.course.enrolments.create(user=learner)

    content = client.get(content_url(token, "content.json"))
    others = client.get(content_url(play_token(learner, other), "content.json"))

    assert json.loads(b"".join(content.streaming_content))["minLength"] == 20
    assert json.loads(b"".join(others.streaming_content))["minLength"] == 5


@pytest.mark.parametrize(
    "path",
    [
        "../../libraries/LUP.Reflection-1.0/reflection.js",
        "%2e%2e/%2e%2e/packages/x.h5p",
        "..%2f..%2fh5p.json",
        "./content.json/../../x",
        ".hidden",
        "images\\..\\..\\x",
        "missing.json",
    ],
)
def test_paths_outside_the_content_folder_are_not_found(client, token, path):
    response = client.get(f"/courses/play/{token}/content/{path}")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "LUP.Reflection-1.0/../../content/x/content.json",
        "LUP.Reflection-1.0/%2e%2e/H5P.Other-1.0/library.json",
        "H5P.NotInstalled-1.0/library.json",
        "LUP.Reflection-1.0",
        "LUP.Reflection-1.0/",
        "LUP.Reflection/library.json",
        "LUP.Reflection-1.0.0/library.json",
        "LUP.Reflection-x.y/library.json",
    ],
)
def test_library_paths_outside_an_installed_library_are_not_found(client, path):
    response = client.get(f"/courses/h5p/libraries/{path}")

    assert response.status_code == 404


def test_a_folder_that_is_not_an_installed_library_is_not_served(client, settings):
    other = Path(settings.COURSES_H5P_ROOT) / "libraries" / "H5P.Other-1.0"
    other.mkdir(parents=True)
    (other / "library.json").write_text("{}")

    assert client.get(library_url("H5P.Other-1.0/library.json")).status_code == 404


def test_a_library_is_served_from_its_installed_folder_at_its_newest_patch(client, package):
    library = H5PLibrary.objects.get(machine_name="LUP.Reflection")

    response = client.get(library_url(f"{library.folder_name}/library.json"))

    assert json.loads(b"".join(response.streaming_content))["patchVersion"] == (
        library.patch_version
    )


# Saved state ----------------------------------------------------------------------------------


STATE = json.dumps({"answer": "Vi vil spørre brukerne først.", "choice": 0, "checked": False})


def test_the_state_is_saved_and_resumed(client, activity, learner, token):
    state_url = f"{url('h5p-state', token)}?dataType=state&subContentId=0"

    empty = client.get(state_url)
    saved = client.post(state_url, {"data": STATE, "preload": "1", "invalidate": "1"})
    again = client.get(state_url)
    frame = client.get(url("h5p-frame", play_token(learner, activity)))

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


def test_posting_zero_forgets_the_state(client, token):
    client.post(url("h5p-state", token), {"data": STATE})

    client.post(url("h5p-state", token), {"data": "0"})

    assert not H5PContentUserData.objects.exists()


def test_a_state_is_saved_per_learner(client, activity, token):
    other = learner_of(activity)
    client.post(url("h5p-state", token), {"data": STATE})

    assert client.get(url("h5p-state", play_token(other, activity))).json()["data"] is False


@pytest.mark.parametrize(("data", "status"), [("{not json", 400), ('"' + "x" * 70_000 + '"', 413)])
def test_a_bad_state_is_refused(client, token, data, status):
    response = client.post(url("h5p-state", token), {"data": data})

    assert response.status_code == status
    assert not H5PContentUserData.objects.exists()


def test_saving_the_state_needs_the_token_not_a_session_or_csrf_token(activity, learner, token):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)  # a session alone opens nothing

    assert client.post(url("h5p-state", "not-a-token"), {"data": STATE}).status_code == 403
    assert not H5PContentUserData.objects.exists()
    assert Client(enforce_csrf_checks=True).post(
        url("h5p-state", token), {"data": STATE}
    ).json() == {"success": True}


# Statements and completion --------------------------------------------------------------------


def test_a_completed_statement_from_the_frame_completes_the_activity(client, learner, token):
    options = frame_config(client.get(url("h5p-frame", token)))["options"]
    data = {
        "actor": {"mbox": "mailto:x@learners.invalid"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": options["xAPIObjectIRI"]},
        "result": {"score": {"raw": 2, "max": 2, "scaled": 1}, "completion": True},
    }

    response = Client().post(url("h5p-xapi", token), json.dumps(data), "application/json")

    assert response.status_code == 201
    assert ActivityCompletion.objects.filter(user=learner).exists()


def test_a_hand_made_statement_without_a_token_is_refused(client, activity, learner):
    """The attack: one POST, with the learner's session, never opening the activity."""
    client.force_login(learner)
    body = json.dumps(statement(activity, completion=True, scaled=1))

    old_route = client.post(
        f"/courses/activities/{activity.public_id}/h5p/xapi/", body, "application/json"
    )
    no_token = client.post("/courses/play/-/xapi/", body, "application/json")

    assert old_route.status_code == 404
    assert no_token.status_code == 403
    assert not XAPIStatement.objects.exists()
    assert not ActivityCompletion.objects.exists()


def post_statement(learner, activity, **fields) -> dict:
    response = Client().post(
        url("h5p-xapi", play_token(learner, activity)),
        json.dumps(statement(activity, **fields)),
        "application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_by_default_a_score_of_zero_completes_nothing(activity, learner):
    """Drag and Drop's "Check" with nothing placed reports answered, completed, score 0."""
    result = post_statement(learner, activity, verb="answered", raw=0, maximum=5, completion=True)

    assert result["completed"] is False
    assert not ActivityCompletion.objects.exists()
    assert post_statement(learner, activity, verb="answered", raw=1, maximum=5, completion=True)[
        "completed"
    ]


def test_a_minimum_score_decides_when_set(activity, learner):
    activity.h5p_min_score = 0.8
    activity.save()

    assert not post_statement(learner, activity, verb="completed", scaled=0.6)["completed"]
    assert post_statement(learner, activity, verb="completed", scaled=0.8)["completed"]


def test_content_viewed_to_the_end_completes_on_experienced(activity, learner):
    activity.h5p_completion = Activity.H5PCompletion.VIEWED
    activity.save()

    assert not post_statement(learner, activity, verb="experienced")["completed"]
    assert not post_statement(
        learner, activity, verb="experienced", completion=True, sub_content=True
    )["completed"]
    assert post_statement(learner, activity, verb="experienced", completion=True)["completed"]
    assert ActivityCompletion.objects.get().source == ActivityCompletion.Source.H5P


def test_content_marked_done_completes_only_by_the_learners_button(client, activity, learner):
    activity.h5p_completion = Activity.H5PCompletion.MARKED_DONE
    activity.save()
    client.force_login(learner)

    assert not post_statement(learner, activity, verb="completed", scaled=1)["completed"]
    page = client.get(reverse("courses:activity-detail", args=[activity.public_id]))
    assert reverse("courses:activity-done", args=[activity.public_id]) in page.content.decode()
    client.post(reverse("courses:activity-done", args=[activity.public_id]))

    completion = ActivityCompletion.objects.get(user=learner, activity=activity)
    assert completion.source == ActivityCompletion.Source.MARKED_DONE


def test_scored_content_cannot_be_marked_done(client, activity, learner):
    client.force_login(learner)

    page = client.get(reverse("courses:activity-detail", args=[activity.public_id]))
    client.post(reverse("courses:activity-done", args=[activity.public_id]))

    assert reverse("courses:activity-done", args=[activity.public_id]) not in (
        page.content.decode()
    )
    assert not ActivityCompletion.objects.exists()


def test_the_database_refuses_a_minimum_score_outside_zero_to_one(activity):
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(h5p_min_score=1.5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(h5p_completion="whenever")


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


# System checks --------------------------------------------------------------------------------


def test_a_player_origin_that_is_the_sites_own_is_an_error(settings):
    settings.COURSES_SITE_URL = "https://lup.baerum.kommune.no"
    settings.COURSES_H5P_PLAYER_ORIGIN = "https://lup.baerum.kommune.no"

    assert [message.id for message in check_player_origin()] == ["courses.E002"]


def test_a_player_origin_that_gets_the_session_cookie_is_warned_about(settings):
    settings.COURSES_H5P_PLAYER_ORIGIN = "https://h5p.baerum.kommune.no"
    settings.SESSION_COOKIE_DOMAIN = ".baerum.kommune.no"

    assert [message.id for message in check_player_origin()] == ["courses.W002"]
    settings.SESSION_COOKIE_DOMAIN = None
    settings.COURSES_H5P_PLAYER_ORIGIN = "https://lup-h5p.example.no"
    assert check_player_origin() == []
