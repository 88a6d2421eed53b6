"""Composing a mailing: what is refused, with a clear reason, and nothing recorded."""

import pytest
from django.core.exceptions import ValidationError

from standwith.campaigns.models import Organization, Petition, Translation
from standwith.outreach import mailings
from standwith.outreach.composing import MAX_BODY_CHARACTERS, RefusedContent
from standwith.outreach.models import Mailing

pytestmark = pytest.mark.django_db


def test_it_makes_a_draft_of_the_chosen_petitions_and_filters(organization, update, petition, mailer):
    mailing = mailings.create_mailing(
        organization, update, [petition], created_by=mailer, countries=["DE", "FR", "DE"], sources=["partner-x"]
    )

    assert (mailing.state, mailing.countries, mailing.sources) == ("draft", ["DE", "FR"], ["partner-x"])
    assert list(mailing.petitions.all()) == [petition]


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("Moved\r\nBcc: everyone@example.org", "header"),
        ("Moved\nX-Injected: yes", "header"),
        ("Moved\x07", "header"),
        ("   ", "empty"),
    ],
)
def test_it_refuses_a_title_that_would_break_the_subject_header(organization, update, petition, mailer, title, code):
    update.title = title
    update.save()

    with pytest.raises(RefusedContent) as refused:
        mailings.create_mailing(organization, update, [petition], created_by=mailer)

    assert refused.value.code == code
    assert not Mailing.objects.exists()


def test_it_refuses_a_translation_with_a_line_break_in_its_title(organization, update, petition, mailer):
    Translation.objects.filter(language="ru", field="title").update(text="Их перевели\r\nBcc: x@example.org")

    with pytest.raises(RefusedContent, match=r"\(ru\)"):
        mailings.create_mailing(organization, update, [petition], created_by=mailer)


def test_it_refuses_a_sender_name_with_a_line_break(organization, update, petition, mailer):
    with pytest.raises(RefusedContent) as refused:
        mailings.create_mailing(organization, update, [petition], created_by=mailer, from_name="All Out\nBcc: x@y.z")

    assert refused.value.code == "header"


def test_it_refuses_an_oversize_or_malformed_text(organization, update, petition, mailer):
    update.body = "x" * (MAX_BODY_CHARACTERS + 1)
    update.save()
    with pytest.raises(RefusedContent) as refused:
        mailings.create_mailing(organization, update, [petition], created_by=mailer)
    assert refused.value.code == "oversize"

    update.body = "Fine until here\x1b[31m"
    update.save()
    with pytest.raises(RefusedContent) as refused:
        mailings.create_mailing(organization, update, [petition], created_by=mailer)
    assert refused.value.code == "malformed"


def test_it_refuses_another_organisations_petitions_and_drafts(organization, update, petition, mailer):
    elsewhere = Organization.objects.create(slug="elsewhere", name="Elsewhere")
    foreign = Petition.objects.create(organization=elsewhere, slug="theirs", title="Theirs", summary=".", body=".")
    with pytest.raises(ValidationError) as refused:
        mailings.create_mailing(organization, update, [petition, foreign], created_by=mailer)
    assert refused.value.code == "foreign_petition"

    with pytest.raises(ValidationError) as refused:
        mailings.create_mailing(organization, update, [], created_by=mailer)
    assert refused.value.code == "no_petitions"

    update.published_at = None
    update.save()
    with pytest.raises(ValidationError) as refused:
        mailings.create_mailing(organization, update, [petition], created_by=mailer)
    assert refused.value.code == "draft_update"
    assert not Mailing.objects.exists()


@pytest.mark.parametrize(
    ("filters", "code"),
    [
        ({"countries": ["XX"]}, "country"),
        ({"sources": ["partner\r\nx"]}, "source"),
        ({"sources": ["x" * 65]}, "source"),
        ({"rate": 0}, "rate"),
    ],
)
def test_it_refuses_bad_filters_and_rates(organization, update, petition, mailer, filters, code):
    with pytest.raises(ValidationError) as refused:
        mailings.create_mailing(organization, update, [petition], created_by=mailer, **filters)

    assert refused.value.code == code
