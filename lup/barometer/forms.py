"""The barometer's question set editor: one form per question (its text; a number's range;
removing it), a formset per question of its options or rated items (change, remove, add),
and a form to add a question. `QuestionSetEditor` holds them and builds the edited schema;
`services.revise_question_set` checks it and publishes it as a new version.

Keys never change: an existing question or option keeps its key (answers refer to it), and
a new one gets a key made from its text, unlike every key the programme ever used for it.

Texts of the default set are msgids, shown through gettext. The editor shows each text in
the reader's language and stores a text only when the administrator changed it: a field
that still holds the text as shown keeps the msgid, so its translations keep working.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from ..forms import DesignsystemetForm
from .questions import INNOVATIVE_KEY, RATING_MAX, RATING_MIN

MAX_TEXT = 300
MAX_ENTRIES = 40  # options or items of one question
# The answers' parser (questions.clean_answers) reads whole numbers of up to six digits.
NUMBER_LIMIT = 999_999
ENTRY_TYPES = ("choice", "choices", "ratings")
KEY_LENGTH = 30

TYPE_LABELS: dict[str, Any] = {
    "yes_no": _("Yes or no"),
    "number": _("A whole number"),
    "choice": _("One of several options"),
    "choices": _("Any of several options"),
    "ratings": _("Rate each item from 1 to 6"),
}


def entries_key(kind: str) -> str:
    """Where a question of this type keeps its options (`items` for ratings)."""
    return "items" if kind == "ratings" else "options"


def plain(text: Any) -> str:
    """The text on one line, without extra spaces (as it is stored)."""
    return " ".join(str(text or "").split())


def shown(text: str) -> str:
    """A stored text in the reader's language: a msgid of the default set translated, a
    text an administrator wrote as it was written."""
    # gettext("") would be the catalogue's header.
    return gettext(text) if text else ""


def kept_or_written(stored: str, posted: str) -> str:
    """What to store for a text field: the stored text (a msgid stays one) while the field
    holds it as shown or as stored; otherwise what the administrator wrote."""
    if plain(posted) in (plain(stored), plain(shown(stored))):
        return stored
    return plain(posted)


_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def derive_key(text: str, taken: set[str], fallback: str) -> str:
    """A short key from the text (`questions.KEY_PATTERN`), unlike any in `taken` (which
    gets it): "Time saved" → "time_saved", then "time_saved_2"."""
    base = slugify(text.translate(_LETTERS)).replace("-", "_")[:KEY_LENGTH].strip("_")
    if not base or not base[0].isalpha():
        base = f"{fallback}_{base}"[:KEY_LENGTH].strip("_")
    key, number = base, 2
    while key in taken:
        key = f"{base}_{number}"
        number += 1
    taken.add(key)
    return key


def _mark_invalid(form: forms.Form, name: str) -> None:
    """Ties an error added after validation to its input, as DesignsystemetForm does."""
    widget = form.fields[name].widget
    widget.attrs["aria-invalid"] = "true"
    error_id = f"{form[name].auto_id}_error"
    described = widget.attrs.get("aria-describedby", "").split()
    if error_id not in described:
        widget.attrs["aria-describedby"] = " ".join([*described, error_id])


def _refuse(form: forms.Form, name: str, message: str) -> None:
    form.add_error(name, message)
    _mark_invalid(form, name)


class QuestionForm(DesignsystemetForm):
    """An existing question: its text, a number's lowest and highest answer, and whether to
    remove it (never the question that defines an innovative unit)."""

    text = forms.CharField(
        label=_("Text of the question"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    min = forms.IntegerField(
        label=_("Lowest number allowed"),
        min_value=-NUMBER_LIMIT,
        max_value=NUMBER_LIMIT,
        error_messages={"required": _("Give the lowest number allowed.")},
    )
    max = forms.IntegerField(
        label=_("Highest number allowed"),
        min_value=-NUMBER_LIMIT,
        max_value=NUMBER_LIMIT,
        error_messages={"required": _("Give the highest number allowed.")},
    )
    remove = forms.BooleanField(label=_("Remove this question"), required=False)

    def __init__(self, data: Any = None, *, question: Mapping[str, Any]) -> None:
        self.question = question
        super().__init__(
            data,
            prefix=f"q-{question['key']}",
            initial={
                "text": shown(question["text"]),
                "min": question.get("min"),
                "max": question.get("max"),
            },
        )
        if question["type"] != "number":
            del self.fields["min"], self.fields["max"]
        if question["key"] == INNOVATIVE_KEY:
            del self.fields["remove"]

    @property
    def removed(self) -> bool:
        return bool(self.cleaned_data.get("remove"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.removed and not plain(cleaned.get("text")) and "text" not in self.errors:
            self.add_error(
                "text",
                _("Write the question.")
                if "remove" not in self.fields
                else _("Write the question, or tick “Remove this question”."),
            )
        low, high = cleaned.get("min"), cleaned.get("max")
        if low is not None and high is not None and low > high:
            self.add_error("max", _("The highest number cannot be lower than the lowest."))
        return cleaned


class OptionForm(DesignsystemetForm):
    """One option (or rated item) of a question: an existing one, or a new one when
    written in an empty row."""

    text = forms.CharField(required=False, max_length=MAX_TEXT)

    def __init__(self, *args: Any, entry: Mapping[str, Any] | None, label: str, **kwargs: Any):
        self.entry = entry
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label


class BaseOptionFormSet(forms.BaseFormSet):
    """A question's options (or items): a row for each, each with a box to remove it, and a
    few empty rows for new ones. Which rows hold the existing options is the schema's to
    say, not the posted management form's."""

    def __init__(self, data: Any = None, *, question: Mapping[str, Any]) -> None:
        self.question = question
        self.rated = question["type"] == "ratings"
        self.entries: list[dict[str, Any]] = list(question[entries_key(question["type"])])
        super().__init__(
            data,
            prefix=f"q-{question['key']}-options",
            initial=[{"text": shown(entry["text"])} for entry in self.entries],
        )

    def initial_form_count(self) -> int:
        return len(self.entries)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        if index is not None and index < len(self.entries):
            label = gettext("Item %(number)s") if self.rated else gettext("Option %(number)s")
            return {"entry": self.entries[index], "label": label % {"number": index + 1}}
        label = gettext("New item") if self.rated else gettext("New option")
        return {"entry": None, "label": label}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "ds-input"
            form.fields["DELETE"].label = (
                _("Remove item %(number)s") if self.rated else _("Remove option %(number)s")
            ) % {"number": (index or 0) + 1}

    def clean(self) -> None:
        if self.total_form_count() < len(self.entries):
            raise ValidationError(
                _("The form is incomplete: reload the page and make your changes again.")
            )
        seen: set[str] = set()
        kept = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            text = plain(form.cleaned_data.get("text"))
            if not text:
                if form.entry is not None:
                    _refuse(
                        form,
                        "text",
                        gettext("Write the item, or tick “Remove”.")
                        if self.rated
                        else gettext("Write the option, or tick “Remove”."),
                    )
                continue
            if text.casefold() in seen:
                _refuse(
                    form,
                    "text",
                    gettext("Another item has the same text.")
                    if self.rated
                    else gettext("Another option has the same text."),
                )
                continue
            seen.add(text.casefold())
            kept += 1
        if self.rated and kept < 1:
            raise ValidationError(_("Keep at least one item to rate."))
        if not self.rated and kept < 2:
            raise ValidationError(_("Keep at least two options."))

    def edited_entries(self, taken: set[str]) -> list[dict[str, Any]]:
        """The options after the edit, in order: existing ones kept with their keys (and
        texts unless changed), new ones with keys unlike any in `taken`."""
        edited = []
        for form in self.forms:
            text = form.cleaned_data.get("text", "")
            if form.entry is not None:
                if not form.cleaned_data.get("DELETE"):
                    edited.append({**form.entry, "text": kept_or_written(form.entry["text"], text)})
            elif plain(text):
                edited.append({"key": derive_key(text, taken, "option"), "text": plain(text)})
        return edited


