"""The fraud console: its numbers on a known flood, who may see it and act, and the invalidation screens."""

import datetime
import html
import itertools
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from standwith.campaigns.models import Organization, Petition
from standwith.conftest import otp_login
from standwith.shield import console
from standwith.signing import counting, digests
from standwith.signing import services as signing
from standwith.signing.emails import parse_address
from standwith.signing.models import Invalidation, Signature
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

FLOOD_NETWORK = "#" + (digests.network_digest("203.0.113.0") or b"").hex()
FLOOD_DOMAIN = "#" + digests.domain_digest("x@spam-mail.net").hex()
# What counts: 20 + 1 honest signers confirmed over the past days, 12 in the last hour, and 4 of the bots.
COUNTED = 37
RECENT_COUNTRIES = ["AR", "BR", "CA", "DE", "ES", "FR", "GB", "IT", "JP", "KE", "MX", "NG"]


def sign_at(
    petition: Petition, email: str, ip: str, at: datetime.datetime, country: str = "FR", confirm: bool = False
) -> None:
    signing.sign(petition, signing.Signer(name="Sam", email=parse_address(email), country=country, client_ip=ip))
    signature = Signature.objects.latest("pk")
    if confirm:
        signing.confirm(petition, signature.pk)
    Signature.objects.filter(pk=signature.pk).update(created_at=at, confirmed_at=at if confirm else None)


@pytest.fixture
def now() -> datetime.datetime:
    return timezone.now()


@pytest.fixture
def flooded(petition: Petition, now: datetime.datetime) -> Petition:
    """A week of honest signers, then ten signatures in two minutes from one /24 and one unheard-of domain."""
    for number in range(20):
        at = now - datetime.timedelta(days=2 + number / 5)
        sign_at(petition, f"honest{number}@gmail.com", f"10.{number}.0.1", at, confirm=True)
    for number in range(2):  # the flood's network signed a little before, so it has a usual share
        sign_at(petition, f"early{number}@example.org", f"203.0.113.{number}", now - datetime.timedelta(days=3))
    sign_at(petition, "long-ago@gmail.com", "10.99.0.1", now - datetime.timedelta(days=10), confirm=True)
    for number, country in enumerate(RECENT_COUNTRIES):
        at = now - datetime.timedelta(minutes=30)
        sign_at(petition, f"recent{number}@ngo.example", f"10.{50 + number}.0.1", at, country=country, confirm=True)
    for number in range(10):
        at = now - datetime.timedelta(minutes=2)
        sign_at(petition, f"bot{number}@spam-mail.net", f"203.0.113.{10 + number}", at, "RU", confirm=number < 4)
    return petition


def test_the_console_shows_the_flood_at_the_top_with_how_far_it_departs(flooded, now):
    data = console.console(flooded, now)
    five, hour, day = data.windows

    assert (five.total, five.confirmed) == (10, 4)
    flood = five.networks[0]
    assert ("#" + flood.hex, flood.label, flood.count, flood.share) == (FLOOD_NETWORK, FLOOD_NETWORK[:9], 10, 1.0)
    # Two of the 34 signatures in the week before the window: 1/17 is its usual share.
    assert five.usual_total == 34
    assert flood.departure == "×17 its usual share"
    assert flood.unusual
    assert [(group.label, group.count, group.departure) for group in five.domains] == [(FLOOD_DOMAIN[:9], 10, "new")]

    assert (hour.total, hour.confirmed) == (22, 16)
    assert [group.count for group in hour.networks] == [10] + [1] * 9  # the top ten of 13 networks
    ngo = "#" + digests.domain_digest("x@ngo.example").hex()[:8]
    assert [(group.label, group.count) for group in day.domains] == [(ngo, 12), (FLOOD_DOMAIN[:9], 10)]
    assert day.total == 22


def test_well_known_mail_domains_are_named_and_others_stay_digests(flooded, now):
    week = console._window(flooded, "7d", "week", datetime.timedelta(days=7), now)

    labels = {group.label: group.count for group in week.domains}
    assert labels["gmail.com"] == 20
    assert labels["#" + digests.domain_digest("x@ngo.example").hex()[:8]] == 12
    assert "ngo.example" not in labels


def test_it_counts_signatures_per_minute_and_per_hour_within_their_ranges(flooded, now):
    minutes = console.per_minute(flooded, now)
    hours = console.per_hour(flooded, now)

    assert len(minutes) == 120
    assert len(hours) == 168
    flood_minute = next(
        b for b in minutes if b.start <= now - datetime.timedelta(minutes=2) < b.start + datetime.timedelta(minutes=1)
    )
    assert (flood_minute.total, flood_minute.confirmed, flood_minute.unconfirmed) == (10, 4, 6)
    assert sum(b.total for b in minutes) == 22
    # Everything but the signature from ten days ago.
    assert sum(b.total for b in hours) == 20 + 2 + 12 + 10
    assert sum(b.confirmed for b in hours) == 20 + 12 + 4
    assert all(
        later.start - earlier.start == datetime.timedelta(hours=1) for earlier, later in itertools.pairwise(hours)
    )


