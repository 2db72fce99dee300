"""The H5P player: its frame page, the files of a package, the player's saved state and the
xAPI statements it reports.

How it fits together:

- The activity page (`views.activity_detail`) issues a play token (`h5p.play_tokens`) and
  embeds the *frame page* (`h5p_frame`, at `play/<token>/`) in a sandboxed iframe. The frame
  page loads h5p-standalone from our static files and points it at the token's file views;
  the player then builds its own inner iframe for the content's libraries.
- Every player route is reached with the token in its path, never with the session
  cookie: the content's `h5p.json` and content folder (`play/<token>/...`), the saved state
  and the statements. A request without a valid token for that learner and activity is
  refused. Libraries are public code shared by every content (`h5p/libraries/...`): any
  installed library is served, by its folder name, at its highest installed patch, the way
  H5P core resolves a dependency on major.minor.
- With COURSES_H5P_PLAYER_ORIGIN set, the frame is served from that origin, which shares
  no cookie with the site; there, and only there, its Content-Security-Policy allows what
  real H5P content needs (`'unsafe-eval'`, video from YouTube and Vimeo, blob workers), see
  `frame_csp`. On the site's own origin the frame keeps the strict policy.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import app_settings, selectors, xapi
from .h5p.play_tokens import PlayGrant, PlayTokenInvalid, issue_play_token, read_play_token
from .h5p.storage import h5p_storage
from .models import Activity, H5PContentUserData, H5PLibrary

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


# The routes the player uses: on the player's own origin, nothing else is served
# (`middleware.H5PPlayerOriginMiddleware`).
PLAYER_ROUTES = frozenset(
    {"h5p-frame", "h5p-package", "h5p-content-file", "h5p-library-file", "h5p-state", "h5p-xapi"}
)
LIBRARY_FOLDER = re.compile(
    r"^(?P<name>[\w.-]+)-(?P<major>[0-9]{1,5})\.(?P<minor>[0-9]{1,5})$", re.ASCII
)
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", re.ASCII)


# MathJax 2, which H5P.MathDisplay 1.0.0 to 1.0.8 load from a CDN unless the host names
# another copy: ours, from the npm package `mathjax` (config/settings.py, setup.py).
MATHJAX_SCRIPT = "vendor/mathjax/MathJax.js"
# H5P.MathDisplay's own defaults for MathJax 2 (its scripts/mathdisplay.js), with the
# TeX web fonts only: the font files we ship (no image fonts, no other font families).
MATHJAX_CONFIG: dict[str, Any] = {
    "extensions": ["tex2jax.js"],
    "showMathMenu": False,
    "jax": ["input/TeX", "output/HTML-CSS"],
    "tex2jax": {"ignoreClass": "ckeditor"},
    "messageStyle": "none",
    "HTML-CSS": {
        "availableFonts": ["TeX"],
        "preferredFont": "TeX",
        "webFont": "TeX",
        "imageFont": None,
    },
}


def mathjax_url() -> str:
    """The address of our MathJax 2 script, always named `MathJax.js`.

    MathJax 2 finds its own folder (extensions, fonts) by looking for a script whose file
    name is `MathJax.js`; a hashed name from a manifest storage would hide it. collectstatic
    keeps the unhashed copy beside the hashed one, so the hashed address's folder is used.
    """
    url = static(MATHJAX_SCRIPT)
    return url.rsplit("/", 1)[0] + "/MathJax.js"


def library_config() -> dict[str, Any]:
    """What the host tells content libraries: H5P's `H5PIntegration.libraryConfig`
    (H5P core's `H5P_LIBRARY_CONFIG`), read by `H5P.getLibraryConfig(machineName)`.

    H5P.MathDisplay 1.0.0 to 1.0.8 read the MathJax they load from it, with a CDN as the
    default: here they load our copy, served from our static files, which the player's
    policy allows. Later versions carry MathJax 3 in the library itself (served with the
    library's files, from our origin) and ignore `src`; they copy `config` into MathJax 3's
    configuration, where MathJax 2's option names are unknown and left unused.
    """
    return {
        "H5P.MathDisplay": {
            "renderer": {"mathjax": {"src": mathjax_url(), "config": MATHJAX_CONFIG}},
        }
    }


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def request_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def on_player_origin(request: HttpRequest) -> bool:
    """Whether the request came to the player's own origin (COURSES_H5P_PLAYER_ORIGIN)."""
    origin = app_settings.H5P_PLAYER_ORIGIN()
    return bool(origin) and request_origin(request) == origin


def _sources(*groups: list[str]) -> str:
    return " ".join(dict.fromkeys(source for group in groups for source in group if source))


def frame_csp(*, own_origin: bool) -> str:
    """The frame page's Content-Security-Policy.

    On the site's origin (`own_origin` False) it is strict: scripts only from our origin
    and H5P core's one inline script by its hash, no 'unsafe-eval', media only from our
    origin, no workers. Some real content cannot run under it (the learner is told so).

    On the player's own origin (`own_origin` True), which shares no cookie with the site
    and serves nothing but the player, it allows what H5P content needs: 'unsafe-eval'
    (Advanced Fill the Blanks, the older Question Set), video, scripts and frames from
    COURSES_H5P_EMBED_SOURCES (YouTube, Vimeo), blob: workers and media, our static files'
    origin when they are served from elsewhere (the player itself, MathJax).

    In both: styles 'unsafe-inline' (H5P writes `style` attributes into what it builds),
    connections only to our origin (content cannot send data away), no plugins, no <base>,
    and only the site (SITE_URL), its own origin and COURSES_H5P_FRAME_ANCESTORS may embed it.
    """
    site = _origin_of(app_settings.SITE_URL())
    ancestors = _sources(["'self'", site], app_settings.H5P_FRAME_ANCESTORS())
    inline = f"'{CORE_INLINE_SCRIPT_HASH}'"
    if not own_origin:
        directives = [
            "default-src 'self'",
            f"script-src 'self' {inline}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "media-src 'self' data: blob:",
            "connect-src 'self'",
            "frame-src 'self'",
            "worker-src 'none'",
        ]
    else:
        static_origin = _origin_of(str(getattr(settings, "STATIC_URL", "") or ""))
        ours = ["'self'", static_origin]
        embeds = app_settings.H5P_EMBED_SOURCES()
        directives = [
            "default-src 'self'",
            f"script-src {_sources(ours, embeds)} 'unsafe-eval' {inline}",
            f"style-src {_sources(ours)} 'unsafe-inline'",
            f"img-src {_sources(ours, embeds)} data: blob:",
            f"font-src {_sources(ours)} data:",
            f"media-src {_sources(ours, embeds)} data: blob:",
            "connect-src 'self'",
            f"frame-src {_sources(ours[:1], embeds)}",
            "worker-src 'self' blob:",
        ]
    return "; ".join(
        [
            *directives,
            "object-src 'none'",
            # H5P core writes <base target="_parent"> into its content frame (links open in
            # the page, not the frame): the base is our own address.
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )


def _strict(response: ResponseT, csp: str) -> ResponseT:
    response["Content-Security-Policy"] = csp
    response["X-Content-Type-Options"] = "nosniff"
    # Only the origin ever leaves in a Referer: the token in our paths never does.
    response["Referrer-Policy"] = "strict-origin"
    return response


def frame_url(activity: Activity, *, user: Any, language: str) -> str:
    """The address of a new attempt's player frame for `user` (on the player origin when
    one is set): each call issues a fresh play token."""
    token = issue_play_token(user=user, activity=activity, language=language)
    path = reverse("courses:h5p-frame", kwargs={"token": token})
    return app_settings.H5P_PLAYER_ORIGIN() + path


def _granted_activity(grant: PlayGrant) -> Activity:
    """The token's activity, if it is still an H5P activity with a package in a course its
    learner is enrolled in; else 404."""
    activity = (
        selectors.enrolled_activities(grant.user)
        .filter(kind=Activity.Kind.H5P, h5p_package__isnull=False, pk=grant.activity_id)
        .select_related("h5p_package")
        .first()
    )
    if activity is None:
        raise Http404
    return activity


def _token_problem(error: PlayTokenInvalid) -> tuple[str, str]:
    if error.expired:
        return "token_expired", _(
            "This page has been open too long. Reload it to go on; what you have answered "
            "so far is saved."
        )
    return "token_invalid", _("This activity must be opened from its page. Reload the page.")


def _token_refused(error: PlayTokenInvalid) -> JsonResponse:
    code, message = _token_problem(error)
    return JsonResponse({"success": False, "message": message, "code": code}, status=403)


View = Callable[..., HttpResponseBase]


def _with_grant(view: View) -> View:
    """Read the path's token: the view gets the grant and the activity; a bad token is a
    403 in the player's JSON shape, an activity no longer playable a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            grant = read_play_token(token)
        except PlayTokenInvalid as error:
            return _token_refused(error)
        activity = _granted_activity(grant)
        with translation.override(grant.language or translation.get_language()):
            return view(request, grant, activity, *args, **kwargs)

    return wrapper


def content_language(package_json: dict[str, Any], fallback: str) -> str:
    """The language the content is written in (h5p.json's `language`), or `fallback` when
    the package does not say (H5P writes "und")."""
    language = package_json.get("language")
    if isinstance(language, str) and language != "und" and LANGUAGE_TAG.match(language):
        return language
    return fallback


def _xapi_object_iri(activity: Activity, request: HttpRequest) -> str:
    """The activity's id in statements: its page's address under SITE_URL (never the
    host name a request happened to use)."""
    path = reverse("courses:activity-detail", kwargs={"activity_id": activity.public_id})
    site = app_settings.SITE_URL()
    return site + path if site else request.build_absolute_uri(path)


@require_GET
@never_cache
@xframe_options_exempt  # who may embed it is the policy's frame-ancestors
def h5p_frame(request: HttpRequest, token: str) -> HttpResponse:
    """The player for one attempt at an H5P activity, embedded by the activity page."""
    own_origin = on_player_origin(request)
    try:
        grant = read_play_token(token)
    except PlayTokenInvalid as error:
        _code, message = _token_problem(error)
        response = render(
            request, "courses/h5p_frame_refused.html", {"message": message}, status=403
        )
        return _strict(response, frame_csp(own_origin=own_origin))
    activity = _granted_activity(grant)
    with translation.override(grant.language or translation.get_language()):
        return _frame_page(request, token, grant, activity, own_origin=own_origin)


def _frame_page(
    request: HttpRequest, token: str, grant: PlayGrant, activity: Activity, *, own_origin: bool
) -> HttpResponse:
    user = grant.user
    package = activity.h5p_package
    assert package is not None  # filtered by _granted_activity
    saved: dict[str, dict[str, str]] = {}
    for sub_content_id, data_type, data in H5PContentUserData.objects.filter(
        user=user, activity=activity
    ).values_list("sub_content_id", "data_type", "data"):
        saved.setdefault(sub_content_id, {})[data_type] = data
    root = reverse("courses:h5p-package", kwargs={"token": token}).removesuffix("/h5p.json")
    state_url = reverse("courses:h5p-state", kwargs={"token": token})
    libraries = reverse("courses:h5p-library-file", kwargs={"path": "x"}).removesuffix("/x")
    pseudonym = xapi.learner_pseudonym(user)
    page_language = translation.get_language() or settings.LANGUAGE_CODE
    language = content_language(package.h5p_json, page_language)
    options: dict[str, Any] = {
        "id": str(activity.public_id),
        "title": package.title,
        "h5pJsonPath": root,
        "contentJsonPath": f"{root}/content",
        "librariesPath": libraries,
        "frameJs": static("vendor/h5p-standalone/frame.bundle.js"),
        "frameCss": static("vendor/h5p-standalone/styles/h5p.css"),
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
        # takes the learner from the token and never from the statements.
        "user": {"name": pseudonym, "mail": f"{pseudonym}@learners.invalid"},
        "xAPIObjectIRI": _xapi_object_iri(activity, request),
    }
    if saved:
        options["contentUserData"] = saved
    config = {
        "options": options,
        "title": activity.title,
        "language": language,
        "completion": activity.h5p_completion,
        "xapiUrl": reverse("courses:h5p-xapi", kwargs={"token": token}),
        "stateUrl": state_url,
        "libraryConfig": library_config(),
        "parentOrigins": [
            origin
            for origin in dict.fromkeys(
                [
                    _origin_of(app_settings.SITE_URL()),
                    request_origin(request),
                    *app_settings.H5P_FRAME_ANCESTORS(),
                ]
            )
            if origin
        ],
        "blockedText": _(
            "Part of this activity cannot be shown here: it needs something from %(source)s, "
            "which this site does not allow. Tell your course's facilitator."
        ),
        "blockedCodeText": _("code built from text (“eval”)"),
    }
    response = render(
        request,
        "courses/h5p_frame.html",
        {
            "activity": activity,
            "config": config,
            "content_language": language,
            "page_language": page_language,
            "own_origin": own_origin,
        },
    )
    return _strict(response, frame_csp(own_origin=own_origin))


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


@require_GET
@_with_grant
def h5p_package_json(request: HttpRequest, grant: PlayGrant, activity: Activity) -> HttpResponse:
    """The played package's h5p.json (kept in the database)."""
    assert activity.h5p_package is not None
    response = JsonResponse(activity.h5p_package.h5p_json)
    response["Cache-Control"] = "private, max-age=3600"
    return _strict(response, FILE_CSP)


@require_GET
@_with_grant
def h5p_content_file(
    request: HttpRequest, grant: PlayGrant, activity: Activity, path: str
) -> FileResponse:
    """A file of the played package's content folder (content.json, images, media)."""
    assert activity.h5p_package is not None
    relative = safe_relative_path(path)
    if relative is None:
        raise Http404
    folder = activity.h5p_package.content_path.rstrip("/")
    response = _serve(f"{folder}/{relative}", folder)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def h5p_library_file(request: HttpRequest, path: str) -> FileResponse:
    """A file of an installed library: `<Machine.Name-major.minor>/<file>`, from its highest
    installed patch (how H5P core resolves a dependency, so content imported before an
    upgrade plays with the upgrade). Libraries are public code shared by all content: no
    learner's data, no token, and cacheable by the browser across attempts."""
    relative = safe_relative_path(path)
    if relative is None or "/" not in relative:
        raise Http404
    folder_name, rest = relative.split("/", 1)
    match = LIBRARY_FOLDER.match(folder_name)
    if match is None:
        raise Http404
    library = (
        H5PLibrary.objects.filter(
            machine_name=match["name"],
            major_version=int(match["major"]),
            minor_version=int(match["minor"]),
        )
        .only("files_path")
        .first()
    )
    if library is None:
        raise Http404
    folder = library.files_path.rstrip("/")
    response = _serve(f"{folder}/{rest}", folder)
    response["Cache-Control"] = "public, max-age=3600"
    return response


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


@csrf_exempt  # authenticated by the token in the path, never by a cookie
@require_POST
@_with_grant
def h5p_xapi(request: HttpRequest, grant: PlayGrant, activity: Activity) -> HttpResponse:
    """Take one xAPI statement from the player (JSON) for the token's learner. A statement
    that is not JSON, nests too deep, holds text the database cannot store or breaks the
    rules of `xapi.record_xapi_statement` is answered 400 with the player's error shape
    (`success` false, a `message`, and the problem's `code`), and nothing is stored."""
    limit = app_settings.XAPI_MAX_BYTES()
    if _body_too_large(request, limit):
        return _too_large()
    body = request.body
    if len(body) > limit:
        return _too_large()
    try:
        statement = xapi.parse_json(body)
        recorded = xapi.record_xapi_statement(
            user=grant.user, activity=activity, statement=statement
        )
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


@csrf_exempt  # authenticated by the token in the path, never by a cookie
@require_http_methods(["GET", "POST"])
@_with_grant
def h5p_state(request: HttpRequest, grant: PlayGrant, activity: Activity) -> HttpResponse:
    """The player's saved state for the token's learner (H5P's contentUserData): GET it,
    or POST `data` (the state as JSON text; "0" forgets it)."""
    user = grant.user
    limit = app_settings.XAPI_MAX_BYTES()
    if request.method == "POST" and _body_too_large(request, 4 * limit):
        return _too_large()
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
