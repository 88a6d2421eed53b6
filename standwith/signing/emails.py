"""Validating an email address and reducing it to its inbox.

One inbox signs once: the canonical form folds case, plus-tags, and the
rules of big providers (dots in Gmail, Yandex's domain aliases), so
`J.Doe+x@GoogleMail.com` and `jdoe@gmail.com` are the same signer.
"""

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254

_GMAIL = {"gmail.com", "googlemail.com"}
_YANDEX = {"yandex.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.ua", "ya.ru", "narod.ru"}


class InvalidEmail(ValueError):
    pass


@dataclass(frozen=True)
class Address:
    deliverable: str  # what we send to: the local part as typed, the domain in ASCII
    canonical: str  # what identifies the inbox


def parse_address(raw: str) -> Address:
    text = raw.strip()
    if not text or len(text) > MAX_LENGTH:
        raise InvalidEmail(raw)
    try:
        # No DNS look-up: it would put a network round trip on the sign path.
        # SMTPUTF8 local parts are refused because most mail servers cannot
        # deliver to them, and a signer who never gets the link cannot confirm.
        valid = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise InvalidEmail(raw) from error
    domain = valid.ascii_domain.lower()
    return Address(
        deliverable=f"{valid.local_part}@{domain}",
        canonical=canonical_inbox(valid.local_part, domain),
    )


def canonical_inbox(local_part: str, ascii_domain: str) -> str:
    local = local_part.lower()
    domain = ascii_domain.lower()
    tagless = local.split("+", 1)[0]
    if tagless:
        local = tagless
    if domain in _GMAIL:
        domain = "gmail.com"
        local = local.replace(".", "")
    elif domain in _YANDEX:
        # Yandex delivers login, lo.gin and lo-gin to one mailbox on every alias.
        domain = "yandex.ru"
        local = local.replace(".", "-")
    return f"{local}@{domain}"
