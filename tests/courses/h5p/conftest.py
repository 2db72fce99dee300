from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from courses.h5p.services import play_libraries
from courses.h5p.storage import h5p_storage
from courses.models import H5PLibrary, H5PPackage
from tests.courses.h5p.corpus import SAMPLE, SAMPLES, SAMPLES_MISSING
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def h5p_root(settings, tmp_path) -> Path:
    """Packages and libraries go to the test's own directory."""
    root = tmp_path / "h5p"
    settings.COURSES_H5P_ROOT = str(root)
    return root


@pytest.fixture
def stored(h5p_root):
    """The files now in the H5P storage, relative to its root."""

    def files() -> list[str]:
        if not h5p_root.exists():
            return []
        return sorted(str(p.relative_to(h5p_root)) for p in h5p_root.rglob("*") if p.is_file())

    return files


@pytest.fixture
def nothing_stored(stored):
    """Assert that neither the storage nor the database holds anything of H5P."""

    def check() -> None:
        assert stored() == []
        assert not H5PLibrary.objects.exists()
        assert not H5PPackage.objects.exists()

    return check


@pytest.fixture
def sample() -> Path:
    if not SAMPLE.is_file():
        pytest.skip(f"the sample package {SAMPLE} is not there (shared/h5p-samples)")
    return SAMPLE


@pytest.fixture
def samples() -> Path:
    """The folder of real sample packages (shared/h5p-samples), or a skip saying it is not there."""
    if not sorted(SAMPLES.glob("*.h5p")):
        pytest.skip(SAMPLES_MISSING)
    return SAMPLES


def player_requests(package: H5PPackage) -> list[str]:
    """The files the player asks for to play `package`, as names in the H5P storage: the
    content's content.json, and for each library it needs now its library.json (the
    player reads it to follow the dependencies) and its preloaded scripts and styles."""
    names = [f"{package.content_path}/content.json"]
    for library in play_libraries(package).values():
        names.append(f"{library.files_path}/library.json")
        for key in ("preloadedJs", "preloadedCss"):
            names.extend(
                f"{library.files_path}/{item['path'].lstrip('/').removeprefix('./')}"
                for item in library.metadata.get(key) or []
            )
    return names


@pytest.fixture
def assert_playable():
    """Assert that every file the player would ask for to play a package is stored."""

    def check(package: H5PPackage) -> dict[str, H5PLibrary]:
        storage = h5p_storage()
        absent = [name for name in player_requests(package) if not storage.exists(name)]
        assert absent == [], f"{package.title}: the player would get 404 for {absent}"
        return play_libraries(package)

    return check


def with_permissions(user, *codenames: str):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="courses", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)  # a fresh instance: no cached permissions


@pytest.fixture
def facilitator(db):
    """May upload packages and attach them, but not install libraries."""
    return with_permissions(
        UserFactory(email="fasilitator@example.no"), "add_h5ppackage", "change_activity"
    )


@pytest.fixture
def h5p_admin(db):
    """May also install new libraries."""
    return with_permissions(
        UserFactory(email="h5p-admin@example.no"),
        "add_h5ppackage",
        "change_activity",
        "install_h5p_library",
    )
