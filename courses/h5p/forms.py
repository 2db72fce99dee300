"""Forms of the H5P upload page. They parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Activity


class PackageUploadForm(forms.Form):
    file = forms.FileField(label=_("H5P file (.h5p)"))
    title = forms.CharField(
        label=_("Title (optional)"),
        required=False,
        max_length=255,
        help_text=_("Leave empty to use the title in the package."),
    )


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        activity: Activity = obj
        label = f"{activity.module.course.title} – {activity.module.title} – {activity.title}"
        if activity.h5p_package_id:
            label += " " + str(_("(replaces “%(title)s”)") % {"title": activity.h5p_package})
        return label


class AttachForm(forms.Form):
    activity = ActivityChoiceField(
        label=_("H5P activity"), queryset=Activity.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, activities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["activity"]
        assert isinstance(field, ActivityChoiceField)
        field.queryset = activities
