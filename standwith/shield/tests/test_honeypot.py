"""The sign form's honeypot: a field no person sees, that scripts filling every field fill."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django_tasks_db.models import DBTaskResult

from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db


def honeypot_markup(page: str) -> str:
    match = re.search(r'<div class="sign-extra"[^>]*>.*?</div>', page, re.DOTALL)
    assert match, "the honeypot is not on the page"
    return match.group(0)


def test_it_answers_a_filled_honeypot_exactly_as_a_signature(sign, petition):
    caught = sign(petition, website="http://cheap-pills.example")
    honest = sign(petition, email="grace@example.org")

    assert caught.status_code == honest.status_code == 303
    assert caught["Location"] == honest["Location"] == f"/en/p/{petition.slug}/check-email"
    assert caught.content == honest.content
    assert sorted(caught.headers) == sorted(honest.headers)


def test_it_stores_no_signature_no_task_and_sends_no_mail_for_a_filled_honeypot(sign, petition, run_tasks, mailoutbox):
    response = sign(petition, website="anything")

    assert response.status_code == 303
    assert not Signature.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert run_tasks() == 0
    assert mailoutbox == []


def test_it_signs_when_the_honeypot_is_left_empty(sign, petition):
    response = sign(petition, website="")

    assert response.status_code == 303
    assert Signature.objects.count() == 1


def test_it_hides_the_honeypot_from_sight_screen_readers_and_the_keyboard_on_the_cached_page(client, petition):
    first = client.get(f"/en/p/{petition.slug}/")
    second = client.get(f"/en/p/{petition.slug}/", headers={"User-Agent": "another visitor"})

    assert first.content == second.content  # one cached page for everyone, honeypot included
    markup = honeypot_markup(first.content.decode())
    assert 'aria-hidden="true"' in markup
    (field,) = re.findall(r"<input[^>]*>", markup)
    assert 'name="website"' in field
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field
    assert "value=" not in field  # no per-visitor value
    assert "Leave this field empty" in markup  # for a person whose browser shows it without the style sheet


def test_it_keeps_the_honeypot_off_screen_in_the_style_sheet():
    css = Path(str(finders.find("standwith/site.css"))).read_text(encoding="utf-8")
    rule = re.search(r"\.sign-extra \{([^}]*)\}", css)

    assert rule
    assert "position: absolute" in rule.group(1)
    assert "inset-inline-start: -100vw" in rule.group(1)
