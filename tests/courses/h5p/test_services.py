"""Installing valid packages: where their files go, which libraries they install or reuse,
who may install new libraries, patches, the same file twice, and cleaning up on failure."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.h5p import storage as h5p_storage_module
from courses.h5p.services import (
    attach_package,
    attachable_activities,
    install_package,
    play_libraries,
)
from courses.h5p.storage import H5PFileSystemStorage, h5p_storage
from courses.h5p.validation import PackageRejected
from courses.models import Activity, H5PLibrary, H5PPackage
from tests.courses.factories import ActivityFactory
from tests.courses.h5p.corpus import (
    HELPER,
    MAIN,
    Entry,
    as_json,
    dependency,
    h5p_json,
    library_entries,
    make_zip,
    minimal_entries,
    minimal_package,
    replace,
    with_helper_entries,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def install(data: bytes, *, user=None, allow: bool = True, **kwargs):
    return install_package(
        upload=io.BytesIO(data), uploaded_by=user, allow_new_libraries=allow, **kwargs
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def patched_package(patch: int, *, title: str, extra: tuple[Entry, ...] = ()) -> bytes:
    entries = [
        entry
        for entry in minimal_entries(title=title)
        if not entry.name.startswith("H5P.Minimal-1.0/")
    ]
    return make_zip([*entries, *library_entries(patch=patch, extra_files=extra)])


# A minimal package ---------------------------------------------------------------------------


def test_a_minimal_package_is_stored_with_its_library(stored, h5p_admin):
    data = minimal_package(content=[Entry("content/images/logo.png", b"\x89PNG")])

    package, created = install(data, user=h5p_admin)

    assert created
    digest = sha(data)
    assert stored() == [
        f"content/{digest}/content.json",
        f"content/{digest}/images/logo.png",
        "libraries/H5P.Minimal-1.0/library.json",
        "libraries/H5P.Minimal-1.0/scripts/main.js",
        "libraries/H5P.Minimal-1.0/styles/main.css",
        f"packages/{digest}.h5p",
    ]
    assert h5p_storage().open(f"packages/{digest}.h5p").read() == data
    assert package.sha256 == digest
    assert package.title == "Minimal"
    assert package.size == len(data)
    assert package.original_path == f"packages/{digest}.h5p"
    assert package.content_path == f"content/{digest}"
    assert package.h5p_json["mainLibrary"] == MAIN
    assert package.uploaded_by == h5p_admin
    library = H5PLibrary.objects.get()
    assert (library.machine_name, library.major_version, library.minor_version) == (MAIN, 1, 0)
    assert library.patch_version == 0
    assert library.runnable
    assert library.files_path == "libraries/H5P.Minimal-1.0"
    assert library.metadata["preloadedJs"] == [{"path": "scripts/main.js"}]
    assert library.installed_by == h5p_admin
    assert package.main_library == library
    assert list(package.libraries.all()) == [library]


def test_harmless_text_files_at_the_top_are_accepted_and_not_stored(stored):
    data = make_zip([*minimal_entries(), Entry("H5P_CONTENT_HERE.txt", b"")])

    package, _created = install(data)

    assert not any("H5P_CONTENT_HERE" in name for name in stored())
    assert package.pk


def test_the_title_can_be_given(stored):
    package, _created = install(minimal_package(), title="  Innovasjonsquiz ")

    assert package.title == "Innovasjonsquiz"


def test_a_long_title_is_shortened():
    package, _created = install(minimal_package(title="x" * 400))

    assert package.title == "x" * 255


@pytest.mark.parametrize("kind", ["path", "str", "uploaded", "file", "unseekable"])
def test_the_upload_may_be_a_path_an_uploaded_file_or_a_stream(kind, tmp_path):
    data = minimal_package()
    path = tmp_path / "quiz.h5p"
    path.write_bytes(data)

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    upload = {
        "path": lambda: path,
        "str": lambda: str(path),
        "uploaded": lambda: SimpleUploadedFile("quiz.h5p", data),
        "file": lambda: File(path.open("rb"), name="quiz.h5p"),
        "unseekable": Unseekable,
    }[kind]()

    package, created = install_package(upload=upload, uploaded_by=None, allow_new_libraries=True)

    assert created
    assert package.sha256 == sha(data)


def test_a_dependency_in_the_package_is_installed_and_linked(stored):
    package, _created = install(make_zip(with_helper_entries()))

    assert sorted(str(library) for library in package.libraries.all()) == [
        "H5P.Helper 1.0.0",
        "H5P.Minimal 1.0.0",
    ]
    assert "libraries/H5P.Helper-1.0/library.json" in stored()


def test_a_library_folder_may_be_named_without_its_version(stored):
    entries = [
        Entry(entry.name.replace("H5P.Minimal-1.0/", "H5P.Minimal/"), entry.data)
        for entry in minimal_entries()
    ]

    install(make_zip(entries))

    # Stored under the versioned name all the same.
    assert "libraries/H5P.Minimal-1.0/library.json" in stored()


def test_versions_written_as_text_are_understood():
    # h5p.json from Lumi writes "majorVersion": "1" (see corpus.h5p_json).
    package, _created = install(minimal_package())

    assert package.main_library.major_version == 1


# The same file twice -------------------------------------------------------------------------


def test_the_same_file_twice_returns_the_stored_package_and_writes_nothing(
    stored, h5p_root, facilitator
):
    data = minimal_package()
    first, _created = install(data)
    files = {name: (h5p_root / name).stat().st_mtime_ns for name in stored()}

    again, created = install(data, user=facilitator, allow=False, title="Other title")

    assert not created
    assert again == first
    assert again.title == "Minimal"
    assert {name: (h5p_root / name).stat().st_mtime_ns for name in stored()} == files
    assert H5PPackage.objects.count() == 1


# Who may install libraries -------------------------------------------------------------------


def test_without_the_permission_new_libraries_are_refused(nothing_stored):
    with pytest.raises(PackageRejected) as caught:
        install(make_zip(with_helper_entries()), allow=False)

    assert caught.value.problems == [
        "This package needs new libraries (H5P.Helper 1.0.0, H5P.Minimal 1.0.0) that only an "
        "administrator may install. Ask an administrator to upload it first; then you can "
        "upload it too."
    ]
    nothing_stored()


def test_once_the_libraries_exist_a_facilitator_may_upload(stored, h5p_admin, facilitator):
    install(minimal_package(title="Administrator's"), user=h5p_admin)
    library = H5PLibrary.objects.get()

    package, created = install(
        minimal_package(title="Facilitator's"), user=facilitator, allow=False
    )

    assert created
    assert package.uploaded_by == facilitator
    assert list(package.libraries.all()) == [library]
    assert H5PLibrary.objects.get().installed_by == h5p_admin


def test_a_package_relying_on_an_installed_dependency_is_accepted(stored):
    install(make_zip(with_helper_entries()))

    package, _created = install(
        make_zip(
            [
                *with_helper_entries(include_helper=False),
                Entry("content/extra.json", b"{}"),
            ]
        ),
        allow=False,
    )

    assert {library.machine_name for library in package.libraries.all()} == {MAIN, HELPER}


def test_the_dependencies_of_installed_libraries_are_linked_too():
    install(make_zip(with_helper_entries()))
    # A package holding only the main library, which needs the installed helper.
    entries = [
        entry
        for entry in with_helper_entries(include_helper=False)
        if entry.name != "content/content.json"
    ]
    entries.append(Entry("content/content.json", b'{"another": true}'))

    package, _created = install(make_zip(entries), allow=False)

    assert package.libraries.count() == 2


# Patches -----------------------------------------------------------------------------------


def test_a_newer_patch_replaces_the_installed_library(stored, h5p_root, facilitator):
    first, _created = install(
        patched_package(0, title="First", extra=(Entry("H5P.Minimal-1.0/scripts/old.js", b"1"),))
    )

    second, _created = install(patched_package(2, title="Second"))

    library = H5PLibrary.objects.get()
    assert library.patch_version == 2
    assert library.metadata["patchVersion"] == 2
    script = (h5p_root / "libraries/H5P.Minimal-1.0/scripts/main.js").read_bytes()
    assert script == b"/* H5P.Minimal 1.0.2 */"
    assert "libraries/H5P.Minimal-1.0/scripts/old.js" not in stored()  # gone with patch 0
    assert list(first.libraries.all()) == [library]
    assert list(second.libraries.all()) == [library]


def test_a_newer_patch_needs_the_permission(facilitator, nothing_stored):
    install(patched_package(2, title="Installed"))

    with pytest.raises(PackageRejected) as caught:
        install(patched_package(3, title="Newer"), user=facilitator, allow=False)

    assert "H5P.Minimal 1.0.3 (installed: 1.0.2)" in caught.value.problems[0]
    assert H5PLibrary.objects.get().patch_version == 2
    assert H5PPackage.objects.count() == 1


@pytest.mark.parametrize("patch", [1, 2])
def test_an_older_or_equal_patch_is_ignored(patch, h5p_root, facilitator):
    install(patched_package(2, title="Installed"))

    package, created = install(patched_package(patch, title="Older"), user=facilitator, allow=False)

    assert created
    library = H5PLibrary.objects.get()
    assert library.patch_version == 2
    script = (h5p_root / "libraries/H5P.Minimal-1.0/scripts/main.js").read_bytes()
    assert script == b"/* H5P.Minimal 1.0.2 */"
    assert list(package.libraries.all()) == [library]


# Libraries at play time: upgrades of shared libraries -------------------------------------

EXTRA = "H5P.Extra"


def helper_upgrade(
    patch: int, *, title: str = "Upgrade", include_extra: bool = True, **helper
) -> bytes:
    """A package whose newer patch of the helper needs a library the old one did not."""
    helper.setdefault("dependencies", [(EXTRA, 1, 0)])
    entries = [
        Entry("h5p.json", as_json(h5p_json(title=title))),
        Entry("content/content.json", as_json({"title": title})),
        *library_entries(dependencies=[(HELPER, 1, 0)]),
        *library_entries(HELPER, 1, 0, patch, **helper),
    ]
    if include_extra:
        entries += library_entries(EXTRA, 1, 0, 0)
    return make_zip(entries)


def test_play_libraries_follow_an_upgrade_installed_after_the_package(
    django_assert_num_queries,
):
    first, _created = install(make_zip(with_helper_entries()))

    install(helper_upgrade(1))
    with django_assert_num_queries(1):
        libraries = play_libraries(first)

    # Each after its dependencies: the order H5P loads them in.
    assert list(libraries) == ["H5P.Extra-1.0", "H5P.Helper-1.0", "H5P.Minimal-1.0"]
    assert libraries["H5P.Helper-1.0"].patch_version == 1
    assert all(isinstance(library, H5PLibrary) for library in libraries.values())
    # The list made at import is kept as it was (the package page shows it).
    assert {library.folder_name for library in first.libraries.all()} == {
        "H5P.Helper-1.0",
        "H5P.Minimal-1.0",
    }


def test_play_libraries_follow_dynamic_dependencies():
    first, _created = install(make_zip(with_helper_entries()))
    install(helper_upgrade(1, dependencies=(), dynamicDependencies=[dependency(EXTRA, 1, 0)]))

    assert set(play_libraries(first)) == {"H5P.Extra-1.0", "H5P.Helper-1.0", "H5P.Minimal-1.0"}


def test_play_libraries_start_from_h5p_json():
    # A library listed in h5p.json that no library.json names is needed all the same.
    install(make_zip(library_entries(EXTRA, 1, 0, 0) + minimal_entries()))
    listed = h5p_json(preloadedDependencies=[dependency(MAIN, 1, 0), dependency(EXTRA, 1, 0)])
    package, _created = install(
        make_zip([Entry("h5p.json", as_json(listed)), Entry("content/content.json", b"{}")]),
        allow=False,
    )

    assert list(play_libraries(package)) == ["H5P.Minimal-1.0", "H5P.Extra-1.0"]


def test_play_libraries_survive_a_cycle_and_leave_out_what_is_not_installed(caplog):
    package, _created = install(make_zip(with_helper_entries()))
    # Rows no validated upload makes: the helper needs the main library back, and a
    # library that is not installed.
    helper = H5PLibrary.objects.get(machine_name=HELPER)
    helper.metadata = {
        **helper.metadata,
        "preloadedDependencies": [dependency(MAIN, 1, 0), dependency("H5P.Gone", 1, 0)],
    }
    helper.save()

    libraries = play_libraries(package)

    assert list(libraries) == ["H5P.Helper-1.0", "H5P.Minimal-1.0"]
    assert "H5P.Gone 1.0" in caplog.text


def test_an_upgrade_shipped_without_its_new_dependency_is_refused(nothing_stored):
    with pytest.raises(PackageRejected) as caught:
        install(helper_upgrade(1, include_extra=False))

    assert caught.value.problems == [
        "Missing library H5P.Extra 1.0: it is neither in the package nor installed here. "
        "Export the package again with its libraries."
    ]
    nothing_stored()


def test_a_package_on_an_upgraded_library_needs_the_new_dependencies_too(facilitator):
    install(make_zip(with_helper_entries()))
    install(helper_upgrade(1))
    # Without the helper, or with its older patch: the installed patch is what will run.
    without_helper = [
        *replace(with_helper_entries(include_helper=False), "content/content.json", None),
        Entry("content/content.json", b'{"without": "helper"}'),
    ]
    older_helper = [*with_helper_entries(), Entry("content/extra.json", b"{}")]

    for entries in (without_helper, older_helper):
        package, created = install(make_zip(entries), user=facilitator, allow=False)

        assert created
        assert {library.folder_name for library in package.libraries.all()} == {
            "H5P.Extra-1.0",
            "H5P.Helper-1.0",
            "H5P.Minimal-1.0",
        }
        assert list(play_libraries(package)) == [
            "H5P.Extra-1.0",
            "H5P.Helper-1.0",
            "H5P.Minimal-1.0",
        ]


def test_an_installed_library_whose_dependency_is_gone_is_reported(stored):
    install(make_zip(with_helper_entries()))
    helper = H5PLibrary.objects.get(machine_name=HELPER)
    helper.metadata = {**helper.metadata, "preloadedDependencies": [dependency(EXTRA, 1, 0)]}
    helper.save()
    before = stored()

    with pytest.raises(PackageRejected) as caught:
        install(
            make_zip([*with_helper_entries(include_helper=False), Entry("content/a.json", b"1")])
        )

    assert caught.value.problems[0].startswith("Missing library H5P.Extra 1.0")
    assert stored() == before
    assert H5PPackage.objects.count() == 1


# Storage and failures ----------------------------------------------------------------------


def test_a_configured_courses_h5p_storage_is_used(settings, tmp_path, h5p_root):
    settings.STORAGES = {
        **settings.STORAGES,
        "courses_h5p": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "bucket")},
        },
    }

    install(patched_package(0, title="First"))
    install(patched_package(1, title="Second"))  # overwrites with a storage that renames

    assert not isinstance(h5p_storage(), H5PFileSystemStorage)
    bucket = tmp_path / "bucket"
    assert (bucket / "libraries/H5P.Minimal-1.0/scripts/main.js").read_bytes() == (
        b"/* H5P.Minimal 1.0.1 */"
    )
    assert sorted(p.name for p in (bucket / "libraries/H5P.Minimal-1.0/scripts").iterdir()) == [
        "main.js"
    ]
    assert not h5p_root.exists()


def test_the_local_storage_has_no_url():
    with pytest.raises(ValueError, match="no URL"):
        h5p_storage().url("packages/x.h5p")


def fail_after(monkeypatch, count: int) -> None:
    """Make the H5P storage fail on the `count`-th file it saves."""
    original = H5PFileSystemStorage._save
    calls = {"n": 0}

    def failing(self, name, content):
        calls["n"] += 1
        if calls["n"] >= count:
            raise OSError("disk full")
        return original(self, name, content)

    monkeypatch.setattr(h5p_storage_module.H5PFileSystemStorage, "_save", failing)


@pytest.mark.parametrize("count", [1, 2, 4, 6])
def test_a_failure_while_writing_removes_what_was_written(monkeypatch, count, nothing_stored):
    fail_after(monkeypatch, count)

    with pytest.raises(OSError, match="disk full"):
        install(make_zip(with_helper_entries()))

    nothing_stored()


def test_a_failure_while_saving_the_rows_removes_the_files(monkeypatch, nothing_stored):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("courses.h5p.services._save_rows", broken)

    with pytest.raises(RuntimeError):
        install(make_zip(with_helper_entries()))

    nothing_stored()


def test_a_failed_upgrade_leaves_the_installed_library_in_place(monkeypatch, stored, h5p_root):
    install(patched_package(0, title="First"))
    before = stored()
    # The original, the content and the first library file of the upgrade are written.
    fail_after(monkeypatch, 4)

    with pytest.raises(OSError, match="disk full"):
        install(patched_package(1, title="Second"))

    assert stored() == before
    assert H5PLibrary.objects.get().patch_version == 0
    assert H5PPackage.objects.count() == 1


# The real sample -----------------------------------------------------------------------------


def sample_libraries(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return {
            name.split("/")[0]
            for name in archive.namelist()
            if name.count("/") == 1 and name.endswith("/library.json")
        }


def test_the_sample_installs_its_libraries(sample, stored, h5p_admin):
    package, created = install_package(
        upload=sample, uploaded_by=h5p_admin, allow_new_libraries=True
    )

    assert created
    folders = sample_libraries(sample)
    assert len(folders) >= 10
    assert {library.folder_name for library in H5PLibrary.objects.all()} == folders
    assert str(package.main_library) == "H5P.TrueFalse 1.6.1"
    assert package.main_library.runnable
    assert package.title == "Hello World"
    assert "H5P.TrueFalse-1.6" in {library.folder_name for library in package.libraries.all()}
    assert "H5P.JoubelUI-1.3" in {library.folder_name for library in package.libraries.all()}
    assert f"content/{package.sha256}/content.json" in stored()
    assert not any("H5P_CONTENT_HERE" in name for name in stored())
    assert "libraries/H5P.TrueFalse-1.6/library.json" in stored()


def test_the_sample_uploaded_again_reuses_everything(sample, stored):
    first, _created = install_package(upload=sample, uploaded_by=None, allow_new_libraries=True)
    files = stored()

    again, created = install_package(upload=sample, uploaded_by=None, allow_new_libraries=False)

    assert (again, created) == (first, False)
    assert stored() == files


def retitled(sample: Path, title: str) -> bytes:
    """The sample with another title in h5p.json: another file, the same libraries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(sample) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "h5p.json":
                data = as_json({**json.loads(data), "title": title})
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_a_facilitator_gets_the_sample_once_an_administrator_installed_it(
    sample, facilitator, h5p_admin, nothing_stored
):
    with pytest.raises(PackageRejected) as caught:
        install_package(upload=sample, uploaded_by=facilitator, allow_new_libraries=False)
    assert "H5P.TrueFalse 1.6.1" in caught.value.problems[0]
    assert "only an administrator may install" in caught.value.problems[0]
    nothing_stored()

    install_package(upload=sample, uploaded_by=h5p_admin, allow_new_libraries=True)
    libraries = set(H5PLibrary.objects.values_list("pk", "patch_version"))
    package, created = install(retitled(sample, "Sant eller usant"), user=facilitator, allow=False)

    assert created
    assert package.title == "Sant eller usant"
    assert set(H5PLibrary.objects.values_list("pk", "patch_version")) == libraries


# Attaching to an activity -------------------------------------------------------------------


def test_a_package_is_attached_to_an_h5p_activity(facilitator):
    package, _created = install(minimal_package())
    activity = ActivityFactory(kind=Activity.Kind.H5P)

    attach_package(activity=activity, package=package, user=facilitator)

    activity.refresh_from_db()
    assert activity.h5p_package == package
    assert list(attachable_activities(facilitator)) == [activity]


def test_only_h5p_activities_take_a_package(facilitator):
    package, _created = install(minimal_package())
    page = ActivityFactory(kind=Activity.Kind.PAGE)

    with pytest.raises(ValidationError):
        attach_package(activity=page, package=package, user=facilitator)


def test_attaching_needs_the_permission_to_change_activities(h5p_admin):
    from tests.factories import UserFactory

    package, _created = install(minimal_package())
    activity = ActivityFactory(kind=Activity.Kind.H5P)
    uploader = UserFactory()

    with pytest.raises(PermissionDenied):
        attach_package(activity=activity, package=package, user=uploader)
    assert not attachable_activities(uploader).exists()
