"""Run with the Wagtail site's `manage.py shell`, after `manage.py import_h5p` stored the
True/False package: a course whose one activity shows that package, a learner enrolled in
it, and the site's administrator. Prints one JSON object: the learner's way in.

Only the wheel's apps and Django's own API are used, as a host project's code would.
"""

import datetime as dt
import json

from django.contrib.auth import get_user_model
from django.urls import reverse

from courses import services
from courses.models import Activity, Course, H5PPackage, Module

PASSWORD = "wheel-host-password-1"  # a throwaway site's test users

User = get_user_model()
package = H5PPackage.objects.get()  # the one import_h5p stored
course = Course.objects.create(title="Innovation basics", slug="innovation-basics")
module = Module.objects.create(course=course, position=1, title="Why innovate")
activity = Activity.objects.create(
    module=module,
    position=1,
    title="Check yourself",
    kind=Activity.Kind.H5P,
    h5p_package=package,
)
learner = User.objects.create_user("kari", "kari@example.no", PASSWORD)
services.enrol(user=learner, course=course, starts_on=dt.date.today())
User.objects.create_superuser("admin", "admin@example.no", PASSWORD)

print(
    json.dumps(
        {
            "password": PASSWORD,
            "learner": learner.username,
            "administrator": "admin",
            "activity": activity.title,
            "package": package.title,
            "activity_url": reverse("courses:activity-detail", args=[activity.public_id]),
            "course_url": reverse("courses:course-detail", kwargs={"slug": course.slug}),
        }
    )
)
