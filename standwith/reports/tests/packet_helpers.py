"""Signers made through the real sign and confirm path, and a packet's text read back as a reader's tool would."""

import io
import re

from django.contrib.auth.models import User
from pypdf import PdfReader

from standwith.campaigns.models import Organization, Petition
from standwith.signing.emails import parse_address
from standwith.signing.services import Signer, confirm, sign
from standwith.staff.models import Membership, Role


def signer(
    petition: Petition, name: str, email: str, *, country: str = "GB", public: bool = True, confirmed: bool = True
) -> int:
    signature = sign(
        petition,
        Signer(name=name, email=parse_address(email), country=country, show_name_publicly=public),
    )
    if confirmed:
        confirm(petition, signature)
    return signature


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    """Text with its whitespace squeezed, so a phrase wrapped over two lines still matches."""
    return re.sub(r"\s+", " ", text)


def staff(who: str, organization: Organization, role: Role) -> User:
    user = User.objects.create_user(who, f"{who}@example.org", None, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user
