"""A packet of 20,000 signatures, 5,000 named, builds quickly and in order, across several sorted runs."""

import datetime
import io
import time

import pytest
from pypdf import PdfReader

from standwith.reports import packet, public_names
from standwith.signing import counting, crypto
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

SIGNATURES, NAMED = 20_000, 5_000


def test_it_builds_a_big_packet_quickly_with_every_named_signer_in_order(petition, monkeypatch):
    # Small runs, so the merge of spilled runs is what this exercises.
    monkeypatch.setattr(public_names, "RUN_SIZE", 1_500)
    start = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
    Signature.objects.bulk_create(
        (
            Signature(
                petition=petition,
                email_digest=number.to_bytes(32, "big"),
                email_encrypted=b"",
                name_encrypted=crypto.encrypt(petition.pk, "name", f"Name {NAMED - number:05d}")
                if number < NAMED
                else b"",
                country=("GB", "FR", "RU", "BR")[number % 4],
                language="en",
                show_name_publicly=number < NAMED,
                state=Signature.State.VALIDATED,
                created_at=start + datetime.timedelta(hours=number % 2000),
                validated_at=start,
            )
            for number in range(SIGNATURES)
        ),
        batch_size=2_000,
    )
    counting.add(petition.pk, SIGNATURES)
    out = io.BytesIO()

    began = time.monotonic()
    packet.build(petition, out)
    took = time.monotonic() - began

    reader = PdfReader(out)
    last = reader.pages[-1].extract_text()
    first_names_page = next(page.extract_text() for page in reader.pages if "Signers who agreed" in page.extract_text())
    assert "20,000" in reader.pages[0].extract_text()
    assert "1\nName 00001\n" in first_names_page
    assert "5,000\nName 05000\n" in last
    # Generous for a loaded machine: it takes about 3 s alone.
    assert took < 60


def test_it_merges_names_spilled_in_several_runs_in_order(petition):
    from standwith.reports.public_names import SortedNames

    names = ["delta", "Alpha", "charlie", "Écho", "bravo", "foxtrot", "Golf"]
    Signature.objects.bulk_create(
        Signature(
            petition=petition,
            email_digest=number.to_bytes(32, "big"),
            email_encrypted=b"",
            name_encrypted=crypto.encrypt(petition.pk, "name", name),
            country="GB",
            language="en",
            show_name_publicly=True,
            state=Signature.State.VALIDATED,
            created_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC),
            validated_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC),
        )
        for number, name in enumerate(names)
    )

    with SortedNames(petition, run_size=2) as sorted_names:
        assert len(sorted_names._runs) == 4
        assert [name for name, _country in sorted_names] == [
            "Alpha",
            "bravo",
            "charlie",
            "delta",
            "Écho",
            "foxtrot",
            "Golf",
        ]
