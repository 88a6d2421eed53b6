"""Every interface string reaches Russian-speaking signers in Russian."""

import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from standwith.conftest import ORIGIN

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def untranslated(language: str) -> str:
    result = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(LOCALE / language / "LC_MESSAGES" / "django.po")],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_it_has_no_untranslated_russian_string():
    assert untranslated("ru") == ""


def test_it_catalogues_every_string_the_code_marks(tmp_path):
    # A string marked in the code but missing from the catalogue would show in English.
    pot = tmp_path / "fresh.po"
    subprocess.run(
        ["xgettext", "--language=Python", "--keyword=_", "--keyword=gettext", "--from-code=UTF-8", "-o", pot,
         *map(str, (LOCALE.parent).rglob("*.py"))],
        check=True,
    )  # fmt: skip
    catalogue = (LOCALE / "ru" / "LC_MESSAGES" / "django.po").read_text()
    missing = [
        line.removeprefix("msgid ")
        for line in pot.read_text().splitlines()
        if line.startswith('msgid "') and line != 'msgid ""' and line.removeprefix("msgid ") not in catalogue
    ]
    assert missing == []


@pytest.mark.django_db
def test_it_explains_form_errors_in_russian(client, petition):
    response = client.post(
        f"/ru/p/{petition.slug}/sign", {"name": "", "email": "не адрес", "country": "RU"}, headers={"Origin": ORIGIN}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Пожалуйста, укажите своё имя." in page
    assert "Проверьте адрес электронной почты" in page
    assert "Подписать петицию" in page


@pytest.mark.django_db
def test_it_mails_a_russian_signer_in_russian(client, petition, run_tasks):
    from django.core import mail

    client.post(
        f"/ru/p/{petition.slug}/sign",
        {"name": "Иван", "email": "ivan@example.ru", "country": "RU"},
        headers={"Origin": ORIGIN},
    )
    run_tasks()

    (message,) = mail.outbox
    assert message.subject == "Подтвердите свою подпись: Free them"
    assert "Здравствуйте, Иван!" in message.body
    assert "/ru/p/free-them/confirm/" in message.body


@pytest.mark.parametrize(
    ("count", "words"), [(1, "человек подписал"), (3, "человека подписали"), (25, "человек подписали")]
)
def test_it_uses_the_russian_plural_for_each_count(count, words):
    with translation.override("ru"):
        assert translation.ngettext("person has signed", "people have signed", count) == words
