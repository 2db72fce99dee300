"""Nothing Asker does reaches Bærum's data: every write route, attacked as each of Asker's roles.

Every route that accepts a write is found from the URL resolver (HTML views by trying a
POST as Bærum's superuser, the REST API's viewsets by their actions), filled with Bærum's
objects (`tests.urlmatrix.arguments_for`) and sent, as Asker's administrator, HR person,
facilitator, manager and write API token, an empty body and plausible ones: the form a
Bærum user would submit on that page (its text changed a little, so a write would show),
or what the API expects. Some attempts put Bærum's objects into Asker's own containers
(Bærum's person onto Asker's team, Bærum's participant into Asker's gathering).

Each attempt runs in a savepoint that is rolled back. Before the rollback the tables it
wrote to are read; after it they are read again: the difference is what the attempt did.
It must not change or delete a row of Bærum's, nor create or change a row so that it
points at one of Bærum's rows (or claims a Bærum person's e-mail address), nor answer 5xx.
Asker's own rows may change (Asker acting in its own scope is allowed). Bærum's rows are
every row of the world but Asker's (found from Asker's organisation and people by
following foreign keys) and the few that are shared by design (`SHARED_MODELS`).

A new write route without a rule in `RULES` (or a generic one: the admin's pages,
allauth's) fails `test_every_write_route_has_a_rule`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache as django_cache
from django.db import connection, models, transaction
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from tests.images import Rereadable, image_bytes
from tests.roles import World
from tests.urlmatrix import (
    ADMIN_CATCH_ALL,
    ADMIN_MODEL_URL,
    ADMIN_OBJECTS,
    ADMIN_SHORT_OBJECT_URL,
    Route,
    arguments_for,
    discover_routes,
    module_world,
    world_certificate,
    world_settings,
)

pytestmark = pytest.mark.django_db

# Asker's roles (the attackers) and the people (or token) behind them in tests.roles.
ATTACKERS = {
    "administrator": "other_administrator",
    "hr": "asker_hr",
    "facilitator": "asker_facilitator",
    "manager": "asker_manager",
}
TOKEN = "token"  # Asker's administrator's write token
# Bærum's people whose pages give the plausible bodies, in the order they are asked.
FORM_SOURCES = ("superuser", "administrator", "facilitator", "manager", "enthusiast", "hr")

SNAPSHOT_APPS = ("lup", "courses", "certificates", "auth", "account", "mfa", "socialaccount")
# What changes by itself and says nothing about an attack: the audit trail (it records
# refused attempts too), when someone last signed in, when a token was last used.
IGNORED_MODELS = {"lup.AuditEvent"}
IGNORED_FIELDS = {"last_login", "last_used_at"}
# Shared by every organisation by design (tests/test_permission_matrix.py: any
# administrator edits the certificate templates and H5P content; the role groups are
# the installation's): changing them is not crossing into Bærum.
SHARED_MODELS = {
    "auth.Group",
    "auth.Permission",
    "auth.Group_permissions",
    "courses.H5PLibrary",
    "courses.H5PPackage",
    "courses.H5PPackage_libraries",
    "certificates.CertificateTemplate",
    "certificates.Signatory",
}
# Curriculum is shared by use: another organisation's programme may use Bærum's course
# (lup.courses_adapter: only the owner edits it), so its learners' rows point at it. Pointing
# at these rows is no crossing; changing or deleting them is.
USABLE_BY_OTHERS = {
    "courses.Course",
    "courses.Module",
    "courses.Activity",
    "courses.Assignment",
    "courses.RubricCriterion",
}
WRITE_METHODS = ("post", "put", "patch", "delete")


# The world -------------------------------------------------------------------------------


@dataclass
class Arena:
    """The world, signed-in sessions for Bærum's and Asker's people, and whose rows are whose."""

    world: World
    sessions: dict[str, SimpleCookie] = field(default_factory=dict)
    token_secret: str = ""
    baseline: dict[str, dict[Any, tuple]] = field(default_factory=dict)
    askers: set[tuple[str, Any]] = field(default_factory=set)
    known: set[tuple[str, Any]] = field(default_factory=set)  # the baseline's rows
    bærum_emails: set[str] = field(default_factory=set)
    asker_gathering: Any = None
    forms: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    def is_baerums(self, label: str, pk: Any) -> bool:
        """Whether a row that existed before the attempt is Bærum's (or not Asker's at all)."""
        return label not in SHARED_MODELS and (label, pk) not in self.askers


@pytest.fixture(scope="module")
def arena(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Arena]:
    files = tmp_path_factory.mktemp("walls")
    with django_db_blocker.unblock(), module_world(files) as world:
        world.files = files
        yield build_arena(world)


@pytest.fixture(autouse=True)
def private_files(settings, arena):
    """The world's files (made once for the module) stay where it put them."""
    settings.COURSES_PRIVATE_ROOT = world_settings(arena.world.files)["COURSES_PRIVATE_ROOT"]


@pytest.fixture(autouse=True)
def h5p_files_in_tmp(settings, arena):
    settings.COURSES_H5P_ROOT = world_settings(arena.world.files)["COURSES_H5P_ROOT"]


def build_arena(world: World) -> Arena:
    from lup.models import Gathering
    from tests.conftest import _force_login_as_after_two_factor

    # Made now, so that filling a URL's arguments writes nothing later.
    world.certificate = world_certificate(world)
    # Bærum e-mails its scheduled exports to its own domain (a schedule can then be saved).
    bærum = world.programme.organisation
    bærum.export_email_domains = "example.no"
    bærum.save()
    arena = Arena(world=world)
    arena.asker_gathering = Gathering.objects.create(
        cohort=world.other_cohort,
        kind=Gathering.Kind.OPENING,
        title="Oppstart Asker",
        starts_at="2025-08-01T09:00Z",
        ends_at="2025-08-01T15:00Z",
    )
    for person in (*FORM_SOURCES, *ATTACKERS.values()):
        client = Client()
        _force_login_as_after_two_factor(client, world.people[person])
        arena.sessions[person] = client.cookies
    arena.token_secret = world.tokens["other_administrator"][1]
    arena.baseline = snapshot(all_tables())
    asker_people = {world.people[person].pk for person in ATTACKERS.values()}
    asker_people.add(world.tokens["other_administrator"][0].user_id)
    asker_people.update(world.team_other.participants.values_list("user_id", flat=True))
    arena.askers = rows_of(
        arena.baseline,
        seeds={
            ("lup.Organisation", world.other_programme.organisation_id),
            *(("auth.User", pk) for pk in asker_people),
        },
    )
    arena.known = {(label_of(table), pk) for table, rows in arena.baseline.items() for pk in rows}
    arena.bærum_emails = {
        email.lower()
        for pk, email in get_user_model().objects.values_list("pk", "email")
        if email and arena.is_baerums("auth.User", pk)
    }
    return arena


# Reading the tables ----------------------------------------------------------------------


@cache
def snapshot_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in SNAPSHOT_APPS and model._meta.label not in IGNORED_MODELS
    ]


@cache
def all_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in snapshot_models())


def model_of_table(table: str) -> type[models.Model] | None:
    return {m._meta.db_table: m for m in snapshot_models()}.get(table)


def label_of(table: str) -> str:
    model = model_of_table(table)
    assert model is not None
    return model._meta.label


def fields_of(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in IGNORED_FIELDS]


def references(model: type[models.Model]) -> dict[str, str]:
    """Foreign keys to rows we read: attname -> the label of the model they point at."""
    labels = {m._meta.label for m in snapshot_models()}
    return {
        f.attname: f.related_model._meta.label
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model._meta.label in labels
    }


