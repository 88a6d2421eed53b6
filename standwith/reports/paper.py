"""Signatures collected on paper (a street stall, a meeting), entered by staff one by one or as a CSV file.

Each goes through signing.services.sign() like any other, marked with the paper channel and the day it was
signed, and counts under the petition's policy:

- with an email address, the signer is mailed; on an `email` petition it counts once they confirm, on a `none`
  petition at once;
- without one, nobody can confirm it, so it counts only on a `none` petition, or when staff checked the signer
  in person and the organisation may vouch for such signers (Organization.vouches_offline), and is refused
  otherwise;
- "verified in person" on a petition whose organisation may vouch makes it count at once, address or not.
"""

import csv
import io
import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from standwith.campaigns.models import Petition
from standwith.reports.export import FORMULA_STARTS
from standwith.signing import crypto
from standwith.signing import services as signing
from standwith.signing.emails import Address, parse_address
from standwith.signing.forms import PersonForm, SignForm
from standwith.signing.models import Signature
from standwith.staff.models import Role
from standwith.staff.services import record, roles_of

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_ROWS = 5_000
# How long an uploaded file waits between its preview and "Record".
PREVIEW_SECONDS = 60 * 60
COLUMNS = ("name", "email", "country", "postcode", "show_publicly", "updates", "signed_on")
REQUIRED_COLUMNS = ("name", "country")
_YES = {"yes", "y", "1", "true", "x", "ja", "oui", "да", "sí", "si"}
_NO = {"no", "n", "0", "false", "", "nein", "non", "нет"}


def may_enter(user: User | AnonymousUser, petition: Petition) -> bool:
    """Campaigners, data officers and admins of the petition's organisation."""
    return bool(roles_of(user, petition.organization) & {Role.CAMPAIGNER, Role.DATA_OFFICER, Role.ADMIN})


def opened_on(petition: Petition) -> date:
    return timezone.localdate(petition.published_at or petition.created_at)


