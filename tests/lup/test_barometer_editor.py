"""The barometer's question editor: each save publishes a new version (answers keep the
version they were given to), texts, options and questions change without their keys,
the question that defines an innovative unit stays, bad input changes nothing, only the
programme's administrators get there, two saves at once never share a version number, and
a translated default text that nobody touched stays a msgid."""

from __future__ import annotations

import datetime as dt
import threading
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import trans_real

from lup.barometer import services
from lup.barometer.forms import derive_key
from lup.barometer.models import BarometerQuestionSet, BarometerResponse
from lup.barometer.questions import INNOVATIVE_KEY, KEY_PATTERN, default_schema, question_map
from tests.concurrency import on_postgresql
from tests.factories import ProgrammeFactory
from tests.roles import build_world

pytestmark = pytest.mark.django_db

START = dt.date(2025, 8, 1)  # CohortFactory's start: the start round is open
HOW_MANY = "About how many such innovations?"
LACK_OF_TIME = "Lack of time"


@pytest.fixture
def world() -> Any:
    return build_world()


@pytest.fixture
def admin(client: Any, world: Any) -> Any:
    """Bærum's programme administrator, signed in, reading English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world.people["administrator"])
    return client


def editor_url(world: Any) -> str:
    return reverse("lup:barometer-questions", args=[world.programme.slug])


def version(world: Any, number: int) -> Any:
    return BarometerQuestionSet.objects.get(programme=world.programme, version=number)


def questions_of(world: Any, number: int) -> dict[str, dict[str, Any]]:
    return question_map(version(world, number).schema)


def answer_version_1(world: Any) -> BarometerResponse:
    """U1's start round answered on version 1."""
    round_ = services.open_round(enrolment=world.team_u1, moment="start", today=START)
    return services.answer_round(
        round=round_,
        user=world.people["manager"],
        version=1,
        answers={"introduced": "yes", "gains": ["other"]},
        today=START,
    )


class _FormFields(HTMLParser):
    """What a browser sends from the page's form (by its id)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self.textarea: str | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button"):
                default = "on" if kind in ("checkbox", "radio") else ""
                self.fields.setdefault(a["name"], []).append(a.get("value", default))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields.setdefault(a["name"], []).append("")
        elif tag == "select":
            self.select, self.options = a["name"], []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.fields[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            # The newline right after <textarea> is not part of the value.
            self.fields[self.textarea][-1] = self.fields[self.textarea][-1].removeprefix("\n")
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            self.fields[self.select] = chosen or [self.options[0][0]]
            self.select = None


def page_form(client: Any, url: str) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200
    reader = _FormFields("question-set-form")
    reader.feed(page.content.decode())
    return {
        name: values if len(values) > 1 else values[0] for name, values in reader.fields.items()
    }


def publish(client: Any, world: Any, **changes: Any) -> Any:
    """The page's own form, with some fields changed (None: left out, as an unticked box)."""
    body = page_form(client, editor_url(world))
    for name, value in changes.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return client.post(editor_url(world), body)


# Editing ------------------------------------------------------------------------------------


def test_a_changed_text_is_a_new_version_and_earlier_answers_keep_theirs(admin, world):
    response = answer_version_1(world)
    done = publish(admin, world, **{"q-how_many-text": "How many innovations, roughly?"})
    assert done.status_code == 302
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 2
    assert questions_of(world, 2)["how_many"]["text"] == "How many innovations, roughly?"
    assert version(world, 1).schema == default_schema()
    response.refresh_from_db()
    assert response.question_set.version == 1
    # Everything else is as it was, keys included.
    assert [q["key"] for q in version(world, 2).schema["questions"]] == [
        q["key"] for q in default_schema()["questions"]
    ]
    page = admin.get(editor_url(world))
    assert "Version 2 of the questions is published" in page.content.decode()
    assert b'id="version-1"' in page.content
    assert b'id="version-2"' in page.content
    history = page.context["versions"]
    assert [(v.version, v.answer_count) for v in history] == [(2, 0), (1, 1)]


