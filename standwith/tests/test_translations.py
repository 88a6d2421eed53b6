"""Every interface string reaches signers in their language, and the catalogues stay complete as the code grows."""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from standwith.conftest import ORIGIN

PACKAGE = Path(__file__).resolve().parents[1]
# The `standwith` command installed beside the interpreter running the tests.
STANDWITH = Path(sys.executable).parent / "standwith"
COMPLETE = [code for code in settings.COMPLETE_LANGUAGES if code != "en"]
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]

Key = tuple[str | None, str, str | None]  # msgctxt, msgid, msgid_plural


def catalogue(language: str, locale: Path = PACKAGE / "locale") -> Path:
    return locale / language / "LC_MESSAGES" / "django.po"


def entries(po_text: str) -> set[Key]:
    """The messages of a .po file's text, header and obsolete entries left out; wrapping does not matter."""
    found: set[Key] = set()
    fields: dict[str, str] = {}
    current = ""

    def flush() -> None:
        if fields.get("msgid"):
            found.add((fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural")))
        fields.clear()

    for line in po_text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            fields[current] += line[1:-1]
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid"} and current.startswith("msgstr"):
            flush()
        current = keyword
        fields[current] = rest[1:-1]
    flush()
    return found


def msgattrib(*options: str, language: str) -> list[str]:
    result = subprocess.run(
        ["msgattrib", "--no-obsolete", *options, str(catalogue(language))], capture_output=True, text=True, check=True
    )
    return sorted(msgid for _context, msgid, _plural in entries(result.stdout))


class Fresh(NamedTuple):
    locale: Path  # the copy's catalogues, as makemessages left them
    before: dict[str, int]  # modification times of the real catalogues before it ran
    after: dict[str, int]  # and after


def modified(language: str) -> int:
    return catalogue(language).stat().st_mtime_ns


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Fresh:
    """The catalogues as makemessages makes them from the code and templates now, in a copy of the package."""
    copy = tmp_path_factory.mktemp("messages") / "standwith"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    before = {language: modified(language) for language in COMPLETE}
    # Run in the copy, so that Django writes the copied sources' strings to the copy's locale folder.
    subprocess.run(
        [str(STANDWITH), "makemessages", "--no-obsolete", *(f"--locale={language}" for language in COMPLETE)],
        cwd=copy,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        check=True,
    )
    return Fresh(copy / "locale", before, {language: modified(language) for language in COMPLETE})


@pytest.mark.parametrize("language", COMPLETE)
def test_it_leaves_no_string_untranslated(language):
    assert msgattrib("--untranslated", language=language) == []


@pytest.mark.parametrize("language", COMPLETE)
def test_it_leaves_no_translation_marked_fuzzy(language):
    assert msgattrib("--only-fuzzy", language=language) == []


def test_it_reads_the_marked_strings_without_touching_the_real_catalogues(fresh):
    assert fresh.after == fresh.before


@pytest.mark.parametrize("language", COMPLETE)
def test_it_catalogues_every_string_the_code_and_templates_mark(language, fresh):
    # A string marked in the code or a template but missing from the catalogue would show in English.
    marked = entries(catalogue(language, fresh.locale).read_text())
    catalogued = entries(catalogue(language).read_text())

    assert marked
    assert sorted(marked - catalogued, key=str) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_compiles_each_catalogue_without_errors(language, tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(catalogue(language))],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


def test_it_speaks_arabic_from_its_own_catalogue():
    with translation.override("ar"):
        assert translation.gettext("Sign the petition") == "التوقيع على العريضة"
        assert translation.ngettext("signature", "signatures", 2) == "توقيعان"


@pytest.mark.django_db
def test_it_lays_out_arabic_pages_right_to_left(client):
    response = client.get("/ar/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page


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
@pytest.mark.parametrize(
    ("language", "error", "button"),
    [
        ("es", "Dinos tu nombre, por favor.", "Firmar la petición"),
        ("fr", "Veuillez indiquer votre nom.", "Signer la pétition"),
        ("de", "Bitte geben Sie Ihren Namen an.", "Petition unterschreiben"),
    ],
)
def test_it_asks_for_the_missing_name_in_the_signers_language(client, petition, language, error, button):
    response = client.post(
        f"/{language}/p/{petition.slug}/sign",
        {"name": "", "email": "ana@example.org", "country": "ES"},
        headers={"Origin": ORIGIN},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert error in page
    assert button in page


@pytest.mark.django_db
def test_it_mails_a_russian_signer_in_russian(client, petition, run_tasks):
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


@pytest.mark.parametrize(
    ("language", "count", "words"),
    [
        ("fr", 0, "personne a signé"),
        ("fr", 2, "personnes ont signé"),
        ("de", 1, "Person hat unterschrieben"),
        ("es", 0, "personas han firmado"),
        ("ar", 2, "شخصان وقّعا"),
        ("ar", 7, "أشخاص وقّعوا"),
        ("ar", 11, "شخصًا وقّعوا"),
        ("ar", 100, "شخص وقّعوا"),
    ],
)
def test_it_uses_each_languages_own_plural_rule(language, count, words):
    with translation.override(language):
        assert translation.ngettext("person has signed", "people have signed", count) == words
