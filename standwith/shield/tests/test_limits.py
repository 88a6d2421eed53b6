"""Sliding-window rate limits on signing: per address, network, email domain and petition."""

import os
import subprocess
import sys

import pytest
from django_tasks_db.models import DBTaskResult

from standwith.conftest import ORIGIN, free_port, sign_data
from standwith.shield import limits, network
from standwith.shield.models import LimitCounter
from standwith.shield.tasks import purge_limit_counters
from standwith.signing.emails import parse_address
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

START = 1_800_000_000.0  # the start of a 1-, 10- and 60-minute window alike


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(limits, "clock", clock)
    return clock


@pytest.fixture(params=["database", "redis"] if os.environ.get("REDIS_URL") else ["database"])
def counters(request, settings):
    """Where the counters live: the database (the embedded default), and Redis when the run has one."""
    if request.param == "database":
        settings.REDIS_URL = ""
    return request.param


@pytest.fixture
def limit(settings, counters, clock):
    """Set only the given limits, as (count, seconds); the others are off."""

    def set_limits(**dimensions: tuple[int, int]) -> None:
        settings.SIGN_LIMITS = dimensions

    return set_limits


def attempt(client, petition, email="ada@example.org", ip="203.0.113.10", **headers):
    return client.post(
        f"/en/p/{petition.slug}/sign", sign_data(email=email), headers={"Origin": ORIGIN, **headers}, REMOTE_ADDR=ip
    )


def statuses(client, petition, signers):
    return [attempt(client, petition, email, ip).status_code for email, ip in signers]


def test_it_refuses_one_address_over_its_limit_and_lets_the_next_address_in(client, petition, limit):
    limit(ip=(3, 600))

    assert statuses(client, petition, [(f"s{n}@example.org", "203.0.113.10") for n in range(4)]) == [303] * 3 + [429]
    assert attempt(client, petition, "next@example.org", "203.0.113.11").status_code == 303


def test_it_counts_an_ipv6_client_by_its_64(client, petition, limit):
    limit(ip=(2, 600))
    same_subscriber = ["2001:db8:1:1::1", "2001:db8:1:1::2", "2001:db8:1:1:ffff:ffff:ffff:9"]

    assert statuses(client, petition, [(f"s{n}@example.org", ip) for n, ip in enumerate(same_subscriber)]) == [
        303,
        303,
        429,
    ]
    assert attempt(client, petition, "next@example.org", "2001:db8:1:2::1").status_code == 303


@pytest.mark.parametrize(
    ("one_network", "elsewhere"),
    [
        (["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.254"], "198.51.100.1"),
        (["2001:db8:5:1::1", "2001:db8:5:2::1", "2001:db8:5:3::1", "2001:db8:5:ffff::1"], "2001:db8:6::1"),
    ],
    ids=["ipv4 /24", "ipv6 /48"],
)
def test_it_refuses_a_network_over_its_limit(client, petition, limit, one_network, elsewhere):
    limit(network=(3, 600))

    assert statuses(client, petition, [(f"s{n}@example.org", ip) for n, ip in enumerate(one_network)]) == [
        303,
        303,
        303,
        429,
    ]
    assert attempt(client, petition, "next@example.org", elsewhere).status_code == 303


def test_it_refuses_an_email_domain_over_its_limit_from_any_network(client, petition, limit):
    limit(domain=(3, 600))
    one_domain = [
        ("a@flood.example", "203.0.113.1"),
        ("b@flood.example", "198.51.100.1"),
        ("c@FLOOD.example", "192.0.2.1"),
        ("d@flood.example", "2001:db8::1"),
    ]

    assert statuses(client, petition, one_domain) == [303, 303, 303, 429]
    assert attempt(client, petition, "e@other.example", "203.0.113.9").status_code == 303


def test_it_does_not_limit_the_big_mail_providers_by_domain(client, petition, limit):
    limit(domain=(3, 600))

    assert statuses(client, petition, [(f"signer{n}@gmail.com", f"198.51.100.{n}") for n in range(5)]) == [303] * 5