class PaperSignatureForm(PersonForm):
    """One paper signature, checked as the web form checks a signer, and counted by the rule above."""

    postcode = SignForm.base_fields["postcode"]
    consent_campaign_updates = forms.BooleanField(label=_("Wants updates about this campaign"), required=False)
    consent_org_updates = forms.BooleanField(
        label=_("Wants news of the organisation's other campaigns"), required=False
    )
    show_name_publicly = forms.BooleanField(label=_("Agreed to show their name publicly"), required=False)
    signed_on = forms.DateField(
        label=_("Signed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the day written on the form."), "invalid": _("Enter a date.")},
    )
    verified_in_person = forms.BooleanField(
        label=_("Verified in person"),
        required=False,
        help_text=_("Someone from the organisation saw the signer sign, and checked who they are."),
    )
    clean_postcode = SignForm.clean_postcode

    def __init__(self, *args: Any, petition: Petition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.petition = petition
        self.fields["email"].required = False
        self.fields["email"].label = _("Email address (optional)")
        self.fields["name"].label = _("Name")
        self.fields["signed_on"].initial = timezone.localdate()

    def clean_name(self) -> str:
        name = super().clean_name()
        if name.startswith(FORMULA_STARTS):
            # No one's name starts so; a spreadsheet export would run it as a formula.
            raise forms.ValidationError(_("A name cannot start with =, +, - or @."), code="formula")
        return name

    def clean_email(self) -> Address | None:  # type: ignore[override]
        if not self.cleaned_data.get("email", "").strip():
            return None
        return super().clean_email()

    def clean_signed_on(self) -> date:
        day: date = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day signed cannot be in the future."), code="future")
        if day < opened_on(self.petition):
            raise forms.ValidationError(
                _("The petition opened on %(day)s; it cannot have been signed before.")
                % {"day": opened_on(self.petition).isoformat()},
                code="before_opening",
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        vouched = bool(data.get("verified_in_person"))
        if vouched and not self.petition.organization.vouches_offline:
            self.add_error(
                "verified_in_person",
                forms.ValidationError(
                    _(
                        "%(organisation)s may not vouch for signers checked in person (a site admin grants this). "
                        "Untick it, or give the signer's email address so they can confirm."
                    )
                    % {"organisation": self.petition.organization.name},
                    code="cannot_vouch",
                ),
            )
        elif "email" in data and data["email"] is None and not vouched and not counts_without_mail(self.petition):
            self.add_error(
                "email",
                forms.ValidationError(
                    _(
                        "This petition counts a signature once the signer confirms their address: without an "
                        "address it cannot count. Give their email address, or tick “verified in person” "
                        "if someone checked them."
                    ),
                    code="needs_email",
                ),
            )
        return data

    def signer(self) -> signing.Signer:
        return signer_from(self.petition, self.cleaned_data)


def counts_without_mail(petition: Petition) -> bool:
    return petition.verification == Petition.Verification.NONE


def signer_from(petition: Petition, data: dict[str, Any]) -> signing.Signer:
    email: Address | None = data["email"]
    vouched = bool(data.get("verified_in_person")) and petition.organization.vouches_offline
    day: date = data["signed_on"]
    # Midday of that day, so the day stays the same in every time zone near ours; never later than now.
    signed_at = min(timezone.make_aware(datetime.combine(day, time(12))), timezone.now())
    return signing.Signer(
        name=data["name"],
        # Without an address, a digest no one else can have: the signature keeps its own place, and nobody is mailed.
        email=email or Address(deliverable="", canonical=f"paper:{uuid.uuid4()}"),
        country=data["country"],
        postcode=data.get("postcode") or "",
        consent_campaign_updates=bool(data.get("consent_campaign_updates")),
        consent_org_updates=bool(data.get("consent_org_updates")),
        show_name_publicly=bool(data.get("show_name_publicly")),
        language=petition.language,
        channel=Signature.Channel.PAPER,
        vouched_by=petition.organization_id if vouched else None,
        signed_at=signed_at,
    )


def record_one(petition: Petition, form: PaperSignatureForm, actor: User, *, client_ip: str | None) -> None:
    signer = form.signer()
    with transaction.atomic():
        signing.sign(petition, signer)
        record(
            actor,
            "signature.paper_entry",
            petition,
            client_ip=client_ip,
            signatures=1,
            with_email=bool(signer.email.deliverable),
            vouched=signer.vouched_by is not None,
        )


class UploadRefused(Exception):
    """The whole file is refused (too big, not UTF-8, no header...): a message for staff, and an HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Row:
    number: int  # the line in the file, the header being line 1
    cells: dict[str, str]
    problems: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def good(self) -> bool:
        return not self.problems


@dataclass
class Upload:
    rows: list[Row]

    @property
    def good(self) -> list[Row]:
        return [row for row in self.rows if row.good]

    @property
    def bad(self) -> list[Row]:
        return [row for row in self.rows if not row.good]


def read_upload(petition: Petition, raw: bytes, *, verified_in_person: bool) -> Upload:
    """Each row of the file, checked as the one-by-one form checks it; no row is recorded here."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadRefused(too_big(), status=413)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(
            gettext("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”.")
        ) from None
    if "\x00" in text:
        raise UploadRefused(gettext("The file is not a CSV file."))
    lines = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip().lower() for cell in next(lines, [])]
        rows = list(_rows(header, lines))
    except csv.Error:
        raise UploadRefused(gettext("The file is not a CSV file that can be read.")) from None
    if not rows:
        raise UploadRefused(gettext("The file has no signatures below its header row."))
    addresses: dict[str, int] = {}
    seen: dict[tuple[str, ...], int] = {}
    for row in rows:
        _check(petition, row, verified_in_person)
        same = tuple(row.cells.get(column, "").strip().casefold() for column in COLUMNS)
        email = row.data.get("email")
        if same in seen:
            row.problems.append(gettext("The same as row %(row)d.") % {"row": seen[same]})
        elif isinstance(email, Address) and email.canonical in addresses:
            row.problems.append(gettext("The same email address as row %(row)d.") % {"row": addresses[email.canonical]})
        seen.setdefault(same, row.number)
        if isinstance(email, Address):
            addresses.setdefault(email.canonical, row.number)
    return Upload(rows)


def too_big() -> str:
    return gettext("The file is too big: at most %(mb)d MB and %(rows)s rows. Split it in several files.") % {
        "mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "rows": f"{MAX_UPLOAD_ROWS:,}",
    }


def _rows(header: list[str], lines: Any) -> Any:
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise UploadRefused(
            gettext("The first row must name the columns, some of: %(columns)s (name and country are needed).")
            % {"columns": ", ".join(COLUMNS)}
        )
    count = 0
    for number, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_UPLOAD_ROWS:
            raise UploadRefused(too_big(), status=413)
        values = {column: (cells[index] if index < len(cells) else "") for index, column in enumerate(header)}
        row = Row(number=number, cells=values)
        if len(cells) > len(header):
            row.problems.append(gettext("More cells than the header row names."))
        yield row


