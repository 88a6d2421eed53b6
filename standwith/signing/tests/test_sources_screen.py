"""The staff screen of where a petition's signatures came from: its numbers on a known set, and who sees it."""

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from standwith.campaigns.models import Organization
from standwith.conftest import otp_login
from standwith.signing import referrals, sources
from standwith.signing import services as signing
from standwith.signing.emails import parse_address
from standwith.signing.models import Signature
from standwith.staff.models import Membership, Role

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "moderator", "admin", "campaigner", "data_officer", "other_campaigner", "no_role"]
VIEWERS = {"moderator", "admin", "campaigner", "data_officer"}


def sign(petition, email, *, source="", site="", by=None, confirm=False) -> Signature:
    code = referrals.code_for(petition.pk, by.pk) if by else ""
    signer = signing.Signer(
        name="Sam",
        email=parse_address(email),
        country="FR",
        source=source,
        referrer_host=site,
        referral_code=code,
    )
    signing.sign(petition, signer)
    signature = Signature.objects.latest("pk")
    if confirm:
        signing.confirm(petition, signature.pk)
    return signature


@pytest.fixture
def spread(petition, instant_petition):
    """Four generations of personal links, two channels, two sites; one struck off, one on another petition."""
    root = sign(petition, "root@example.org", source="telegram", site="t.me", confirm=True)
    child = sign(petition, "child@example.org", source="link", by=root, confirm=True)
    grandchild = sign(petition, "grandchild@example.org", source="link", by=child, confirm=True)
    great = sign(petition, "great@example.org", source="whatsapp", by=grandchild, confirm=True)
    sign(petition, "great2@example.org", by=great)  # depth 4, waiting
    sign(petition, "news@example.org", source="telegram", site="news.example.com")  # waiting
    sign(petition, "news2@example.org", site="news.example.com", confirm=True)
    struck = sign(petition, "bot@example.org", source="telegram", site="news.example.com", confirm=True)
    Signature.objects.filter(pk=struck.pk).update(state=Signature.State.INVALIDATED, ended_at=timezone.now())
    sign(instant_petition, "elsewhere@example.org", source="telegram")
    return petition


def as_table(rows: list[sources.Row]) -> dict[str, tuple[int, int]]:
    return {row.label: (row.confirmed, row.pending) for row in rows}


def test_it_counts_live_signatures_by_source_site_and_depth(spread):
    found = sources.sources(spread)

    assert (found.total.confirmed, found.total.pending) == (5, 2)
    assert as_table(found.by_source) == {
        "telegram": (1, 1),
        "link": (2, 0),
        "(no source code)": (1, 1),
        "whatsapp": (1, 0),
    }
    assert as_table(found.by_site) == {
        "(none: typed in, an app, or not told)": (3, 1),
        "news.example.com": (1, 1),
        "t.me": (1, 0),
    }
    assert as_table(found.by_depth) == {"0": (2, 1), "1": (1, 0), "2": (1, 0), "3+": (1, 1)}
    personal = found.through_personal_links
    assert (personal.confirmed, personal.pending, personal.total) == (3, 1, 4)


def test_it_names_the_largest_sources_and_sums_the_rest(petition):
    for number in range(sources.TOP + 3):
        sign(petition, f"s{number}@example.org", source=f"code{number:02d}")
    sign(petition, "again@example.org", source="code17")

    by_source = sources.sources(petition).by_source

    assert len(by_source) == sources.TOP + 1
    assert (by_source[0].label, by_source[0].total) == ("code17", 2)
    assert (by_source[-1].label, by_source[-1].total) == ("All other source codes", 3)


def test_it_shows_an_empty_petition_without_fault(petition):
    found = sources.sources(petition)

    assert found.total.total == 0
    assert found.by_source == found.by_site == []
    assert [row.total for row in found.by_depth] == [0, 0, 0, 0]


@pytest.fixture
def people(organization) -> dict[str, User]:
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    grants = {
        "moderator": (elsewhere, Role.MODERATOR),
        "admin": (elsewhere, Role.ADMIN),
        "campaigner": (organization, Role.CAMPAIGNER),
        "data_officer": (organization, Role.DATA_OFFICER),
        "other_campaigner": (elsewhere, Role.CAMPAIGNER),
        "no_role": None,
    }
    found = {}
    for name, grant in grants.items():
        found[name] = User.objects.create_user(name, f"{name}@example.org", None, is_staff=True)
        if grant:
            Membership.objects.create(user=found[name], organization=grant[0], role=grant[1])
    return found


def cells(page: str, table: str) -> list[list[str]]:
    match = re.search(rf'<div class="module" id="{table}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert match, page
    body = match.group(1)
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize("who", PEOPLE)
def test_the_petitions_organisation_and_site_wide_staff_see_the_screen_and_no_one_else(client, spread, people, who):
    if who != "anonymous":
        otp_login(client, people[who])

    response = client.get(f"/admin/sources/{spread.pk}/")

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    elif who not in VIEWERS:
        assert response.status_code == 403
        assert "telegram" not in response.content.decode()
    else:
        assert response.status_code == 200
        page = response.content.decode()
        assert cells(page, "summary") == [["All signatures", "5", "2", "7"], ["Through personal links", "3", "1", "4"]]
        assert cells(page, "depth") == [
            ["0", "2", "1", "3"],
            ["1", "1", "0", "1"],
            ["2", "1", "0", "1"],
            ["3+", "1", "1", "2"],
        ]
        assert ["telegram", "1", "1", "2"] in cells(page, "source-codes")
        assert ["news.example.com", "1", "1", "2"] in cells(page, "sites")


def test_it_answers_404_for_a_petition_that_does_not_exist(client, people):
    otp_login(client, people["admin"])

    assert client.get("/admin/sources/999999/").status_code == 404


def test_the_petitions_admin_page_links_to_the_screen(client, petition, people):
    otp_login(client, people["campaigner"])

    page = client.get(f"/admin/campaigns/petition/{petition.pk}/change/").content.decode()

    assert f'href="/admin/sources/{petition.pk}/"' in page


def test_the_screen_reads_the_petitions_signatures_in_one_query(client, spread, people):
    otp_login(client, people["campaigner"])

    with CaptureQueriesContext(connection) as queries:
        client.get(f"/admin/sources/{spread.pk}/")

    assert len([q for q in queries.captured_queries if '"signing_signature"' in q["sql"]]) == 1