def test_it_refuses_a_petition_over_its_limit_and_not_the_next_petition(client, petition, instant_petition, limit):
    limit(petition=(3, 600))
    crowd = [(f"s{n}@site{n}.example", f"198.51.{n}.1") for n in range(4)]

    assert statuses(client, petition, crowd) == [303, 303, 303, 429]
    assert attempt(client, instant_petition, "next@example.org", "203.0.113.9").status_code == 303


def test_it_explains_the_refusal_and_when_to_come_back(client, petition, limit, clock):
    limit(ip=(3, 600))
    statuses(client, petition, [(f"s{n}@example.org", "203.0.113.10") for n in range(3)])

    refused = attempt(client, petition, "late@example.org")

    assert refused.status_code == 429
    # The three weigh in full until the next window starts, then fade out over it.
    assert refused["Retry-After"] == "601"
    page = refused.content.decode()
    assert "Please wait a little before signing" in page
    assert "Nothing you sent was recorded. Please try again in 11 minutes." in page
    clock.advance(600)
    assert attempt(client, petition, "late@example.org")["Retry-After"] == "1"
    clock.advance(1)
    assert attempt(client, petition, "late@example.org").status_code == 303


def test_it_stores_nothing_for_a_refused_attempt(client, petition, limit):
    limit(ip=(1, 600), petition=(2, 600))
    attempt(client, petition, "first@example.org", "203.0.113.10")
    stored = (Signature.objects.count(), DBTaskResult.objects.count())

    refused = statuses(client, petition, [(f"bot{n}@example.org", "203.0.113.10") for n in range(5)])

    assert refused == [429] * 5
    assert (Signature.objects.count(), DBTaskResult.objects.count()) == stored
    # Nor did they use up the petition's allowance for everybody else.
    assert attempt(client, petition, "honest@example.org", "198.51.100.7").status_code == 303
    assert attempt(client, petition, "late@example.org", "192.0.2.7").status_code == 429


def test_it_counts_a_repeat_signature_as_an_attempt_and_answers_it_like_a_new_one(client, petition, limit):
    limit(ip=(3, 600))
    assert statuses(client, petition, [("same@example.org", "203.0.113.10")] * 3) == [303] * 3

    repeat = attempt(client, petition, "same@example.org")
    new = attempt(client, petition, "new@example.org")

    assert repeat.status_code == new.status_code == 429
    assert (repeat.content, repeat["Retry-After"]) == (new.content, new["Retry-After"])


def test_it_weighs_the_previous_window_by_how_much_of_it_is_still_within_the_sliding_window(petition, limit, clock):
    limit(ip=(4, 600))
    email = parse_address("ada@example.org")

    def let_in() -> bool:
        try:
            limits.check(petition, "203.0.113.10", email)
        except limits.RateLimited:
            return False
        return True

    assert [let_in() for _ in range(5)] == [True] * 4 + [False]
    clock.advance(600)  # a fixed window would let four more in at once; here the four weigh in full
    assert let_in() is False
    clock.advance(150)  # a quarter on, they weigh three
    assert [let_in() for _ in range(2)] == [True, False]
    clock.advance(150)  # halfway, two
    assert [let_in() for _ in range(2)] == [True, False]
    clock.advance(300)  # the next window: the two let in during this one weigh in full
    assert [let_in() for _ in range(3)] == [True, True, False]


def test_it_says_when_the_sliding_window_has_room_again(petition, limit, clock):
    limit(ip=(4, 600))
    email = parse_address("ada@example.org")
    clock.advance(300)
    for _ in range(4):
        limits.check(petition, "203.0.113.10", email)

    with pytest.raises(limits.RateLimited) as refused:
        limits.check(petition, "203.0.113.10", email)

    assert refused.value.retry_after == 301
    clock.advance(300)
    with pytest.raises(limits.RateLimited):
        limits.check(petition, "203.0.113.10", email)
    clock.advance(1)
    limits.check(petition, "203.0.113.10", email)


