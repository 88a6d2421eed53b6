"""The proof-of-work challenge: handed out fresh, solved once, never forged, replayed or kept past its time."""

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import altcha
import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django_tasks_db.models import DBTaskResult

from standwith.cache import ResilientRedisCache
from standwith.campaigns.models import Petition
from standwith.campaigns.services import forget_cached_petition
from standwith.shield import challenge
from standwith.shield.models import LimitCounter, SpentChallenge
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

Change = Callable[[dict[str, Any]], None]


@pytest.fixture(autouse=True)
def _quick_challenges(settings: Any) -> None:
    settings.CHALLENGE_COMPLEXITY = 256  # one PBKDF2 round a try: solved here in a few milliseconds


@pytest.fixture
def shielded(petition: Petition) -> Petition:
    petition.shield_mode = Petition.Shields.ALWAYS
    petition.save(update_fields=["shield_mode"])
    forget_cached_petition(petition)
    return petition


def solved(lifetime: timedelta = challenge.LIFETIME) -> str:
    """A challenge from the site, solved by brute force as a browser solves it: the form field's value."""
    issued = altcha.Challenge.from_dict(challenge.create(lifetime))
    solution = altcha.solve_challenge(issued)
    assert solution is not None
    return altcha.Payload(issued, solution).to_base64()


def decoded(payload: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.b64decode(payload))
    return data


def encoded(data: object) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


def altered(payload: str, change: Change) -> str:
    data = decoded(payload)
    change(data)
    return encoded(data)


def refusal(payload: str) -> str:
    with pytest.raises(challenge.Refused) as refused:
        challenge.spend(payload)
    return refused.value.reason


def nothing_stored() -> bool:
    return not (
        Signature.objects.exists()
        or DBTaskResult.objects.exists()
        or SpentChallenge.objects.exists()
        or LimitCounter.objects.exists()
    )


# Handing challenges out