def test_an_option_is_added_with_a_key_from_its_text(admin, world):
    done = publish(admin, world, **{"q-gains-options-5-text": "Saved energy"})
    assert done.status_code == 302
    gains = questions_of(world, 2)["gains"]["options"]
    assert gains[-1] == {"key": "saved_energy", "text": "Saved energy"}
    assert [o["key"] for o in gains[:-1]] == ["quality", "time", "money", "environment", "other"]


def test_a_new_item_to_rate_keeps_the_scale(admin, world):
    assert publish(admin, world, **{"q-barriers-options-5-text": "Ærlig talt"}).status_code == 302
    barriers = questions_of(world, 2)["barriers"]
    assert barriers["items"][-1] == {"key": "aerlig_talt", "text": "Ærlig talt"}
    assert (barriers["min"], barriers["max"]) == (1, 6)


def test_a_removed_option_leaves_the_new_version_only(admin, world):
    answer_version_1(world)  # chose "other"
    done = publish(admin, world, **{"q-gains-options-4-DELETE": "on"})
    assert done.status_code == 302
    assert "other" not in [o["key"] for o in questions_of(world, 2)["gains"]["options"]]
    assert "other" in [o["key"] for o in questions_of(world, 1)["gains"]["options"]]
    assert BarometerResponse.objects.get().answers["gains"] == ["other"]
    # A new option later never takes the old key: answers to it meant something else.
    publish(admin, world, **{"q-gains-options-4-text": "Other"})
    assert questions_of(world, 3)["gains"]["options"][-1] == {"key": "other_2", "text": "Other"}


def test_a_question_is_removed_and_the_next_new_one_never_takes_its_key(admin, world):
    assert publish(admin, world, **{"q-spread-remove": "on"}).status_code == 302
    assert "spread" not in questions_of(world, 2)
    done = publish(admin, world, **{"new-type": "yes_no", "new-text": "Spread"})
    assert done.status_code == 302
    assert questions_of(world, 3)["spread_2"] == {
        "key": "spread_2",
        "type": "yes_no",
        "text": "Spread",
    }


@pytest.mark.parametrize(
    ("fields", "added"),
    [
        (
            {"new-type": "yes_no", "new-text": "Did you share it?"},
            {"key": "did_you_share_it", "type": "yes_no", "text": "Did you share it?"},
        ),
        (
            {"new-type": "number", "new-text": "How many staff?", "new-min": "0", "new-max": "90"},
            {
                "key": "how_many_staff",
                "type": "number",
                "text": "How many staff?",
                "min": 0,
                "max": 90,
            },
        ),
        (
            {"new-type": "choice", "new-text": "Which size?", "new-options": "Small\r\n\r\nLarge"},
            {
                "key": "which_size",
                "type": "choice",
                "text": "Which size?",
                "options": [{"key": "small", "text": "Small"}, {"key": "large", "text": "Large"}],
            },
        ),
        (
            {"new-type": "choices", "new-text": "Which tools?", "new-options": "AI\nPen & paper"},
            {
                "key": "which_tools",
                "type": "choices",
                "text": "Which tools?",
                "options": [
                    {"key": "ai", "text": "AI"},
                    {"key": "pen_paper", "text": "Pen & paper"},
                ],
            },
        ),
        (
            {"new-type": "ratings", "new-text": "Rate the support", "new-options": "Money"},
            {
                "key": "rate_the_support",
                "type": "ratings",
                "text": "Rate the support",
                "min": 1,
                "max": 6,
                "items": [{"key": "money", "text": "Money"}],
            },
        ),
    ],
    ids=["yes_no", "number", "choice", "choices", "ratings"],
)
def test_a_question_of_each_type_is_added_last(admin, world, fields, added):
    assert publish(admin, world, **fields).status_code == 302
    assert version(world, 2).schema["questions"][-1] == added
    # The teams can answer it.
    enrolment_round = services.open_round(enrolment=world.team_u1, moment="start", today=START)
    services.answer_round(
        round=enrolment_round,
        user=world.people["manager"],
        version=2,
        answers={"introduced": "no"},
        today=START,
    )


def test_a_number_questions_range_is_editable(admin, world):
    assert publish(admin, world, **{"q-how_many-max": "50"}).status_code == 302
    assert questions_of(world, 2)["how_many"]["max"] == 50
    refused = publish(admin, world, **{"q-how_many-min": "60"})
    assert refused.status_code == 400
    assert b'id="id_q-how_many-max_error"' in refused.content
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 2


