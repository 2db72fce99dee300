"""Checking a programme's completions on request: the dashboard's "Check completions now".

The check itself runs as a task (`lup.tasks.recheck_programme`; inline with eager Celery);
the dashboard shows the latest check (`lup/includes/completion_check.html`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import permissions, scoping
from .models import CompletionCheck
from .tasks import start_completion_check


@require_POST
@login_required
@permission_required(permissions.CHECK_COMPLETIONS_PERMISSION, raise_exception=True)
def check_completions(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a completion check of the programme (its administrators), back to the
    dashboard. A check already under way is not started twice."""
    programme = get_object_or_404(scoping.programmes_for(request.user), slug=slug)
    if not permissions.can_check_completions(request.user, programme):
        raise PermissionDenied
    _check, created = start_completion_check(
        programme, reason=CompletionCheck.Reason.REQUESTED, requested_by=request.user
    )
    if created:
        messages.success(request, _("A completion check has started."))
    else:
        messages.info(request, _("A completion check is already under way."))
    return redirect("lup:dashboard", slug=programme.slug)
