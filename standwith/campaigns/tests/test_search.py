import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from standwith.campaigns.models import Case, Organization, Petition, Translation
from standwith.campaigns.search import LIMIT, MAX_QUERY_LENGTH
from standwith.signing import counting

pytestmark = pytest.mark.django_db


def search_page(client, language="en", **params):
    return client.get(f"/{language}/search", params)


def make_petition(organization, slug, title, state=Petition.State.OPEN, **fields):
    defaults = {"summary": "A summary.", "body": "A body."}
    return Petition.objects.create(
        organization=organization, slug=slug, title=title, state=state, **(defaults | fields)
    )


@pytest.fixture
def case(organization, petition):
    case = Case.objects.create(
        organization=organization,
        slug="two-men",
        title="Two men missing in Chechnya",
        summary="They were taken from their homes.",
        country="RU",
    )
    petition.case = case
    petition.save()
    return case


def test_it_finds_a_petition_by_a_word_of_its_title(client, petition):
    response = search_page(client, q="free")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/en/p/{petition.slug}/"' in page
    assert "Free them" in page


def test_it_finds_a_petition_by_a_word_of_its_body(client, petition):
    page = search_page(client, q="detained").content.decode()

    assert "Free them" in page


def test_it_shows_the_state_organisation_and_signature_count_of_a_petition(client, petition):
    counting.add(petition.pk, 1234)

    page = search_page(client, q="free").content.decode()

    assert 'class="result-state result-open">Open</span>' in page
    assert "Run by All Out" in page
    assert "<strong>1,234</strong> signatures" in page


def test_it_finds_a_russian_translation_on_the_russian_page(client, petition):
    Translation.objects.create(item=petition, language="ru", field="title", text="Освободите их")
    Translation.objects.create(item=petition, language="ru", field="summary", text="Требуем освобождение двоих мужчин.")

    page = search_page(client, "ru", q="ОСВОБОДИТЕ").content.decode()

    assert f'href="/ru/p/{petition.slug}/"' in page
    assert 'lang="ru">Освободите их</a>' in page
    if connection.vendor == "postgresql":
        # Only PostgreSQL stems words (through the russian text search
        # configuration); SQLite matches substrings, and "освобождения" is
        # not a substring of "освобождение".
        stemmed = search_page(client, "ru", q="освобождения").content.decode()
        assert 'lang="ru">Освободите их</a>' in stemmed


def test_it_does_not_search_translations_into_other_languages_than_the_readers(client, petition):
    Translation.objects.create(item=petition, language="ru", field="title", text="Освободите их")

    page = search_page(client, "en", q="Освободите").content.decode()

    assert "Free them" not in page
    assert "0 results" in page


@pytest.mark.parametrize("state", [Petition.State.DRAFT, Petition.State.PENDING, Petition.State.REJECTED])
def test_it_never_shows_a_petition_that_is_not_public_nor_its_case(client, case, petition, state):
    petition.state = state
    petition.save()

    for params in [{"q": "free"}, {"q": "chechnya"}, {"q": ""}, {"state": ""}, {"country": ""}]:
        page = search_page(client, **params).content.decode()
        assert "Free them" not in page
        assert "Two men missing in Chechnya" not in page


def test_it_shows_open_petitions_when_nothing_is_asked(client, organization, petition):
    make_petition(organization, "closed-one", "An older campaign", state=Petition.State.CLOSED)

    response = search_page(client)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="q"' in page
    assert "Open petitions" in page
    assert "Free them" in page
    assert "An older campaign" not in page


def test_it_finds_cases_and_links_to_them(client, case):
    page = search_page(client, q="chechnya").content.decode()

    assert f'href="/en/c/{case.slug}/"' in page
    assert "Two men missing in Chechnya" in page
    assert "Told by All Out" in page
    assert "1 result for" in page


def test_it_filters_by_state_counting_archived_as_closed(client, organization, petition):
    make_petition(organization, "closed-one", "Free the closed", state=Petition.State.CLOSED)
    make_petition(organization, "archived-one", "Free the archived", state=Petition.State.ARCHIVED)

    open_page = search_page(client, q="free", state="open").content.decode()
    closed_page = search_page(client, q="free", state="closed").content.decode()

    assert "Free them" in open_page
    assert "Free the closed" not in open_page
    assert "Free them" not in closed_page
    assert "Free the closed" in closed_page
    assert "Free the archived" in closed_page


