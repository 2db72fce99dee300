"""`courses` on its own: the adapter's `editable_courses` and `course_created` hooks.

A host adapter that lets a staff member see every course but change only some: the others
open read-only in the admin (POSTs refused, nothing deleted), add forms never offer them,
and no H5P package can be attached to their activities.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from courses.adapter import DefaultCoursesAdapter, get_adapter, may_edit_course
from courses.h5p.services import install_package
from courses.models import Activity, Assignment, Course, Module, RubricCriterion
from tests.courses.factories import (
    ActivityFactory,
    AssignmentFactory,
    CourseFactory,
    ModuleFactory,
    RubricCriterionFactory,
)
from tests.courses.h5p.corpus import minimal_package
from tests.courses.h5p.test_views import h5p_file
from tests.factories import UserFactory
from tests.roles import with_two_factor

pytestmark = pytest.mark.django_db

ADAPTER = "tests.courses.test_course_ownership.MineOnlyAdapter"
created: list[tuple[object, object]] = []


class MineOnlyAdapter(DefaultCoursesAdapter):
    """Everyone sees every course; only courses whose title starts with "Mine" change."""

    def editable_courses(self, user):
        return Course.objects.filter(title__startswith="Mine")

    def course_created(self, user, course):
        created.append((user, course))


@pytest.fixture
def adapter(settings):
    settings.COURSES_ADAPTER = ADAPTER
    created.clear()
    yield
    created.clear()


@pytest.fixture
def author():
    """Staff with every permission on course content, two-factor set up (for the admin)."""
    person = with_two_factor(UserFactory(email="author@example.no", is_staff=True))
    person.user_permissions.add(*Permission.objects.filter(content_type__app_label="courses"))
    return type(person).objects.get(pk=person.pk)


@pytest.fixture
def theirs():
    course = CourseFactory(title="Theirs", slug="theirs")
    module = ModuleFactory(course=course, title="Their module")
    activity = ActivityFactory(module=module, title="Their page")
    assignment = AssignmentFactory(activity__module=module, instructions="Their task")
    criterion = RubricCriterionFactory(assignment=assignment, title="Their criterion")
    return course, module, activity, assignment, criterion


@pytest.fixture
def mine():
    course = CourseFactory(title="Mine", slug="mine")
    module = ModuleFactory(course=course, title="My module")
    return course, module


def change_url(obj):
    return reverse(f"admin:courses_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    return reverse(f"admin:courses_{obj._meta.model_name}_delete", args=[obj.pk])


def add_url(model):
    return reverse(f"admin:courses_{model._meta.model_name}_add")


def no_inline_rows(*prefixes):
    """The management forms of a page's inlines, with no rows."""
    data: dict[str, int] = {}
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data


INLINES = {
    Course: no_inline_rows("modules", "images"),
    Module: no_inline_rows("activities"),
    Activity: {},
    Assignment: no_inline_rows("criteria"),
}


# The default adapter ------------------------------------------------------------------------


def test_by_default_every_visible_course_is_editable_and_creating_one_records_nothing():
    adapter = DefaultCoursesAdapter()
    user = UserFactory()
    course = CourseFactory()

    assert adapter.editable_courses(user) is None
    adapter.course_created(user, course)  # a no-op: nothing to record, nothing raised
    assert may_edit_course(user, course.pk)


def test_by_default_editable_follows_visible():
    class NarrowAdapter(DefaultCoursesAdapter):
        def visible_courses(self, user):
            return Course.objects.filter(slug="seen")

    seen, unseen = CourseFactory(slug="seen"), CourseFactory(slug="unseen")

    assert list(NarrowAdapter().editable_courses(UserFactory())) == [seen]
    assert unseen.pk not in NarrowAdapter().editable_courses(UserFactory()).values_list(
        "pk", flat=True
    )


# The admin with a host that narrows editing ---------------------------------------------------


@pytest.mark.usefixtures("adapter")
def test_the_change_pages_of_a_course_not_editable_are_read_only(client, author, theirs):
    client.force_login(author)

    for obj in theirs[:4]:
        response = client.get(change_url(obj))

        assert response.status_code == 200, obj
        assert response.context["has_change_permission"] is False, obj
        assert response.context["has_delete_permission"] is False, obj
        assert 'name="_save"' not in response.content.decode(), obj
        # The inlines (modules, activities, rubric criteria) are read-only with it.
        for inline in response.context["inline_admin_formsets"]:
            assert not inline.has_add_permission, (obj, inline)
            assert not inline.has_change_permission, (obj, inline)
            assert not inline.has_delete_permission, (obj, inline)


@pytest.mark.usefixtures("adapter")
def test_posting_to_a_course_not_editable_is_refused_and_changes_nothing(client, author, theirs):
    course, module, activity, assignment, criterion = theirs
    client.force_login(author)

    attempts = [
        (course, {"title": "Hijacked", "slug": "theirs"}),
        (module, {"course": course.pk, "position": 1, "title": "Hijacked", "kind": "theory"}),
        (activity, {"module": module.pk, "position": 1, "title": "Hijacked", "kind": "page"}),
        (assignment, {"activity": assignment.activity_id, "instructions": "Hijacked"}),
    ]
    for obj, data in attempts:
        data |= INLINES[type(obj)]
        assert client.post(change_url(obj), data).status_code == 403, obj
        assert client.get(delete_url(obj)).status_code == 403, obj
        assert client.post(delete_url(obj), {"post": "yes"}).status_code == 403, obj

    course.refresh_from_db()
    module.refresh_from_db()
    activity.refresh_from_db()
    assignment.refresh_from_db()
    assert course.title == "Theirs"
    assert module.title == "Their module"
    assert activity.title == "Their page"
    assert assignment.instructions == "Their task"
    assert RubricCriterion.objects.filter(pk=criterion.pk, title="Their criterion").exists()


