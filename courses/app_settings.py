"""Settings of the `courses` app, prefixed COURSES_ and read when used."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _get(name: str, default: Any) -> Any:
    return getattr(settings, f"COURSES_{name}", default)


def PRIVATE_ROOT() -> str:
    """Directory for submitted files when no `courses_private` storage is configured."""
    default = str(getattr(settings, "BASE_DIR", ".")) + "/var/private"
    return str(_get("PRIVATE_ROOT", default))


def SUBMISSION_MAX_BYTES() -> int:
    """Largest file accepted in a submission."""
    return int(_get("SUBMISSION_MAX_BYTES", 20 * 1024 * 1024))


def SUBMISSION_FILE_TYPES() -> dict[str, list[bytes]]:
    """Accepted file name endings and the bytes such a file starts with (checked, not trusted)."""
    zip_magic = [b"PK\x03\x04"]
    return dict(
        _get(
            "SUBMISSION_FILE_TYPES",
            {
                ".pdf": [b"%PDF-"],
                ".docx": zip_magic,
                ".pptx": zip_magic,
                ".xlsx": zip_magic,
                ".odt": zip_magic,
                ".png": [b"\x89PNG\r\n\x1a\n"],
                ".jpg": [b"\xff\xd8\xff"],
                ".jpeg": [b"\xff\xd8\xff"],
                ".txt": [],
            },
        )
    )


def COURSE_IMAGE_MAX_BYTES() -> int:
    """Largest image an editor may upload for a course's content pages."""
    return int(_get("COURSE_IMAGE_MAX_BYTES", 5 * 1024 * 1024))


def COURSE_IMAGE_MAX_PIXELS() -> int:
    """Most pixels (width times height) a course image may have: a small file can unpack
    into a picture too large for anyone's browser."""
    return int(_get("COURSE_IMAGE_MAX_PIXELS", 25_000_000))


def ADAPTER() -> str:
    """Dotted path of the adapter class (see courses.adapter)."""
    return str(_get("ADAPTER", "courses.adapter.DefaultCoursesAdapter"))


def SITE_URL() -> str:
    """The site's public address (e.g. "https://lup.baerum.kommune.no"): xAPI activity ids and
    learners' account home page are made from it, never from a request's host name."""
    return str(_get("SITE_URL", "") or getattr(settings, "SITE_URL", "") or "").rstrip("/")


def H5P_PLAYER_ORIGIN() -> str:
    """Origin the H5P player frame is served from (e.g. "https://lup-h5p.example.no"), or ""
    for this site's own origin. Another host name that reaches this same site and shares no
    cookies with it (not a subdomain under SESSION_COOKIE_DOMAIN): there the player's policy
    allows what real H5P content needs (README, "H5P")."""
    return str(_get("H5P_PLAYER_ORIGIN", "") or "").rstrip("/")


def H5P_PLAY_TOKEN_SECONDS() -> int:
    """How long the token an activity page gives its player is valid: the player's files,
    saved state and statements are refused after it (the learner reloads the page)."""
    return int(_get("H5P_PLAY_TOKEN_SECONDS", 4 * 60 * 60))


def H5P_EMBED_SOURCES() -> list[str]:
    """Origins (CSP sources) the player on its own origin may load video, scripts and frames
    from: YouTube and Vimeo by default, for interactive videos."""
    default = [
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://s.ytimg.com",
        "https://i.ytimg.com",
        "https://player.vimeo.com",
        "https://i.vimeocdn.com",
        "https://f.vimeocdn.com",
    ]
    sources = [str(source).strip() for source in _get("H5P_EMBED_SOURCES", default)]
    # Only plain origins: nothing that could end the directive or add another.
    return [source for source in sources if source and not any(c in source for c in " ;,'\"")]


def H5P_FRAME_ANCESTORS() -> list[str]:
    """Origins besides the site's own (SITE_URL) that may embed the player frame."""
    origins = [str(origin).strip().rstrip("/") for origin in _get("H5P_FRAME_ANCESTORS", [])]
    # Only plain origins: nothing that could end the directive or add another.
    return [origin for origin in origins if origin and not any(c in origin for c in " ;,'\"")]


def H5P_SAVE_FREQ() -> int:
    """Seconds between the player's saves of a learner's state (to resume later)."""
    return int(_get("H5P_SAVE_FREQ", 10))


def XAPI_MAX_BYTES() -> int:
    """Largest xAPI statement or saved state the player may post."""
    return int(_get("XAPI_MAX_BYTES", 64 * 1024))


def LRS_ENDPOINT() -> str:
    """An external Learning Record Store's xAPI endpoint (e.g. "https://lrs.example.no/xapi/")
    to forward statements to; "" to keep them here only."""
    return str(_get("LRS_ENDPOINT", "") or "")


# Used only while DEBUG is on (development and demos); published, so never for real data.
DEVELOPMENT_PSEUDONYM_KEY = "courses-development-pseudonym-key-not-secret"


def LEARNER_PSEUDONYM_KEY() -> str:
    """The secret that keys learners' pseudonyms in xAPI statements, its own setting so that
    no default key (nor SECRET_KEY) can map a pseudonym back to a person.

    Without it, only a DEBUG site falls back to a published development key; anywhere else
    the courses.E001 check refuses to start and this raises.
    """
    key = str(_get("LEARNER_PSEUDONYM_KEY", "") or "")
    if key:
        return key
    if settings.DEBUG:
        return DEVELOPMENT_PSEUDONYM_KEY
    raise ImproperlyConfigured(
        "COURSES_LEARNER_PSEUDONYM_KEY is not set: learners' xAPI pseudonyms need a secret "
        "key of their own."
    )


def LRS_USERNAME() -> str:
    return str(_get("LRS_USERNAME", "") or "")


def LRS_PASSWORD() -> str:
    return str(_get("LRS_PASSWORD", "") or "")


# Sending statements to the external LRS (the outbox in courses.xapi).


def LRS_BATCH_SIZE() -> int:
    """Statements a worker takes from the outbox at once (one short transaction claims them)."""
    return max(1, int(_get("LRS_BATCH_SIZE", 50)))


def LRS_TIMEOUT_SECONDS() -> float:
    """How long to wait for the LRS to answer one statement."""
    return float(_get("LRS_TIMEOUT_SECONDS", 10))


def LRS_RETRY_BASE_SECONDS() -> int:
    """Wait after a statement's first failed attempt; it doubles with each further one."""
    return max(1, int(_get("LRS_RETRY_BASE_SECONDS", 30)))


def LRS_RETRY_MAX_SECONDS() -> int:
    """The longest wait between two attempts."""
    return max(1, int(_get("LRS_RETRY_MAX_SECONDS", 60 * 60)))


def LRS_MAX_ATTEMPTS() -> int:
    """Attempts before a statement is marked failed (an administrator can send it again):
    with the default waits, 20 attempts go on for 10 to 13 hours."""
    return max(1, int(_get("LRS_MAX_ATTEMPTS", 20)))
