import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from standwith.campaigns import services
from standwith.campaigns.models import Target, TargetResponse
from standwith.conftest import translate
from standwith.staff.models import AuditRecord, Membership, Role

pytestmark = pytest.mark.django_db

ANSWER = "We are following the case closely and have raised it with the Russian authorities."


@pytest.fixture
def campaigner(petition):
    user = User.objects.create_user("cam", "cam@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=petition.organization, role=Role.CAMPAIGNER)
    return user


@pytest.fixture
def president(petition):
    return petition.targets.get()


def respond(petition, target, actor, **extra):
    return services.record_response(petition, target, datetime.date(2021, 3, 5), ANSWER, actor, **extra)


def page(client, petition, language="en"):
    return client.get(f"/{language}/p/{petition.slug}/").content.decode()


def test_it_shows_a_response_on_the_page_with_its_source(client, petition, president, campaigner):
    respond(
        petition, president, campaigner, source_name="Press briefing", source_url="https://www.example.gov/briefing"
    )

    html = page(client, petition)

    assert '<h2 id="responses-title">Responses</h2>' in html
    assert '<span lang="en">A. President</span> responded on <time datetime="2021-03-05">5 March 2021</time>:' in html
    assert f'<blockquote lang="en"><p>{ANSWER}</p></blockquote>' in html
    assert (
        'Source: <a href="https://www.example.gov/briefing" rel="noopener noreferrer" lang="en">Press briefing</a>'
        in html
    )
    assert html.index('id="ask-title"') < html.index('id="responses-title"')


def test_it_shows_a_source_without_a_link(client, petition, president, campaigner):
    respond(petition, president, campaigner, source_name="Letter to All Out")

    assert 'Source: <span lang="en">Letter to All Out</span>' in page(client, petition)


def test_it_shows_no_responses_section_before_any_target_answers(client, petition):
    assert "responses-title" not in page(client, petition)


def test_it_shows_a_response_in_translation(client, petition, president, campaigner):
    response = respond(petition, president, campaigner)
    translate(response, "ru", text="Мы внимательно следим за делом.")
    translate(president, "ru", name="А. Президент")

    html = page(client, petition, "ru")

    assert '<span lang="ru">А. Президент</span>' in html
    assert '<time datetime="2021-03-05">5 марта 2021 г.</time>' in html
    assert '<blockquote lang="ru"><p>Мы внимательно следим за делом.</p></blockquote>' in html


def test_it_shows_an_untranslated_response_in_the_original_with_a_note(client, petition, president, campaigner):
    translate(petition, "ru", title="Освободите их", summary="Двое в опасности.", body="Их задержали.")
    translate(president, "ru", name="А. Президент", role="Президент")
    respond(petition, president, campaigner)

    html = page(client, petition, "ru")

    assert f'<blockquote lang="en"><p>{ANSWER}</p></blockquote>' in html
    assert 'class="untranslated"' in html


def test_it_keeps_the_paragraphs_of_a_long_response(client, petition, president, campaigner):
    services.record_response(petition, president, datetime.date(2021, 3, 5), "First.\n\nSecond <b>.", campaigner)

    assert '<blockquote lang="en"><p>First.</p>\n\n<p>Second &lt;b&gt;.</p></blockquote>' in page(client, petition)


def test_it_shows_a_response_at_once_when_the_page_was_cached(client, petition, president, campaigner):
    services.campaign(petition, "en")  # the campaign is now in cache

    respond(petition, president, campaigner)

    assert ANSWER in page(client, petition)


def test_it_refuses_a_response_from_someone_the_petition_does_not_address(petition, campaigner):
    stranger = Target.objects.create(name="B. Minister", role="Minister")

    with pytest.raises(ValidationError) as refused:
        respond(petition, stranger, campaigner)

    assert refused.value.message_dict == {"target": ["This petition is not addressed to this person."]}
    assert not TargetResponse.objects.exists()
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize(("text", "source_url", "field"), [("   ", "", "text"), (ANSWER, "not a link", "source_url")])
def test_it_refuses_an_empty_response_or_a_broken_link(petition, president, campaigner, text, source_url, field):
    with pytest.raises(ValidationError) as refused:
        services.record_response(
            petition, president, datetime.date(2021, 3, 5), text, campaigner, source_url=source_url
        )

    assert list(refused.value.message_dict) == [field]
    assert not TargetResponse.objects.exists()


def test_it_writes_the_response_to_the_audit_log(petition, president, campaigner):
    response = respond(petition, president, campaigner, client_ip="203.0.113.77")

    entry = AuditRecord.objects.get()
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        campaigner,
        "petition.response_recorded",
        "campaigns.petition",
        str(petition.pk),
    )
    assert entry.details == {"response": response.pk, "target": "A. President", "date": "2021-03-05"}
    assert entry.network == "203.0.113.0/24"


def admin_request(user, method="post"):
    request = getattr(RequestFactory(), method)("/admin/campaigns/targetresponse/add/", REMOTE_ADDR="198.51.100.9")
    request.user = user
    return request


def test_it_records_responses_added_edited_and_removed_in_the_admin(petition, president):
    root = User.objects.create_superuser("root", "root@example.org", None)
    responses = admin.site._registry[TargetResponse]
    form = responses.get_form(admin_request(root))(
        data={"petition": petition.pk, "target": president.pk, "date": "2021-03-05", "text": ANSWER}
    )
    assert form.is_valid(), form.errors
    response = form.save(commit=False)

    responses.save_model(admin_request(root), response, form, change=False)
    response.text = "A corrected answer."
    responses.save_model(admin_request(root), response, form, change=True)
    responses.delete_model(admin_request(root), response)

    actions = list(AuditRecord.objects.order_by("pk").values_list("action", "actor__username", "network"))
    assert actions == [
        ("petition.response_recorded", "root", "198.51.100.0/24"),
        ("petition.response_edited", "root", "198.51.100.0/24"),
        ("petition.response_removed", "root", "198.51.100.0/24"),
    ]
    assert AuditRecord.objects.order_by("pk").last().details["text"] == "A corrected answer."
    assert not TargetResponse.objects.exists()


def test_it_explains_in_the_admin_form_that_the_target_is_not_addressed(petition):
    root = User.objects.create_superuser("root", "root@example.org", None)
    stranger = Target.objects.create(name="B. Minister", role="Minister")
    form = admin.site._registry[TargetResponse].get_form(admin_request(root))(
        data={"petition": petition.pk, "target": stranger.pk, "date": "2021-03-05", "text": ANSWER}
    )

    assert not form.is_valid()
    assert form.errors["target"] == ["This petition is not addressed to this person."]
