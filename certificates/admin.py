"""Admin for certificate templates (with a PDF preview of unsaved changes) and issued
certificates (read-only, with a form to revoke one with a reason)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .adapter import get_adapter
from .models import PLACEHOLDERS, Certificate, CertificateTemplate, Signatory


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    fields = ["position", "name", "title", "signature"]


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "language", "version", "updated_at"]
    search_fields = ["name", "key", "title"]
    readonly_fields = ["version"]
    inlines = [SignatoryInline]
    change_form_template = "admin/certificates/certificatetemplate/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "key", "language", "version"]}),
        (_("What it says"), {"fields": ["title", "body", "issuer"]}),
        (_("How it looks"), {"fields": ["orientation", "primary_colour", "accent_colour", "logo"]}),
    ]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "language":
            return forms.ChoiceField(
                label=db_field.verbose_name,
                choices=settings.LANGUAGES,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.save_template(template=obj)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        context["placeholders"] = PLACEHOLDERS
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "add/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_add_preview".format(*info),
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: str | None = None) -> HttpResponse:
        """The PDF as the form now stands, unsaved: posted by the form's "Preview" button."""
        return _preview(self, request, object_id)


def _preview(model_admin: CertificateTemplateAdmin, request: HttpRequest, object_id: Any) -> Any:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    template = None
    if object_id is not None:
        template = model_admin.get_object(request, object_id)
        if template is None:
            raise Http404
        if not model_admin.has_change_permission(request, template):
            raise PermissionDenied
    elif not model_admin.has_add_permission(request):
        raise PermissionDenied
    form_class = model_admin.get_form(request, template, change=template is not None)
    form = form_class(request.POST, request.FILES, instance=template)
    form_valid = form.is_valid()
    unsaved = form.instance if form_valid else CertificateTemplate()
    formsets, _inlines = model_admin._create_formsets(  # type: ignore[attr-defined]
        request, unsaved, change=template is not None
    )
    errors = [] if form_valid else [f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items()]
    signatories = []
    for formset in formsets:
        if not formset.is_valid():
            errors.extend(str(error) for error in formset.errors if error)
            continue
        for signatory_form in formset.forms:
            data = signatory_form.cleaned_data
            if data and not data.get("DELETE") and data.get("name"):
                signatories.append(
                    Signatory(
                        name=data["name"],
                        title=data.get("title", ""),
                        position=data.get("position") or 1,
                        signature=data.get("signature"),
                    )
                )
    if errors:
        return TemplateResponse(
            request,
            "admin/certificates/certificatetemplate/preview_errors.html",
            {
                **model_admin.admin_site.each_context(request),
                "title": _("The preview cannot be shown"),
                "errors": errors,
            },
            status=400,
        )
    signatories.sort(key=lambda signatory: signatory.position)
    pdf = services.preview_pdf(template=unsaved, signatories=signatories)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Recorded in the audit log. The public page only says that it is revoked."),
    )


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["display_code", "recipient_name", "achievement", "issued_on", "status"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "issued_on"]
    search_fields = ["code", "recipient_name", "achievement", "source_key"]
    date_hierarchy = "issued_on"
    exclude = ["pdf"]
    readonly_fields = [
        "display_code",
        "public_id",
        "status",
        "links",
        "recipient",
        "recipient_name",
        "title",
        "body",
        "achievement",
        "issuer",
        "issued_on",
        "language",
        "details",
        "template",
        "template_version",
        "source_key",
        "sha256",
        "issued_at",
        "revoked_at",
        "revocation_reason",
        "revoked_by",
        "name_withheld_at",
    ]
    change_form_template = "admin/certificates/certificate/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("recipient")
        return get_adapter().visible_certificates(request.user, queryset)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # certificates are issued by the programme, never typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # immutable; revoking has its own form

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revocation is a state, not a deletion

    @admin.display(description=_("verification code"), ordering="code")
    def display_code(self, certificate: Certificate) -> str:
        return certificate.display_code

    @admin.display(description=_("status"), ordering="revoked_at")
    def status(self, certificate: Certificate) -> str:
        if certificate.revoked_at:
            return str(_("Revoked"))
        return str(_("Valid"))

    @admin.display(description=_("links"))
    def links(self, certificate: Certificate) -> str:
        if certificate.name_withheld_at is not None:  # its PDF is deleted
            return format_html(
                '<a href="{}">{}</a>',
                reverse("certificates-verify:certificate", kwargs={"code": certificate.code}),
                _("Public verification page"),
            )
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse(
                "certificates:certificate-pdf", kwargs={"certificate_id": certificate.public_id}
            ),
            _("PDF"),
            reverse("certificates-verify:certificate", kwargs={"code": certificate.code}),
            _("Public verification page"),
        )

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="{}_{}_revoke".format(*info),
            ),
            *super().get_urls(),
        ]

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        context["can_revoke"] = request.user.has_perm("certificates.revoke_certificate")
        return super().render_change_form(request, context, *args, **kwargs)

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return _revoke(self, request, object_id)


def _revoke(model_admin: CertificateAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Revoke one certificate with a reason (audited by the host app through a signal)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not object_id.isdigit():
        raise Http404
    certificate = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    if not request.user.has_perm("certificates.revoke_certificate"):
        raise PermissionDenied
    change_url = reverse("admin:certificates_certificate_change", args=[certificate.pk])
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_certificate(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                revoked_by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The certificate is revoked."))
        return HttpResponseRedirect(change_url)
    return TemplateResponse(
        request,
        "admin/certificates/certificate/revoke.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": _("Revoke certificate %(code)s") % {"code": certificate.display_code},
            "certificate": certificate,
            "form": form,
            "opts": model_admin.opts,
            "change_url": change_url,
        },
    )
