"""Pagination: numbered pages for lists, a cursor for the feeds systems sync from.

A malformed page number or cursor is the caller's mistake: 400 with a message under the
parameter's name (DRF's own classes answer 404 for both).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import InvalidPage, PageNotAnInteger
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M` (at most 500 a page, 100 by default)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except PageNotAnInteger as error:
            raise ValidationError(
                {self.page_query_param: [_("A page number is a whole number from 1.")]}
            ) from error
        except InvalidPage as error:
            raise NotFound(_("There is no page %(page)s.") % {"page": page_number}) from error
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        self.request = request
        return list(self.page)

    def get_page_size(self, request: Any) -> int:
        return _page_size(request, self)


class FeedCursorPagination(pagination.CursorPagination):
    """Pages of a feed in the order (updated_at, id): follow `next` until it is null,
    then keep the last `updated_at` for the next sync's `updated_since`."""

    ordering = ("updated_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request: Any) -> Any:
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise self._invalid() from error
        # The position is an updated_at value: anything else would fail in the database.
        if cursor is not None and cursor.position is not None:
            try:
                valid = parse_datetime(cursor.position) is not None
            except ValueError:
                valid = False
            if not valid:
                raise self._invalid()
        return cursor

    def _invalid(self) -> ValidationError:
        return ValidationError(
            {self.cursor_query_param: [_("Invalid cursor: use the `next` link as given.")]}
        )

    def get_page_size(self, request: Any) -> int:
        return _page_size(request, self)


def _page_size(request: Any, paginator: Any) -> int:
    """`page_size` from the query, or the paginator's default; out of range is a 400."""
    raw = request.query_params.get(paginator.page_size_query_param)
    if raw is None:
        return int(paginator.page_size)
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= paginator.max_page_size:
        raise ValidationError(
            {
                paginator.page_size_query_param: [
                    _("A page size is a whole number from 1 to %(max)d.")
                    % {"max": paginator.max_page_size}
                ]
            }
        )
    return int(raw)
