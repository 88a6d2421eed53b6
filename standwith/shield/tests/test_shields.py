"""Automatic shields: raised by a flood, with why, staff told; lowered when the storm has passed; tighter limits."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from standwith.campaigns.models import Petition
from standwith.campaigns.services import public_petition
from standwith.shield import limits, shields
from standwith.signing import services as signing
from standwith.signing.emails import parse_address
from standwith.signing.models import Signature
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_thresholds(settings):
    settings.SHIELD_RATE = 30
    settings.SHIELD_MIN_SIGNATURES = 10
    settings.SHIELD_SHARE_PERCENT = 25
    settings.SHIELD_CALM_MINUTES = 15
    settings.SIGN_LIMITS = {"ip": None, "network": None, "domain": None, "petition": None}


@pytest.fixture
def campaigner(organization) -> User:
    user = User.objects.create_user("campaigner@example.org", "campaigner@example.org")
    Membership.objects.create(user=user, organization=organization, role=Role.CAMPAIGNER)
    return user


def sign_many(petition: Petition, count: int, *, network: str | None = None, domain: str = "") -> None:
    """`count` signatures, each from its own network and domain unless one is given."""
    for n in range(count):
        ip = f"{network}.{n % 250 + 1}" if network else f"10.{n // 250}.{n % 250}.1"
        email = f"s{n}-{network or 'crowd'}@{domain or f'd{n}-{network or 0}.example.org'}"
        signing.sign(petition, signing.Signer(name="Sam", email=parse_address(email), country="FR", client_ip=ip))


def fresh(petition: Petition) -> Petition:
    petition.refresh_from_db()
    return petition


def test_a_burst_of_signatures_raises_the_shields_records_why_and_tells_staff(petition, campaigner, run_tasks):
    sign_many(petition, 30)

    assert shields.watch() == [(petition, "raised")]

    petition = fresh(petition)
    assert shields.up(petition)
    assert petition.shields_reason == "30 signatures in the last minute."
    # The sign path reads the petition from cache: it sees the shields at once.
    assert shields.up(public_petition(petition.slug))
    entry = AuditRecord.objects.get(action="shields.raised")
    assert entry.actor is None
    assert entry.details["reason"] == "30 signatures in the last minute."
    run_tasks()
    (message,) = [m for m in mail.outbox if m.subject.startswith("Shields")]
    assert message.subject == "Shields up on “Free them”"
    assert message.to == ["campaigner@example.org"]
    assert "30 signatures in the last minute." in message.body


def test_one_network_bringing_a_large_share_raises_the_shields(petition):
    sign_many(petition, 15)
    sign_many(petition, 6, network="203.0.113")

    shields.watch()

    assert fresh(petition).shields_reason == "28% of the last 5 minutes' 21 signatures came from one network."


def test_one_domain_bringing_a_large_share_raises_the_shields(petition):
    sign_many(petition, 15)
    sign_many(petition, 6, domain="throwaway.example.net")

    shields.watch()

    assert fresh(petition).shields_reason == "28% of the last 5 minutes' 21 signatures came from one domain."


def test_big_providers_and_a_spread_crowd_raise_nothing(petition):
    sign_many(petition, 15)
    sign_many(petition, 10, domain="gmail.com")

    assert shields.watch() == []
    assert not shields.up(fresh(petition))


def test_a_small_petition_is_not_judged_on_a_handful_of_signatures(petition):
    sign_many(petition, 5, network="203.0.113")

    assert shields.watch() == []


def test_the_shields_stay_up_through_the_storm_and_come_down_after_a_calm_spell(petition, campaigner, run_tasks):
    sign_many(petition, 30)
    start = timezone.now()
    shields.watch(start)

    # Still storming ten minutes on: the shields stay up, and the storm's last sighting moves on.
    Signature.objects.update(created_at=start + datetime.timedelta(minutes=10))
    assert shields.watch(start + datetime.timedelta(minutes=10, seconds=30)) == []
    assert fresh(petition).shields_storm_seen_at == start + datetime.timedelta(minutes=10, seconds=30)

    # Calm, but not for long enough yet.
    assert shields.watch(start + datetime.timedelta(minutes=20)) == []
    assert shields.up(fresh(petition))

    later = start + datetime.timedelta(minutes=26)
    assert shields.watch(later) == [(petition, "lowered")]

    petition = fresh(petition)
    assert not shields.up(petition)
    assert (petition.shields_raised_at, petition.shields_reason) == (None, "")
    assert AuditRecord.objects.get(action="shields.lowered").details["reason"] == "30 signatures in the last minute."
    run_tasks()
    assert [m.subject for m in mail.outbox if m.subject.startswith("Shields")] == [
        "Shields up on “Free them”",
        "Shields down on “Free them”",
    ]


@pytest.mark.parametrize("mode", [Petition.Shields.OFF, Petition.Shields.ALWAYS])
def test_only_automatic_shields_move_by_themselves(petition, mode):
    Petition.objects.filter(pk=petition.pk).update(shield_mode=mode)
    sign_many(petition, 30)

    assert shields.watch() == []
    assert shields.up(fresh(petition)) is (mode == Petition.Shields.ALWAYS)


def test_a_closed_petition_is_left_alone(petition):
    sign_many(petition, 30)
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.CLOSED)

    assert shields.watch() == []


def test_per_source_limits_tighten_while_the_shields_are_up_but_not_the_petitions(petition, settings):
    settings.SIGN_LIMITS = {"ip": (10, 600), "network": None, "domain": None, "petition": (10, 600)}
    settings.SHIELD_LIMIT_DIVISOR = 5
    email = parse_address("sam@example.org")

    limits.check(petition, "198.51.100.7", email)
    limits.check(petition, "198.51.100.7", email)  # shields down: 10 an address
    Petition.objects.filter(pk=petition.pk).update(shield_mode=Petition.Shields.ALWAYS)
    petition = fresh(petition)

    with pytest.raises(limits.RateLimited):
        limits.check(petition, "198.51.100.7", email)  # shields up: 2 an address
    for n in range(7):
        limits.check(petition, f"192.0.2.{n + 1}", email)  # the petition's own limit is not divided
