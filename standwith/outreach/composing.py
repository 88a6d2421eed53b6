"""A mailing's message: rendered once per language, then addressed to each recipient."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from standwith.campaigns.content import localise
from standwith.campaigns.markup import render_markdown
from standwith.campaigns.models import Organization, Translation, Update
from standwith.outreach.models import Mailing
from standwith.outreach.tokens import delivery_tag, make_unsubscribe_token
from standwith.signing.rights import make_manage_token

MAX_BODY_CHARACTERS = 50_000
# Where each recipient's own link goes in the text rendered once for all of them.
_LINK = "@@unsubscribe-link@@"
# And each recipient's own link to their signature (signing/rights.py).
_MANAGE = "@@manage-link@@"
# Control characters have no place in a title or a letter (tabs and line ends aside in a body).
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RefusedContent(ValidationError):
    """A mailing whose text could not go out as it is (a line break in a header, too long, malformed)."""


@dataclass(frozen=True)
class Letter:
    """One language's message, the same for everyone but for the unsubscribe and manage links."""

    language: str
    subject: str
    text: str
    html: str

    def for_link(self, link: str, manage: str = "") -> tuple[str, str]:
        text = self.text.replace(_LINK, link).replace(_MANAGE, manage)
        return text, self.html.replace(_LINK, link).replace(_MANAGE, manage)


def languages(update: Update) -> list[str]:
    """The languages an update can be mailed in: its own and every one its title is translated into."""
    return languages_of([update])[update.pk]


def languages_of(updates: Sequence[Update]) -> dict[int, list[str]]:
    """`languages` for many updates in one query (each update's case already loaded), by update id."""
    kind = ContentType.objects.get_for_model(Update)
    found: dict[int, set[str]] = {update.pk: set() for update in updates}
    titles = Translation.objects.filter(content_type=kind, object_id__in=list(found), field="title")
    for object_id, language in titles.values_list("object_id", "language"):
        found[object_id].add(language)
    return {update.pk: [update.case.language, *sorted(found[update.pk] - {update.case.language})] for update in updates}


def language_for(signed_in: str, petition_language: str, available: list[str]) -> str:
    """The language a signer reads the mailing in: theirs, else the petition's, else the update's own."""
    for language in (signed_in, petition_language):
        if language in available:
            return language
    return available[0]


def check_line(value: str, what: str) -> None:
    if _CONTROL_IN_LINE.search(value):
        raise RefusedContent(
            _("%(what)s may not contain line breaks or control characters.") % {"what": what}, code="header"
        )


def check_update(update: Update) -> None:
    """Refuse an update that cannot be mailed safely, in any of its languages."""
    translated: dict[str, dict[str, str]] = {}
    for language, field, text in update.translations.values_list("language", "field", "text"):
        translated.setdefault(language, {})[field] = text
    texts = [(update.case.language, update.title, update.body)]
    texts += [
        (language, fields.get("title", update.title), fields.get("body", update.body))
        for language, fields in sorted(translated.items())
        if language != update.case.language
    ]
    for language, title, body in texts:
        check_line(title, _("The title (%(language)s)") % {"language": language})
        if not title.strip():
            raise RefusedContent(_("The title (%(language)s) is empty.") % {"language": language}, code="empty")
        if _CONTROL_IN_TEXT.search(body):
            raise RefusedContent(
                _("The text (%(language)s) contains control characters.") % {"language": language}, code="malformed"
            )
        if len(body) > MAX_BODY_CHARACTERS:
            raise RefusedContent(
                _("The text (%(language)s) is longer than %(limit)d characters.")
                % {"language": language, "limit": MAX_BODY_CHARACTERS},
                code="oversize",
            )


def letter(mailing: Mailing, language: str) -> Letter:
    update = mailing.update
    shown = localise([update], language, update.case.language)[0]
    with translation.override(language):
        context = {
            "update": shown,
            "body_html": render_markdown(shown.body),
            "organization": mailing.organization,
            "case_url": settings.SITE_URL + reverse("case", args=[update.case.slug]),
            "unsubscribe_url": _LINK,
            "manage_url": _MANAGE,
        }
        text = render_to_string("outreach/email/update.txt", context)
        html = render_to_string("outreach/email/update.html", context)
    return Letter(language=language, subject=shown.title, text=text, html=html)


def unsubscribe_url(organization: Organization, signature_id: int, language: str) -> str:
    before, after = _unsubscribe_address(settings.SITE_URL, language)
    return before + make_unsubscribe_token(organization.pk, signature_id) + after


@lru_cache(maxsize=64)
def _unsubscribe_address(site_url: str, language: str) -> tuple[str, str]:
    """The address of the unsubscribe page around its token, worked out once per language and not per message."""
    with translation.override(language):
        before, _token, after = reverse("unsubscribe", args=["-token-"]).partition("-token-")
    return site_url + before, after


def manage_url(petition: tuple[int, str] | None, signature_id: int, language: str) -> str:
    """The signer's link to their signature; a staff member's test copy links to the privacy notice instead."""
    if petition is None or not signature_id:
        with translation.override(language):
            return settings.SITE_URL + reverse("privacy")
    petition_id, slug = petition
    before, after = _manage_address(settings.SITE_URL, language, slug)
    return before + make_manage_token(petition_id, signature_id) + after