def test_it_hands_out_a_new_signed_challenge_on_each_request_that_nobody_may_cache(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        first = client.get("/api/v1/challenge")
    second = client.get("/api/v1/challenge")

    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert "no-store" in first["Cache-Control"]
    assert "public" not in first["Cache-Control"]
    parameters = first.json()["parameters"]
    assert parameters["nonce"] != second.json()["parameters"]["nonce"]
    assert parameters["algorithm"] == "PBKDF2/SHA-256"
    assert parameters["keyPrefix"] == "00"
    assert abs(parameters["expiresAt"] - (time.time() + 600)) < 5
    assert re.fullmatch(r"[0-9a-f]{64}", first.json()["signature"])


def test_it_spreads_the_configured_work_over_the_expected_256_tries(settings):
    settings.CHALLENGE_COMPLEXITY = 1_000_000

    assert challenge.create()["parameters"]["cost"] == 3907


def test_it_answers_only_reads_at_the_challenge_address(client):
    response = client.post("/api/v1/challenge")

    assert response.status_code == 405


# Spending a solution


def test_it_takes_a_solution_once():
    payload = solved()

    challenge.spend(payload)

    assert refusal(payload) == "used before"


@pytest.mark.parametrize("record", [challenge.record_spent_in_database, challenge.record_spent_in_cache])
def test_it_records_a_solved_challenge_once_in_the_database_and_in_the_cache(record):
    keep_until = int(time.time()) + 600

    assert record("a" * 64, keep_until) is True
    assert record("a" * 64, keep_until) is False
    assert record("b" * 64, keep_until) is True


def test_it_refuses_a_replay_on_the_database_path(settings):
    settings.REDIS_URL = ""
    payload = solved()

    challenge.spend(payload)

    assert refusal(payload) == "used before"
    assert SpentChallenge.objects.get().signature == decoded(payload)["challenge"]["signature"]


def test_it_refuses_a_replay_on_the_cache_path_and_keeps_the_record_until_the_challenge_expires(settings):
    # Whichever backend the cache has here (Redis or, on the embedded stack, local memory).
    settings.REDIS_URL = settings.REDIS_URL or "redis://in-front-of-the-cache/0"
    payload = solved()

    challenge.spend(payload)

    assert refusal(payload) == "used before"
    assert not SpentChallenge.objects.exists()
    if settings.CACHES["default"]["BACKEND"] == "standwith.cache.ResilientRedisCache":
        client = challenge.cache._cache.get_client()
        key = challenge.cache.make_key(f"challenge-spent:{decoded(payload)['challenge']['signature']}")
        assert 600 < client.ttl(key) <= 600 + challenge.CLOCK_MARGIN_SECONDS


def test_it_keeps_the_record_in_the_database_while_redis_does_not_answer(settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    unreachable = ResilientRedisCache("redis://127.0.0.1:1/0", {})
    monkeypatch.setattr(challenge, "cache", unreachable)
    payload = solved()

    challenge.spend(payload)

    assert SpentChallenge.objects.count() == 1
    assert refusal(payload) == "used before"


def test_it_forgets_expired_records_as_new_ones_come_in(settings):
    settings.REDIS_URL = ""
    SpentChallenge.objects.create(signature="old", expires_at=int(time.time()) - 1)
    SpentChallenge.objects.create(signature="recent", expires_at=int(time.time()) + 60)
    payload = solved()

    challenge.spend(payload)

    spent = set(SpentChallenge.objects.values_list("signature", flat=True))
    assert spent == {"recent", decoded(payload)["challenge"]["signature"]}


def test_it_refuses_an_expired_challenge():
    assert refusal(solved(lifetime=timedelta(seconds=-1))) == "expired"
    assert not SpentChallenge.objects.exists()


def wrong_counter(data: dict[str, Any]) -> None:
    data["solution"]["counter"] += 1


def key_without_the_prefix(data: dict[str, Any]) -> None:
    """An honest derivation for a counter whose key does not start with the prefix: work not done."""
    parameters = altcha.ChallengeParameters.from_dict(data["challenge"]["parameters"])
    counter = 0
    while True:
        key = altcha.derive_key_pbkdf2(
            parameters, bytes.fromhex(parameters.salt), bytes.fromhex(parameters.nonce) + counter.to_bytes(4, "big")
        )
        if not key.hex().startswith(parameters.key_prefix):
            break
        counter += 1
    data["solution"] = {"counter": counter, "derivedKey": key.hex()}


def easier(data: dict[str, Any]) -> None:
    data["challenge"]["parameters"]["keyPrefix"] = ""


def other_salt(data: dict[str, Any]) -> None:
    data["challenge"]["parameters"]["salt"] = "00" * 16


def longer_life(data: dict[str, Any]) -> None:
    data["challenge"]["parameters"]["expiresAt"] += 3600


def other_signature(data: dict[str, Any]) -> None:
    data["challenge"]["signature"] = "0" * 64


def unsigned(data: dict[str, Any]) -> None:
    del data["challenge"]["signature"]


def signed_elsewhere(data: dict[str, Any]) -> None:
    # A challenge someone made with a key of their own, solved honestly.
    theirs = altcha.create_challenge("PBKDF2/SHA-256", 1, key_prefix="0", hmac_secret=b"not the site's key")
    solution = altcha.solve_challenge(theirs)
    assert solution is not None
    data.update(altcha.Payload(theirs, solution).to_dict())


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (wrong_counter, "wrong"),
        (key_without_the_prefix, "wrong"),
        (easier, "not the site's"),
        (other_salt, "not the site's"),
        (longer_life, "not the site's"),
        (other_signature, "not the site's"),
        (unsigned, "not the site's"),
        (signed_elsewhere, "not the site's"),
    ],
)
def test_it_refuses_a_forged_solution(change: Change, reason: str):
    assert refusal(altered(solved(), change)) == reason
    assert not SpentChallenge.objects.exists()


UNREADABLE = {
    "not base64": "%%% not base64 %%%",
    "not ascii": "ключ",
    "not json": base64.b64encode(b"\xff\xfe not json").decode(),
    "a json list": encoded([1, 2, 3]),
    "a json string": encoded("challenge"),
    "no solution": encoded({"challenge": {"parameters": {}, "signature": "x"}}),
    "parameters as text": encoded({"challenge": {"parameters": "x", "signature": "x"}, "solution": {}}),
    "deeply nested": encoded({"challenge": json.loads("[" * 600 + "]" * 600)}),
}


