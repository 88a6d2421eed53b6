import datetime
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language_from_path, get_language_info, gettext_lazy, ngettext

from standwith.campaigns.markup import render_markdown
from standwith.campaigns.models import DatePrecision, PersonStatus
from standwith.staff import switches

register = template.Library()


@register.simple_tag
def language_links(request: HttpRequest) -> list[dict[str, str]]:
    """The current page in each language the site speaks, named in that language."""
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(request.path, code)
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": settings.SITE_URL + url,
            }
        )
    return links


@register.simple_tag
def any_language_url(request: HttpRequest) -> str:
    """This page's address without its language: the site sends each reader to their own."""
    language = get_language_from_path(request.path_info)
    path = request.path_info.removeprefix(f"/{language}") if language else request.path_info
    return settings.SITE_URL + path


# How long ago a status began reads differently by status; each line is one
# translatable sentence so every language can order its words.
_STATUS_LINES = {
    PersonStatus.AT_RISK: gettext_lazy("At risk since %(date)s"),
    PersonStatus.DETAINED: gettext_lazy("Detained since %(date)s"),
    PersonStatus.MISSING: gettext_lazy("Missing since %(date)s"),
    PersonStatus.RELEASED: gettext_lazy("Released on %(date)s"),
    PersonStatus.SAFE: gettext_lazy("Safe since %(date)s"),
}
_DATE_FORMATS = {DatePrecision.DAY: "DATE_FORMAT", DatePrecision.MONTH: "YEAR_MONTH_FORMAT", DatePrecision.YEAR: "Y"}
_MACHINE_FORMATS = {DatePrecision.DAY: "%Y-%m-%d", DatePrecision.MONTH: "%Y-%m", DatePrecision.YEAR: "%Y"}


@register.filter
def as_precise(day: datetime.date, precision: str = DatePrecision.DAY) -> str:
    """A date in the reader's language, saying no more than is known ("June 2020", not "1 June 2020")."""
    return date_format(day, _DATE_FORMATS.get(DatePrecision(precision), "DATE_FORMAT"))


@register.simple_tag
def time_tag(day: datetime.date, precision: str = DatePrecision.DAY) -> str:
    machine = day.strftime(_MACHINE_FORMATS.get(DatePrecision(precision), "%Y-%m-%d"))
    return format_html('<time datetime="{}">{}</time>', machine, as_precise(day, precision))


@register.simple_tag
def in_language(text: str, language: str) -> str:
    """A campaign text marked with the language it is shown in, to sit inside a sentence of the interface."""
    return format_html('<span lang="{}">{}</span>', language, text)


@register.filter
def status_line(person: Any) -> str:
    return str(_STATUS_LINES[PersonStatus(person.status)]) % {"date": as_precise(person.status_since)}


@register.filter
def age_line(age: int) -> str:
    return ngettext("%(age)d year old", "%(age)d years old", age) % {"age": age}


@register.filter
def language_names(codes: list[str]) -> str:
    """Languages named in the reader's language, e.g. "Английский" on a Russian page."""
    return ", ".join(str(get_language_info(code)["name_translated"]) for code in codes)


@register.filter
def markdown(text: str) -> str:
    return render_markdown(text)


@register.simple_tag
def site_banner() -> str:
    """The admins' message for every page, if any (it reaches cached pages within seconds)."""
    return switches.current().banner
