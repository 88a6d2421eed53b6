"""Signatures made in bulk for the charts' tests: aggregates only need a petition, a country, a day and a state."""

import datetime
import itertools

from standwith.campaigns.models import Petition
from standwith.signing import counting
from standwith.signing.models import Signature

_serial = itertools.count(1)


def seed(
    petition: Petition,
    how_many: int,
    *,
    country: str = "GB",
    state: str = Signature.State.VALIDATED,
    source: str = "",
    at: datetime.datetime | None = None,
    ever_validated: bool | None = None,
) -> None:
    """`how_many` signatures; validated ones are added to the stored count, as confirming them would."""
    when = at or datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
    validated = state == Signature.State.VALIDATED if ever_validated is None else ever_validated
    Signature.objects.bulk_create(
        Signature(
            petition=petition,
            email_digest=next(_serial).to_bytes(32, "big"),
            email_encrypted=b"",
            name_encrypted=b"",
            country=country,
            language="en",
            source=source,
            state=state,
            created_at=when,
            validated_at=when if validated else None,
        )
        for _ in range(how_many)
    )
    if state == Signature.State.VALIDATED:
        counting.add(petition.pk, how_many)
