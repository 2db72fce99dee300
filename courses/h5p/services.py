"""Installing H5P packages, and attaching them to activities.

`install_package` validates the whole package before it writes anything; then it writes the
files (the original, the content, the libraries to install) and only then the rows, in one
transaction. If anything fails on the way, the files it wrote are removed again.

`play_libraries` says which installed libraries a package needs when it is played: worked
out then, from the libraries installed at that moment, as H5P core does.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..adapter import limit_to_editable
from ..models import Activity, H5PLibrary, H5PPackage
from . import app_settings
from .storage import content_path, h5p_storage, library_path, package_path, walk_files
from .validation import (
    InstalledLibrary,
    LibraryRef,
    PackageLibrary,
    PackageRejected,
    ValidatedPackage,
    open_archive,
    validate_archive,
)

Upload = Any  # a django File or UploadedFile, a path, or a binary file object
HASH_CHUNK_BYTES = 1024 * 1024
SPOOL_BYTES = 8 * 1024 * 1024
logger = logging.getLogger(__name__)


def ref_of(library: H5PLibrary) -> LibraryRef:
    return LibraryRef(library.machine_name, library.major_version, library.minor_version)


def dependencies_in(metadata: Any) -> tuple[LibraryRef, ...]:
    """The preloaded and dynamic dependencies named in a stored library.json."""
    refs: list[LibraryRef] = []
    if isinstance(metadata, dict):
        for key in ("preloadedDependencies", "dynamicDependencies"):
            for item in metadata.get(key) or []:
                try:
                    refs.append(
                        LibraryRef(
                            str(item["machineName"]),
                            int(item["majorVersion"]),
                            int(item["minorVersion"]),
                        )
                    )
                except (KeyError, TypeError, ValueError):
                    continue
    return tuple(dict.fromkeys(refs))


def play_libraries(package: H5PPackage) -> dict[str, H5PLibrary]:
    """Every installed library `package` needs to be played now, by folder name
    ("H5P.Question-1.5"), each after the libraries it depends on.

    Why not `package.libraries`: that is the closure worked out when the package was
    imported. A later import may install a newer patch of a shared library whose
    library.json needs other libraries (H5P.SingleChoiceSet 1.11.44 needs H5P.Question
    1.5, where 1.11.14 needed an older one); the player (h5p-standalone reads each
    library.json and follows its dependencies) then asks for a library that list lacks.
    H5P core recomputes a content's dependencies after a library upgrade
    (`H5PCore::saveLibraries` clears the filtered parameters, `filterParameters` saves the
    dependencies again, found by `findLibraryDependencies` in the installed libraries);
    here they are computed whenever they are asked for: from h5p.json's
    `preloadedDependencies` and the main library, following the preloaded and dynamic
    dependencies in the `metadata` (library.json) of the installed rows. A dependency on a
    major.minor is the installed row of that major.minor, i.e. its newest patch.

    One query, for all installed libraries (a site has at most a few hundred): the walk
    needs each library's metadata before it knows the next ones to fetch. A dependency
    that is not installed (never the case for a package validated here) is left out and
    logged.
    """
    rows = {ref_of(row): row for row in H5PLibrary.objects.all()}
    by_pk = {row.pk: row for row in rows.values()}
    h5p_json = package.h5p_json if isinstance(package.h5p_json, dict) else {}
    roots = list(dependencies_in({"preloadedDependencies": h5p_json.get("preloadedDependencies")}))
    main = by_pk.get(package.main_library_id)
    if main is not None:
        roots.insert(0, ref_of(main))

    found: dict[str, H5PLibrary] = {}
    entered: set[LibraryRef] = set()
    missing: dict[LibraryRef, None] = {}
    # Depth first, iteratively (no recursion limit to meet), a library added once all its
    # dependencies are: the order H5P core loads them in. A cycle is followed only once.
    stack: list[tuple[LibraryRef, bool]] = [(ref, False) for ref in reversed(roots)]
    while stack:
        ref, done = stack.pop()
        row = rows.get(ref)
        if row is None:
            missing[ref] = None
            continue
        if done:
            found.setdefault(row.folder_name, row)
            continue
        if ref in entered:
            continue
        entered.add(ref)
        stack.append((ref, True))
        stack.extend(
            (dependency, False)
            for dependency in reversed(dependencies_in(row.metadata))
            if dependency not in entered
        )
    if missing:
        logger.warning(
            "H5P package %s needs libraries that are not installed: %s",
            package.pk,
            ", ".join(str(ref) for ref in missing),
        )
    return found


def installed_libraries() -> dict[LibraryRef, InstalledLibrary]:
    return {
        ref_of(library): InstalledLibrary(library.patch_version, dependencies_in(library.metadata))
        for library in H5PLibrary.objects.only(
            "machine_name", "major_version", "minor_version", "patch_version", "metadata"
        )
    }


def libraries_to_install(
    package: ValidatedPackage, installed: dict[LibraryRef, InstalledLibrary]
) -> list[PackageLibrary]:
    """The package's libraries that are new here, or newer patches of installed ones."""
    return [
        library
        for ref, library in sorted(package.libraries.items())
        if ref not in installed or library.patch > installed[ref].patch
    ]