def test_it_keeps_only_keyed_digests_of_addresses_and_domains_in_the_database(petition, settings):
    settings.REDIS_URL = ""
    settings.SIGN_LIMITS = {"ip": (5, 600), "network": (5, 600), "domain": (5, 600), "petition": (5, 600)}

    limits.check(petition, "203.0.113.77", parse_address("ada@flood.example"))

    keys = list(LimitCounter.objects.values_list("key", flat=True))
    assert len(keys) == 4
    stored = " ".join(keys)
    for secret in ["203.0.113", "flood.example"]:
        assert secret not in stored


def test_it_purges_counters_once_both_their_windows_are_over(petition, settings, clock):
    settings.REDIS_URL = ""
    settings.SIGN_LIMITS = {"ip": (5, 600), "petition": (5, 60)}
    limits.check(petition, "203.0.113.10", parse_address("ada@example.org"))

    clock.advance(121)
    assert purge_limit_counters.call() == 1  # the petition's, whose windows last a minute
    clock.advance(1079)
    assert purge_limit_counters.call() == 0
    clock.advance(1)
    assert purge_limit_counters.call() == 1
    assert not LimitCounter.objects.exists()


def test_it_keeps_signing_without_limits_while_redis_is_down(client, petition, settings, caplog):
    settings.SIGN_LIMITS = {"ip": (1, 600)}
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    assert statuses(client, petition, [(f"s{n}@example.org", "203.0.113.10") for n in range(3)]) == [303] * 3
    assert Signature.objects.count() == 3
    assert "Redis unreachable; signing without rate limits" in caplog.text


class TestBehindAProxy:
    PROXY = "10.0.0.1"

    @pytest.fixture(autouse=True)
    def trusted_proxy(self, settings):
        settings.TRUSTED_PROXIES = [self.PROXY]
        network._trusted_proxies.cache_clear()
        yield
        network._trusted_proxies.cache_clear()

    def test_it_counts_each_client_by_the_address_the_trusted_proxy_saw(self, client, petition, limit):
        limit(ip=(1, 600))

        def via_proxy(email, forwarded_for):
            return attempt(client, petition, email, self.PROXY, **{"X-Forwarded-For": forwarded_for}).status_code

        assert via_proxy("a@example.org", "203.0.113.5") == 303
        assert via_proxy("b@example.org", "198.51.100.6") == 303
        # What the client wrote itself, left of what the proxy added, does not move it to another bucket.
        assert via_proxy("c@example.org", "192.0.2.99, 203.0.113.5") == 429

    def test_it_ignores_a_forwarded_for_header_from_an_untrusted_peer(self, client, petition, limit):
        limit(ip=(2, 600))
        spoofed = [
            attempt(client, petition, f"s{n}@example.org", "198.51.100.7", **{"X-Forwarded-For": f"192.0.2.{n}"})
            for n in range(3)
        ]

        assert [response.status_code for response in spoofed] == [303, 303, 429]
        # Nor could it spend the allowance of the address it claimed.
        forwarded = {"X-Forwarded-For": "192.0.2.0"}
        assert attempt(client, petition, "real@example.org", self.PROXY, **forwarded).status_code == 303


def settings_of_a_new_process(**environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SIGN_LIMITS)"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "standwith.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_reads_the_limits_from_the_environment():
    result = settings_of_a_new_process(
        STANDWITH_LIMIT_IP="5/90s", STANDWITH_LIMIT_NETWORK="100 / h", STANDWITH_LIMIT_PETITION="off"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        {"ip": (5, 90), "network": (100, 3600), "domain": (1000, 600), "petition": None}
    )


@pytest.mark.parametrize("value", ["twenty/10m", "0/10m", "20/8d", "20 per minute"])
def test_it_refuses_to_start_with_a_malformed_limit(value):
    result = settings_of_a_new_process(STANDWITH_LIMIT_DOMAIN=value)

    assert result.returncode != 0
    assert "STANDWITH_LIMIT_DOMAIN must be a count per window such as 30/10m" in result.stderr