def test_the_innovation_question_cannot_be_removed(admin, world):
    page = admin.get(editor_url(world))
    assert b'name="q-introduced-remove"' not in page.content
    assert b'name="q-how_many-remove"' in page.content
    assert "decides whether a unit counts as innovative" in page.content.decode()
    # A forged box changes nothing.
    done = publish(admin, world, **{"q-introduced-remove": "on"})
    assert done.status_code == 302
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 1
    # Nor does the service take a set without it.
    current = services.current_question_set(world.programme)
    without = {"questions": [q for q in current.schema["questions"] if q["key"] != INNOVATIVE_KEY]}
    with pytest.raises(ValidationError):
        services.revise_question_set(programme=world.programme, based_on=1, schema=without)
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 1


def test_nothing_changed_makes_no_version(admin, world):
    done = publish(admin, world)
    assert done.status_code == 302
    page = admin.get(done["Location"])
    assert "No changes" in page.content.decode()
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 1


@pytest.mark.parametrize(
    ("fields", "error_id"),
    [
        ({"q-how_many-text": "  "}, "id_q-how_many-text_error"),
        ({"q-introduced-text": ""}, "id_q-introduced-text_error"),
        ({"q-gains-options-0-text": ""}, "id_q-gains-options-0-text_error"),
        ({"q-gains-options-5-text": "time saved"}, "id_q-gains-options-5-text_error"),
        ({"q-gains-options-1-text": "Money saved"}, "id_q-gains-options-2-text_error"),
        ({"q-spread-text": "What kind of innovations were they?"}, "id_q-spread-text_error"),
        ({"q-how_many-min": "x"}, "id_q-how_many-min_error"),
        ({"q-how_many-max": "10000000"}, "id_q-how_many-max_error"),
        ({"new-type": "yes_no"}, "id_new-text_error"),
        ({"new-text": "A question without a type"}, "id_new-type_error"),
        ({"new-type": "choice", "new-text": "One?", "new-options": "Only"}, "id_new-options_error"),
        (
            {"new-type": "choices", "new-text": "Two?", "new-options": "Same\nsame"},
            "id_new-options_error",
        ),
        ({"new-type": "number", "new-text": "Count?", "new-min": "5"}, "id_new-max_error"),
        (
            {"new-type": "yes_no", "new-text": "Lack of time?", "new-options": "x"},
            "id_new-options_error",
        ),
        (
            {
                "new-type": "yes_no",
                "new-text": "Have you shared what you learned with other units or organisations?",
            },
            "id_new-text_error",
        ),
        ({"new-type": "telepathy", "new-text": "Hm?"}, "id_new-type_error"),
    ],
    ids=[
        "blank-question",
        "blank-innovation-question",
        "blank-option",
        "new-option-like-another",
        "option-like-another",
        "question-like-another",
        "min-not-a-number",
        "max-too-large",
        "new-without-text",
        "new-without-type",
        "new-choice-one-option",
        "new-duplicate-options",
        "new-number-without-max",
        "new-yes-no-with-options",
        "new-like-an-existing-question",
        "unknown-type",
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(
    admin, world, fields, error_id
):
    refused = publish(admin, world, **fields)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f'id="{error_id}"' in page
    assert 'id="form-errors"' in page
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 1


def test_all_options_removed_is_refused(admin, world):
    removed = {f"q-origin-options-{index}-DELETE": "on" for index in range(3)}
    refused = publish(admin, world, **removed)
    assert refused.status_code == 400
    assert b'id="question-origin-options-error"' in refused.content
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"q-gains-options-TOTAL_FORMS": "2", "q-how_many-text": "Changed?"},
        {"q-gains-options-TOTAL_FORMS": None, "q-how_many-text": "Changed?"},
        {"q-gains-options-TOTAL_FORMS": "5000", "q-how_many-text": "Changed?"},
        {"version": None, "q-how_many-text": "Changed?"},
        {"version": "two", "q-how_many-text": "Changed?"},
    ],
    ids=["fewer-rows", "no-management-form", "too-many-rows", "no-version", "bad-version"],
)
def test_a_form_cut_short_or_forged_is_refused(admin, world, changes):
    refused = publish(admin, world, **changes)
    assert refused.status_code == 400
    assert 'id="form-errors"' in refused.content.decode()
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 1