@lru_cache(maxsize=256)
def _manage_address(site_url: str, language: str, slug: str) -> tuple[str, str]:
    with translation.override(language):
        before, _token, after = reverse("manage_signature", args=[slug, "-token-"]).partition("-token-")
    return site_url + before, after


def _sender(mailing: Mailing) -> str:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((mailing.from_name or mailing.organization.name, address))


def return_path(delivery_id: int | None) -> str:
    """The envelope sender bounces come back to; with a delivery, it names it (VERP)."""
    address = _bounce_address(settings.BOUNCE_ADDRESS or settings.DEFAULT_FROM_EMAIL)
    if delivery_id is None:
        return address
    local, _at, domain = address.rpartition("@")
    return f"{local}+{delivery_tag(delivery_id)}@{domain}"


@lru_cache(maxsize=8)
def _bounce_address(configured: str) -> str:
    return parseaddr(configured)[1]


@dataclass(frozen=True)
class Envelope:
    """What differs from one recipient's copy to the next."""

    to: str
    unsubscribe_url: str
    return_path: str
    message_id: str | None = None
    tag: str | None = None
    manage_url: str = ""


def envelope(
    mailing: Mailing,
    to: str,
    *,
    delivery_id: int | None,
    signature_id: int,
    language: str,
    petition: tuple[int, str] | None = None,
) -> Envelope:
    """What is the recipient's own; `petition` (id, slug) is the signature's, for its manage link."""
    host = _host(settings.SITE_URL)
    return Envelope(
        to=to,
        unsubscribe_url=unsubscribe_url(mailing.organization, signature_id, language),
        manage_url=manage_url(petition, signature_id, language),
        return_path=return_path(delivery_id),
        # Stable for the delivery: a copy resent after a crash is recognisably the same message.
        message_id=f"<mailing-{mailing.pk}.{delivery_id}@{host}>" if delivery_id is not None else None,
        tag=delivery_tag(delivery_id) if delivery_id is not None else None,
    )


@lru_cache(maxsize=8)
def _host(site_url: str) -> str | None:
    return urlsplit(site_url).hostname


def message(mailing: Mailing, letter: Letter, envelope: Envelope) -> EmailMultiAlternatives:
    text, html = letter.for_link(envelope.unsubscribe_url, envelope.manage_url)
    host = _host(settings.SITE_URL)
    headers = {
        "From": _sender(mailing),
        "List-Unsubscribe": f"<{envelope.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{mailing.organization.name} <{mailing.organization.slug}.updates.{host}>",
        "Precedence": "bulk",
        "Auto-Submitted": "auto-generated",
    }
    if envelope.message_id and envelope.tag:
        headers["Message-ID"] = envelope.message_id
        headers["X-Standwith-Delivery"] = envelope.tag
    email = EmailMultiAlternatives(
        subject=letter.subject, body=text, from_email=envelope.return_path, to=[envelope.to], headers=headers
    )
    email.attach_alternative(html, "text/html")
    return email


# Stand-ins for what differs between copies, each found once where it belongs in the stamped bytes.
_STAND_IN = Envelope(
    to="stand-in-to@stand-in.invalid",
    unsubscribe_url="https://stand-in.invalid/stand-in-link/",
    return_path="stand-in-return@stand-in.invalid",
    message_id="<stand-in-id@stand-in.invalid>",
    tag="stand-in-tag",
    manage_url="https://stand-in.invalid/stand-in-manage/",
)
# The link is in the header, the text and the HTML; the manage link in the text and the HTML; the others once
# each, in the headers.
_EXPECTED = {"to": 1, "unsubscribe_url": 3, "message_id": 1, "tag": 1, "manage_url": 2}


class Stamp:
    """A letter made into a message's bytes once, then addressed to each recipient by substitution.

    Building a MIME message costs far more than the rest of sending one; the
    copies differ only in a few ASCII values, which substitute exactly unless
    the text had to be encoded line by line (quoted-printable, for lines over
    998 bytes), in which case each copy is built in full instead.
    """

    def __init__(self, mailing: Mailing, letter: Letter) -> None:
        self.mailing, self.letter = mailing, letter
        raw = message(mailing, letter, _STAND_IN).message().as_bytes(linesep="\r\n")
        counts = {name: raw.count(getattr(_STAND_IN, name).encode()) for name in _EXPECTED}
        self.raw = raw if counts == _EXPECTED else None

    def copy(self, envelope: Envelope) -> EmailMessage:
        if self.raw is None or envelope.message_id is None or envelope.tag is None:
            return message(self.mailing, self.letter, envelope)
        raw = self.raw
        for name in _EXPECTED:
            raw = raw.replace(getattr(_STAND_IN, name).encode(), getattr(envelope, name).encode())
        return StampedMessage(raw, envelope.return_path, envelope.to)


class StampedMessage(EmailMessage):
    """A message whose bytes are made already; mail backends send or write them as they are."""

    def __init__(self, raw: bytes, from_email: str, to: str) -> None:
        super().__init__(from_email=from_email, to=[to])
        self.raw = raw

    def message(self, *, policy: object = None) -> "_Bytes":
        return _Bytes(self.raw)


class _Bytes:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode())
