import datetime
from typing import Any

import pytest

from standwith import freshcache
from standwith.api.models import Scope
from standwith.api.tests.conftest import bearer, stored_signature
from standwith.signing import counting
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

URL = "/api/v1/organization/petitions/free-them/statistics"
NOV_1 = datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC)


def figures(client, secret) -> dict[str, Any]:
    response = client.get(URL, headers=bearer(secret))
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def test_it_answers_empty_figures_for_a_petition_nobody_signed(client, petition, make_token):
    _, secret = make_token([Scope.READ_STATISTICS])

    assert figures(client, secret) == {
        "signature_count": 0,
        "by_state": {"pending": 0, "validated": 0, "invalidated": 0, "withdrawn": 0},
        "by_country": [],
        "by_day": [],
        "by_source": [],
        "by_channel": {},
        "vouched": 0,
    }


def test_it_counts_every_state_and_names_every_country_however_small(client, petition, secret):
    stored_signature(petition, "a@example.org", country="LI", created_at=NOV_1)
    stored_signature(petition, "b@example.org", country="FR", created_at=NOV_1)
    stored_signature(petition, "c@example.org", country="FR", created_at=NOV_1)
    stored_signature(petition, "d@example.org", country="IS", state="pending", created_at=NOV_1)
    stored_signature(petition, "e@example.org", state="withdrawn", created_at=NOV_1 + datetime.timedelta(days=1))
    stored_signature(petition, "f@example.org", state="invalidated", created_at=NOV_1 + datetime.timedelta(days=1))

    data = figures(client, secret)

    assert data["by_state"] == {"pending": 1, "validated": 3, "invalidated": 1, "withdrawn": 1}
    # Only confirmed signers, and no folding: the organisation holds their data anyway.
    assert data["by_country"] == [{"country": "FR", "signatures": 2}, {"country": "LI", "signatures": 1}]
    assert data["by_day"] == [
        {"date": "2026-11-01", "signed": 4, "confirmed": 3},
        {"date": "2026-11-02", "signed": 2, "confirmed": 0},
    ]


def test_it_takes_the_count_from_the_stored_counter(client, petition, secret):
    counting.add(petition.pk, 1234)

    assert figures(client, secret)["signature_count"] == 1234


def test_it_counts_confirmed_signatures_by_source_channel_and_vouching(client, petition, secret, organization):
    for n, (source, channel, vouched) in enumerate(
        [("mail", "web", False), ("mail", "api", True), ("", "api", False), ("tw", "web", False)]
    ):
        signature = stored_signature(petition, f"s{n}@example.org")
        Signature.objects.filter(pk=signature.pk).update(
            source=source, channel=channel, vouched_by=organization if vouched else None
        )
    unconfirmed = stored_signature(petition, "p@example.org", state="pending")
    Signature.objects.filter(pk=unconfirmed.pk).update(source="mail", channel="api")

    data = figures(client, secret)

    assert data["by_source"] == [
        {"source": "mail", "signatures": 2},
        {"source": "", "signatures": 1},
        {"source": "tw", "signatures": 1},
    ]
    assert data["by_channel"] == {"web": 2, "api": 2}
    assert data["vouched"] == 1


def test_it_reuses_the_figures_for_a_minute_then_counts_again(client, petition, secret):
    assert figures(client, secret)["by_state"]["validated"] == 0
    stored_signature(petition, "a@example.org")

    assert figures(client, secret)["by_state"]["validated"] == 0
    freshcache.forget(f"organisation-statistics:{petition.pk}")
    assert figures(client, secret)["by_state"]["validated"] == 1


def test_it_keeps_one_petitions_figures_from_anothers(client, petition, instant_petition, secret):
    stored_signature(instant_petition, "a@example.org")

    assert figures(client, secret)["by_state"]["validated"] == 0


def test_it_is_not_marked_public_for_proxies(client, petition, secret):
    response = client.get(URL, headers=bearer(secret))

    assert "public" not in response.get("Cache-Control", "")
    assert response["ETag"]


def test_it_answers_304_to_a_client_with_the_current_figures(client, petition, secret):
    etag = client.get(URL, headers=bearer(secret))["ETag"]

    response = client.get(URL, headers={**bearer(secret), "If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_it_answers_404_for_an_unknown_petition(client, secret, db):
    response = client.get("/api/v1/organization/petitions/no-such-one/statistics", headers=bearer(secret))

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
