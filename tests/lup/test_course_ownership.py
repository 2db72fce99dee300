"""A course two municipalities' programmes share: its owner organisation edits it, the other
uses it as it is (issue 14).

Bærum owns the course; Asker's programme uses it too. Asker's administrator (staff, with
every course permission) sees it read-only in the admin: POSTs are refused, nothing is
changed or deleted, and no H5P package is attached to its activities. Learners of both
municipalities still use it.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from courses import services as course_services
from courses.h5p.services import install_package
from courses.models import Activity, ActivityCompletion, Assignment, Course, Module
from lup.courses_adapter import LupCoursesAdapter
from lup.models import CourseOwnership, Organisation, OrganisationMembership
from tests.courses.factories import (
    ActivityFactory,
    AssignmentFactory,
    CourseFactory,
    ModuleFactory,
    RubricCriterionFactory,
)
from tests.courses.h5p.corpus import minimal_package
from tests.courses.h5p.test_views import h5p_file
from tests.factories import CohortFactory, OrganisationFactory, ProgrammeFactory, UserFactory
from tests.roles import build_world, with_two_factor

pytestmark = pytest.mark.django_db

INLINES = {
    Course: {
        "modules-TOTAL_FORMS": 0,
        "modules-INITIAL_FORMS": 0,
        "images-TOTAL_FORMS": 0,
        "images-INITIAL_FORMS": 0,
    },
    Module: {"activities-TOTAL_FORMS": 0, "activities-INITIAL_FORMS": 0},
    Activity: {},
    Assignment: {"criteria-TOTAL_FORMS": 0, "criteria-INITIAL_FORMS": 0},
}


class Shared:
    """Bærum's course, used by Bærum's and Asker's programmes."""

    def __init__(self, world):
        self.world = world
        self.baerum = world.programme.organisation
        self.asker = world.other_programme.organisation
        self.course = CourseFactory(title="Bærums kurs", slug="baerums-kurs")
        self.module = ModuleFactory(course=self.course, title="Bærums modul")
        self.page = ActivityFactory(module=self.module, title="Bærums side")
        self.quiz = ActivityFactory(module=self.module, title="Bærums quiz", kind="h5p")
        self.assignment = AssignmentFactory(
            activity__module=self.module, instructions="Bærums oppgave"
        )
        self.criterion = RubricCriterionFactory(assignment=self.assignment)
        CourseOwnership.objects.create(course=self.course, organisation=self.baerum)
        for programme in (world.programme, world.other_programme):
            programme.course = self.course
            programme.save(update_fields=["course"])

    @property
    def parts(self):
        return [self.course, self.module, self.page, self.assignment]

    def unchanged(self) -> bool:
        return (
            Course.objects.filter(pk=self.course.pk, title="Bærums kurs").exists()
            and Module.objects.filter(pk=self.module.pk, title="Bærums modul").exists()
            and Activity.objects.filter(pk=self.page.pk, title="Bærums side").exists()
            and Assignment.objects.filter(
                pk=self.assignment.pk, instructions="Bærums oppgave"
            ).exists()
            and self.assignment.criteria.filter(pk=self.criterion.pk).exists()
        )


@pytest.fixture
def shared():
    return Shared(build_world())