def test_an_empty_post_is_refused(admin, world):
    assert admin.post(editor_url(world), {}).status_code == 400
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 1


def test_a_key_keeps_its_type_across_versions(world):
    services.current_question_set(world.programme)
    schema = default_schema()
    question_map(schema)["spread"]["type"] = "number"
    question_map(schema)["spread"].update({"min": 0, "max": 3})
    with pytest.raises(ValidationError, match="another type"):
        services.revise_question_set(programme=world.programme, based_on=1, schema=schema)
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 1


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Time saved", "time_saved"),
        ("Økt trivsel på jobb", "okt_trivsel_pa_jobb"),
        ("2024: a good year", "option_2024_a_good_year"),
        ("???", "option"),
        ("A very long text that goes on and on about everything", "a_very_long_text_that_goes_on"),
    ],
    ids=["english", "norwegian", "digit-first", "no-letters", "long"],
)
def test_keys_made_from_texts_fit_the_schema(text, key):
    taken: set[str] = set()
    assert derive_key(text, taken, "option") == key
    assert KEY_PATTERN.match(key)
    assert derive_key(text, taken, "option") == f"{key}_2"


# Who gets there --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("manager", 404),
        ("enthusiast", 404),
        ("facilitator", 404),
        ("hr", 403),
        ("other_administrator", 404),
    ],
    ids=["manager", "enthusiast", "facilitator", "hr", "other-administrator"],
)
def test_only_the_programmes_administrators_edit_its_questions(client, world, role, status):
    services.current_question_set(world.programme)
    client.force_login(world.people[role])
    url = editor_url(world)
    old = reverse("lup:barometer-question-version", args=[world.programme.slug, 1])
    assert client.get(url).status_code == status
    assert client.get(old).status_code == status
    body = {"version": "1", "q-how_many-text": "Changed?", "new-type": "yes_no", "new-text": "X?"}
    assert client.post(url, body).status_code == status
    assert BarometerQuestionSet.objects.count() == 1


def test_anonymous_people_are_sent_to_sign_in(client, world):
    page = client.get(editor_url(world))
    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]


def test_the_results_page_links_to_the_editor_for_administrators_only(client, world):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    results = reverse("lup:barometer-results", args=[world.programme.slug])
    link = f'href="{editor_url(world)}"'
    client.force_login(world.people["administrator"])
    assert link in client.get(results).content.decode()
    client.force_login(world.people["hr"])
    assert link not in client.get(results).content.decode()


def test_an_earlier_version_is_shown_read_only_and_unknown_ones_are_404(admin, world):
    publish(admin, world, **{"q-how_many-text": "How many innovations, roughly?"})
    old = admin.get(reverse("lup:barometer-question-version", args=[world.programme.slug, 1]))
    assert old.status_code == 200
    text = old.content.decode()
    assert HOW_MANY in text
    assert "The teams now answer version 2" in text
    assert 'id="question-set-form"' not in text
    assert "<textarea" not in text
    new = admin.get(reverse("lup:barometer-question-version", args=[world.programme.slug, 2]))
    assert "How many innovations, roughly?" in new.content.decode()
    for missing in (3, 0, 10**20):
        url = f"/programmes/{world.programme.slug}/barometer/questions/{missing}/"
        assert admin.get(url).status_code == 404
    # Asker's version 1 is not reached through Bærum's programme, nor Asker's at all.
    services.current_question_set(world.other_programme)
    other = reverse("lup:barometer-question-version", args=[world.other_programme.slug, 1])
    assert admin.get(other).status_code == 404


def test_the_editor_takes_a_fixed_number_of_queries(admin, world):
    answer_version_1(world)
    url = editor_url(world)
    admin.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url).status_code == 200
        return len(queries)

    few = count()
    schema = default_schema()
    for number in range(6):
        question_map(schema)["how_many"]["text"] = f"How many, take {number}?"
        services.publish_question_set(programme=world.programme, schema=schema)
    assert count() == few


# Two administrators at once ------------------------------------------------------------------


