import unicodedata
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Organization
from standwith.proposals.services import Draft
from standwith.signing.forms import PersonForm

# Room enough to say what is asked and why; a petition is read on a phone.
TITLE_LENGTH = (10, 150)
SUMMARY_MAX = 500
BODY_MAX = 5000
_KEPT_CONTROLS = {"\u200c", "\u200d", "\n", "\r", "\t"}  # joiners belong inside words; lines in longer texts


def clean_text(raw: str, *, multiline: bool = False) -> str:
    """Text as people write it, in any script, with invisible characters refused."""
    text = unicodedata.normalize("NFC", raw)
    allowed = _KEPT_CONTROLS if multiline else _KEPT_CONTROLS - {"\n", "\r"}
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"} and ch not in allowed for ch in text):
        raise forms.ValidationError(_("This text contains characters that cannot be shown."), code="invisible")
    text = (
        "\n".join(" ".join(line.split()) for line in text.splitlines()).strip() if multiline else " ".join(text.split())
    )
    if not any(unicodedata.category(ch).startswith("L") for ch in text):
        raise forms.ValidationError(_("Please write this with words."), code="no_letters")
    return text


class DraftForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        help_text=_("What should happen, in one sentence."),
        min_length=TITLE_LENGTH[0],
        max_length=TITLE_LENGTH[1],
        strip=False,
    )
    summary = forms.CharField(
        label=_("What do you ask?"),
        help_text=_("Two or three sentences: the action and who should take it."),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body = forms.CharField(
        label=_("Why it matters"),
        help_text=_("The facts, with their sources. You may use **bold**, lists and links."),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    target_name = forms.CharField(label=_("Who can make it happen?"), max_length=200)
    target_role = forms.CharField(
        label=_("Their role"), help_text=_("For example: Minister of Foreign Affairs."), max_length=200
    )

    def clean_title(self) -> str:
        return clean_text(self.cleaned_data["title"])

    def clean_summary(self) -> str:
        return clean_text(self.cleaned_data["summary"], multiline=True)

    def clean_body(self) -> str:
        return clean_text(self.cleaned_data["body"], multiline=True)

    def clean_target_name(self) -> str:
        return clean_text(self.cleaned_data["target_name"])

    def clean_target_role(self) -> str:
        return clean_text(self.cleaned_data["target_role"])

    def draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(data["title"], data["summary"], data["body"], data["target_name"], data["target_role"])


class ProposalForm(DraftForm, PersonForm):
    organisation = forms.ModelChoiceField(
        Organization.objects.none(), label=_("Propose it to"), empty_label=None, to_field_name="slug"
    )
    # Set once the proposer has been shown similar petitions, so the next press submits.
    seen_similar = forms.BooleanField(required=False, widget=forms.HiddenInput)

    field_order = ["organisation", "title", "summary", "body", "target_name", "target_role", "name", "email", "country"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organisation"])  # type: ignore[type-arg]
        field.queryset = organisations
        if len(organisations) == 1:
            # Nothing to choose: the one organisation is named above the form instead.
            field.widget = forms.HiddenInput()
            field.initial = organisations[0].slug
