"""Installed H5P packages and H5P activities for tests of the player and of xAPI."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from courses.h5p.play_tokens import issue_play_token
from courses.h5p.services import install_package
from courses.h5p_library import reflection_package
from courses.models import Activity, H5PPackage
from tests.courses.factories import ActivityFactory, EnrolmentFactory


@pytest.fixture
def h5p_root(settings, tmp_path):
    """H5P packages and libraries go to the test's own directory."""
    settings.COURSES_H5P_ROOT = str(tmp_path / "h5p")
    return tmp_path / "h5p"


def install_reflection(content: dict[str, Any] | None = None) -> H5PPackage:
    """Our own content type's demo package (or one with `content`), installed."""
    package, _created = install_package(
        upload=io.BytesIO(reflection_package(content)),
        uploaded_by=None,
        allow_new_libraries=True,
    )
    return package


def h5p_activity(package: H5PPackage | None, **fields: Any) -> Any:
    return ActivityFactory(
        kind=Activity.Kind.H5P, title="Refleksjon", body="", h5p_package=package, **fields
    )


def learner_of(activity: Activity) -> Any:
    """A learner enrolled in the activity's course."""
    return EnrolmentFactory(course=activity.module.course).user


def statement(
    activity: Activity,
    verb: str = "completed",
    *,
    raw: float | None = None,
    maximum: float | None = None,
    scaled: float | None = None,
    completion: bool | None = None,
    success: bool | None = None,
    sub_content: bool = False,
    actor: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An xAPI statement as the H5P player builds it for `activity`."""
    object_id = f"http://testserver/courses/activities/{activity.public_id}/"
    data: dict[str, Any] = {
        "actor": actor or {"name": "x", "mbox": "mailto:x@learners.invalid", "objectType": "Agent"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {
            "id": object_id + ("?subContentId=self-check" if sub_content else ""),
            "objectType": "Activity",
        },
        "context": {"contextActivities": {"category": [{"id": "http://h5p.org/libraries/x"}]}},
    }
    if sub_content:
        data["context"]["contextActivities"]["parent"] = [
            {"id": object_id, "objectType": "Activity"}
        ]
    result: dict[str, Any] = {}
    score = {
        key: value
        for key, value in (("raw", raw), ("max", maximum), ("scaled", scaled))
        if value is not None
    }
    if score:
        result["score"] = {"min": 0, **score}
    if completion is not None:
        result["completion"] = completion
    if success is not None:
        result["success"] = success
    if result:
        result["duration"] = "PT12.5S"
        data["result"] = result
    return data


def play_token(user: Any, activity: Activity, language: str = "nb") -> str:
    """The token an activity page gives its player when `user` opens it."""
    return issue_play_token(user=user, activity=activity, language=language)


def xapi_url(user: Any, activity: Activity) -> str:
    """Where the player posts `user`'s statements on `activity` (with a fresh token)."""
    return reverse("courses:h5p-xapi", kwargs={"token": play_token(user, activity)})