OptionFormSet = cast(
    type[BaseOptionFormSet],
    forms.formset_factory(
        OptionForm,
        formset=BaseOptionFormSet,
        extra=3,
        can_delete=True,
        can_delete_extra=False,
        max_num=MAX_ENTRIES,
        absolute_max=MAX_ENTRIES,
    ),
)


class AddQuestionForm(DesignsystemetForm):
    """A new question at the end of the set: its type, text and (for a choice or ratings)
    its options or items, one a line; for a number, its lowest and highest answer."""

    type = forms.ChoiceField(
        label=_("Type of question"),
        required=False,
        choices=[("", pgettext_lazy("new question", "No new question")), *TYPE_LABELS.items()],
    )
    text = forms.CharField(
        label=_("Question"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    options = forms.CharField(
        label=_("Options or items to rate, one per line"),
        required=False,
        max_length=MAX_ENTRIES * (MAX_TEXT + 2),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For a question with options: at least two. For a question that rates items: at "
            "least one. Leave empty for other types."
        ),
    )
    min = forms.IntegerField(
        label=_("Lowest number allowed"),
        required=False,
        min_value=-NUMBER_LIMIT,
        max_value=NUMBER_LIMIT,
        help_text=_("For a number question only, for example 0."),
    )
    max = forms.IntegerField(
        label=_("Highest number allowed"),
        required=False,
        min_value=-NUMBER_LIMIT,
        max_value=NUMBER_LIMIT,
        help_text=_("For a number question only, for example 100."),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix="new")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("type")
        text = plain(cleaned.get("text"))
        lines = [plain(line) for line in (cleaned.get("options") or "").splitlines()]
        lines = [line for line in lines if line]
        cleaned["lines"] = lines
        if not kind:
            if text or lines:
                self.add_error(
                    "type", _("Choose the type of the new question, or empty its text and options.")
                )
            return cleaned
        if not text and "text" not in self.errors:
            self.add_error("text", _("Write the new question."))
        if kind in ENTRY_TYPES:
            folded = [line.casefold() for line in lines]
            if len(lines) < (1 if kind == "ratings" else 2):
                self.add_error(
                    "options",
                    _("Write at least one item to rate, one per line.")
                    if kind == "ratings"
                    else _("Write at least two options, one per line."),
                )
            elif len(set(folded)) != len(folded):
                self.add_error("options", _("Two lines have the same text."))
            elif len(lines) > MAX_ENTRIES:
                self.add_error("options", _("At most %(count)s lines.") % {"count": MAX_ENTRIES})
            elif any(len(line) > MAX_TEXT for line in lines):
                self.add_error(
                    "options",
                    _("Each line can have at most %(count)s characters.") % {"count": MAX_TEXT},
                )
        elif lines and "options" not in self.errors:
            self.add_error("options", _("Only questions with options or items have lines here."))
        if kind == "number":
            low, high = cleaned.get("min"), cleaned.get("max")
            if low is None and "min" not in self.errors:
                self.add_error("min", _("Give the lowest number allowed."))
            if high is None and "max" not in self.errors:
                self.add_error("max", _("Give the highest number allowed."))
            if low is not None and high is not None and low > high:
                self.add_error("max", _("The highest number cannot be lower than the lowest."))
        return cleaned

    def new_question(self, taken: set[str]) -> dict[str, Any] | None:
        """The question to add (None: none), keyed unlike any key in `taken`."""
        kind = self.cleaned_data.get("type")
        if not kind:
            return None
        text = plain(self.cleaned_data["text"])
        question: dict[str, Any] = {
            "key": derive_key(text, taken, "question"),
            "type": kind,
            "text": text,
        }
        if kind == "number":
            question["min"], question["max"] = self.cleaned_data["min"], self.cleaned_data["max"]
        if kind == "ratings":
            question["min"], question["max"] = RATING_MIN, RATING_MAX
        if kind in ENTRY_TYPES:
            option_keys: set[str] = set()
            question[entries_key(kind)] = [
                {"key": derive_key(line, option_keys, "option"), "text": line}
                for line in self.cleaned_data["lines"]
            ]
        return question


class EditedVersionForm(forms.Form):
    """The version the administrator edited: publishing over a newer one would undo it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


@dataclass
class QuestionEditor:
    """One question in the editor: its place, its form and its options' formset."""

    number: int
    question: dict[str, Any]
    form: QuestionForm
    options: BaseOptionFormSet | None

    @property
    def type_label(self) -> Any:
        return TYPE_LABELS.get(self.question["type"], self.question["type"])

    @property
    def defines_innovative(self) -> bool:
        return bool(self.question["key"] == INNOVATIVE_KEY)


@dataclass(frozen=True)
class EditorError:
    """An error for the summary above the form: the field it belongs to (its id)."""

    field_id: str
    label: str
    message: str


class QuestionSetEditor:
    """The editor of a programme's current question set, for a new version. `history`
    is every version's schema (the current one's too), so new keys are never an old key."""

    def __init__(
        self, question_set: Any, *, history: Iterable[Mapping[str, Any]], data: Any = None
    ) -> None:
        self.question_set = question_set
        self.history = list(history)
        self.version_form = EditedVersionForm(data, initial={"version": question_set.version})
        self.questions = [
            QuestionEditor(
                number=number,
                question=question,
                form=QuestionForm(data, question=question),
                options=(
                    OptionFormSet(data, question=question)
                    if question["type"] in ENTRY_TYPES
                    else None
                ),
            )
            for number, question in enumerate(question_set.schema["questions"], start=1)
        ]
        self.new = AddQuestionForm(data)
        self.problems: list[str] = []

    @property
    def edited_version(self) -> int | None:
        """The version the posted form was made from (None: not said)."""
        if not self.version_form.is_valid():
            return None
        return int(self.version_form.cleaned_data["version"])

    def is_valid(self) -> bool:
        # Every form is checked (no short cut), so every error shows at once.
        results = [self.version_form.is_valid(), self.new.is_valid()]
        for editor in self.questions:
            results.append(editor.form.is_valid())
            if editor.options is not None:
                results.append(editor.options.is_valid())
        if not all(results):
            return False
        return self._texts_unique()

    def _texts_unique(self) -> bool:
        seen: set[str] = set()
        unique = True
        for editor in self.questions:
            if editor.form.removed:
                continue
            text = plain(editor.form.cleaned_data["text"]).casefold()
            if text in seen:
                _refuse(editor.form, "text", gettext("Another question has the same text."))
                unique = False
            seen.add(text)
        added = self.new.cleaned_data
        if added.get("type") and plain(added["text"]).casefold() in seen:
            _refuse(self.new, "text", gettext("Another question has the same text."))
            unique = False
        return unique

    def schema(self) -> dict[str, Any]:
        """The edited question set (after `is_valid`)."""
        question_keys: set[str] = set()
        option_keys: dict[str, set[str]] = {}
        for earlier in self.history:
            for question in earlier.get("questions", []):
                question_keys.add(question["key"])
                entries = question.get(entries_key(question.get("type", ""))) or []
                option_keys.setdefault(question["key"], set()).update(
                    entry["key"] for entry in entries
                )
        questions = []
        for editor in self.questions:
            form = editor.form
            if form.removed:
                continue
            question = {
                **editor.question,
                "text": kept_or_written(editor.question["text"], form.cleaned_data["text"]),
            }
            if question["type"] == "number":
                question["min"], question["max"] = (
                    form.cleaned_data["min"],
                    form.cleaned_data["max"],
                )
            if editor.options is not None:
                question[entries_key(question["type"])] = editor.options.edited_entries(
                    option_keys.setdefault(question["key"], set())
                )
            questions.append(question)
        added = self.new.new_question(question_keys)
        if added is not None:
            questions.append(added)
        return {**self.question_set.schema, "questions": questions}

    def add_problem(self, message: str) -> None:
        """A refusal that belongs to no one field (shown above the form)."""
        self.problems.append(message)

    def error_summary(self) -> list[EditorError]:
        """Every error, in the page's order, each tied to its field."""
        summary = [EditorError("question-set-form", "", problem) for problem in self.problems]

        def of_form(form: forms.Form, fallback_id: str, context: str) -> None:
            for message in form.non_field_errors():
                summary.append(EditorError(fallback_id, context, str(message)))
            for name in form.fields:
                label = f"{context}, {form[name].label}" if context else str(form[name].label)
                for message in form[name].errors:
                    summary.append(EditorError(form[name].auto_id, label, str(message)))

        if self.version_form.is_bound and self.version_form.errors.get("version"):
            incomplete = gettext(
                "The form is incomplete: reload the page and make your changes again."
            )
            summary.append(EditorError("question-set-form", "", incomplete))
        for editor in self.questions:
            legend = gettext("Question %(number)s") % {"number": editor.number}
            fieldset = f"question-{editor.question['key']}"
            if not editor.form.is_bound:
                continue
            of_form(editor.form, fieldset, legend)
            if editor.options is not None:
                for message in editor.options.non_form_errors():
                    summary.append(EditorError(f"{fieldset}-options", legend, str(message)))
                for option_form in editor.options.forms:
                    of_form(option_form, f"{fieldset}-options", legend)
        if self.new.is_bound:
            of_form(self.new, "new-question", gettext("New question"))
        return summary
