"""The attendance sheet of a gathering: the cohort's current participants by unit, and
who is marked present."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Attendance, Gathering, Participant, UnitEnrolment


@dataclass(frozen=True)
class AttendanceEntry:
    participant: Participant
    attendance: Attendance | None

    @property
    def checked_in(self) -> bool:
        return self.attendance is not None and self.attendance.method == Attendance.Method.CHECK_IN


@dataclass(frozen=True)
class AttendanceGroup:
    enrolment: UnitEnrolment
    entries: list[AttendanceEntry]


@dataclass(frozen=True)
class AttendanceSheet:
    """The cohort's current participants by unit, and who is marked present: two queries."""

    gathering: Gathering
    groups: list[AttendanceGroup]
    participants: list[Participant]
    present: dict[int, Attendance]

    @property
    def present_count(self) -> int:
        return sum(1 for participant in self.participants if participant.pk in self.present)


def attendance_sheet(gathering: Gathering) -> AttendanceSheet:
    """The sheet of a gathering: its cohort's current participants (of units not withdrawn),
    unit by unit, managers first, each with their attendance if any."""
    participants = list(
        Participant.objects.current()
        .filter(enrolment__cohort_id=gathering.cohort_id)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("user", "enrolment__unit")
        .order_by(
            "enrolment__unit__name", "enrolment_id", "-role", "user__first_name", "user__last_name"
        )
    )
    present = {
        attendance.participant_id: attendance
        for attendance in Attendance.objects.filter(gathering_id=gathering.pk)
    }
    groups: list[AttendanceGroup] = []
    for participant in participants:
        if not groups or groups[-1].enrolment.pk != participant.enrolment_id:
            groups.append(AttendanceGroup(enrolment=participant.enrolment, entries=[]))
        groups[-1].entries.append(AttendanceEntry(participant, present.get(participant.pk)))
    return AttendanceSheet(
        gathering=gathering, groups=groups, participants=participants, present=present
    )


def shown_groups(
    sheet: AttendanceSheet, *, text: str = "", enrolment_id: int | None = None
) -> list[AttendanceGroup]:
    """The sheet's groups a facilitator narrowed down on a phone: one unit (`enrolment_id`)
    and people whose name or e-mail contains `text` (case-insensitive). Only what is shown
    is on the form, so saving never touches the marks of people filtered out."""
    needle = text.strip().casefold()

    def matches(entry: AttendanceEntry) -> bool:
        user = entry.participant.user
        return not needle or needle in f"{user.get_full_name()} {user.email}".casefold()

    groups = []
    for group in sheet.groups:
        if enrolment_id is not None and group.enrolment.pk != enrolment_id:
            continue
        entries = [entry for entry in group.entries if matches(entry)]
        if entries:
            groups.append(AttendanceGroup(enrolment=group.enrolment, entries=entries))
    return groups
