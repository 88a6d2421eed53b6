import hashlib
import hmac
import time

from standwith.outreach.webhooks.signatures import signature_header, verify

BODY = b'{"event":"signature.confirmed"}'
SECRET = "whsec_abc"


def test_it_signs_the_time_and_the_body_with_hmac_sha256():
    header = signature_header(SECRET, BODY, timestamp=1_700_000_000)

    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_it_verifies_its_own_signature():
    assert verify(SECRET, signature_header(SECRET, BODY), BODY)


def test_it_refuses_a_changed_body_another_secret_or_a_garbled_header():
    header = signature_header(SECRET, BODY)

    assert not verify(SECRET, header, BODY + b" ")
    assert not verify("whsec_other", header, BODY)
    assert not verify(SECRET, "", BODY)
    assert not verify(SECRET, "t=abc,v1=00", BODY)
    assert not verify(SECRET, header.split(",")[1], BODY)  # no time


def test_it_refuses_a_replay_older_than_the_tolerance():
    old = signature_header(SECRET, BODY, timestamp=int(time.time()) - 301)

    assert not verify(SECRET, old, BODY)
    assert verify(SECRET, old, BODY, tolerance=600)


def test_it_accepts_any_one_of_several_signatures():
    now = int(time.time())
    mine = signature_header(SECRET, BODY, timestamp=now).split(",")[1]

    assert verify(SECRET, f"t={now},v1={'0' * 64},{mine}", BODY)
