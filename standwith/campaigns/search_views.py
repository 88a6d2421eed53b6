"""The search page: a GET form over public petitions and cases, cacheable per query."""

import unicodedata
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django_countries import countries

from standwith.campaigns import search
from standwith.campaigns.models import Organization
from standwith.public import public_page

# The only parameters the page reads: the cache key is made of these.
PARAMETERS = ("q", "state", "org", "country")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words to look for"),
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        widget=forms.SearchInput,
        error_messages={
            "max_length": _("Please keep your search to %(limit_value)d characters at most; it has %(show_value)d."),
        },
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Open and closed")), *search.Status.choices],
        error_messages={"invalid_choice": _("Please choose open or closed from the list.")},
    )
    org = forms.ChoiceField(
        label=_("Organisation"),
        required=False,
        error_messages={"invalid_choice": _("There is no such organisation here; please choose one from the list.")},
    )
    country = forms.ChoiceField(
        label=_("Country of the case"),
        required=False,
        error_messages={"invalid_choice": _("There is no case in that country here; please choose one from the list.")},
    )

    def __init__(self, data: dict[str, str], organisations: list[Organization], country_codes: list[str]) -> None:
        super().__init__(data)
        org_field = self.fields["org"]
        country_field = self.fields["country"]
        assert isinstance(org_field, forms.ChoiceField)
        assert isinstance(country_field, forms.ChoiceField)
        org_field.choices = [("", _("All organisations")), *((org.slug, org.name) for org in organisations)]
        named = sorted(((code, countries.name(code)) for code in country_codes), key=lambda pair: pair[1].casefold())
        country_field.choices = [("", _("All countries")), *named]

    def clean_q(self) -> str:
        query: str = self.cleaned_data["q"]
        if any(unicodedata.category(ch) == "Cc" for ch in query):
            raise forms.ValidationError(
                _("Your search contains control characters; please type it again."), code="control_characters"
            )
        return query


@require_safe
@public_page(query=PARAMETERS)
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(
        {name: request.GET.get(name, "") for name in PARAMETERS},
        organisations=search.organisations(),
        country_codes=search.countries(),
    )
    if not form.is_valid():
        return render(request, "campaigns/search.html", {"form": form}, status=400)
    data = form.cleaned_data
    found = search.search(
        data["q"],
        get_language(),
        state=search.Status(data["state"]) if data["state"] else None,
        organisation=data["org"] or None,
        country=data["country"] or None,
    )
    context: dict[str, Any] = {
        "form": form,
        "found": found,
        "query": data["q"],
        "browsing": not any(data.values()),
        "limit": search.LIMIT,
    }
    return render(request, "campaigns/search.html", context)
