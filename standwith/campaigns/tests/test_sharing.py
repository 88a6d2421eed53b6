from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from standwith.campaigns.models import Petition
from standwith.conftest import translate
from standwith.signing.models import Signature

pytestmark = pytest.mark.django_db

NETWORKS = {
    "telegram": "https://t.me/share/url?",
    "whatsapp": "https://wa.me/?",
    "x": "https://x.com/intent/post?",
    "facebook": "https://www.facebook.com/sharer/sharer.php?",
    "vk": "https://vk.com/share.php?",
    "email": "mailto:?",
}


def share_hrefs(page: str) -> dict[str, str]:
    found = {}
    for network, start in NETWORKS.items():
        marker = f'class="share-link {network}" href="'
        assert marker in page, network
        found[network] = unescape(page.split(marker, 1)[1].split('"', 1)[0])
        assert found[network].startswith(start)
    return found


def test_it_offers_share_links_with_a_source_code_for_each_network(client, petition):
    hrefs = share_hrefs(client.get(f"/en/p/{petition.slug}/").content.decode())

    telegram = parse_qs(urlsplit(hrefs["telegram"]).query)
    assert telegram["url"] == ["http://127.0.0.1:8000/p/free-them/?source=telegram"]
    assert telegram["text"] == ["Please sign: “Free them”"]
    assert parse_qs(urlsplit(hrefs["facebook"]).query)["u"] == ["http://127.0.0.1:8000/p/free-them/?source=facebook"]
    assert "?source=whatsapp" in parse_qs(urlsplit(hrefs["whatsapp"]).query)["text"][0]
    assert parse_qs(urlsplit(hrefs["vk"]).query)["title"] == ["Free them"]
    mail = unquote(hrefs["email"])
    assert "subject=Free them" in mail
    assert "\n\nhttp://127.0.0.1:8000/p/free-them/?source=email" in mail


def test_it_prefills_the_share_text_in_the_readers_language(client, petition):
    translate(petition, "ru", title="Освободите их")

    hrefs = share_hrefs(client.get(f"/ru/p/{petition.slug}/thanks").content.decode())

    assert parse_qs(urlsplit(hrefs["telegram"]).query)["text"] == ["Я подписал(а) «Освободите их». Подпишете и вы?"]


def test_it_tags_the_petition_for_link_previews(client, petition):
    page = client.get(f"/ru/p/{petition.slug}/").content.decode()

    assert '<meta property="og:title" content="Free them">' in page
    assert '<meta property="og:image" content="http://127.0.0.1:8000/ru/p/free-them/share.png">' in page
    assert '<meta property="og:locale" content="ru">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<link rel="canonical" href="http://127.0.0.1:8000/ru/p/free-them/">' in page


def test_it_keeps_the_source_from_a_shared_link_through_confirmation(client, petition, sign, run_tasks, mailoutbox):
    landing = client.get(f"/p/{petition.slug}/?source=telegram", headers={"Accept-Language": "ru"}, follow=True)
    assert landing.redirect_chain == [(f"/ru/p/{petition.slug}/?source=telegram", 302)]
    assert 'name="source" value="telegram"' in landing.content.decode()

    sign(petition, source="telegram")
    run_tasks()
    mail = mailoutbox[-1].body
    client.post(mail.split("http://127.0.0.1:8000", 1)[1].split()[0])

    signature = Signature.objects.get()
    assert signature.confirmed_at is not None
    assert signature.source == "telegram"


def test_it_suggests_other_open_petitions_in_the_readers_language_after_signing(client, petition, organization):
    other = Petition.objects.create(
        organization=organization, slug="other", title="Other", summary="S", body="B", state=Petition.State.OPEN
    )
    translate(other, "ru", title="Другая петиция", summary="Кратко")
    Petition.objects.create(
        organization=organization, slug="english-only", title="English only", summary="S", body="B", state="open"
    )

    russian = client.get(f"/ru/p/{petition.slug}/thanks").content.decode()
    english = client.get(f"/en/p/{petition.slug}/thanks").content.decode()

    assert "Другая петиция" in russian
    assert "English only" not in russian
    assert "English only" in english
    assert 'data-count-url="/api/v1/petitions/free-them"' in russian  # the live count against the goal
