"""Our own validation of an `.h5p` package, following the rules of H5P core's validator.

The package is read as a stream with `zipfile` over the uploaded file: nothing is ever
extracted, and nothing is written. In order:

1. it must be a zip whose table of contents is of a sane size;
2. every entry's name must be safe (no absolute path, no `..`, no backslash, no
   symbolic link or other special file) and not encrypted; every entry that is used must
   be unique;
3. the declared sizes must be within the limits (COURSES_H5P_MAX_FILES,
   COURSES_H5P_MAX_FILE_BYTES, COURSES_H5P_MAX_TOTAL_BYTES) and must not compress
   suspiciously well (a zip bomb);
4. every file used must be where H5P expects it (`content/` with a narrow list of media
   types, library folders with a wider one);
5. every file used is then decompressed (and thrown away, except the JSON files we read),
   counting the real bytes, so a header that lies about its size is caught;
6. `h5p.json`, `content/content.json` and each library's `library.json` must be valid, each
   library folder must match its `library.json`, and every library needed must be in the
   package or already installed.

Like H5P core (`H5PValidator::isValidPackage` in h5p-php-library's h5p.classes.php), some
entries are not used at all, neither read nor stored nor reported: every file or folder whose
path has a segment starting with `.` or `_` (`.DS_Store`, `__MACOSX/._h5p.json` from a zip
made on a Mac, `.git/`), and every file at the top other than `h5p.json` (H5P core unpacks
only `content/` and the library folders). A skipped entry still passes the safety checks
of step 2 and counts towards the sizes of step 3: skipping must never let an unsafe entry,
or a zip bomb, through.

Problems are collected and raised together as `PackageRejected`, whose `problems` name each
one, once, in words a facilitator understands.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import app_settings

# H5P core's content allow-list, narrowed: nothing the browser would run or render as a
# document of our origin (no js, css, svg, html, xml).
CONTENT_EXTENSIONS = frozenset(
    (
        "json",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "tif",
        "tiff",
        "webp",
        "mp4",
        "webm",
        "ogg",
        "mp3",
        "m4a",
        "wav",
        "txt",
        "pdf",
        "rtf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "csv",
        "diff",
        "patch",
        "swf",
        "md",
        "textile",
        "vtt",
    )
)
# H5P core's library allow-list: the content list plus what libraries are made of
# (scripts, styles, fonts, vector images and XML).
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | frozenset(
    ("js", "css", "svg", "xml", "eot", "ttf", "otf", "woff", "woff2")
)
MACHINE_NAME = re.compile(r"^[\w.-]{1,255}$", re.ASCII)
VERSION = re.compile(r"^[0-9]{1,5}$")
EMBED_TYPES = frozenset({"div", "iframe"})
DEPENDENCY_KEYS = ("preloadedDependencies", "dynamicDependencies")

TOTAL_RATIO_LIMIT = 100  # unpacked / packed, for the whole package
ENTRY_RATIO_LIMIT = 200  # unpacked / packed, for one file
RATIO_MIN_BYTES = 1024 * 1024  # ratios are only suspicious above this size
MAX_NAME_LENGTH = 255
MAX_JSON_BYTES = 16 * 1024 * 1024
CENTRAL_DIRECTORY_BYTES_PER_ENTRY = 1024
MAX_PROBLEMS_LISTED = 25
CHUNK_BYTES = 64 * 1024
ACCEPTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
H5P_JSON = "h5p.json"
CONTENT_FOLDER = "content"
CONTENT_JSON = "content/content.json"
LIBRARY_JSON = "library.json"


class PackageRejected(ValidationError):
    """An H5P package we refuse; `problems` names each problem (at most a few dozen).

    The same problem found several times (a file that appears in the zip again and again,
    a missing library many others need) is listed once: a list repeating itself hides the
    other problems from the person who has to fix the package.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        listed = list(dict.fromkeys(problems))
        if len(listed) > MAX_PROBLEMS_LISTED:
            rest = len(listed) - MAX_PROBLEMS_LISTED
            listed = [
                *listed[:MAX_PROBLEMS_LISTED],
                ngettext("… and %(count)d more problem.", "… and %(count)d more problems.", rest)
                % {"count": rest},
            ]
        self.problems: list[str] = listed
        super().__init__(listed)

    def __str__(self) -> str:
        return "; ".join(self.problems)


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_file_bytes: int
    max_total_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_files=app_settings.MAX_FILES(),
            max_file_bytes=app_settings.MAX_FILE_BYTES(),
            max_total_bytes=app_settings.MAX_TOTAL_BYTES(),
        )


