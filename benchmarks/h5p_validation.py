"""Validating and storing an H5P package: time for the real sample, memory against size.

Usage:  .venv/bin/python benchmarks/h5p_validation.py [--runs 20] [--media-mb 50]

In a fresh SQLite database and, for every run, a fresh storage directory with no library
installed, it installs ../shared/h5p-samples/true-false.h5p (10 libraries; a generated
package of the same shape if the sample is absent) through
`courses.h5p.services.install_package`: the whole path of an upload, from hashing and
validating to writing every file and row. It prints the median, min and max time.

Then it measures the peak of Python's memory (tracemalloc) while installing the sample, and
while installing a package with one incompressible media file of --media-mb MB. Packages are
read as streams, so the peak must not grow with the package.

Goals (H5P issue): median under 0.5 s; the big package's peak within a few MB of the
sample's. --scales is accepted, and ignored, like the other benchmarks' options.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / ".." / "shared" / "h5p-samples" / "true-false.h5p").resolve()
MB = 1024 * 1024


def setup_django(tmp: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _write(archive: zipfile.ZipFile, name: str, data: bytes, compression: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
    info.compress_type = compression
    archive.writestr(info, data)


def synthetic_package(path: Path, *, libraries: int = 10, media_bytes: int = 0) -> Path:
    """A valid package: a main library needing `libraries - 1` others, each with a few
    files, and optionally one incompressible media file in its content."""
    names = [f"Bench.Library{n}" for n in range(libraries)]
    main = names[0]
    h5p = {
        "title": "Benchmark",
        "language": "nb",
        "mainLibrary": main,
        "embedTypes": ["div"],
        "preloadedDependencies": [
            {"machineName": name, "majorVersion": 1, "minorVersion": 0} for name in names
        ],
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _write(archive, "h5p.json", json.dumps(h5p).encode(), zipfile.ZIP_DEFLATED)
        _write(archive, "content/content.json", b'{"question": "?"}', zipfile.ZIP_DEFLATED)
        for name in names:
            library = {
                "title": name,
                "machineName": name,
                "majorVersion": 1,
                "minorVersion": 0,
                "patchVersion": 0,
                "runnable": int(name == main),
                "preloadedJs": [{"path": "scripts/main.js"}],
                "preloadedCss": [{"path": "styles/main.css"}],
            }
            folder = f"{name}-1.0"
            _write(
                archive,
                f"{folder}/library.json",
                json.dumps(library).encode(),
                zipfile.ZIP_DEFLATED,
            )
            _write(
                archive, f"{folder}/scripts/main.js", b"var x = 1;\n" * 2000, zipfile.ZIP_DEFLATED
            )
            _write(
                archive,
                f"{folder}/styles/main.css",
                b".x { color: red; }\n" * 500,
                zipfile.ZIP_DEFLATED,
            )
            _write(
                archive, f"{folder}/language/nb.json", b'{"semantics": []}', zipfile.ZIP_DEFLATED
            )
        if media_bytes:
            info = zipfile.ZipInfo("content/videos/film.mp4", date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as stream:
                block = os.urandom(MB)
                remaining = media_bytes
                while remaining > 0:
                    stream.write(block[: min(remaining, MB)])
                    remaining -= MB
    return path


def with_media(sample: Path, path: Path, media_bytes: int) -> Path:
    """The sample with one incompressible media file of `media_bytes` added to its content."""
    with zipfile.ZipFile(sample) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        info = zipfile.ZipInfo("content/videos/film.mp4", date_time=(2025, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w") as stream:
            block = os.urandom(MB)
            remaining = media_bytes
            while remaining > 0:
                stream.write(block[: min(remaining, MB)])
                remaining -= MB
    return path


def fresh_install(package: Path, storage_root: Path) -> float:
    """Install `package` into an empty storage and database; returns the seconds it took."""
    from django.conf import settings

    from courses.h5p.services import install_package
    from courses.models import H5PLibrary, H5PPackage

    H5PPackage.objects.all().delete()
    H5PLibrary.objects.all().delete()
    shutil.rmtree(storage_root, ignore_errors=True)
    settings.COURSES_H5P_ROOT = str(storage_root)
    started = time.perf_counter()
    _package, created = install_package(upload=package, uploaded_by=None, allow_new_libraries=True)
    elapsed = time.perf_counter() - started
    assert created
    return elapsed


def peak_memory(package: Path, storage_root: Path) -> float:
    """Peak traced memory (MB) while installing `package` afresh."""
    fresh_install(package, storage_root)  # warm imports and caches outside the trace
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fresh_install(package, storage_root)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / MB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--media-mb", type=int, default=50)
    parser.add_argument("--scales", type=int, nargs="*", help="ignored (no scales here)")
    args = parser.parse_args()
    runs = max(args.runs, 1)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        setup_django(tmp)
        if SAMPLE.is_file():
            sample, label = SAMPLE, f"sample {SAMPLE.name}"
        else:
            sample = synthetic_package(tmp / "synthetic.h5p")
            label = "generated package (sample not found)"
        with zipfile.ZipFile(sample) as archive:
            entries = len(archive.infolist())
            unpacked = sum(info.file_size for info in archive.infolist())
        print(
            f"{label}: {sample.stat().st_size / 1024:.0f} KB, {entries} entries, "
            f"{unpacked / 1024:.0f} KB unpacked"
        )

        fresh_install(sample, tmp / "warm")
        timings = [fresh_install(sample, tmp / f"run-{n}") for n in range(runs)]
        median = statistics.median(timings)
        print(
            f"validate + store, fresh storage: median {median * 1000:.1f} ms "
            f"(min {min(timings) * 1000:.1f}, max {max(timings) * 1000:.1f}; {runs} runs)"
        )

        big = with_media(sample, tmp / "big.h5p", args.media_mb * 1000 * 1000)
        started = time.perf_counter()
        fresh_install(big, tmp / "big")
        big_seconds = time.perf_counter() - started
        print(
            f"with a {args.media_mb} MB media file ({big.stat().st_size / MB:.0f} MB packed): "
            f"{big_seconds:.2f} s"
        )
        sample_peak = peak_memory(sample, tmp / "memory-sample")
        big_peak = peak_memory(big, tmp / "memory-big")
        print(
            f"peak memory (tracemalloc): sample {sample_peak:.2f} MB, "
            f"with {args.media_mb} MB media {big_peak:.2f} MB"
        )
        time_goal = median < 0.5
        memory_goal = big_peak - sample_peak < 8
        print("goal (median < 0.5 s):", "met" if time_goal else "NOT met")
        print(
            "goal (peak memory does not grow with the package, < 8 MB more):",
            "met" if memory_goal else "NOT met",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
