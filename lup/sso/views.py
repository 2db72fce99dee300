"""Pages of a first ID-porten or Ansattporten sign-in: the work e-mail address, then the code
(see `lup.sso.linking`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import linking
from .verification import SsoRejected


class WorkEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your work e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class LinkCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the e-mail"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has six digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


def _expired(request: HttpRequest) -> HttpResponse:
    messages.warning(request, _("Your sign-in has expired. Please sign in again."))
    return redirect("account_login")


@never_cache
@require_http_methods(["GET", "POST"])
def link_email(request: HttpRequest) -> HttpResponse:
    """Ask for the work e-mail address the municipality registered the person with."""
    link = linking.pending(request)
    if link is None:
        return _expired(request)
    form = WorkEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            linking.send_code(request, form.cleaned_data["email"])
        except linking.LinkRefused as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("lup:sso-link-code")
    return render(request, "lup/sso/link_email.html", {"form": form, "service": link.provider_name})


@never_cache
@require_http_methods(["GET", "POST"])
def link_code(request: HttpRequest) -> HttpResponse:
    """Take the code sent to the address; the right one links and signs the person in."""
    link = linking.pending(request)
    sent_to = linking.code_sent_to(request)
    if link is None:
        return _expired(request)
    if sent_to is None:
        return redirect("lup:sso-link")
    form = LinkCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            return linking.confirm_code(request, form.cleaned_data["code"])
        except linking.LinkRefused as refused:
            form.add_error("code", refused.message)
        except SsoRejected as rejected:
            return render(
                request,
                "socialaccount/authentication_error.html",
                {"lup_sso_message": rejected.message},
                status=403,
            )
    return render(
        request,
        "lup/sso/link_code.html",
        {"form": form, "service": link.provider_name, "sent_to": sent_to},
    )
