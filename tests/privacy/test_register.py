"""The register of personal data misses nothing: every model that looks personal is
registered or explained, and each entry names real fields. A model added with a relation to
a person, or a field for a name or an address, fails here until it gets a rule."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.test.utils import isolate_apps

from lup.models import Participant
from lup.privacy.categories import Category, RetainedCategory
from lup.privacy.checks import (
    check_register,
    register_problems,
    unregistered_personal_models,
)
from lup.privacy.register import REGISTER, OnAnonymise, PersonalData, entries


def test_every_personal_model_of_the_installed_apps_is_registered_or_explained():
    assert unregistered_personal_models() == {}


def test_every_entry_names_real_fields_and_leads_to_the_person():
    assert register_problems() == []


def test_the_register_covers_the_installed_apps():
    labels = {entry.model for entry in entries()}

    assert {"auth.User", "courses.Submission", "certificates.Certificate"} <= labels
    assert len(labels) == len(list(entries())) <= len(REGISTER)


def test_a_new_model_about_a_person_is_reported():
    # Models of an isolated app: the real registry never sees them. Relations name the
    # classes themselves, as the isolated registry has no auth or lup app to resolve labels.
    with isolate_apps("tests.privacy") as registry:

        class Diary(models.Model):  # noqa: DJ008 (a model only for this test)
            author = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)
            note = models.TextField()

            class Meta:
                app_label = "privacy"  # the isolated app's label

        class Newsletter(models.Model):  # noqa: DJ008
            subscriber_email = models.EmailField()

            class Meta:
                app_label = "privacy"

        class Badge(models.Model):  # noqa: DJ008
            # Points at a participation: a row about one person.
            holder = models.ForeignKey(Participant, on_delete=models.CASCADE)

            class Meta:
                app_label = "privacy"

        class Colleagues(models.Model):  # noqa: DJ008
            people: models.ManyToManyField[Any, Any] = models.ManyToManyField(
                get_user_model(), related_name="+"
            )

            class Meta:
                app_label = "privacy"

        class Recipe(models.Model):  # noqa: DJ008
            title = models.CharField(max_length=100)
            servings = models.PositiveIntegerField()

            class Meta:
                app_label = "privacy"

    found = unregistered_personal_models(registry.get_models())

    assert set(found) == {
        "privacy.Diary",
        "privacy.Newsletter",
        "privacy.Badge",
        "privacy.Colleagues",
    }
    assert found["privacy.Diary"] == [f"author refers to {settings.AUTH_USER_MODEL.lower()}"]
    assert found["privacy.Newsletter"] == ["subscriber_email may hold a name or address"]
    assert found["privacy.Badge"] == ["holder refers to lup.participant"]


def test_the_system_check_reports_what_the_register_misses(monkeypatch):
    monkeypatch.setattr(
        "lup.privacy.checks.unregistered_personal_models",
        lambda: {"shop.Order": ["buyer refers to auth.user"]},
    )
    monkeypatch.setattr("lup.privacy.checks.register_problems", lambda: ["x: wrong"])

    messages = check_register()

    assert [message.id for message in messages] == ["lup.W010", "lup.W011"]
    assert "shop.Order" in messages[0].msg


def test_an_entry_with_wrong_names_is_reported(monkeypatch):
    wrong = PersonalData(
        "lup.Attendance",
        ("participant", "recorded_by__email", "nobody"),
        Category.ATTENDANCE,
        "Attendance.",
        OnAnonymise.KEEP,
        secret=("password",),
        files=("method",),
        retention=RetainedCategory.LEARNING_RECORDS,
        retention_from="gathering__title",
    )
    monkeypatch.setattr("lup.privacy.register.REGISTER", (wrong,))
    monkeypatch.setattr("lup.privacy.checks.REGISTER", (wrong,))

    problems = register_problems()

    assert problems == [
        "lup.Attendance: person lookup 'participant' does not lead to the user model",
        "lup.Attendance: person lookup 'recorded_by__email' does not lead to the user model",
        "lup.Attendance: person lookup 'nobody': lup.Attendance has no field 'nobody'",
        "lup.Attendance: secret 'password' is not a field",
        "lup.Attendance: files 'method' is not a file or binary field",
        "lup.Attendance: retention_from 'gathering__title' is not a date",
    ]