@dataclass(frozen=True, order=True)
class LibraryRef:
    """A library as H5P names a dependency: machine name and major.minor version."""

    machine_name: str
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}"

    @property
    def folder_name(self) -> str:
        return f"{self.machine_name}-{self.major}.{self.minor}"


@dataclass(frozen=True)
class InstalledLibrary:
    """What validation needs to know of an installed library."""

    patch: int
    dependencies: tuple[LibraryRef, ...] = ()


@dataclass
class PackageLibrary:
    """A library folder of the package, with its validated `library.json`."""

    ref: LibraryRef
    patch: int
    title: str
    runnable: bool
    metadata: dict[str, Any]
    folder: str
    files: list[zipfile.ZipInfo]
    dependencies: tuple[LibraryRef, ...]

    @property
    def version(self) -> str:
        return f"{self.ref.machine_name} {self.ref.major}.{self.ref.minor}.{self.patch}"

    def relative_name(self, info: zipfile.ZipInfo) -> str:
        return info.filename[len(self.folder) + 1 :]


@dataclass
class ValidatedPackage:
    """A package that passed every check: what to store and what it needs."""

    archive: zipfile.ZipFile
    h5p_json: dict[str, Any]
    title: str
    main_library: LibraryRef
    libraries: dict[LibraryRef, PackageLibrary]
    content_files: list[zipfile.ZipInfo]
    needed: list[LibraryRef] = field(default_factory=list)
    unpacked_bytes: int = 0

    @staticmethod
    def content_name(info: zipfile.ZipInfo) -> str:
        """The file's name inside the content folder."""
        return info.filename[len(CONTENT_FOLDER) + 1 :]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _extension(name: str) -> str:
    last = name.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def _version(value: Any) -> int | None:
    """A version number as H5P writes it: an integer, or digits in a string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value <= 99999:
        return value
    if isinstance(value, str) and VERSION.match(value):
        return int(value)
    return None


def _dependency(value: Any) -> LibraryRef | None:
    if not isinstance(value, dict):
        return None
    name = value.get("machineName")
    major, minor = _version(value.get("majorVersion")), _version(value.get("minorVersion"))
    if not isinstance(name, str) or not MACHINE_NAME.match(name) or major is None:
        return None
    if minor is None:
        return None
    return LibraryRef(name, major, minor)


def _dependencies(data: dict[str, Any], key: str, where: str, problems: list[str]) -> list[Any]:
    """The dependencies listed under `key`, reporting a malformed list."""
    value = data.get(key, [])
    refs = [_dependency(item) for item in value] if isinstance(value, list) else [None]
    if None in refs:
        problems.append(
            _(
                "%(file)s: “%(key)s” must be a list of libraries, each with machineName, "
                "majorVersion and minorVersion."
            )
            % {"file": where, "key": key}
        )
        return []
    return refs


# 1. The zip itself ---------------------------------------------------------------------------


def open_archive(fileobj: IO[bytes], limits: Limits | None = None) -> zipfile.ZipFile:
    """Open the upload as a zip, refusing anything else, and a table of contents too large
    to read (checked before `zipfile` reads it into memory)."""
    limits = limits or Limits.from_settings()
    fileobj.seek(0)
    end_record = _end_record(fileobj)
    if end_record is None:
        raise PackageRejected(
            [_("This is not an H5P package: the file is not a zip archive (.h5p).")]
        )
    entries, directory_bytes = end_record
    if entries > limits.max_files:
        raise PackageRejected([_too_many(entries, limits)])
    if directory_bytes > max(limits.max_files, 1) * CENTRAL_DIRECTORY_BYTES_PER_ENTRY:
        raise PackageRejected(
            [_("The package's table of contents is unreasonably large: it is not accepted.")]
        )
    try:
        fileobj.seek(0)
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise PackageRejected(
            [_("The package is damaged: its zip archive cannot be read.")]
        ) from None
    if len(archive.infolist()) > limits.max_files:
        raise PackageRejected([_too_many(len(archive.infolist()), limits)])
    return archive


def _too_many(count: int, limits: Limits) -> str:
    return _("The package holds %(count)d files and folders; at most %(limit)d are allowed.") % {
        "count": count,
        "limit": limits.max_files,
    }


def _end_record(fileobj: IO[bytes]) -> tuple[int, int] | None:
    """(number of entries, size of the table of contents) from the zip's end record, or
    None when the file is not a zip."""
    try:
        record = zipfile._EndRecData(fileobj)  # type: ignore[attr-defined]
    except (OSError, EOFError, ValueError, zipfile.BadZipFile):
        return None
    except AttributeError:  # a Python without the helper: let ZipFile decide
        fileobj.seek(0)
        return (0, 0) if zipfile.is_zipfile(fileobj) else None
    if not record:
        return None
    return int(record[zipfile._ECD_ENTRIES_TOTAL]), int(record[zipfile._ECD_SIZE])  # type: ignore[attr-defined]


# 2. and 3. Names, file types and declared sizes ------------------------------------------


def _name_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if not name.strip("/"):
        return _("The package holds an entry without a name.")
    if "\\" in name:
        return _("“%(name)s”: names with a backslash are not allowed.") % {"name": name}
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return _("“%(name)s”: absolute paths are not allowed.") % {"name": name}
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return _("“%(name)s”: names with control characters are not allowed.") % {
            "name": name.encode("unicode_escape").decode("ascii")
        }
    if len(name) > MAX_NAME_LENGTH:
        return _("“%(name)s…”: the name is longer than %(limit)d characters.") % {
            "name": name[:60],
            "limit": MAX_NAME_LENGTH,
        }
    segments = name.rstrip("/").split("/")
    if any(segment in ("..", ".") for segment in segments):
        return _("“%(name)s”: paths with “..” point outside the package and are not allowed.") % {
            "name": name
        }
    if any(not segment for segment in segments):
        return _("“%(name)s”: paths with an empty folder name are not allowed.") % {"name": name}
    mode = info.external_attr >> 16
    file_type = stat.S_IFMT(mode)
    if file_type == stat.S_IFLNK:
        return _("“%(name)s” is a symbolic link: links are not allowed.") % {"name": name}
    if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
        return _("“%(name)s” is not an ordinary file: it is not allowed.") % {"name": name}
    if info.flag_bits & 0x1:
        return _("“%(name)s” is encrypted: encrypted packages are not accepted.") % {"name": name}
    if info.compress_type not in ACCEPTED_COMPRESSION:
        return _(
            "“%(name)s” uses a compression method H5P does not use; export the package again."
        ) % {"name": name}
    return None


def is_skipped(name: str) -> bool:
    """Whether H5P core skips this entry: a file or folder with a segment of its path
    starting with `.` or `_` (`.DS_Store`, `__MACOSX/._h5p.json`, `.git/config`).

    Such entries are what tools add to a package (the Finder, version control), never
    part of the content or of a library, and H5P core neither unpacks nor reports them.
    Only ask this of a name `_name_problem` found safe: `.` and `..` start with a dot too.
    """
    return any(segment.startswith((".", "_")) for segment in name.rstrip("/").split("/"))


def _is_ignored(info: zipfile.ZipInfo) -> bool:
    """Whether the entry is a file at the top other than h5p.json (`README.md`, a stray
    `extra.json`, `H5P_CONTENT_HERE.txt`): H5P core unpacks only `content/` and the library
    folders, so such a file is neither read nor stored, whatever its type."""
    return "/" not in info.filename and info.filename != H5P_JSON


def _check_entries(
    archive: zipfile.ZipFile, limits: Limits
) -> tuple[list[zipfile.ZipInfo], list[str]]:
    """Names, special files, duplicates and declared sizes: nothing is decompressed yet.

    Returns the entries to use (every safe entry that H5P core neither skips nor ignores)
    and the problems. Every entry, used or not, must have a safe name and be an ordinary
    file or folder, and its declared size counts: an unused entry is never read, but a
    package that carries a link, a path out of the package or a bomb is not one to trust
    with the rest.
    """
    problems: list[str] = []
    counts: dict[str, int] = {}
    used: list[zipfile.ZipInfo] = []
    for info in archive.infolist():
        problem = _name_problem(info)
        if problem:
            problems.append(problem)
            continue
        if is_skipped(info.filename) or _is_ignored(info):
            continue
        counts[info.filename] = counts.get(info.filename, 0) + 1
        if counts[info.filename] == 1:
            used.append(info)
    # Which of two entries of the same name would be unpacked is anyone's guess: refused,
    # and named once however often it appears.
    problems.extend(
        _("“%(name)s” appears twice in the package.") % {"name": name}
        for name, count in counts.items()
        if count > 1
    )
    folders: set[str] = set()
    for info in used:
        parts = info.filename.rstrip("/").split("/")
        folders.update("/".join(parts[:index]) for index in range(1, len(parts)))
    for info in used:
        if not info.is_dir() and info.filename in folders:
            problems.append(_("“%(name)s” is both a file and a folder.") % {"name": info.filename})
    if problems:
        return used, problems

    total = packed = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        total += info.file_size
        packed += info.compress_size
        if info.file_size > limits.max_file_bytes:
            problems.append(
                _("“%(name)s” is larger than %(limit)s MB.")
                % {"name": info.filename, "limit": _megabytes(limits.max_file_bytes)}
            )
        elif (
            info.file_size > RATIO_MIN_BYTES
            and info.file_size / max(info.compress_size, 1) > ENTRY_RATIO_LIMIT
        ):
            problems.append(_bomb(info.filename))
    if total > limits.max_total_bytes:
        problems.append(
            _("The package unpacks to more than %(limit)s MB.")
            % {"limit": _megabytes(limits.max_total_bytes)}
        )
    elif total > RATIO_MIN_BYTES and total / max(packed, 1) > TOTAL_RATIO_LIMIT:
        problems.append(
            _("The package is compressed suspiciously well (a “zip bomb”): it is not unpacked.")
        )
    return used, problems


def _bomb(name: str) -> str:
    return _("“%(name)s” is compressed suspiciously well (a “zip bomb”): it is not unpacked.") % {
        "name": name
    }


# 4. Where each file belongs ----------------------------------------------------------------


@dataclass
class _Layout:
    h5p_json: zipfile.ZipInfo | None = None
    content: list[zipfile.ZipInfo] = field(default_factory=list)
    libraries: dict[str, list[zipfile.ZipInfo]] = field(default_factory=dict)

    def to_read(self) -> list[zipfile.ZipInfo]:
        """The files that will be read or stored (content and libraries, with h5p.json)."""
        files = [self.h5p_json] if self.h5p_json is not None else []
        files.extend(self.content)
        for entries in self.libraries.values():
            files.extend(info for info in entries if not info.is_dir())
        return files


def _check_layout(entries: list[zipfile.ZipInfo]) -> tuple[_Layout, list[str]]:
    """Sort the entries used into h5p.json, content and library folders."""
    layout = _Layout()
    problems: list[str] = []
    for info in entries:
        name = info.filename
        top, _slash, rest = name.partition("/")
        if info.is_dir():
            if top != CONTENT_FOLDER:
                layout.libraries.setdefault(top, [])
            continue
        if not rest:  # h5p.json: _check_entries left out every other file at the top
            if name == H5P_JSON:
                layout.h5p_json = info
            continue
        extension = _extension(name)
        if top == CONTENT_FOLDER:
            if extension not in CONTENT_EXTENSIONS:
                problems.append(_type_problem(name, extension, in_content=True))
            else:
                layout.content.append(info)
        else:
            if extension not in LIBRARY_EXTENSIONS:
                problems.append(_type_problem(name, extension, in_content=False))
            layout.libraries.setdefault(top, []).append(info)
    if layout.h5p_json is None:
        problems.insert(0, _("The package has no h5p.json: it is not an H5P package."))
    return layout, problems


def _type_problem(name: str, extension: str, *, in_content: bool) -> str:
    values = {"name": name, "type": f".{extension}" if extension else _("without a type")}
    if in_content:
        return _("“%(name)s”: files of type %(type)s are not allowed in the content.") % values
    return _("“%(name)s”: files of type %(type)s are not allowed in a library.") % values


# 5. Reading every byte ---------------------------------------------------------------------


def _read_all(
    archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], wanted: set[str], limits: Limits
) -> tuple[dict[str, bytes], int, list[str]]:
    """Decompress every file used, counting its real bytes (and keeping the `wanted` ones,
    JSON). Skipped and ignored entries are never decompressed: nothing reads them."""
    kept: dict[str, bytes] = {}
    problems: list[str] = []
    total = 0
    json_limit = min(MAX_JSON_BYTES, limits.max_file_bytes)
    for info in files:
        keep = info.filename in wanted
        buffer = bytearray()
        size = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    size += len(chunk)
                    total += len(chunk)
                    if size > info.file_size or size > limits.max_file_bytes:
                        raise PackageRejected(
                            [
                                _("“%(name)s” holds more than its header declares.")
                                % {"name": info.filename}
                            ]
                        )
                    if size > RATIO_MIN_BYTES and size / max(info.compress_size, 1) > (
                        ENTRY_RATIO_LIMIT
                    ):
                        raise PackageRejected([_bomb(info.filename)])
                    if total > limits.max_total_bytes:
                        raise PackageRejected(
                            [
                                _("The package unpacks to more than %(limit)s MB.")
                                % {"limit": _megabytes(limits.max_total_bytes)}
                            ]
                        )
                    if keep:
                        if size > json_limit:
                            problems.append(
                                _("“%(name)s” is too large to be read.") % {"name": info.filename}
                            )
                            keep = False
                            buffer = bytearray()
                        else:
                            buffer.extend(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            RuntimeError,
            ValueError,
        ):
            problems.append(_damaged(info.filename))
            continue
        if size != info.file_size:
            problems.append(_damaged(info.filename))
            continue
        if keep:
            kept[info.filename] = bytes(buffer)
    return kept, total, problems


def _damaged(name: str) -> str:
    return _("“%(name)s” is damaged: its content does not match what the package declares.") % {
        "name": name
    }


# 6. The JSON files and the libraries -------------------------------------------------------


def _parse_json(data: bytes | None, name: str, problems: list[str]) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        problems.append(_("%(file)s is not valid JSON.") % {"file": name})
        return None
    except RecursionError:  # a hostile package: nesting deep enough to exhaust the stack
        problems.append(_("%(file)s nests too deeply to be read.") % {"file": name})
        return None
    if _holds_nul(value):  # PostgreSQL cannot store it, and no real package has one
        problems.append(_("%(file)s holds a NUL character.") % {"file": name})
        return None
    if not isinstance(value, dict):
        problems.append(_("%(file)s must hold a JSON object.") % {"file": name})
        return None
    return value


def _holds_nul(value: Any) -> bool:
    """Whether a NUL character is anywhere in a parsed JSON value, keys included."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _required(data: dict[str, Any], key: str, where: str, problems: list[str]) -> bool:
    if key not in data:
        problems.append(
            _("%(file)s lacks the required field “%(key)s”.") % {"file": where, "key": key}
        )
        return False
    return True


