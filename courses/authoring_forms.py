"""Forms of the curriculum editor. They parse input; `courses.authoring_services` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import app_settings
from .authoring_services import (
    ActivityContent,
    AssignmentSettings,
    Criterion,
    check_course_image,
    parse_rubric_levels,
)
from .models import Activity, Assignment, Course, H5PPackage, Module

MAX_DESCRIPTION_LENGTH = 10_000


class CourseDetailsForm(forms.Form):
    """The course's title and its description for learners (Markdown)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description (Markdown)"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea,
        help_text=_(
            "Shown to the learners at the top of the course's page. Markdown: # for "
            "headings, * for lists, [text](https://…) for links. HTML is removed."
        ),
    )

    @classmethod
    def initial_for(cls, course: Course) -> dict[str, Any]:
        return {"title": course.title, "description": course.description}

    def clean_title(self) -> str:
        title = str(self.cleaned_data["title"]).strip()
        if not title:
            raise ValidationError(_("Give the course a title."))
        return title


class CourseImageForm(forms.Form):
    """An image for the course's content pages and the text that stands in for it."""

    image = forms.FileField(label=_("Image"))
    alt_text = forms.CharField(
        label=_("Text alternative"),
        max_length=300,
        help_text=_(
            "What the image shows, for those who cannot see it, in a sentence. Required: "
            "an image without it fails the accessibility requirements."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _(
            "A PNG, JPEG, WebP or GIF image, at most %(size)s MB."
        ) % {"size": f"{app_settings.COURSE_IMAGE_MAX_BYTES() / (1024 * 1024):g}"}

    def clean_image(self) -> Any:
        upload = self.cleaned_data["image"]
        check_course_image(upload)  # ValidationError: the field's error
        return upload

    def clean_alt_text(self) -> str:
        alt_text = " ".join(str(self.cleaned_data["alt_text"]).split())
        if not alt_text:
            raise ValidationError(_("Describe what the image shows."))
        return alt_text


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Module.Kind.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    due_days_after_start = forms.IntegerField(
        label=_("Due (days after the learner's start)"),
        required=False,
        min_value=0,
        max_value=3650,
        help_text=_("Leave empty when the module has no due date."),
    )
    prerequisites = forms.ModelMultipleChoiceField(
        label=_("Start after these modules"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, others: QuerySet[Module], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["prerequisites"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = others
        if not others.exists():
            del self.fields["prerequisites"]

    @classmethod
    def initial_for(cls, module: Module) -> dict[str, Any]:
        return {
            "title": module.title,
            "kind": module.kind,
            "summary": module.summary,
            "due_days_after_start": module.due_days_after_start,
            "prerequisites": list(module.prerequisites.values_list("pk", flat=True)),
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "summary": data.get("summary") or "",
            "due_days_after_start": data.get("due_days_after_start"),
            "prerequisites": list(data.get("prerequisites") or ()),
        }


class PackageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        package: H5PPackage = obj
        return f"{package.title} ({package.main_library.title})"


class ActivityForm(forms.Form):
    """An activity's fields for its kind: a content page's Markdown, a link's address, an
    H5P activity's package and completion rule, an assignment's instructions and options
    (its rubric is `CriterionFormSet`)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    required = forms.BooleanField(
        label=_("Required: counts toward completing the course"), required=False
    )
    body = forms.CharField(
        label=_("Content (Markdown)"),
        required=False,
        widget=forms.Textarea,
        help_text=_(
            "Markdown: # for headings, * for lists, [text](https://…) for links. HTML is "
            "removed. Use “Preview” to see the page before you save it."
        ),
    )
    url = forms.URLField(
        label=_("Address (https://…)"),
        max_length=200,
        validators=[URLValidator(schemes=["http", "https"])],
        assume_scheme="https",
    )
    h5p_package = PackageChoiceField(
        label=_("H5P package"),
        queryset=H5PPackage.objects.none(),
        required=False,
        empty_label=_("None yet"),
        help_text=_("One of the uploaded packages. Upload new ones on the H5P upload page."),
    )
    h5p_completion = forms.ChoiceField(
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
    instructions = forms.CharField(
        label=_("Instructions (Markdown)"),
        widget=forms.Textarea,
        help_text=_("What the learners do and hand in. Markdown; HTML is removed."),
    )
    team = forms.BooleanField(
        label=_("Team assignment: the team answers once for all its members"), required=False
    )
    accepts_text = forms.BooleanField(label=_("Accepts a written answer"), required=False)
    accepts_file = forms.BooleanField(label=_("Accepts a file"), required=False)
    due_days_after_start = forms.IntegerField(
        label=_("Due (days after the learner's start)"),
        required=False,
        min_value=0,
        max_value=3650,
    )
    closes_at_due = forms.BooleanField(
        label=_("Refuse answers after the due date (otherwise they are marked late)"),
        required=False,
    )

    FIELDS_BY_KIND: dict[str, list[str]] = {
        Activity.Kind.PAGE: ["title", "required", "body"],
        Activity.Kind.LINK: ["title", "required", "url"],
        Activity.Kind.H5P: [
            "title",
            "required",
            "h5p_package",
            "h5p_completion",
            "min_score_percent",
        ],
        Activity.Kind.ASSIGNMENT: [
            "title",
            "required",
            "instructions",
            "team",
            "accepts_text",
            "accepts_file",
            "due_days_after_start",
            "closes_at_due",
        ],
        Activity.Kind.ATTENDANCE: ["title", "required"],
    }
    # The field whose Markdown "Preview" shows, by kind.
    MARKDOWN_FIELD: dict[str, str] = {
        Activity.Kind.PAGE: "body",
        Activity.Kind.ASSIGNMENT: "instructions",
    }

    def __init__(
        self, *args: Any, kind: str, packages: QuerySet[H5PPackage], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        wanted = self.FIELDS_BY_KIND[kind]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        if "h5p_package" in self.fields:
            field = self.fields["h5p_package"]
            assert isinstance(field, PackageChoiceField)
            field.queryset = packages

    @property
    def markdown_field(self) -> str | None:
        return self.MARKDOWN_FIELD.get(self.kind)

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": activity.title,
            "required": activity.required,
            "body": activity.body,
            "url": activity.url,
            "h5p_package": activity.h5p_package_id,
            "h5p_completion": activity.h5p_completion,
            "min_score_percent": (
                None if activity.h5p_min_score is None else round(activity.h5p_min_score * 100)
            ),
        }
        assignment = Assignment.objects.filter(activity=activity).first()
        if assignment is not None:
            initial.update(
                instructions=assignment.instructions,
                team=assignment.team,
                accepts_text=assignment.accepts_text,
                accepts_file=assignment.accepts_file,
                due_days_after_start=assignment.due_days_after_start,
                closes_at_due=assignment.closes_at_due,
            )
        return initial

    @classmethod
    def initial_new(cls, kind: str) -> dict[str, Any]:
        return {"required": True, "accepts_text": True, "accepts_file": True}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.kind == Activity.Kind.ASSIGNMENT and not (
            data.get("accepts_text") or data.get("accepts_file")
        ):
            self.add_error(
                "accepts_text", _("An assignment must accept a written answer, a file or both.")
            )
        return data

    def content(self, criteria: list[Criterion] | None = None) -> ActivityContent:
        data = self.cleaned_data
        percent = data.get("min_score_percent")
        assignment = None
        if self.kind == Activity.Kind.ASSIGNMENT:
            assignment = AssignmentSettings(
                instructions=data["instructions"],
                team=bool(data.get("team")),
                accepts_text=bool(data.get("accepts_text")),
                accepts_file=bool(data.get("accepts_file")),
                due_days_after_start=data.get("due_days_after_start"),
                closes_at_due=bool(data.get("closes_at_due")),
            )
        return ActivityContent(
            title=data["title"],
            required=bool(data.get("required")),
            body=data.get("body") or "",
            url=data.get("url") or "",
            h5p_package=data.get("h5p_package"),
            h5p_completion=data.get("h5p_completion") or Activity.H5PCompletion.SCORE,
            h5p_min_score=None if percent is None else percent / 100,
            assignment=assignment,
            criteria=criteria,
        )

    def add_service_error(self, error: ValidationError) -> None:
        """A service's refusal next to its field where it names one, else above the form."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class CriterionForm(forms.Form):
    """One rubric criterion: its title and its levels, one a line, lowest first."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Criterion"), max_length=200, required=False)
    levels = forms.CharField(
        label=_("Levels, one a line, lowest first"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    remove = forms.BooleanField(label=_("Remove this criterion"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("remove"):
            return data
        title = (data.get("title") or "").strip()
        levels_text = (data.get("levels") or "").strip()
        if not title and not levels_text:
            return data
        if not title:
            self.add_error("title", _("Give the criterion a title, or leave both fields empty."))
        try:
            data["parsed_levels"] = parse_rubric_levels(levels_text)
        except ValidationError as error:
            self.add_error("levels", error)
        return data

    def criterion(self) -> Criterion | None:
        """The criterion to keep, or None for an empty or removed row."""
        data = self.cleaned_data
        if data.get("remove") or "parsed_levels" not in data:
            return None
        return Criterion(title=data["title"], levels=data["parsed_levels"], pk=data.get("id"))


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, max_num=20, validate_max=True)


def criteria_initial(assignment: Assignment | None) -> list[dict[str, Any]]:
    if assignment is None:
        return []
    return [
        {"id": criterion.pk, "title": criterion.title, "levels": "\n".join(criterion.levels)}
        for criterion in assignment.criteria.all()
    ]


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
