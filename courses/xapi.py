"""What the H5P player reports: xAPI statements, the learner's best score, completion, and
the player's saved state (so a learner resumes where they were).

The rules for a statement (`record_xapi_statement`):

- It is a JSON object nested at most 32 levels deep (`MAX_DEPTH`; the body is checked
  before it is parsed, see `parse_json`), whose numbers are finite and whose texts, keys
  included, hold no NUL character and no half of a surrogate pair (the database cannot
  store them: PostgreSQL refuses both in text and jsonb).
- The learner is the one the play token names (the view reads it; `h5p.play_tokens`). The
  statement's `actor` is never trusted: it is replaced by a pseudonymous account for that
  user before it is stored.
- Its object must be this activity's content: the object id has to contain the activity's
  public identifier (the player names its content with the activity's address, and
  sub-content adds `?subContentId=...`) or the H5P package's public identifier.
- `result.score.scaled` must lie in [-1, 1]; scores must be numbers. Without a scaled
  score, one is computed from `raw / max` when that makes sense.
- Top-level statements (no `context.contextActivities.parent`) keep the best scaled score
  on the learner's `H5PAttempt`; statements of sub-content (one question of a quiz) only
  count as statements.
- Only a top-level statement completes the activity, by the activity's rule
  (`Activity.h5p_completion`, see `completes`): by score (a completing verb with a scaled
  score reaching the minimum, or above zero without one), when viewed to the end
  (`experienced` with `result.completion`), or never by a statement (the learner marks it
  done). Completion goes through `services.record_completion` (once; the apps above
  re-evaluate at once).

A statement keeps the player's `id` when that is a UUID; else it gets one when it is
stored, kept from then on (`XAPIStatement.statement_id`, and the stored statement's `id`).
An id is stored once: the same statement posted again is answered with the outcome of the
one stored and counts nothing twice (no second attempt, no second completion); another
statement under a stored id is refused (code "conflict": xAPI's 409), whoever races.

With COURSES_LRS_ENDPOINT set, every stored statement is also sent to that Learning Record
Store, through an outbox: the row is marked pending in the very transaction that stores it,
and `send_due_statements` sends what is due, run every minute by Celery beat
(`courses.tasks.send_due_xapi_statements`) and, with a broker, for each statement as soon as
its transaction commits. Nothing about the LRS reaches the learner's request: it neither
waits for the LRS nor fails with it (eager Celery sends nothing inline). A failed attempt is
tried again later (30 s, doubling up to an hour, with jitter) up to COURSES_LRS_MAX_ATTEMPTS
times; the statement is then marked failed, for `manage.py resend_xapi` or the admin's "send
again now". What is sent is `forwardable_statement`: strictly valid xAPI 1.0.3
(`strict_xapi`), under the kept id, so the LRS drops a copy it has already.
"""

from __future__ import annotations

import base64
import copy
import http.client
import json
import logging
import math
import random
import re
import time
import urllib.error
import urllib.request
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import accumulate
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from . import app_settings
from .models import (
    Activity,
    ActivityCompletion,
    Enrolment,
    H5PAttempt,
    H5PContentUserData,
    XAPIStatement,
)
from .services import record_completion

logger = logging.getLogger(__name__)

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
COMPLETING_VERBS = {"completed", "passed", "mastered"}
# A statement nests about 7 levels (context.contextActivities.parent[0].definition.name);
# extensions may add some. Far deeper input is an attack on the parser, which recurses.
MAX_DEPTH = 32

# How deep JSON nests, found without parsing it: escapes taken out, then strings, then
# everything but brackets (each a single pass, linear whatever the text holds).
_JSON_ESCAPE = re.compile(r"\\.", re.DOTALL)
_JSON_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# Text the database cannot store: a NUL character, or half of a surrogate pair.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A statement id as xAPI writes a UUID (1.0.3, 2.4.1: RFC 4122's hyphenated form).
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def learner_pseudonym(user: Any) -> str:
    """A stable identifier for `user` that reveals nothing about them (for xAPI actors),
    keyed with COURSES_LEARNER_PSEUDONYM_KEY: without that key it cannot be mapped back."""
    return _pseudonym(user.pk)


def _pseudonym(user_pk: Any) -> str:
    key = app_settings.LEARNER_PSEUDONYM_KEY()
    return salted_hmac(
        "courses.xapi.learner", str(user_pk), secret=key, algorithm="sha256"
    ).hexdigest()[:32]


