"""Atom feeds of campaign updates, one per case and one for the site, in each site language."""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from standwith.campaigns.content import Shown, localise
from standwith.campaigns.markup import render_markdown
from standwith.campaigns.models import Case, Update
from standwith.campaigns.services import public_case, published_updates

FEED_ENTRIES = 50


class UpdatesFeed(Feed[Shown, Case | None]):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        response["Content-Type"] = "application/atom+xml; charset=utf-8"
        return response

    def shown(self, updates: list[Update]) -> list[Shown]:
        language = get_language()
        by_original: dict[str, list[Update]] = {}
        for update in updates:
            by_original.setdefault(update.case.language, []).append(update)
        shown = [item for original, group in by_original.items() for item in localise(group, language, original)]
        return sorted(shown, key=lambda item: (item.published_at, item.pk), reverse=True)

    def item_title(self, item: Shown) -> str:
        return str(item.title)

    def item_description(self, item: Shown) -> str:
        return str(render_markdown(item.body))

    def item_link(self, item: Shown) -> str:
        return reverse("case", args=[item.case.slug]) + f"#update-{item.pk}"

    def item_guid(self, item: Shown) -> str:
        return f"{settings.SITE_URL}/updates/{item.pk}"

    def item_guid_is_permalink(self, item: Shown) -> bool:
        return False

    def item_pubdate(self, item: Shown) -> datetime.datetime:
        return item.published_at  # type: ignore[no-any-return]

    def item_updateddate(self, item: Shown) -> datetime.datetime:
        return max(item.published_at, item.updated_at)  # type: ignore[no-any-return]

    def item_author_name(self, item: Shown) -> str:
        return str(item.case.organization.name)


class CaseUpdates(UpdatesFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Case:
        case = public_case(slug)
        if case is None:
            raise Http404("no public case at this address")
        return case

    def title(self, case: Case) -> str:
        shown = localise([case], get_language(), case.language)[0]
        return _("Updates: %(title)s") % {"title": shown.title}

    def link(self, case: Case) -> str:
        return case.get_absolute_url()

    def subtitle(self, case: Case) -> str:
        return str(localise([case], get_language(), case.language)[0].summary)

    def items(self, case: Case) -> list[Shown]:
        updates = published_updates().filter(case=case).select_related("case__organization")[:FEED_ENTRIES]
        return self.shown(list(updates))


class SiteUpdates(UpdatesFeed):
    def title(self) -> str:
        return _("standwith: campaign updates")

    def link(self) -> str:
        return reverse("home")

    def subtitle(self) -> str:
        return _("News on the people our campaigns stand with.")

    def items(self) -> list[Shown]:
        return self.shown(list(published_updates().select_related("case__organization")[:FEED_ENTRIES]))
