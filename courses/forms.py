"""Forms of the learner and reviewer pages. They parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import app_settings
from .models import Assignment, RubricCriterion

# The service's file errors are about the file; every other refusal is about the answer.
FILE_ERROR_CODES = {"file_type", "file_size", "file_content"}


class SubmissionForm(forms.Form):
    """A text answer and/or a file, as far as the assignment takes them."""

    text = forms.CharField(label=_("Write your answer"), required=False, widget=forms.Textarea)
    file = forms.FileField(label=_("File"), required=False)

    def __init__(self, *args: Any, assignment: Assignment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        if not assignment.accepts_text:
            del self.fields["text"]
        if not assignment.accepts_file:
            del self.fields["file"]

    @property
    def accepted_types(self) -> list[str]:
        """File name endings the service accepts, for the hint and the file picker."""
        return sorted(app_settings.SUBMISSION_FILE_TYPES())

    @property
    def max_megabytes(self) -> int:
        return app_settings.SUBMISSION_MAX_BYTES() // (1024 * 1024)

    def add_service_error(self, error: ValidationError) -> None:
        """Show a refusal of `submit_assignment` next to the field it concerns."""
        field = "file" if "file" in self.fields and error.code in FILE_ERROR_CODES else None
        self.add_error(field, error)


class ReviewForm(forms.Form):
    """Approve a waiting answer, or return it with feedback; a level per rubric criterion."""

    APPROVE = "approve"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (RETURN, _("Return for revision"))],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label=_("Feedback"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Required when you return the answer: tell the learners what to improve."),
    )

    def __init__(self, *args: Any, criteria: list[RubricCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[self.criterion_field(criterion)] = forms.ChoiceField(
                label=criterion.title,
                choices=[(level, level) for level in criterion.levels],
                widget=forms.RadioSelect,
                required=False,
            )

    @staticmethod
    def criterion_field(criterion: RubricCriterion) -> str:
        return f"criterion_{criterion.pk}"

    @property
    def criterion_fields(self) -> list[forms.BoundField]:
        return [self[self.criterion_field(criterion)] for criterion in self.criteria]

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE

    @property
    def rubric_levels(self) -> dict[str, str]:
        return {
            str(criterion.pk): self.cleaned_data[self.criterion_field(criterion)]
            for criterion in self.criteria
            if self.cleaned_data.get(self.criterion_field(criterion))
        }

    def add_service_error(self, error: ValidationError) -> None:
        """Feedback missing goes next to the feedback; anything else above the form."""
        if not self.approve and not self.cleaned_data.get("feedback", "").strip():
            self.add_error("feedback", error)
        else:
            self.add_error(None, error)
