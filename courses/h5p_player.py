"""The H5P player: its frame page, the files of a package, the player's saved state and the
xAPI statements it reports.

How it fits together:

- The activity page embeds the *frame page* (`h5p_frame`) in an iframe. The frame page
  loads h5p-standalone from our static files and points it at the file views below; the
  player then builds its own inner iframe for the content's libraries.
- The *file views* serve a package's `h5p.json`, its content folder and the libraries it
  uses, from the H5P storage, only to learners enrolled in a course that uses the package
  (or staff who may view packages). Paths are normalised and must stay in their folder.
- The frame page forwards every xAPI statement of the player to `h5p_xapi` (JSON, with the
  CSRF token in a header); the player saves its state through `h5p_state`.

The frame page and the files carry a strict Content-Security-Policy (see `frame_csp`).
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import app_settings, selectors, xapi
from .h5p.storage import h5p_storage
from .models import (
    Activity,
    H5PContentUserData,
    H5PLibrary,
    H5PPackage,
)

# The one inline script H5P core writes into the content iframe it creates (H5P.getHeadTags
# in h5p-standalone's frame.bundle.js). That iframe is an about:blank document and inherits
# the frame page's policy, so the script is allowed by its hash rather than 'unsafe-inline'.
CORE_INLINE_SCRIPT = (
    "H5PIntegration = window.parent.H5PIntegration; var H5P = H5P || {}; H5P.externalEmbed = false;"
)
CORE_INLINE_SCRIPT_HASH = (
    "sha256-" + base64.b64encode(hashlib.sha256(CORE_INLINE_SCRIPT.encode()).digest()).decode()
)

ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)

# File types a package may serve, by name ending; anything else is a download.
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".webvtt": "text/vtt; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".pdf": "application/pdf",
}
DOWNLOAD_TYPE = "application/octet-stream"

# A file of a package is never a page: if someone opens one directly (an SVG, say), it
# runs no script, in a sandbox. The policy does not apply where the player uses the file.
FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"


def frame_csp() -> str:
    """The frame page's Content-Security-Policy.

    - scripts: only our own origin (h5p-standalone, the libraries through the file views)
      and H5P core's one inline script by its hash. No 'unsafe-eval': neither the player
      nor jQuery needs it;
    - styles: 'unsafe-inline' because H5P core and content types write `style` attributes
      into the markup they build (progress bars, positions); a style cannot run script;
    - images, fonts and media from our origin, data: and blob: URLs (H5P builds some);
    - connections (state, statements) only to our origin, so content cannot send data away;
    - frame-ancestors: our origin and COURSES_H5P_FRAME_ANCESTORS.
    """
    ancestors = " ".join(["'self'", *app_settings.H5P_FRAME_ANCESTORS()])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' '{CORE_INLINE_SCRIPT_HASH}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "media-src 'self' data: blob:",
            "connect-src 'self'",
            "frame-src 'self'",
            "worker-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )


def _strict(response: ResponseT, csp: str) -> ResponseT:
    response["Content-Security-Policy"] = csp
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "same-origin"
    return response


def _json_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like login_required, but answers the player's requests with 403 instead of a redirect."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"success": False, "message": _("Sign in first.")}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _enrolled_h5p_activity(user: Any, activity_id: Any) -> Activity:
    """An H5P activity with a package, in a course `user` is enrolled in; else 404."""
    return get_object_or_404(
        selectors.enrolled_activities(user)
        .filter(kind=Activity.Kind.H5P, h5p_package__isnull=False)
        .select_related("h5p_package"),
        public_id=activity_id,
    )


def player_origin(request: HttpRequest) -> str:
    """The origin the player frame is loaded from: COURSES_H5P_PLAYER_ORIGIN or ours."""
    return app_settings.H5P_PLAYER_ORIGIN() or f"{request.scheme}://{request.get_host()}"


def frame_url(activity: Activity) -> str:
    """The address of an activity's player frame (on the player origin when one is set)."""
    path = reverse("courses:h5p-frame", kwargs={"activity_id": activity.public_id})
    return app_settings.H5P_PLAYER_ORIGIN() + path


