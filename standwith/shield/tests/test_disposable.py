"""Disposable email domains: refused at signing, the list replaced by a command."""

import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from standwith.shield import disposable
from standwith.signing.forms import PersonForm
from standwith.signing.models import Signature


@pytest.fixture
def domain_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A list of our own in place of the shipped one, so the command never rewrites the source tree."""
    path = tmp_path / "data" / "disposable_domains.txt"
    path.parent.mkdir()
    path.write_text("# old list\nold-throwaway.example\n", encoding="utf-8")
    monkeypatch.setattr(disposable, "DATA_FILE", path)
    disposable.blocked_domains.cache_clear()
    yield path
    disposable.blocked_domains.cache_clear()


def test_it_ships_a_list_that_parses_and_names_its_source_and_licence():
    text = disposable.DATA_FILE.read_text(encoding="utf-8")

    assert len(disposable.blocked_domains()) > 1000
    assert "github.com/disposable-email-domains/disposable-email-domains" in text
    assert "CC0" in text


@pytest.mark.parametrize("domain", ["mailinator.com", "MAILINATOR.COM", "inbox.mailinator.com", "a.b.mailinator.com"])
def test_it_recognises_a_listed_domain_and_its_subdomains(domain):
    assert disposable.is_disposable(domain)


# notmailinator.com is a throwaway service of its own and listed as such.
@pytest.mark.parametrize(
    "domain", ["mymailinator.com", "mailinatorx.com", "mailinator.com.example.org", "com", "example.org", "gmail.com"]
)
def test_it_does_not_refuse_a_lookalike_or_an_ordinary_domain(domain):
    assert not disposable.is_disposable(domain)


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["someone@mailinator.com", "someone@Inbox.Mailinator.com"])
def test_it_refuses_to_sign_with_a_disposable_address_and_stores_nothing(sign, petition, email):
    response = sign(petition, email=email)

    assert response.status_code == 400
    page = response.content.decode()
    assert "are disposable and stop working after a while" in page
    assert 'id="id_email_error"' in page  # the message sits on the email field
    assert not Signature.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_it_signs_with_an_address_at_a_lookalike_domain(sign, petition):
    assert sign(petition, email="someone@mymailinator.com").status_code == 303


def test_it_refuses_disposable_addresses_wherever_a_person_gives_their_address():
    form = PersonForm({"name": "Ada Lovelace", "email": "ada@guerrillamail.com", "country": "GB"})

    assert not form.is_valid()
    assert form.errors.as_data()["email"][0].code == "disposable"


def test_it_replaces_the_list_from_a_local_file(domain_list, tmp_path):
    source = tmp_path / "new.conf"
    source.write_text("Fresh-Throwaway.example\n\n# a comment\nother.example  # and another\n", encoding="utf-8")
    assert disposable.is_disposable("old-throwaway.example")

    call_command("update_disposable_domains", "--from", str(source))

    text = domain_list.read_text(encoding="utf-8")
    assert text.startswith("# Email domains that hand out throwaway inboxes")
    assert f"Source: {source}" in text
    assert "CC0 1.0" in text
    assert text.splitlines()[-2:] == ["fresh-throwaway.example", "other.example"]
    assert disposable.is_disposable("mail.fresh-throwaway.example")
    assert not disposable.is_disposable("old-throwaway.example")
    assert oct(domain_list.stat().st_mode & 0o777) == oct(0o644)  # readable by the web workers
    assert sorted(p.name for p in domain_list.parent.iterdir()) == ["disposable_domains.txt"]  # nothing left over


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "names no domain"),
        (b"# only a comment\n\n", "names no domain"),
        (b"good.example\n<html><body>404: Not Found</body></html>\n", "line 2 is not a domain name"),
        (b"good.example\nlocalhost\n", "line 2 is not a domain name"),
        (b"good.example\nbad_domain.example\n", "line 2 is not a domain name"),
        (b"\xff\xfe not text", "not a domain list"),
    ],
)
def test_it_keeps_the_current_list_when_the_new_one_is_empty_or_malformed(domain_list, tmp_path, content, problem):
    before = domain_list.read_bytes()
    source = tmp_path / "bad.conf"
    source.write_bytes(content)

    with pytest.raises(CommandError, match=problem):
        call_command("update_disposable_domains", "--from", str(source))

    assert domain_list.read_bytes() == before
    assert sorted(p.name for p in domain_list.parent.iterdir()) == ["disposable_domains.txt"]


def test_it_keeps_the_current_list_when_the_file_cannot_be_read(domain_list, tmp_path):
    before = domain_list.read_bytes()

    with pytest.raises(CommandError, match="could not read"):
        call_command("update_disposable_domains", "--from", str(tmp_path / "missing.conf"))

    assert domain_list.read_bytes() == before


@pytest.fixture
def list_server(tmp_path: Path) -> Iterator[str]:
    """The list published over HTTP on loopback, as the project publishes it."""
    served = tmp_path / "served"
    served.mkdir()
    (served / "disposable_email_blocklist.conf").write_text("served-throwaway.example\n", encoding="utf-8")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_it_replaces_the_list_from_a_url(domain_list, list_server):
    call_command("update_disposable_domains", "--from", f"{list_server}/disposable_email_blocklist.conf")

    assert disposable.is_disposable("served-throwaway.example")


def test_it_keeps_the_current_list_when_the_url_answers_with_an_error(domain_list, list_server):
    before = domain_list.read_bytes()

    with pytest.raises(CommandError, match="could not read"):
        call_command("update_disposable_domains", "--from", f"{list_server}/gone.conf")

    assert domain_list.read_bytes() == before
