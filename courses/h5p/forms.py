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
    completion = forms.ChoiceField(
        label=_("The activity is completed"),
        choices=Activity.H5PCompletion.choices,
        widget=forms.RadioSelect,
    )
    min_score_percent = forms.IntegerField(
        label=_("Minimum score, in per cent (optional)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_(
            "Only for “when the learner's score reaches the minimum”. Empty: any answered "
            "attempt with a score above zero."
        ),
    )

    def __init__(self, *args: Any, activities: Any, suggested: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["activity"]
        assert isinstance(field, ActivityChoiceField)
        field.queryset = activities
        self.fields["completion"].initial = suggested

    def min_score(self) -> float | None:
        """The minimum scaled score (0–1) chosen, or None."""
        percent = self.cleaned_data.get("min_score_percent")
        return None if percent is None else percent / 100
