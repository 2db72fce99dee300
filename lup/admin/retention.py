"""Retention periods in the admin: a staff member sees and sets only their organisations'
(superusers every one's), and every save goes through the same service as the retention
page, so it is audited with the old and new months."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from ..permissions import may_set_retention
from ..privacy.models import RetentionPeriod
from ..privacy.services_retention import set_retention_periods
from ..scoping import retention_organisations_for


class RetentionPeriodForm(ModelForm):
    """The model's checks (1 to 240 months, one row per category) plus the organisation
    being one the staff member administers."""

    class Meta:
        model = RetentionPeriod
        fields = ["organisation", "category", "months"]


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(admin.ModelAdmin):
    form = RetentionPeriodForm
    list_display = ["organisation", "category", "months", "updated_at", "updated_by"]
    list_filter = ["category"]
    list_select_related = ["organisation", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RetentionPeriod]:
        return (
            super()
            .get_queryset(request)
            .filter(organisation__in=retention_organisations_for(request.user))
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = retention_organisations_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A row names one organisation's category: change its months, or delete it to go
        # back to the default.
        if obj is not None:
            return [*self.readonly_fields, "organisation", "category"]
        return self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_set_retention(request.user, obj.organisation))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_set_retention(request.user, obj.organisation))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The form has already refused what the service would (range, unique category).
        set_retention_periods(
            organisation=obj.organisation, periods={obj.category: obj.months}, actor=request.user
        )
        saved = RetentionPeriod.objects.get(organisation=obj.organisation, category=obj.category)
        obj.pk, obj.updated_at, obj.updated_by = saved.pk, saved.updated_at, saved.updated_by

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        set_retention_periods(
            organisation=obj.organisation, periods={obj.category: None}, actor=request.user
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for row in queryset.select_related("organisation"):
            self.delete_model(request, row)