def _check(petition: Petition, row: Row, verified_in_person: bool) -> None:
    cells = row.cells
    data: dict[str, Any] = {
        "name": cells.get("name", ""),
        "email": cells.get("email", ""),
        "country": _country_code(cells.get("country", "")),
        "postcode": cells.get("postcode", ""),
        "signed_on": cells.get("signed_on", "").strip() or timezone.localdate().isoformat(),
        "verified_in_person": "on" if verified_in_person else "",
    }
    for column, field_name in (("show_publicly", "show_name_publicly"), ("updates", "consent_campaign_updates")):
        answer = cells.get(column, "").strip().casefold()
        if answer in _YES:
            data[field_name] = "on"
        elif answer not in _NO:
            row.problems.append(
                gettext("%(column)s: write yes or no, not “%(value)s”.") % {"column": column, "value": answer}
            )
    form = PaperSignatureForm(data, petition=petition)
    if form.is_valid():
        row.data = dict(form.cleaned_data)
    else:
        row.data = {"email": form.cleaned_data.get("email")}
        for name, errors in form.errors.items():
            label = str(form.fields[name].label) if name in form.fields else ""
            row.problems.extend(f"{label}: {error}" if label else str(error) for error in errors)


def _country_code(value: str) -> str:
    """A country as a two-letter code, or its name in English (what paper forms and spreadsheets hold)."""
    text = value.strip()
    if len(text) == 2:
        return text.upper()
    return countries.by_name(text) or text[:3]


def keep_for_recording(petition: Petition, actor: User, upload: Upload, *, verified_in_person: bool) -> str:
    """Keep the good rows server-side (sealed under the petition's key) until staff say "Record"; their ticket."""
    rows = [
        {
            "name": row.data["name"],
            "email": row.data["email"].deliverable if row.data["email"] else "",
            "country": row.data["country"],
            "postcode": row.data["postcode"],
            "consent_campaign_updates": row.data["consent_campaign_updates"],
            "show_name_publicly": row.data["show_name_publicly"],
            "signed_on": row.data["signed_on"].isoformat(),
        }
        for row in upload.good
    ]
    ticket = secrets.token_urlsafe(18)
    payload = json.dumps({"rows": rows, "verified_in_person": verified_in_person})
    cache.set(_key(petition, actor, ticket), crypto.encrypt(petition.pk, "paper-upload", payload), PREVIEW_SECONDS)
    return ticket


class TicketUsed(Exception):
    """These rows were recorded already (a second click), or their preview expired."""


def record_kept(petition: Petition, actor: User, ticket: str, *, client_ip: str | None) -> int:
    """Record the previewed rows, once however often this is called; how many were recorded."""
    key = _key(petition, actor, ticket)
    sealed = cache.get(key)
    if sealed is None or not cache.add(f"{key}:recorded", True, PREVIEW_SECONDS):
        raise TicketUsed
    try:
        kept = json.loads(crypto.decrypt(petition.pk, "paper-upload", sealed))
        signers = [_signer(petition, row, kept["verified_in_person"]) for row in kept["rows"]]
        with transaction.atomic():
            for signer in signers:
                signing.sign(petition, signer)
            record(
                actor,
                "signature.paper_upload",
                petition,
                client_ip=client_ip,
                signatures=len(signers),
                vouched=any(signer.vouched_by is not None for signer in signers),
            )
    except BaseException:
        # Nothing was recorded: staff may try again.
        cache.delete(f"{key}:recorded")
        raise
    cache.delete(key)
    return len(signers)


def _signer(petition: Petition, row: dict[str, Any], verified_in_person: bool) -> signing.Signer:
    return signer_from(
        petition,
        {
            **row,
            "email": parse_address(row["email"]) if row["email"] else None,
            "signed_on": date.fromisoformat(row["signed_on"]),
            "verified_in_person": verified_in_person,
        },
    )


def _key(petition: Petition, actor: User, ticket: str) -> str:
    # Bound to the person who uploaded it: no one else can record their preview.
    return f"paper-upload:{petition.pk}:{actor.pk}:{ticket}"


@dataclass(frozen=True)
class PaperCounts:
    counted: int
    waiting: int


def paper_counts(petition: Petition) -> PaperCounts:
    """The petition's paper signatures: those that count, and those waiting for the signer to confirm."""
    paper = Signature.objects.filter(petition_id=petition.pk, channel=Signature.Channel.PAPER)
    return PaperCounts(
        counted=paper.filter(state=Signature.State.VALIDATED).count(),
        waiting=paper.filter(state=Signature.State.PENDING).count(),
    )
