"""A partner's embed in Chromium: framed by the partner's listed site, refused everywhere else.

The partner's page is served by a small HTTP server of its own, at
http://localhost:<port>, another origin than the site's http://127.0.0.1:<port>.
"""

import functools
import http.server
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from playwright.sync_api import ConsoleMessage, Frame, Page, expect

from standwith.e2e.browser import Visitor
from standwith.e2e.site import Site, free_port, mail_text, run_command_ok, wait_until
from standwith.e2e.test_moderation import code_for

pytestmark = pytest.mark.e2e

Screenshot = Callable[[Page, str], Path]
PETITION = "free-salekh-and-ismail"  # the demo campaign's, whose partner is Freedom House
SOURCE = "freedom-house-web"


class Partner:
    """The partner organisation's website: pages written by the test, served from their own origin."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.origin = f"http://localhost:{port}"

    def page(self, name: str, body: str) -> str:
        (self.root / name).write_text(
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>Freedom House: act now</title>"
            '<link rel="icon" href="data:,"></head>'
            '<body style="font-family:sans-serif;margin:2rem;background:#eef3f8">'
            "<h1>Freedom House</h1><p>Two young men are held in Chechnya. Add your name below.</p>"
            f"{body}</body></html>"
        )
        return f"{self.origin}/{name}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The test's output stays the site's own."""


@pytest.fixture(scope="module")
def partner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Partner]:
    root = tmp_path_factory.mktemp("partner")
    port = free_port()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Partner(root, port)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def keys(site: Site, partner: Partner) -> dict[str, str]:
    """Two embeds of the demo petition for Freedom House: one lists the partner's site, the other does not."""
    keys = {"listed": secrets.token_urlsafe(18), "unlisted": secrets.token_urlsafe(18)}
    run_command_ok(
        site.env,
        "shell",
        "-c",
        f"""
from standwith.campaigns.models import Organization, Petition
from standwith.outreach.embeds.models import Embed

petition = Petition.objects.get(slug="{PETITION}")
partner = Organization.objects.get(slug="freedom-house")
for key, origins in [("{keys["listed"]}", "{partner.origin}"), ("{keys["unlisted"]}", "https://elsewhere.example")]:
    embed = Embed(petition=petition, partner=partner, origins=origins, source="{SOURCE}", key=key)
    embed.full_clean()
    embed.save()
""",
    )
    return keys


def script_tag(site: Site, key: str, lang: str) -> str:
    return (
        f'<script src="{site.base_url}/static/standwith/embed.js" data-petition-embed="{key}" '
        f'data-lang="{lang}" async></script>'
    )


def embedded_frame(page: Page) -> Frame:
    def found() -> Frame | None:
        return next((frame for frame in page.frames if "/embed/" in frame.url), None)

    return wait_until(found, 10, "the embed's frame")


def frame_height(page: Page) -> str:
    return str(page.locator("iframe").evaluate("frame => frame.style.height"))


def content_height(page: Page) -> int:
    frame = embedded_frame(page)
    return int(frame.evaluate("Math.ceil(document.querySelector('main').getBoundingClientRect().height)"))


def sized_to_content(page: Page) -> int:
    """Wait until embed.js has made the frame as tall as what the frame shows now; that height."""
    return wait_until(
        lambda: (height := content_height(page)) and frame_height(page) == f"{height}px" and height,
        10,
        "embed.js to size the frame to its content",
    )


def partner_signatures(site: Site, lang: str) -> list[tuple[str, str, str]]:
    """Source, language and referring host of the signatures made through Freedom House's embed, in order."""
    rows = site.database.query(
        "SELECT source, language, referrer_host FROM signing_signature"
        " WHERE petition_id = %s AND source = %s AND language = %s ORDER BY id",
        site.petition_id(PETITION),
        SOURCE,
        lang,
    )
    return [(row[0], row[1], row[2]) for row in rows]


@pytest.mark.parametrize(
    ("lang", "heading", "checked"),
    [
        ("en", "Add your name", "Check your email"),
        ("fr", "Ajoutez votre nom", "Consultez votre messagerie"),
    ],
)
def test_it_shows_sizes_and_signs_in_a_frame_on_a_listed_partner_site(
    site: Site,
    partner: Partner,
    keys: dict[str, str],
    visitor: Visitor,
    screenshot: Screenshot,
    lang: str,
    heading: str,
    checked: str,
):
    address = partner.page(f"listed-{lang}.html", script_tag(site, keys["listed"], lang))
    before = site.signatures(PETITION)
    from_partner = len(partner_signatures(site, lang))
    email = f"embed.{lang}.{uuid4().hex[:8]}@example.org"
    # The partner's data-lang wins over the browser's language. Tall enough for the whole page: a full-page
    # screenshot draws a frame from another origin only as far as the window reached.
    page = visitor.open(locale="de-DE", viewport={"width": 1280, "height": 1400})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(address)

    form = page.frame_locator("iframe")
    expect(form.get_by_role("heading", name=heading)).to_be_visible()
    frame = embedded_frame(page)
    assert frame.url == f"{site.base_url}/{lang}/embed/{keys['listed']}/"
    # embed.js sizes the frame to the form the frame reports, in pixels; no scroll bar inside.
    content = sized_to_content(page)
    assert content > 500
    assert frame.evaluate("document.documentElement.scrollHeight <= innerHeight")
    assert page.locator("iframe").get_attribute("title") == frame.evaluate("document.title")
    # Only the frame may size it: the same message from the partner's page itself changes nothing.
    page.evaluate("window.postMessage({type: 'standwith:height', height: 5, title: 'forged'}, '*')")
    page.wait_for_timeout(200)
    assert frame_height(page) == f"{content}px"
    screenshot(page, f"70-partner-embed-{lang}")

    # A refusal stays in the frame, in its language.
    form.get_by_role("button").last.click()
    expect(form.get_by_role("alert")).to_be_visible()
    assert site.signatures(PETITION) == before
    assert sized_to_content(page) > content  # taller with the errors, and sized again
    screenshot(page, f"71-partner-embed-refused-{lang}")

    form.locator("input[name=name]").fill("Lena Petrova")
    form.locator("input[name=email]").fill(email)
    form.locator("select[name=country]").select_option("DE")
    form.get_by_role("button").last.click()

    expect(form.get_by_role("heading", name=checked)).to_be_visible()
    assert page.url == address  # the partner's page stayed; only the frame moved on
    assert sized_to_content(page) < content  # and shrinks to the shorter page
    screenshot(page, f"72-partner-embed-sent-{lang}")
    assert site.signatures(PETITION) == before + 1
    made = partner_signatures(site, lang)
    assert len(made) == from_partner + 1
    assert made[-1] == (SOURCE, lang, "localhost")  # the partner's code, the frame's language, the partner's host
    message = wait_until(lambda: site.mails_to(email), 20, "the confirmation mail")[0]
    assert f"/{lang}/p/{PETITION}/confirm/" in mail_text(message)
    # Besides the refusal's 400: Chromium lets no cross-origin frame take focus by itself (role=alert is read out).
    expected = ("status of 400", "Blocked autofocusing on a <div> element in a cross-origin subframe")
    assert [error for error in errors if not any(part in error for part in expected)] == []
    assert [url for url in visitor.requested if not url.startswith((site.base_url, partner.origin))] == []


