"""Signers made through the sign path, and their manage links, for the signer's-rights tests."""

from typing import Any

from django.test import Client

from standwith.campaigns.models import Petition
from standwith.conftest import ORIGIN
from standwith.signing import rights, services
from standwith.signing.emails import parse_address
from standwith.signing.models import Signature


def signed(petition: Petition, email: str = "ada@example.org", *, confirm: bool = True, **fields: Any) -> Signature:
    """A signature as the sign form and the emailed confirmation leave it."""
    signer = services.Signer(
        name=fields.pop("name", "Ada Lovelace"),
        email=parse_address(email),
        country=fields.pop("country", "GB"),
        postcode=fields.pop("postcode", "N1 9GU"),
        client_ip="203.0.113.9",
        **fields,
    )
    signature_id = services.sign(petition, signer)
    if confirm:
        services.confirm(petition, signature_id)
    return Signature.objects.get(pk=signature_id)


def link(signature: Signature, language: str = "en") -> str:
    """The path of the signer's manage link, as the emails carry it."""
    url = rights.manage_url(signature.petition.slug, signature.petition_id, signature.pk, language)
    return url[url.index(f"/{language}/") :]


def press(client: Client, path: str, action: str, **fields: str) -> Any:
    return client.post(path, {"action": action, **fields}, headers={"Origin": ORIGIN})
