"""The settings pages: a programme's settings and completion rule (with a preview before
saving), the organisation's API tokens, and the certificate templates with a PDF preview.

Each page refuses (403) those without the role's permission before it looks anything up,
answers 404 for a programme or organisation outside the person's own, and asks the
predicate in `lup.permissions` for the object itself (403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from certificates.api import (
    MAX_SIGNATORIES,
    PLACEHOLDERS,
    CertificateTemplate,
    Signatory,
    preview_pdf,
    signatories_of,
)

from .. import permissions, scoping
from ..api.tokens import create_api_token, revoke_api_token
from ..certification.contents import (
    LANGUAGE_VARIANTS,
    PARTICIPANT_TEMPLATE_KEY,
    UNIT_TEMPLATE_KEY,
    template_for,
    template_key,
)
from ..models import Organisation, Programme
from ..reporting.models import ApiToken
from . import selectors, services, signatory_services
from .forms import (
    ApiTokenForm,
    CertificateTemplateForm,
    ProgrammeSettingsForm,
    SignatoryForm,
    SignatoryMoveForm,
    language_name,
)


def _refuse_unless(request: HttpRequest, permission: str) -> None:
    user: Any = request.user
    if not (user.is_superuser or user.has_perm(permission)):
        raise PermissionDenied


def _programme(request: HttpRequest, slug: str) -> Programme:
    return get_object_or_404(
        scoping.programmes_for(request.user).select_related("organisation"), slug=slug
    )


def _nav(request: HttpRequest, programme: Programme) -> dict[str, bool]:
    """Which of the settings pages the person may open (the pages' shared navigation)."""
    user = request.user
    return {
        "settings": permissions.can_change_programme(user, programme),
        "tokens": permissions.can_manage_api_tokens(user, programme.organisation_id),
        "templates": permissions.can_preview_certificate_templates(user, programme),
    }


# The programme's settings and completion rule ---------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def programme_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Change the target, deadline, population and completion rule. "Preview" shows what
    the changed rule would complete today and saves nothing; "Save" applies it."""
    _refuse_unless(request, permissions.CHANGE_PROGRAMME_PERMISSION)
    programme = _programme(request, slug)
    if not permissions.can_change_programme(request.user, programme):
        raise PermissionDenied
    current = selectors.current_candidate(programme)
    form = ProgrammeSettingsForm(
        request.POST if request.method == "POST" else None, programme=programme, current=current
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        if "save" not in request.POST:
            preview = selectors.preview_rule_change(programme, form.rule(), current=current)
        else:
            try:
                change = services.change_programme_settings(
                    programme=programme, actor=request.user, wanted=form.settings()
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                if not change:
                    messages.info(request, _("Nothing changed."))
                elif change.rule_changed:
                    messages.success(
                        request,
                        _(
                            "The settings are saved. A completion check has started: it "
                            "completes units that now meet the rule and takes no completion "
                            "back."
                        ),
                    )
                else:
                    messages.success(request, _("The settings are saved."))
                return redirect("lup:programme-settings", slug=programme.slug)
    return render(
        request,
        "lup/setup/programme_settings.html",
        {
            "programme": programme,
            "form": form,
            "preview": preview,
            "current": current,
            "nav": _nav(request, programme),
            "active": "settings",
        },
    )


# API tokens ---------------------------------------------------------------------------------


def _token_organisation(request: HttpRequest, slug: str) -> Organisation:
    _refuse_unless(request, permissions.API_TOKEN_PERMISSION)
    organisation = get_object_or_404(selectors.administered_organisations(request.user), slug=slug)
    if not permissions.can_manage_api_tokens(request.user, organisation.pk):
        raise PermissionDenied
    return organisation


@require_http_methods(["GET", "POST"])
@login_required
def api_tokens(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's API tokens (never their secrets), and a new one: its secret is
    shown on the answer to the form, this once, and stored nowhere."""
    organisation = _token_organisation(request, slug)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = create_api_token(
                name=form.cleaned_data["name"],
                organisation=organisation,
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
                created_by=request.user,
            )
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            form = ApiTokenForm()
    programme = organisation.programmes.order_by("pk").first()
    return render(
        request,
        "lup/setup/api_tokens.html",
        {
            "organisation": organisation,
            "programme": programme,
            "nav": _nav(request, programme) if programme is not None else {},
            "active": "tokens",
            "tokens": selectors.tokens_of(organisation),
            "form": form,
            "created": created,
            "secret": secret,
        },
    )


@require_POST
@login_required
def api_token_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Revoke one of the organisation's tokens for good (audited; twice does nothing)."""
    organisation = _token_organisation(request, slug)
    token = get_object_or_404(ApiToken.objects.filter(organisation=organisation), pk=pk)
    was_revoked = token.revoked_at is not None
    revoke_api_token(token=token, revoked_by=request.user)
    if was_revoked:
        messages.info(
            request, _("The token “%(name)s” was already revoked.") % {"name": token.name}
        )
    else:
        messages.success(
            request,
            _("The token “%(name)s” is revoked: systems using it are refused from now on.")
            % {"name": token.name},
        )
    return redirect("lup:api-tokens", slug=organisation.slug)


# Certificate templates ----------------------------------------------------------------------

KINDS = {
    PARTICIPANT_TEMPLATE_KEY: gettext_lazy("Participants"),
    UNIT_TEMPLATE_KEY: gettext_lazy("Service units"),
}


def _template_variants() -> dict[str, tuple[str, str]]:
    """Every template key LUP issues from: key -> (kind, language)."""
    variants = {}
    for kind in KINDS:
        variants[kind] = (kind, "nb")
        for language in LANGUAGE_VARIANTS:
            variants[template_key(kind, language)] = (kind, language)
    return variants


def _templates_programme(request: HttpRequest, slug: str) -> Programme:
    _refuse_unless(request, permissions.CERTIFICATE_TEMPLATE_PERMISSION)
    programme = _programme(request, slug)
    if not permissions.can_preview_certificate_templates(request.user, programme):
        raise PermissionDenied
    return programme


def _template(key: str) -> CertificateTemplate:
    """The template of one of LUP's keys (created from LUP's default text when missing,
    as issuing would); another key is not found."""
    variants = _template_variants()
    if key not in variants:
        raise Http404
    kind, language = variants[key]
    return template_for(kind, None if language == "nb" else language)


@require_http_methods(["GET"])
@login_required
def certificate_templates(request: HttpRequest, slug: str) -> HttpResponse:
    """The templates the programme's certificates are issued from, by kind and language."""
    programme = _templates_programme(request, slug)
    variants = _template_variants()
    existing = {
        template.key: template
        for template in CertificateTemplate.objects.filter(key__in=list(variants))
    }
    rows = [
        {
            "key": key,
            "kind": KINDS[kind],
            "language": language_name(language),
            "template": existing.get(key),
        }
        for key, (kind, language) in variants.items()
    ]
    return render(
        request,
        "lup/setup/certificate_templates.html",
        {
            "programme": programme,
            "rows": rows,
            "can_edit": permissions.can_edit_certificate_templates(request.user, programme),
            "nav": _nav(request, programme),
            "active": "templates",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def certificate_template_edit(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Change a template (its administrators, when it is theirs to change)."""
    programme = _templates_programme(request, slug)
    template = _template(key)
    can_edit = permissions.can_edit_certificate_templates(request.user, programme)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = CertificateTemplateForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=CertificateTemplate.objects.get(pk=template.pk),  # a copy the form may change
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.change_certificate_template(
                template=template,
                values=form.cleaned_data,
                actor=request.user,
                organisation_id=programme.organisation_id,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            if changed:
                messages.success(
                    request,
                    _("The template is saved. Certificates issued from now on use it."),
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("lup:certificate-templates", slug=programme.slug)
    return render(
        request,
        "lup/setup/certificate_template_edit.html",
        {
            "programme": programme,
            "template": template,
            "form": form,
            "can_edit": can_edit,
            "placeholders": PLACEHOLDERS,
            "signatories": signatories_of(template),
            "max_signatories": MAX_SIGNATORIES,
            "nav": _nav(request, programme),
            "active": "templates",
        },
    )


@require_POST
@login_required
def certificate_template_preview(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """The template as the form now stands, unsaved, as a PDF with made-up values."""
    programme = _templates_programme(request, slug)
    template = _template(key)
    unsaved = CertificateTemplate.objects.get(pk=template.pk)
    form = CertificateTemplateForm(request.POST, request.FILES, instance=unsaved)
    if not form.is_valid():
        return render(
            request,
            "lup/setup/certificate_template_edit.html",
            {
                "programme": programme,
                "template": template,
                "form": form,
                "can_edit": permissions.can_edit_certificate_templates(request.user, programme),
                "placeholders": PLACEHOLDERS,
                "signatories": signatories_of(template),
                "max_signatories": MAX_SIGNATORIES,
                "nav": _nav(request, programme),
                "active": "templates",
            },
            status=400,
        )
    response = HttpResponse(preview_pdf(template=form.instance), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response


# A template's signatories -------------------------------------------------------------------


def _editable_template(
    request: HttpRequest, slug: str, key: str
) -> tuple[Programme, CertificateTemplate]:
    """The programme and one of LUP's templates, for those who may change it: 403 for those
    who may only read it (before the template is looked up), 404 for an unknown key."""
    programme = _templates_programme(request, slug)
    if not permissions.can_edit_certificate_templates(request.user, programme):
        raise PermissionDenied
    return programme, _template(key)


def _signatory(template: CertificateTemplate, pk: int) -> Signatory:
    """A signatory of this template; another template's is not found."""
    return get_object_or_404(
        Signatory.objects.select_related("template"), template_id=template.pk, pk=pk
    )


def _signatories_url(programme: Programme, template: CertificateTemplate) -> str:
    url = reverse(
        "lup:certificate-template-edit", kwargs={"slug": programme.slug, "key": template.key}
    )
    return f"{url}#signatories"


def _add_errors(form: SignatoryForm, error: ValidationError) -> None:
    """A service's refusal next to its field where it names one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


def _signatory_page(
    request: HttpRequest,
    programme: Programme,
    template: CertificateTemplate,
    form: SignatoryForm,
    signatory: Signatory | None,
) -> HttpResponse:
    return render(
        request,
        "lup/setup/certificate_signatory_form.html",
        {
            "programme": programme,
            "template": template,
            "signatory": signatory,
            "form": form,
            "nav": _nav(request, programme),
            "active": "templates",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def certificate_signatory_add(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Add a signatory (name, title, optional signature image) after the template's others."""
    programme, template = _editable_template(request, slug, key)
    form = SignatoryForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            signatory = signatory_services.add_certificate_signatory(
                template=template,
                name=form.cleaned_data["name"],
                title=form.cleaned_data["title"],
                signature=form.cleaned_data["signature"],
                actor=request.user,
                organisation_id=programme.organisation_id,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is added as a signatory. Certificates issued from now on show it.")
                % {"name": signatory.name},
            )
            return redirect(_signatories_url(programme, template))
    return _signatory_page(request, programme, template, form, None)


@require_http_methods(["GET", "POST"])
@login_required
def certificate_signatory_edit(request: HttpRequest, slug: str, key: str, pk: int) -> HttpResponse:
    """Change a signatory's name, title or signature image."""
    programme, template = _editable_template(request, slug, key)
    signatory = _signatory(template, pk)
    form = SignatoryForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        signatory=signatory,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = signatory_services.change_certificate_signatory(
                signatory=signatory,
                name=form.cleaned_data["name"],
                title=form.cleaned_data["title"],
                signature=form.cleaned_data["signature"],
                remove_signature=bool(form.cleaned_data.get("remove_signature")),
                actor=request.user,
                organisation_id=programme.organisation_id,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if changed:
                messages.success(request, _("The signatory is saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect(_signatories_url(programme, template))
    return _signatory_page(request, programme, template, form, signatory)


@require_POST
@login_required
def certificate_signatory_move(request: HttpRequest, slug: str, key: str, pk: int) -> HttpResponse:
    """Move a signatory one place left (up) or right (down) on the certificate."""
    programme, template = _editable_template(request, slug, key)
    signatory = _signatory(template, pk)
    form = SignatoryMoveForm(request.POST)
    if form.is_valid():
        signatory_services.move_certificate_signatory(
            signatory=signatory,
            direction=form.cleaned_data["direction"],
            actor=request.user,
            organisation_id=programme.organisation_id,
        )
    return redirect(_signatories_url(programme, template))


@require_http_methods(["GET", "POST"])
@login_required
def certificate_signatory_delete(
    request: HttpRequest, slug: str, key: str, pk: int
) -> HttpResponse:
    """Ask, then remove a signatory (certificates already issued keep theirs)."""
    programme, template = _editable_template(request, slug, key)
    signatory = _signatory(template, pk)
    if request.method == "POST":
        signatory_services.remove_certificate_signatory(
            signatory=signatory, actor=request.user, organisation_id=programme.organisation_id
        )
        messages.success(
            request,
            _("%(name)s is no longer a signatory. Certificates already issued keep it.")
            % {"name": signatory.name},
        )
        return redirect(_signatories_url(programme, template))
    return render(
        request,
        "lup/setup/certificate_signatory_delete.html",
        {
            "programme": programme,
            "template": template,
            "signatory": signatory,
            "nav": _nav(request, programme),
            "active": "templates",
        },
    )