def comparable(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def snapshot(tables: Iterable[str]) -> dict[str, dict[Any, tuple]]:
    """Every row of these tables (that we read), by table and primary key."""
    rows: dict[str, dict[Any, tuple]] = {}
    for table in tables:
        model = model_of_table(table)
        if model is None:
            continue
        names = fields_of(model)
        rows[table] = {
            values[0]: tuple(comparable(v) for v in values[1:])
            for values in model._base_manager.order_by().values_list("pk", *names)
        }
    return rows


def rows_of(baseline: dict[str, dict[Any, tuple]], seeds: set[tuple[str, Any]]) -> set[tuple]:
    """The seed rows and every row that points at one of them, again and again: one
    organisation's data (people are seeds: a row pointing at them is theirs)."""
    owned = set(seeds)
    grown = True
    while grown:
        grown = False
        for model in snapshot_models():
            label = model._meta.label
            if label == "auth.User":
                continue
            names = fields_of(model)
            refs = [(names.index(attname), target) for attname, target in references(model).items()]
            for pk, row in baseline.get(model._meta.db_table, {}).items():
                if (label, pk) in owned:
                    continue
                if any((target, row[i]) in owned for i, target in refs):
                    owned.add((label, pk))
                    grown = True
    return owned


WRITE_SQL = re.compile(
    r'^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+[`"]?(\w+)', re.IGNORECASE
)


@contextmanager
def recording_writes() -> Iterator[set[str]]:
    """The tables written to inside the block ("*" for a write we cannot place, and for
    every delete: the database may cascade it to other tables)."""
    written: set[str] = set()

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statement = sql.lstrip().upper()
        if statement.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")):
            match = WRITE_SQL.match(sql)
            written.add(match.group(1) if match else "*")
            if statement.startswith("DELETE"):
                written.add("*")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield written


def crossings(arena: Arena, before: dict, after: dict) -> list[str]:
    """What an attempt did to Bærum (empty: nothing), from the tables it wrote to, read
    before and after it."""
    existing = arena.known | {
        (label_of(table), pk) for table, rows in before.items() for pk in rows
    }
    found: list[str] = []
    for table, rows_after in after.items():
        model = model_of_table(table)
        assert model is not None
        label, rows_before = model._meta.label, before[table]
        row_of = RowReader(arena, model, existing)
        for pk in rows_before.keys() - rows_after.keys():
            if arena.is_baerums(label, pk):
                found.append(f"deleted Bærum's {label}#{pk}")
        for pk in rows_after.keys() - rows_before.keys():
            if bad := row_of.bærum_references(rows_after[pk]):
                found.append(f"created {label}#{pk} with Bærum's {', '.join(bad)}")
        for pk in rows_before.keys() & rows_after.keys():
            old, new = rows_before[pk], rows_after[pk]
            if old == new:
                continue
            changed = {n for n, a, b in zip(row_of.names, old, new, strict=True) if a != b}
            if arena.is_baerums(label, pk):
                found.append(f"changed Bærum's {label}#{pk}: {', '.join(sorted(changed))}")
            elif bad := row_of.bærum_references(new, changed):
                found.append(f"changed {label}#{pk} to Bærum's {', '.join(bad)}")
    return found


class RowReader:
    """Reads one model's snapshot rows: which of Bærum's rows a row points at, and whether it
    claims a Bærum person's e-mail address."""

    def __init__(self, arena: Arena, model: type[models.Model], existing: set) -> None:
        self.arena, self.existing = arena, existing
        self.names = fields_of(model)
        self.refs = references(model)

    def value(self, row: tuple, name: str) -> Any:
        return row[self.names.index(name)]

    def bærum_references(self, row: tuple, changed: set[str] | None = None) -> list[str]:
        pointing = [
            f"{attname}={target}#{self.value(row, attname)}"
            for attname, target in self.refs.items()
            if (changed is None or attname in changed)
            and target not in USABLE_BY_OTHERS
            and (target, self.value(row, attname)) in self.existing
            and self.arena.is_baerums(target, self.value(row, attname))
        ]
        claimed = [
            f"{name}={self.value(row, name)}"
            for name in ("email", "username")
            if name in self.names
            and (changed is None or name in changed)
            and isinstance(self.value(row, name), str)
            and self.value(row, name).lower() in self.arena.bærum_emails
        ]
        return pointing + claimed


# Sending an attempt ------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    method: str
    body: Any = None  # None: an empty body
    json: bool = False  # send the body as JSON (the API), not as a form
    url: str | None = None  # another URL than the route's (Asker's container)
    note: str = ""
    # the application refuses it for everyone (a rule of the domain, not the wall)
    refused_for_everyone: bool = False


@dataclass
class Result:
    status: int
    crossed: list[str]  # what it did to Bærum
    response: Any = None


def client_for(arena: Arena, person: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if person is not None:
        client.cookies = SimpleCookie(arena.sessions[person].output(header="", sep=";"))
    return client


def send(client: Client, attempt: Attempt, url: str, **extra: Any) -> Any:
    method = getattr(client, attempt.method)
    if attempt.body is None:
        return method(url, **extra)
    if attempt.json:
        return method(url, attempt.body, content_type="application/json", **extra)
    if attempt.method == "post":
        return method(url, attempt.body, **extra)
    # Browsers send forms only by POST; other methods get the body urlencoded.
    from urllib.parse import urlencode

    return method(
        url,
        urlencode(attempt.body, doseq=True),
        content_type="application/x-www-form-urlencoded",
        **extra,
    )


@contextmanager
def quiet() -> Iterator[None]:
    """Refusals and (reported) server errors log by design."""
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def attack(arena: Arena, role: str, attempt: Attempt, url: str, person: str = "") -> Result:
    """Send the attempt as one of Asker's roles (or, to check the attempt itself, as one of
    Bærum's people); what it answered and did to Bærum."""
    django_cache.clear()  # rate limits: every attempt gets through to the view
    if role == TOKEN:
        client = client_for(arena, None)
        extra = {"HTTP_AUTHORIZATION": f"Bearer {arena.token_secret}"}
    else:
        client = client_for(arena, person or ATTACKERS[role])
        extra = {}
    target = attempt.url or url
    with quiet(), recording_writes() as written, transaction.atomic():
        response = send(client, attempt, target, **extra)
        streamed = getattr(response, "file_to_stream", None)
        if streamed is not None:
            streamed.close()
        tables = all_tables() if "*" in written else written & all_tables()
        after = snapshot(tables) if tables else {}
        transaction.set_rollback(True)
    crossed: list[str] = []
    if after:
        before = snapshot(set(after))  # the same tables, as they are again after the rollback
        crossed = crossings(arena, before, after)
    return Result(response.status_code, crossed, response)


def as_bærum(arena: Arena, person: str, method: str, url: str) -> Any:
    """A request by one of Bærum's people, rolled back (to read a form or find methods)."""
    django_cache.clear()
    client = client_for(arena, person)
    with quiet(), transaction.atomic():
        response = getattr(client, method)(url)
        streamed = getattr(response, "file_to_stream", None)
        if streamed is not None:
            streamed.close()
        transaction.set_rollback(True)
    return response


# Finding the write routes ------------------------------------------------------------------


def api_methods(url: str) -> list[str] | None:
    """The write methods of a REST API route (None: not an API view)."""
    from rest_framework.views import APIView

    func = resolve(urlsplit(url).path).func
    view_class = getattr(func, "cls", None)
    if view_class is None or not issubclass(view_class, APIView):
        return None
    allowed = set(getattr(view_class, "http_method_names", WRITE_METHODS))
    actions = getattr(func, "actions", None)
    if actions is not None:  # a viewset: the methods its router mapped to actions
        offered = set(actions)
    else:  # an APIView or @api_view: the handlers it defines
        offered = {m for m in WRITE_METHODS if hasattr(view_class, m)}
    return [m for m in WRITE_METHODS if m in offered and m in allowed]


def write_methods(arena: Arena, url: str) -> list[str]:
    """The methods a route accepts a write by: the API's, or POST for a page unless a POST
    (as Bærum's superuser, rolled back) answers 405."""
    methods = api_methods(url)
    if methods is not None:
        return methods
    response = as_bærum(arena, "superuser", "post", url)
    return [] if response.status_code == 405 else ["post"]


# Plausible bodies --------------------------------------------------------------------------


class FormReader(HTMLParser):
    """The POST forms of a page, with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self.form: dict[str, Any] | None = None
        self.select: tuple[str, bool, list[str], list[str]] | None = None
        self.textarea: tuple[str, list[str]] | None = None
        self.submitted = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = {"action": a.get("action", ""), "method": a.get("method", "get").lower()}
            self.form["fields"] = []
            self.submitted = False
            self.forms.append(self.form)
            return
        if self.form is None or "name" not in a or "disabled" in a:
            if tag == "option" and self.select is not None:
                self._option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.form["fields"].append((name, a.get("value", "on"), kind))
            elif kind in {"submit", "image", "button"}:
                if kind == "submit" and not self.submitted:
                    self.form["fields"].append((name, a.get("value", ""), kind))
                    self.submitted = True
            elif kind != "file":
                self.form["fields"].append((name, a.get("value", ""), kind))
        elif tag == "button" and a.get("type", "submit") == "submit" and not self.submitted:
            self.form["fields"].append((name, a.get("value", ""), "submit"))
            self.submitted = True
        elif tag == "select":
            self.select = (name, "multiple" in a, [], [])
        elif tag == "textarea":
            self.textarea = (name, [])

    def _option(self, a: dict[str, str]) -> None:
        assert self.select is not None
        value = a.get("value", "")
        self.select[3].append(value)
        if "selected" in a:
            self.select[2].append(value)

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None and self.form is not None:
            name, multiple, chosen, offered = self.select
            if not chosen and not multiple and offered:
                chosen = offered[:1]
            for value in chosen:
                self.form["fields"].append((name, value, "select"))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            self.form["fields"].append((self.textarea[0], "".join(self.textarea[1]), "textarea"))
            self.textarea = None


NEW_PASSWORD = "Asker-overtar-2026!"


def tweaked(value: str) -> str:
    """Text changed a little (same length, still valid), so that a save shows. Values that
    do not end in a letter (dates, numbers, codes) and colours stay as they are."""
    if not value or not value[-1].isalpha() or re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return value
    return value[:-1] + ("x" if value[-1] != "x" else "y")


def distinct(value: str, max_length: int | None) -> str:
    """Text unlike the original (for a new object beside it: unique names and codes)."""
    if value and value[-1].isalpha():
        return tweaked(value)
    if max_length is None or len(value) < max_length:
        return value + "x" if value and not value[-1].isdigit() else value + "9"
    return value


def form_body(html: str, url: str, tweak: bool = True) -> dict[str, Any] | None:
    """What a browser would send from the page's POST form to this URL (text changed a
    little unless `tweak` is false)."""
    reader = FormReader()
    reader.feed(html)
    path = urlsplit(url).path
    for form in reader.forms:
        if form["method"] != "post" or urlsplit(urljoin(url, form["action"])).path != path:
            continue
        body: dict[str, list[str]] = {}
        for name, value, kind in form["fields"]:
            if tweak and kind in {"text", "search", "textarea"}:
                value = tweaked(value)
            if kind == "password" and not value:
                value = NEW_PASSWORD
            body.setdefault(name, []).append(value)
        return {name: values if len(values) > 1 else values[0] for name, values in body.items()}
    return None


def page_form(
    arena: Arena, url: str, sources: tuple[str, ...] = FORM_SOURCES, tweak: bool = True
) -> Any:
    """The plausible body of a page's form, read as the first of Bærum's people who gets the
    page (None: nobody gets a form that posts to it)."""
    key = f"{url} {sources} {tweak}"
    if key in arena.forms:
        return arena.forms[key]
    body = None
    for person in sources:
        response = as_bærum(arena, person, "get", url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            body = form_body(response.content.decode(), url, tweak)
            if body is not None:
                break
    arena.forms[key] = body
    return body


@dataclass
class Context:
    arena: Arena
    route: Route
    url: str

    @property
    def world(self) -> World:
        return self.arena.world

    def form(self, **overrides: Any) -> list[Attempt]:
        body = page_form(self.arena, self.url)
        if body is None:
            return []
        return [Attempt("post", {**body, **overrides}, note="the page's form")]

    def prize_category(self, index: int) -> str:
        from lup.innovation import prize

        return str(prize.ensure_prize_categories(self.world.programme)[index].pk)

    def person(self, role: str) -> Any:
        return self.world.people[role]

    def participant(self, person: str = "enthusiast") -> Any:
        return self.world.team_u1.participants.get(user=self.world.people[person])


Rule = Callable[[Context], list[Attempt]]


def form(ctx: Context) -> list[Attempt]:
    """The page's own form, as Bærum's people fill it in."""
    return ctx.form()


def nothing_more(ctx: Context) -> list[Attempt]:
    """An empty body says it all (no fields, or the view reads none)."""
    return []


def form_with(**values: Callable[[Context], Any]) -> Rule:
    """The page's form with some fields set (from the world)."""

    def rule(ctx: Context) -> list[Attempt]:
        overrides = {name: make(ctx) for name, make in values.items()}
        body = page_form(ctx.arena, ctx.url) or {}
        return [Attempt("post", {**body, **overrides}, note="the page's form, filled in")]

    return rule


def benefit_update(ctx: Context) -> list[Attempt]:
    """The benefit's update form (its fields carry the benefit's prefix), filled in."""
    body = page_form(ctx.arena, ctx.url) or {}
    prefix = next((name[: -len("status")] for name in body if name.endswith("-status")), "")
    today = dt.date.today().isoformat()
    filled = {f"{prefix}value": "900", f"{prefix}measured_on": today}
    return [Attempt("post", {**body, **filled}, note="the update form, filled in")]


def posts(*bodies: Callable[[Context], dict[str, Any]]) -> Rule:
    def rule(ctx: Context) -> list[Attempt]:
        return [Attempt("post", body(ctx)) for body in bodies]

    return rule


def cohort_a_participants(ctx: Context) -> list[str]:
    """Everyone on cohort A's teams, marked present."""
    from lup.models import Participant

    return [
        str(pk)
        for pk in Participant.objects.filter(enrolment__cohort=ctx.world.cohort_a).values_list(
            "pk", flat=True
        )
    ]


def csv_file(name: str, text: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# The REST API's bodies ---------------------------------------------------------------------


def api(*attempts: Callable[[Context], Attempt]) -> Rule:
    def rule(ctx: Context) -> list[Attempt]:
        return [make(ctx) for make in attempts]

    return rule


def new_participant(ctx: Context) -> Attempt:
    world = ctx.world
    return Attempt(
        "post",
        {
            "email": "ny@asker.example.no",
            "first_name": "Ny",
            "last_name": "Person",
            "cohort": str(world.cohort_a.public_id),
            "unit": str(world.team_u2.unit.public_id),
            "role": "enthusiast",
        },
        json=True,
        note="onto Bærum's team",
    )


def bærum_person_onto_asker_team(person: str) -> Callable[[Context], Attempt]:
    def make(ctx: Context) -> Attempt:
        world = ctx.world
        return Attempt(
            "post",
            {
                "email": world.people[person].email,
                "first_name": "Overtatt",
                "last_name": "Person",
                "cohort": str(world.other_cohort.public_id),
                "unit": str(world.team_other.unit.public_id),
                "role": "enthusiast",  # (Asker's team has its manager)
            },
            json=True,
            note=f"Bærum's {person} onto Asker's team",
        )

    return make


def project_body(ctx: Context, *, cohort: Any, unit: Any, members: list[Any]) -> dict[str, Any]:
    return {
        "title": "Overtatt prosjekt",
        "need": "Et behov",
        "audience": "Alle",
        "enrolment_cohort": str(cohort.public_id),
        "enrolment_unit": str(unit.public_id),
        "members": [str(member.public_id) for member in members],
    }


def project_in_bærum(ctx: Context) -> Attempt:
    world = ctx.world
    team = world.cohort_b.enrolments.get()
    return Attempt(
        "post",
        project_body(ctx, cohort=world.cohort_b, unit=team.unit, members=[]),
        json=True,
        note="a project for Bærum's team",
    )


def project_with_bærum_members(ctx: Context) -> Attempt:
    world = ctx.world
    return Attempt(
        "post",
        project_body(
            ctx,
            cohort=world.other_cohort,
            unit=world.team_other.unit,
            members=[ctx.participant()],
        ),
        json=True,
        note="Asker's project with Bærum's participant as a member",
    )


def rename_project(ctx: Context) -> Attempt:
    return Attempt("patch", {"title": "Overtatt", "members": []}, json=True)


def demote_manager(method: str) -> Callable[[Context], Attempt]:
    """U2's manager made an enthusiast (U1's enthusiast, in the route's URL, cannot be made
    the manager: U1 has one)."""

    def make(ctx: Context) -> Attempt:
        manager = ctx.world.team_u2.participants.get(user=ctx.world.people["other_manager"])
        return Attempt(
            method,
            {"role": "enthusiast"},
            json=True,
            url=f"/api/v1/participants/{manager.public_id}/",
            note="U2's manager made an enthusiast",
        )

    return make


def measurement(ctx: Context) -> Attempt:
    return Attempt("post", {"measured_on": "2026-01-15", "value": "1", "note": "x"}, json=True)


def benefit_of_bærums_project(ctx: Context) -> Attempt:
    """A new benefit for U1's project (issue 22's plan fields included)."""
    return Attempt(
        "post",
        {
            "project": str(ctx.world.project.public_id),
            "type": "time",
            "description": "Overtatt",
            "indicator": "Turer",
            "unit_of_measure": "count",
            "baseline_value": "10",
            "baseline_on": "2026-01-01",
            "target_value": "5",
            "owner": "Enhetsleder",
            "benefit_class": "budget",
            "effect": "Overtatt",
        },
        json=True,
        note="a benefit for Bærum's project",
    )


def change_benefit(ctx: Context) -> Attempt:
    return Attempt("patch", {"description": "Overtatt", "effect": "Overtatt"}, json=True)


def benefit_phase_update(ctx: Context) -> Attempt:
    """The benefit's update at the end of the phase U1's project has left."""
    today = dt.date.today().isoformat()
    return Attempt("post", {"value": "900", "measured_on": today, "status": "on_track"}, json=True)


def attendance_of_bærum(ctx: Context) -> Attempt:
    """U1's manager (not yet marked present) at Bærum's gathering."""
    return Attempt("post", {"participant": str(ctx.participant("manager").public_id)}, json=True)


def attendance_in_asker_gathering(ctx: Context) -> Attempt:
    return Attempt(
        "post",
        {"participant": str(ctx.participant().public_id)},
        json=True,
        url=f"/api/v1/gatherings/{ctx.arena.asker_gathering.pk}/attendance/",
        note="Bærum's participant into Asker's gathering",
        refused_for_everyone=True,  # a gathering takes its own cohort's participants only
    )


def revocation(ctx: Context) -> Attempt:
    return Attempt("post", {"reason": "Overtatt"}, json=True)


ANNOUNCEMENT = {"subject": "Overtatt", "body": "Asker skriver til Bærums folk."}


def announcement_to(audience: str) -> Callable[[Context], Attempt]:
    """An announcement to Bærum's cohort A, its team U1 or all units of its programme."""

    def make(ctx: Context) -> Attempt:
        world = ctx.world
        target = {
            "cohort": {"cohort": str(world.cohort_a.public_id)},
            "team": {"team": str(world.team_u1.public_id)},
            "programme": {"programme": str(world.programme.public_id)},
        }[audience]
        return Attempt(
            "post",
            {"audience": audience, **target, **ANNOUNCEMENT},
            json=True,
            note=f"an announcement to Bærum's {audience}",
        )

    return make


def cohort_closing(ctx: Context) -> Attempt:
    """Close Bærum's cohort A (its units still enrolled become not completed)."""
    return Attempt("post", {"moves": []}, json=True)


# The programme office's pages (lup.office) ---------------------------------------------------

NEW_COHORT = {"name": "LUP 9", "starts_on": "2026-08-20", "ends_on": "2027-02-01"}
NEW_GATHERING = {
    "title": "Samling",
    "kind": "session",
    "starts_at": "2025-09-01T09:00",
    "ends_at": "2025-09-01T15:00",
    "place": "Rådhuset",
}


def office_new_cohort(ctx: Context) -> list[Attempt]:
    """A new cohort in Bærum's programme with Bærum's facilitator; and a new cohort of
    Asker's own programme with Bærum's facilitator (refused for everyone: another
    organisation's person never facilitates)."""
    facilitator = pk_of(ctx, "facilitator")
    return [
        Attempt("post", {**NEW_COHORT, "facilitators": [facilitator]}, note="a new cohort"),
        Attempt(
            "post",
            {**NEW_COHORT, "facilitators": [facilitator]},
            url=f"/programmes/{ctx.world.other_programme.slug}/cohorts/new/",
            note="Bærum's facilitator on a new cohort of Asker's",
            refused_for_everyone=True,
        ),
    ]


def office_cohort_edit(ctx: Context) -> list[Attempt]:
    """Bærum's cohort A as its page fills it in, renamed (its name ends in a digit, which
    the page's form keeps); and Asker's own cohort given Bærum's facilitator (refused for
    everyone)."""
    other = ctx.world.other_cohort
    return [
        *ctx.form(name="LUP 1 vår"),
        Attempt(
            "post",
            {
                "name": other.name,
                "starts_on": other.starts_on.isoformat(),
                "ends_on": other.ends_on.isoformat(),
                "facilitators": [pk_of(ctx, "facilitator")],
            },
            url=f"/cohorts/{other.pk}/edit/",
            note="Bærum's facilitator made Asker's cohort's",
            refused_for_everyone=True,
        ),
    ]


def office_unit_move(ctx: Context) -> list[Attempt]:
    """U1 moved to Bærum's cohort B; and Asker's own team moved into Bærum's cohort B
    (refused for everyone: another programme's cohort)."""
    target = {"to_cohort": str(ctx.world.cohort_b.pk)}
    return [
        Attempt("post", target, note="U1 to cohort B"),
        Attempt(
            "post",
            target,
            url=f"/teams/{ctx.world.team_other.pk}/move/",
            note="Asker's team moved into Bærum's cohort",
            refused_for_everyone=True,
        ),
    ]


class WholeUpload:
    """A CSV upload each attempt sends whole (the test client reads a file from where it is,
    and one attempt is sent by every attacker in turn)."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text

    def read(self) -> bytes:
        return self.text.encode()


def office_unit_import(ctx: Context) -> list[Attempt]:
    """Bærum's unit U1 renamed and a new unit in Bærum, by the office's CSV import page."""
    unit = ctx.world.team_u1.unit
    text = f"kode;navn;sektor\n{unit.code};Overtatt enhet;{unit.sector.name}\nNY-9;Ny;Ny\n"
    return [
        Attempt(
            "post",
            {"file": WholeUpload("u.csv", text), "create_sectors": "on", "action": "import"},
            note="Bærum's units imported",
        )
    ]


def office_participant_import(ctx: Context) -> list[Attempt]:
    """A new person onto Bærum's team U1; through Asker's own page, Bærum's enthusiast onto
    Asker's team and Bærum's unit as a guest in Asker's cohort (both refused for everyone:
    another organisation's person or unit)."""
    world = ctx.world
    asker_page = f"/programmes/{world.other_programme.slug}/participants/import/"
    into_bærum = (
        "email;unit_code;cohort;role\n"
        f"ny@asker.example.no;{world.team_u1.unit.code};{world.cohort_a.name};ildsjel\n"
    )
    into_asker = (
        "email;unit_code;cohort;role\n"
        f"{world.people['enthusiast'].email};{world.team_other.unit.code};"
        f"{world.other_cohort.name};ildsjel\n"
    )
    guest = (
        "email;unit_code;cohort;role;organisation\n"
        f"gjest@asker.example.no;{world.team_u1.unit.code};{world.other_cohort.name};leder;"
        f"{world.programme.organisation.slug}\n"
    )
    return [
        Attempt(
            "post",
            {"file": WholeUpload("b.csv", into_bærum), "action": "import"},
            note="a new person onto Bærum's team",
        ),
        Attempt(
            "post",
            {"file": WholeUpload("a.csv", into_asker), "action": "import"},
            url=asker_page,
            note="Bærum's person onto Asker's team",
            refused_for_everyone=True,
        ),
        Attempt(
            "post",
            {"file": WholeUpload("g.csv", guest), "action": "import"},
            url=asker_page,
            note="Bærum's unit as a guest in Asker's cohort",
            refused_for_everyone=True,
        ),
    ]


def review_decision(ctx: Context) -> Attempt:
    return Attempt("post", {"decision": "revoked", "reason": "Overtatt"}, json=True)


# The admin's bodies ------------------------------------------------------------------------


def admin_example(route: Route, world: World) -> Any:
    match = ADMIN_MODEL_URL.match(route.name)
    if match is None:
        return None
    make = ADMIN_OBJECTS.get((match["app"], match["model"]))
    return make(world) if make is not None else None


def field_values(example: Any, body: dict[str, Any]) -> dict[str, Any]:
    """The example object's values for the fields a form has (its foreign keys to Bærum's
    rows, its text changed), in the form's encoding."""
    values: dict[str, Any] = {}
    for model_field in [*example._meta.concrete_fields, *example._meta.many_to_many]:
        name = model_field.name
        if model_field.primary_key or not model_field.editable:
            continue
        if name not in body and f"{name}_0" not in body:
            continue
        if model_field.many_to_many:
            values[name] = [str(pk) for pk in getattr(example, name).values_list("pk", flat=True)]
            continue
        value = getattr(example, model_field.attname)
        if isinstance(model_field, models.BooleanField):
            if value:
                values[name] = "on"
            else:
                body.pop(name, None)
        elif isinstance(model_field, models.DateTimeField) and value is not None:
            local = timezone.localtime(value)
            values[f"{name}_0"] = local.date().isoformat()
            values[f"{name}_1"] = local.time().strftime("%H:%M:%S")
        elif isinstance(model_field, models.JSONField):
            values[name] = json.dumps(value)
        elif value is None:
            values[name] = ""
        elif isinstance(value, str):
            unique = name in unique_fields(example)
            values[name] = distinct(value, model_field.max_length) if unique else value
        elif name == "position":
            values[name] = str(value + 50)  # beside the example, not on its place
        else:
            values[name] = str(value)
    return values


def unique_fields(example: Any) -> set[str]:
    """The fields a new object must not share with the example (alone or together)."""
    meta = example._meta
    names = {f.name for f in meta.concrete_fields if f.unique and not f.primary_key}
    for together in meta.unique_together:
        names.update(together)
    for constraint in meta.constraints:
        names.update(getattr(constraint, "fields", ()))
    return names


def admin_add(ctx: Context) -> list[Attempt]:
    """The add form, filled in like one of Bærum's objects (pointing at Bærum's rows), with
    what makes it a new object beside it (ADD_OVERRIDES)."""
    body = page_form(ctx.arena, ctx.url, ("superuser",), tweak=False)
    example = admin_example(ctx.route, ctx.world)
    if body is None or example is None:
        return ctx.form()
    body = dict(body)
    match = ADMIN_MODEL_URL.match(ctx.route.name)
    assert match is not None
    overrides = ADD_OVERRIDES.get((match["app"], match["model"]), lambda world: {})(ctx.world)
    values = {**body, **field_values(example, body), **overrides}
    return [Attempt("post", values, note="a Bærum-like object")]


def _participant(world: World, person: str) -> Any:
    return world.team_u1.participants.get(user=world.people[person])


# What a new object needs to differ from the example it copies (unique together).
ADD_OVERRIDES: dict[tuple[str, str], Callable[[World], dict[str, Any]]] = {
    ("lup", "participant"): lambda world: {
        "enrolment": str(world.team_u2.pk),
        "user": str(world.people["hr"].pk),
        # The example is a completed participant; the admin never stamps a completion.
        "status": "active",
    },
    ("lup", "attendance"): lambda world: {"participant": str(_participant(world, "manager").pk)},
    ("lup", "unitenrolment"): lambda world: {
        "cohort": str(world.cohort_b.pk),
        "unit": str(world.team_u1.unit.pk),
    },
    ("lup", "gathering"): lambda world: {"kind": "session"},
    ("lup", "innovationproject"): lambda world: {
        "enrolment": str(world.cohort_b.enrolments.get().pk)
    },
    ("courses", "enrolment"): lambda world: {"user": str(world.people["facilitator"].pk)},
}


def admin_changelist(ctx: Context) -> list[Attempt]:
    """Every action of the list, on one of Bærum's objects."""
    example = admin_example(ctx.route, ctx.world)
    response = as_bærum(ctx.arena, "superuser", "get", ctx.url)
    if example is None or response.status_code != 200:
        return []
    reader = FormReader()
    reader.feed(response.content.decode())
    actions = [
        value
        for form_ in reader.forms
        for name, value, _kind in form_["fields"]
        if name == "action" and value
    ]
    actions += re.findall(r'<option value="([\w-]+)"', response.content.decode())
    return [
        Attempt(
            "post",
            {
                "action": action,
                "_selected_action": [str(example.pk)],
                "index": "0",
                "select_across": "0",
                "post": "yes",
                "reason": "Overtatt",
            },
            note=f"action {action}",
        )
        for action in dict.fromkeys(actions)
    ]


def admin_delete(ctx: Context) -> list[Attempt]:
    return [Attempt("post", {"post": "yes"}, note="confirmed")]


def admin_rule(route: Route) -> Rule | None:
    match = ADMIN_MODEL_URL.match(route.name)
    if match is None:
        return None
    return {
        "add": admin_add,
        "changelist": admin_changelist,
        "delete": admin_delete,
    }.get(match["action"], form)


def allauth_rule(route: Route) -> Rule | None:
    """allauth's pages act on the signed-in person only: their own forms."""
    try:
        view = resolve(route.url(dict.fromkeys(route.arguments, "x"))).func
    except Exception:  # a pattern these dummy values do not fit
        return None
    return form if view.__module__.startswith("allauth.") else None


def participant_csv(ctx: Context) -> list[Attempt]:
    """Bærum's enthusiast onto Asker's team (Asker's programme); Bærum's administrator on
    Bærum's unit, named as a guest unit of Asker's cohort (the import's `organisation`
    column); a new person onto Bærum's team (Bærum's programme)."""
    world = ctx.world
    asker_unit, bærum_unit = world.team_other.unit, world.team_u1.unit
    header = "email;first_name;last_name;unit_code;cohort;role\n"
    into_asker = header + (
        f"{world.people['enthusiast'].email};Overtatt;Person;{asker_unit.code};"
        f"{world.other_cohort.name};ildsjel\n"
    )
    guest = (
        "email;unit_code;cohort;role;organisation\n"
        f"{world.people['administrator'].email};{bærum_unit.code};{world.other_cohort.name};"
        f"leder;{world.programme.organisation.slug}\n"
    )
    into_bærum = header + (
        f"ny@asker.example.no;Ny;Person;{bærum_unit.code};{world.cohort_a.name};ildsjel\n"
    )
    return [
        Attempt(
            "post",
            {"programme": str(world.other_programme.pk), "file": csv_file("a.csv", into_asker)},
            note="Bærum's person onto Asker's team",
        ),
        Attempt(
            "post",
            {"programme": str(world.other_programme.pk), "file": csv_file("g.csv", guest)},
            note="Bærum's administrator on Bærum's unit, as a guest in Asker's cohort",
        ),
        Attempt(
            "post",
            {"programme": str(world.programme.pk), "file": csv_file("b.csv", into_bærum)},
            note="into Bærum's programme",
        ),
    ]


def unit_csv(ctx: Context) -> list[Attempt]:
    """Bærum's unit codes imported into Bærum, and into Asker."""
    world = ctx.world
    unit = world.team_u1.unit
    text = f"code;name;sector\n{unit.code};Overtatt enhet;{unit.sector.name}\n"
    return [
        Attempt(
            "post",
            {
                "organisation": str(organisation.pk),
                "file": csv_file("u.csv", text),
                "create_sectors": "on",
            },
            note=f"into {organisation.slug}",
        )
        for organisation in (world.programme.organisation, world.other_programme.organisation)
    ]


def with_inline_row(body: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The admin form with one more row in its (first) inline, from its empty-form template."""
    prefix = next(key[: -len("-TOTAL_FORMS")] for key in body if key.endswith("-TOTAL_FORMS"))
    row = int(body[f"{prefix}-TOTAL_FORMS"])
    template = f"{prefix}-__prefix__-"
    added = {
        key.replace("__prefix__", str(row)): value
        for key, value in body.items()
        if key.startswith(template)
    }
    added.update({f"{prefix}-{row}-{name}": value for name, value in values.items()})
    return {**body, **added, f"{prefix}-TOTAL_FORMS": str(row + 1)}


def in_askers(
    page: Callable[[World], str],
    change: Callable[[Context, dict[str, Any]], dict[str, Any]],
    note: str,
) -> Rule:
    """Asker's own object in the admin (its page as Bærum's superuser sees it), given one of
    Bærum's people or rows: it must not take them in."""

    def rule(ctx: Context) -> list[Attempt]:
        url = page(ctx.world)
        body = page_form(ctx.arena, url, ("superuser",), tweak=False)
        assert body is not None, f"no form on {url}"
        return [Attempt("post", change(ctx, dict(body)), url=url, note=note)]

    return rule


def both(*rules: Rule) -> Rule:
    def rule(ctx: Context) -> list[Attempt]:
        return [attempt for each in rules for attempt in each(ctx)]

    return rule


def pk_of(ctx: Context, role: str) -> str:
    return str(ctx.person(role).pk)


ASKER_ORGANISATION = in_askers(
    lambda world: f"/admin/lup/organisation/{world.other_programme.organisation_id}/change/",
    lambda ctx, body: with_inline_row(body, {"user": pk_of(ctx, "enthusiast")}),
    "Bærum's enthusiast made a member of Asker",
)
ASKER_TEAM = in_askers(
    lambda world: f"/admin/lup/unitenrolment/{world.team_other.pk}/change/",
    lambda ctx, body: with_inline_row(
        body, {"user": pk_of(ctx, "enthusiast"), "role": "enthusiast"}
    ),
    "Bærum's enthusiast put on Asker's team",
)
ASKER_COHORT = in_askers(
    lambda world: f"/admin/lup/cohort/{world.other_cohort.pk}/change/",
    lambda ctx, body: {**body, "facilitators": [pk_of(ctx, "facilitator")]},
    "Bærum's facilitator made Asker's cohort's",
)
ASKER_PARTICIPANT_USER = in_askers(
    lambda world: f"/admin/lup/participant/{world.team_other.participants.get().pk}/change/",
    lambda ctx, body: {**body, "user": pk_of(ctx, "enthusiast")},
    "Asker's participant turned into Bærum's enthusiast",
)
ASKER_PARTICIPANT_TEAM = in_askers(
    lambda world: f"/admin/lup/participant/{world.team_other.participants.get().pk}/change/",
    lambda ctx, body: {**body, "enrolment": str(ctx.world.team_u1.pk), "role": "enthusiast"},
    "Asker's participant moved onto Bærum's team",
)
ASKER_UNIT_SECTOR = in_askers(
    lambda world: f"/admin/lup/serviceunit/{world.team_other.unit_id}/change/",
    lambda ctx, body: {**body, "sector": str(ctx.world.team_u1.unit.sector_id)},
    "Asker's unit put in Bærum's sector",
)
ASKER_PROGRAMME_SECTORS = in_askers(
    lambda world: f"/admin/lup/programme/{world.other_programme.pk}/change/",
    lambda ctx, body: {
        **body,
        "population_sectors": [str(ctx.world.team_u1.unit.sector_id)],
    },
    "Bærum's sector in Asker's programme's population",
)


def asker_add(note: str, **values: Callable[[Context], str]) -> Rule:
    """The admin's add form for Asker's container, given Bærum's people or rows."""

    def rule(ctx: Context) -> list[Attempt]:
        like_bærums = admin_add(ctx)  # the add form filled in like Bærum's object
        body = like_bærums[0].body if like_bærums else {}
        made = {name: make(ctx) for name, make in values.items()}
        return [Attempt("post", {**body, **made}, note=note)]

    return rule


def office_people_in_askers(ctx: Context) -> list[Attempt]:
    """Through Asker's own people page, Bærum's enthusiast and HR person given roles in
    Asker's office (refused for everyone: another organisation's account)."""
    page = f"/organisations/{ctx.world.other_programme.organisation.slug}/people/"
    return [
        Attempt(
            "post",
            {"email": ctx.person(person).email, "roles": ["administrator", "hr"]},
            url=page,
            note=f"Bærum's {person} given a role in Asker's office",
            refused_for_everyone=True,
        )
        for person in ("enthusiast", "hr")
    ]


def office_person_roles_in_askers(ctx: Context) -> list[Attempt]:
    """Bærum's HR person's roles changed at Asker's own address (not Asker's person: not
    found for everyone)."""
    page = (
        f"/organisations/{ctx.world.other_programme.organisation.slug}/people/"
        f"{ctx.person('hr').pk}/"
    )
    return [
        Attempt(
            "post",
            body,
            url=page,
            note="Bærum's HR person changed through Asker's office",
            refused_for_everyone=True,
        )
        for body in ({"action": "save", "roles": ["administrator"]}, {"action": "remove"})
    ]


# Rules -------------------------------------------------------------------------------------

# API routes that write only the caller's own rows (2xx for Asker's people is their own).
CALLERS_OWN = frozenset({"lup-api:personal-data-archives", "lup-api:notifications-read"})

# How to attack each write route, beyond its empty body (generic rules cover the admin's
# model pages and allauth's). A route that accepts writes needs one.
RULES: dict[str, Rule] = {
    "set_language": nothing_more,  # the session's language only
    "certificates-verify:certificate": form,
    # allauth's old addresses only redirect
    "accounts/social/connections/": nothing_more,
    "accounts/social/login/cancelled/": nothing_more,
    "accounts/social/login/error/": nothing_more,
    "accounts/social/signup/": nothing_more,
    # the admin's own pages (the signed-in person's password, signing in and out)
    "admin:index": nothing_more,
    "admin:app_list": nothing_more,
    "admin:login": form,
    "admin:logout": nothing_more,
    "admin:password_change": form,
    # lup's pages
    "lup:home": nothing_more,
    "lup:anonymise-person": form_with(confirm_email=lambda ctx: ctx.person("enthusiast").email),
    "lup:check-in": form,  # checks in the signed-in person only
    # The manager's team changes: a newcomer, a replacement, a hand-over to Bærum's enthusiast.
    "lup:team-invite": posts(lambda ctx: {"email": "nykommer@example.no", "first_name": "Ny"}),
    # The world's enthusiast has completed, so Bærum's own manager may neither replace nor
    # remove them either (tests/lup/test_team_members.py tries both on a removable one).
    "lup:team-member-replace": posts(lambda ctx: {"email": "erstatter@example.no"}),
    "lup:team-member-remove": nothing_more,
    "lup:team-handover": posts(lambda ctx: {"successor": ctx.participant("enthusiast").pk}),
    # Privacy: one's own archive only; Bærum's retention periods and Bærum's person.
    "lup:my-data-archive-request": nothing_more,
    # One's own calendar address: made or stopped for the attacker alone.
    "lup:my-calendar": posts(lambda ctx: {"action": "make"}, lambda ctx: {"action": "revoke"}),
    # One's own notifications: Bærum's enthusiast's marked read (by its id, or with "all");
    # one's own e-mail choices; the unsubscribe page with a made-up token finds nobody.
    "lup:my-notifications": posts(
        lambda ctx: {"read": str(ctx.world.notification.pk)}, lambda ctx: {"all": "1"}
    ),
    "lup:notification-choices": posts(
        lambda ctx: {"answer_returned": "off", "announcement": "daily"}
    ),
    "lup:notifications-unsubscribe": nothing_more,
    "lup-api:notifications-read": api(
        lambda ctx: Attempt("post", {"ids": [ctx.world.notification.pk]}, json=True),
        lambda ctx: Attempt("post", {"all": True}, json=True),
    ),
    "lup-api:personal-data-archives": nothing_more,
    "lup:retention-periods": lambda ctx: [
        Attempt(
            "post",
            {"learning_records": "13", "uploaded_files": "13", "xapi_statements": "13"},
            url=f"/privacy/retention/?organisation={ctx.world.programme.organisation.slug}",
            note="Bærum's retention periods changed",
        )
    ],
    "lup:organisation-details": lambda ctx: [
        Attempt(
            "post",
            {"data_protection_officer": "Kapret", "anonymised_certificates": "withhold_name"},
            url=f"/privacy/organisation/?organisation={ctx.world.programme.organisation.slug}",
            note="Bærum's privacy details changed",
        )
    ],
    "lup-api:organisation-retention": api(
        lambda ctx: Attempt("put", {"learning_records": 13, "xapi_statements": 13}, json=True)
    ),
    "lup-api:person-anonymisation": api(lambda ctx: Attempt("post", {}, json=True)),
    "lup:gathering-attendance": form_with(present=lambda ctx: cohort_a_participants(ctx)),
    "lup:cohort-certificates": form,
    "lup:sso-link": form,
    "lup:sso-link-code": form,
    "lup:project-start": form_with(
        title=lambda ctx: "Overtatt", need=lambda ctx: "Behov", audience=lambda ctx: "Alle"
    ),
    "lup:project-edit": form,
    "lup:project-phase": form,
    "lup:project-submit": nothing_more,
    "lup:project-review": form_with(
        point=lambda ctx: "plan", decision=lambda ctx: "approve", comment=lambda ctx: "Bra"
    ),
    "lup:project-canvas": form,
    "lup:benefit-create": form_with(
        description=lambda ctx: "Færre turer",
        indicator=lambda ctx: "Turer",
        baseline_value=lambda ctx: "10",
        baseline_on=lambda ctx: "2026-01-01",
        target_value=lambda ctx: "5",
        target_on=lambda ctx: "2026-12-31",
    ),
    "lup:benefit-edit": form,
    "lup:benefit-detail": form_with(value=lambda ctx: "5"),  # a measurement
    "lup:benefit-update": benefit_update,  # the update at the end of a phase
    "lup:catalogue-reuse": form,
    "lup:catalogue-unreuse": nothing_more,
    "lup:catalogue-import": form,
    "lup:project-publish": form_with(consent=lambda ctx: "on", licence=lambda ctx: "CC-BY-4.0"),
    "lup:project-withdraw": nothing_more,
    # (the project is nominated in the first category already)
    "lup:prize-nominate": form_with(
        category=lambda ctx: ctx.prize_category(1), reason=lambda ctx: "Overtatt"
    ),
    "lup:prize-score": posts(lambda ctx: {"score": "5", "comment": "Overtatt"}),
    "lup:prize-winner": nothing_more,
    "lup:report-participants": form,
    "lup:report-units": form,
    "lup:report-preset-create": form_with(
        organisation=lambda ctx: str(ctx.world.programme.organisation_id),
        name=lambda ctx: "Overtatt",
        key=lambda ctx: "overtatt",
        columns_text=lambda ctx: "email",
    ),
    "lup:report-preset-edit": form_with(columns_text=lambda ctx: "email\nname"),
    "lup:report-preset-delete": form,
    "lup:report-schedule-create": form_with(
        organisation=lambda ctx: str(ctx.world.programme.organisation_id),
        name=lambda ctx: "Overtatt",
        preset_key=lambda ctx: "lonn",
        frequency=lambda ctx: "weekly",
        delivery=lambda ctx: "email",
        recipients=lambda ctx: "hr@example.no",
    ),
    "lup:report-schedule-edit": form_with(
        frequency=lambda ctx: "weekly", recipients=lambda ctx: "hr@example.no"
    ),
    "lup:report-schedule-delete": form,
    # courses and certificates
    "courses:activity-detail": form,
    "courses:activity-done": nothing_more,
    "courses:submission-review": form_with(
        decision=lambda ctx: "approve", feedback=lambda ctx: "Bra"
    ),
    # The player's state and statements open with a play token only, never with a session:
    # the attackers have none (urlmatrix sends none), and cannot get one for Bærum's
    # activity, whose page (which issues it) is "not found" to them (permission matrix).
    "courses:h5p-state": posts(lambda ctx: {"data": '{"answer": "Overtatt"}', "preload": "1"}),
    "courses:h5p-xapi": nothing_more,
    "courses:h5p-upload": form,
    "courses:h5p-package-detail": form,
    # The curriculum editor: Bærum's course, its module and page, changed, moved, deleted.
    "courses:course-details": form,
    "courses:course-image-add": posts(
        lambda ctx: {"image": Rereadable("kart.png", image_bytes()), "alt_text": "Overtatt"}
    ),
    "courses:course-image-delete": posts(lambda ctx: {}),  # the button: no fields
    "courses:module-create": form,
    "courses:module-edit": form,
    "courses:module-delete": nothing_more,
    "courses:module-move": posts(
        lambda ctx: {"direction": "down"}, lambda ctx: {"direction": "up"}
    ),
    "courses:activity-create": form,
    "courses:activity-edit": form,
    "courses:activity-delete": nothing_more,
    "courses:activity-move": posts(lambda ctx: {"direction": "down"}),
    "certificates-verify:form": form,
    "certificates-verify:credential-json": nothing_more,  # checks a credential, keeps nothing
    "lup-api:credential-verify": nothing_more,  # the same, in the API
    # the admin's own pages
    "admin:lup_participant_import": participant_csv,
    # Asker's own objects, given Bærum's people and rows
    "admin:lup_organisation_change": both(form, ASKER_ORGANISATION),
    "admin:lup_unitenrolment_change": both(form, ASKER_TEAM),
    "admin:lup_cohort_change": both(form, ASKER_COHORT),
    "admin:lup_participant_change": both(form, ASKER_PARTICIPANT_USER, ASKER_PARTICIPANT_TEAM),
    "admin:lup_serviceunit_change": both(form, ASKER_UNIT_SECTOR),
    "admin:lup_programme_change": both(form, ASKER_PROGRAMME_SECTORS),
    "admin:lup_participant_add": both(
        admin_add,
        asker_add(
            "Bærum's enthusiast onto Asker's team",
            enrolment=lambda ctx: str(ctx.world.team_other.pk),
            user=lambda ctx: pk_of(ctx, "enthusiast"),
            role=lambda ctx: "enthusiast",
        ),
    ),
    "admin:lup_unitenrolment_add": both(
        admin_add,
        asker_add(
            "Bærum's unit enrolled in Asker's cohort",
            cohort=lambda ctx: str(ctx.world.other_cohort.pk),
            unit=lambda ctx: str(ctx.world.team_u1.unit_id),
        ),
    ),
    "admin:lup_attendance_add": both(
        admin_add,
        asker_add(
            "Bærum's participant at Asker's gathering",
            gathering=lambda ctx: str(ctx.arena.asker_gathering.pk),
            participant=lambda ctx: str(ctx.participant("manager").pk),
        ),
    ),
    "admin:certificates_certificate_revoke": form_with(reason=lambda ctx: "Overtatt"),
    "admin:lup_serviceunit_import": unit_csv,
    # the REST API
    "lup-api:participant-list": api(
        new_participant,
        bærum_person_onto_asker_team("enthusiast"),
        bærum_person_onto_asker_team("administrator"),
        bærum_person_onto_asker_team("superuser"),
    ),
    "lup-api:participant-detail": api(demote_manager("patch")),
    "lup-api:project-list": api(project_in_bærum, project_with_bærum_members),
    "lup-api:project-detail": api(rename_project),
    "lup-api:benefit-measurements": api(measurement),
    "lup-api:benefit-list": api(benefit_of_bærums_project),
    "lup-api:benefit-detail": api(change_benefit),
    "lup-api:benefit-updates": api(benefit_phase_update),
    "lup-api:gathering-attendance": api(attendance_of_bærum, attendance_in_asker_gathering),
    "lup-api:gathering-attendance-detail": api(),
    "lup-api:certificate-revoke": api(revocation),
    # Issue 15: closing a cohort, completion checks, certificates to review. The review
    # routes are tried on an id no review has (the matrix world holds none); the wall
    # around real reviews is tests/lup/test_certificate_reviews.py's.
    "lup:cohort-close": form,
    "lup-api:cohort-close": api(cohort_closing),
    # The programme office: a new cohort, cohort A changed, a gathering planned and changed,
    # the world's opening (with attendance) cancelled, U1 moved to cohort B.
    "lup:office-cohort-create": office_new_cohort,
    "lup:office-cohort-edit": office_cohort_edit,
    "lup:office-gathering-create": posts(lambda ctx: NEW_GATHERING),
    "lup:office-gathering-edit": form,
    "lup:office-gathering-cancel": nothing_more,  # the button: no fields
    "lup:office-unit-move": office_unit_move,
    # The office's CSV imports: Bærum's units and teams, and Bærum's people and units put into
    # Asker's own programme.
    "lup:office-unit-import": office_unit_import,
    "lup:office-participant-import": office_participant_import,
    # People and roles: someone added to Bærum's office, Bærum's HR person given the
    # administrator role or taken out; and Bærum's people put into Asker's own office.
    "lup:office-people": both(
        posts(
            lambda ctx: {
                "email": "innbrudd@example.no",
                "first_name": "Inn",
                "last_name": "Brudd",
                "roles": ["administrator"],
            }
        ),
        office_people_in_askers,
    ),
    "lup:office-person-roles": both(
        posts(
            lambda ctx: {"action": "save", "roles": ["administrator", "hr"]},
            lambda ctx: {"action": "remove"},
        ),
        office_person_roles_in_askers,
    ),
    # Intake: a call opened for Bærum's cohort B, Bærum's call changed, an application for
    # Bærum's unit, Bærum's application accepted or declined, and withdrawn.
    "lup:call-open": posts(
        lambda ctx: {
            "cohort": str(ctx.world.cohort_b.pk),
            "capacity": "5",
            "deadline": "2099-01-01",
        }
    ),
    "lup:call-edit": form,
    "lup:call-apply": posts(
        lambda ctx: {
            "unit": str(ctx.world.application.unit_id),
            "manager_email": "leder@example.no",
            "motivation": "Vi vil inn.",
        }
    ),
    "lup:application-decide": posts(
        lambda ctx: {"decision": "accept"}, lambda ctx: {"decision": "decline", "note": "Nei."}
    ),
    "lup:application-withdraw": nothing_more,
    # Asker's people made leaders of Bærum's sector, or Bærum's leader taken off it.
    "lup:sector-leader-add": posts(lambda ctx: {"email": "asker-leder@example.no"}),
    "lup:sector-leader-remove": nothing_more,
    "lup:check-completions": posts(lambda ctx: {}),  # the button: no fields
    # Announcements: written to Bærum's cohort A, its team U1 and all its units (each would
    # tell Bærum's people: notifications for them).
    "lup:cohort-announcement-write": posts(lambda ctx: ANNOUNCEMENT),
    "lup:team-announcement-write": posts(lambda ctx: ANNOUNCEMENT),
    "lup:programme-announcement-write": posts(lambda ctx: ANNOUNCEMENT),
    # The innovation barometer: Bærum's unit U1's survey answered by Asker's people (the
    # world's rounds are all closed, so even U1's team could not: no WOULD_WRITE), and
    # Bærum's follow-up interval and national reference figure changed.
    "lup:team-barometer-answer": posts(
        lambda ctx: {"version": "1", "introduced": "yes", "enablers.leadership": "6"}
    ),
    "lup-api:team-barometer-answer": api(
        lambda ctx: Attempt("post", {"version": 1, "answers": {"introduced": "yes"}}, json=True)
    ),
    "lup:barometer-settings": posts(
        lambda ctx: {
            "follow_up_months": "6",
            "reference_share": "0.5",
            "reference_source": "Asker",
        }
    ),
    # Bærum's barometer questions published anew, their texts changed a little.
    "lup:barometer-questions": form,
    "lup-api:announcement-list": api(
        announcement_to("cohort"), announcement_to("team"), announcement_to("programme")
    ),
    # The settings pages (lup.setup): Bærum's target and rule changed, and Bærum's sector put
    # in Asker's own programme's population; a token made for Bærum, Bærum's token revoked;
    # the templates are shared by design (SHARED_MODELS), their preview writes nothing.
    "lup:programme-settings": both(
        form_with(
            target_units=lambda ctx: "99", min_enthusiasts=lambda ctx: "0", save=lambda ctx: "1"
        ),
        lambda ctx: [
            Attempt(
                "post",
                {
                    "target_units": "5",
                    "deadline": "2026-12-31",
                    "min_enthusiasts": "1",
                    "min_attendance": "0",
                    "population_sectors": [str(ctx.world.team_u1.unit.sector_id)],
                    "save": "1",
                },
                url=f"/programmes/{ctx.world.other_programme.slug}/settings/",
                note="Bærum's sector in Asker's programme's population",
                refused_for_everyone=True,
            )
        ],
    ),
    "lup:api-tokens": posts(
        lambda ctx: {"name": "Innbrudd", "scope": "write", "expires_on": "2027-06-01"}
    ),
    "lup:api-token-revoke": posts(lambda ctx: {}),  # the button: no fields
    "lup:certificate-template-edit": form,
    "lup:certificate-template-preview": posts(
        lambda ctx: {"name": "X", "title": "X", "body": "X", "orientation": "landscape"}
    ),
    # The templates and their signatories are shared (SHARED_MODELS): no attack crosses by
    # changing them, but Asker's administrator is refused all the same (permission matrix).
    "lup:certificate-signatory-add": form,
    "lup:certificate-signatory-edit": form,
    "lup:certificate-signatory-move": posts(
        lambda ctx: {"direction": "down"}, lambda ctx: {"direction": "up"}
    ),
    "lup:certificate-signatory-delete": nothing_more,
    "lup-api:programme-completion-checks": api(lambda ctx: Attempt("post", {}, json=True)),
    "lup:certificate-review-decide": form_with(decision=lambda ctx: "revoked"),
    "lup:certificate-revoke": posts(
        lambda ctx: {"code": ctx.world.certificate.code, "reason": "Kapret"}
    ),
    "lup-api:certificate-review-decide": api(review_decision),
}


def rule_for(route: Route) -> Rule | None:
    if route.name in RULES:
        return RULES[route.name]
    if ADMIN_SHORT_OBJECT_URL.match(route.name) or route.name == ADMIN_CATCH_ALL:
        return nothing_more  # they only redirect to the object's page, or answer 404
    return admin_rule(route) or allauth_rule(route)


# The tests ---------------------------------------------------------------------------------

ROUTES = discover_routes()


def url_of(route: Route, arena: Arena) -> str:
    return route.url(arguments_for(route, arena.world))


def test_every_write_route_has_a_rule(arena):
    """A new route that takes writes says how to attack it (and a rule names a route)."""
    missing = []
    for route in ROUTES:
        if rule_for(route) is None and write_methods(arena, url_of(route, arena)):
            missing.append(route.name)
    names = {route.name for route in ROUTES}

    assert not missing, f"add these write routes to RULES in {__name__}: {missing}"
    assert not set(RULES) - names, f"rules for routes that no longer exist: {set(RULES) - names}"


@pytest.mark.parametrize("route", [r for r in ROUTES if rule_for(r)], ids=lambda r: r.name)
def test_asker_cannot_write_to_bærum(arena, route):
    url = url_of(route, arena)
    methods = write_methods(arena, url)
    if not methods:
        return  # takes no writes (test_every_write_route_has_a_rule keeps RULES honest)
    rule = rule_for(route)
    assert rule is not None
    attempts = [Attempt(method) for method in methods]
    attempts += rule(Context(arena=arena, route=route, url=url))
    # A route that acts only on the caller's own data (their own archive): Asker's people
    # may use it for themselves; the row comparison still proves Bærum's rows are untouched.
    is_api = api_methods(url) is not None and route.name not in CALLERS_OWN
    problems = []
    for role in [*ATTACKERS, TOKEN]:
        for attempt in attempts:
            result = attack(arena, role, attempt, url)
            what = f"{role} {attempt.method.upper()} {attempt.url or url}" + (
                f" ({attempt.note})" if attempt.note else ""
            )
            if result.status >= 500:
                problems.append(f"{what}: {result.status}")
            if result.crossed:
                problems.append(f"{what} -> {result.status}: {'; '.join(result.crossed)}")
            elif is_api and 200 <= result.status < 300:
                # The API says when a write is taken (200 for one already made): taken
                # from Asker, with nothing to show, the wall did not stop it either.
                problems.append(f"{what} -> {result.status}: accepted")
    assert not problems, "Asker reached Bærum's data:\n" + "\n".join(problems)


# The attacks are real: sent by one of Bærum's own people, who may, each route's plausible
# bodies change Bærum's data (by the person given; Bærum's superuser unless said). Should a
# form change (a renamed field, a new required one), the attack on it would go empty and
# prove nothing: this fails instead.
WOULD_WRITE: dict[str, str] = {
    "account_email": "superuser",
    "admin:account_emailaddress_add": "superuser",
    "admin:account_emailaddress_changelist": "superuser",
    "admin:account_emailaddress_delete": "superuser",
    "admin:auth_group_changelist": "superuser",
    "admin:auth_group_delete": "superuser",
    "admin:auth_user_change": "superuser",
    "admin:auth_user_password_change": "superuser",
    "admin:certificates_certificate_revoke": "superuser",
    "admin:certificates_certificatetemplate_changelist": "superuser",
    "admin:certificates_certificatetemplate_delete": "superuser",
    "admin:courses_activity_change": "superuser",
    "admin:courses_activitycompletion_changelist": "superuser",
    "admin:courses_assignment_changelist": "superuser",
    "admin:courses_assignment_delete": "superuser",
    "admin:courses_course_add": "administrator",
    "admin:courses_course_change": "superuser",
    "admin:courses_enrolment_add": "superuser",
    "admin:courses_enrolment_changelist": "superuser",
    "admin:courses_enrolment_delete": "superuser",
    "admin:courses_module_change": "superuser",
    "admin:courses_submission_changelist": "superuser",
    "admin:courses_submission_delete": "superuser",
    "admin:lup_apitoken_add": "superuser",
    "admin:lup_apitoken_changelist": "superuser",
    "admin:lup_attendance_add": "superuser",
    "admin:lup_attendance_change": "superuser",
    "admin:lup_attendance_changelist": "superuser",
    "admin:lup_attendance_delete": "superuser",
    "admin:lup_cohort_add": "superuser",
    "admin:lup_cohort_change": "superuser",
    "admin:lup_gathering_add": "superuser",
    "admin:lup_gathering_change": "superuser",
    "admin:lup_gathering_changelist": "superuser",
    "admin:lup_gathering_delete": "superuser",
    "admin:lup_innovationproject_add": "superuser",
    "admin:lup_innovationproject_change": "superuser",
    "admin:lup_innovationproject_changelist": "superuser",
    "admin:lup_innovationproject_delete": "superuser",
    "admin:lup_organisation_change": "superuser",
    "admin:lup_participant_add": "superuser",
    "admin:lup_participant_change": "superuser",
    "admin:lup_participant_changelist": "superuser",
    "admin:lup_participant_delete": "superuser",
    "admin:lup_participant_import": "superuser",
    "admin:lup_programme_add": "superuser",
    "admin:lup_programme_change": "superuser",
    "admin:lup_sector_add": "superuser",
    "admin:lup_serviceunit_add": "superuser",
    "admin:lup_serviceunit_change": "superuser",
    "admin:lup_serviceunit_import": "superuser",
    "admin:lup_unitenrolment_add": "superuser",
    "admin:lup_unitenrolment_change": "superuser",
    "admin:mfa_authenticator_changelist": "superuser",
    "admin:mfa_authenticator_delete": "superuser",
    "admin:socialaccount_socialaccount_changelist": "superuser",
    "admin:socialaccount_socialaccount_delete": "superuser",
    "admin:socialaccount_socialapp_change": "superuser",
    "admin:socialaccount_socialapp_changelist": "superuser",
    "admin:socialaccount_socialapp_delete": "superuser",
    "admin:socialaccount_socialtoken_change": "superuser",
    "admin:socialaccount_socialtoken_changelist": "superuser",
    "admin:socialaccount_socialtoken_delete": "superuser",
    "courses:submission-review": "superuser",
    "courses:course-details": "superuser",
    "courses:course-image-delete": "superuser",
    "courses:module-edit": "superuser",
    "courses:activity-edit": "superuser",
    "courses:activity-move": "superuser",
    "lup-api:benefit-measurements": "superuser",
    "lup-api:benefit-list": "superuser",
    "lup-api:benefit-detail": "superuser",
    "lup-api:benefit-updates": "superuser",
    "lup-api:certificate-revoke": "superuser",
    "lup-api:cohort-close": "superuser",
    "lup-api:programme-completion-checks": "superuser",
    "lup:check-completions": "superuser",
    "lup:programme-settings": "superuser",
    "lup:api-tokens": "superuser",
    "lup:api-token-revoke": "superuser",
    "lup:cohort-close": "superuser",
    "lup:application-decide": "superuser",
    "lup:office-cohort-create": "superuser",
    "lup:office-cohort-edit": "superuser",
    "lup:office-gathering-create": "superuser",
    "lup:office-gathering-edit": "superuser",
    "lup:office-unit-move": "superuser",
    "lup:office-unit-import": "superuser",
    "lup:office-participant-import": "superuser",
    "lup:office-people": "superuser",
    "lup:office-person-roles": "superuser",
    "lup:cohort-announcement-write": "superuser",
    "lup:team-announcement-write": "superuser",
    "lup:programme-announcement-write": "superuser",
    "lup:barometer-settings": "superuser",
    "lup:barometer-questions": "superuser",
    "lup-api:announcement-list": "superuser",
    "lup-api:gathering-attendance": "superuser",
    "lup-api:participant-detail": "superuser",
    "lup-api:participant-list": "superuser",
    "lup-api:project-detail": "superuser",
    "lup-api:project-list": "superuser",
    "lup:anonymise-person": "superuser",
    "lup:retention-periods": "superuser",
    "lup:organisation-details": "superuser",
    "lup-api:organisation-retention": "superuser",
    "lup-api:person-anonymisation": "superuser",
    "lup:benefit-create": "superuser",
    "lup:benefit-detail": "superuser",
    "lup:benefit-edit": "superuser",
    "lup:benefit-update": "superuser",
    "lup:gathering-attendance": "superuser",
    "lup:prize-nominate": "superuser",
    "lup:prize-score": "superuser",
    "lup:project-canvas": "superuser",
    "lup:project-edit": "superuser",
    "lup:project-phase": "superuser",
    "lup:project-publish": "manager",
    "lup:team-invite": "manager",
    "lup:team-handover": "manager",
    "lup:my-notifications": "enthusiast",
    "lup:notification-choices": "enthusiast",
    "lup-api:notifications-read": "enthusiast",
    "lup:project-review": "superuser",
    "lup:project-start": "superuser",
    "lup:report-preset-create": "superuser",
    "lup:report-preset-delete": "superuser",
    "lup:report-preset-edit": "superuser",
    "lup:report-schedule-create": "superuser",
    "lup:report-schedule-delete": "superuser",
    "lup:report-schedule-edit": "superuser",
}


@pytest.mark.parametrize("name", sorted(WOULD_WRITE))
def test_the_attacks_would_write_if_they_were_let_through(arena, name):
    route = next(route for route in ROUTES if route.name == name)
    url = url_of(route, arena)
    rule = rule_for(route)
    assert rule is not None
    attempts = rule(Context(arena=arena, route=route, url=url))
    person = WOULD_WRITE[name]
    results = [(attempt, attack(arena, "", attempt, url, person=person)) for attempt in attempts]

    assert any(result.crossed for _attempt, result in results), [
        (attempt.note, result.status) for attempt, result in results
    ]
    # Each attack through Asker's own objects works too (as Bærum's superuser, who may).
    for attempt, result in results:
        if attempt.url is not None and person == "superuser" and not attempt.refused_for_everyone:
            assert result.crossed, (attempt.note, result.status)


def test_the_attackers_are_who_they_say(arena):
    """Each of Asker's roles is signed in (two-factor where it is required) or authenticated
    by its token, as itself: otherwise every attempt would be refused for the wrong reason."""
    for role, person in ATTACKERS.items():
        client = client_for(arena, person)
        assert client.get("/me/data/").status_code == 200, role
        me = client.get("/api/v1/me/").json()
        assert me["email"] == arena.world.people[person].email, role
    token = client_for(arena, None).get(
        "/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {arena.token_secret}"
    )
    assert token.status_code == 200
    assert token.json()["token_scope"] == "write"
    assert token.json()["organisations"] == [arena.world.other_programme.organisation.name]


def test_asker_in_its_own_scope_crosses_nothing(arena):
    """Asker's administrator saving Asker's cohort writes, and it is not a crossing."""
    world = arena.world
    url = f"/admin/lup/cohort/{world.other_cohort.pk}/change/"
    body = page_form(arena, url, ("superuser",))
    client = client_for(arena, "other_administrator")
    with recording_writes() as written, transaction.atomic():
        response = client.post(url, body)
        after = snapshot(written & all_tables())
        transaction.set_rollback(True)

    assert response.status_code == 302
    assert after, "the save wrote nothing"
    assert crossings(arena, snapshot(set(after)), after) == []
