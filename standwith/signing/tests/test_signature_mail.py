import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from standwith.conftest import ORIGIN, free_port, sign_data, translate
from standwith.outreach import connection
from standwith.signing.models import Signature
from standwith.signing.tasks import send_signature_mail

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"http://127\.0\.0\.1:8000/en/p/free-them/confirm/[^/\s]+/")


def test_it_mails_a_confirmation_link_to_the_address_as_typed(sign, petition, run_tasks):
    sign(petition, email="Ada.Lovelace+petition@Example.org", name="Ада")

    assert run_tasks() == 1

    (message,) = mail.outbox
    assert message.to == ["Ada.Lovelace+petition@example.org"]
    assert message.subject == "Please confirm your signature: Free them"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Hello Ада," in message.body
    assert CONFIRM_LINK.search(message.body)
    html = message.alternatives[0][0]
    assert CONFIRM_LINK.search(str(html))


def test_it_tells_a_confirmed_signer_who_signs_again_that_they_have_signed(sign, client, petition, run_tasks):
    sign(petition, email="ada@example.org")
    run_tasks()
    path = CONFIRM_LINK.search(mail.outbox[0].body).group(0).removeprefix("http://127.0.0.1:8000")
    client.post(path)

    sign(petition, email="ada@example.org")
    run_tasks()

    assert len(mail.outbox) == 2
    again = mail.outbox[1]
    assert again.subject == "You have already signed: Free them"
    assert "You have already signed" in again.body
    assert "http://127.0.0.1:8000/p/free-them/" in again.body
    assert not CONFIRM_LINK.search(again.body)


def test_it_sends_a_pending_signer_who_signs_again_a_fresh_confirmation_link(sign, petition, run_tasks):
    sign(petition, email="ada@example.org")
    sign(petition, email="ada@example.org")
    run_tasks()

    assert len(mail.outbox) == 2
    assert "signed “Free them” again" in mail.outbox[1].body
    assert CONFIRM_LINK.search(mail.outbox[1].body)


def test_it_never_sends_the_same_message_twice(sign, petition, run_tasks):
    sign(petition)
    signature_id = Signature.objects.get().pk

    send_signature_mail.call(signature_id, "signed", "the-same-mail")
    send_signature_mail.call(signature_id, "signed", "the-same-mail")

    assert len(mail.outbox) == 1


def test_it_sends_nothing_for_a_signature_erased_before_the_mail_left(sign, petition, run_tasks):
    sign(petition)
    Signature.objects.all().delete()

    run_tasks()

    assert mail.outbox == []


def test_it_sends_nothing_to_a_withdrawn_signer(sign, petition, run_tasks):
    sign(petition)
    Signature.objects.update(state=Signature.State.WITHDRAWN)

    run_tasks()

    assert mail.outbox == []


def test_it_delivers_over_smtp(sign, petition, run_tasks, smtp_sink):
    sign(petition, email="ada@example.org", name="Ismail Исаев")

    run_tasks()

    ((sender, recipients, message),) = smtp_sink.messages
    assert recipients == ["ada@example.org"]
    assert sender == "noreply@localhost"
    assert message["Subject"] == "Please confirm your signature: Free them"
    assert "Hello Ismail Исаев," in message.get_body(("plain",)).get_content()


def test_it_retries_later_while_the_mail_server_is_down_and_loses_nothing(
    sign, petition, run_tasks, settings, smtp_sink
):
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens here
    sign(petition)

    run_tasks()

    assert smtp_sink.messages == []
    (retry,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert retry.args_kwargs["args"][3] == 2  # the second attempt
    assert retry.run_after > timezone.now() + timedelta(seconds=30)

    settings.EMAIL_PORT = real_port
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_tasks()

    assert len(smtp_sink.messages) == 1


def test_it_gives_up_on_an_address_the_server_refuses(sign, petition, run_tasks, smtp_sink):
    smtp_sink.refused.add("nobody@example.org")
    sign(petition, email="nobody@example.org")

    run_tasks()

    assert smtp_sink.messages == []
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert DBTaskResult.objects.get().return_value == "recipient refused"


def test_it_sends_a_queue_of_mail_over_one_smtp_session(sign, petition, run_tasks, smtp_sink):
    for n in range(5):
        sign(petition, email=f"signer{n}@example.org")

    run_tasks()

    assert len(smtp_sink.messages) == 5
    assert smtp_sink.sessions == 1


def test_it_opens_a_new_session_when_the_server_closed_the_old_one(sign, petition, run_tasks, smtp_sink):
    sign(petition, email="first@example.org")
    run_tasks()
    connection._held.connection.connection.close()  # the server hung up while the worker was idle

    sign(petition, email="second@example.org")
    run_tasks()

    assert [recipients for _, recipients, _ in smtp_sink.messages] == [["first@example.org"], ["second@example.org"]]
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_it_names_the_petition_in_the_signers_language(client, petition, run_tasks):
    translate(petition, "ru", title="Освободите их")
    client.post(f"/ru/p/{petition.slug}/sign", sign_data(), headers={"Origin": ORIGIN})

    run_tasks()

    (message,) = mail.outbox
    assert message.subject == "Подтвердите свою подпись: Освободите их"
    assert "«Освободите их»" in message.body
