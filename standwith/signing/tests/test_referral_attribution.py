"""Personal share links, end to end through the public pages: each confirmed signer's link attributes the
signatures it brings, two generations deep, and any code that is not a live signer's is ignored."""

import html
import importlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from standwith.conftest import ORIGIN, sign_data
from standwith.signing import digests, referrals
from standwith.signing import services as signing
from standwith.signing.emails import parse_address
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:8000/en/p/free-them/confirm/[^/\s]+/")
SHARE_ADDRESS = re.compile(r'<input id="share-address"[^>]* value="([^"]+)"')


def found(pattern: re.Pattern[str], text: str, group: int = 0) -> str:
    match = pattern.search(text)
    assert match, text
    return match.group(group)


def confirm_by_mail(smtp_sink, run_tasks, email: str) -> str:
    """Open the emailed link, press its button, and return the personal share link the thanks page shows."""
    run_tasks()
    (message,) = [message for _sender, to, message in smtp_sink.messages if to == [email]]
    link = found(CONFIRM_LINK, message.get_body(("plain",)).get_content())
    browser = Client()
    path = link.removeprefix(settings.SITE_URL)
    assert browser.get(path).status_code == 200
    confirmed = browser.post(path)
    assert confirmed.status_code == 303
    thanks = browser.get(confirmed["Location"])
    assert thanks.status_code == 200
    return html.unescape(found(SHARE_ADDRESS, thanks.content.decode(), 1))


def sign_as_a_browser(browser: Client, email: str, **fields: str) -> None:
    response = browser.post("/en/p/free-them/sign", sign_data(email=email, **fields), headers={"Origin": ORIGIN})
    assert response.status_code == 303


def signature_of(email: str) -> Signature:
    (signature,) = [
        signature
        for signature in Signature.objects.all()
        if bytes(signature.email_digest) == digests.email_digest(signature.petition_id, email)
    ]
    return signature


def test_it_attributes_signatures_through_personal_links_two_generations_deep(client, petition, run_tasks, smtp_sink):
    sign_as_a_browser(client, "first@example.org")
    first_link = confirm_by_mail(smtp_sink, run_tasks, "first@example.org")
    first = signature_of("first@example.org")
    assert first_link == referrals.share_link(first).replace("/?ref=", "/?source=link&ref=")

    # A friend opens the link (no JavaScript: the code travels in the cookie the page sets) and signs.
    friend = Client()
    page = friend.get(first_link.removeprefix(settings.SITE_URL), follow=True)
    assert page.status_code == 200
    sign_as_a_browser(friend, "second@example.org", source="link")
    second_link = confirm_by_mail(smtp_sink, run_tasks, "second@example.org")

    # Their friend's browser runs the page's script, which puts the code in the form.
    code = second_link.rpartition("ref=")[2]
    sign_as_a_browser(Client(), "third@example.org", ref=code)

    second, third = signature_of("second@example.org"), signature_of("third@example.org")
    assert (first.referred_by_id, first.referral_depth) == (None, 0)
    assert (second.referred_by_id, second.referral_depth, second.source) == (first.pk, 1, "link")
    assert (third.referred_by_id, third.referral_depth) == (second.pk, 2)
    assert third.state == Signature.State.PENDING  # attribution does not make anything count sooner


def forged_codes(petition, instant_petition, referrer) -> dict[str, str]:
    real = referrals.code_for(petition.pk, referrer.pk)
    ident, tag = real.split("-")
    flipped = "0" if tag[-1] != "0" else "1"
    return {
        "another-petitions-code": referrals.code_for(instant_petition.pk, referrer.pk),
        "changed-tag": f"{ident}-{tag[:-1]}{flipped}",
        "another-signatures-id": f"{int(ident, 36) + 1:x}-{tag}",
        "no-tag": ident,
        "markup": "<script>alert(1)</script>",
        "huge": "a" * 20000,
        "control-characters": f"{real}\x00\x1b",
    }


@pytest.fixture
def confirmed_referrer(petition):
    signing.sign(petition, signing.Signer(name="Ref", email=parse_address("ref@example.org"), country="FR"))
    referrer = Signature.objects.get()
    signing.confirm(petition, referrer.pk)
    return referrer


@pytest.mark.parametrize(
    "name",
    [
        "another-petitions-code",
        "changed-tag",
        "another-signatures-id",
        "no-tag",
        "markup",
        "huge",
        "control-characters",
    ],
)
@pytest.mark.parametrize("carried_in", ["form", "cookie"])
def test_it_ignores_a_code_that_is_not_a_signers_and_takes_the_signature_all_the_same(
    client, petition, instant_petition, confirmed_referrer, name, carried_in
):
    code = forged_codes(petition, instant_petition, confirmed_referrer)[name]
    if carried_in == "cookie":
        client.cookies[referrals.COOKIE] = code
        fields = {}
    else:
        fields = {"ref": code}

    response = client.post(
        f"/en/p/{petition.slug}/sign", sign_data(email="new@example.org", **fields), headers={"Origin": ORIGIN}
    )

    assert response.status_code == 303
    assert response["Location"] == f"/en/p/{petition.slug}/check-email"
    signature = Signature.objects.exclude(pk=confirmed_referrer.pk).get()
    assert (signature.referred_by_id, signature.referral_depth) == (None, 0)


