import pytest
from hypothesis import given
from hypothesis import strategies as st

from standwith.signing.emails import InvalidEmail, canonical_inbox, parse_address


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Ada@Example.org", "ada@example.org"),
        ("  ada@example.org \n", "ada@example.org"),
        ("ada+petitions@example.org", "ada@example.org"),
        ("Jane.Doe+x@GoogleMail.com", "janedoe@gmail.com"),
        ("j.a.n.e.d.o.e@gmail.com", "janedoe@gmail.com"),
        ("ivan.petrov@ya.ru", "ivan-petrov@yandex.ru"),
        ("Ivan-Petrov@yandex.com", "ivan-petrov@yandex.ru"),
        ("ivan.petrov@mail.ru", "ivan.petrov@mail.ru"),  # dots matter at most providers
        ("user@bücher.example", "user@xn--bcher-kva.example"),
        ("user@почта.рф", "user@xn--80a1acny.xn--p1ai"),
        ("+tagonly@example.org", "+tagonly@example.org"),
    ],
)
def test_it_reduces_an_address_to_its_inbox(typed, canonical):
    assert parse_address(typed).canonical == canonical


def test_it_sends_to_the_address_as_typed_with_an_ascii_domain():
    assert parse_address("Jane.Doe+x@Bücher.example").deliverable == "Jane.Doe+x@xn--bcher-kva.example"


@pytest.mark.parametrize(
    "typed", ["", "   ", "plain", "@example.org", "a@", "a@b", "a@-x-.org", "a..b@example.org", "ä@example.org"]
)
def test_it_refuses_what_is_not_a_deliverable_address(typed):
    with pytest.raises(InvalidEmail):
        parse_address(typed)


local_parts = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,20}[A-Za-z0-9]", fullmatch=True).filter(
    lambda s: ".." not in s
)
domains = st.sampled_from(["gmail.com", "googlemail.com", "yandex.ru", "ya.ru", "example.org", "mail.ru"])


@given(local_parts, domains)
def test_it_gives_the_same_inbox_for_its_own_answer(local, domain):
    once = canonical_inbox(local, domain)
    twice = canonical_inbox(*once.rsplit("@", 1))

    assert once == twice


@given(local_parts, domains)
def test_it_ignores_the_case_of_what_is_typed(local, domain):
    assert canonical_inbox(local.upper(), domain.upper()) == canonical_inbox(local.lower(), domain)
