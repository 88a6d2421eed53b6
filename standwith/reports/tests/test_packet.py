"""The delivery packet's content, read back from the PDF."""

import io

import pytest
from django.utils import timezone

from standwith.campaigns.models import Milestone, Organization, Petition, Target
from standwith.conftest import translate
from standwith.reports import packet
from standwith.reports.tests.packet_helpers import flat, pdf_text, signer, staff
from standwith.shield.services import Criteria, invalidate
from standwith.signing import crypto
from standwith.signing.erasure import erase
from standwith.signing.models import PetitionKey, Signature
from standwith.staff.models import Role

pytestmark = pytest.mark.django_db


def built(petition: Petition, **options: object) -> str:
    out = io.BytesIO()
    packet.build(petition, out, **options)  # type: ignore[arg-type]
    data = out.getvalue()
    assert data.startswith(b"%PDF-")
    return pdf_text(data)


def listed_names(text: str) -> list[tuple[int, str]]:
    """(number, name) for each line of the signers' list."""
    lines = text.split("Signers who agreed to be named", 1)[1].splitlines()
    # Each row reads back as three lines: its number, the name, the country.
    start = next(index for index, line in enumerate(lines) if line.strip() == "1")
    rows = lines[start:]
    return [(int(rows[index]), rows[index + 1]) for index in range(0, len(rows) - 2, 3)]


def test_it_holds_the_title_targets_organisations_and_the_exact_count(petition):
    petition.partners.add(Organization.objects.create(slug="partner", name="Partner Org"))
    for number in range(3):
        signer(petition, f"Signer {number}", f"s{number}@example.org")
    signer(petition, "Waiting Person", "wait@example.org", confirmed=False)

    text = flat(built(petition))

    assert "Free them" in text
    assert "A. President, President (United States of America)" in text
    assert "All Out" in text
    assert "Partner Org (partner)" in text
    assert "3 people signed and confirmed this petition." in text
    assert "Two young men are in danger." in text


def test_it_names_only_public_confirmed_unerased_and_valid_signers_sorted_and_numbered(petition):
    signer(petition, "zoë Zeta", "z@example.org", country="FR")
    signer(petition, "Émile Alpha", "e@example.org", country="DE")
    signer(petition, "bob Beta", "b@example.org")
    signer(petition, "Hidden Person", "hidden@example.org", public=False)
    signer(petition, "Pending Person", "pending@example.org", confirmed=False)
    erased = signer(petition, "Erased Person", "erased@example.org")
    erase(Signature.objects.filter(pk=erased))
    signer(petition, "Cheater Person", "cheat@cheaters.example")
    moderator = staff("mod", petition.organization, Role.MODERATOR)
    invalidate(petition, Criteria(domain="cheaters.example"), "a farm of addresses", moderator)

    text = built(petition)

    assert listed_names(text) == [(1, "bob Beta"), (2, "Émile Alpha"), (3, "zoë Zeta")]
    assert "France" in text
    assert "Germany" in text
    for hidden in ("Hidden", "Pending", "Erased", "Cheater"):
        assert hidden not in text
    assert "@" not in text


def test_it_holds_no_email_address_anywhere_in_the_file(petition):
    signer(petition, "Ada Lovelace", "ada-lovelace@example.org")
    out = io.BytesIO()

    packet.build(petition, out)

    assert b"ada-lovelace" not in out.getvalue()
    assert "ada-lovelace" not in pdf_text(out.getvalue())


def test_it_states_how_the_count_was_verified(petition):
    for number in range(4):
        signer(petition, f"Web {number}", f"w{number}@example.org")
    for number in range(2):
        signer(petition, f"Paper {number}", f"p{number}@example.org")
    paper = Signature.objects.filter(pk__in=list(Signature.objects.order_by("-pk").values_list("pk", flat=True)[:2]))
    paper.update(channel=Signature.Channel.PAPER, vouched_by=petition.organization)
    erase(Signature.objects.filter(pk=Signature.objects.order_by("pk").values_list("pk", flat=True)[0]))
    signer(petition, "Cheater", "c1@cheaters.example")
    signer(petition, "Cheater Two", "c2@cheaters.example", confirmed=False)
    invalidate(
        petition, Criteria(domain="cheaters.example"), "fake", staff("mod", petition.organization, Role.MODERATOR)
    )

    text = flat(built(petition))

    assert "Counts after the signer confirms by email" in text
    assert "Confirmed signatures (counted) 6" in text
    assert "collected on paper and entered by staff 2" in text
    assert "vouched for in person by an organisation 2" in text
    assert "(still counted) 1" in text
    assert "Invalidated as fraudulent or duplicate (not counted) 2" in text
    assert "in 1 invalidation: 2 signatures, of which 1 had counted" in text