def test_it_lists_the_top_ten_countries_of_the_day_and_folds_the_rest(flooded, now):
    countries = console.countries_last_day(flooded, now)

    assert [(c.code, c.count) for c in countries[:2]] == [("RU", 10), ("AR", 1)]
    assert len(countries) == 11
    assert (countries[-1].code, countries[-1].name, countries[-1].count) == ("", "Other countries", 3)
    assert sum(c.count for c in countries) == 22
    assert countries[0].name == "Russia"


def test_invalidated_signatures_leave_the_console(flooded, now):
    Signature.objects.filter(country="RU").update(state=Signature.State.INVALIDATED)

    assert console.console(flooded, now).windows[0].total == 0


# The screens.

PEOPLE = ["moderator", "admin", "campaigner", "other_campaigner", "data_officer", "anonymous"]
VIEWERS = {"moderator", "admin", "campaigner"}
ACTORS = {"moderator", "admin"}


@pytest.fixture
def people(organization) -> dict[str, User]:
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    grants = {
        "moderator": (elsewhere, Role.MODERATOR),
        "admin": (elsewhere, Role.ADMIN),
        "campaigner": (organization, Role.CAMPAIGNER),
        "other_campaigner": (elsewhere, Role.CAMPAIGNER),
        "data_officer": (organization, Role.DATA_OFFICER),
    }
    found = {}
    for name, (where, role) in grants.items():
        found[name] = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True)
        Membership.objects.create(user=found[name], organization=where, role=role)
    return found


def as_person(client, people, who):
    if who != "anonymous":
        otp_login(client, people[who])
    return client


def assert_refused(response, who):
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == 403


def console_url(petition):
    return f"/admin/fraud/{petition.pk}/"


def invalidate_url(petition):
    return f"/admin/fraud/{petition.pk}/invalidate/"


@pytest.fixture
def batch(flooded, people) -> Invalidation:
    from standwith.shield import services

    return services.invalidate(flooded, services.Criteria(domain="spam-mail.net"), "Flood", people["moderator"])


@pytest.mark.parametrize("who", PEOPLE)
def test_moderators_admins_and_the_petitions_campaigners_see_the_console(client, flooded, people, batch, who):
    response = as_person(client, people, who).get(console_url(flooded))

    if who not in VIEWERS:
        assert_refused(response, who)
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert "Signatures per minute, last 2 hours" in page
    assert "Flood" in page  # the invalidation, listed
    assert (f"/admin/fraud/invalidation/{batch.pk}/undo/" in page) == (who in ACTORS)
    assert (invalidate_url(flooded) in page) == (who in ACTORS)


@pytest.mark.parametrize("who", PEOPLE)
def test_only_moderators_and_admins_may_invalidate_or_undo(client, flooded, people, batch, who):
    client = as_person(client, people, who)
    form = client.get(invalidate_url(flooded))
    struck = client.post(invalidate_url(flooded), {"source": "", "network": FLOOD_NETWORK, "reason": "Flood"})
    undone = client.post(f"/admin/fraud/invalidation/{batch.pk}/undo/")

    if who in ACTORS:
        assert (form.status_code, struck.status_code, undone.status_code) == (200, 200, 302)
        assert counting.stored_count(flooded.pk) == COUNTED
    else:
        for response in (form, struck, undone):
            assert_refused(response, who)
        assert counting.stored_count(flooded.pk) == COUNTED - 4
        assert Invalidation.objects.get().undone_at is None


def test_the_console_links_each_group_to_a_prefilled_invalidation(client, flooded, people):
    page = as_person(client, people, "moderator").get(console_url(flooded)).content.decode()

    assert "×17 its usual share" in page
    link = re.search(rf'href="({invalidate_url(flooded)}\?network=%23{FLOOD_NETWORK[1:]}&amp;since=[^"]+)"', page)
    assert link is not None
    form = client.get(html.unescape(link[1])).content.decode()
    assert f'value="{FLOOD_NETWORK}"' in form
    assert re.search(r'name="since" value="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"', form)


def preview(client, petition, **data):
    return client.post(invalidate_url(petition), {"reason": "Scripted flood", **data})


def previewed(response) -> str:
    found = re.search(r'name="previewed" value="([^"]*)"', response.content.decode())
    assert found is not None
    return html.unescape(found[1])


def test_a_preview_says_what_would_go_and_changes_nothing(client, flooded, people):
    response = preview(as_person(client, people, "moderator"), flooded, network=FLOOD_NETWORK)

    assert response.status_code == 200
    assert "12 signatures match, 4 of them count." in response.content.decode()
    assert not Invalidation.objects.exists()
    assert counting.stored_count(flooded.pk) == COUNTED
    assert not AuditRecord.objects.filter(action="signatures.invalidate").exists()


