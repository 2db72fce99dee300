"""Middleware of `courses`: the H5P player's own origin serves the player and nothing else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import Resolver404, resolve

from .h5p_player import PLAYER_ROUTES, on_player_origin


class H5PPlayerOriginMiddleware:
    """On COURSES_H5P_PLAYER_ORIGIN, answer only the player's routes (and static files);
    every other page is "not found" there.

    The player's origin allows what H5P content needs ('unsafe-eval', video from other
    hosts), so nothing of the site may be reachable on it: a script in some content could
    otherwise load the site's pages from its own origin. Put it first in MIDDLEWARE (after
    SecurityMiddleware), so nothing else runs for a refused request. Without a player
    origin it does nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if on_player_origin(request) and not self._player_route(request):
            return HttpResponseNotFound(b"Not found", content_type="text/plain")
        return self.get_response(request)

    @staticmethod
    def _player_route(request: HttpRequest) -> bool:
        static_url = str(getattr(settings, "STATIC_URL", "") or "")
        if static_url.startswith("/") and request.path_info.startswith(static_url):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return "courses" in match.app_names and match.url_name in PLAYER_ROUTES
