"""Which organisation an organisation-wide privacy page is about: the only one the person
administers, or the one chosen with `?organisation=<slug>` among theirs."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse

from ..models import Organisation


def chosen_organisation(
    request: HttpRequest, organisations: Sequence[Organisation]
) -> Organisation | None:
    """The organisation the page shows; None when the person must choose first. One
    outside `organisations` (another municipality's) answers 404, as if it did not exist."""
    chosen = request.GET.get("organisation", "")
    if chosen:
        organisation = next((org for org in organisations if org.slug == chosen), None)
        if organisation is None:
            raise Http404
        return organisation
    if len(organisations) == 1:
        return organisations[0]
    return None


def back_to(
    url_name: str, organisation: Organisation, organisations: Sequence[Organisation]
) -> HttpResponseRedirect:
    """Back to the page after saving: with `?organisation=` only when the person had to
    choose (they administer more than one)."""
    url = reverse(url_name)
    if len(organisations) > 1:
        url += f"?organisation={organisation.slug}"
    return HttpResponseRedirect(url)