def _check_h5p_json(data: dict[str, Any], problems: list[str]) -> LibraryRef | None:
    """The main library's reference if h5p.json is valid."""
    where = H5P_JSON
    before = len(problems)
    for key in ("title", "mainLibrary", "language", "preloadedDependencies", "embedTypes"):
        _required(data, key, where, problems)
    if len(problems) > before:
        return None
    title = data["title"]
    if not isinstance(title, str) or not title.strip():
        problems.append(_("h5p.json: “title” must be a text."))
    if not isinstance(data["language"], str):
        problems.append(_("h5p.json: “language” must be a language code."))
    embed_types = data["embedTypes"]
    if (
        not isinstance(embed_types, list)
        or not embed_types
        or not all(isinstance(item, str) and item in EMBED_TYPES for item in embed_types)
    ):
        problems.append(_("h5p.json: “embedTypes” must be a list of “div” and “iframe”."))
    dependencies = data["preloadedDependencies"]
    refs = _dependencies(data, "preloadedDependencies", where, problems)
    if isinstance(dependencies, list) and not dependencies:
        problems.append(_("h5p.json: “preloadedDependencies” lists no library."))
    main = data["mainLibrary"]
    if not isinstance(main, str) or not MACHINE_NAME.match(main):
        problems.append(_("h5p.json: “mainLibrary” must be a library's machine name."))
        return None
    matches = [ref for ref in refs if ref.machine_name == main]
    if refs and not matches:
        problems.append(
            _("h5p.json: the main library %(name)s is not among “preloadedDependencies”.")
            % {"name": main}
        )
        return None
    return matches[0] if matches else None


