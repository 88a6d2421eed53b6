"""`standwith packet <slug> --out FILE.pdf [--languages ru,fr]`: the packet from the server's command line."""

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from standwith.conftest import translate
from standwith.reports.tests.packet_helpers import pdf_text, signer
from standwith.staff.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_it_writes_a_valid_pdf_and_records_it(petition, tmp_path):
    signer(petition, "Ada Lovelace", "ada@example.org")
    out = tmp_path / "packet.pdf"

    call_command("packet", "free-them", "--out", str(out))

    assert len(PdfReader(out).pages) >= 2
    text = pdf_text(out.read_bytes())
    assert "Free them" in text
    assert "Ada Lovelace" in text
    assert AuditRecord.objects.get(action="packet.build").details == {"via": "command", "languages": []}
    assert not (tmp_path / "packet.pdf.part").exists()


def test_it_adds_the_translations_named(petition, tmp_path):
    translate(petition, "ru", title="Освободите их", summary="Двое.", body="Тело.")
    out = tmp_path / "packet.pdf"

    call_command("packet", "free-them", "--out", str(out), "--languages", "ru")

    assert "Освободите их" in pdf_text(out.read_bytes())


def test_it_refuses_a_language_without_translation(petition, tmp_path):
    with pytest.raises(CommandError, match="not translated into fr; translations: none"):
        call_command("packet", "free-them", "--out", str(tmp_path / "p.pdf"), "--languages", "fr")
    assert not (tmp_path / "p.pdf").exists()


def test_it_refuses_an_unknown_petition(db, tmp_path):
    with pytest.raises(CommandError, match="no petition 'nope'"):
        call_command("packet", "nope", "--out", str(tmp_path / "p.pdf"))


def test_it_says_so_when_the_file_cannot_be_written(petition, tmp_path):
    with pytest.raises(CommandError, match="cannot write"):
        call_command("packet", "free-them", "--out", str(tmp_path / "missing-dir" / "p.pdf"))