@pytest.mark.parametrize("payload", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_it_refuses_what_is_not_a_solution_at_all(payload: str):
    assert refusal(payload) in {"unreadable", "not the site's"}


def test_it_does_not_even_read_a_field_far_longer_than_any_solution():
    assert refusal(solved() + "A" * challenge.MAX_LENGTH) == "too long"


def test_it_refuses_a_missing_solution():
    assert refusal("") == "missing"


# On the sign path


def test_it_signs_without_a_solution_while_the_shields_are_down(sign, petition):
    response = sign(petition)

    assert response.status_code == 303
    assert Signature.objects.count() == 1


def test_it_ignores_the_field_altogether_while_the_shields_are_down(sign, petition):
    payload = solved()

    assert sign(petition, altcha="garbage", email="one@example.org").status_code == 303
    assert sign(petition, altcha=payload, email="two@example.org").status_code == 303
    assert sign(petition, altcha=payload, email="three@example.org").status_code == 303
    assert Signature.objects.count() == 3
    assert not SpentChallenge.objects.exists()


def test_it_signs_with_a_solution_while_the_shields_are_up(sign, shielded):
    response = sign(shielded, altcha=solved())

    assert response.status_code == 303
    assert response["Location"] == f"/en/p/{shielded.slug}/check-email"
    assert Signature.objects.count() == 1


def test_it_requires_the_challenge_while_automatic_shields_are_raised(sign, petition):
    petition.shield_mode = Petition.Shields.AUTO
    petition.shields_raised_at = petition.created_at
    petition.save(update_fields=["shield_mode", "shields_raised_at"])
    forget_cached_petition(petition)

    assert sign(petition).status_code == 403
    assert sign(petition, altcha=solved()).status_code == 303


def test_it_explains_what_to_do_and_stores_nothing_without_a_solution_while_the_shields_are_up(
    sign, shielded, mailoutbox
):
    response = sign(shielded)

    assert response.status_code == 403
    page = response.content.decode()
    assert "Signing needs a quick check just now" in page
    assert "Nothing you sent was recorded" in page
    assert "allow JavaScript for this site" in page
    assert "wait a few minutes" in page
    assert "another browser" in page
    assert f'href="/en/p/{shielded.slug}/"' in page  # back to the petition
    assert nothing_stored()
    assert mailoutbox == []


def test_it_refuses_a_replayed_solution_on_the_sign_path_and_stores_nothing_for_it(sign, shielded):
    payload = solved()
    assert sign(shielded, altcha=payload, email="first@example.org").status_code == 303

    replay = sign(shielded, altcha=payload, email="second@example.org")

    assert replay.status_code == 403
    assert Signature.objects.count() == 1


def test_it_refuses_an_expired_solution_on_the_sign_path(sign, shielded):
    response = sign(shielded, altcha=solved(lifetime=timedelta(seconds=-1)))

    assert response.status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(lambda: altered(solved(), wrong_counter), id="wrong counter"),
        pytest.param(lambda: altered(solved(), other_salt), id="altered salt"),
        pytest.param(lambda: altered(solved(), other_signature), id="altered signature"),
        pytest.param(lambda: "%%% not base64 %%%", id="not base64"),
        pytest.param(lambda: base64.b64encode(b"not json").decode(), id="not json"),
        pytest.param(lambda: "A" * 60_000, id="oversize"),
    ],
)
def test_it_refuses_a_forged_solution_on_the_sign_path_with_the_same_page_and_stores_nothing(
    sign, shielded, payload: Callable[[], str]
):
    missing = sign(shielded)

    forged = sign(shielded, altcha=payload())

    assert forged.status_code == missing.status_code == 403
    assert forged.content == missing.content  # a script learns nothing about what it got wrong
    assert nothing_stored()


def test_it_stores_nothing_of_the_solution_with_the_signature(sign, shielded):
    payload = solved()
    signature = decoded(payload)["challenge"]["signature"]

    sign(shielded, altcha=payload)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM signing_signature")
        (row,) = cursor.fetchall()
    stored = " ".join(bytes(value).hex() if isinstance(value, bytes | memoryview) else str(value) for value in row)
    for part in [payload, signature, hashlib.sha256(payload.encode()).hexdigest(), "altcha"]:
        assert part not in stored
    assert DBTaskResult.objects.count() == 1
    assert payload not in json.dumps(DBTaskResult.objects.get().args_kwargs)


def test_it_checks_the_solution_before_counting_the_attempt_against_the_rate_limits(sign, shielded, settings):
    settings.SIGN_LIMITS = {**settings.SIGN_LIMITS, "ip": (5, 600)}  # one attempt once the shields divide it
    for number in range(3):
        assert sign(shielded, email=f"bot{number}@example.org").status_code == 403

    assert sign(shielded, altcha=solved()).status_code == 303


# On the petition page


def test_it_puts_the_challenge_on_the_cached_page_from_the_site_itself(client, petition):
    page = client.get(f"/en/p/{petition.slug}/").content.decode()

    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page)
    assert "/static/standwith/challenge.js" in scripts
    assert all(src.startswith("/static/") for src in scripts)
    (field,) = re.findall(r'<input type="hidden" name="altcha"[^>]*>', page)
    assert 'value=""' in field  # the same empty field for everyone: the script fills it in
    assert 'data-challenge="/api/v1/challenge"' in field
    worker = re.search(r'data-worker="([^"]+)"', field)
    assert worker
    assert worker.group(1) == "/static/standwith/altcha/pbkdf2.js"
    for path in ("standwith/challenge.js", "standwith/altcha/pbkdf2.js", "standwith/altcha/LICENSE.txt"):
        assert finders.find(path), path
    assert 'role="status"' in page
    assert "your browser is making a quick check" in page


def test_it_lets_the_page_run_the_solver_under_its_content_security_policy(client, petition):
    policy = client.get(f"/en/p/{petition.slug}/")["Content-Security-Policy"]

    # A worker script from the site itself falls under script-src; the challenge is fetched from the site too.
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "worker-src" not in policy
    assert "blob:" not in policy