def _check_library(
    folder: str, files: list[zipfile.ZipInfo], data: dict[str, Any] | None, problems: list[str]
) -> PackageLibrary | None:
    where = f"{folder}/{LIBRARY_JSON}"
    if data is None:
        return None
    before = len(problems)
    for key in ("machineName", "majorVersion", "minorVersion", "patchVersion", "title"):
        _required(data, key, where, problems)
    if len(problems) > before:
        return None
    name = data["machineName"]
    major, minor, patch = (
        _version(data["majorVersion"]),
        _version(data["minorVersion"]),
        _version(data["patchVersion"]),
    )
    title = data["title"]
    if not isinstance(name, str) or not MACHINE_NAME.match(name):
        problems.append(_("%(file)s: “machineName” is not a valid name.") % {"file": where})
    if major is None or minor is None or patch is None:
        problems.append(_("%(file)s: the version numbers must be whole numbers.") % {"file": where})
    if not isinstance(title, str) or not title.strip() or len(title) > 255:
        problems.append(
            _("%(file)s: “title” must be a text of at most 255 characters.") % {"file": where}
        )
    runnable = data.get("runnable", 0)
    if runnable not in (0, 1, True, False):
        problems.append(_("%(file)s: “runnable” must be 0 or 1.") % {"file": where})
    dependencies: list[LibraryRef] = []
    for key in DEPENDENCY_KEYS:
        dependencies.extend(_dependencies(data, key, where, problems))
    _dependencies(data, "editorDependencies", where, problems)
    if len(problems) > before or major is None or minor is None or patch is None:
        return None
    ref = LibraryRef(str(name), major, minor)
    if folder not in (ref.folder_name, ref.machine_name):
        problems.append(
            _("The library folder “%(folder)s” does not match its library.json (%(library)s).")
            % {"folder": folder, "library": str(ref)}
        )
        return None
    names = {info.filename[len(folder) + 1 :] for info in files}
    for key, extension in (("preloadedJs", "js"), ("preloadedCss", "css")):
        listed = data.get(key, [])
        if not isinstance(listed, list) or not all(
            isinstance(item, dict) and isinstance(item.get("path"), str) for item in listed
        ):
            problems.append(
                _("%(file)s: “%(key)s” must be a list of files, each with a path.")
                % {"file": where, "key": key}
            )
            continue
        for item in listed:
            path = item["path"].lstrip("/")
            if path.removeprefix("./") not in names or _extension(path) != extension:
                problems.append(
                    _("The library %(library)s lists the file “%(path)s”, which it does not hold.")
                    % {"library": str(ref), "path": item["path"]}
                )
    return PackageLibrary(
        ref=ref,
        patch=patch,
        title=str(title).strip(),
        runnable=bool(runnable),
        metadata=data,
        folder=folder,
        files=files,
        dependencies=tuple(dict.fromkeys(dependencies)),
    )


