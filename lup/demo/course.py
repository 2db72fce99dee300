"""The demo course, built from the curriculum in `lup.demo.curriculum` (get or create)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from courses.api import Activity, Assignment, Course, Module, install_package, reflection_package

from . import curriculum as demo_curriculum

# Our own H5P content types, built by the seed, by the name an ActivityPlan gives in `h5p`.
DEMO_H5P_PACKAGES = {"reflection": reflection_package}


@dataclass
class Curriculum:
    """The demo course as built: what the progress seed needs to find by plan key."""

    course: Course
    activities: dict[str, Activity]  # by ActivityPlan.key
    assignments: dict[str, Assignment]  # by ActivityPlan.key
    attendance: dict[str, Activity]  # by gathering kind
    modules: list[demo_curriculum.ModulePlan]


def seed_curriculum() -> Curriculum:
    """The demo course with its modules, activities and assignments (get or create)."""
    course, _ = Course.objects.get_or_create(
        slug=demo_curriculum.COURSE_SLUG,
        defaults={
            "title": demo_curriculum.COURSE_TITLE,
            "description": demo_curriculum.COURSE_DESCRIPTION,
        },
    )
    modules: dict[int, Module] = {}
    activities: dict[str, Activity] = {}
    assignments: dict[str, Assignment] = {}
    attendance: dict[str, Activity] = {}
    for module_plan in demo_curriculum.MODULES:
        module, _ = Module.objects.get_or_create(
            course=course,
            position=module_plan.position,
            defaults={
                "title": module_plan.title,
                "kind": module_plan.kind,
                "summary": module_plan.summary,
                "due_days_after_start": module_plan.due_days,
            },
        )
        modules[module_plan.position] = module
        if module_plan.after:
            module.prerequisites.add(*(modules[position] for position in module_plan.after))
        for position, plan in enumerate(module_plan.activities, start=1):
            activity, _ = Activity.objects.get_or_create(
                module=module,
                position=position,
                defaults={
                    "title": plan.title,
                    "kind": plan.kind,
                    "required": plan.required,
                    "body": plan.body,
                    "url": plan.url,
                },
            )
            activities[plan.key] = activity
            if plan.kind == Activity.Kind.ASSIGNMENT:
                assignments[plan.key], _ = Assignment.objects.get_or_create(
                    activity=activity,
                    defaults={
                        "instructions": plan.instructions,
                        "team": plan.team,
                        "due_days_after_start": module_plan.due_days,
                    },
                )
            if plan.gathering_kind:
                attendance[plan.gathering_kind] = activity
            if plan.h5p and activity.h5p_package_id is None:
                _link_demo_h5p(activity, plan.h5p)
    return Curriculum(
        course=course,
        activities=activities,
        assignments=assignments,
        attendance=attendance,
        modules=demo_curriculum.MODULES,
    )


def _link_demo_h5p(activity: Activity, name: str) -> None:
    """Build our own demo package, install it (once: the same bytes find the same package)
    and show it in the activity."""
    package, _created = install_package(
        upload=io.BytesIO(DEMO_H5P_PACKAGES[name]()), uploaded_by=None, allow_new_libraries=True
    )
    activity.h5p_package = package
    activity.save(update_fields=["h5p_package"])
