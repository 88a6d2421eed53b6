"""Numbered pages of a collection, as the API and OSDI clients count them: from 1, `per_page` at a time.

A page past the end is an empty page with the true totals, not an error, so a
client that walks pages until one comes back empty stops cleanly.
"""

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
# Pages beyond this are refused: OFFSET reads and skips every row before the page.
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page(Generic[M]):
    number: int
    per_page: int
    total_records: int
    items: list[M]

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total_records / self.per_page)

    @property
    def has_next(self) -> bool:
        return self.number < self.total_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(items: QuerySet[M], number: int, per_page: int) -> Page[M]:
    total = items.count()
    start = (number - 1) * per_page
    rows = list(items[start : start + per_page]) if start < total else []
    return Page(number, per_page, total, rows)
