"""Signals that `courses` sends upward; apps above it connect in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent once when a user first completes an activity: kwargs `user` and `activity`.
activity_completed = Signal()