def _resolve(
    main: LibraryRef,
    roots: list[LibraryRef],
    libraries: dict[LibraryRef, PackageLibrary],
    installed: Mapping[LibraryRef, InstalledLibrary],
    problems: list[str],
) -> list[LibraryRef]:
    """Report every dependency that is neither in the package nor installed, and return
    the libraries the content needs (the transitive closure of h5p.json's dependencies).

    As in H5P core, every dependency of h5p.json and of every library.json in the package
    must be found, in the package or installed. The closure then follows whichever version
    of each library will be in use once the package is installed: the package's own copy
    if it is a newer patch (it replaces the installed one), else the installed row, whose
    dependencies are those of *its* library.json, which may differ from the older copy in
    the package (H5P.SingleChoiceSet 1.11.44 needs H5P.Question 1.5, 1.11.14 an older
    one). A dependency reached that way and not installed is missing too.
    """
    missing: dict[LibraryRef, None] = {}

    def check(ref: LibraryRef) -> bool:
        if ref in libraries or ref in installed:
            return True
        missing[ref] = None
        return False

    for ref in roots:
        check(ref)
    for library in libraries.values():
        for ref in library.dependencies:
            check(ref)

    def dependencies_of(ref: LibraryRef) -> tuple[LibraryRef, ...]:
        library, current = libraries.get(ref), installed.get(ref)
        if library is not None and (current is None or library.patch > current.patch):
            return library.dependencies
        return current.dependencies if current is not None else ()

    needed: dict[LibraryRef, None] = {}
    pending = deque([main, *roots])
    while pending:
        ref = pending.popleft()
        if ref in needed or ref in missing or not check(ref):
            continue
        needed[ref] = None
        pending.extend(dependencies_of(ref))
    for ref in missing:
        problems.append(
            _(
                "Missing library %(library)s: it is neither in the package nor installed here. "
                "Export the package again with its libraries."
            )
            % {"library": str(ref)}
        )
    return list(needed)


