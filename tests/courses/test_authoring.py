"""The curriculum editor in the product's own pages (courses.authoring_*): modules and
activities in order, content pages with a Markdown preview, H5P activities, links and
assignments with their rubric; who may edit (lup: the owner organisation's programme
administrators); learners' records never vanish; every change is audited.

Bærum owns the course (tests.roles.build_world); Asker's programme may share it.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import authoring_services as authoring
from courses.models import (
    Activity,
    ActivityCompletion,
    Assignment,
    Module,
    RubricCriterion,
    Submission,
)
from lup.models import AuditEvent, CourseOwnership
from tests.courses.factories import (
    ActivityFactory,
    AssignmentFactory,
    CourseFactory,
    ModuleFactory,
    RubricCriterionFactory,
)
from tests.courses.h5p_setup import install_reflection
from tests.factories import UserFactory
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English: the tests read the messages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def course(world):
    course = CourseFactory(title="LUP-kurset", slug="lup-kurset")
    CourseOwnership.objects.create(course=course, organisation=world.programme.organisation)
    world.programme.course = course
    world.programme.save()
    return course


@pytest.fixture
def admin(world):
    return world.people["administrator"]


def outline_url(course):
    return reverse("courses:course-edit", kwargs={"slug": course.slug})


def create_url(module, kind):
    return reverse(
        "courses:activity-create",
        kwargs={"slug": module.course.slug, "module_id": module.pk, "kind": kind},
    )


def edit_url(activity):
    return reverse(
        "courses:activity-edit",
        kwargs={"slug": activity.module.course.slug, "activity_id": activity.public_id},
    )


def titles(queryset):
    return list(queryset.order_by("position").values_list("title", flat=True))


def criteria_management(total=2, initial=0):
    return {
        "criteria-TOTAL_FORMS": str(total),
        "criteria-INITIAL_FORMS": str(initial),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }


# Services: order -------------------------------------------------------------------------


def test_modules_are_added_at_the_end_and_move_one_place(course, admin):
    first = authoring.add_module(course=course, user=admin, title="Teori")
    second = authoring.add_module(course=course, user=admin, title="Praksis", kind="practice")
    third = authoring.add_module(course=course, user=admin, title="Avslutning")

    assert [first.position, second.position, third.position] == [1, 2, 3]
    assert authoring.move_module(module=third, user=admin, direction="up")
    assert titles(Module.objects.filter(course=course)) == ["Teori", "Avslutning", "Praksis"]
    assert authoring.move_module(module=first, user=admin, direction="down")
    assert titles(Module.objects.filter(course=course)) == ["Avslutning", "Teori", "Praksis"]
    assert sorted(Module.objects.filter(course=course).values_list("position", flat=True)) == [
        1,
        2,
        3,
    ]
    # Already first (last): nothing moves, nothing is audited.
    events = AuditEvent.objects.count()
    assert not authoring.move_module(module=third, user=admin, direction="up")
    assert not authoring.move_module(module=second, user=admin, direction="down")
    assert AuditEvent.objects.count() == events


def test_moving_renumbers_activities_with_gaps_and_keeps_them_unique(course, admin):
    module = ModuleFactory(course=course)
    a = ActivityFactory(module=module, position=5, title="A")
    b = ActivityFactory(module=module, position=9, title="B")
    c = ActivityFactory(module=module, position=10, title="C")

    assert authoring.move_activity(activity=c, user=admin, direction="up")

    assert titles(module.activities) == ["A", "C", "B"]
    assert [a.position for a in module.activities.order_by("position")] == [1, 2, 3]
    assert authoring.move_activity(activity=a, user=admin, direction="down")
    assert titles(module.activities) == ["C", "A", "B"]
    assert Activity.objects.get(pk=b.pk).position == 3


def test_an_activity_is_added_at_the_end_of_its_module(course, admin):
    module = ModuleFactory(course=course)
    ActivityFactory(module=module, position=4)

    page = authoring.add_activity(
        module=module,
        user=admin,
        kind="page",
        content=authoring.ActivityContent(title="Ny side", body="# Hei", url="https://x.no"),
    )

    assert page.position == 5
    assert page.body == "# Hei"
    assert page.url == ""  # a page takes no address


def test_only_the_editors_kinds_are_made_here(course, admin):
    module = ModuleFactory(course=course)

    with pytest.raises(ValidationError):
        authoring.add_activity(
            module=module,
            user=admin,
            kind="attendance",
            content=authoring.ActivityContent(title="Samling"),
        )
    assert not module.activities.exists()


# Services: who may -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["other_administrator", "facilitator", "hr", "enthusiast", "manager"]
)
def test_the_services_refuse_those_who_may_not_edit(world, course, role):
    module = ModuleFactory(course=course, title="Teori")
    person = world.people[role]

    with pytest.raises(PermissionDenied):
        authoring.add_module(course=course, user=person, title="Inntrenger")
    with pytest.raises(PermissionDenied):
        authoring.delete_module(module=module, user=person)
    assert titles(Module.objects.filter(course=course)) == ["Teori"]


# Deleting keeps the learners' records ------------------------------------------------------


def test_deleting_what_learners_have_done_is_refused_and_keeps_everything(world, course, admin):
    module = ModuleFactory(course=course, title="Teori")
    page = ActivityFactory(module=module, title="Innovasjon")
    learner = world.people["enthusiast"]
    ActivityCompletion.objects.create(activity=page, user=learner, source="marked_done")
    events = AuditEvent.objects.count()

    with pytest.raises(authoring.LearnerRecordsExist):
        authoring.delete_activity(activity=page, user=admin)
    with pytest.raises(authoring.LearnerRecordsExist):
        authoring.delete_module(module=module, user=admin)

    assert Module.objects.filter(pk=module.pk).exists()
    assert Activity.objects.filter(pk=page.pk).exists()
    assert ActivityCompletion.objects.filter(activity=page, user=learner).exists()
    assert AuditEvent.objects.count() == events
    # Whether it is required may still change.
    authoring.update_activity(
        activity=page,
        user=admin,
        content=authoring.ActivityContent(title="Innovasjon", required=False, body="Tekst"),
    )
    assert not Activity.objects.get(pk=page.pk).required


def test_a_submission_keeps_its_assignment(world, course, admin):
    assignment = AssignmentFactory(activity__module=ModuleFactory(course=course))
    Submission.objects.create(
        assignment=assignment,
        submitted_by=world.people["manager"],
        group_key="user-1",
        attempt=1,
        text="Svar",
    )

    with pytest.raises(authoring.LearnerRecordsExist):
        authoring.delete_activity(activity=assignment.activity, user=admin)
    assert Submission.objects.filter(assignment=assignment).count() == 1


def test_the_delete_page_refuses_with_a_clear_message_and_keeps_everything(
    client, world, course, admin
):
    module = ModuleFactory(course=course, title="Teori")
    page = ActivityFactory(module=module, title="Innovasjon")
    ActivityCompletion.objects.create(
        activity=page, user=world.people["enthusiast"], source="marked_done"
    )
    client.force_login(admin)
    url = reverse("courses:module-delete", kwargs={"slug": course.slug, "module_id": module.pk})

    page_html = client.get(url).content.decode()
    response = client.post(url, follow=True)

    assert 'id="delete-refused"' in page_html
    assert 'id="delete-form"' not in page_html
    assert "cannot be deleted" in response.content.decode()
    assert Module.objects.filter(pk=module.pk).exists()
    assert ActivityCompletion.objects.filter(activity=page).count() == 1


def test_an_unused_module_is_deleted_with_its_activities_and_audited(client, course, admin):
    module = ModuleFactory(course=course, title="Utkast")
    ActivityFactory(module=module)
    client.force_login(admin)

    response = client.post(
        reverse("courses:module-delete", kwargs={"slug": course.slug, "module_id": module.pk})
    )

    assert response.status_code == 302
    assert not Module.objects.filter(pk=module.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.CURRICULUM_CHANGED)
    assert event.actor == admin
    assert event.details["change"] == "module_removed"
    assert event.details["item"] == "Utkast"
    assert event.details["organisation_id"] == course.lup_ownership.organisation_id


# Rubric levels -------------------------------------------------------------------------------


def test_rubric_levels_are_one_a_line_lowest_first():
    assert authoring.parse_rubric_levels("  Begynnende \n\nGodt\r\nSvært godt\n") == [
        "Begynnende",
        "Godt",
        "Svært godt",
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "levels_few"),
        ("Bare ett", "levels_few"),
        ("Godt\ngodt", "levels_repeated"),
        ("\n".join(str(n) for n in range(11)), "levels_many"),
        ("Kort\n" + "x" * 101, "level_long"),
    ],
)
def test_bad_rubric_levels_are_refused(text, code):
    with pytest.raises(ValidationError) as refused:
        authoring.parse_rubric_levels(text)
    assert refused.value.code == code


# Pages -----------------------------------------------------------------------------------


def test_the_administrator_adds_a_module_on_the_page(client, course, admin):
    client.force_login(admin)

    response = client.post(
        reverse("courses:module-create", kwargs={"slug": course.slug}),
        {"title": "Teori", "kind": "theory", "summary": "Grunnlaget", "due_days_after_start": "30"},
    )

    module = Module.objects.get(course=course)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#module-{module.pk}")
    assert (module.title, module.kind, module.due_days_after_start) == ("Teori", "theory", 30)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CURRICULUM_CHANGED,
        details__change="module_added",
        details__organisation_id=course.lup_ownership.organisation_id,
    ).exists()


def test_bad_module_input_is_an_error_and_changes_nothing(client, course, admin):
    client.force_login(admin)

    response = client.post(
        reverse("courses:module-create", kwargs={"slug": course.slug}),
        {"title": "", "kind": "dreaming", "due_days_after_start": "-3"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('aria-invalid="true"') >= 3
    assert not Module.objects.filter(course=course).exists()


def test_preview_shows_sanitised_markdown_and_saves_nothing(client, course, admin):
    module = ModuleFactory(course=course)
    client.force_login(admin)
    hostile = (
        "# Velkommen\n\nLes [dette](javascript:alert(1)) og **mer**.\n\n"
        "<script>alert('x')</script>\n\n<img src=x onerror=alert(2)>"
        '\n\n<a href="javascript:alert(3)">klikk</a>'
    )

    response = client.post(
        create_url(module, "page"),
        {"title": "Første side", "required": "on", "body": hostile, "preview": "1"},
    )

    html = response.content.decode()
    preview = html.split('id="preview-content"', 1)[1].split("</section>", 1)[0]
    assert response.status_code == 200
    assert "<h2>Velkommen</h2>" in preview
    assert "<strong>mer</strong>" in preview
    assert "<script" not in preview
    assert "javascript:" not in preview
    assert "onerror" not in preview
    assert not Activity.objects.filter(module=module).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CURRICULUM_CHANGED).exists()
    # The text is kept in the form, to go on writing.
    assert "Første side" in html


def test_saving_a_content_page_stores_the_markdown(client, course, admin):
    module = ModuleFactory(course=course)
    client.force_login(admin)

    response = client.post(
        create_url(module, "page"), {"title": "Side", "required": "on", "body": "# Hei"}
    )

    activity = Activity.objects.get(module=module)
    assert response.status_code == 302
    assert (activity.kind, activity.body, activity.required) == ("page", "# Hei", True)


def test_an_unknown_kind_is_not_found(client, course, admin):
    module = ModuleFactory(course=course)
    client.force_login(admin)

    assert client.get(create_url(module, "attendance")).status_code == 404
    assert client.get(create_url(module, "nonsense")).status_code == 404


def test_a_link_must_be_a_web_address(client, course, admin):
    module = ModuleFactory(course=course)
    client.force_login(admin)

    response = client.post(
        create_url(module, "link"), {"title": "Lenke", "url": "javascript:alert(1)"}
    )

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Activity.objects.filter(module=module).exists()


def test_an_h5p_activity_chooses_an_uploaded_package(client, course, admin):
    module = ModuleFactory(course=course)
    package = install_reflection()
    client.force_login(admin)

    response = client.post(
        create_url(module, "h5p"),
        {
            "title": "Refleksjon",
            "required": "on",
            "h5p_package": str(package.pk),
            "h5p_completion": "score",
            "min_score_percent": "80",
        },
    )

    activity = Activity.objects.get(module=module)
    assert response.status_code == 302
    assert activity.h5p_package == package
    assert activity.h5p_min_score == pytest.approx(0.8)


@pytest.mark.parametrize("which", ["missing", "elsewhere"])
def test_an_h5p_package_that_does_not_exist_or_belongs_elsewhere_is_refused(
    client, world, course, admin, which
):
    module = ModuleFactory(course=course)
    activity = ActivityFactory(module=module, kind="h5p", body="", title="Refleksjon")
    theirs = install_reflection({"title": "Askers", "question": "Hva nå?"})
    theirs.uploaded_by = world.people["other_administrator"]
    theirs.save()
    chosen = theirs.pk if which == "elsewhere" else theirs.pk + 1000
    client.force_login(admin)

    response = client.post(
        edit_url(activity),
        {"title": "Refleksjon", "h5p_package": str(chosen), "h5p_completion": "viewed"},
    )

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    activity.refresh_from_db()
    assert activity.h5p_package_id is None
    assert activity.h5p_completion == "score"
    # The service refuses it too, whatever the form offered.
    with pytest.raises(ValidationError):
        authoring.update_activity(
            activity=activity,
            user=admin,
            content=authoring.ActivityContent(title="Refleksjon", h5p_package=theirs),
        )
    activity.refresh_from_db()
    assert activity.h5p_package_id is None


def test_an_assignment_is_added_with_its_rubric(client, course, admin):
    module = ModuleFactory(course=course)
    client.force_login(admin)

    response = client.post(
        create_url(module, "assignment"),
        {
            "title": "Brukerreise",
            "required": "on",
            "instructions": "Lag en *brukerreise*.",
            "accepts_text": "on",
            "team": "on",
            "due_days_after_start": "60",
            **criteria_management(),
            "criteria-0-title": "Brukerinnsikt",
            "criteria-0-levels": "Begynnende\nGodt\nSvært godt",
            "criteria-1-title": "Gjennomføring",
            "criteria-1-levels": "Svak\n\nSterk\n",
        },
    )

    assert response.status_code == 302
    assignment = Assignment.objects.get(activity__module=module)
    assert (assignment.team, assignment.accepts_text, assignment.accepts_file) == (
        True,
        True,
        False,
    )
    assert assignment.due_days_after_start == 60
    assert [(c.title, c.levels) for c in assignment.criteria.order_by("position")] == [
        ("Brukerinnsikt", ["Begynnende", "Godt", "Svært godt"]),
        ("Gjennomføring", ["Svak", "Sterk"]),
    ]


def test_bad_rubric_input_is_an_error_and_stores_nothing(client, course, admin):
    module = ModuleFactory(course=course)
    client.force_login(admin)

    response = client.post(
        create_url(module, "assignment"),
        {
            "title": "Brukerreise",
            "instructions": "Lag en.",
            "accepts_text": "on",
            **criteria_management(),
            "criteria-0-title": "Brukerinnsikt",
            "criteria-0-levels": "Bare ett nivå",
            "criteria-1-title": "",
            "criteria-1-levels": "Svak\nSterk",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "at least two levels" in html
    assert "Give the criterion a title" in html
    assert not Activity.objects.filter(module=module).exists()
    assert not RubricCriterion.objects.exists()


def test_an_assignment_must_accept_something(client, course, admin):
    module = ModuleFactory(course=course)
    client.force_login(admin)

    response = client.post(
        create_url(module, "assignment"),
        {"title": "Oppgave", "instructions": "Gjør noe.", **criteria_management()},
    )

    assert response.status_code == 200
    assert not Activity.objects.filter(module=module).exists()


def test_a_criterion_reviewers_used_is_not_removed(client, world, course, admin):
    assignment = AssignmentFactory(activity__module=ModuleFactory(course=course))
    used = RubricCriterionFactory(assignment=assignment, title="Brukt")
    Submission.objects.create(
        assignment=assignment,
        submitted_by=world.people["manager"],
        group_key="user-1",
        attempt=1,
        text="Svar",
        status="returned",
        rubric_levels={str(used.pk): "Godt"},
    )
    client.force_login(admin)

    response = client.post(
        edit_url(assignment.activity),
        {
            "title": assignment.activity.title,
            "instructions": "Ny tekst",
            "accepts_text": "on",
            **criteria_management(total=3, initial=1),
            "criteria-0-id": str(used.pk),
            "criteria-0-title": "Brukt",
            "criteria-0-levels": "Svak\nGodt",
            "criteria-0-remove": "on",
        },
    )

    assert response.status_code == 200
    assert "reviewers have used it" in response.content.decode()
    assert RubricCriterion.objects.filter(pk=used.pk).exists()
    assert Assignment.objects.get(pk=assignment.pk).instructions != "Ny tekst"


def test_another_assignments_criterion_cannot_be_taken_over(client, course, admin):
    assignment = AssignmentFactory(activity__module=ModuleFactory(course=course))
    elsewhere = RubricCriterionFactory(title="Andres")
    client.force_login(admin)

    response = client.post(
        edit_url(assignment.activity),
        {
            "title": assignment.activity.title,
            "instructions": "Ny",
            "accepts_text": "on",
            **criteria_management(total=1, initial=0),
            "criteria-0-id": str(elsewhere.pk),
            "criteria-0-title": "Overtatt",
            "criteria-0-levels": "A\nB",
        },
    )

    assert response.status_code == 200
    elsewhere.refresh_from_db()
    assert elsewhere.title == "Andres"
    assert elsewhere.assignment_id != assignment.pk


def test_moving_on_the_page(client, course, admin):
    module = ModuleFactory(course=course)
    first = ActivityFactory(module=module, position=1, title="Første")
    ActivityFactory(module=module, position=2, title="Andre")
    client.force_login(admin)
    url = reverse(
        "courses:activity-move", kwargs={"slug": course.slug, "activity_id": first.public_id}
    )

    assert client.get(url).status_code == 405
    client.post(url, {"direction": "sideways"})
    assert titles(module.activities) == ["Første", "Andre"]
    response = client.post(url, {"direction": "down"})

    assert response.status_code == 302
    assert titles(module.activities) == ["Andre", "Første"]


def test_the_outline_runs_the_same_queries_however_long_the_course(client, course, admin):
    client.force_login(admin)
    module = ModuleFactory(course=course)
    ActivityFactory(module=module)
    client.get(outline_url(course))  # warm the session and permission caches

    with CaptureQueriesContext(connection) as small:
        assert client.get(outline_url(course)).status_code == 200
    package = install_reflection()
    for _ in range(4):
        more = ModuleFactory(course=course)
        ActivityFactory(module=more)
        ActivityFactory(module=more, kind="h5p", h5p_package=package, body="")
        assignment = AssignmentFactory(activity__module=more)
        RubricCriterionFactory(assignment=assignment)
    ActivityCompletion.objects.create(
        activity=module.activities.first(), user=UserFactory(), source="marked_done"
    )
    with CaptureQueriesContext(connection) as large:
        response = client.get(outline_url(course))

    assert response.status_code == 200
    assert response.content.decode().count('class="ds-card module-card"') == 5
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= 14


# Who may edit (lup's adapter) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("superuser", 200),
        ("other_administrator", 404),
        ("facilitator", 403),
        ("hr", 403),
        ("enthusiast", 403),
        ("manager", 403),
    ],
)
def test_only_the_owners_administrators_open_the_editor(client, world, course, role, status):
    ModuleFactory(course=course)
    client.force_login(world.people[role])

    assert client.get(outline_url(course)).status_code == status


@pytest.mark.parametrize(
    "role", ["other_administrator", "facilitator", "hr", "enthusiast", "manager"]
)
def test_nobody_else_changes_anything(client, world, course, role):
    module = ModuleFactory(course=course, title="Teori")
    page = ActivityFactory(module=module, position=1, title="Side", body="Tekst")
    ActivityFactory(module=module, position=2, title="Neste")
    client.force_login(world.people[role])
    slug = course.slug

    attempts = [
        (reverse("courses:module-create", kwargs={"slug": slug}), {"title": "X", "kind": "theory"}),
        (
            reverse("courses:module-edit", kwargs={"slug": slug, "module_id": module.pk}),
            {"title": "X", "kind": "practice"},
        ),
        (reverse("courses:module-delete", kwargs={"slug": slug, "module_id": module.pk}), {}),
        (
            reverse("courses:module-move", kwargs={"slug": slug, "module_id": module.pk}),
            {"direction": "down"},
        ),
        (create_url(module, "page"), {"title": "X", "body": "X"}),
        (edit_url(page), {"title": "X", "body": "X"}),
        (
            reverse("courses:activity-move", kwargs={"slug": slug, "activity_id": page.public_id}),
            {"direction": "down"},
        ),
        (
            reverse(
                "courses:activity-delete", kwargs={"slug": slug, "activity_id": page.public_id}
            ),
            {},
        ),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code in {403, 404}, url

    assert titles(Module.objects.filter(course=course)) == ["Teori"]
    assert titles(module.activities) == ["Side", "Neste"]
    page.refresh_from_db()
    assert (page.title, page.body) == ("Side", "Tekst")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CURRICULUM_CHANGED).exists()


def test_a_course_shared_with_another_municipality_is_edited_only_by_its_owner(
    client, world, course
):
    world.other_programme.course = course
    world.other_programme.save()
    ModuleFactory(course=course, title="Teori")
    asker = world.people["other_administrator"]
    client.force_login(asker)

    assert client.get(outline_url(course)).status_code == 404
    response = client.post(
        reverse("courses:module-create", kwargs={"slug": course.slug}),
        {"title": "Askers modul", "kind": "theory"},
    )
    assert response.status_code == 404
    assert titles(Module.objects.filter(course=course)) == ["Teori"]


def test_a_course_without_an_owner_is_edited_by_superusers_only(client, world):
    course = CourseFactory(slug="uten-eier")
    client.force_login(world.people["administrator"])
    assert client.get(outline_url(course)).status_code == 404
    client.force_login(world.people["superuser"])
    assert client.get(outline_url(course)).status_code == 200


def test_the_dashboard_links_the_editor_for_those_who_may(client, world, course):
    url = reverse("lup:dashboard", kwargs={"slug": world.programme.slug})
    client.force_login(world.people["administrator"])
    assert 'id="edit-curriculum-link"' in client.get(url).content.decode()
    client.force_login(world.people["hr"])
    assert 'id="edit-curriculum-link"' not in client.get(url).content.decode()


def test_the_audit_log_reads_the_change_as_a_sentence(course, admin):
    from django.utils import translation

    from lup.audit.reading import describe

    authoring.add_module(course=course, user=admin, title="Teori")
    event = AuditEvent.objects.get(action=AuditEvent.Action.CURRICULUM_CHANGED)

    with translation.override("en"):
        assert describe(event) == ["Module added: Teori"]
    assert event.subject_label == "LUP-kurset"