def test_it_refuses_to_be_framed_by_a_site_the_embed_does_not_list(
    site: Site, partner: Partner, keys: dict[str, str], visitor: Visitor
):
    address = partner.page("unlisted.html", script_tag(site, keys["unlisted"], "en"))
    before = site.signatures(PETITION)
    page = visitor.open()
    refusals: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "frame-ancestors" in message.text:
            refusals.append(message.text)

    page.on("console", note)
    page.goto(address)
    page.wait_for_load_state("load")

    wait_until(lambda: refusals, 10, "Chromium to report the frame-ancestors violation")
    assert "https://elsewhere.example" in refusals[0]
    # Chromium shows its own error page in place of the site's: no form, no height message.
    frame = wait_until(lambda: next((f for f in page.frames if f is not page.main_frame), None), 10, "the frame")
    assert "/embed/" not in frame.url
    assert page.frame_locator("iframe").locator("form").count() == 0
    assert frame_height(page) == "40rem"
    assert site.signatures(PETITION) == before


def test_it_refuses_a_form_posted_to_the_embed_from_the_partner_page_itself(
    site: Site, partner: Partner, keys: dict[str, str], visitor: Visitor
):
    address = partner.page(
        "forged.html",
        f'<form method="post" action="{site.base_url}/en/embed/{keys["listed"]}/sign">'
        '<input name="name" value="Forged Signer"><input name="email" value="forged@example.org">'
        '<input name="country" value="DE"><button>Send</button></form>',
    )
    before = site.signatures(PETITION)
    page = visitor.open()
    page.goto(address)

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send").click()

    response = navigation.value
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Please sign on the petition page")).to_be_visible()
    assert site.signatures(PETITION) == before


CAMPAIGNER_PASSWORD = "a long pass phrase for campaigning"  # noqa: S105 (a test account on a throwaway site)


def test_it_lets_a_campaigner_list_the_partners_site_and_paste_the_snippet_from_the_admin(
    site: Site, partner: Partner, visitor: Visitor, screenshot: Screenshot
):
    run_command_ok(
        site.env,
        "shell",
        "-c",
        f"""
from django.contrib.auth.models import User
from standwith.campaigns.models import Organization
from standwith.staff.models import Membership, Role

user = User.objects.create_user("campaigner@example.org", "campaigner@example.org", "{CAMPAIGNER_PASSWORD}",
                                is_staff=True)
Membership.objects.create(user=user, organization=Organization.objects.get(slug="all-out"), role=Role.CAMPAIGNER)
""",
    )
    page = visitor.open(viewport={"width": 1280, "height": 1000})
    page.goto("/admin/")
    page.locator("#id_username").fill("campaigner@example.org")
    page.locator("#id_password").fill(CAMPAIGNER_PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.locator("input[name=code]").fill(code_for(page.locator("code.secret-key").inner_text()))
    page.locator("#login-form [type=submit]").click()
    page.get_by_role("link", name="I have kept them: continue").click()

    page.goto("/admin/embeds/embed/add/")
    page.locator("#id_petition").select_option(label="Free Salekh and Ismail")
    page.locator("#id_partner").select_option(label="Freedom House")
    page.locator("#id_origins").fill(f"{partner.origin}/campaigns/chechnya")
    page.locator("#id_source").fill("fh-newsletter")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text(
        f"“{partner.origin}/campaigns/chechnya” cannot frame the petition: give the site only"
    )
    screenshot(page, "73-embed-admin-refused")

    page.locator("#id_origins").fill(f"{partner.origin}/")
    page.get_by_role("button", name="Save and continue editing").click()
    snippet = page.locator("#embed-script")
    expect(snippet).to_be_visible()
    screenshot(page, "74-embed-admin-snippets")

    # Pasted as it is, with no data-lang: the frame speaks the reader's language.
    reader = visitor.open(locale="es-ES", viewport={"width": 1280, "height": 1400})
    reader.goto(partner.page("pasted.html", snippet.input_value()))
    expect(reader.frame_locator("iframe").get_by_role("heading", name="Añade tu nombre")).to_be_visible()
