"""Announcements: facilitators and the office write to a cohort, a team or all units of a
programme; shown in the product and sent through lup.notifications."""
