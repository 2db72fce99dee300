"""Admin for API tokens: administrators create a token for a system and see its secret
once (in a message), and revoke it. Registered from `lup.admin`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Organisation
from ..permissions import member_organisations
from ..reporting.models import ApiToken
from .tokens import create_api_token, revoke_api_token

DEFAULT_LIFETIME = dt.timedelta(days=365)


def _organisations(user: Any) -> QuerySet[Organisation]:
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=member_organisations(user))


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "organisation", "scope", "expires_at"]
        help_texts = {
            "name": _("The system that will use the token, for example “HR (Visma)”."),
            "scope": _(
                "Completion reports: only the completions feed and reports. "
                "Read: everything the organisation's HR may read. "
                "Read and write: also what administrators may change."
            ),
        }

    def clean_expires_at(self) -> dt.datetime:
        expires_at = self.cleaned_data["expires_at"]
        if expires_at <= timezone.now():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return expires_at


class ApiTokenAdmin(admin.ModelAdmin):
    """Create (the secret is shown once), list and revoke tokens; never edit or delete."""

    form = ApiTokenForm
    list_display = [
        "name",
        "organisation",
        "scope",
        "prefix",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["scope", ("organisation", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = [
        "name",
        "organisation",
        "scope",
        "prefix",
        "user",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "created_by",
        "created_at",
    ]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        tokens = super().get_queryset(request).select_related("organisation")
        return tokens.filter(organisation__in=_organisations(request.user))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ApiTokenForm.Meta.fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"expires_at": timezone.now() + DEFAULT_LIFETIME, "scope": ApiToken.Scope.REPORTS}

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = _organisations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a token is never edited: revoke it and create another

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revocation is a state: the record stays

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("lup.change_apitoken"))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        token, secret = create_api_token(
            name=form.cleaned_data["name"],
            organisation=form.cleaned_data["organisation"],
            scope=form.cleaned_data["scope"],
            expires_at=form.cleaned_data["expires_at"],
            created_by=request.user,
        )
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        obj._state.db = token._state.db
        messages.warning(
            request,
            _("The token's secret is shown this once; copy it to the system now: %(secret)s")
            % {"secret": secret},
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for token in queryset:
            revoke_api_token(token=token, revoked_by=request.user)
        messages.success(request, _("Tokens revoked: %(count)d") % {"count": len(queryset)})


admin.site.register(ApiToken, ApiTokenAdmin)
