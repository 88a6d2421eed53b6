"""The petition dashboard: who may see it, what it counts, and that a refresh storm costs one count a minute."""

import datetime
import re

import pytest
from django.contrib.auth.models import User

from standwith.campaigns.models import Organization
from standwith.conftest import otp_login
from standwith.reports.tests.seeding import seed
from standwith.signing import statistics
from standwith.signing.models import Signature
from standwith.staff.models import Membership, Role

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "moderator", "admin", "campaigner", "data_officer", "other_campaigner", "no_role", "superuser"]
VIEWERS = {"moderator", "admin", "campaigner", "data_officer", "superuser"}
DAY = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)


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
    found["superuser"] = User.objects.create_superuser("root", "root@example.org", None)
    return found


@pytest.fixture
def signed(petition):
    """Over five days: 30 + 12 confirmed, 4 waiting, 2 withdrawn, 3 struck off; 8 from a small country."""
    seed(petition, 30, country="DE", source="telegram", at=DAY)
    seed(petition, 12, country="BR", at=DAY + datetime.timedelta(days=4))
    seed(petition, 8, country="MT", source="telegram", at=DAY + datetime.timedelta(days=4))
    seed(petition, 4, state=Signature.State.PENDING, at=DAY + datetime.timedelta(days=4))
    seed(petition, 2, state=Signature.State.WITHDRAWN, ever_validated=True, at=DAY)
    seed(petition, 3, state=Signature.State.INVALIDATED, ever_validated=False, at=DAY)
    return petition


def cells(page: str, caption: str) -> list[list[str]]:
    match = re.search(rf"<caption>{re.escape(caption)}</caption>.*?<tbody>(.*?)</tbody>", page, re.S)
    assert match, caption
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", match.group(1))]


@pytest.mark.parametrize("who", PEOPLE)
def test_the_petitions_organisation_and_site_wide_staff_see_the_dashboard_and_no_one_else(client, signed, people, who):
    if who != "anonymous":
        otp_login(client, people[who])

    response = client.get(f"/admin/reports/{signed.pk}/dashboard/")

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    elif who not in VIEWERS:
        assert response.status_code == 403
        assert "Germany" not in response.content.decode()
    else:
        assert response.status_code == 200
        assert "Germany" in response.content.decode()


def test_a_staff_member_without_a_second_factor_is_sent_to_sign_in(client, signed, people):
    client.force_login(people["admin"])

    response = client.get(f"/admin/reports/{signed.pk}/dashboard/")

    assert response.status_code == 302


def test_it_answers_404_for_a_petition_that_does_not_exist(client, people):
    otp_login(client, people["admin"])

    assert client.get("/admin/reports/999999/dashboard/").status_code == 404


def test_it_shows_the_funnel_the_days_the_countries_and_the_sources(client, signed, people):
    otp_login(client, people["campaigner"])

    page = client.get(f"/admin/reports/{signed.pk}/dashboard/").content.decode()

    assert cells(page, "From signing to counting") == [
        ["Signed", "59"],
        ["Confirmed", "52"],
        ["Counting now", "50"],
        ["Waiting for confirmation", "4"],
        ["Withdrawn by the signer", "2"],
        ["Invalidated", "3"],
    ]
    assert cells(page, "Signatures per day (UTC)") == [  # quiet days too, so that time reads evenly
        ["20 Nov 2026", "30", "0"],
        ["21 Nov 2026", "0", "0"],
        ["22 Nov 2026", "0", "0"],
        ["23 Nov 2026", "0", "0"],
        ["24 Nov 2026", "20", "4"],
    ]
    # Staff see every country by name, small ones too: these are their own signers' figures.
    assert cells(page, "Confirmed signatures by country") == [["Germany", "30"], ["Brazil", "12"], ["Malta", "8"]]
    assert cells(page, "Confirmed signatures by source") == [["telegram", "38"], ["No source code", "12"]]
    assert 'role="img"' in page
    assert 'aria-labelledby="by-country-title by-country-desc"' in page
    assert "Counted at" in page


def test_it_shows_a_young_petition_per_hour(client, petition, people):
    seed(petition, 3, at=DAY)
    seed(petition, 5, state=Signature.State.PENDING, at=DAY + datetime.timedelta(hours=2))
    otp_login(client, people["admin"])

    page = client.get(f"/admin/reports/{petition.pk}/dashboard/").content.decode()

    assert cells(page, "Signatures per hour (UTC)") == [
        ["20 Nov 2026 09:00", "3", "0"],
        ["20 Nov 2026 10:00", "0", "0"],
        ["20 Nov 2026 11:00", "0", "5"],
    ]


def test_it_shows_an_empty_petition_without_fault(client, petition, people):
    otp_login(client, people["admin"])

    response = client.get(f"/admin/reports/{petition.pk}/dashboard/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "No signatures yet." in page
    assert cells(page, "From signing to counting")[0] == ["Signed", "0"]


def test_it_draws_the_dashboard_right_to_left_in_arabic(client, signed, people):
    otp_login(client, people["admin"])

    response = client.get(f"/admin/reports/{signed.pk}/dashboard/", headers={"Accept-Language": "ar"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'dir="rtl"' in page
    assert "ألمانيا" in page  # Germany, named in the page's language


def test_it_counts_once_a_minute_however_often_it_is_reloaded(client, signed, people, django_assert_max_num_queries):
    otp_login(client, people["admin"])
    client.get(f"/admin/reports/{signed.pk}/dashboard/")
    seed(signed, 100, country="FR")

    with django_assert_max_num_queries(12) as captured:
        page = client.get(f"/admin/reports/{signed.pk}/dashboard/").content.decode()

    assert not any("signing_signature" in query["sql"] for query in captured.captured_queries)
    assert "France: 100" not in page  # still the figures counted a moment ago
    assert "Germany: 30" in page


def test_it_counts_a_petition_of_many_signatures_in_few_queries(petition, django_assert_num_queries):
    for day in range(40):
        seed(petition, 3, country=["US", "RU", "CN"][day % 3], at=DAY + datetime.timedelta(days=day))

    with django_assert_num_queries(4):  # the funnel, per day, by country, by source
        figures = statistics._count_dashboard(petition.pk)

    assert len(figures.by_day) == 40
    assert figures.by_hour == []
    assert figures.funnel.counting == 120


def test_it_still_counts_signatures_whose_personal_data_was_erased(client, signed, people):
    Signature.objects.filter(petition=signed, country="DE").update(erased_at=DAY)
    otp_login(client, people["data_officer"])

    page = client.get(f"/admin/reports/{signed.pk}/dashboard/").content.decode()

    assert ["Germany", "30"] in cells(page, "Confirmed signatures by country")


def test_the_petitions_admin_page_links_to_the_dashboard(client, petition, people):
    otp_login(client, people["admin"])

    page = client.get(f"/admin/campaigns/petition/{petition.pk}/change/").content.decode()

    assert f'href="/admin/reports/{petition.pk}/dashboard/"' in page