@require_GET
@never_cache
@xframe_options_sameorigin
@login_required
def h5p_frame(request: HttpRequest, activity_id: Any) -> HttpResponse:
    """The player for an H5P activity, to be embedded by the activity page."""
    user: Any = request.user
    activity = _enrolled_h5p_activity(user, activity_id)
    package = activity.h5p_package
    assert package is not None  # filtered above
    saved: dict[str, dict[str, str]] = {}
    for sub_content_id, data_type, data in H5PContentUserData.objects.filter(
        user=user, activity=activity
    ).values_list("sub_content_id", "data_type", "data"):
        saved.setdefault(sub_content_id, {})[data_type] = data
    package_root = reverse("courses:h5p-package", kwargs={"package_id": package.public_id})
    package_root = package_root.removesuffix("/h5p.json")
    state_url = reverse("courses:h5p-state", kwargs={"activity_id": activity.public_id})
    pseudonym = xapi.learner_pseudonym(user)
    activity_url = reverse("courses:activity-detail", kwargs={"activity_id": activity.public_id})
    options: dict[str, Any] = {
        "id": str(activity.public_id),
        "title": package.title,
        "h5pJsonPath": package_root,
        "contentJsonPath": f"{package_root}/content",
        "librariesPath": f"{package_root}/libraries",
        "frameJs": static("vendor/h5p-standalone/frame.bundle.js"),
        "frameCss": static("vendor/h5p-standalone/styles/h5p.css"),
        "customJs": [static("courses/h5p_content.js")],
        "frame": False,
        "copyright": False,
        "export": False,
        "embed": False,
        "icon": False,
        "fullScreen": False,
        "saveFreq": app_settings.H5P_SAVE_FREQ(),
        "ajax": {
            "contentUserDataUrl": f"{state_url}?dataType=:dataType&subContentId=:subContentId"
        },
        # H5P saves state only for a known user; it is named by a pseudonym, as the server
        # takes the learner from the session and never from the statements.
        "user": {"name": pseudonym, "mail": f"{pseudonym}@learners.invalid"},
        "xAPIObjectIRI": request.build_absolute_uri(activity_url),
    }
    if saved:
        options["contentUserData"] = saved
    config = {
        "options": options,
        "title": _("H5P content: %(title)s") % {"title": activity.title},
        "xapiUrl": reverse("courses:h5p-xapi", kwargs={"activity_id": activity.public_id}),
        "stateUrl": state_url,
        "parentOrigins": [player_origin(request), *app_settings.H5P_FRAME_ANCESTORS()],
    }
    response = render(request, "courses/h5p_frame.html", {"activity": activity, "config": config})
    return _strict(response, frame_csp())


def _package_for(user: Any, package_id: Any) -> H5PPackage:
    """A package that `user` may load: used by an activity of a course they are enrolled in,
    or any package for staff who may view packages. Otherwise 404."""
    package = get_object_or_404(
        H5PPackage.objects.select_related("main_library"), public_id=package_id
    )
    used = Activity.objects.filter(
        h5p_package=package, module__course__enrolments__user_id=user.pk
    ).exists()
    if not used and not user.has_perm("courses.view_h5ppackage"):
        raise Http404
    return package


def safe_relative_path(path: str) -> str | None:
    """`path` normalised, if it names a file inside its folder; None for anything else
    (absolute paths, `..`, hidden files, backslashes, NUL)."""
    if not path or "\x00" in path or "\\" in path or path.startswith("/"):
        return None
    normalized = posixpath.normpath(path)
    parts = normalized.split("/")
    if any(not part or part in (".", "..") or part.startswith(".") for part in parts):
        return None
    return normalized


def _serve(name: str, folder: str) -> FileResponse:
    """The file `name` of the H5P storage, which must lie inside `folder`."""
    if not posixpath.normpath(name).startswith(folder.rstrip("/") + "/"):
        raise Http404
    storage = h5p_storage()
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        raise Http404 from None
    extension = posixpath.splitext(name)[1].lower()
    content_type = CONTENT_TYPES.get(extension)
    response = FileResponse(
        handle,
        content_type=content_type or DOWNLOAD_TYPE,
        as_attachment=content_type is None,
        filename=posixpath.basename(name),
    )
    response["Cache-Control"] = "private, max-age=3600"
    _strict(response, FILE_CSP)
    return response


def _package_libraries(package: H5PPackage) -> QuerySet[H5PLibrary]:
    return H5PLibrary.objects.filter(packages=package) | H5PLibrary.objects.filter(
        pk=package.main_library_id
    )


@require_GET
@login_required
def h5p_package_json(request: HttpRequest, package_id: Any) -> HttpResponse:
    """A package's h5p.json (kept in the database)."""
    package = _package_for(request.user, package_id)
    response = JsonResponse(package.h5p_json)
    response["Cache-Control"] = "private, max-age=3600"
    return _strict(response, FILE_CSP)


@require_GET
@login_required
def h5p_content_file(request: HttpRequest, package_id: Any, path: str) -> FileResponse:
    """A file of a package's content folder (content.json, images, media)."""
    package = _package_for(request.user, package_id)
    relative = safe_relative_path(path)
    if relative is None:
        raise Http404
    folder = package.content_path.rstrip("/")
    return _serve(f"{folder}/{relative}", folder)


