"""Bounces and complaints fed in from a mailbox of reports or a provider's webhook."""

import mailbox
import textwrap

import pytest
from django.core.management import CommandError, call_command

from standwith.outreach import recipients
from standwith.outreach.models import Bounce, Delivery, Suppression
from standwith.outreach.tests.helpers import send_all
from standwith.outreach.tokens import delivery_tag

pytestmark = pytest.mark.django_db

SECRET = "s3cret-shared-with-the-provider"


def dsn(to: str, recipient: str, action: str, status: str) -> bytes:
    """A delivery status notification as RFC 3464 lays it out."""
    return textwrap.dedent(f"""\
        From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
        To: {to}
        Subject: Undelivered Mail Returned to Sender
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="B"

        --B
        Content-Type: text/plain

        I'm sorry to have to inform you that your message could not be delivered.

        --B
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.example.net

        Final-Recipient: rfc822; {recipient}
        Action: {action}
        Status: {status}
        Diagnostic-Code: smtp; 550 5.1.1 user unknown

        --B--
        """).encode()


def complaint(recipient: str, tag: str) -> bytes:
    """An abuse report in the feedback format of RFC 5965."""
    return textwrap.dedent(f"""\
        From: feedback@isp.example
        To: abuse@standwith.example
        Subject: FW: complaint
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="F"

        --F
        Content-Type: text/plain

        This is an abuse report.

        --F
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: isp-fbl/1.0
        Version: 1
        Original-Rcpt-To: {recipient}

        --F
        Content-Type: text/rfc822-headers

        From: All Out <updates@standwith.example>
        X-Standwith-Delivery: {tag}

        --F--
        """).encode()


def suppressed(address: str) -> bool:
    return Suppression.objects.filter(digest=recipients.suppression_digest(address)).exists()


@pytest.fixture
def delivered(settings, mailing, mailer, petition, signer, smtp_sink, run_tasks):
    """A mailing sent to two signers; their deliveries."""
    settings.MAILING_RATE = 10_000
    signer(petition, "gone@example.org")
    signer(petition, "annoyed@example.org")
    send_all(mailing, mailer, run_tasks)
    return {recipients.address_of(d.signature): d for d in Delivery.objects.select_related("signature")}


def test_it_stops_mail_to_a_hard_bounce_matched_by_its_return_address(tmp_path, delivered, capsys):
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    gone = delivered["gone@example.org"]
    box.add(dsn(f"bounces+{delivery_tag(gone.pk)}@standwith.example", "whatever@mx.example.net", "failed", "5.1.1"))
    box.add(dsn("bounces@standwith.example", "later@example.org", "delayed", "4.2.2"))
    box.add(b"From: someone@example.org\nSubject: Out of office\n\nAway until Monday.\n")
    box.flush()

    call_command("process_bounces", str(tmp_path / "bounces.mbox"))

    assert "1 hard bounces, 1 soft bounces, 0 complaints, 1 other messages" in capsys.readouterr().out
    # The return address named the delivery, whose address is what stops, whatever the report says.
    assert suppressed("gone@example.org")
    assert not suppressed("whatever@mx.example.net")
    assert Bounce.objects.get(kind="hard").delivery == gone
    # A soft bounce is noted, and stops nothing.
    assert Bounce.objects.get(kind="soft").status == "4.2.2"
    assert not suppressed("later@example.org")


def test_it_stops_mail_to_who_complained_read_from_a_maildir(tmp_path, delivered):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    annoyed = delivered["annoyed@example.org"]
    box.add(complaint("annoyed@example.org", delivery_tag(annoyed.pk)))

    call_command("process_bounces", str(tmp_path / "Maildir"))

    assert suppressed("annoyed@example.org")
    assert Bounce.objects.get().delivery == annoyed


def test_it_ignores_a_forged_delivery_tag_and_goes_by_the_reports_address(tmp_path, delivered):
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    forged = f"d{delivered['gone@example.org'].pk}-0000000000aaaaaaaaaa"
    box.add(dsn(f"bounces+{forged}@standwith.example", "someone@example.org", "failed", "5.1.1"))
    box.flush()

    call_command("process_bounces", str(tmp_path / "bounces.mbox"))

    assert Bounce.objects.get().delivery is None
    assert suppressed("someone@example.org")
    assert not suppressed("gone@example.org")


def test_it_says_clearly_when_the_mailbox_is_missing(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("process_bounces", str(tmp_path / "nowhere"))


@pytest.fixture
def webhook(client, settings):
    settings.BOUNCE_WEBHOOK_SECRET = SECRET

    def post(body: object, secret: str = SECRET, raw: bytes | None = None):
        import json

        return client.post(
            "/outreach/bounces",
            raw if raw is not None else json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )

    return post


def test_it_takes_bounces_and_complaints_from_the_providers_webhook(webhook, delivered):
    annoyed = delivered["annoyed@example.org"]
    response = webhook(
        {
            "events": [
                {"type": "hard", "email": "Bounced@Example.org", "status": "5.1.1"},
                {"type": "complaint", "delivery": delivery_tag(annoyed.pk)},
                {"type": "soft", "email": "full@example.org", "status": "4.2.2"},
            ]
        }
    )

    assert response.status_code == 200
    assert response.json() == {"recorded": 3}
    assert suppressed("bounced@example.org")
    assert suppressed("annoyed@example.org")
    assert not suppressed("full@example.org")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"events": [{"type": "hard"}]}, "email"),
        ({"events": [{"type": "bounced", "email": "a@example.org"}]}, "type"),
        ({"events": [{"type": "hard", "email": "a@example.org\r\nBcc: b@example.org"}]}, "email"),
        ({"events": [{"type": "hard", "delivery": "d1-0000000000aaaaaaaaaa"}]}, "delivery"),
        ({"events": [{"type": "hard", "email": "a@example.org", "status": "5" * 17}]}, "status"),
        ({"events": []}, "events"),
        ({"events": "hard"}, "events"),
        (["not", "an", "object"], "events"),
    ],
)
def test_it_refuses_a_malformed_report_and_records_nothing(webhook, body, message, db):
    response = webhook(body)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Bounce.objects.exists()
    assert not Suppression.objects.exists()


def test_it_refuses_a_body_that_is_not_json(webhook, db):
    response = webhook(None, raw=b"{not json")

    assert response.status_code == 400
    assert response.json() == {"error": "The body is not JSON."}


def test_it_refuses_a_wrong_or_missing_secret(webhook, client, db):
    body = {"events": [{"type": "hard", "email": "a@example.org"}]}

    assert webhook(body, secret="guess").status_code == 401
    assert client.post("/outreach/bounces", body, content_type="application/json").status_code == 401
    assert not Suppression.objects.exists()


def test_it_is_off_without_a_secret(client, settings, db):
    settings.BOUNCE_WEBHOOK_SECRET = ""

    response = client.post("/outreach/bounces", {"events": []}, content_type="application/json")

    assert response.status_code == 404
