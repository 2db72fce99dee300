"""H5P packages built in code: a minimal valid one, hostile ones, and changed copies of the
real samples.

`make_zip(entries)` writes a zip from `Entry` values (name, bytes, Unix mode, compression)
without any of zipfile's safety nets, so a test can build whatever an attacker could.
`sample_entries(path)` reads a real package into such entries, to change and write again.
"""

from __future__ import annotations

import io
import json
import stat
import struct
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SAMPLES = (REPO_ROOT / ".." / "shared" / "h5p-samples").resolve()
SAMPLE = SAMPLES / "true-false.h5p"
SAMPLES_MISSING = f"the H5P sample packages are not there: {SAMPLES} (shared/h5p-samples)"

MAIN = "H5P.Minimal"
HELPER = "H5P.Helper"


@dataclass
class Entry:
    name: str
    data: bytes = b""
    mode: int | None = None  # Unix mode with the file type bits, e.g. stat.S_IFLNK | 0o777
    compression: int = zipfile.ZIP_DEFLATED


def make_zip(entries: Iterable[Entry | tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry in entries:
            if isinstance(entry, tuple):
                entry = Entry(*entry)
            info = zipfile.ZipInfo(entry.name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = entry.compression
            if entry.mode is not None:
                info.create_system = 3
                info.external_attr = entry.mode << 16
            archive.writestr(info, entry.data)
    return buffer.getvalue()


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()


def h5p_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Minimal",
        "language": "nb",
        "mainLibrary": MAIN,
        "embedTypes": ["div"],
        "license": "U",
        "preloadedDependencies": [
            {"machineName": MAIN, "majorVersion": "1", "minorVersion": "0"},
        ],
    }
    data.update(overrides)
    return data


def library_json(
    machine_name: str = MAIN,
    major: int = 1,
    minor: int = 0,
    patch: int = 0,
    *,
    dependencies: Iterable[tuple[str, int, int]] = (),
    **extra: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": f"{machine_name} library",
        "machineName": machine_name,
        "majorVersion": major,
        "minorVersion": minor,
        "patchVersion": patch,
        "runnable": 1 if machine_name == MAIN else 0,
        "preloadedJs": [{"path": "scripts/main.js"}],
        "preloadedCss": [{"path": "styles/main.css"}],
    }
    if dependencies:
        data["preloadedDependencies"] = [
            {"machineName": name, "majorVersion": a, "minorVersion": b}
            for name, a, b in dependencies
        ]
    data.update(extra)
    return data


def library_entries(
    machine_name: str = MAIN,
    major: int = 1,
    minor: int = 0,
    patch: int = 0,
    *,
    script: bytes | None = None,
    extra_files: Iterable[Entry] = (),
    **library: Any,
) -> list[Entry]:
    folder = f"{machine_name}-{major}.{minor}"
    script = script or f"/* {machine_name} {major}.{minor}.{patch} */".encode()
    return [
        Entry(f"{folder}/"),
        Entry(
            f"{folder}/library.json",
            as_json(library_json(machine_name, major, minor, patch, **library)),
        ),
        Entry(f"{folder}/scripts/main.js", script),
        Entry(f"{folder}/styles/main.css", b".minimal { color: black; }"),
        *extra_files,
    ]


def minimal_entries(
    *, title: str = "Minimal", patch: int = 0, content: Iterable[Entry] = (), **h5p: Any
) -> list[Entry]:
    """A valid package: h5p.json, content/content.json and one tiny runnable library."""
    return [
        Entry("h5p.json", as_json(h5p_json(title=title, **h5p))),
        Entry("content/"),
        Entry("content/content.json", as_json({"question": "Er innovasjon nytt?"})),
        *content,
        *library_entries(patch=patch),
    ]


def minimal_package(**kwargs: Any) -> bytes:
    return make_zip(minimal_entries(**kwargs))


def with_helper_entries(*, helper_patch: int = 0, include_helper: bool = True) -> list[Entry]:
    """A package whose main library depends on a second library."""
    entries = [
        Entry("h5p.json", as_json(h5p_json(title="With a helper"))),
        Entry("content/content.json", b"{}"),
        *library_entries(dependencies=[(HELPER, 1, 0)]),
    ]
    if include_helper:
        entries += library_entries(HELPER, 1, 0, helper_patch)
    return entries


def replace(entries: list[Entry], name: str, data: bytes | None) -> list[Entry]:
    """The entries with `name` given new bytes, or left out (data None)."""
    result = [entry for entry in entries if entry.name != name]
    if data is not None:
        result.append(Entry(name, data))
    return result


def symlink(name: str, target: str) -> Entry:
    return Entry(name, target.encode(), mode=stat.S_IFLNK | 0o777)


def lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """The zip with `name`'s uncompressed size in both headers replaced by `declared`."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    # Local file header: the uncompressed size is at offset 22.
    struct.pack_into("<I", patched, info.header_offset + 22, declared)
    # Central directory entries: the uncompressed size at 24, the name from 46.
    encoded = name.encode()
    position = patched.find(b"PK\x01\x02")
    while position != -1:
        length = struct.unpack_from("<H", patched, position + 28)[0]
        if bytes(patched[position + 46 : position + 46 + length]) == encoded:
            struct.pack_into("<I", patched, position + 24, declared)
        position = patched.find(b"PK\x01\x02", position + 4)
    return bytes(patched)


def big_media_package(path: Path, size: int, *, compression: int = zipfile.ZIP_STORED) -> Path:
    """The minimal package with one incompressible "video" of `size` bytes, written to `path`
    in chunks (so building it does not hold it in memory)."""
    import os

    with zipfile.ZipFile(path, "w") as archive:
        for entry in minimal_entries(title="Big video"):
            info = zipfile.ZipInfo(entry.name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = entry.compression
            archive.writestr(info, entry.data)
        info = zipfile.ZipInfo("content/videos/film.mp4", date_time=(2025, 1, 1, 0, 0, 0))
        info.compress_type = compression
        with archive.open(info, "w", force_zip64=size > 2**31) as stream:
            remaining = size
            block = os.urandom(1024 * 1024)
            while remaining > 0:
                stream.write(block[: min(remaining, len(block))])
                remaining -= len(block)
    return path


# The real samples ----------------------------------------------------------------------------


def sample_names() -> list[Any]:
    """The file names of the real samples, to parametrize a test with; without the folder,
    one parameter that skips and says why (an empty parametrization would say nothing)."""
    names = sorted(path.name for path in SAMPLES.glob("*.h5p")) if SAMPLES.is_dir() else []
    if names:
        return names
    return [pytest.param("absent", marks=pytest.mark.skip(reason=SAMPLES_MISSING))]


def sample_entries(path: Path) -> list[Entry]:
    """Every entry of a real package, in its order, as entries `make_zip` writes again.

    Read through fresh `Entry` values: `ZipFile.writestr` with the source's own ZipInfo
    would rewrite its offsets, and the source could not be read any more.
    """
    with zipfile.ZipFile(path) as archive:
        return [
            Entry(info.filename, archive.read(info), compression=info.compress_type)
            for info in archive.infolist()
        ]


def library_folder(path: Path, folder: str) -> list[Entry]:
    """The entries of one library folder of a real package."""
    return [entry for entry in sample_entries(path) if entry.name.startswith(f"{folder}/")]


def change_json(
    entries: list[Entry], name: str, change: Callable[[dict[str, Any]], dict[str, Any]]
) -> list[Entry]:
    """The entries with the JSON file `name` changed in place (same position)."""
    changed = []
    found = False
    for entry in entries:
        if entry.name == name:
            found = True
            entry = Entry(name, as_json(change(json.loads(entry.data))), entry.mode)
        changed.append(entry)
    assert found, f"{name} is not in the package"
    return changed


def dependency(name: str, major: int, minor: int) -> dict[str, Any]:
    return {"machineName": name, "majorVersion": major, "minorVersion": minor}
