"""The API's JSON body parser: DRF's, with a limit on how deep a body may nest.

Python's json parser recurses once per level of arrays and objects, so a body of
"[[[[..." raises RecursionError, which DRF's parser does not catch (a 500). No request of
the API nests more than a few levels; a body deeper than `MAX_DEPTH` is a 400 like any
other body that is not JSON.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` (parsed JSON) holds arrays and objects more than `limit` deep;
    walked without recursion."""
    pending: deque[tuple[Any, int]] = deque([(value, 1)])
    while pending:
        item, depth = pending.popleft()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering a body nested too deep with 400 (ParseError)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        too_deep = ParseError(
            _("JSON parse error - nested more than %(max)d levels deep.") % {"max": MAX_DEPTH}
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if nested_deeper_than(data, MAX_DEPTH):
            raise too_deep
        return data
