"""What the H5P player reports: xAPI statements, the learner's best score, completion, and
the player's saved state (so a learner resumes where they were).

The rules for a statement (`record_xapi_statement`):

- It is a JSON object nested at most 32 levels deep (`MAX_DEPTH`; the body is checked
  before it is parsed, see `parse_json`), whose numbers are finite and whose texts, keys
  included, hold no NUL character and no half of a surrogate pair (the database cannot
  store them: PostgreSQL refuses both in text and jsonb).
- The learner is the signed-in user who posted it. The statement's `actor` is never
  trusted: it is replaced by a pseudonymous account for that user before it is stored.
- Its object must be this activity's content: the object id has to contain the activity's
  public identifier (the player names its content with the activity's address, and
  sub-content adds `?subContentId=...`) or the H5P package's public identifier.
- `result.score.scaled` must lie in [-1, 1]; scores must be numbers. Without a scaled
  score, one is computed from `raw / max` when that makes sense.
- Top-level statements (no `context.contextActivities.parent`) keep the best scaled score
  on the learner's `H5PAttempt`; statements of sub-content (one question of a quiz) only
  count as statements.
- Only a top-level statement completes the activity: verb `completed`, `passed` or
  `mastered`, or `answered` with `result.completion` true. If the activity has a minimum
  scaled score, the statement's scaled score must reach it. Completion goes through
  `services.record_completion` (once; the apps above re-evaluate at once).

With COURSES_LRS_ENDPOINT set, each stored statement is also forwarded to that Learning
Record Store by a Celery task (`courses.tasks.forward_xapi_statement`), enqueued once the
transaction commits and retried while the store is unreachable. The statement gets a
stable id, so a retry never records it twice there.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import math
import re
import urllib.error
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
ACCOUNT_HOME_PAGE = "urn:lup-learning:learner"
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


def learner_pseudonym(user: Any) -> str:
    """A stable identifier for `user` that reveals nothing about them (for xAPI actors),
    keyed with COURSES_LEARNER_PSEUDONYM_KEY: without that key it cannot be mapped back."""
    key = app_settings.LEARNER_PSEUDONYM_KEY()
    return salted_hmac(
        "courses.xapi.learner", str(user.pk), secret=key, algorithm="sha256"
    ).hexdigest()[:32]


def xapi_actor(user: Any) -> dict[str, Any]:
    """The actor stored with every statement of `user`: an account, no name or e-mail."""
    return {
        "objectType": "Agent",
        "account": {"homePage": ACCOUNT_HOME_PAGE, "name": learner_pseudonym(user)},
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


def completes(
    *,
    activity: Activity,
    verb: str,
    top_level: bool,
    completion: bool | None,
    scaled: float | None,
) -> bool:
    """Whether a statement with these figures completes `activity`."""
    if not top_level:
        return False
    if verb not in COMPLETING_VERBS and not (verb == "answered" and completion is True):
        return False
    if activity.h5p_min_score is not None:
        return scaled is not None and scaled >= activity.h5p_min_score
    return True


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


def record_xapi_statement(
    *, user: Any, activity: Activity, statement: dict[str, Any]
) -> RecordedStatement:
    """Store a statement the player sent for `user` (the signed-in learner) on `activity`,
    keep their best score and complete the activity when the statement says so.

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

    raw_statement = copy.deepcopy(statement)
    raw_statement["actor"] = xapi_actor(user)
    now = timezone.now()
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
    )
    # The learner and activity are loaded already; the scaled range was checked above.
    record.full_clean(
        exclude=["user", "activity"], validate_unique=False, validate_constraints=False
    )
    with transaction.atomic():
        record.save()
        attempt, _created = H5PAttempt.objects.select_for_update().get_or_create(
            user=user, activity=activity
        )
        attempt.statements += 1
        attempt.last_statement_at = now
        fields = ["statements", "last_statement_at"]
        if (
            top_level
            and scaled is not None
            and (attempt.best_score_scaled is None or scaled > attempt.best_score_scaled)
        ):
            attempt.best_score_scaled = scaled
            attempt.best_score_raw = raw
            attempt.best_score_max = maximum
            fields += ["best_score_scaled", "best_score_raw", "best_score_max"]
        attempt.save(update_fields=fields)
        completed = completes(
            activity=activity,
            verb=verb,
            top_level=top_level,
            completion=completion,
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
        if app_settings.LRS_ENDPOINT():
            transaction.on_commit(lambda: _enqueue_forward(record.pk))
    return RecordedStatement(
        statement=record, best_score_scaled=attempt.best_score_scaled, completed=completed
    )


def _enqueue_forward(statement_id: int) -> None:
    from .tasks import forward_xapi_statement

    forward_xapi_statement.delay(statement_id)


class LRSUnavailable(Exception):
    """The Learning Record Store could not take the statement now; try again later."""


def statement_id(record: XAPIStatement) -> str:
    """A stable UUID for a stored statement, so the LRS recognises a repeated forward."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:lup-learning:xapi:{record.pk}"))


def forward_statement(*, record: XAPIStatement) -> bool:
    """Send a stored statement to the external LRS (COURSES_LRS_ENDPOINT). Returns whether
    it was accepted; raises LRSUnavailable when it is worth trying again (no answer, a
    server error, too many requests). A statement the LRS refuses is logged, not retried."""
    endpoint = app_settings.LRS_ENDPOINT()
    if not endpoint:
        return False
    data = dict(record.raw)
    data["id"] = statement_id(record)
    data["actor"] = xapi_actor(record.user)
    data.setdefault("timestamp", record.received_at.isoformat())
    headers = {
        "Content-Type": "application/json",
        "X-Experience-API-Version": "1.0.3",
    }
    username, password = app_settings.LRS_USERNAME(), app_settings.LRS_PASSWORD()
    if username or password:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(  # noqa: S310 - the endpoint is the site's configuration
        endpoint.rstrip("/") + "/statements",
        data=json.dumps(data).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as error:
        if error.code == 409:  # already there (a retry after a lost answer)
            return True
        if error.code == 429 or error.code >= 500:
            raise LRSUnavailable(f"LRS answered {error.code}") from error
        logger.warning("The LRS refused xAPI statement %s: HTTP %s", record.pk, error.code)
        return False
    except (urllib.error.URLError, OSError) as error:
        raise LRSUnavailable(str(error)) from error
    return True


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
