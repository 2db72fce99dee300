"""What every part of the demo seed shares: reproducible randomness, Oslo times, bulk sizes."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
BATCH = 500  # rows per bulk insert


def rng(*key: object) -> random.Random:
    """A reproducible random stream for one piece of the demo (not for security).

    Each piece (a team, a unit's outcome, a project...) draws from its own stream, so a
    re-run plans exactly the same data whatever else has changed.
    """
    return random.Random("lup-demo-" + "-".join(str(part) for part in key))


def at(day: dt.date, hour: int = 12, minutes: int = 0) -> dt.datetime:
    """`minutes` after `hour` o'clock on `day`, in Oslo."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=OSLO) + dt.timedelta(minutes=minutes)


def plain_ascii(text: str) -> str:
    """`text` in lower-case ASCII letters, digits, dots and hyphens, for e-mail addresses."""
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch in ".-")
