"""xAPI statements name the learner by a pseudonymous account already (courses.xapi); an
instructor, authority or team member a player sent that identifies the person becomes a
pseudonymous account too. Free text (an answer) is the learner's own and stays."""

from __future__ import annotations

import json
import re
from typing import Any

from django.apps import apps
from django.db import models

from ...models import Participant
from .quotes import Identity, quoting_rows

# Where a statement names people (xAPI 1.0.3, 2.4): besides its actor, which the courses
# app stores as a pseudonymous account already.
_AGENT_PATHS = (("actor",), ("authority",), ("context", "instructor"), ("context", "team"))


def xapi_candidates(identity: Identity) -> models.QuerySet[Any]:
    if not apps.is_installed("courses"):
        return Participant.objects.none()
    model = apps.get_model("courses", "XAPIStatement")
    return quoting_rows(model, ("raw",), [*identity.needles, *identity.hashes()])


def scrub_xapi(identity: Identity, person: Any) -> int:
    """Agents in stored statements that identify the person (by name, address, its hash
    or account) become a pseudonymous account. Returns the statements changed."""
    pattern = identity.pattern()
    if pattern is None:
        return 0
    hashes = set(identity.hashes())
    replacement = {
        "objectType": "Agent",
        "account": {"homePage": "urn:lup:anonymised", "name": f"anonymised-{person.pk}"},
    }
    updated = []
    candidates = xapi_candidates(identity)
    for statement in candidates.only("pk", "raw").iterator(chunk_size=500):
        raw = statement.raw
        if not isinstance(raw, dict):
            continue
        cleaned = json.loads(json.dumps(raw))
        for path in _AGENT_PATHS:
            parent = cleaned
            for key in path[:-1]:
                parent = parent.get(key) if isinstance(parent, dict) else None
            if isinstance(parent, dict) and path[-1] in parent:
                parent[path[-1]] = _agent_scrubbed(parent[path[-1]], pattern, hashes, replacement)
        if cleaned != raw:
            statement.raw = cleaned
            updated.append(statement)
    if updated:
        type(updated[0])._default_manager.bulk_update(updated, ["raw"], batch_size=500)
    return len(updated)


def _agent_scrubbed(
    agent: Any, pattern: re.Pattern[str], hashes: set[str], replacement: dict[str, Any]
) -> Any:
    if isinstance(agent, list):
        return [_agent_scrubbed(item, pattern, hashes, replacement) for item in agent]
    if not isinstance(agent, dict):
        return agent
    if agent.get("objectType") == "Group" or "member" in agent:
        group = {
            **agent,
            "member": _agent_scrubbed(agent.get("member", []), pattern, hashes, replacement),
        }
        if isinstance(group.get("name"), str):
            group["name"] = pattern.sub(
                lambda _match: replacement["account"]["name"], group["name"]
            )
        return group
    if str(agent.get("mbox_sha1sum", "")).lower() in hashes or pattern.search(
        json.dumps(agent, ensure_ascii=False)
    ):
        return dict(replacement, account=dict(replacement["account"]))
    return agent
