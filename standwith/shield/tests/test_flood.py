"""A scripted flood against an honest crowd, through the real sign view: throttled, seen, struck off.

A bot signs at speed from two networks with addresses at one domain, while
honest people sign from many networks and domains in between. The limits let
every honest signer through and stop the bot early; the shields rise; the
fraud console shows where the flood came from; one bulk invalidation leaves
the count at exactly the honest crowd.
"""

import pytest
from django.utils import timezone

from standwith.conftest import ORIGIN, sign_data
from standwith.shield import console, services, shields
from standwith.shield.services import Criteria
from standwith.signing import counting, digests

pytestmark = pytest.mark.django_db

HONEST = 60
BOT_ATTEMPTS = 150
BOT_NETWORKS = ["203.0.113", "198.51.100"]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.SIGN_LIMITS = {"ip": (5, 600), "network": (20, 600), "domain": (30, 600), "petition": None}
    settings.SIGN_LIMIT_EXEMPT_DOMAINS = frozenset()
    settings.SHIELD_RATE = 10_000
    settings.SHIELD_MIN_SIGNATURES = 20
    settings.SHIELD_SHARE_PERCENT = 25


def post(client, petition, ip: str, **fields: str):
    return client.post(f"/en/p/{petition.slug}/sign", sign_data(**fields), headers={"Origin": ORIGIN}, REMOTE_ADDR=ip)


def test_a_flood_is_throttled_seen_in_the_console_and_struck_off_in_bulk(client, instant_petition, admin_user):
    petition = instant_petition
    answers: dict[str, list[int]] = {"honest": [], "bot": []}
    for attempt in range(BOT_ATTEMPTS):
        network = BOT_NETWORKS[attempt % 2]
        bot = post(client, petition, f"{network}.{attempt % 200 + 1}", name="Bot", email=f"b{attempt}@flood-mail.net")
        answers["bot"].append(bot.status_code)
        if attempt % 5 < 2 and len(answers["honest"]) < HONEST:
            n = len(answers["honest"])
            person = post(client, petition, f"100.64.{n}.7", name=f"Person {n}", email=f"p{n}@crowd{n}.org")
            answers["honest"].append(person.status_code)

    # Every honest signer got through; the bot was throttled once its domain had used its allowance.
    assert answers["honest"] == [303] * HONEST
    assert answers["bot"].count(303) == 30
    assert answers["bot"].count(429) == BOT_ATTEMPTS - 30
    assert counting.stored_count(petition.pk) == HONEST + 30

    # The shields rise by themselves, on the bot's share of the last minutes.
    assert shields.watch() == [(petition, "raised")]
    petition.refresh_from_db()
    assert petition.shields_reason.endswith("came from one domain.")

    # The console names the flood's domain as the largest new group of the last 5 minutes.
    last_five = console.windows(petition, timezone.now())[0]
    flood_domain = digests.domain_digest("x@flood-mail.net")
    top = last_five.domains[0]
    assert (top.digest, top.count, top.departure) == (flood_domain, 30, "new")
    assert top.unusual
    assert {group.count for group in last_five.networks[:2]} == {15}
    assert all(group.count == 1 for group in last_five.networks[2:])

    batch = services.invalidate(petition, Criteria(domain=f"#{top.hex}"), "Scripted flood", admin_user)

    assert (batch.signatures, batch.counted) == (30, 30)
    assert counting.stored_count(petition.pk) == HONEST
    assert counting.reconcile(petition.pk) is None
