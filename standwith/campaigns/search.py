"""Finding public petitions and cases by their words, in the reader's language.

PostgreSQL matches words through each language's text search configuration,
so a search for "освобождения" finds "освобождение". SQLite, the embedded
default, has no such thing: there each word of the query is matched as a
substring, case-insensitively.

Only what the public pages show is searched: petitions that are open, closed
or archived, and the cases those petitions tell. A draft is never found.
"""

import operator
import re
from dataclasses import dataclass
from functools import reduce
from typing import Literal, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import Exists, F, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import pgettext, pgettext_lazy

from standwith.campaigns.content import Shown, show, translations_of
from standwith.campaigns.models import Case, Organization, Petition, Translation
from standwith.campaigns.services import PUBLIC_STATES
from standwith.signing import counting

MAX_QUERY_LENGTH = 200
# Results shown for one search; a reader who needs more narrows the search.
LIMIT = 50
# SQLite matches in Python (its LIKE folds the case of ASCII letters only, so
# "ЧЕЧНЯ" would miss "Чечня"), over at most this many of the newest public
# items of each kind: older ones are not found there. Production runs
# PostgreSQL, which searches everything.
SUBSTRING_CANDIDATES = 2000

# Similar petitions are found by words at least this long (shorter ones are
# mostly "the", "и", "de"), the first this many of them.
SIMILAR_WORD_LENGTH = 4
SIMILAR_WORDS = 8
_WORD = re.compile(r"\w+")

# Site languages and their PostgreSQL text search configurations.
TEXT_SEARCH_CONFIGS = {
    "en": "english",
    "ru": "russian",
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "ar": "arabic",
}
FALLBACK_CONFIG = "simple"  # splits words and folds case, without stemming
# The texts searched, most telling first: a match in the title counts most,
# then the summary, then the body, as PostgreSQL weighs A, B and C.
SEARCHED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Petition: ("title", "summary", "body"),
    Case: ("title", "summary"),
}
WEIGHTS = ("A", "B", "C")
SUBSTRING_WEIGHTS = (1.0, 0.4, 0.2)


class Status(models.TextChoices):
    OPEN = "open", pgettext_lazy("search filter", "Open")
    CLOSED = "closed", pgettext_lazy("search filter", "Closed or archived")


Item = Petition | Case
_Item = TypeVar("_Item", Petition, Case)


@dataclass(frozen=True)
class Result:
    kind: Literal["petition", "case"]
    item: Shown  # title and summary in the reader's language where translated; `item.lang` says which
    url: str
    state: str  # a petition's own state; a case is open while one of its petitions is
    organization: Organization
    country: str  # the case's country, named in the reader's language; empty when none
    count: int | None  # signatures, for a petition

    @property
    def state_label(self) -> str:
        if self.kind == "case":
            # Said of a case, not a petition: many languages agree the word with its noun.
            if self.state == Petition.State.OPEN:
                return pgettext("state of a case", "Open")
            return pgettext("state of a case", "Closed")
        return str(Petition.State(self.state).label)


@dataclass(frozen=True)
class Found:
    results: list[Result]
    more: bool  # more matched than LIMIT; these are the best of them


def text_search_config(language: str) -> str:
    return TEXT_SEARCH_CONFIGS.get(language, FALLBACK_CONFIG)


def organisations() -> list[Organization]:
    """Organisations with public work here: running, partnering or telling a public petition or case."""
    public = Petition.objects.filter(state__in=PUBLIC_STATES)
    return list(
        Organization.objects.filter(
            Exists(public.filter(Q(organization=OuterRef("pk")) | Q(partners=OuterRef("pk"))))
            | Exists(public.filter(case__organization=OuterRef("pk")))
        )
    )


def countries() -> list[str]:
    """Country codes of public cases."""
    codes = _public_cases(None, None, None).exclude(country="").order_by().values_list("country", flat=True).distinct()
    return sorted(str(code) for code in codes)