@require_GET
@login_required
def h5p_library_file(request: HttpRequest, package_id: Any, path: str) -> FileResponse:
    """A file of a library the package uses: `<Machine.Name-major.minor>/<file>`."""
    package = _package_for(request.user, package_id)
    relative = safe_relative_path(path)
    if relative is None or "/" not in relative:
        raise Http404
    folder_name, rest = relative.split("/", 1)
    library = next(
        (lib for lib in _package_libraries(package) if lib.folder_name == folder_name), None
    )
    if library is None:
        raise Http404
    folder = library.files_path.rstrip("/")
    return _serve(f"{folder}/{rest}", folder)


def _body_too_large(request: HttpRequest, limit: int) -> bool:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return declared > limit


def _too_large() -> JsonResponse:
    return JsonResponse({"success": False, "message": _("The request is too large.")}, status=413)


def _result_message(best_scaled: float | None, completed: bool) -> str:
    parts = []
    if best_scaled is not None:
        parts.append(_("Your best score: %(percent)d %%.") % {"percent": round(best_scaled * 100)})
    if completed:
        parts.append(_("The activity is completed."))
    return " ".join(parts)


@require_POST
@_json_login_required
def h5p_xapi(request: HttpRequest, activity_id: Any) -> HttpResponse:
    """Take one xAPI statement from the player (JSON) for the signed-in learner. A statement
    that is not JSON, nests too deep, holds text the database cannot store or breaks the
    rules of `xapi.record_xapi_statement` is answered 400 with the player's error shape
    (`success` false, a `message`, and the problem's `code`), and nothing is stored."""
    user: Any = request.user
    limit = app_settings.XAPI_MAX_BYTES()
    if _body_too_large(request, limit):
        return _too_large()
    activity = _enrolled_h5p_activity(user, activity_id)
    body = request.body
    if len(body) > limit:
        return _too_large()
    try:
        statement = xapi.parse_json(body)
        recorded = xapi.record_xapi_statement(user=user, activity=activity, statement=statement)
    except ValidationError as error:
        return JsonResponse(
            {"success": False, "message": " ".join(error.messages), "code": error.code},
            status=400,
        )
    except PermissionDenied:
        raise Http404 from None
    return JsonResponse(
        {
            "success": True,
            "completed": recorded.completed,
            "best_score_scaled": recorded.best_score_scaled,
            "message": _result_message(recorded.best_score_scaled, recorded.completed),
        },
        status=201,
    )


@require_http_methods(["GET", "POST"])
@_json_login_required
def h5p_state(request: HttpRequest, activity_id: Any) -> HttpResponse:
    """The player's saved state for the signed-in learner (H5P's contentUserData): GET it,
    or POST `data` (the state as JSON text; "0" forgets it)."""
    user: Any = request.user
    limit = app_settings.XAPI_MAX_BYTES()
    if request.method == "POST" and _body_too_large(request, 4 * limit):
        return _too_large()
    activity = _enrolled_h5p_activity(user, activity_id)
    source = request.POST if request.method == "POST" else request.GET
    data_type = source.get("dataType") or request.GET.get("dataType") or "state"
    sub_content_id = source.get("subContentId") or request.GET.get("subContentId") or "0"
    try:  # names the database cannot store (a NUL character) would fail the query itself
        data_type, sub_content_id = xapi.state_names(data_type, sub_content_id)
    except ValidationError as error:
        return JsonResponse({"success": False, "message": " ".join(error.messages)}, status=400)
    if request.method == "GET":
        saved = (
            H5PContentUserData.objects.filter(
                user=user,
                activity=activity,
                data_type=data_type,
                sub_content_id=sub_content_id,
            )
            .values_list("data", flat=True)
            .first()
        )
        response = JsonResponse({"success": True, "data": saved if saved is not None else False})
        response["Cache-Control"] = "private, no-store"
        return response
    data: str | None = request.POST.get("data")
    if data is None:
        return JsonResponse({"success": False, "message": _("No state was sent.")}, status=400)
    try:
        xapi.save_player_state(
            user=user,
            activity=activity,
            data_type=data_type,
            sub_content_id=sub_content_id,
            data=None if data == "0" else data,
        )
    except ValidationError as error:
        status = 413 if error.code == "state_size" else 400
        return JsonResponse({"success": False, "message": " ".join(error.messages)}, status=status)
    except PermissionDenied:
        raise Http404 from None
    return JsonResponse({"success": True})
