"""`{% load courses_markup %}{{ text|markdown }}`: course content as sanitised HTML."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from courses.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """Render Markdown; the result passed nh3's allow-list, so it is safe to show."""
    return mark_safe(render_markdown(str(text or "")))  # noqa: S308  (sanitised by nh3)
