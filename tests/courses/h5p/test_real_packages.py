"""The real packages of shared/h5p-samples (third-party exports, see SOURCES.md there): each
imports, alone and after all the others (libraries shared, newer patches winning), as does a
copy made on a Mac or with a stray file at the top; and after a shared library is upgraded,
packages imported before it still find every file the player asks for.

The samples are read where they are, never copied into the project; without them these
tests skip and say why.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from courses.h5p.services import install_package, play_libraries
from courses.h5p.validation import PackageRejected, is_skipped
from courses.models import H5PLibrary, H5PPackage
from tests.courses.h5p.corpus import (
    Entry,
    change_json,
    dependency,
    library_folder,
    make_zip,
    sample_entries,
    sample_names,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Found by unzipping the samples: H5P.Question 1.4 is in true-false.h5p (patch 6) and in
# drag-and-drop-712.h5p (patch 8); H5P.Question 1.5 and H5P.TextUtilities 1.3 are in others.
OLD = "true-false.h5p"
SHARING = "drag-and-drop-712.h5p"
WITH_QUESTION_1_5 = "multiple-choice-713.h5p"
WITH_TEXT_UTILITIES = "fill-in-the-blanks-837.h5p"
SHARED = "H5P.Question-1.4"


def install(upload: Any, user: Any) -> H5PPackage:
    if isinstance(upload, bytes):
        upload = io.BytesIO(upload)
    package, created = install_package(upload=upload, uploaded_by=user, allow_new_libraries=True)
    assert created
    return package


def libraries_in(path: Path) -> dict[str, dict[str, Any]]:
    """Each library folder of a package, with its library.json."""
    with zipfile.ZipFile(path) as archive:
        return {
            name.split("/")[0]: json.loads(archive.read(name))
            for name in archive.namelist()
            if name.count("/") == 1 and name.endswith("/library.json")
        }


def expected_files(path: Path, package: H5PPackage) -> set[str]:
    """The names a package's files get in the H5P storage: its content and its libraries
    (the samples name their folders Machine.Name-major.minor); nothing H5P skips, nothing
    else at the top."""
    names: set[str] = set()
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith("/") or "/" not in name or is_skipped(name):
                continue
            if name.startswith("content/"):
                names.add(f"{package.content_path}/{name.removeprefix('content/')}")
            else:
                names.add(f"libraries/{name}")
    return names


def folders_needed_by_h5p_json(package: H5PPackage) -> set[str]:
    return {
        f"{item['machineName']}-{item['majorVersion']}.{item['minorVersion']}"
        for item in package.h5p_json["preloadedDependencies"]
    }


# Every sample --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sample_names())
def test_a_sample_imports(name, samples, h5p_admin, stored, assert_playable):
    path = samples / name

    package = install(path, h5p_admin)

    assert set(stored()) == expected_files(path, package) | {package.original_path}
    with zipfile.ZipFile(path) as archive:
        h5p = json.loads(archive.read("h5p.json"))
    assert package.main_library.machine_name == h5p["mainLibrary"]
    assert package.main_library.runnable
    libraries = assert_playable(package)
    assert folders_needed_by_h5p_json(package) <= set(libraries)
    assert set(libraries) <= {library.folder_name for library in H5PLibrary.objects.all()}


@pytest.mark.parametrize("name", sample_names())
def test_a_sample_imports_after_all_the_others(name, samples, h5p_admin, assert_playable):
    others = [
        install(path, h5p_admin) for path in sorted(samples.glob("*.h5p")) if path.name != name
    ]

    package = install(samples / name, h5p_admin)

    for each in [*others, package]:
        assert_playable(each)
    # One row per major.minor, the newest patch any sample has.
    newest: dict[str, int] = {}
    for path in samples.glob("*.h5p"):
        for folder, data in libraries_in(path).items():
            newest[folder] = max(newest.get(folder, -1), int(data["patchVersion"]))
    installed = {library.folder_name: library.patch_version for library in H5PLibrary.objects.all()}
    assert installed == newest


def test_play_libraries_costs_one_query_however_many_libraries(
    samples, h5p_admin, django_assert_num_queries
):
    packages = [install(path, h5p_admin) for path in sorted(samples.glob("*.h5p"))]
    assert H5PLibrary.objects.count() > 50

    for package in packages:
        with django_assert_num_queries(1):
            play_libraries(package)


# Copies as people make them ---------------------------------------------------------------


def mac_copy(entries: list[Entry]) -> list[Entry]:
    """The entries as the Finder zips them: an AppleDouble `__MACOSX/…/._name` for each file,
    and `.DS_Store` files at the top and in folders."""
    folders = sorted({entry.name.rsplit("/", 1)[0] for entry in entries if "/" in entry.name})
    apple_double = [
        Entry(
            f"__MACOSX/{folder + '/' if folder else ''}._{base}", b"\x00\x05\x16\x07" + b"\0" * 78
        )
        for folder, _slash, base in (
            entry.name.rpartition("/") for entry in entries if not entry.name.endswith("/")
        )
    ]
    ds_store = [
        Entry(".DS_Store", b"\0\0\0\1Bud1"),
        *[Entry(f"{f}/.DS_Store", b"Bud1") for f in folders],
    ]
    return [*entries, Entry("__MACOSX/"), *apple_double, *ds_store]


@pytest.mark.parametrize("name", sample_names())
def test_a_copy_made_on_a_mac_imports_without_its_hidden_files(
    name, samples, tmp_path, h5p_admin, stored, assert_playable
):
    path = tmp_path / name
    path.write_bytes(make_zip(mac_copy(sample_entries(samples / name))))
    with zipfile.ZipFile(path) as archive:
        assert "__MACOSX/._h5p.json" in archive.namelist()
        assert ".DS_Store" in archive.namelist()

    package = install(path, h5p_admin)

    assert set(stored()) == expected_files(samples / name, package) | {package.original_path}
    assert not [file for file in stored() if is_skipped(file)]
    assert_playable(package)


@pytest.mark.parametrize("stray", ["extra.json", "README.md", "notes.txt", "index.html"])
def test_a_copy_with_a_stray_file_at_the_top_imports(stray, samples, tmp_path, h5p_admin, stored):
    path = tmp_path / f"with-{stray}.h5p"
    path.write_bytes(make_zip([*sample_entries(samples / OLD), Entry(stray, b'{"stray": true}')]))

    package = install(path, h5p_admin)

    assert set(stored()) == expected_files(samples / OLD, package) | {package.original_path}


@pytest.mark.parametrize("copies", [2, 19])
@pytest.mark.parametrize("duplicate", ["content/content.json", "H5P.JoubelUI-1.3/library.json"])
def test_a_copy_with_a_duplicated_entry_names_it_once(
    duplicate, copies, samples, tmp_path, h5p_admin, nothing_stored
):
    entries = sample_entries(samples / OLD)
    original = next(entry for entry in entries if entry.name == duplicate)
    path = tmp_path / "duplicated.h5p"
    with pytest.warns(UserWarning, match="Duplicate name"):
        path.write_bytes(make_zip([*entries, *[original] * (copies - 1)]))

    with pytest.raises(PackageRejected) as caught:
        install_package(upload=path, uploaded_by=h5p_admin, allow_new_libraries=True)

    assert caught.value.problems == [f"“{duplicate}” appears twice in the package."]
    nothing_stored()


# Upgrades of shared libraries ----------------------------------------------------------------


def upgraded_question(samples: Path) -> bytes:
    """drag-and-drop-712 with its H5P.Question 1.4 (shared with true-false) at a newer patch
    that needs H5P.TextUtilities 1.3, a real library taken from fill-in-the-blanks-837."""
    entries = sample_entries(samples / SHARING)

    def newer(data: dict[str, Any]) -> dict[str, Any]:
        needs = [*data["preloadedDependencies"], dependency("H5P.TextUtilities", 1, 3)]
        return {**data, "patchVersion": 99, "preloadedDependencies": needs}

    def listed(data: dict[str, Any]) -> dict[str, Any]:
        needs = [*data["preloadedDependencies"], dependency("H5P.TextUtilities", 1, 3)]
        return {**data, "preloadedDependencies": needs}

    entries = change_json(entries, f"{SHARED}/library.json", newer)
    entries = change_json(entries, "h5p.json", listed)
    return make_zip(
        [*entries, *library_folder(samples / WITH_TEXT_UTILITIES, "H5P.TextUtilities-1.3")]
    )


def test_samples_share_a_library_that_the_upgrade_gives_a_new_dependency(samples):
    old, sharing = libraries_in(samples / OLD), libraries_in(samples / SHARING)

    assert SHARED in old
    assert SHARED in sharing
    assert int(old[SHARED]["patchVersion"]) < 99
    assert "H5P.TextUtilities-1.3" not in old
    assert "H5P.TextUtilities-1.3" in libraries_in(samples / WITH_TEXT_UTILITIES)


def test_an_upgraded_shared_library_brings_its_new_dependency_to_earlier_packages(
    samples, tmp_path, h5p_admin, assert_playable
):
    first = install(samples / OLD, h5p_admin)
    path = tmp_path / "drag-and-drop-upgraded.h5p"
    path.write_bytes(upgraded_question(samples))

    second = install(path, h5p_admin)

    question = H5PLibrary.objects.get(machine_name="H5P.Question", major_version=1, minor_version=4)
    assert question.patch_version == 99
    libraries = assert_playable(first)
    order = list(libraries)
    assert "H5P.TextUtilities-1.3" in order
    assert order.index("H5P.TextUtilities-1.3") < order.index(SHARED)
    assert libraries[SHARED] == question
    # The list made when the first package was imported lacks it: the player must not
    # go by that list.
    assert "H5P.TextUtilities-1.3" not in {lib.folder_name for lib in first.libraries.all()}
    assert_playable(second)


def question_1_5_upgrade(samples: Path, *, include_question: bool = True) -> bytes:
    """true-false with H5P.TrueFalse 1.6 at a newer patch that needs H5P.Question 1.5 where
    1.6.1 needed 1.4 (the story of H5P.SingleChoiceSet 1.11.14 and 1.11.44); H5P.Question
    1.5 is the real library from multiple-choice-713."""

    def swap(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # h5p.json writes versions as text ("1"), library.json as numbers.
        return [
            dependency("H5P.Question", 1, 5)
            if (item["machineName"], int(item["majorVersion"]), int(item["minorVersion"]))
            == ("H5P.Question", 1, 4)
            else item
            for item in items
        ]

    def newer(data: dict[str, Any]) -> dict[str, Any]:
        needs = swap(data["preloadedDependencies"])
        assert needs != data["preloadedDependencies"]
        return {**data, "patchVersion": 99, "preloadedDependencies": needs}

    def listed(data: dict[str, Any]) -> dict[str, Any]:
        needs = swap(data["preloadedDependencies"])
        assert needs != data["preloadedDependencies"]
        return {**data, "title": "Sant eller usant", "preloadedDependencies": needs}

    entries = sample_entries(samples / OLD)
    entries = change_json(entries, "H5P.TrueFalse-1.6/library.json", newer)
    entries = change_json(entries, "h5p.json", listed)
    entries = [entry for entry in entries if not entry.name.startswith(f"{SHARED}/")]
    if include_question:
        entries += library_folder(samples / WITH_QUESTION_1_5, "H5P.Question-1.5")
    return make_zip(entries)


def test_a_newer_patch_needing_another_version_reaches_earlier_packages(
    samples, h5p_admin, assert_playable
):
    first = install(samples / OLD, h5p_admin)
    assert "H5P.Question-1.5" not in play_libraries(first)

    second = install(question_1_5_upgrade(samples), h5p_admin)

    true_false = H5PLibrary.objects.get(machine_name="H5P.TrueFalse")
    assert true_false.patch_version == 99
    libraries = assert_playable(first)
    assert "H5P.Question-1.5" in libraries
    assert list(libraries).index("H5P.Question-1.5") < list(libraries).index("H5P.TrueFalse-1.6")
    assert_playable(second)


def test_a_newer_patch_without_the_version_it_needs_is_refused(samples, h5p_admin, stored):
    first = install(samples / OLD, h5p_admin)
    before = stored()

    with pytest.raises(PackageRejected) as caught:
        install(question_1_5_upgrade(samples, include_question=False), h5p_admin)

    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        "Missing library H5P.Question 1.5"
    ]
    assert stored() == before
    assert H5PLibrary.objects.get(machine_name="H5P.TrueFalse").patch_version == 1
    assert list(H5PPackage.objects.all()) == [first]