@pytest.mark.usefixtures("adapter")
def test_the_bulk_delete_action_refuses_a_course_not_editable(client, author, theirs):
    course, module, activity, _assignment, _criterion = theirs
    client.force_login(author)

    for model, obj in ((Course, course), (Module, module), (Activity, activity)):
        url = reverse(f"admin:courses_{model._meta.model_name}_changelist")
        response = client.post(
            url, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )

        assert response.status_code == 403, model
        assert model.objects.filter(pk=obj.pk).exists(), model


@pytest.mark.usefixtures("adapter")
def test_add_forms_offer_only_editable_courses_and_refuse_the_others(client, author, theirs, mine):
    course, module, _activity, _assignment, _criterion = theirs
    my_course, my_module = mine
    my_page = ActivityFactory(module=my_module, kind=Activity.Kind.ASSIGNMENT, title="My task")
    client.force_login(author)

    module_form = client.get(add_url(Module)).context["adminform"].form
    activity_form = client.get(add_url(Activity)).context["adminform"].form
    assignment_form = client.get(add_url(Assignment)).context["adminform"].form
    assert list(module_form.fields["course"].queryset) == [my_course]
    assert list(module_form.fields["prerequisites"].queryset) == [my_module]
    assert list(activity_form.fields["module"].queryset) == [my_module]
    assert list(assignment_form.fields["activity"].queryset) == [my_page]

    theirs_assignment_activity = ActivityFactory(module=module, kind=Activity.Kind.ASSIGNMENT)
    hostile = [
        (
            Module,
            "course",
            {"course": course.pk, "position": 9, "title": "Planted", "kind": "theory"},
        ),
        (
            Module,
            "prerequisites",
            {
                "course": my_course.pk,
                "position": 9,
                "title": "Planted",
                "kind": "theory",
                "prerequisites": [module.pk],
            },
        ),
        (
            Activity,
            "module",
            {
                "module": module.pk,
                "position": 9,
                "title": "Planted",
                "kind": "page",
                "h5p_completion": "score",
            },
        ),
        (
            Assignment,
            "activity",
            {"activity": theirs_assignment_activity.pk, "instructions": "Planted"},
        ),
    ]
    for model, field, data in hostile:
        response = client.post(add_url(model), data | INLINES[model])

        assert response.status_code == 200, data  # the form again, with the error
        assert list(response.context["adminform"].form.errors) == [field], data
    assert not Module.objects.filter(title="Planted").exists()
    assert not Activity.objects.filter(title="Planted").exists()
    assert not Assignment.objects.filter(instructions="Planted").exists()


@pytest.mark.usefixtures("adapter")
def test_an_editable_module_cannot_be_moved_into_a_course_not_editable(
    client, author, theirs, mine
):
    course = theirs[0]
    _my_course, my_module = mine
    client.force_login(author)

    response = client.post(
        change_url(my_module),
        {"course": course.pk, "position": 1, "title": "Moved", "kind": "theory"} | INLINES[Module],
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["course"]
    my_module.refresh_from_db()
    assert my_module.course.title == "Mine"
    assert my_module.title == "My module"


@pytest.mark.usefixtures("adapter")
def test_an_editable_course_is_changed_as_before(client, author, mine):
    my_course, my_module = mine
    client.force_login(author)

    response = client.get(change_url(my_course))
    assert response.context["has_change_permission"] is True
    response = client.post(
        change_url(my_module),
        {"course": my_course.pk, "position": 1, "title": "Renamed", "kind": "theory"}
        | INLINES[Module],
    )

    assert response.status_code == 302
    my_module.refresh_from_db()
    assert my_module.title == "Renamed"


@pytest.mark.usefixtures("adapter")
def test_creating_a_course_in_the_admin_tells_the_adapter(client, author):
    client.force_login(author)

    response = client.post(
        add_url(Course),
        {"title": "Mine too", "slug": "mine-too"} | INLINES[Course],
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    course = Course.objects.get(slug="mine-too")
    assert created == [(author, course)]
    response = client.post(
        change_url(course), {"title": "Mine, renamed", "slug": "mine-too"} | INLINES[Course]
    )
    assert response.status_code == 302
    assert created == [(author, course)]  # a change is no creation


# H5P: attaching a package changes the activity ------------------------------------------------


@pytest.mark.usefixtures("adapter")
def test_no_package_is_attached_to_an_activity_of_a_course_not_editable(client, author, mine):
    package, _created = install_package(
        upload=h5p_file(minimal_package()), uploaded_by=None, allow_new_libraries=True
    )
    theirs = ActivityFactory(kind=Activity.Kind.H5P, title="Their quiz")
    _my_course, my_module = mine
    my_quiz = ActivityFactory(module=my_module, kind=Activity.Kind.H5P, title="My quiz")
    url = reverse("courses:h5p-package-detail", args=[package.public_id])
    client.force_login(author)

    page = client.get(url).content.decode()
    assert f'value="{my_quiz.pk}"' in page
    assert f'value="{theirs.pk}"' not in page

    response = client.post(url, {"activity": theirs.pk, "completion": "score"})

    assert response.status_code == 200
    assert response.context["form"].errors
    theirs.refresh_from_db()
    assert theirs.h5p_package is None
    assert client.post(url, {"activity": my_quiz.pk, "completion": "score"}).status_code == 302
    my_quiz.refresh_from_db()
    assert my_quiz.h5p_package == package


def test_the_configured_adapter_is_used(adapter):
    assert isinstance(get_adapter(), MineOnlyAdapter)
    assert not may_edit_course(UserFactory(), CourseFactory(title="Theirs").pk)
    assert may_edit_course(UserFactory(), CourseFactory(title="Mine").pk)
