"""Reading bounce reports (RFC 3464 delivery status notifications) and complaints (RFC 5965 feedback reports)."""

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

from standwith.outreach.models import BounceKind
from standwith.outreach.tokens import read_delivery_tag


@dataclass(frozen=True)
class Report:
    kind: str
    address: str | None
    delivery_id: int | None
    status: str


def _fields(part: Message) -> list[Message]:
    """The header blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else ""
    parser = BytesParser(policy=default_policy)
    return [
        parser.parsebytes(block.strip().encode() + b"\n\n", headersonly=True)
        for block in text.split("\n\n")
        if block.strip()
    ]


def _address(value: object) -> str | None:
    text = str(value or "").strip()
    if ";" in text:
        text = text.split(";", 1)[1]
    text = text.strip().strip("<>")
    return text.lower() if "@" in text else None


def read(message: Message) -> Report | None:
    """What a report says, or None if it is not one (an autoreply, a stray message)."""
    # The delivery is named by our return address (VERP) or by our header in the returned headers.
    tagged = " ".join(str(message.get(name, "")) for name in ("To", "Delivered-To", "X-Original-To"))
    delivery_id = read_delivery_tag(tagged)
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "text/rfc822-headers") and delivery_id is None:
            delivery_id = read_delivery_tag(part.as_string())
        if content_type == "message/feedback-report":
            fields = _fields(part)
            address = next((_address(f.get("Original-Rcpt-To")) for f in fields if f.get("Original-Rcpt-To")), None)
            return Report(BounceKind.COMPLAINT, address, delivery_id or _tag_anywhere(message), "")
        if content_type == "message/delivery-status":
            for block in _fields(part)[1:]:  # the first block is about the reporting server
                action = str(block.get("Action", "")).strip().lower()
                status = str(block.get("Status", "")).strip()
                if action not in ("failed", "delayed"):
                    continue
                kind = BounceKind.HARD if action == "failed" and status.startswith("5") else BounceKind.SOFT
                address = _address(block.get("Final-Recipient")) or _address(block.get("Original-Recipient"))
                return Report(kind, address, delivery_id or _tag_anywhere(message), status)
    return None


def _tag_anywhere(message: Message) -> int | None:
    return read_delivery_tag(message.as_string())


def messages(path: Path) -> Iterator[EmailMessage]:
    """Every message in an mbox file or a Maildir."""
    box: mailbox.Mailbox[Message] = (
        mailbox.Maildir(path, create=False) if path.is_dir() else mailbox.mbox(path, create=False)  # type: ignore[assignment]
    )
    parser = BytesParser(policy=default_policy)
    for key in box.iterkeys():
        parsed = parser.parsebytes(box.get_bytes(key))
        if isinstance(parsed, EmailMessage):
            yield parsed
