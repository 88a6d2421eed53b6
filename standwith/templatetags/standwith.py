from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag
def language_links(request: HttpRequest) -> list[dict[str, str]]:
    """The current page in each language the site speaks, named in that language."""
    return [
        {"code": code, "name": get_language_info(code)["name_local"], "url": translate_url(request.path, code)}
        for code, _ in settings.LANGUAGES
    ]
