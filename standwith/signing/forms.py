import re
import unicodedata
from functools import lru_cache
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from standwith.shield.disposable import is_disposable
from standwith.signing import referrals
from standwith.signing.emails import MAX_LENGTH as EMAIL_MAX_LENGTH
from standwith.signing.emails import Address, InvalidEmail, parse_address

NAME_MAX_LENGTH = 100
# Long Iberian names ("María de los Ángeles Fernández de la Cruz y García") have
# ten words; past twelve it is a sentence, not a name.
NAME_MAX_WORDS = 12
# An address or a link where a name belongs is spam, or a signer about to
# publish their email under "show my name publicly".
_EMAIL_IN_NAME = re.compile(r"@[^\s@]+\.[^\s@]")
_URL_IN_NAME = re.compile(r"https?://|www\.", re.IGNORECASE)
_SOURCE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# Zero-width joiners belong inside emoji sequences and Persian and Indic words.
_JOINERS = {"\u200c", "\u200d"}
_POSTCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,14}[A-Za-z0-9]?$")


COUNTRY_CODES = frozenset(code for code, _name in countries)


@lru_cache(maxsize=32)
def country_choices(language: str) -> list[tuple[str, str]]:
    """Countries named and sorted in the given language; built once per language, not per request."""
    with translation.override(language):
        return [("", str(_("Choose your country"))), *((code, str(name)) for code, name in countries)]


class CountrySelect(forms.Select):
    """The country list, rendered once per language while nothing is chosen.

    Rendering 250 options through the template engine takes longer than the
    rest of the petition page together; the markup only changes with the
    language, so it is built once and reused.
    """

    _blank: ClassVar[dict[tuple[str, str, str], SafeString]] = {}

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        if value:  # a form shown again keeps the signer's choice
            return super().render(name, value, attrs, renderer)
        key = (get_language(), name, repr(sorted((attrs or {}).items())))
        if key not in self._blank:
            self._blank[key] = super().render(name, value, attrs, renderer)
        return self._blank[key]


def clean_person_name(raw: str) -> str:
    """A name as people write it, in any script, with invisible tricks removed."""
    name = unicodedata.normalize("NFC", raw)
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"} and ch not in _JOINERS for ch in name):
        raise forms.ValidationError(_("Your name contains characters that cannot be shown."), code="invisible")
    name = " ".join(name.split())
    if not name:
        raise forms.ValidationError(_("Please tell us your name."), code="required")
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        raise forms.ValidationError(_("Please write your name with letters."), code="no_letters")
    if len(name) > NAME_MAX_LENGTH:
        raise forms.ValidationError(
            _("Please keep your name to %(max)d characters at most.") % {"max": NAME_MAX_LENGTH}, code="too_long"
        )
    # Below, what is plainly not a name. Digits are not refused: Arabic speakers
    # writing in Latin letters use them for sounds Latin lacks ("3ali", "7assan"),
    # and some people number generations ("Nguyen 2").
    if _EMAIL_IN_NAME.search(name):
        raise forms.ValidationError(
            _("This looks like an email address. Please write your name here."), code="email_as_name"
        )
    if _URL_IN_NAME.search(name):
        raise forms.ValidationError(_("Please write your name here, not a web address."), code="url_as_name")
    # Three or more: a name of one character (王) or one doubled (婷婷) is real.
    characters = name.replace(" ", "").casefold()
    if len(characters) >= 3 and len(set(characters)) == 1:
        raise forms.ValidationError(_("Please write your name, not one character repeated."), code="repeated_character")
    if len(name.split(" ")) > NAME_MAX_WORDS:
        raise forms.ValidationError(
            _("Please keep your name to %(max)d words at most.") % {"max": NAME_MAX_WORDS}, code="too_many_words"
        )
    return name


