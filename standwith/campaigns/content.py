"""Campaign texts in the reader's language.

Staff write a petition and its case in one language (the original) and add
translations field by field. A field with no translation in the reader's
language is shown in the original, marked with its own `lang`, and the page
says that parts are untranslated.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from standwith.campaigns.models import Translation

Key = tuple[int, int]  # content type id, object id


class Shown:
    """One item as shown in one language: its translated fields, else its own.

    Templates read it like the item itself (`event.text`, `event.date`), and
    `lang.<field>` names the language each translated field is shown in.
    """

    def __init__(self, item: models.Model, texts: dict[str, str], language: str, original: str) -> None:
        self.item = item
        self.language = language
        self.original = original
        self.texts = texts
        fields: tuple[str, ...] = getattr(item, "TRANSLATED_FIELDS", ())
        self.lang = {name: language if name in texts else original for name in fields}
        # Untranslated only where the original has something to translate.
        self.untranslated = language != original and any(name not in texts and getattr(item, name) for name in fields)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # pickling and copying look these up; the item must not answer for us
            raise AttributeError(name)
        texts = self.__dict__["texts"]
        if name in texts:
            return texts[name]
        return getattr(self.__dict__["item"], name)

    def __str__(self) -> str:
        return str(self.item)


def _key(item: models.Model) -> Key:
    return ContentType.objects.get_for_model(item).pk, item.pk


def translations_of(items: Iterable[models.Model], language: str) -> dict[Key, dict[str, str]]:
    """Every translated field of these items in this language, in one query."""
    wanted: dict[int, list[int]] = defaultdict(list)
    for item in items:
        content_type, pk = _key(item)
        wanted[content_type].append(pk)
    if not wanted:
        return {}
    match = Q()
    for content_type, pks in wanted.items():
        match |= Q(content_type_id=content_type, object_id__in=pks)
    found: dict[Key, dict[str, str]] = defaultdict(dict)
    for content_type, pk, name, text in Translation.objects.filter(match, language=language).values_list(
        "content_type_id", "object_id", "field", "text"
    ):
        found[(content_type, pk)][name] = text
    return found


def show(items: Sequence[models.Model], language: str, original: str, found: dict[Key, dict[str, str]]) -> list[Shown]:
    if language == original:
        return [Shown(item, {}, language, original) for item in items]
    return [Shown(item, found.get(_key(item), {}), language, original) for item in items]


def localise(items: Sequence[models.Model], language: str, original: str) -> list[Shown]:
    """These items in this language (one query, none when it is their own)."""
    found = translations_of(items, language) if language != original else {}
    return show(items, language, original, found)


def originals_of_untranslated(shown: Iterable[Shown]) -> list[str]:
    """The languages the untranslated parts of a page are shown in, for its note."""
    return sorted({item.original for item in shown if item.untranslated})
