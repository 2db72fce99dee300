"""Changes of role data (groups, role flags, facilitators, organisation memberships):
audited, and scheduled exports whose owner may no longer run them stopped at once."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from ..audit import record_event
from ..models import AuditEvent, Cohort, OrganisationMembership
from ..reporting.services import review_schedule_owners

ROLE_FLAGS = ("is_superuser", "is_staff", "is_active")


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
    # Scheduled exports stop at once when their owner may no longer run them (they would
    # stop at their next run anyway: lup.reporting.safeguards).
    m2m_changed.connect(
        stop_schedules_after_group_change,
        sender=user_model.groups.through,
        dispatch_uid="lup_schedules_groups",
    )
    m2m_changed.connect(
        stop_schedules_after_group_permissions,
        sender=Group.permissions.through,
        dispatch_uid="lup_schedules_group_permissions",
    )
    post_save.connect(
        stop_schedules_after_role_flags, sender=user_model, dispatch_uid="lup_schedules_flags"
    )
    pre_delete.connect(note_account_deletion, sender=user_model, dispatch_uid="lup_deleting")
    post_delete.connect(
        stop_schedules_after_account_deleted, sender=user_model, dispatch_uid="lup_deleted"
    )


def audit_group_change(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"} or (
        not pk_set and action != "pre_clear"
    ):
        return
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
    instance._lup_role_flags_changed = bool(changed)
    if changed:
        record_event(action=AuditEvent.Action.ROLE_CHANGED, subject=instance, **changed)


def stop_schedules_after_group_change(
    sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any
) -> None:
    if action in {"post_remove", "post_clear"}:
        review_schedule_owners(owner=None if reverse else instance)


def stop_schedules_after_group_permissions(sender: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_remove", "post_clear"}:
        review_schedule_owners()


def stop_schedules_after_role_flags(sender: Any, instance: Any, **kwargs: Any) -> None:
    if getattr(instance, "_lup_role_flags_changed", False):
        review_schedule_owners(owner=instance)


# Accounts being deleted in this context: their memberships go first (by cascade), and an
# audit event about them must not point at a row that is about to disappear.
_accounts_being_deleted: ContextVar[frozenset[int]] = ContextVar(
    "lup_accounts_being_deleted", default=frozenset()
)


def note_account_deletion(sender: Any, instance: Any, **kwargs: Any) -> None:
    _accounts_being_deleted.set(_accounts_being_deleted.get() | {instance.pk})


def stop_schedules_after_account_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _accounts_being_deleted.set(_accounts_being_deleted.get() - {instance.pk})
    review_schedule_owners()


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
    if instance.user_id in _accounts_being_deleted.get():
        record_event(
            action=AuditEvent.Action.ROLE_CHANGED,
            subject_label=str(instance.user),
            change="post_remove",
            member_of=instance.organisation.name,
            organisation_id=instance.organisation_id,
        )
        return
    record_event(
        action=AuditEvent.Action.ROLE_CHANGED,
        subject=instance.user,
        change="post_remove",
        member_of=instance.organisation.name,
    )
    review_schedule_owners(owner=instance.user)
