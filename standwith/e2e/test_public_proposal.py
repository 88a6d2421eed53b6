"""A member of the public proposes a petition in Russian, gathers supporters, and sees it published, in Chromium."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from standwith.e2e.browser import Visitor
from standwith.e2e.site import Site, mail_text, run_command_ok, wait_until

pytestmark = pytest.mark.e2e

Screenshot = Callable[[Page, str], Path]
SUPPORTERS = 5  # the site's default
PUBLISH = """
from django.contrib.auth.models import User
from standwith.campaigns.models import Organization, Petition
from standwith.staff.models import Membership, Role
from standwith.staff.services import move_petition

user = User.objects.create_user("reviewer@example.org", "reviewer@example.org", None)
Membership.objects.create(user=user, organization=Organization.objects.get(slug="all-out"), role=Role.MODERATOR)
move_petition(Petition.objects.get(title__startswith="Защитите"), "open", user)
"""


def link_in_mail(site: Site, to: str, subject_start: str, count: int = 1) -> str:
    def found() -> str | None:
        mails = [m for m in site.mails_to(to) if str(m["Subject"]).strip().startswith(subject_start)]
        if len(mails) < count:
            return None
        match = re.search(r"https?://[^\s]+/(?:propose|support|p)/[^\s]+", mail_text(mails[count - 1]))
        return match.group(0) if match else None

    link = wait_until(found, 30, f"a mail to {to} starting {subject_start!r}")
    return link.removeprefix(site.base_url)


def test_a_proposal_goes_from_a_visitor_to_a_published_petition(site: Site, visitor: Visitor, screenshot: Screenshot):
    page = visitor.open()
    page.goto("/ru/propose/")
    page.get_by_label("Заголовок").fill("Защитите ЛГБТ-людей, бегущих из Чечни")
    page.get_by_label("О чём вы просите?").fill("Выдайте экстренные визы тем, кто в опасности.")
    page.get_by_label("Почему это важно").fill("Людей **задерживают** и передают в Чечню.")
    page.get_by_label("Кто может это сделать?").fill("Анналена Пример")
    page.get_by_label("Должность").fill("Министр иностранных дел")
    page.get_by_label("Ваше имя").fill("Айдар")
    page.get_by_label("Адрес электронной почты").fill("aidar@example.org")
    page.get_by_label("Страна").select_option("DE")
    screenshot(page, "30-propose-form")
    page.get_by_role("button", name="Отправить мою петицию").click()
    # The demo petition asks for something close: it is offered first.
    expect(page.get_by_role("heading", name="Может быть, это ваша петиция?")).to_be_visible()
    screenshot(page, "31-propose-similar")
    page.get_by_role("button", name="Моя о другом: отправить петицию").click()
    expect(page.get_by_role("heading", name="Проверьте почту")).to_be_visible()

    page.goto(link_in_mail(site, "aidar@example.org", "Подтвердите вашу петицию"))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_role("heading", name="Сбор поддержки")).to_be_visible()
    support_link = page.locator("#support-link").input_value().removeprefix(site.base_url)
    screenshot(page, "32-proposal-collecting")

    helper = visitor.open(locale="fr-FR")
    for number in range(1, SUPPORTERS + 1):
        email = f"soutien{number}@example.org"
        helper.goto(support_link.replace("/ru/", "/fr/"))
        if number == 1:
            screenshot(helper, "33-support-page")
        helper.get_by_label("Votre nom").fill(f"Soutien {number}")
        helper.get_by_label("Adresse e-mail").fill(email)
        helper.get_by_label("Pays").select_option("FR")
        helper.get_by_role("button", name="Je soutiens").click()
        expect(helper.get_by_role("heading", name="Consultez votre messagerie")).to_be_visible()
        helper.goto(link_in_mail(site, email, "Confirmez votre soutien"))
        helper.get_by_role("button", name="Confirmer").click()
        expect(helper.get_by_role("heading", name="Merci pour votre soutien")).to_be_visible()

    link_in_mail(site, "aidar@example.org", "Ваша петиция на проверке")
    page.reload()
    expect(page.get_by_role("heading", name="У модераторов")).to_be_visible()
    screenshot(page, "34-proposal-in-review")

    run_command_ok(site.env, "shell", "-c", PUBLISH)
    petition_path = link_in_mail(site, "aidar@example.org", "Ваша петиция опубликована")
    page.goto(petition_path.replace("/p/", "/ru/p/"))
    expect(page.locator("h1")).to_have_text("Защитите ЛГБТ-людей, бегущих из Чечни")
    # The proposer and every supporter already count.
    expect(page.locator(".count strong")).to_contain_text(str(SUPPORTERS + 1))
    screenshot(page, "35-proposal-published")
    assert visitor.off_site_requests() == []