def validate_archive(
    archive: zipfile.ZipFile,
    *,
    installed: Mapping[LibraryRef, InstalledLibrary] | None = None,
    limits: Limits | None = None,
) -> ValidatedPackage:
    """Check an opened package; raise PackageRejected naming every problem found."""
    limits = limits or Limits.from_settings()
    installed = installed or {}
    entries, problems = _check_entries(archive, limits)
    if problems:
        raise PackageRejected(problems)
    layout, problems = _check_layout(entries)
    wanted = {H5P_JSON, CONTENT_JSON} | {f"{folder}/{LIBRARY_JSON}" for folder in layout.libraries}
    kept, unpacked, read_problems = _read_all(archive, layout.to_read(), wanted, limits)
    problems.extend(read_problems)

    h5p_json = _parse_json(kept.get(H5P_JSON), H5P_JSON, problems)
    main = _check_h5p_json(h5p_json, problems) if h5p_json is not None else None
    if CONTENT_JSON not in kept:
        problems.append(_("The package has no content/content.json."))
    else:
        _parse_json(kept[CONTENT_JSON], CONTENT_JSON, problems)

    libraries: dict[LibraryRef, PackageLibrary] = {}
    for folder, files in sorted(layout.libraries.items()):
        library_json = f"{folder}/{LIBRARY_JSON}"
        if library_json not in kept:
            problems.append(
                _("The folder “%(folder)s” is not a library: it has no library.json.")
                % {"folder": folder}
            )
            continue
        data = _parse_json(kept[library_json], library_json, problems)
        library = _check_library(folder, files, data, problems)
        if library is None:
            continue
        if library.ref in libraries:
            problems.append(
                _("The library %(library)s appears twice in the package.")
                % {"library": str(library.ref)}
            )
            continue
        libraries[library.ref] = library

    if h5p_json is None or main is None or problems:
        raise PackageRejected(problems)
    roots = _dependencies(h5p_json, "preloadedDependencies", H5P_JSON, problems)
    needed = _resolve(main, roots, libraries, installed, problems)
    if problems:
        raise PackageRejected(problems)
    return ValidatedPackage(
        archive=archive,
        h5p_json=h5p_json,
        title=str(h5p_json["title"]).strip(),
        main_library=main,
        libraries=libraries,
        content_files=layout.content,
        needed=needed,
        unpacked_bytes=unpacked,
    )


def validate_package(
    fileobj: IO[bytes],
    *,
    installed: Mapping[LibraryRef, InstalledLibrary] | None = None,
    limits: Limits | None = None,
) -> ValidatedPackage:
    """Open and check a package (a seekable binary file object); writes nothing."""
    limits = limits or Limits.from_settings()
    return validate_archive(open_archive(fileobj, limits), installed=installed, limits=limits)
