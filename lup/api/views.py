"""The API's views used to live here; each resource now has its module (`organisations`,
`programmes`, `participants`, `gatherings`, `completions`, `me`) and what they share is in
`base`. Kept for the imports of `lup.api.innovation`, which still names this module:
import from `base` instead, then this module can go."""

from __future__ import annotations

from .base import ScopedViewSet, is_uuid, service_errors

_is_uuid = is_uuid  # the old private name, as lup.api.innovation imports it

__all__ = ["ScopedViewSet", "_is_uuid", "is_uuid", "service_errors"]