def test_an_edit_of_a_version_no_longer_current_is_refused(admin, world):
    body = page_form(admin, editor_url(world))
    schema = default_schema()
    question_map(schema)["spread"]["text"] = "Shared it?"
    services.publish_question_set(programme=world.programme, schema=schema)
    stale = admin.post(editor_url(world), {**body, "q-how_many-text": "Mine?"})
    assert stale.status_code == 409
    assert "Someone else published a change" in stale.content.decode()
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 2
    with pytest.raises(ValidationError) as refused:
        services.revise_question_set(programme=world.programme, based_on=1, schema=schema)
    assert refused.value.code == "stale"


def test_the_database_refuses_a_second_row_with_the_same_version(world):
    services.current_question_set(world.programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        BarometerQuestionSet.objects.create(
            programme=world.programme, version=1, schema=default_schema()
        )


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_publications_at_once_get_two_version_numbers():
    programme = ProgrammeFactory()
    services.current_question_set(programme)
    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def publish_one(text: str) -> None:
        schema = default_schema()
        question_map(schema)["spread"]["text"] = text
        try:
            barrier.wait()
            services.publish_question_set(programme=programme, schema=schema)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish_one, args=(text,)) for text in ("A?", "B?")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    versions = BarometerQuestionSet.objects.filter(programme=programme)
    assert sorted(versions.values_list("version", flat=True)) == [1, 2, 3]


# Languages ---------------------------------------------------------------------------------


@pytest.fixture
def bokmål_texts():
    """Bokmål for two of the default set's texts (the catalogue may not have them yet)."""
    catalogue = trans_real.translation("nb")._catalog
    added = {HOW_MANY: "Omtrent hvor mange slike innovasjoner?", LACK_OF_TIME: "Mangel på tid"}
    missing = object()
    before = {msgid: catalogue._catalogs[0].get(msgid, missing) for msgid in added}
    for msgid, text in added.items():
        catalogue[msgid] = text
    yield added
    for msgid, text in before.items():
        if text is missing:
            catalogue._catalogs[0].pop(msgid, None)
        else:
            catalogue[msgid] = text


def test_an_untouched_translated_text_stays_a_msgid(client, world, bokmål_texts):
    client.force_login(world.people["administrator"])  # the page in bokmål
    page = client.get(editor_url(world)).content.decode()
    assert "Omtrent hvor mange slike innovasjoner?" in page
    assert "Mangel på tid" in page
    assert publish(client, world).status_code == 302
    assert BarometerQuestionSet.objects.filter(programme=world.programme).count() == 1
    done = publish(client, world, **{"q-barriers-options-1-text": "Mangel på penger"})
    assert done.status_code == 302
    questions = questions_of(world, 2)
    assert questions["how_many"]["text"] == HOW_MANY
    items = {item["key"]: item["text"] for item in questions["barriers"]["items"]}
    assert items["no_time"] == LACK_OF_TIME
    assert items["no_money"] == "Mangel på penger"
    # Read in English, the untouched text is English again.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert HOW_MANY in client.get(editor_url(world)).content.decode()


# The team that answers while the questions change ----------------------------------------------


def test_the_team_is_told_when_the_questions_changed_while_it_answered(client, world):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    cohort = world.team_u1.cohort
    cohort.starts_on = dt.date.today()
    cohort.ends_on = dt.date.today() + dt.timedelta(days=200)
    cohort.save()
    client.force_login(world.people["manager"])
    url = reverse("lup:team-barometer-answer", args=[world.team_u1.pk, "start"])
    assert b'name="version" value="1"' in client.get(url).content
    schema = default_schema()
    question_map(schema)["how_many"]["text"] = "How many innovations, roughly?"
    services.publish_question_set(programme=world.programme, schema=schema)
    late = client.post(url, {"version": "1", "introduced": "yes", "how_many": "4"})
    assert late.status_code == 400
    page = late.content.decode()
    assert 'id="barometer-questions-changed"' in page
    assert "The questions changed while you answered" in page
    assert 'name="version" value="2"' in page
    assert "How many innovations, roughly?" in page
    assert 'value="4"' in page  # the answer that still fits is kept
    assert not BarometerResponse.objects.exists()
    again = client.post(url, {"version": "2", "introduced": "yes", "how_many": "4"})
    assert again.status_code == 302
    assert BarometerResponse.objects.get().question_set.version == 2
