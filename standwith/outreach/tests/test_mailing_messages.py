"""What each message of a mailing carries: one-click unsubscribe, a return address per delivery, bulk headers."""

import pytest

from standwith.conftest import parse_mail
from standwith.outreach import composing
from standwith.outreach.models import Delivery
from standwith.outreach.tests.helpers import send_all
from standwith.outreach.tokens import read_delivery_tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.MAILING_RATE = 10_000
    settings.SITE_URL = "https://standwith.example"
    settings.DEFAULT_FROM_EMAIL = "standwith <updates@standwith.example>"
    settings.BOUNCE_ADDRESS = "bounces@standwith.example"


def test_it_carries_the_rfc_8058_one_click_unsubscribe_headers(mailing, mailer, petition, signer, smtp_sink, run_tasks):
    signer(petition, "ada@example.org")

    send_all(mailing, mailer, run_tasks)

    [(_sender, _to, message)] = smtp_sink.messages
    link = message["List-Unsubscribe"].strip()
    assert link.startswith("<https://standwith.example/en/unsubscribe/")
    assert link.endswith("/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link[1:-1] in message.get_body(("plain",)).get_content()
    assert link[1:-1] in message.get_body(("html",)).get_content()


def test_it_returns_bounces_to_an_address_that_names_the_delivery(
    mailing, mailer, petition, signer, smtp_sink, run_tasks
):
    signature = signer(petition, "ada@example.org")

    send_all(mailing, mailer, run_tasks)

    [(sender, _to, message)] = smtp_sink.messages
    delivery = Delivery.objects.get(signature=signature)
    assert sender.startswith("bounces+d")
    assert sender.endswith("@standwith.example")
    assert read_delivery_tag(sender) == delivery.pk
    assert read_delivery_tag(message["X-Standwith-Delivery"]) == delivery.pk
    assert message["Message-ID"] == f"<mailing-{mailing.pk}.{delivery.pk}@standwith.example>"
    assert message["From"] == "All Out <updates@standwith.example>"


def test_it_marks_itself_as_bulk_mail(mailing, mailer, petition, signer, smtp_sink, run_tasks):
    signer(petition, "ada@example.org")

    send_all(mailing, mailer, run_tasks)

    [(_sender, _to, message)] = smtp_sink.messages
    assert message["Precedence"] == "bulk"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Id"] == "All Out <all-out.updates.standwith.example>"


def test_it_renders_the_update_safely_as_html(mailing, mailer, update, petition, signer, smtp_sink, run_tasks):
    update.body = "They were **moved**. <script>alert(1)</script> [read](javascript:alert(1))"
    update.save()
    signer(petition, "ada@example.org")

    send_all(mailing, mailer, run_tasks)

    [(_sender, _to, message)] = smtp_sink.messages
    html = message.get_body(("html",)).get_content()
    assert "<strong>moved</strong>" in html
    assert "<script>" not in html
    assert 'href="javascript' not in html


def test_it_records_an_address_the_server_refuses_as_failed_and_goes_on(
    mailing, mailer, petition, signer, smtp_sink, run_tasks
):
    signer(petition, "gone@example.org")
    signer(petition, "here@example.org")
    smtp_sink.refused.add("gone@example.org")

    sent = send_all(mailing, mailer, run_tasks)

    assert [to for _s, to, _m in smtp_sink.messages] == [["here@example.org"]]
    assert (sent.sent, sent.failed, sent.state) == (1, 1, "finished")
    assert Delivery.objects.get(state=Delivery.State.FAILED).error.startswith("550")


def test_it_sends_nothing_twice_when_its_tasks_run_again(mailing, mailer, petition, signer, smtp_sink, run_tasks):
    for index in range(5):
        signer(petition, f"signer{index}@example.org")
    send_all(mailing, mailer, run_tasks)

    from standwith.outreach.tasks import prepare_mailing, send_mailing

    prepare_mailing.enqueue(mailing.pk)
    send_mailing.enqueue(mailing.pk, mailing.run, 0)
    while run_tasks():
        pass

    assert len(smtp_sink.messages) == 5
    mailing.refresh_from_db()
    assert (mailing.recipients, mailing.sent) == (5, 5)


@pytest.mark.parametrize("line", ["A short paragraph.", "A paragraph on one very long line. " * 40])
def test_it_stamps_each_copy_exactly_as_a_message_built_for_that_recipient(mailing, line, update):
    update.body = line
    update.save()
    letter = composing.letter(mailing, "ru")
    addressed = composing.envelope(mailing, "ada@example.org", delivery_id=7, signature_id=3, language="ru")

    stamped = parse_mail(composing.Stamp(mailing, letter).copy(addressed).message().as_bytes())
    built = parse_mail(composing.message(mailing, letter, addressed).message().as_bytes())

    def headers(message):
        # The date and the MIME boundary are the batch's, the same in every copy of it.
        found = {name: str(value).strip() for name, value in message.items() if name not in ("Date", "Content-Type")}
        return {**found, "type": message.get_content_type()}

    assert headers(stamped) == headers(built)
    for kind in ("plain", "html"):
        assert stamped.get_body((kind,)).get_content() == built.get_body((kind,)).get_content()
    assert "ada@example.org" in stamped["To"]