def test_it_says_an_undone_invalidation_struck_nothing_off(petition):
    from standwith.shield.services import undo

    signer(petition, "Cheater", "c1@cheaters.example")
    moderator = staff("mod", petition.organization, Role.MODERATOR)
    undo(invalidate(petition, Criteria(domain="cheaters.example"), "fake", moderator), moderator)

    text = flat(built(petition))

    assert "No signatures were struck off by staff." in text
    assert "1 person signed and confirmed this petition." in text


def test_it_says_so_when_the_counter_drifted(petition):
    signer(petition, "Ada", "ada@example.org")
    Signature.objects.filter(petition=petition).update(state=Signature.State.WITHDRAWN)

    text = flat(built(petition))

    assert "0 people signed" in text
    assert "The public counter showed 1 at that moment" in text


def test_it_counts_signatures_at_once_on_a_petition_without_confirmation(instant_petition):
    signer(instant_petition, "Quick One", "q@example.org", confirmed=False)

    text = flat(built(instant_petition))

    assert "Counts at once (confirmation still sent)" in text
    assert "1 person signed" in text
    assert "1 Quick One United Kingdom" in text


def test_it_adds_the_translations_asked_for_and_only_those(petition):
    translate(
        petition, "ru", title="Освободите их", summary="Двое молодых людей в опасности.", body="Их **задержали**."
    )
    translate(petition, "fr", title="Libérez-les", summary="Deux jeunes hommes en danger.", body="Détenus.")

    text = flat(built(petition, languages=["ru", "de"]))

    assert "The petition in Russian (translation)" in text
    assert "Освободите их" in text
    assert "Двое молодых людей в опасности." in text
    assert "Libérez-les" not in text
    assert "German" not in text


def test_it_sets_an_arabic_translation_right_to_left_with_its_letters_joined(petition):
    translate(petition, "ar", title="محمد", summary="ملخص", body="نص **الالتماس**.\n\nفقرة ثانية.")

    text = built(petition, languages=["ar"])

    assert "The petition in Arabic (translation)" in text
    assert "\ufee3\ufea4\ufee4\ufeaa" in text
    assert "**" in text  # Markdown is not interpreted right to left: shown as typed rather than misordered


def test_it_lists_the_milestones(petition):
    Milestone.objects.create(petition=petition, threshold=100, reached_at=timezone.now())

    text = flat(built(petition))

    assert "Milestones" in text
    assert "100 signatures" in text


def test_it_folds_countries_with_few_signers_into_other_countries(petition, settings):
    settings.PUBLIC_MIN_GROUP_SIZE = 2
    signer(petition, "One", "1@example.org", country="FR")
    signer(petition, "Two", "2@example.org", country="FR")
    signer(petition, "Lone", "3@example.org", country="LS", public=False)

    text = flat(built(petition))

    assert "Other countries 1" in text
    assert "Lesotho" not in text


def test_it_draws_names_in_every_script(petition):
    names = ["Иван Петров", "李小龙", "김민수", "山田太郎", "Ben 🌈 Smith", "محمد"]
    for number, name in enumerate(names):
        signer(petition, name, f"n{number}@example.org")

    text = built(petition)

    for name in ["Иван Петров", "李小龙", "김민수", "山田太郎", "Ben"]:
        assert name in text
    # Arabic is drawn in its joined forms (initial meem, medial hah, medial meem, final dal), right to left:
    # text extraction reads those back in reading order.
    assert "\ufee3\ufea4\ufee4\ufeaa" in text


def test_it_says_names_could_not_be_read_after_the_key_was_destroyed(petition):
    signer(petition, "Ada Lovelace", "ada@example.org")
    PetitionKey.objects.filter(petition=petition).delete()
    crypto.forget_keys()

    text = flat(built(petition))

    assert "1 names could not be read" in text
    assert "Ada" not in text
    assert "1 person signed" in text


def test_it_has_no_names_section_entries_when_no_one_asked(petition):
    signer(petition, "Private Person", "p@example.org", public=False)

    text = flat(built(petition))

    assert "No signer asked to be named." in text
    assert "Private" not in text


def test_it_builds_for_a_petition_without_targets_or_signatures(organization):
    petition = Petition.objects.create(organization=organization, slug="empty", title="Empty", summary="S", body="B")
    assert not Target.objects.filter(petitions=petition).exists()

    text = flat(built(petition))

    assert "No target is named." in text
    assert "0 people signed" in text
