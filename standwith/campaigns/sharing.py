"""Share links: plain links to each network's share page, never their scripts.

A shared address carries no language (/p/<slug>/), so each friend it reaches
reads the petition in their own, and a `source` code, so the campaign knows
which channel brought each signature.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from standwith.campaigns.models import Petition


@dataclass(frozen=True)
class ShareLink:
    network: str  # also the source code recorded on signatures it brings
    label: str
    href: str


def petition_address(petition: Petition, source: str = "", ref: str = "") -> str:
    """The petition's address; `ref` is a signer's personal code (see signing/referrals.py)."""
    address = f"{settings.SITE_URL}/p/{petition.slug}/"
    query = {name: value for name, value in (("source", source), ("ref", ref)) if value}
    return f"{address}?{urlencode(query)}" if query else address


def share_links(petition: Petition, title: str, message: str, ref: str = "") -> list[ShareLink]:
    """Links that open each network's own share page with `message` and the petition's address filled in."""

    def at(network: str) -> str:
        return petition_address(petition, network, ref)

    networks = [
        (
            "telegram",
            _("Share on Telegram"),
            "https://t.me/share/url?" + urlencode({"url": at("telegram"), "text": message}),
        ),
        ("whatsapp", _("Share on WhatsApp"), "https://wa.me/?" + urlencode({"text": f"{message} {at('whatsapp')}"})),
        ("x", _("Share on X"), "https://x.com/intent/post?" + urlencode({"text": message, "url": at("x")})),
        (
            "facebook",
            _("Share on Facebook"),
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": at("facebook")}),
        ),
        ("vk", _("Share on VK"), "https://vk.com/share.php?" + urlencode({"url": at("vk"), "title": title})),
        (
            "email",
            _("Send by email"),
            # mailto wants %20 for spaces: a "+" would reach the friend as a plus sign.
            f"mailto:?subject={quote(title)}&body={quote(message + chr(10) + chr(10) + at('email'))}",
        ),
    ]
    return [ShareLink(network, str(label), href) for network, label, href in networks]