class ReferralCodeField(forms.CharField):
    """A friend's personal share code (see signing/referrals.py), copied from the page's address by its script.

    Kept when it has a code's shape, else dropped; never refused, whatever it holds (null characters, a
    megabyte), since the signer did not type it and a code only ever decides attribution.
    """

    widget = forms.HiddenInput

    def clean(self, value: Any) -> str:
        code = str(value or "").strip().lower()
        return code if referrals.well_formed(code) else ""


class PersonForm(forms.Form):
    """Who someone is, asked and checked alike wherever a person gives their name and address."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH * 4,
        strip=False,
        error_messages={"required": _("Please tell us your name.")},
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={"required": _("Please enter your email address.")},
    )
    # Checked against a set of codes rather than as a ChoiceField, which would
    # rebuild 250 localised choices for every signature.
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        widget=CountrySelect(choices=lambda: country_choices(get_language())),  # type: ignore[arg-type]
        error_messages={
            "required": _("Please choose your country."),
            "max_length": _("Please choose your country from the list."),
        },
    )
    autocomplete = {"name": "name", "email": "email", "country": "country"}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, autocomplete in self.autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
        self.fields["email"].widget.input_type = "email"

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers announce a field's error when focus reaches it.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}_error"}
                )

    def clean_name(self) -> str:
        return clean_person_name(self.cleaned_data["name"])

    def clean_email(self) -> Address:
        try:
            address = parse_address(self.cleaned_data["email"])
        except InvalidEmail:
            raise forms.ValidationError(
                _("Please check your email address; it should look like name@example.org."), code="invalid"
            ) from None
        domain = address.deliverable.rsplit("@", 1)[1]
        if is_disposable(domain):
            # A throwaway inbox is gone before the campaign's updates or its delivery; floods use them.
            raise forms.ValidationError(
                _(
                    "Addresses at %(domain)s are disposable and stop working after a while. "
                    "Please use an email address you keep."
                )
                % {"domain": domain},
                code="disposable",
            )
        return address

    def clean_country(self) -> str:
        country = str(self.cleaned_data["country"])
        if country not in COUNTRY_CODES:
            raise forms.ValidationError(_("Please choose your country from the list."), code="invalid_choice")
        return country


class SignForm(PersonForm):
    postcode = forms.CharField(label=_("Postcode (optional)"), required=False, max_length=16)
    consent_campaign_updates = forms.BooleanField(label=_("Email me updates about this campaign"), required=False)
    consent_org_updates = forms.BooleanField(
        label=_("Email me about other campaigns of the organisation running this petition"), required=False
    )
    show_name_publicly = forms.BooleanField(label=_("Show my name publicly among the signers"), required=False)
    source = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    # The page the visitor came from (live-count.js copies document.referrer here); only its host is kept.
    came_from = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    ref = ReferralCodeField(required=False)
    # A honeypot: kept out of sight, out of screen readers and out of the tab
    # order, so only a script that fills every field fills it. No max_length,
    # so no error on it ever tells the script it was noticed.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    honeypot = "website"
    autocomplete = {**PersonForm.autocomplete, "postcode": "postal-code"}

    def caught_in_honeypot(self) -> bool:
        """Whether a script filled the field no person sees; it gets a signer's answer and nothing is stored."""
        return bool(self.cleaned_data.get(self.honeypot))

    def clean_postcode(self) -> str:
        postcode = " ".join(self.cleaned_data["postcode"].split()).upper()
        if postcode and not _POSTCODE.match(postcode):
            raise forms.ValidationError(_("A postcode has only letters, digits, spaces and dashes."), code="invalid")
        return postcode

    def clean_source(self) -> str:
        # A campaign's tracking code; anything else is dropped, not refused,
        # since a signer did not type it.
        source = self.cleaned_data["source"].strip()
        return source if _SOURCE.match(source) else ""

    def clean_came_from(self) -> str:
        return (urlsplit(self.cleaned_data["came_from"].strip()).hostname or "")[:253]
