"""Run inside the courses-only host: migrate, build a course through courses' own models and
services, and let an enrolled learner mark a page done through courses' own pages.

Prints one JSON object: what the pages answered, what was stored, and which of the other
apps (or their dependencies) got imported on the way (none should).
"""

import datetime as dt
import io
import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from courses import services  # noqa: E402
from courses.models import Activity, ActivityCompletion, Course, Module  # noqa: E402
from courses.signals import activity_completed  # noqa: E402

call_command("migrate", verbosity=0)
call_command("check", fail_level="WARNING", stdout=io.StringIO())  # raises on a problem

signals: list[str] = []
activity_completed.connect(
    lambda sender, user, activity, **kwargs: signals.append(activity.title), weak=False
)

course = Course.objects.create(title="Innovation basics", slug="innovation-basics")
module = Module.objects.create(course=course, position=1, title="Why innovate")
page = Activity.objects.create(
    module=module, position=1, title="Read: the service user first", kind=Activity.Kind.PAGE
)
learner = get_user_model().objects.create_user("kari", "kari@example.no", "x")
services.enrol(user=learner, course=course, starts_on=dt.date(2026, 1, 5))

client = Client()
client.force_login(learner)
course_page = client.get(reverse("courses:course-detail", kwargs={"slug": course.slug}))
html = course_page.content.decode()
done_url = reverse("courses:activity-done", kwargs={"activity_id": page.public_id})
first = client.post(done_url)
again = client.post(done_url)  # a double click records nothing twice
activity_page = client.get(reverse("courses:activity-detail", args=[page.public_id]))

others = sorted(
    {name.split(".")[0] for name in sys.modules}
    & {"lup", "certificates", "config", "allauth", "rest_framework"}
)
print(
    json.dumps(
        {
            "installed": [app for app in settings.INSTALLED_APPS if "." not in app],
            "course_page": course_page.status_code,
            "course_page_in_host_layout": "Host intranet layout" in html,
            "course_page_shows_course": "Innovation basics" in html,
            "mark_done": [first.status_code, again.status_code],
            "activity_page": activity_page.status_code,
            "completions": list(
                ActivityCompletion.objects.values_list(
                    "user__username", "activity__title", "source"
                )
            ),
            "signals": signals,
            "imported_others": others,
        }
    )
)