def xapi_actor(user: Any) -> dict[str, Any]:
    """The actor stored with every statement of `user`: an account on this site (its
    SITE_URL, see `account_home_page`), named by a pseudonym; no name or e-mail."""
    return _actor(user.pk)


def _actor(user_pk: Any) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "account": {"homePage": account_home_page(), "name": _pseudonym(user_pk)},
    }


def _invalid(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _nested_deeper_than(text: str, limit: int) -> bool:
    """Whether the JSON `text` opens more than `limit` arrays and objects inside each other
    (brackets inside strings do not count), found before parsing: Python's json parser
    recurses once per level, so a body of "[[[[..." would exhaust the stack."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", _JSON_ESCAPE.sub("", text)))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) > limit


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes | str) -> Any:
    """The JSON value of a request body (or of text), checked before parsing so that no
    input can break the parser. Raises ValidationError (code "json" or "depth") for what is
    not JSON text (invalid UTF-8, NaN or Infinity, a number of more than 4,300 digits
    included) or nests deeper than `MAX_DEPTH`."""
    not_json = _invalid(_("The statement is not valid JSON."), "json")
    try:
        text = body if isinstance(body, str) else body.decode(json.detect_encoding(body))
    except UnicodeDecodeError:
        raise not_json from None
    if _nested_deeper_than(text, MAX_DEPTH):
        raise _invalid(
            _("The statement nests more than %(max)d levels deep.") % {"max": MAX_DEPTH}, "depth"
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise not_json from None


def check_storable(statement: Any) -> None:
    """Raise ValidationError unless every key and text of `statement` can be stored (no NUL
    character, no half of a surrogate pair), every number is finite and it nests at most
    `MAX_DEPTH` levels. Walked without recursion, so a statement built in Python (not
    parsed by `parse_json`) is checked as safely."""
    pending: deque[tuple[Any, int]] = deque([(statement, 0)])
    while pending:
        value, depth = pending.popleft()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                raise _invalid(_("The statement holds a NUL character or invalid text."), "text")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise _invalid(_("The statement holds a number that is not finite."), "number")
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise _invalid(
                    _("The statement nests more than %(max)d levels deep.") % {"max": MAX_DEPTH},
                    "depth",
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    raise _invalid(
                        _("The statement holds a NUL character or invalid text."), "text"
                    )
                pending.append((item, depth + 1))


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _invalid(_("The statement's %(what)s is not a number.") % {"what": what}, "score")
    return float(value)


def _boolean(value: Any, what: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise _invalid(_("The statement's %(what)s is not true or false.") % {"what": what}, "result")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _verb(statement: dict[str, Any]) -> str:
    verb_id = _mapping(statement.get("verb")).get("id")
    if not isinstance(verb_id, str) or not verb_id.strip():
        raise _invalid(_("The statement has no verb."), "verb")
    if verb_id.startswith(ADL_VERBS):
        return verb_id.removeprefix(ADL_VERBS).strip("/")[:255]
    return verb_id[:255]


def belongs_to(statement: dict[str, Any], activity: Activity) -> bool:
    """Whether the statement's object is this activity's content (see the module's rules)."""
    object_id = _mapping(statement.get("object")).get("id")
    if not isinstance(object_id, str) or not object_id:
        return False
    identifiers = [str(activity.public_id)]
    if activity.h5p_package is not None:
        identifiers.append(str(activity.h5p_package.public_id))
    return any(identifier in object_id for identifier in identifiers)


def is_top_level(statement: dict[str, Any]) -> bool:
    context = _mapping(statement.get("context"))
    return not _mapping(context.get("contextActivities")).get("parent")


# The verb the player frame sends when the learner has seen the end of the content (for
# activities completed "when viewed to the end"); content types may send it themselves.
VIEWED_VERBS = {"experienced"}


def completes(
    *,
    activity: Activity,
    verb: str,
    top_level: bool,
    completion: bool | None,
    scaled: float | None,
) -> bool:
    """Whether a statement with these figures completes `activity`, by its completion rule
    (`Activity.h5p_completion`). Only a top-level statement (the whole content, not one
    question inside it) counts.

    - score: a completing verb (completed, passed, mastered, or answered with
      `result.completion`) with a scaled score that reaches `h5p_min_score`, or, when no
      minimum is set, lies above zero: pressing "Check" with nothing answered scores 0 and
      completes nothing;
    - viewed: the learner saw the end of the content (`experienced` with
      `result.completion`), or the content says it was completed;
    - marked_done: never by a statement; the learner marks it as done on the activity page.
    """
    if not top_level:
        return False
    says_completed = verb in COMPLETING_VERBS or (verb == "answered" and completion is True)
    rule = activity.h5p_completion
    if rule == Activity.H5PCompletion.MARKED_DONE:
        return False
    if rule == Activity.H5PCompletion.VIEWED:
        return says_completed or (verb in VIEWED_VERBS and completion is True)
    if not says_completed or scaled is None:
        return False
    if activity.h5p_min_score is not None:
        return scaled >= activity.h5p_min_score
    return scaled > 0


def _check_learner(user: Any, activity: Activity) -> None:
    if activity.kind != Activity.Kind.H5P or activity.h5p_package_id is None:
        raise _invalid(_("This activity has no H5P content."), "not_h5p")
    if not Enrolment.objects.filter(course_id=activity.module.course_id, user=user).exists():
        raise PermissionDenied


@dataclass(frozen=True)
class RecordedStatement:
    """What recording a statement changed, for the player's reply."""

    statement: XAPIStatement
    best_score_scaled: float | None
    completed: bool
    # The statement had been stored already (the same id, posted again): nothing was counted.
    repeated: bool = False


def statement_uuid(statement: dict[str, Any]) -> uuid.UUID:
    """The id a statement is stored and sent under: the player's own `id` when it is a UUID
    (so a statement the player sends twice is recognised), else a new one."""
    given = statement.get("id")
    if isinstance(given, str) and _UUID.fullmatch(given):
        return uuid.UUID(given)
    return uuid.uuid4()


# What xAPI lets differ between two copies of one statement (1.0.3, 2.3.1 and its comparison
# requirements): what an LRS may assign, and attachments; verbs' display texts and activity
# definitions are not part of the statement either (below).
_NOT_COMPARED = ("id", "authority", "stored", "version", "attachments", "timestamp")


def _comparable(statement: dict[str, Any]) -> dict[str, Any]:
    data = {key: value for key, value in statement.items() if key not in _NOT_COMPARED}
    verb = _mapping(data.get("verb"))
    data["verb"] = {key: value for key, value in verb.items() if key != "display"}
    target = _mapping(data.get("object"))
    data["object"] = {key: value for key, value in target.items() if key != "definition"}
    context = _mapping(data.get("context"))
    if context:
        activities = {}
        for kind, listed in _mapping(context.get("contextActivities")).items():
            listed = listed if isinstance(listed, list) else [listed]
            activities[kind] = [
                {key: value for key, value in _mapping(item).items() if key != "definition"}
                for item in listed
            ]
        data["context"] = {**context, "contextActivities": activities}
    return data


def _instant(value: Any) -> Any:
    """A timestamp as the moment it names (its serialisation may differ), else as given."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def same_statement(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether two statements under one id say the same (xAPI 1.0.3, 2.3.1): equal but for
    what an LRS may assign (id, authority, stored, version; a timestamp that only one has,
    or written otherwise), attachments, verbs' display texts and activity definitions."""
    if _comparable(first) != _comparable(second):
        return False
    when, other = _instant(first.get("timestamp")), _instant(second.get("timestamp"))
    return when is None or other is None or when == other


def _repeated(
    stored: XAPIStatement, *, user: Any, activity: Activity, statement: dict[str, Any]
) -> RecordedStatement:
    """The answer to a statement whose id is stored already: the stored one's outcome when
    it is the same statement from the same learner on the same activity, counted nothing
    again; else ValidationError "conflict" (xAPI's 409: an id names one statement only)."""
    if (
        stored.user_id != user.pk
        or stored.activity_id != activity.pk
        or not isinstance(stored.raw, dict)
        or not same_statement(stored.raw, statement)
    ):
        raise _invalid(_("Another statement is stored under this statement's id."), "conflict")
    attempt = H5PAttempt.objects.filter(user=user, activity=activity).first()
    return RecordedStatement(
        statement=stored,
        best_score_scaled=attempt.best_score_scaled if attempt else None,
        completed=ActivityCompletion.objects.filter(user=user, activity=activity).exists(),
        repeated=True,
    )


def _store(
    record: XAPIStatement, *, user: Any, activity: Activity, now: Any
) -> tuple[H5PAttempt, bool]:
    """Insert the statement, then count it on the learner's attempt (the best score) and
    complete the activity when it says so. Returns the attempt and whether the activity is
    completed. Inside the caller's transaction; the insert first, so that a taken id
    (IntegrityError) stops it before anything else is written."""
    record.save(force_insert=True)
    attempt, _created = H5PAttempt.objects.select_for_update().get_or_create(
        user=user, activity=activity
    )
    attempt.statements += 1
    attempt.last_statement_at = now
    fields = ["statements", "last_statement_at"]
    scaled = record.score_scaled
    if (
        record.top_level
        and scaled is not None
        and (attempt.best_score_scaled is None or scaled > attempt.best_score_scaled)
    ):
        attempt.best_score_scaled = scaled
        attempt.best_score_raw = record.score_raw
        attempt.best_score_max = record.score_max
        fields += ["best_score_scaled", "best_score_raw", "best_score_max"]
    attempt.save(update_fields=fields)
    completed = completes(
        activity=activity,
        verb=record.verb,
        top_level=record.top_level,
        completion=record.completion,
        scaled=scaled,
    )
    if completed:
        record_completion(
            user=user,
            activity=activity,
            source=ActivityCompletion.Source.H5P,
            completed_at=now,
        )
    else:
        completed = ActivityCompletion.objects.filter(user=user, activity=activity).exists()
    return attempt, completed


def record_xapi_statement(
    *, user: Any, activity: Activity, statement: dict[str, Any]
) -> RecordedStatement:
    """Store a statement the player sent for `user` (the signed-in learner) on `activity`,
    keep their best score and complete the activity when the statement says so.

    A statement whose id is stored already is not stored again: see `_repeated`. With
    COURSES_LRS_ENDPOINT set, the statement is pending in the outbox when this returns.

    Raises ValidationError for a statement that breaks the rules above (nothing is
    stored), PermissionDenied when `user` is not enrolled in the activity's course.
    """
    if not isinstance(statement, dict):
        raise _invalid(_("A statement must be a JSON object."), "not_object")
    _check_learner(user, activity)
    check_storable(statement)
    verb = _verb(statement)
    if not belongs_to(statement, activity):
        raise _invalid(_("The statement is about other content than this activity."), "object")

    result = _mapping(statement.get("result"))
    score = _mapping(result.get("score"))
    raw = _number(score.get("raw"), _("raw score"))
    maximum = _number(score.get("max"), _("maximum score"))
    scaled = _number(score.get("scaled"), _("scaled score"))
    if scaled is not None and not -1 <= scaled <= 1:
        raise _invalid(_("A scaled score must lie between -1 and 1."), "scaled")
    if scaled is None and raw is not None and maximum and 0 <= raw <= maximum:
        scaled = raw / maximum
    success = _boolean(result.get("success"), _("success"))
    completion = _boolean(result.get("completion"), _("completion"))
    duration = result.get("duration")
    duration = duration[:64] if isinstance(duration, str) else ""
    top_level = is_top_level(statement)

    statement_id = statement_uuid(statement)
    raw_statement = copy.deepcopy(statement)
    raw_statement["actor"] = xapi_actor(user)
    raw_statement["id"] = str(statement_id)
    now = timezone.now()
    # The outbox: with an LRS, the statement is pending from the moment it is stored.
    forward = bool(app_settings.LRS_ENDPOINT())
    record = XAPIStatement(
        user=user,
        activity=activity,
        received_at=now,
        verb=verb,
        top_level=top_level,
        score_raw=raw,
        score_max=maximum,
        score_scaled=scaled,
        success=success,
        completion=completion,
        duration=duration,
        raw=raw_statement,
        statement_id=statement_id,
        forwarding_state=(
            XAPIStatement.Forwarding.PENDING if forward else XAPIStatement.Forwarding.NOT_FORWARDED
        ),
        next_attempt_at=now if forward else None,
    )
    # The learner and activity are loaded already; the scaled range was checked above.
    record.full_clean(
        exclude=["user", "activity"], validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():
            attempt, completed = _store(record, user=user, activity=activity, now=now)
            if forward:
                transaction.on_commit(partial(_send_soon, record.pk), robust=True)
    except IntegrityError:
        # The id is taken: the same statement posted twice, perhaps at the same moment (the
        # unique constraint decides the race). The insert comes first, so the transaction
        # (or the caller's savepoint) rolled back having written nothing, and the statement
        # stored under that id answers. Costs no query unless it happens.
        stored = XAPIStatement.objects.filter(statement_id=statement_id).first()
        if stored is None:
            raise
        return _repeated(stored, user=user, activity=activity, statement=raw_statement)
    return RecordedStatement(
        statement=record, best_score_scaled=attempt.best_score_scaled, completed=completed
    )


def _send_soon(pk: int) -> None:
    """Once the learner's transaction has committed: ask a worker to send this statement now
    rather than at the next scheduled run (lower latency). Only with a broker: eager Celery
    (`make run`, the tests) would send inside the learner's request, where the LRS's
    slowness or failure must never land; there the scheduled run or `manage.py resend_xapi`
    sends it. Never raises: the statement waits in the outbox whatever happens here."""
    from .tasks import forward_xapi_statement

    try:
        if forward_xapi_statement.app.conf.task_always_eager:
            return
        forward_xapi_statement.apply_async((pk,), retry=False)
    except Exception:  # a broker that is down: the scheduled run sends it
        logger.warning(
            "xAPI statement %s could not be handed to a worker; the next run sends it",
            pk,
            exc_info=True,
        )


# Sending to the external Learning Record Store ---------------------------------------------


class LRSUnavailable(Exception):
    """The LRS could not take the statement now: worth trying again later."""


class LRSRefused(Exception):
    """The LRS answered that it will not take this statement: trying again changes nothing."""


# Answers worth trying again after: a timeout, too many requests, and what a wrong address
# or wrong credentials give (401, 403, 404, and redirects, which are not followed for a
# POST), which an administrator fixes in the settings. Any other 4xx refuses the statement.
RETRY_STATUSES = frozenset({401, 403, 404, 408, 425, 429})
# Properties an LRS sets itself (xAPI 1.0.3, 2.4.8 and 2.4.9): never sent by a provider.
LRS_ASSIGNED = ("stored", "authority")


def account_home_page() -> str:
    """The `homePage` of learners' xAPI accounts: the site's public address (SITE_URL).
    xAPI 1.0.3 (2.4.2.4) wants an IRL there, the address of the system the account is on;
    the urn used before named no address. Changing SITE_URL gives learners new accounts at
    the LRS, as changing their pseudonym key does."""
    return app_settings.SITE_URL() or "http://localhost:8000"


def _is_timestamp(value: Any) -> bool:
    """Whether `value` is an ISO 8601 date and time, as xAPI requires of a timestamp."""
    if not isinstance(value, str) or "T" not in value.upper():
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def forwardable_statement(record: XAPIStatement) -> dict[str, Any]:
    """The statement sent to the LRS for a stored one: its kept id (`statement_id`), the
    learner's pseudonymous account under SITE_URL as actor, the moment it was received as
    timestamp when the player gave none (or no valid one), version 1.0.3, and neither
    `stored` nor `authority` (the LRS sets those). The rest is the stored statement after
    `strict_xapi` (empty values left out), so that it passes a strict xAPI 1.0.3 validator.

    The same record always gives the same statement, so a second send is a copy the LRS
    recognises. `record.raw` keeps the statement as it was stored."""
    raw = record.raw if isinstance(record.raw, dict) else {}
    data = strict_xapi(raw)
    for key in LRS_ASSIGNED:
        data.pop(key, None)
    data["id"] = str(record.statement_id)
    data["actor"] = _actor(record.user_id)
    data["version"] = "1.0.3"
    if not _is_timestamp(data.get("timestamp")):
        data["timestamp"] = record.received_at.isoformat()
    return data


def post_statement(data: dict[str, Any]) -> str:
    """POST one statement to the LRS (COURSES_LRS_ENDPOINT), with HTTP Basic credentials
    when COURSES_LRS_USERNAME or _PASSWORD are set. Returns "" when the LRS stored it, or a
    note when it holds a statement under this id already (409: an earlier copy of ours).

    Raises LRSUnavailable when it is worth trying again (no answer in
    COURSES_LRS_TIMEOUT_SECONDS, a server error, `RETRY_STATUSES`), LRSRefused when the LRS
    refuses the statement itself. Their messages name an HTTP status or a network error,
    never the statement's content."""
    endpoint = app_settings.LRS_ENDPOINT()
    headers = {
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
    }
    username, password = app_settings.LRS_USERNAME(), app_settings.LRS_PASSWORD()
    if username or password:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    try:
        request = urllib.request.Request(  # noqa: S310 - the endpoint is the site's configuration
            endpoint.rstrip("/") + "/statements",
            data=json.dumps(data).encode(),
            headers=headers,
            method="POST",
        )
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=app_settings.LRS_TIMEOUT_SECONDS()
        ) as response:
            response.read()
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
        if status == 409:
            return "HTTP 409: the LRS holds a statement under this id already"
        if status in RETRY_STATUSES or status < 400 or status >= 500:
            raise LRSUnavailable(f"HTTP {status}") from None
        raise LRSRefused(f"HTTP {status}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise LRSUnavailable(f"{type(reason).__name__}: {reason}") from None
    return ""


def retry_delay(attempts: int) -> timedelta:
    """How long a statement waits after its `attempts`-th failed attempt: 30 seconds after
    the first, doubling with each further one up to an hour (COURSES_LRS_RETRY_BASE_SECONDS
    and COURSES_LRS_RETRY_MAX_SECONDS), less up to a fifth at random, so that statements
    that failed together (the LRS was down) do not all come back in the same second."""
    base, longest = app_settings.LRS_RETRY_BASE_SECONDS(), app_settings.LRS_RETRY_MAX_SECONDS()
    delay = min(longest, base * 2 ** min(max(attempts - 1, 0), 32))
    return timedelta(seconds=delay * random.uniform(0.8, 1.0))


@dataclass
class SendReport:
    """What one sending run did, counted by outcome."""

    sent: int = 0
    refused: int = 0
    failed: int = 0  # the last attempt failed: an administrator sends it again
    retrying: int = 0  # this attempt failed; the statement is tried again later

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "refused": self.refused,
            "failed": self.failed,
            "retrying": self.retrying,
        }


# How long one sending run goes on taking batches: under the minute between two runs of
# Celery beat's schedule (config/settings.py), so that runs do not pile up.
SEND_SECONDS = 50
# The fields a sending run writes, in one query per batch.
_OUTCOME_FIELDS = [
    "forwarding_state",
    "forwarding_attempts",
    "next_attempt_at",
    "last_error",
    "sent_at",
]


def send_due_statements(
    *,
    ids: Iterable[int] | None = None,
    batch_size: int | None = None,
    seconds: float | None = None,
) -> SendReport:
    """Send the statements due in the outbox (pending, their next attempt now or past),
    oldest first, in batches of COURSES_LRS_BATCH_SIZE, until none is due, the LRS stops
    answering, or `seconds` (`SEND_SECONDS`) have passed; with `ids`, only those.

    Each batch is claimed in a short transaction of its own: `select_for_update` with
    `skip_locked` on PostgreSQL, so two workers never take the same statement, and the
    claimed statements' next attempt moved past the time the batch may take, so that a
    worker that dies meanwhile leaves them to be tried again then (the LRS drops a copy it
    has) rather than lost. No transaction is open while the LRS is asked. A batch costs the
    same three queries whatever its size: claim, move, record the outcomes.

    Never raises for the LRS: a failed attempt is recorded on the statement with the time of
    the next. Without COURSES_LRS_ENDPOINT nothing is sent."""
    report = SendReport()
    if not app_settings.LRS_ENDPOINT():
        return report
    size = max(1, batch_size or app_settings.LRS_BATCH_SIZE())
    budget = SEND_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + budget
    wanted = None if ids is None else list(ids)
    while True:
        batch = _claim_due(size, wanted)
        if not batch:
            break
        lrs_down = _send_batch(batch, report)
        if lrs_down or len(batch) < size or time.monotonic() >= deadline:
            break
    return report


def _claim_due(size: int, ids: list[int] | None) -> list[XAPIStatement]:
    now = timezone.now()
    # Longer than the batch can take: every statement may wait the whole timeout.
    claimed_until = now + timedelta(seconds=app_settings.LRS_TIMEOUT_SECONDS() * size + 60)
    with transaction.atomic():
        due = XAPIStatement.objects.filter(
            forwarding_state=XAPIStatement.Forwarding.PENDING, next_attempt_at__lte=now
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        batch = list(
            due.order_by("next_attempt_at", "pk").select_for_update(skip_locked=True)[:size]
        )
        if batch:
            XAPIStatement.objects.filter(pk__in=[record.pk for record in batch]).update(
                next_attempt_at=claimed_until
            )
    return batch


def _send_batch(batch: list[XAPIStatement], report: SendReport) -> bool:
    """Send each claimed statement and record the outcomes in one query. Returns whether
    the LRS could not be reached: the rest of the batch then waits as long as the statement
    that failed, without an attempt counted (no point knocking on a closed door 50 times)."""
    max_attempts = app_settings.LRS_MAX_ATTEMPTS()
    Forwarding = XAPIStatement.Forwarding
    unreachable_until: datetime | None = None
    for record in batch:
        if unreachable_until is not None:
            record.next_attempt_at = unreachable_until
            continue
        record.forwarding_attempts += 1
        try:
            note = post_statement(forwardable_statement(record))
        except LRSRefused as error:
            record.forwarding_state, record.next_attempt_at = Forwarding.REFUSED, None
            record.last_error = f"{error} (the LRS refused the statement)"[:200]
            report.refused += 1
            logger.warning("The LRS refused xAPI statement %s: %s", record.pk, error)
        except LRSUnavailable as error:
            record.last_error = str(error)[:200]
            wait = retry_delay(record.forwarding_attempts)
            unreachable_until = timezone.now() + wait
            if record.forwarding_attempts >= max_attempts:
                record.forwarding_state, record.next_attempt_at = Forwarding.FAILED, None
                report.failed += 1
                logger.error("xAPI statement %s failed for good: %s", record.pk, error)
            else:
                record.next_attempt_at = unreachable_until
                report.retrying += 1
        except Exception:  # a statement this code cannot send: kept, for an administrator
            logger.exception("xAPI statement %s could not be sent", record.pk)
            record.forwarding_state, record.next_attempt_at = Forwarding.REFUSED, None
            record.last_error = "The statement could not be prepared for sending."
            report.refused += 1
        else:
            record.forwarding_state, record.next_attempt_at = Forwarding.SENT, None
            record.sent_at, record.last_error = timezone.now(), note
            report.sent += 1
    XAPIStatement.objects.bulk_update(batch, _OUTCOME_FIELDS)
    return unreachable_until is not None


def requeue_statements(statements: QuerySet[XAPIStatement]) -> int:
    """Put `statements` back in the outbox, due now with their attempts counted afresh: failed
    or refused ones once the LRS or the statement is fixed, or ones stored while no LRS was
    configured. Sent ones are left alone (the LRS has them). Returns how many."""
    return statements.exclude(forwarding_state=XAPIStatement.Forwarding.SENT).update(
        forwarding_state=XAPIStatement.Forwarding.PENDING,
        forwarding_attempts=0,
        next_attempt_at=timezone.now(),
        last_error="",
    )


def send_now(statements: QuerySet[XAPIStatement]) -> SendReport:
    """An administrator's "send again now": `statements` requeued (unless sent already),
    and one batch of them sent in this request, as the worker sends them; the worker sends
    any others within the minute, so that a large selection does not hold the request."""
    ids = list(statements.values_list("pk", flat=True))
    requeue_statements(XAPIStatement.objects.filter(pk__in=ids))
    return send_due_statements(ids=ids, seconds=0)


def forwarding_summary(statements: QuerySet[XAPIStatement]) -> dict[str, Any]:
    """How many of `statements` stand in each forwarding state, and when the oldest one still
    pending was received (None when none is), in one query: for the administrators' view."""
    Forwarding = XAPIStatement.Forwarding
    figures = statements.order_by().aggregate(
        **{
            state.value: Count("pk", filter=Q(forwarding_state=state.value)) for state in Forwarding
        },
        oldest_pending=Min("received_at", filter=Q(forwarding_state=Forwarding.PENDING)),
    )
    return figures


# Making statements strictly valid xAPI 1.0.3 -------------------------------------------------


# What `strict_xapi` leaves out of a statement before it is sent, by rule name. The stored
# statement keeps all of it. xAPI 1.0.3 refuses some outright; strict validators (Ralph's
# models among them) refuse the rest, and an LRS that takes them may store them unusable.
STRICT_RULES = {
    "null": "a property whose value is null: an LRS must reject it (xAPI 1.0.3, 2.2.s4.b1).",
    "empty_string": (
        'a property whose value is the empty string, such as `result.response: ""`, which H5P '
        "sends for a question left blank. xAPI 1.0.3 allows an empty response (a String, "
        "2.4.5) and refuses the empty string only where a format is required (an IRI, a "
        "UUID, a mailto address: 2.2.s4.b1.b4), but strict validators refuse every empty "
        "string outside extensions (Ralph: 'Statements may not contain empty values'). Left "
        "out, it reads as no response given, which is what it says."
    ),
    "empty_language_entry": (
        "a language map entry whose text is empty (a nameless choice): a language map maps "
        "a language to a text (xAPI 1.0.3, 4.2)."
    ),
    "empty_object": (
        "an object with nothing in it, or left so by these rules: a language map, "
        "`extensions`, a definition, a score, a result, a context (xAPI 1.0.3, 2.2.s2.b1: "
        "objects should not be empty)."
    ),
    "empty_context_activities": (
        "an empty list under `context.contextActivities`: each names the activities the "
        "statement relates to (xAPI 1.0.3, 2.4.6.2)."
    ),
    "empty_response_pattern": (
        "`correctResponsesPattern` when it holds an empty string: strict validators refuse "
        "the empty string, and dropping only it would leave [] which means 'no correct "
        "answer' (xAPI 1.0.3, 2.4.4.1.s5); without the property, the pattern is unknown."
    ),
}
# What lies inside these is another vocabulary's, any JSON (xAPI 1.0.3, 2.2.s4.b1.b1, 5.3):
# only an empty map of them goes.
_OPAQUE = frozenset({"extensions"})
_LANGUAGE_MAPS = frozenset({"display", "name", "description"})
_DROPPED = object()


def strict_xapi(
    statement: dict[str, Any], applied: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """A copy of `statement` without what strict xAPI 1.0.3 validators refuse
    (`STRICT_RULES`), cleaned from the leaves up so that an object the rules empty goes too.
    Each rule applied is added to `applied` as (rule, path), for tests and logs."""
    notes: list[tuple[str, str]] = [] if applied is None else applied
    cleaned = _strict(statement, "", "", notes)
    return cleaned if isinstance(cleaned, dict) else {}


def _strict(value: Any, key: str, path: str, notes: list[tuple[str, str]]) -> Any:
    """`value` (found under `key`, at `path`) with the rules applied, or `_DROPPED`."""
    if value is None:
        notes.append(("null", path))
        return _DROPPED
    if isinstance(value, str):
        if value:
            return value
        notes.append(("empty_string", path))
        return _DROPPED
    if isinstance(value, list):
        items = [_strict(item, key, f"{path}[{index}]", notes) for index, item in enumerate(value)]
        return [item for item in items if item is not _DROPPED]
    if not isinstance(value, dict):
        return value  # numbers and booleans
    cleaned: dict[str, Any] = {}
    for name, item in value.items():
        where = f"{path}.{name}" if path else name
        if name in _OPAQUE and isinstance(item, dict):
            if item:
                cleaned[name] = copy.deepcopy(item)
            else:
                notes.append(("empty_object", where))
            continue
        if name == "correctResponsesPattern" and isinstance(item, list) and "" in item:
            notes.append(("empty_response_pattern", where))
            continue
        if key in _LANGUAGE_MAPS and item == "":
            notes.append(("empty_language_entry", where))
            continue
        result = _strict(item, name, where, notes)
        if result is _DROPPED:
            continue
        if key == "contextActivities" and result == []:
            notes.append(("empty_context_activities", where))
            continue
        cleaned[name] = result
    if not cleaned:
        if path:
            notes.append(("empty_object", path))
        return _DROPPED
    return cleaned


def state_names(data_type: str | None, sub_content_id: str | None) -> tuple[str, str]:
    """The names a player's state is saved under (its type, and the sub-content's id),
    defaulted and trimmed; ValidationError (code "state_name") when they are empty, too
    long, or hold text the database cannot store."""
    data_type = (data_type or "state").strip()
    sub_content_id = (sub_content_id or "0").strip()
    field_limit = H5PContentUserData._meta.get_field("data_type").max_length or 127
    if (
        not data_type
        or len(data_type) > field_limit
        or len(sub_content_id) > field_limit
        or _UNSTORABLE.search(data_type + sub_content_id)
    ):
        raise _invalid(_("The saved state is not named correctly."), "state_name")
    return data_type, sub_content_id


def save_player_state(
    *,
    user: Any,
    activity: Activity,
    data_type: str,
    sub_content_id: str,
    data: str | None,
) -> H5PContentUserData | None:
    """Save (or, with `data` None, forget) the player's state for a learner, so the next
    visit resumes it. The state is the JSON text the player produced."""
    _check_learner(user, activity)
    data_type, sub_content_id = state_names(data_type, sub_content_id)
    lookup = {
        "user": user,
        "activity": activity,
        "data_type": data_type,
        "sub_content_id": sub_content_id,
    }
    if data is None:
        H5PContentUserData.objects.filter(**lookup).delete()
        return None
    if len(data.encode(errors="surrogatepass")) > app_settings.XAPI_MAX_BYTES():
        raise _invalid(_("The saved state is too large."), "state_size")
    # Kept as the player wrote it, so it must be JSON the player can read back, and text the
    # database can store.
    try:
        parse_json(data)
    except ValidationError:
        raise _invalid(_("The saved state is not valid JSON."), "state_json") from None
    if _UNSTORABLE.search(data):
        raise _invalid(_("The saved state is not valid JSON."), "state_json")
    state, _created = H5PContentUserData.objects.update_or_create(**lookup, defaults={"data": data})
    return state