def search(
    query: str,
    language: str,
    *,
    state: Status | None = None,
    organisation: str | None = None,
    country: str | None = None,
) -> Found:
    """Public petitions and cases that match the query and filters, best first.

    `organisation` is an Organization slug: a petition matches when the
    organisation runs it or is a partner, a case when it tells the case or
    runs or partners one of its public petitions. `country` is the ISO code
    of the case's country. With no query and no filter, these are the open
    petitions, newest first.
    """
    query = query.strip()
    filtered = state is not None or organisation is not None or country is not None
    petitions = _public_petitions(state, organisation, country)
    if not query and not filtered:
        petitions, cases = petitions.filter(state=Petition.State.OPEN), Case.objects.none()
    else:
        cases = _public_cases(state, organisation, country)
    ranked: list[tuple[float, Item]]
    if not query:
        ranked = [(0.0, item) for qs in (petitions, cases) for item in qs.order_by("-created_at")[: LIMIT + 1]]
    elif connection.vendor == "postgresql":
        ranked = [*_text_search_ranked(petitions, query, language), *_text_search_ranked(cases, query, language)]
    else:
        candidates: list[Item] = [
            *petitions.order_by("-created_at")[:SUBSTRING_CANDIDATES],
            *cases.order_by("-created_at")[:SUBSTRING_CANDIDATES],
        ]
        ranked = _substring_ranked(candidates, query, language)
    ranked.sort(key=lambda pair: (pair[0], pair[1].created_at), reverse=True)
    return Found(results=_results([item for _rank, item in ranked[:LIMIT]], language), more=len(ranked) > LIMIT)


def _public_petitions(state: Status | None, organisation: str | None, country: str | None) -> models.QuerySet[Petition]:
    petitions = Petition.objects.filter(state__in=PUBLIC_STATES).select_related("organization", "case")
    if state == Status.OPEN:
        petitions = petitions.filter(state=Petition.State.OPEN)
    elif state == Status.CLOSED:
        petitions = petitions.filter(state__in=[Petition.State.CLOSED, Petition.State.ARCHIVED])
    if organisation is not None:
        petitions = petitions.filter(
            Q(organization__slug=organisation)
            | Exists(Organization.objects.filter(slug=organisation, partner_petitions=OuterRef("pk")))
        )
    if country is not None:
        petitions = petitions.filter(case__country=country)
    return petitions


def _public_cases(state: Status | None, organisation: str | None, country: str | None) -> models.QuerySet[Case]:
    public = Petition.objects.filter(case=OuterRef("pk"), state__in=PUBLIC_STATES)
    cases = Case.objects.filter(Exists(public)).select_related("organization")
    if state == Status.OPEN:
        cases = cases.filter(Exists(public.filter(state=Petition.State.OPEN)))
    elif state == Status.CLOSED:
        cases = cases.exclude(Exists(public.filter(state=Petition.State.OPEN)))
    if organisation is not None:
        cases = cases.filter(
            Q(organization__slug=organisation)
            | Exists(public.filter(Q(organization__slug=organisation) | Q(partners__slug=organisation)))
        )
    if country is not None:
        cases = cases.filter(country=country)
    return cases


def _text_search_ranked(
    items: models.QuerySet[_Item], query: str, language: str, search_type: str = "websearch"
) -> list[tuple[float, _Item]]:
    """Items whose own text (in its own language) or translation into `language` matches, with their rank."""
    fields = SEARCHED_FIELDS[items.model]
    # Each text is read in its own language's configuration, and the query
    # with it: stems only meet when both sides are cut the same way.
    own_config = models.Case(
        *(models.When(language=code, then=Value(name)) for code, name in TEXT_SEARCH_CONFIGS.items()),
        default=Value(FALLBACK_CONFIG),
        output_field=models.CharField(),
    )
    own_document = reduce(
        operator.add,
        (SearchVector(name, config=own_config, weight=weight) for name, weight in zip(fields, WEIGHTS, strict=False)),
    )
    own_query = SearchQuery(query, config=own_config, search_type=search_type)

    reader_config = text_search_config(language)
    reader_query = SearchQuery(query, config=reader_config, search_type=search_type)
    translated_document = models.Case(
        *(
            models.When(field=name, then=SearchVector("text", config=reader_config, weight=weight))
            for name, weight in zip(fields, WEIGHTS, strict=False)
        ),
        output_field=SearchVectorField(),
    )
    best_translation = (
        Translation.objects.filter(
            content_type=ContentType.objects.get_for_model(items.model),
            object_id=OuterRef("pk"),
            language=language,
            field__in=fields,
        )
        .annotate(document=translated_document)
        .filter(document=reader_query)
        .annotate(rank=SearchRank(F("document"), reader_query))
        .order_by("-rank")
        .values("rank")[:1]
    )
    matches = (
        items.annotate(document=own_document, translated_rank=Subquery(best_translation, output_field=FloatField()))
        .filter(Q(document=own_query) | Q(translated_rank__isnull=False))
        .annotate(rank=Greatest(SearchRank(F("document"), own_query), Coalesce("translated_rank", 0.0)))
        .order_by("-rank", "-created_at")[: LIMIT + 1]
    )
    return [(float(item.rank), item) for item in matches]


