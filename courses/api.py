"""The public surface of `courses` for other apps (openedx-learning's convention).

An app that runs a programme on top of courses (LUP, say) imports from here and nowhere
else in `courses`; an import-linter contract in pyproject.toml holds it to that.
Everything here is defined in the app's own modules and re-exported unchanged:

- services (writes): `enrol`, `record_completion`, `withdraw_completion`, and for a host's
  retention rules `remove_submission_files` (the files go, the submissions stay);
- selectors (reads, a fixed number of queries): `course_progress` (one learner), and for
  many learners at once `module_outline` and `required_done_counts` (`ModuleOutline`);
  what a finished module is (`module_finished`) and a module's due day
  (`ModuleOutline.due_on`);
- the adapter a host project subclasses (`DefaultCoursesAdapter`, chosen by
  COURSES_ADAPTER) and what its review hooks return (`ReviewQueue`);
- the signals it sends upward that other apps receive: `activity_completed`,
  `activity_completion_withdrawn`, `submission_submitted` and `submission_reviewed` (an
  answer handed in, and reviewed), and `curriculum_changed` (an editor changed a course on
  the authoring pages; its `change` is a `CurriculumChange` value);
- for a host's adapter: `EDIT_COURSE_PERMISSION`, the permission the authoring pages ask
  for before the adapter's `can_edit_course`;
- the models, as types and for queries: `Course`, `Module`, `Activity`, `Assignment`,
  `ActivityCompletion`, `Enrolment`, `Submission`, `H5PAttempt`, `H5PPackage`;
- for an app's own system checks: `name_clashes` (its URL namespaces or template folder
  also used by another installed app);
- H5P content for demos and set-up: `install_package` (a validated `.h5p` file) and
  `reflection_package` (the bundled LUP.Reflection content type, packed).
"""

from __future__ import annotations

from .adapter import EDIT_COURSE_PERMISSION, DefaultCoursesAdapter, ReviewQueue
from .authoring_services import CurriculumChange
from .checks import name_clashes
from .h5p.services import install_package
from .h5p_library import reflection_package
from .models import (
    Activity,
    ActivityCompletion,
    Assignment,
    Course,
    Enrolment,
    H5PAttempt,
    H5PPackage,
    Module,
    Submission,
)
from .selectors import (
    ModuleOutline,
    course_progress,
    module_finished,
    module_outline,
    required_done_counts,
)
from .services import enrol, record_completion, remove_submission_files, withdraw_completion
from .signals import (
    activity_completed,
    activity_completion_withdrawn,
    curriculum_changed,
    submission_reviewed,
    submission_submitted,
)

__all__ = [
    "EDIT_COURSE_PERMISSION",
    "Activity",
    "ActivityCompletion",
    "Assignment",
    "Course",
    "CurriculumChange",
    "DefaultCoursesAdapter",
    "Enrolment",
    "H5PAttempt",
    "H5PPackage",
    "Module",
    "ModuleOutline",
    "ReviewQueue",
    "Submission",
    "activity_completed",
    "activity_completion_withdrawn",
    "course_progress",
    "curriculum_changed",
    "enrol",
    "install_package",
    "module_finished",
    "module_outline",
    "name_clashes",
    "record_completion",
    "reflection_package",
    "remove_submission_files",
    "required_done_counts",
    "submission_reviewed",
    "submission_submitted",
    "withdraw_completion",
]