def change_url(obj):
    return reverse(f"admin:courses_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj):
    return reverse(f"admin:courses_{obj._meta.model_name}_delete", args=[obj.pk])


def hostile_changes(shared):
    return [
        (shared.course, {"title": "Askers nå", "slug": "baerums-kurs"}),
        (
            shared.module,
            {"course": shared.course.pk, "position": 1, "title": "Askers nå", "kind": "theory"},
        ),
        (
            shared.page,
            {"module": shared.module.pk, "position": 1, "title": "Askers nå", "kind": "page"},
        ),
        (shared.assignment, {"activity": shared.assignment.activity_id, "instructions": "Nå"}),
    ]


# The attack: Asker's administrator in the admin -----------------------------------------------


def test_askers_administrator_sees_baerums_course_read_only(client, shared):
    client.force_login(shared.world.people["other_administrator"])

    listed = client.get(reverse("admin:courses_course_changelist")).context["cl"].result_count
    assert listed == 1  # Asker's programme uses it: they see it
    for obj in shared.parts:
        response = client.get(change_url(obj))

        assert response.status_code == 200, obj
        assert response.context["has_change_permission"] is False, obj
        assert response.context["has_delete_permission"] is False, obj
        assert 'name="_save"' not in response.content.decode(), obj
        for inline in response.context["inline_admin_formsets"]:
            assert not inline.has_add_permission, obj
            assert not inline.has_change_permission, obj


def test_askers_administrator_cannot_change_or_delete_baerums_course(client, shared):
    client.force_login(shared.world.people["other_administrator"])

    for obj, data in hostile_changes(shared):
        assert client.post(change_url(obj), data | INLINES[type(obj)]).status_code == 403, obj
        assert client.get(delete_url(obj)).status_code == 403, obj
        assert client.post(delete_url(obj), {"post": "yes"}).status_code == 403, obj
        changelist = reverse(f"admin:courses_{obj._meta.model_name}_changelist")
        response = client.post(
            changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        )
        # Refused: 403, or (a course its programmes protect) the page saying why not.
        assert response.status_code == 403 or response.context["perms_lacking"], obj

    assert shared.unchanged()


def test_askers_administrator_cannot_add_to_baerums_course(client, shared):
    client.force_login(shared.world.people["other_administrator"])
    free_activity = ActivityFactory(module=shared.module, kind="assignment", title="Ledig")

    form = client.get(reverse("admin:courses_module_add")).context["adminform"].form
    assert shared.course not in form.fields["course"].queryset
    attempts = [
        (Module, {"course": shared.course.pk, "position": 5, "title": "Plantet", "kind": "theory"}),
        (Activity, {"module": shared.module.pk, "position": 5, "title": "Plantet", "kind": "page"}),
        (Assignment, {"activity": free_activity.pk, "instructions": "Plantet"}),
    ]
    for model, data in attempts:
        url = reverse(f"admin:courses_{model._meta.model_name}_add")
        response = client.post(url, data | INLINES[model])

        assert response.status_code == 200, model
        assert response.context["adminform"].form.errors, model
    assert not Module.objects.filter(title="Plantet").exists()
    assert not Activity.objects.filter(title="Plantet").exists()
    assert not Assignment.objects.filter(instructions="Plantet").exists()


def test_baerums_administrator_and_a_superuser_still_change_it(client, shared):
    for person in ("administrator", "superuser"):
        client.force_login(shared.world.people[person])
        data = {
            "course": shared.course.pk,
            "position": 1,
            "title": f"Endret av {person}",
            "kind": "theory",
        }

        response = client.post(change_url(shared.module), data | INLINES[Module])

        assert response.status_code == 302, person
        shared.module.refresh_from_db()
        assert shared.module.title == f"Endret av {person}"


# The attack through the H5P package page ------------------------------------------------------


def test_askers_administrator_cannot_attach_h5p_content_to_baerums_course(client, shared):
    package, _created = install_package(
        upload=h5p_file(minimal_package()), uploaded_by=None, allow_new_libraries=True
    )
    url = reverse("courses:h5p-package-detail", args=[package.public_id])
    client.force_login(shared.world.people["other_administrator"])

    assert f'value="{shared.quiz.pk}"' not in client.get(url).content.decode()
    response = client.post(url, {"activity": shared.quiz.pk, "completion": "score"})

    assert response.status_code == 200
    assert response.context["form"].errors
    shared.quiz.refresh_from_db()
    assert shared.quiz.h5p_package is None
    # Bærum's facilitator (of Bærum's cohort) may.
    client.force_login(shared.world.people["facilitator"])
    assert client.post(url, {"activity": shared.quiz.pk, "completion": "score"}).status_code == 302
    shared.quiz.refresh_from_db()
    assert shared.quiz.h5p_package == package


# Both still use it -----------------------------------------------------------------------------


def test_learners_of_both_municipalities_still_use_the_shared_course(client, shared):
    learners = [
        shared.world.people["manager"],
        shared.world.team_other.participants.get().user,
    ]
    for learner in learners:
        course_services.enrol(user=learner, course=shared.course, starts_on=dt.date(2025, 8, 1))
        client.force_login(learner)

        page = client.get(reverse("courses:course-detail", args=[shared.course.slug]))
        assert page.status_code == 200
        done = reverse("courses:activity-done", args=[shared.page.public_id])
        assert client.post(done).status_code == 302

        assert ActivityCompletion.objects.filter(user=learner, activity=shared.page).exists()


def test_askers_administrator_may_choose_the_shared_course_for_their_programme(client, shared):
    client.force_login(shared.world.people["other_administrator"])

    url = reverse("admin:lup_programme_change", args=[shared.world.other_programme.pk])
    form = client.get(url).context["adminform"].form

    assert shared.course in form.fields["course"].queryset


# Who may edit what (LupCoursesAdapter.editable_courses) ---------------------------------------


def editable(user) -> set[str]:
    courses = LupCoursesAdapter().editable_courses(user)
    return set(courses.values_list("slug", flat=True)) if courses is not None else {"*"}


def test_editable_courses_follow_the_owner_and_ownerless_courses_their_users(shared):
    world = shared.world
    CourseFactory(slug="unused")  # without an owner, and unused
    ownerless_baerum = CourseFactory(slug="baerum-only")
    ProgrammeFactory(organisation=shared.baerum, course=ownerless_baerum)
    ownerless_shared = CourseFactory(slug="ownerless-shared")
    ProgrammeFactory(organisation=shared.baerum, course=ownerless_shared)
    ProgrammeFactory(organisation=shared.asker, course=ownerless_shared)
    askers = CourseFactory(slug="askers")
    CourseOwnership.objects.create(course=askers, organisation=shared.asker)

    assert editable(world.people["administrator"]) == {
        "baerums-kurs",
        "unused",
        "baerum-only",
    }
    assert editable(world.people["other_administrator"]) == {"unused", "askers"}
    # A facilitator of Bærum's cohort authors for Bærum, not for Asker.
    assert editable(world.people["facilitator"]) == {"baerums-kurs", "unused", "baerum-only"}
    # Someone with no organisation and no cohort: only what nobody uses.
    assert editable(UserFactory()) == {"unused"}
    assert editable(world.people["superuser"]) == {"*"}


def test_anonymous_edits_nothing():
    from django.contrib.auth.models import AnonymousUser

    CourseFactory()

    assert editable(AnonymousUser()) == set()


def test_the_owner_sees_its_course_even_when_only_another_organisation_uses_it(shared):
    shared.world.programme.course = None
    shared.world.programme.save(update_fields=["course"])

    visible = LupCoursesAdapter().visible_courses(shared.world.people["administrator"])

    assert shared.course in visible
    assert "baerums-kurs" in editable(shared.world.people["administrator"])


# Creating a course records its owner ------------------------------------------------------------


def create_course_in_admin(client, person, slug):
    client.force_login(person)
    response = client.post(
        reverse("admin:courses_course_add"), {"title": slug, "slug": slug} | INLINES[Course]
    )
    assert response.status_code == 302
    return Course.objects.get(slug=slug)


def test_a_course_created_in_the_admin_is_owned_by_the_creators_organisation(client, shared):
    world = shared.world

    course = create_course_in_admin(client, world.people["other_administrator"], "askers-nye")

    assert course.lup_ownership.organisation == shared.asker
    # Once a programme of Bærum's uses it too, Bærum's administrator may still not edit it.
    ProgrammeFactory(organisation=shared.baerum, course=course)
    client.force_login(world.people["administrator"])
    response = client.post(change_url(course), {"title": "Bærums", "slug": "askers-nye"})
    assert response.status_code == 403
    course.refresh_from_db()
    assert course.title == "askers-nye"


def test_with_no_or_several_organisations_a_new_course_has_no_owner(client, shared):
    two_homes = with_two_factor(UserFactory(is_staff=True))
    two_homes.groups.add(*shared.world.people["administrator"].groups.all())
    for organisation in (shared.baerum, shared.asker):
        OrganisationMembership.objects.create(organisation=organisation, user=two_homes)

    by_superuser = create_course_in_admin(client, shared.world.people["superuser"], "av-root")
    by_two_homes = create_course_in_admin(client, two_homes, "av-to")

    assert not CourseOwnership.objects.filter(course__in=[by_superuser, by_two_homes]).exists()


def test_course_created_keeps_an_existing_owner(shared):
    LupCoursesAdapter().course_created(shared.world.people["other_administrator"], shared.course)

    assert CourseOwnership.objects.get(course=shared.course).organisation == shared.baerum


# The migration's data step ---------------------------------------------------------------------


def test_the_migration_gives_each_used_course_the_oldest_programmes_organisation():
    migration = importlib.import_module("lup.migrations.0013_course_owner_organisation")
    first, second = OrganisationFactory(), OrganisationFactory()
    shared_course, seconds, unused, owned = (CourseFactory() for _ in range(4))
    ProgrammeFactory(organisation=first, course=shared_course)
    ProgrammeFactory(organisation=second, course=shared_course)
    ProgrammeFactory(organisation=second, course=seconds)
    ProgrammeFactory(organisation=first, course=owned)
    CourseOwnership.objects.create(course=owned, organisation=second)
    CohortFactory()  # a programme without a course

    migration.give_used_courses_an_owner(apps, None)
    migration.give_used_courses_an_owner(apps, None)  # again: nothing more

    owners = dict(CourseOwnership.objects.values_list("course_id", "organisation_id"))
    assert owners == {shared_course.pk: first.pk, seconds.pk: second.pk, owned.pk: second.pk}
    assert unused.pk not in owners
    assert Organisation.objects.filter(pk=first.pk).exists()
