from typing import Any

import pytest
from django.test import Client

from standwith.campaigns.models import Organization, Petition
from standwith.conftest import ORIGIN, sign_data
from standwith.outreach.embeds.models import Embed

PARTNER_ORIGINS = ["https://partner.example", "https://www.partner.example:8443"]


@pytest.fixture
def partner(petition: Petition) -> Organization:
    partner = Organization.objects.create(slug="freedom-house", name="Freedom House")
    petition.partners.add(partner)
    return partner


@pytest.fixture
def embed(petition: Petition, partner: Organization) -> Embed:
    return Embed.objects.create(petition=petition, partner=partner, origins="\n".join(PARTNER_ORIGINS), source="fh-web")


@pytest.fixture
def frame_sign(client: Client) -> Any:
    """Post the sign form as the frame on a partner's page does: to the site, from the site's own origin."""

    def post(embed: Embed, language: str = "en", **overrides: Any) -> Any:
        return client.post(f"/{language}/embed/{embed.key}/sign", sign_data(**overrides), headers={"Origin": ORIGIN})

    return post


def frame_ancestors(response: Any) -> str:
    directives = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return str(directives["frame-ancestors"])