def similar_petitions(text: str, language: str, limit: int = 5) -> list[Result]:
    """Public petitions that share at least two of the text's telling words (all of them, if it has fewer).

    Shown to someone about to propose a petition, so they can sign an
    existing one instead; any two words, not every word, since nobody words
    the same demand the same way.
    """
    words = list(dict.fromkeys(word for word in _WORD.findall(text.casefold()) if len(word) >= SIMILAR_WORD_LENGTH))
    words = words[:SIMILAR_WORDS]
    if not words:
        return []
    petitions = _public_petitions(None, None, None)
    needed = min(2, len(words))
    ranked: list[tuple[float, Item]]
    if connection.vendor == "postgresql":
        # A raw query, so that any pair of words can match: websearch has no grouping.
        pairs = [f"({a} & {b})" for i, a in enumerate(words) for b in words[i + 1 :]] or words
        ranked = [*_text_search_ranked(petitions, " | ".join(pairs), language, search_type="raw")]
    else:
        ranked = _substring_ranked(
            list(petitions.order_by("-created_at")[:SUBSTRING_CANDIDATES]), " ".join(words), language, needed
        )
    ranked.sort(key=lambda pair: (pair[0], pair[1].created_at), reverse=True)
    return _results([item for _rank, item in ranked[:limit]], language)


def _substring_ranked(
    candidates: list[Item], query: str, language: str, needed: int | None = None
) -> list[tuple[float, Item]]:
    """Candidates in whose text, or its translation into `language`, the query's words appear.

    Every word must appear, or at least `needed` of them, when given.
    """
    words = query.casefold().replace('"', " ").split()
    if not words:
        return []
    translated = translations_of(candidates, language)
    ranked: list[tuple[float, Item]] = []
    for item in candidates:
        translation = translated.get((ContentType.objects.get_for_model(item).pk, item.pk), {})
        weighted = [
            (weight, f"{getattr(item, name)}\n{translation.get(name, '')}".casefold())
            for name, weight in zip(SEARCHED_FIELDS[type(item)], SUBSTRING_WEIGHTS, strict=False)
        ]
        rank, matched = 0.0, 0
        for word in words:
            found_in = [weight for weight, text in weighted if word in text]
            if found_in:
                rank += max(found_in)
                matched += 1
        if matched >= (len(words) if needed is None else needed):
            ranked.append((rank, item))
    return ranked


def _results(items: list[Item], language: str) -> list[Result]:
    """The items as results in `language`: three queries, however many there are."""
    found = translations_of(items, language)
    counts = counting.stored_counts([item.pk for item in items if isinstance(item, Petition)])
    open_cases = set(
        Petition.objects.filter(
            case__in=[item.pk for item in items if isinstance(item, Case)], state=Petition.State.OPEN
        ).values_list("case_id", flat=True)
    )
    results = []
    for item in items:
        shown = show([item], language, item.language, found)[0]
        if isinstance(item, Petition):
            case_country = item.case.country if item.case is not None else None
            results.append(
                Result(
                    kind="petition",
                    item=shown,
                    url=reverse("petition", args=[item.slug]),
                    state=item.state,
                    organization=item.organization,
                    country=case_country.name if case_country else "",
                    count=counts[item.pk],
                )
            )
        else:
            results.append(
                Result(
                    kind="case",
                    item=shown,
                    url=reverse("case", args=[item.slug]),
                    state=Petition.State.OPEN if item.pk in open_cases else Petition.State.CLOSED,
                    organization=item.organization,
                    country=item.country.name if item.country else "",
                    count=None,
                )
            )
    return results
