import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from standwith.campaigns.models import Case, Petition, Update
from standwith.campaigns.services import publish_drafts, publish_update
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CASE_FEED = "/{}/c/salekh-magamadov-and-ismail-isayev/feed"


def entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ["id", "title", "updated"]:
        assert root.find(f"{ATOM}{required}") is not None
    return root.findall(f"{ATOM}entry")


def test_it_serves_a_valid_atom_feed_of_a_campaigns_updates(client, campaign):
    publish_update(campaign.case, "Lawyers reached them", "Their lawyers **saw** them today.")

    found = entries(client.get(CASE_FEED.format("en")))

    titles = [entry.findtext(f"{ATOM}title") for entry in found]
    assert titles == ["Lawyers reached them", "Freedom House joins the call"]
    newest = found[0]
    assert "<strong>saw</strong>" in (newest.findtext(f"{ATOM}summary") or "")
    update = campaign.case.updates.get(title="Lawyers reached them")
    assert newest.find(f"{ATOM}link").get("href").endswith(f"/en/c/{campaign.case.slug}/#update-{update.pk}")
    assert newest.findtext(f"{ATOM}author/{ATOM}name") == "All Out"


def test_it_serves_the_feed_in_russian(client, campaign):
    found = entries(client.get(CASE_FEED.format("ru")))

    assert found[0].findtext(f"{ATOM}title") == "К призыву присоединилась Freedom House"


def test_it_leaves_out_drafts_and_updates_not_yet_due(client, campaign):
    case = campaign.case
    case.updates.create(title="Draft news", body="Not yet.")
    publish_update(case, "Tomorrow's news", "Later.", timezone.now() + datetime.timedelta(days=1))

    titles = [entry.findtext(f"{ATOM}title") for entry in entries(client.get(CASE_FEED.format("en")))]

    assert titles == ["Freedom House joins the call"]


def test_it_serves_a_site_wide_feed_of_public_campaigns_only(client, campaign):
    organization = campaign.organization
    hidden = Case.objects.create(organization=organization, slug="hidden", title="Hidden", summary="S")
    Petition.objects.create(organization=organization, case=hidden, slug="d", title="D", summary="S", body="B")
    publish_update(hidden, "Secret plans", "Not public yet.")

    titles = [entry.findtext(f"{ATOM}title") for entry in entries(client.get("/en/feed"))]

    assert titles == ["Freedom House joins the call"]
    assert client.get("/en/c/hidden/feed").status_code == 404


def test_it_lets_feed_readers_cache_the_feed(client, campaign):
    assert "public" in client.get(CASE_FEED.format("en"))["Cache-Control"]


def test_it_publishes_drafts_now_and_leaves_published_updates_alone(client, campaign, admin_user):
    staff = admin_user
    draft = campaign.case.updates.create(title="Now public", body="News.")
    earlier = campaign.case.updates.get(title="Freedom House joins the call")

    assert publish_drafts(Update.objects.all(), staff) == 1
    assert publish_drafts(Update.objects.all(), staff) == 0
    (entry,) = AuditRecord.objects.filter(action="update.publish")
    assert entry.actor == staff

    draft.refresh_from_db()
    assert draft.published_at is not None
    assert Update.objects.get(pk=earlier.pk).published_at == earlier.published_at
    assert "Now public" in client.get("/en/p/free-salekh-and-ismail/").content.decode()
