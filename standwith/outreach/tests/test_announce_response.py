"""A target's response, recorded by staff, published as an update and mailed to the petition's consenting signers."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from standwith.campaigns.models import Target, TargetResponse, Update
from standwith.campaigns.services import announce_response
from standwith.conftest import translate
from standwith.outreach.models import Mailing
from standwith.outreach.tests.helpers import recipients_of, send_all
from standwith.staff.models import AuditRecord, Membership, Role
from standwith.staff.services import NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(petition):
    target = Target.objects.create(name="Jane Roe", role="Foreign Minister")
    petition.targets.add(target)
    response = TargetResponse.objects.create(
        petition=petition, target=target, date=datetime.date(2026, 11, 20), text="We raised the case.\nWe will again."
    )
    translate(response, "ru", text="Мы подняли этот вопрос.")
    return response


def test_it_publishes_the_response_as_an_update_and_drafts_its_mailing(response, petition, mailer):
    mailing = announce_response(response, mailer)

    update = Update.objects.get()
    assert update.case == petition.case
    assert update.published_at is not None
    assert update.title == "Jane Roe answered “Free them”"
    assert update.body == "> We raised the case.\n> We will again.\n\n— Jane Roe, Foreign Minister"
    russian = {t.field: t.text for t in update.translations.filter(language="ru")}
    assert russian["body"].startswith("> Мы подняли этот вопрос.")
    assert (mailing.update, list(mailing.petitions.all()), mailing.state) == (update, [petition], Mailing.State.DRAFT)
    assert AuditRecord.objects.filter(action="update.publish", actor=mailer).exists()


def test_once_started_the_signers_receive_it_in_their_language(
    response, petition, mailer, signer, smtp_sink, run_tasks
):
    signer(petition, "ada@example.org", language="en")
    signer(petition, "olga@example.org", language="ru")
    signer(petition, "quiet@example.org", consent_campaign_updates=False)

    send_all(announce_response(response, mailer), mailer, run_tasks)

    assert recipients_of(smtp_sink) == ["ada@example.org", "olga@example.org"]
    texts = {to[0]: message.get_body(("plain",)).get_content() for _s, to, message in smtp_sink.messages}
    assert "We raised the case." in texts["ada@example.org"]
    assert "Мы подняли этот вопрос." in texts["olga@example.org"]


def test_a_petition_in_no_campaign_cannot_announce_and_nothing_is_kept(response, petition, mailer):
    petition.case = None
    petition.save(update_fields=["case"])
    response.refresh_from_db()

    with pytest.raises(ValidationError):
        announce_response(response, mailer)

    assert not Update.objects.exists()
    assert not Mailing.objects.exists()


def test_a_moderator_cannot_announce_and_no_update_is_left_behind(response, petition):
    moderator = User.objects.create_user("mo", "mo@example.org", None, is_staff=True)
    Membership.objects.create(user=moderator, organization=petition.organization, role=Role.MODERATOR)

    with pytest.raises(NotAllowed):
        announce_response(response, moderator)

    assert not Update.objects.exists()
    assert not Mailing.objects.exists()
