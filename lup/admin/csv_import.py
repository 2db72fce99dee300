"""The admin's CSV import pages, running one of `lup.imports`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from .. import imports
from .scoping import ADMIN_SCOPES, scoped


class CsvImportAdminMixin:
    """Adds an “Import CSV” page to a model's admin that runs one of `lup.imports`."""

    import_form_class: type
    import_title = _("Import from CSV")

    def run_import(self, form: Any) -> imports.ImportResult:
        raise NotImplementedError

    def get_urls(self) -> list[URLPattern]:
        info = self.model._meta.app_label, self.model._meta.model_name  # type: ignore[attr-defined]
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),  # type: ignore[attr-defined]
                name="{}_{}_import".format(*info),
            )
        ]
        return extra + super().get_urls()  # type: ignore[misc]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        errors: list[imports.RowError] = []
        form = self.import_form_class(request.POST or None, request.FILES or None)
        for field in form.fields.values():
            model = getattr(getattr(field, "queryset", None), "model", None)
            if model in ADMIN_SCOPES:
                field.queryset = scoped(model, request.user)
        if request.method == "POST" and form.is_valid():
            try:
                result = self.run_import(form)
            except imports.ImportRejected as rejected:
                errors = rejected.errors
            else:
                messages.success(request, _("Import finished: %(result)s") % {"result": result})
                opts = self.model._meta  # type: ignore[attr-defined]
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "title": self.import_title,
            "form": form,
            "row_errors": errors,
        }
        return TemplateResponse(request, "admin/lup/csv_import.html", context)