def test_it_answers_with_and_without_a_bad_code_alike(client, petition, instant_petition, confirmed_referrer):
    plain = client.post(f"/en/p/{petition.slug}/sign", sign_data(email="a@example.org"), headers={"Origin": ORIGIN})
    forged = client.post(
        f"/en/p/{petition.slug}/sign",
        sign_data(
            email="b@example.org", ref=forged_codes(petition, instant_petition, confirmed_referrer)["changed-tag"]
        ),
        headers={"Origin": ORIGIN},
    )

    assert (plain.status_code, plain["Location"], plain.content) == (forged.status_code, forged["Location"], b"")
    assert sorted(plain.headers) == sorted(forged.headers)


@pytest.mark.parametrize("state", [Signature.State.PENDING, Signature.State.WITHDRAWN, Signature.State.INVALIDATED])
def test_it_does_not_attribute_to_a_signature_that_is_not_confirmed_and_standing(
    client, petition, confirmed_referrer, state
):
    Signature.objects.filter(pk=confirmed_referrer.pk).update(state=state)

    client.post(
        f"/en/p/{petition.slug}/sign",
        sign_data(email="new@example.org", ref=referrals.code_for(petition.pk, confirmed_referrer.pk)),
        headers={"Origin": ORIGIN},
    )

    assert Signature.objects.exclude(pk=confirmed_referrer.pk).get().referred_by_id is None


def test_it_prefers_the_code_in_the_form_to_the_one_in_the_cookie(client, petition, confirmed_referrer):
    signing.sign(petition, signing.Signer(name="Other", email=parse_address("other@example.org"), country="FR"))
    other = Signature.objects.latest("pk")
    signing.confirm(petition, other.pk)
    client.cookies[referrals.COOKIE] = referrals.code_for(petition.pk, confirmed_referrer.pk)

    client.post(
        f"/en/p/{petition.slug}/sign",
        sign_data(email="new@example.org", ref=referrals.code_for(petition.pk, other.pk)),
        headers={"Origin": ORIGIN},
    )

    assert Signature.objects.latest("pk").referred_by_id == other.pk


def test_a_repeat_signature_keeps_its_first_attribution(client, petition, confirmed_referrer):
    client.post(f"/en/p/{petition.slug}/sign", sign_data(email="new@example.org"), headers={"Origin": ORIGIN})

    client.post(
        f"/en/p/{petition.slug}/sign",
        sign_data(email="new@example.org", ref=referrals.code_for(petition.pk, confirmed_referrer.pk)),
        headers={"Origin": ORIGIN},
    )

    assert Signature.objects.latest("pk").referred_by_id is None


def test_erasing_a_referrer_keeps_the_depth_of_those_they_brought(petition, confirmed_referrer):
    code = referrals.code_for(petition.pk, confirmed_referrer.pk)
    signing.sign(
        petition,
        signing.Signer(name="New", email=parse_address("new@example.org"), country="FR", referral_code=code),
    )

    confirmed_referrer.delete()

    brought = Signature.objects.get()
    assert (brought.referred_by_id, brought.referral_depth) == (None, 1)


# A test that commits must be emptied afterwards, and the audit log's
# triggers refuse that: they are lifted for the emptying and then restored.
_triggers = importlib.import_module("standwith.staff.migrations.0002_audit_append_only")


@pytest.fixture(scope="module")
def _audit_triggers_restored(django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        _triggers.add_triggers(apps, editor)


@pytest.fixture
def audit_log_emptied_after(_audit_triggers_restored: None) -> Iterator[None]:
    yield
    with connection.schema_editor() as editor:
        _triggers.drop_triggers(apps, editor)


# Committed for real: the database checks a reference when the transaction commits, which a test's own
# enclosing transaction would put off for ever.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_log_emptied_after")
def test_it_takes_the_signature_unattributed_when_the_referrer_is_erased_while_it_signs(
    petition, confirmed_referrer, monkeypatch
):
    looked_up = referrals.referral

    def erased_right_after_the_look_up(petition_id, code):
        found = looked_up(petition_id, code)
        with transaction.atomic():
            Signature.objects.filter(pk=confirmed_referrer.pk).delete()
        return found

    monkeypatch.setattr(referrals, "referral", erased_right_after_the_look_up)
    code = referrals.code_for(petition.pk, confirmed_referrer.pk)

    signing.sign(
        petition,
        signing.Signer(name="New", email=parse_address("new@example.org"), country="FR", referral_code=code),
    )

    signature = Signature.objects.get()
    assert (signature.referred_by_id, signature.referral_depth) == (None, 0)