def test_invalidating_and_undoing_through_the_screens_corrects_the_count_and_audits(client, flooded, people):
    client = as_person(client, people, "moderator")
    since = (timezone.localtime() - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    criteria = {"network": FLOOD_NETWORK, "since": since}
    fingerprint = previewed(preview(client, flooded, **criteria))

    response = preview(client, flooded, **criteria, confirm="1", previewed=fingerprint)

    assert response.status_code == 302
    assert response["Location"] == console_url(flooded)
    assert counting.stored_count(flooded.pk) == COUNTED - 4
    batch = Invalidation.objects.get()
    assert (batch.signatures, batch.counted, batch.reason) == (10, 4, "Scripted flood")
    entry = AuditRecord.objects.get(action="signatures.invalidate")
    assert (entry.actor, entry.network) == (people["moderator"], "127.0.0.0/24")
    page = client.get(console_url(flooded)).content.decode()
    assert "10 signatures invalidated; the count fell by 4." in page
    assert "×17 its usual share" not in page  # the flood has left the console

    response = client.post(f"/admin/fraud/invalidation/{batch.pk}/undo/")

    assert response.status_code == 302
    assert counting.stored_count(flooded.pk) == COUNTED
    assert AuditRecord.objects.filter(action="signatures.invalidation_undone").count() == 1
    assert "Invalidation undone: 10 signatures restored." in client.get(console_url(flooded)).content.decode()
    # Undoing twice changes nothing and says why.
    client.post(f"/admin/fraud/invalidation/{batch.pk}/undo/")
    assert counting.stored_count(flooded.pk) == COUNTED
    assert AuditRecord.objects.filter(action="signatures.invalidation_undone").count() == 1


def test_criteria_changed_after_the_preview_are_previewed_again_not_acted_on(client, flooded, people):
    client = as_person(client, people, "moderator")
    fingerprint = previewed(preview(client, flooded, network=FLOOD_NETWORK))

    response = preview(client, flooded, domain="gmail.com", confirm="1", previewed=fingerprint)

    assert response.status_code == 200
    assert "21 signatures match, 21 of them count." in response.content.decode()
    assert not Invalidation.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Give at least one criterion"),
        ({"network": "#abc"}, "32 hexadecimal digits"),
        ({"network": "not a network"}, "This is not a network address"),
        ({"domain": "no spaces.net"}, "This is not an email domain"),
        ({"since": "2025-01-02T00:00", "until": "2025-01-01T00:00"}, "must come before"),
        ({"since": "yesterday"}, "Enter a valid date/time."),
        ({"network": FLOOD_NETWORK, "reason": " "}, "This field is required."),
    ],
)
def test_bad_criteria_are_refused_with_a_message_and_change_nothing(client, flooded, people, data, message):
    response = preview(as_person(client, people, "moderator"), flooded, confirm="1", previewed="{}", **data)

    assert response.status_code == 400
    assert html.escape(message) in response.content.decode()
    assert not Invalidation.objects.exists()
    assert counting.stored_count(flooded.pk) == COUNTED


def test_undo_refuses_a_get(client, batch, people):
    response = as_person(client, people, "moderator").get(f"/admin/fraud/invalidation/{batch.pk}/undo/")

    assert response.status_code == 405
    assert Invalidation.objects.get().undone_at is None


def test_the_console_reads_only_bounded_ranges_of_signatures(client, flooded, people):
    client = as_person(client, people, "admin")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(console_url(flooded)).status_code == 200

    scans = [query["sql"] for query in queries.captured_queries if '"signing_signature"' in query["sql"]]
    assert len(scans) >= 6
    for sql in scans:
        # Both ends of a created_at range: no query reads a petition's whole history.
        assert '"signing_signature"."created_at" >= ' in sql, sql
        assert '"signing_signature"."created_at" < ' in sql, sql


def test_no_page_asks_another_host_for_anything(client, flooded, people, batch):
    client = as_person(client, people, "moderator")
    pages = [
        client.get(console_url(flooded)),
        client.get(invalidate_url(flooded), {"network": FLOOD_NETWORK}),
        preview(client, flooded, network=FLOOD_NETWORK),
        preview(client, flooded, network="#bad"),
    ]

    for response in pages:
        # An SVG namespace (the admin's theme icons) names a vocabulary; nothing is fetched from it.
        page = re.sub(r' xmlns(:\w+)?="[^"]*"', "", response.content.decode())
        for address in re.findall(r"https?://[^\s\"'<>)]+", page):
            assert address.startswith("http://testserver/"), address


def test_the_petitions_admin_page_links_to_its_console(client, flooded, people):
    page = as_person(client, people, "moderator").get(f"/admin/campaigns/petition/{flooded.pk}/change/")

    assert f'href="{console_url(flooded)}"' in page.content.decode()
