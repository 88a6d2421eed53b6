"""Names: obviously malformed ones are refused; real names, in any script, are not."""

import pytest
from django import forms

from standwith.signing.forms import NAME_MAX_WORDS, clean_person_name
from standwith.signing.models import Signature

REAL_NAMES = [
    "Салех Магамадов",  # Cyrillic
    "Ismail Исаев",  # two scripts in one name
    "عمر عبد الله",  # Arabic
    "王",  # a single-character Chinese name
    "王婷婷",
    "婷婷",  # a doubled character is a common given name
    "Lili",
    "Ng",
    "O'Brien",
    "Jean-Luc Picard",
    "Nguyễn Thị Minh Khai",
    "Sukarno",  # one name is the whole name for many Indonesians
    "Ada 🌈 Lovelace",
    "\U0001f469\U0001f3fd\u200d\U0001f9b1 Amara",  # an emoji sequence held together by a zero-width joiner
    "Louis XIV",
    "3ali 7assan",  # Arabic in Latin letters writes some sounds with digits
    "Nguyen 2",
    "A. A.",  # initials, for a signer who does not want to be named
    "Ali @ home",  # an at sign that is not an address
    "María de los Ángeles Fernández de la Cruz y García",
    "Wwwa Kowalska",  # "www" inside a word is not a web address
    "ดวงใจ ศรีสุข",  # Thai
    "अनन्या",  # Devanagari, with combining vowel signs
    "می\u200cنا",  # Persian, with a zero-width non-joiner inside the word
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_it_accepts_real_names(name):
    assert clean_person_name(name) == name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ada@example.org", "email_as_name"),
        ("Ada Lovelace ada.lovelace@mail.example.co.uk", "email_as_name"),
        ("https://cheap-pills.example", "url_as_name"),
        ("Visit http://spam.example now", "url_as_name"),
        ("WWW.spam.example", "url_as_name"),
        ("aaaaaa", "repeated_character"),
        ("AaA", "repeated_character"),
        ("ж ж ж ж", "repeated_character"),
        ("x" * 100, "repeated_character"),
        (" ".join(["word"] * (NAME_MAX_WORDS + 1)), "too_many_words"),
    ],
)
def test_it_refuses_a_malformed_name_with_a_reason(name, code):
    with pytest.raises(forms.ValidationError) as refused:
        clean_person_name(name)

    assert refused.value.code == code


def test_it_accepts_a_name_of_exactly_the_most_words():
    name = " ".join(["Ana"] * (NAME_MAX_WORDS - 1) + ["Silva"])

    assert clean_person_name(name) == name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ada@example.org", "This looks like an email address. Please write your name here."),
        ("www.spam.example", "Please write your name here, not a web address."),
        ("aaaaaa", "Please write your name, not one character repeated."),
        ("a b c d e f g h i j k l m", "Please keep your name to 12 words at most."),
    ],
)
def test_it_tells_the_signer_what_is_wrong_with_the_name_and_stores_nothing(sign, petition, name, message):
    response = sign(petition, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["王", "O'Brien", "عمر عبد الله", "Ada 🌈 Lovelace", "Sukarno"])
def test_it_signs_with_a_real_name(sign, petition, name):
    assert sign(petition, name=name).status_code == 303
