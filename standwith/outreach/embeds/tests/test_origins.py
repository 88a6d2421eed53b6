"""The sites listed for an embed: cut down to origins a browser compares, or refused with the reason."""

import pytest
from django.core.exceptions import ValidationError

from standwith.outreach.embeds.origins import MAX_ORIGINS, normalise_origin, parse_origins


@pytest.mark.parametrize(
    ("pasted", "origin"),
    [
        ("https://www.Partner.example/", "https://www.partner.example"),
        ("  https://partner.example  ", "https://partner.example"),
        ("https://partner.example:443", "https://partner.example"),
        ("http://partner.example:80", "http://partner.example"),
        ("https://partner.example:8443", "https://partner.example:8443"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("https://[::1]:8000", "https://[::1]:8000"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("https://*.partner.example", "https://*.partner.example"),
    ],
)
def test_it_keeps_the_origin_of_a_site_address(pasted, origin):
    assert normalise_origin(pasted) == origin


@pytest.mark.parametrize(
    ("pasted", "reason"),
    [
        ("partner.example", "start it with https://"),
        ("ftp://partner.example", "start it with https://"),
        ("javascript:alert(1)", "start it with https://"),
        ("*", "start it with https://"),
        ("'self'", "no spaces, commas, semicolons or quotes"),
        ("https://partner.example/petitions", "without a path"),
        ("https://partner.example/?a=1", "without a path"),
        ("https://partner.example#top", "without a path"),
        ("https://partner.example; script-src *", "no spaces, commas, semicolons or quotes"),
        ("https://partner.example,https://evil.example", "no spaces, commas, semicolons or quotes"),
        ("https://user:secret@partner.example", "no user name or password"),
        ("https://partner.example:99999", "port is not a number"),
        ("https://partner.example:0", "port is not a number"),
        ("https://*.example", "subdomains of one site"),
        ("https://*.203.0.113.7", "subdomains of one site"),
        ("https://www.*.example", "only a leading"),
        ("https://partner.example:*", "port is not a number"),
        ("https://-partner.example", "not a valid host name"),
        ("https://", "not a valid host name"),
    ],
)
def test_it_refuses_what_is_not_one_sites_origin_and_says_why(pasted, reason):
    with pytest.raises(ValidationError) as refused:
        normalise_origin(pasted)

    assert reason in refused.value.messages[0]
    assert refused.value.messages[0].startswith(f"“{pasted.strip()}” cannot frame the petition")


def test_it_reads_one_origin_a_line_and_drops_repeats():
    text = "https://partner.example\n\n  https://PARTNER.example/ \r\nhttp://localhost:8000\n"

    assert parse_origins(text) == ["https://partner.example", "http://localhost:8000"]


def test_it_wants_at_least_one_origin():
    with pytest.raises(ValidationError, match="at least one website address"):
        parse_origins(" \n ")


def test_it_takes_no_more_origins_than_a_header_should_carry():
    many = "\n".join(f"https://site{number}.example" for number in range(MAX_ORIGINS + 1))

    with pytest.raises(ValidationError, match=f"at most {MAX_ORIGINS}"):
        parse_origins(many)