@contextmanager
def _opened(upload: Upload) -> Iterator[tuple[IO[bytes], int]]:
    """The upload as a seekable binary file and its size (copied to a temporary file only
    if it cannot seek)."""
    if isinstance(upload, str | os.PathLike):
        with open(upload, "rb") as handle:
            yield handle, os.fstat(handle.fileno()).st_size
        return
    if isinstance(upload, File) and upload.closed:
        upload.open("rb")
    seekable = getattr(upload, "seekable", None)
    if callable(seekable) and seekable():
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
        yield upload, size
        return
    limit = app_settings.MAX_TOTAL_BYTES()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as copy:
        size = 0
        while chunk := upload.read(HASH_CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                break
            copy.write(chunk)
        copy.seek(0)
        yield copy, size


def _sha256(fileobj: IO[bytes]) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    while chunk := fileobj.read(HASH_CHUNK_BYTES):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


class _Writer:
    """Writes files under exact names, remembering them so a failure can remove them."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.written: list[str] = []

    def save(self, name: str, opener: Callable[[], IO[bytes]], size: int) -> None:
        saved = self._save(name, opener, size)
        if saved != name:
            # A storage that keeps existing files chose another name: replace the file.
            self.storage.delete(saved)
            self.storage.delete(name)
            saved = self._save(name, opener, size)
            if saved != name:
                self.storage.delete(saved)
                raise OSError(f"The H5P storage did not store {name} under its name.")

    def _save(self, name: str, opener: Callable[[], IO[bytes]], size: int) -> str:
        stream = opener()
        try:
            content = File(stream, name=name)
            content.size = size
            saved = self.storage.save(name, content)
        finally:
            stream.close()
        self.written.append(saved)
        return saved

    def remove(self, keep: Callable[[str], bool]) -> None:
        for name in reversed(self.written):
            if keep(name):
                continue
            try:
                self.storage.delete(name)
            except Exception:  # noqa: S112 - best effort: the original error matters more
                continue


class _Borrowed:
    """The upload itself, read from the start; the writer's close() leaves it open."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self.fileobj = fileobj

    def __call__(self) -> Any:
        self.fileobj.seek(0)
        return self

    def read(self, size: int = -1) -> bytes:
        return self.fileobj.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.fileobj.seek(offset, whence)

    def tell(self) -> int:
        return self.fileobj.tell()

    def seekable(self) -> bool:
        return True

    @property
    def closed(self) -> bool:
        # Object storage (boto3's upload) asks before reading: open while the upload is.
        return bool(getattr(self.fileobj, "closed", False))

    def close(self) -> None:
        """The caller's file stays open."""


def _needs_permission_problem(
    to_install: list[PackageLibrary], installed: dict[LibraryRef, InstalledLibrary]
) -> str:
    names = []
    for library in to_install:
        current = installed.get(library.ref)
        if current is None:
            names.append(library.version)
        else:
            names.append(
                _("%(library)s (installed: %(version)s)")
                % {
                    "library": library.version,
                    "version": f"{library.ref.major}.{library.ref.minor}.{current.patch}",
                }
            )
    return _(
        "This package needs new libraries (%(libraries)s) that only an administrator may "
        "install. Ask an administrator to upload it first; then you can upload it too."
    ) % {"libraries": ", ".join(names)}


def install_package(
    *,
    upload: Upload,
    uploaded_by: Any,
    allow_new_libraries: bool,
    title: str | None = None,
) -> tuple[H5PPackage, bool]:
    """Validate and store an `.h5p` package; returns (package, created).

    The same file uploaded again returns the package already stored (created False) and
    writes nothing. Libraries the package holds that are not installed, or newer patches of
    installed ones, are installed only with `allow_new_libraries` (the permission
    `courses.install_h5p_library`); an older or equal patch is ignored. `title` overrides
    the title in h5p.json.

    Raises PackageRejected, naming every problem, with nothing written to the storage or
    the database.
    """
    with _opened(upload) as (fileobj, size):
        limit = app_settings.MAX_TOTAL_BYTES()
        if size > limit:
            raise PackageRejected(
                [_("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)}]
            )
        if size == 0:
            raise PackageRejected([_("The file is empty.")])
        sha256 = _sha256(fileobj)
        existing = H5PPackage.objects.filter(sha256=sha256).first()
        if existing is not None:
            return existing, False
        with open_archive(fileobj) as archive:  # closing it leaves the upload open
            installed = installed_libraries()
            package = validate_archive(archive, installed=installed)
            to_install = libraries_to_install(package, installed)
            if to_install and not allow_new_libraries:
                raise PackageRejected([_needs_permission_problem(to_install, installed)])
            return _store(
                fileobj=fileobj,
                size=size,
                sha256=sha256,
                package=package,
                to_install=to_install,
                installed=installed,
                uploaded_by=uploaded_by,
                title=(title or "").strip() or package.title,
            )


def _store(
    *,
    fileobj: IO[bytes],
    size: int,
    sha256: str,
    package: ValidatedPackage,
    to_install: list[PackageLibrary],
    installed: dict[LibraryRef, InstalledLibrary],
    uploaded_by: Any,
    title: str,
) -> tuple[H5PPackage, bool]:
    storage = h5p_storage()
    writer = _Writer(storage)
    archive = package.archive
    upgrades = [library for library in to_install if library.ref in installed]
    new_libraries = [library for library in to_install if library.ref not in installed]
    # Files an upgraded library had before: overwritten in place, never removed on failure;
    # those the new patch no longer has are removed once it is installed.
    previous_files = {
        library.ref: set(walk_files(storage, library_path(library.ref.folder_name)))
        for library in upgrades
    }

    def opener(info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
        return lambda: archive.open(info)

    def write_library(library: PackageLibrary) -> None:
        folder = library_path(library.ref.folder_name)
        for info in library.files:
            if not info.is_dir():
                name = f"{folder}/{library.relative_name(info)}"
                writer.save(name, opener(info), info.file_size)

    try:
        writer.save(package_path(sha256), _Borrowed(fileobj), size)
        for info in package.content_files:
            name = f"{content_path(sha256)}/{package.content_name(info)}"
            writer.save(name, opener(info), info.file_size)
        for library in new_libraries:
            write_library(library)
        # Last, so that an earlier failure leaves the installed libraries untouched.
        for library in upgrades:
            write_library(library)
        stored = _save_rows(
            sha256=sha256,
            size=size,
            package=package,
            to_install=to_install,
            uploaded_by=uploaded_by,
            title=title,
        )
    except IntegrityError:
        existing = H5PPackage.objects.filter(sha256=sha256).first()
        if existing is not None:
            # The same file stored at the same moment by another request: it wrote the
            # same files under the same names, so nothing is removed.
            return existing, False
        _remove_written(writer, previous_files)
        raise PackageRejected(
            [_("Another upload was installing the same libraries just now. Try again.")]
        ) from None
    except BaseException:
        _remove_written(writer, previous_files)
        raise
    for library in upgrades:
        new_names = {
            f"{library_path(library.ref.folder_name)}/{library.relative_name(info)}"
            for info in library.files
        }
        for name in previous_files[library.ref] - new_names:
            storage.delete(name)
    return stored, True


def _remove_written(writer: _Writer, previous_files: dict[LibraryRef, set[str]]) -> None:
    kept = set().union(*previous_files.values()) if previous_files else set()
    # Libraries another upload has installed meanwhile keep their files.
    now_installed = {
        library.folder_name
        for library in H5PLibrary.objects.only("machine_name", "major_version", "minor_version")
    }
    prefixes = tuple(f"{library_path(folder)}/" for folder in now_installed)

    def keep(name: str) -> bool:
        return name in kept or (bool(prefixes) and name.startswith(prefixes))

    writer.remove(keep)


@transaction.atomic
def _save_rows(
    *,
    sha256: str,
    size: int,
    package: ValidatedPackage,
    to_install: list[PackageLibrary],
    uploaded_by: Any,
    title: str,
) -> H5PPackage:
    rows: dict[LibraryRef, H5PLibrary] = {}
    now = timezone.now()
    for library in to_install:
        row = (
            H5PLibrary.objects.select_for_update()
            .filter(
                machine_name=library.ref.machine_name,
                major_version=library.ref.major,
                minor_version=library.ref.minor,
            )
            .first()
        ) or H5PLibrary(
            machine_name=library.ref.machine_name,
            major_version=library.ref.major,
            minor_version=library.ref.minor,
        )
        row.patch_version = library.patch
        row.title = library.title
        row.runnable = library.runnable
        row.metadata = library.metadata
        row.files_path = library_path(library.ref.folder_name)
        row.installed_at = now
        row.installed_by = uploaded_by
        # The unique version is left to the database: a concurrent install is an IntegrityError.
        row.full_clean(validate_constraints=False)
        row.save()
        rows[library.ref] = row
    for row in H5PLibrary.objects.all():
        rows.setdefault(ref_of(row), row)
    stored = H5PPackage(
        sha256=sha256,
        title=title[:255],
        main_library=rows[package.main_library],
        h5p_json=package.h5p_json,
        original_path=package_path(sha256),
        content_path=content_path(sha256),
        size=size,
        uploaded_by=uploaded_by,
    )
    stored.full_clean(validate_unique=False)
    stored.save()
    stored.libraries.set([rows[ref] for ref in package.needed])
    return stored


def attachable_activities(user: Any) -> Any:
    """The H5P activities `user` may attach a package to: in the courses the adapter lets
    them change (`editable_courses`: a shared course is its owner's), and only with the
    permission to change activities."""
    activities = Activity.objects.filter(kind=Activity.Kind.H5P).select_related(
        "module__course", "h5p_package"
    )
    if not user.has_perm("courses.change_activity"):
        return activities.none()
    activities = limit_to_editable(activities, user, "module__course")
    return activities.order_by("module__course__title", "module__position", "position")


# Content types that never report a score (H5P's informational types): by default they
# complete when viewed to the end, or they could never be completed.
UNSCORED_CONTENT_TYPES = frozenset(
    {
        "H5P.Accordion",
        "H5P.Agamotto",
        "H5P.AdvancedText",
        "H5P.Audio",
        "H5P.Chart",
        "H5P.Collage",
        "H5P.Column",
        "H5P.Dialogcards",
        "H5P.IFrameEmbed",
        "H5P.Image",
        "H5P.ImageHotspots",
        "H5P.ImageJuxtaposition",
        "H5P.ImageSlider",
        "H5P.Table",
        "H5P.Text",
        "H5P.Timeline",
        "H5P.Video",
    }
)


def suggested_completion(package: H5PPackage) -> str:
    """How an activity showing `package` should complete, unless the facilitator chooses:
    "viewed to the end" for content types that never send a score, else by score."""
    if package.main_library.machine_name in UNSCORED_CONTENT_TYPES:
        return Activity.H5PCompletion.VIEWED
    return Activity.H5PCompletion.SCORE


def attach_package(
    *,
    activity: Activity,
    package: H5PPackage,
    user: Any,
    completion: str | None = None,
    min_score: float | None = None,
) -> Activity:
    """Make `package` the content of an H5P activity (replacing any earlier package), to be
    completed by `completion` (an `Activity.H5PCompletion`; default: `suggested_completion`)
    and, for the score rule, `min_score` (0–1; None: any score above zero)."""
    if activity.kind != Activity.Kind.H5P:
        raise ValidationError(_("Only an H5P activity can show an H5P package."))
    if not attachable_activities(user).filter(pk=activity.pk).exists():
        raise PermissionDenied
    activity.h5p_package = package
    activity.h5p_completion = completion or suggested_completion(package)
    activity.h5p_min_score = (
        min_score if activity.h5p_completion == Activity.H5PCompletion.SCORE else None
    )
    activity.full_clean()
    activity.save(update_fields=["h5p_package", "h5p_completion", "h5p_min_score"])
    return activity
