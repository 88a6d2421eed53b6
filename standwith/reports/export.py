"""A petition's signers as CSV, for its organisation's data officers: streamed, decrypted only in the stream.

Rows are read in keyset pages (`id > last`, by id), each page its own short query, so a million signers take
constant memory and no transaction stays open for the length of a download (on SQLite one would hold back
writers). Names, addresses and postcodes are decrypted row by row as the page is written out, and never kept.

Erased signatures are kept as rows (their state reads "erased", their personal columns blank), so the file's
count of confirmed rows matches the petition's count. Every cell that a spreadsheet would read as a formula
(starting with =, +, -, @, a tab or a carriage return, after OWASP) gets a leading apostrophe.
"""

import csv
import io
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition
from standwith.signing import crypto
from standwith.signing.models import Signature
from standwith.staff.models import Role
from standwith.staff.services import record, roles_of

PAGE = 2_000
BOM = "\ufeff"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list, tab and CR included).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ERASED = "erased"
UNREADABLE = "(undecryptable)"


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation
    headers: tuple[str, ...]  # one choice may give several CSV columns
    fields: tuple[str, ...]  # what it reads from the signature row
    personal: bool = False  # decrypted; blank once erased


COLUMNS: tuple[Column, ...] = (
    Column("number", _("Number (1, 2, 3… in the order they signed)"), ("number",), ()),
    Column("name", _("Name"), ("name",), ("name_encrypted",), personal=True),
    Column("email", _("Email address"), ("email",), ("email_encrypted",), personal=True),
    Column("country", _("Country"), ("country",), ("country",)),
    Column("postcode", _("Postcode"), ("postcode",), ("postcode_encrypted",), personal=True),
    Column("language", _("Language"), ("language",), ("language",)),
    Column("state", _("State"), ("state",), ("state", "erased_at")),
    Column("channel", _("Channel (web, api, paper)"), ("channel",), ("channel",)),
    Column("vouched", _("Verified in person"), ("vouched",), ("vouched_by_id",)),
    Column("source", _("Source code"), ("source",), ("source",)),
    Column(
        "consents",
        _("Consents to updates"),
        ("updates_campaign", "updates_organisation"),
        ("consent_campaign_updates", "consent_org_updates"),
    ),
    Column("show_publicly", _("Shows their name publicly"), ("show_publicly",), ("show_name_publicly",)),
    Column("signed_at", _("Signed at (UTC)"), ("signed_at",), ("created_at",)),
    Column("confirmed_at", _("Confirmed at (UTC)"), ("confirmed_at",), ("confirmed_at",)),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_COLUMNS = ("number", "name", "email", "country", "state", "signed_at")


class UnknownColumn(ValueError):
    pass


class KeyDestroyed(Exception):
    """The petition's data key is gone (an emergency erase): its signers' personal data can no longer be read."""


def columns_from(keys: Sequence[str]) -> list[Column]:
    """The chosen columns, in the file's fixed order whatever the order asked."""
    unknown = set(keys) - set(BY_KEY)
    if unknown:
        raise UnknownColumn(", ".join(sorted(unknown)))
    return [column for column in COLUMNS if column.key in keys]


def may_export(user: User | AnonymousUser, petition: Petition) -> bool:
    """Data officers of the petition's organisation, and admins."""
    return bool(roles_of(user, petition.organization) & {Role.DATA_OFFICER, Role.ADMIN})


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def signatures(petition: Petition, *, everyone: bool) -> QuerySet[Signature]:
    """Confirmed (counted) signatures only, or every one whatever its state."""
    chosen = Signature.objects.filter(petition_id=petition.pk)
    return chosen if everyone else chosen.filter(state=Signature.State.VALIDATED)


def check_readable(petition: Petition, columns: Sequence[Column]) -> None:
    """Refuse before the first byte if personal data is asked for and the key to read it is gone."""
    if not any(column.personal for column in columns):
        return
    try:
        crypto.data_key(petition.pk, create=False)
    except crypto.UndecryptableError:
        # A petition nobody signed yet has no key either, and nothing to decrypt.
        if Signature.objects.filter(petition_id=petition.pk, erased_at__isnull=True).exists():
            raise KeyDestroyed from None


@dataclass
class Export:
    """One export under way: the stream counts its rows, and records them in the audit log when it ends."""

    petition: Petition
    columns: list[Column]
    everyone: bool
    actor: User | AnonymousUser
    client_ip: str | None = None
    via: str = "web"
    rows: int = 0

    def start(self) -> None:
        check_readable(self.petition, self.columns)
        record(self.actor, "signature.export", self.petition, client_ip=self.client_ip, **self._details())

    def _details(self) -> dict[str, object]:
        return {
            "columns": [column.key for column in self.columns],
            "states": "all" if self.everyone else "confirmed",
            "via": self.via,
        }

    def lines(self) -> Generator[str]:
        """The CSV, a page of rows at a time; the audit log gets the row count once it ends, or is cut short."""
        finished = False
        try:
            yield BOM + _csv_text([[h for column in self.columns for h in column.headers]])
            for page in self._pages():
                yield _csv_text(self._row(row) for row in page)
            finished = True
        finally:
            record(
                self.actor,
                "signature.export_end",
                self.petition,
                client_ip=self.client_ip,
                rows=self.rows,
                finished=finished,
                **self._details(),
            )

    def _pages(self) -> Iterator[list[dict[str, Any]]]:
        fields = sorted({"pk", "erased_at", *(field for column in self.columns for field in column.fields)})
        chosen = signatures(self.petition, everyone=self.everyone).order_by("pk")
        last = 0
        while True:
            page = list(chosen.filter(pk__gt=last).values(*fields)[:PAGE])
            if not page:
                return
            yield page
            last = page[-1]["pk"]

    def _row(self, row: dict[str, Any]) -> list[str]:
        self.rows += 1
        cells: list[str] = []
        for column in self.columns:
            cells.extend(neutralise(cell) for cell in _cells(self.petition.pk, column, row, self.rows))
        return cells


def _cells(petition_id: int, column: Column, row: dict[str, Any], number: int) -> list[str]:
    erased = row["erased_at"] is not None
    match column.key:
        case "number":
            return [str(number)]
        case "name" | "email" | "postcode":
            sealed = row[column.fields[0]]
            if erased or not sealed:
                return [""]
            try:
                return [crypto.decrypt(petition_id, column.key, sealed)]
            except crypto.UndecryptableError:
                return [UNREADABLE]
        case "state":
            return [ERASED if erased else row["state"]]
        case "vouched":
            return [_yes_no(row["vouched_by_id"] is not None)]
        case "consents":
            return [_yes_no(row["consent_campaign_updates"]), _yes_no(row["consent_org_updates"])]
        case "show_publicly":
            return [_yes_no(row["show_name_publicly"])]
        case "signed_at" | "confirmed_at":
            return [_moment(row[column.fields[0]])]
        case _:
            return [str(row[column.fields[0]])]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _moment(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else ""


def _csv_text(rows: Any) -> str:
    # RFC 4180: CRLF line ends; a field with a comma, quote or line break quoted, its quotes doubled.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def stream(export: Export) -> Iterator[bytes]:
    """The export as UTF-8 bytes (with a BOM, so Excel opens Cyrillic and Arabic names right)."""
    # Closed with the response (a download cut short too), so the audit log gets its row count at once.
    with closing(export.lines()) as lines:
        for text in lines:
            yield text.encode()
