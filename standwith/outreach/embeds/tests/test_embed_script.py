"""embed.js, the script partners paste, picks among the site's own languages (its browser test: e2e)."""

import re

from django.conf import settings
from django.contrib.staticfiles import finders


def script(name: str) -> str:
    path = finders.find(f"standwith/{name}")
    assert isinstance(path, str)
    with open(path, encoding="utf-8") as file:
        return file.read()


def test_it_offers_exactly_the_sites_languages_default_first():
    listed = re.search(r"var LANGUAGES = \[(.*?)\];", script("embed.js"))

    assert listed is not None
    assert re.findall(r'"([a-z-]+)"', listed.group(1)) == [code for code, _name in settings.LANGUAGES]
    assert settings.LANGUAGES[0][0] == settings.LANGUAGE_CODE
