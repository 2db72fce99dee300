"""Hostile and broken packages: each is refused with a message naming the problem, and
nothing at all is written (no file in the H5P storage, no library or package row)."""

from __future__ import annotations

import io
import os
import struct
import zipfile

import pytest

from courses.h5p.services import install_package
from courses.h5p.validation import PackageRejected, validate_package
from tests.courses.h5p.corpus import (
    HELPER,
    MAIN,
    Entry,
    as_json,
    h5p_json,
    library_entries,
    library_json,
    lie_about_size,
    make_zip,
    minimal_entries,
    minimal_package,
    replace,
    symlink,
    with_helper_entries,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
MB = 1024 * 1024


def rejected(data: bytes, *, allow_new_libraries: bool = True) -> list[str]:
    with pytest.raises(PackageRejected) as caught:
        install_package(
            upload=io.BytesIO(data), uploaded_by=None, allow_new_libraries=allow_new_libraries
        )
    assert caught.value.problems
    assert caught.value.messages == caught.value.problems  # a ValidationError forms can show
    return caught.value.problems


def assert_rejected(data: bytes, *expected: str) -> list[str]:
    problems = rejected(data)
    text = "\n".join(problems)
    for fragment in expected:
        assert fragment in text, text
    return problems


def set_flag_bits(data: bytes, name: str, bits: int) -> bytes:
    """The zip with general-purpose flag bits set on `name` in both headers."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<H", patched, info.header_offset + 6, info.flag_bits | bits)
    position = patched.find(b"PK\x01\x02")
    while position != -1:
        length = struct.unpack_from("<H", patched, position + 28)[0]
        if bytes(patched[position + 46 : position + 46 + length]) == name.encode():
            struct.pack_into("<H", patched, position + 8, info.flag_bits | bits)
        position = patched.find(b"PK\x01\x02", position + 4)
    return bytes(patched)


# Unsafe names and special files -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../evil.js", "point outside the package"),
        ("content/../../evil.json", "point outside the package"),
        ("content/./x.json", "point outside the package"),
        ("/etc/evil.js", "absolute paths"),
        ("C:/Windows/evil.js", "absolute paths"),
        ("content\\..\\evil.json", "backslash"),
        ("content//x.json", "empty folder name"),
        ("content/x\x01.json", "control characters"),
        ("content/" + "x" * 300 + ".json", "longer than 255"),
    ],
    ids=[
        "zip-slip",
        "nested-slip",
        "dot",
        "absolute",
        "drive",
        "backslash",
        "empty",
        "ctrl",
        "long",
    ],
)
def test_unsafe_paths_are_refused(name, expected, nothing_stored):
    problems = assert_rejected(make_zip([*minimal_entries(), Entry(name, b"{}")]), expected)

    assert len(problems) == 1
    nothing_stored()


def test_a_symbolic_link_is_refused(nothing_stored):
    data = make_zip([*minimal_entries(), symlink("content/passwd.json", "/etc/passwd")])

    assert_rejected(data, "“content/passwd.json” is a symbolic link")
    nothing_stored()


def test_another_special_file_is_refused(nothing_stored):
    fifo = Entry("content/pipe.json", b"", mode=0o010644)

    assert_rejected(make_zip([*minimal_entries(), fifo]), "not an ordinary file")
    nothing_stored()


# Entries H5P core skips ------------------------------------------------------------------------


SKIPPED = [
    "content/.htaccess",
    "content/_secret.json",
    "content/.hidden/page.html",
    "__MACOSX/",
    "__MACOSX/._h5p.json",
    "__MACOSX/content/._content.json",
    "__MACOSX/H5P.Minimal-1.0/._library.json",
    "H5P.Minimal-1.0/.DS_Store",
    "H5P.Minimal-1.0/_build/evil.php",
    ".DS_Store",
    ".git/config",
    "_Other-1.0/library.json",
]


@pytest.mark.parametrize("name", SKIPPED)
def test_hidden_entries_are_skipped_and_not_stored(name, stored):
    # H5P core skips every file or folder whose name starts with "." or "_" (a zip made
    # on a Mac has __MACOSX/._* and .DS_Store): not unpacked, not stored, not an error,
    # whatever its type.
    data = make_zip([*minimal_entries(), Entry(name, b"" if name.endswith("/") else b"x")])

    checked = validate_package(io.BytesIO(data))
    package, created = install_package(
        upload=io.BytesIO(data), uploaded_by=None, allow_new_libraries=True
    )

    assert created
    assert [info.filename for info in checked.content_files] == ["content/content.json"]
    assert list(checked.libraries) == [checked.main_library]
    names = {info.filename for library in checked.libraries.values() for info in library.files}
    assert names == {
        "H5P.Minimal-1.0/library.json",
        "H5P.Minimal-1.0/scripts/main.js",
        "H5P.Minimal-1.0/styles/main.css",
    }
    digest = package.sha256
    assert stored() == [
        f"content/{digest}/content.json",
        "libraries/H5P.Minimal-1.0/library.json",
        "libraries/H5P.Minimal-1.0/scripts/main.js",
        "libraries/H5P.Minimal-1.0/styles/main.css",
        f"packages/{digest}.h5p",
    ]


def test_skipped_entries_are_not_read():
    # Never decompressed, so never counted as content: a damaged one does not matter.
    data = make_zip([*minimal_entries(), Entry("__MACOSX/._film.mp4", b"x" * 5000)])
    data = lie_about_size(data, "__MACOSX/._film.mp4", 10)

    package = validate_package(io.BytesIO(data))

    assert package.unpacked_bytes == sum(
        len(entry.data) for entry in minimal_entries() if not entry.name.endswith("/")
    )


def test_a_skipped_entry_may_repeat_a_name():
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = make_zip([*minimal_entries(), Entry(".DS_Store", b"a"), Entry(".DS_Store", b"b")])

    assert validate_package(io.BytesIO(data)).title == "Minimal"


def test_a_skipped_entry_does_not_stand_for_a_used_one(nothing_stored):
    # h5p.json hidden in __MACOSX (or a library.json in a skipped folder) is not h5p.json.
    entries = replace(minimal_entries(), "h5p.json", None)
    entries.append(Entry("__MACOSX/h5p.json", as_json(h5p_json())))

    assert_rejected(make_zip(entries), "The package has no h5p.json")
    nothing_stored()


def test_a_library_script_in_a_skipped_folder_is_not_found(nothing_stored):
    data = {**library_json(), "preloadedJs": [{"path": "_build/main.js"}]}
    entries = replace(minimal_entries(), "H5P.Minimal-1.0/library.json", as_json(data))
    entries.append(Entry("H5P.Minimal-1.0/_build/main.js", b"/* skipped */"))

    assert_rejected(make_zip(entries), "lists the file “_build/main.js”, which it does not hold")
    nothing_stored()


# Unsafe names are refused inside the folders H5P skips as well: skipping an entry must never
# be a way past the checks.
@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (Entry("__MACOSX/../evil.js", b"x"), "point outside the package"),
        (Entry("__MACOSX/../../evil.js", b"x"), "point outside the package"),
        (Entry(".git/../content/x.json", b"{}"), "point outside the package"),
        (Entry("content/.hidden/../../../evil.json", b"{}"), "point outside the package"),
        (Entry("./h5p.json", b"{}"), "point outside the package"),
        (Entry("/__MACOSX/._h5p.json", b"x"), "absolute paths"),
        (Entry("__MACOSX\\..\\evil.js", b"x"), "backslash"),
        (Entry("__MACOSX/x\x01", b"x"), "control characters"),
        (symlink("__MACOSX/._passwd", "/etc/passwd"), "is a symbolic link"),
        (symlink(".DS_Store", "/etc/passwd"), "is a symbolic link"),
        (Entry("_pipe", b"", mode=0o010644), "not an ordinary file"),
    ],
    ids=[
        "macosx-slip",
        "macosx-deep-slip",
        "git-slip",
        "hidden-in-content-slip",
        "dot-segment",
        "absolute",
        "backslash",
        "ctrl",
        "macosx-link",
        "dot-link",
        "fifo",
    ],
)
def test_unsafe_entries_are_refused_even_where_h5p_skips(entry, expected, nothing_stored):
    problems = assert_rejected(make_zip([*minimal_entries(), entry]), expected)

    assert len(problems) == 1
    nothing_stored()


def test_an_encrypted_skipped_entry_is_refused(nothing_stored):
    data = make_zip([*minimal_entries(), Entry("__MACOSX/._h5p.json", b"x")])

    assert_rejected(set_flag_bits(data, "__MACOSX/._h5p.json", 0x1), "is encrypted")
    nothing_stored()


def test_an_entry_appearing_twice_is_refused_once(nothing_stored):
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = make_zip(
            [*minimal_entries(), *[Entry("content/content.json", b"{}") for _n in range(18)]]
        )

    problems = assert_rejected(data, "“content/content.json” appears twice")

    assert problems == ["“content/content.json” appears twice in the package."]
    nothing_stored()


def test_each_duplicate_is_named_once(nothing_stored):
    copies = [
        Entry("content/content.json", b"{}"),
        Entry("H5P.Minimal-1.0/scripts/main.js", b"/* again */"),
        Entry("content/content.json", b"{}"),
        Entry("H5P.Minimal-1.0/scripts/main.js", b"/* and again */"),
    ]
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = make_zip([*minimal_entries(), *copies])

    assert rejected(data) == [
        "“content/content.json” appears twice in the package.",
        "“H5P.Minimal-1.0/scripts/main.js” appears twice in the package.",
    ]
    nothing_stored()


def test_the_same_problem_is_listed_once():
    problems = PackageRejected(["One.", "Two.", "One.", "One.", "Two."]).problems

    assert problems == ["One.", "Two."]


def test_a_name_that_is_both_file_and_folder_is_refused(nothing_stored):
    data = make_zip(
        [*minimal_entries(), Entry("content/a.json", b"{}"), Entry("content/a.json/b.json", b"{}")]
    )

    assert_rejected(data, "“content/a.json” is both a file and a folder")
    nothing_stored()


def test_an_encrypted_entry_is_refused(nothing_stored):
    data = set_flag_bits(minimal_package(), "content/content.json", 0x1)

    assert_rejected(data, "“content/content.json” is encrypted")
    nothing_stored()


def test_an_unusual_compression_method_is_refused(nothing_stored):
    data = make_zip(
        [*minimal_entries(), Entry("content/x.json", b"{}", compression=zipfile.ZIP_BZIP2)]
    )

    assert_rejected(data, "“content/x.json” uses a compression method")
    nothing_stored()


# Sizes, zip bombs and lying headers --------------------------------------------------------


def test_too_many_files_are_refused_before_reading_them(settings, nothing_stored):
    settings.COURSES_H5P_MAX_FILES = 10
    extra = [Entry(f"content/image-{n}.png", b"png") for n in range(10)]

    assert_rejected(make_zip([*minimal_entries(), *extra]), "at most 10 are allowed")
    nothing_stored()


def test_a_file_over_the_size_limit_is_refused(settings, nothing_stored):
    settings.COURSES_H5P_MAX_FILE_BYTES = 2 * MB
    video = Entry("content/film.mp4", os.urandom(3 * MB), compression=zipfile.ZIP_STORED)

    assert_rejected(make_zip([*minimal_entries(), video]), "“content/film.mp4” is larger than 2 MB")
    nothing_stored()


def test_a_package_unpacking_over_the_total_limit_is_refused(settings, nothing_stored):
    settings.COURSES_H5P_MAX_TOTAL_BYTES = 4 * MB
    media = [
        Entry(f"content/film-{n}.mp4", os.urandom(MB), compression=zipfile.ZIP_STORED)
        for n in range(3)
    ]
    # Packed, it is just under the limit; unpacked, the JSON below takes it over.
    data = make_zip([*minimal_entries(), *media, Entry("content/x.json", b" " * (2 * MB))])

    assert len(data) < 4 * MB
    assert_rejected(data, "The package unpacks to more than 4 MB")
    nothing_stored()


def test_an_upload_larger_than_the_total_limit_is_refused_unread(settings, nothing_stored):
    settings.COURSES_H5P_MAX_TOTAL_BYTES = MB
    video = Entry("content/film.mp4", os.urandom(2 * MB), compression=zipfile.ZIP_STORED)

    assert_rejected(make_zip([*minimal_entries(), video]), "The file is larger than 1 MB")
    nothing_stored()


def test_a_zip_bomb_entry_is_refused(nothing_stored):
    bomb = Entry("content/bomb.json", b"0" * (20 * MB))

    assert_rejected(make_zip([*minimal_entries(), bomb]), "“content/bomb.json”", "zip bomb")
    nothing_stored()


def test_a_zip_bomb_in_a_skipped_folder_is_refused(nothing_stored):
    # H5P core counts the declared sizes of the entries it skips too.
    bomb = Entry("__MACOSX/._bomb", b"0" * (20 * MB))

    assert_rejected(make_zip([*minimal_entries(), bomb]), "“__MACOSX/._bomb”", "zip bomb")
    nothing_stored()


def test_a_skipped_file_over_the_size_limit_is_refused(settings, nothing_stored):
    settings.COURSES_H5P_MAX_FILE_BYTES = 2 * MB
    video = Entry(".cache/film.mp4", os.urandom(3 * MB), compression=zipfile.ZIP_STORED)

    assert_rejected(make_zip([*minimal_entries(), video]), "“.cache/film.mp4” is larger than 2 MB")
    nothing_stored()


def test_skipped_files_count_towards_the_total_limit(settings, nothing_stored):
    settings.COURSES_H5P_MAX_TOTAL_BYTES = 4 * MB
    media = [
        Entry(f"__MACOSX/._film-{n}.mp4", os.urandom(MB), compression=zipfile.ZIP_STORED)
        for n in range(3)
    ]
    data = make_zip([*minimal_entries(), *media, Entry("_x.json", b" " * (2 * MB))])

    assert len(data) < 4 * MB
    assert_rejected(data, "The package unpacks to more than 4 MB")
    nothing_stored()


def test_a_package_of_many_small_bombs_is_refused(nothing_stored):
    # Each entry stays under 1 MB (no single-entry alarm); together they are a bomb.
    bombs = [Entry(f"content/part-{n}.json", b"0" * (900 * 1024)) for n in range(12)]

    assert_rejected(make_zip([*minimal_entries(), *bombs]), "The package is compressed", "bomb")
    nothing_stored()


def test_an_entry_larger_than_its_header_declares_is_refused(nothing_stored):
    honest = make_zip([*minimal_entries(), Entry("content/lie.json", b"{}" + b" " * (5 * MB))])
    data = lie_about_size(honest, "content/lie.json", 100)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("content/lie.json").file_size == 100  # the lie is in place

    assert_rejected(data, "“content/lie.json” is damaged")
    nothing_stored()


def test_an_entry_smaller_than_its_header_declares_is_refused(nothing_stored):
    honest = make_zip([*minimal_entries(), Entry("content/lie.json", b"{}")])

    assert_rejected(
        lie_about_size(honest, "content/lie.json", 1000), "“content/lie.json” is damaged"
    )
    nothing_stored()


def test_a_lying_json_file_is_refused(nothing_stored):
    data = lie_about_size(minimal_package(), "h5p.json", 10)

    assert_rejected(data, "“h5p.json” is damaged")
    nothing_stored()


# Not a package at all ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"This is a text file, not an H5P package.", "not a zip archive"),
        (b"%PDF-1.7\n" + b"x" * 200, "not a zip archive"),
        (b"", "The file is empty"),
    ],
    ids=["text", "pdf", "empty"],
)
def test_a_file_that_is_not_a_zip_is_refused(data, expected, nothing_stored):
    assert_rejected(data, expected)
    nothing_stored()


def test_a_truncated_zip_is_refused(nothing_stored):
    data = minimal_package()

    assert_rejected(data[: len(data) // 2], "not a zip archive")
    nothing_stored()


def test_a_zip_with_a_broken_table_of_contents_is_refused(nothing_stored):
    data = bytearray(minimal_package())
    position = data.find(b"PK\x01\x02")
    data[position : position + 4] = b"XXXX"

    assert_rejected(bytes(data), "damaged")
    nothing_stored()


# h5p.json and content.json -------------------------------------------------------------------


def test_a_package_without_h5p_json_is_refused(nothing_stored):
    assert_rejected(
        make_zip(replace(minimal_entries(), "h5p.json", None)), "The package has no h5p.json"
    )
    nothing_stored()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{'title': 'Minimal',", "h5p.json is not valid JSON"),
        (b"\xff\xfe{}", "h5p.json is not valid JSON"),
        (b'["a list"]', "h5p.json must hold a JSON object"),
    ],
    ids=["syntax", "encoding", "list"],
)
def test_a_malformed_h5p_json_is_refused(data, expected, nothing_stored):
    assert_rejected(make_zip(replace(minimal_entries(), "h5p.json", data)), expected)
    nothing_stored()


@pytest.mark.parametrize(
    "field", ["title", "mainLibrary", "language", "preloadedDependencies", "embedTypes"]
)
def test_h5p_json_without_a_required_field_is_refused(field, nothing_stored):
    data = h5p_json()
    del data[field]

    assert_rejected(
        make_zip(replace(minimal_entries(), "h5p.json", as_json(data))),
        f"h5p.json lacks the required field “{field}”",
    )
    nothing_stored()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": "  "}, "“title” must be a text"),
        ({"embedTypes": ["script"]}, "“embedTypes” must be a list"),
        ({"preloadedDependencies": [{"machineName": MAIN}]}, "“preloadedDependencies” must be"),
        ({"preloadedDependencies": "H5P.Minimal"}, "“preloadedDependencies” must be"),
        ({"preloadedDependencies": []}, "lists no library"),
        ({"mainLibrary": "../evil"}, "“mainLibrary” must be"),
        ({"mainLibrary": "H5P.Other"}, "the main library H5P.Other is not among"),
    ],
    ids=["title", "embed", "dependency", "not-a-list", "empty", "bad-main", "main-not-listed"],
)
def test_an_invalid_h5p_json_is_refused(overrides, expected, nothing_stored):
    entries = replace(minimal_entries(), "h5p.json", as_json(h5p_json(**overrides)))

    assert_rejected(make_zip(entries), expected)
    nothing_stored()


def test_a_package_without_content_json_is_refused(nothing_stored):
    data = make_zip(replace(minimal_entries(), "content/content.json", None))

    assert_rejected(data, "The package has no content/content.json")
    nothing_stored()


def test_a_malformed_content_json_is_refused(nothing_stored):
    data = make_zip(replace(minimal_entries(), "content/content.json", b"{nope"))

    assert_rejected(data, "content/content.json is not valid JSON")
    nothing_stored()


# File types and places -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "content/x.js",
        "content/images/logo.svg",
        "content/page.html",
        "content/page.htm",
        "content/data.xml",
        "content/shell.php",
        "content/style.css",
        "content/PAGE.HTML",
    ],
)
def test_scripts_and_documents_in_content_are_refused(name, nothing_stored):
    extension = name.rsplit(".", 1)[-1].lower()

    assert_rejected(
        make_zip([*minimal_entries(), Entry(name, b"<script>alert(1)</script>")]),
        f"“{name}”: files of type .{extension} are not allowed in the content",
    )
    nothing_stored()


def test_a_content_file_without_a_type_is_refused(nothing_stored):
    data = make_zip([*minimal_entries(), Entry("content/README", b"x")])

    assert_rejected(data, "“content/README”: files of type without a type are not allowed")
    nothing_stored()


def test_a_server_script_in_a_library_is_refused(nothing_stored):
    data = make_zip([*minimal_entries(), Entry("H5P.Minimal-1.0/shell.php", b"<?php ?>")])

    assert_rejected(data, "“H5P.Minimal-1.0/shell.php”: files of type .php are not allowed")
    nothing_stored()


@pytest.mark.parametrize(
    "name", ["evil.js", "index.html", "content.json", "extra.json", "README.md", "shell.php"]
)
def test_other_files_at_the_top_are_ignored_and_not_stored(name, stored):
    # H5P core unpacks only content/ and the library folders; a stray file at the top is
    # never read nor stored (the original .h5p is kept as it came).
    data = make_zip([*minimal_entries(), Entry(name, b"<script>alert(1)</script>")])

    package = validate_package(io.BytesIO(data))
    assert name not in {info.filename for info in package.content_files}
    stored_package, created = install_package(
        upload=io.BytesIO(data), uploaded_by=None, allow_new_libraries=True
    )

    assert created
    digest = stored_package.sha256
    assert stored() == [
        f"content/{digest}/content.json",
        "libraries/H5P.Minimal-1.0/library.json",
        "libraries/H5P.Minimal-1.0/scripts/main.js",
        "libraries/H5P.Minimal-1.0/styles/main.css",
        f"packages/{digest}.h5p",
    ]


def test_an_ignored_file_at_the_top_may_repeat_a_name():
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = make_zip([*minimal_entries(), Entry("README.md", b"a"), Entry("README.md", b"b")])

    assert validate_package(io.BytesIO(data)).title == "Minimal"


def test_an_ignored_file_at_the_top_is_not_read(stored):
    # It is never decompressed: even a header that lies about its size is of no matter.
    data = lie_about_size(
        make_zip([*minimal_entries(), Entry("notes.txt", b"x" * 5000)]), "notes.txt", 10
    )

    package, created = install_package(
        upload=io.BytesIO(data), uploaded_by=None, allow_new_libraries=True
    )

    assert created
    assert not any("notes" in name for name in stored())
    assert package.pk


# Libraries ---------------------------------------------------------------------------------


def test_a_folder_without_library_json_is_refused(nothing_stored):
    data = make_zip([*minimal_entries(), Entry("Stray-1.0/script.js", b"x")])

    assert_rejected(data, "The folder “Stray-1.0” is not a library")
    nothing_stored()


def test_a_library_folder_that_does_not_match_its_library_json_is_refused(nothing_stored):
    entries = [
        Entry(entry.name.replace("H5P.Minimal-1.0/", "H5P.Minimal-2.0/"), entry.data)
        for entry in minimal_entries()
    ]

    assert_rejected(
        make_zip(entries),
        "The library folder “H5P.Minimal-2.0” does not match its library.json (H5P.Minimal 1.0)",
    )
    nothing_stored()


@pytest.mark.parametrize(
    "field", ["machineName", "majorVersion", "minorVersion", "patchVersion", "title"]
)
def test_library_json_without_a_required_field_is_refused(field, nothing_stored):
    data = library_json()
    del data[field]
    entries = replace(minimal_entries(), "H5P.Minimal-1.0/library.json", as_json(data))

    assert_rejected(
        make_zip(entries), f"H5P.Minimal-1.0/library.json lacks the required field “{field}”"
    )
    nothing_stored()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"patchVersion": "one"}, "the version numbers must be whole numbers"),
        ({"majorVersion": True}, "the version numbers must be whole numbers"),
        ({"machineName": "H5P Minimal"}, "“machineName” is not a valid name"),
        ({"title": ""}, "“title” must be a text"),
        ({"runnable": "yes"}, "“runnable” must be 0 or 1"),
        ({"preloadedJs": [{"path": "scripts/missing.js"}]}, "lists the file “scripts/missing.js”"),
        ({"preloadedCss": "styles/main.css"}, "“preloadedCss” must be a list of files"),
        ({"preloadedDependencies": [{"machineName": HELPER}]}, "“preloadedDependencies” must"),
    ],
    ids=["patch", "bool", "name", "title", "runnable", "missing-js", "css", "dependency"],
)
def test_an_invalid_library_json_is_refused(overrides, expected, nothing_stored):
    data = {**library_json(), **overrides}
    entries = replace(minimal_entries(), "H5P.Minimal-1.0/library.json", as_json(data))

    assert_rejected(make_zip(entries), expected)
    nothing_stored()


def test_a_missing_library_is_refused(nothing_stored):
    data = make_zip(with_helper_entries(include_helper=False))

    assert_rejected(data, "Missing library H5P.Helper 1.0")
    nothing_stored()


def test_a_missing_main_library_is_refused(nothing_stored):
    entries = replace(
        minimal_entries(),
        "h5p.json",
        as_json(
            h5p_json(
                mainLibrary="H5P.Other",
                preloadedDependencies=[
                    {"machineName": "H5P.Other", "majorVersion": 2, "minorVersion": 1}
                ],
            )
        ),
    )

    assert_rejected(make_zip(entries), "Missing library H5P.Other 2.1")
    nothing_stored()


def test_a_library_of_another_version_does_not_satisfy_a_dependency(nothing_stored):
    entries = [
        *with_helper_entries(include_helper=False),
        *library_entries(HELPER, 2, 0, 0),
    ]

    assert_rejected(make_zip(entries), "Missing library H5P.Helper 1.0")
    nothing_stored()


def test_the_same_library_twice_is_refused(nothing_stored):
    plain_folder = [
        Entry(entry.name.replace("H5P.Minimal-1.0/", "H5P.Minimal/"), entry.data)
        for entry in library_entries()
    ]

    assert_rejected(
        make_zip([*minimal_entries(), *plain_folder]),
        "The library H5P.Minimal 1.0 appears twice",
    )
    nothing_stored()


# All problems at once ----------------------------------------------------------------------


def test_every_problem_is_named_up_to_a_limit(nothing_stored):
    scripts = [Entry(f"content/script-{n}.js", b"x") for n in range(40)]

    problems = rejected(make_zip([*minimal_entries(), *scripts]))

    assert len(problems) == 26
    assert problems[0] == (
        "“content/script-0.js”: files of type .js are not allowed in the content."
    )
    assert problems[-1] == "… and 15 more problems."
    nothing_stored()


def test_several_kinds_of_problem_are_reported_together(nothing_stored):
    entries = replace(minimal_entries(), "content/content.json", None)
    entries.append(Entry("content/x.svg", b"<svg/>"))

    problems = rejected(make_zip(entries))

    assert any("x.svg" in problem for problem in problems)
    assert any("content/content.json" in problem for problem in problems)
    nothing_stored()


def test_validation_alone_reads_a_valid_package_without_writing(stored):
    package = validate_package(io.BytesIO(minimal_package()))

    assert package.title == "Minimal"
    assert str(package.main_library) == "H5P.Minimal 1.0"
    assert [info.filename for info in package.content_files] == ["content/content.json"]
    assert stored() == []


# Hostile JSON inside a package ----------------------------------------------------------------


def test_content_nested_deep_enough_to_exhaust_the_stack_is_refused(nothing_stored):
    deep = b"[" * 100_000 + b"]" * 100_000
    entries = [e for e in minimal_entries() if e.name != "content/content.json"]
    data = make_zip([*entries, Entry("content/content.json", deep)])

    assert_rejected(data, "nests too deeply")
    nothing_stored()


def test_a_nul_character_in_the_package_metadata_is_refused(nothing_stored):
    assert_rejected(minimal_package(title="Før\x00etter"), "holds a NUL character")
    nothing_stored()
