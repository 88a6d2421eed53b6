"""Right-to-left names made drawable: Arabic letters joined, runs put in visual order."""

from standwith.reports.textshaping import join_arabic, visual


def test_it_leaves_left_to_right_text_alone():
    assert visual("Émile Zola 12") == "Émile Zola 12"
    assert visual("Иван") == "Иван"


def test_it_joins_arabic_letters_into_their_contextual_forms():
    # meem initial, hah medial, meem medial, dal final
    assert join_arabic("محمد") == "\ufee3\ufea4\ufee4\ufeaa"


def test_it_joins_lam_and_alef_into_one_ligature():
    assert join_arabic("لا") == "\ufefb"
    assert join_arabic("سلام")[1] == "\ufefc"


def test_it_draws_a_right_to_left_word_from_its_last_letter():
    assert visual("שלום") == "םולש"


def test_it_keeps_numbers_in_their_own_order_inside_right_to_left_text():
    assert visual("كريم 12").startswith("12 ")


def test_it_puts_a_latin_word_in_arabic_text_in_its_place():
    drawn = visual("محمد Ali")
    assert drawn.endswith("\ufeaa\ufee4\ufea4\ufee3")
    assert drawn.startswith("Ali")
