"""Signal receivers of `lup`, connected in LupConfig.ready(): each one calls a service.

They listen to Django's auth signals, to changes of role data (group memberships,
cohort facilitators, organisation memberships), to the signals of `courses` and
`certificates`, and to the core's own completion signals (`lup.signals`), which they hand
up to the features: this module sits above every layer of `lup` (see pyproject.toml).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from certificates.api import certificate_revoked
from courses.api import activity_completed, activity_completion_withdrawn

from . import certification, services
from .access import record_multi_factor_proof
from .audit import record_event
from .models import AuditEvent, Cohort, OrganisationMembership
from .signals import participant_completed, unit_completed

ROLE_FLAGS = ("is_superuser", "is_staff", "is_active")


@receiver(user_logged_in, dispatch_uid="lup_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(action=AuditEvent.Action.LOGIN, subject=user, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="lup_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record_event(action=AuditEvent.Action.LOGIN_FAILED, request=request, subject_label=attempted)


def connect_role_change_receivers() -> None:
    """Receivers for the role data of the user model and cohorts (senders known at ready())."""
    user_model = get_user_model()
    m2m_changed.connect(
        audit_group_change, sender=user_model.groups.through, dispatch_uid="lup_audit_groups"
    )
    m2m_changed.connect(
        audit_facilitator_change,
        sender=Cohort.facilitators.through,
        dispatch_uid="lup_audit_facilitators",
    )
    pre_save.connect(audit_role_flags, sender=user_model, dispatch_uid="lup_audit_role_flags")


def audit_group_change(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"} or (
        not pk_set and action != "pre_clear"
    ):
        return
    from django.contrib.auth.models import Group

    if reverse:  # group.user_set.add(...): instance is the group
        people = get_user_model().objects.filter(pk__in=pk_set or [])
        for person in people:
            record_event(
                action=AuditEvent.Action.ROLE_CHANGED,
                subject=person,
                change=action,
                groups=[instance.name],
            )
        return
    if action == "pre_clear":
        names = list(instance.groups.values_list("name", flat=True))
    else:
        names = list(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    if names:
        record_event(
            action=AuditEvent.Action.ROLE_CHANGED, subject=instance, change=action, groups=names
        )


def audit_facilitator_change(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove"} or not pk_set:
        return
    if reverse:  # user.lup_facilitated_cohorts.add(cohort)
        for cohort in Cohort.objects.filter(pk__in=pk_set):
            record_event(
                action=AuditEvent.Action.ROLE_CHANGED,
                subject=instance,
                change=action,
                facilitator_of=cohort.name,
            )
        return
    for person in get_user_model().objects.filter(pk__in=pk_set):
        record_event(
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=person,
            change=action,
            facilitator_of=instance.name,
        )


def audit_role_flags(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values(*ROLE_FLAGS).first()
    if before is None:
        return
    changed = {
        flag: getattr(instance, flag)
        for flag in ROLE_FLAGS
        if before[flag] != getattr(instance, flag)
    }
    if changed:
        record_event(action=AuditEvent.Action.ROLE_CHANGED, subject=instance, **changed)


@receiver(post_save, sender=OrganisationMembership, dispatch_uid="lup_audit_membership_added")
def audit_membership_added(
    sender: Any, instance: OrganisationMembership, created: bool, **kwargs: Any
) -> None:
    if created:
        record_event(
            action=AuditEvent.Action.ROLE_CHANGED,
            subject=instance.user,
            change="post_add",
            member_of=instance.organisation.name,
        )


@receiver(post_delete, sender=OrganisationMembership, dispatch_uid="lup_audit_membership_removed")
def audit_membership_removed(sender: Any, instance: OrganisationMembership, **kwargs: Any) -> None:
    record_event(
        action=AuditEvent.Action.ROLE_CHANGED,
        subject=instance.user,
        change="post_remove",
        member_of=instance.organisation.name,
    )


def connect_account_receivers() -> None:
    """Receivers for django-allauth's account signals, when allauth is installed."""
    from django.apps import apps

    if not apps.is_installed("allauth.account"):
        return
    from allauth.account.signals import password_reset

    password_reset.connect(
        verify_email_after_password_reset, dispatch_uid="lup_verify_email_after_reset"
    )
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.signals import authenticator_added

        authenticator_added.connect(
            note_second_factor_proven, dispatch_uid="lup_second_factor_on_activation"
        )


def note_second_factor_proven(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    """Activating an authenticator takes a valid code from it: this session has proven the
    second factor, so the person is not asked for another code straight away."""
    if request is not None and getattr(request, "user", None) == user:
        record_multi_factor_proof(request, user, id=authenticator.pk, type=authenticator.type)


def verify_email_after_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.verify_email_after_password_reset(user=user)


@receiver(activity_completed, dispatch_uid="lup_completion_after_activity")
def complete_after_activity(sender: Any, user: Any, activity: Any, **kwargs: Any) -> None:
    services.complete_after_activity(user=user, activity=activity)


@receiver(activity_completion_withdrawn, dispatch_uid="lup_completion_after_withdrawal")
def reevaluate_after_withdrawal(
    sender: Any, user: Any, activity: Any, withdrawn_by: Any, **kwargs: Any
) -> None:
    services.withdraw_after_activity(user=user, activity=activity, withdrawn_by=withdrawn_by)


@receiver(certificate_revoked, dispatch_uid="lup_audit_certificate_revoked")
def audit_certificate_revoked(
    sender: Any, certificate: Any, revoked_by: Any, reason: str, **kwargs: Any
) -> None:
    certification.record_revocation(certificate=certificate, revoked_by=revoked_by, reason=reason)


@receiver(participant_completed, dispatch_uid="lup_certificate_for_participant")
def certify_participant(sender: Any, participant: Any, **kwargs: Any) -> None:
    certification.issue_when_committed(participant=participant)


@receiver(unit_completed, dispatch_uid="lup_certificate_for_unit")
def certify_unit(sender: Any, enrolment: Any, **kwargs: Any) -> None:
    certification.issue_when_committed(enrolment=enrolment)
