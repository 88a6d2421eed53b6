"""Many people, or one person many times, posting the sign form at the same moment."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from urllib.parse import urlencode
from uuid import uuid4

import pytest

from standwith.e2e.site import Site, mail_text, wait_until

pytestmark = pytest.mark.e2e

SLUG = "free-salekh-and-ismail"
CHECK_EMAIL = (303, f"/en/p/{SLUG}/check-email")
AT_ONCE = 20


def inbox(address: str) -> str:
    """The mailbox an address delivers to, by the rules Gmail documents: case, dots and +tags do not matter."""
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0].replace(".", "")
    return f"{local}@{'gmail.com' if domain == 'googlemail.com' else domain}"


def post_all_at_once(site: Site, emails: list[str]) -> list[tuple[int, str | None]]:
    """Post the sign form once per address, every request released at the same instant; never follow redirects."""
    barrier = threading.Barrier(len(emails))

    def post(email: str) -> tuple[int, str | None]:
        body = urlencode({"name": "Same Person", "email": email, "country": "DE"})
        headers = {"Origin": site.origin, "Content-Type": "application/x-www-form-urlencoded"}
        connection = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=60)
        try:
            connection.connect()
            barrier.wait(timeout=30)
            connection.request("POST", f"/en/p/{SLUG}/sign", body, headers)
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Location")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        return list(pool.map(post, emails))


def is_repeat_notice(message: EmailMessage) -> bool:
    return "again with this address" in mail_text(message)


def test_it_keeps_one_signature_and_sends_one_confirmation_when_an_inbox_signs_twenty_times_at_once(site: Site):
    tag = uuid4().hex[:8]
    spellings = [
        f"Same.Person.{tag}@gmail.com",
        f"samePerson{tag}+x@googlemail.com",
        f" SAMEPERSON{tag.upper()}@gmail.com ",
        f"s.a.m.e.person{tag}+petition@GMAIL.com",
    ]
    emails = [spellings[n % len(spellings)] for n in range(AT_ONCE)]
    target = inbox(spellings[0])
    assert {inbox(email) for email in emails} == {target}
    before = site.signatures(SLUG)

    responses = post_all_at_once(site, emails)

    assert responses == [CHECK_EMAIL] * AT_ONCE
    assert site.signatures(SLUG) == before + 1

    def mails_to_inbox() -> list[EmailMessage]:
        return [message for message in site.mails() if inbox(str(message["To"])) == target]

    wait_until(mails_to_inbox, 20, f"mail to {target}")
    site.wait_for_mail_queue()
    mails = mails_to_inbox()
    first = [message for message in mails if not is_repeat_notice(message)]
    repeats = [message for message in mails if is_repeat_notice(message)]
    assert len(first) == 1
    # Repeat signatures mail the inbox at most once per 10 minutes, however many there are.
    assert len(repeats) <= 1
    assert all(message["Subject"].startswith("Please confirm your signature") for message in mails)


def test_it_keeps_every_signature_when_twenty_people_sign_at_once(site: Site):
    tag = uuid4().hex[:8]
    emails = [f"signer{n}.{tag}@example.org" for n in range(AT_ONCE)]
    before = site.signatures(SLUG)

    responses = post_all_at_once(site, emails)

    assert responses == [CHECK_EMAIL] * AT_ONCE
    assert site.signatures(SLUG) == before + AT_ONCE
    wait_until(lambda: len(site.mails_to(*emails)) >= AT_ONCE, 30, f"{AT_ONCE} confirmation emails")
    site.wait_for_mail_queue()
    mails = site.mails_to(*emails)
    assert sorted(str(message["To"]) for message in mails) == sorted(emails)
    assert all(message["Subject"].startswith("Please confirm your signature") for message in mails)