def test_it_filters_by_the_organisation_running_or_partnering_a_petition(client, organization, petition):
    other = Organization.objects.create(slug="freedom-house", name="Freedom House")
    partnered = make_petition(other, "partnered", "Free the partnered")
    partnered.partners.add(organization)
    make_petition(other, "others", "Free the others")

    page = search_page(client, q="free", org="all-out").content.decode()

    assert "Free them" in page
    assert "Free the partnered" in page
    assert "Free the others" not in page


def test_it_filters_by_the_country_of_the_case(client, organization, case, petition):
    elsewhere = Case.objects.create(organization=organization, slug="elsewhere", title="Elsewhere", country="TR")
    make_petition(organization, "free-elsewhere", "Free them elsewhere", case=elsewhere)

    page = search_page(client, country="RU").content.decode()

    assert "Free them</a>" in page
    assert "Two men missing in Chechnya" in page
    assert "Free them elsewhere" not in page
    assert '<option value="TR">' in page  # countries offered are those of public cases


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"state": "draft"}, "Please choose open or closed from the list."),
        ({"org": "no-such-org"}, "There is no such organisation here; please choose one from the list."),
        ({"country": "ZZ"}, "There is no case in that country here; please choose one from the list."),
        ({"q": "x" * (MAX_QUERY_LENGTH + 1)}, "Please keep your search to 200 characters at most; it has 201."),
        ({"q": "free\x1bthem"}, "Your search contains control characters; please type it again."),
    ],
)
def test_it_refuses_bad_input_with_a_clear_message_on_the_form(client, petition, params, message):
    response = search_page(client, **params)

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "Free them" not in page


def test_it_does_not_offer_an_organisation_with_no_public_petition(client, petition):
    Organization.objects.create(slug="quiet", name="Quiet")

    assert search_page(client, org="quiet").status_code == 400
    assert search_page(client, org="all-out").status_code == 200


@pytest.mark.parametrize("query", ["the", "!!!", "don't", "a & b | !c", "free:* (them", '"', "%_", "-free"])
def test_it_answers_queries_of_stop_words_and_search_syntax_without_error(client, petition, query):
    assert search_page(client, q=query).status_code == 200


def test_it_escapes_html_in_the_query(client, petition):
    page = search_page(client, q="<script>alert(1)</script>").content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_it_says_how_many_it_found(client, organization, petition):
    make_petition(organization, "free-more", "Free more")
    make_petition(organization, "free-all", "Free all")

    page = search_page(client, q="free").content.decode()

    assert "3 results for “free”" in page


def test_it_shows_at_most_a_page_of_results_and_says_there_are_more(client, organization):
    for n in range(LIMIT + 1):
        make_petition(organization, f"free-{n}", f"Free number {n}")

    page = search_page(client, q="free").content.decode()

    assert f"More than {LIMIT} results for “free”" in page
    assert page.count('class="card result"') == LIMIT


def test_it_runs_as_many_queries_for_many_results_as_for_one(client, organization, case):
    for n in range(5):
        other = Case.objects.create(organization=organization, slug=f"many-{n}", title=f"Many {n}", country="RU")
        petition = make_petition(organization, f"many-{n}", f"Many petitions {n}", case=other)
        Translation.objects.create(item=petition, language="ru", field="title", text=f"Многие {n}")
    search_page(client, "ru", q="warm up")  # content types are looked up once per process

    with CaptureQueriesContext(connection) as one:
        few = search_page(client, "ru", q="men").content.decode()
    with CaptureQueriesContext(connection) as many:
        lots = search_page(client, "ru", q="many").content.decode()

    assert few.count('class="card result"') == 2  # the case and its petition
    assert lots.count('class="card result"') == 10
    assert len(many.captured_queries) == len(one.captured_queries)


def test_it_serves_a_search_from_the_cache_to_everyone_who_asks_it(client, petition, django_assert_num_queries):
    first = search_page(client, q="free")

    with django_assert_num_queries(0):
        again = search_page(client, q="free")
    assert again.content == first.content
    assert "public" in first["Cache-Control"]
