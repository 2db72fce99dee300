"""The programme roles as groups of permissions (roles are data, not code).

Used by the demo, by API tokens (whose service accounts take a role) and by tests.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

ADMINISTRATORS_GROUP = "Programme administrators"
FACILITATORS_GROUP = "Facilitators"
H5P_UPLOAD_PERMISSIONS = ["add_h5ppackage", "view_h5ppackage"]
COURSE_CONTENT_MODELS = [
    "course",
    "module",
    "activity",
    "assignment",
    "rubriccriterion",
    "courseimage",
]
HR_GROUP = "HR"
PRIZE_JURY_GROUP = "Prize jury"


def certificate_administrator_permissions() -> QuerySet[Permission]:
    """What programme administrators may do with certificates: edit the templates, read
    issued certificates and revoke them (never add, change or delete one)."""
    return Permission.objects.filter(content_type__app_label="certificates").filter(
        Q(content_type__model__in=["certificatetemplate", "signatory"])
        & ~Q(codename__startswith="delete_")
        | Q(codename__in=["view_certificate", "revoke_certificate"])
    )


def ensure_role_groups() -> dict[str, Group]:
    """The groups that carry the programme roles' permissions (roles are data, not code)."""
    dashboard = Permission.objects.get(
        codename="view_target_dashboard", content_type__app_label="lup"
    )
    lup_permissions = list(Permission.objects.filter(content_type__app_label="lup"))
    administrators, _ = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    administrators.permissions.add(*lup_permissions)
    # They review assignments in their organisation's cohorts (see lup.courses_adapter).
    administrators.permissions.add(
        *Permission.objects.filter(content_type__app_label="courses").filter(
            # They author their curriculum, review answers, and may withdraw completions.
            Q(content_type__model__in=COURSE_CONTENT_MODELS)
            | Q(codename__in=["view_submission", "change_submission"])
            | Q(codename__in=["view_activitycompletion", "delete_activitycompletion"])
            | Q(codename="view_enrolment")
            # The xAPI outbox's status, and sending statements to the LRS again.
            | Q(codename__in=["view_xapistatement", "change_xapistatement"])
            # H5P: upload content and install the libraries whose JavaScript it runs.
            | Q(codename__in=[*H5P_UPLOAD_PERMISSIONS, "view_h5plibrary", "install_h5p_library"])
        )
    )
    # Certificates: they edit the templates, read the issued ones and may revoke them.
    administrators.permissions.add(*certificate_administrator_permissions())
    # HR reads across its organisation and changes nothing.
    reading = Permission.objects.filter(
        content_type__app_label="lup", codename__startswith="view_"
    ).exclude(
        # Not HR's: the security log, and people's own archives and language settings.
        codename__in=["view_auditevent", "view_personaldataexport", "view_personprofile"]
    )
    hr, _ = Group.objects.get_or_create(name=HR_GROUP)
    hr.permissions.add(dashboard, *reading)
    # ...and exports completion reports, with its own column presets and schedules.
    hr.permissions.add(
        *Permission.objects.filter(content_type__app_label="lup").filter(
            Q(codename="export_completions")
            | Q(content_type__model__in=["exportpreset", "scheduledexport"])
        )
    )
    # Facilitators upload H5P content whose libraries are installed, and attach it.
    facilitators, _ = Group.objects.get_or_create(name=FACILITATORS_GROUP)
    facilitators.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="courses",
            codename__in=[*H5P_UPLOAD_PERMISSIONS, "change_activity", "view_activity"],
        )
    )
    # The innovation prize's jury scores nominations and declares the winners.
    jury, _ = Group.objects.get_or_create(name=PRIZE_JURY_GROUP)
    jury.permissions.add(
        Permission.objects.get(codename="judge_prize", content_type__app_label="lup")
    )
    return {
        ADMINISTRATORS_GROUP: administrators,
        HR_GROUP: hr,
        FACILITATORS_GROUP: facilitators,
        PRIZE_JURY_GROUP: jury,
    }
