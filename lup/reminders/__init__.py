"""Reminders: due dates, attendance not recorded and answers waiting for review, each told
once per person and thing through lup.notifications, by a daily Celery beat task."""
