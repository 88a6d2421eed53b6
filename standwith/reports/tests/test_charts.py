"""The SVG charts: well-formed, labelled for screen readers, their numbers in the text, whatever the data."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from standwith.reports import charts
from standwith.signing.statistics import OTHER

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def desc(svg: str) -> str:
    found = parsed(svg).find(f"{SVG}desc")
    assert found is not None
    assert found.text
    return found.text


def series(confirmed, pending):
    return [charts.Series("Confirmed", confirmed, charts.CONFIRMED), charts.Series("Pending", pending, charts.PENDING)]


def test_it_puts_the_totals_of_each_series_in_the_time_charts_description():
    svg = charts.time_bars("t", "Per day", ["20/11", "21/11", "22/11"], series([5, 7, 0], [1, 0, 2]))

    assert desc(svg) == "From 20/11 to 22/11. In all, Confirmed: 12; Pending: 3."
    assert "<title>21/11 — Confirmed: 7, Pending: 0</title>" in svg
    assert len(parsed(svg).findall(f".//{SVG}g")) == 3  # one bar a day with signatures


def test_it_draws_an_empty_time_chart_without_fault():
    svg = charts.time_bars("t", "Per day", [], series([], []))

    assert desc(svg) == "No signatures yet."
    assert parsed(svg).findall(f".//{SVG}g") == []  # no bars, only the axis and the legend


def test_it_draws_a_single_day_as_one_bar_of_full_height():
    svg = charts.time_bars("t", "Per day", ["20/11"], series([10], [0]))

    bars = [r for r in parsed(svg).iter(f"{SVG}rect") if r.get("y") != "2"]  # not the legend
    assert len(bars) == 1
    assert float(bars[0].get("width")) <= 40  # not one bar across the whole chart


def test_it_groups_huge_numbers_and_rounds_the_axis_to_a_readable_top():
    svg = charts.time_bars("t", "Per day", ["a", "b"], series([9_876_543, 1], [0, 0]))

    assert "In all, Confirmed: 9,876,544; Pending: 0." in desc(svg)
    assert ">10,000,000</text>" in svg  # the axis top


@pytest.mark.parametrize(("value", "ceiling"), [(0, 1), (1, 1), (7, 10), (10, 10), (11, 20), (150, 200), (501, 1000)])
def test_it_rounds_an_axis_up_to_one_two_or_five(value, ceiling):
    assert charts.nice_ceiling(value) == ceiling


def test_it_lists_each_bar_with_its_number_and_escapes_labels():
    svg = charts.bars("b", "Sources", [("<script>", 3), ("telegram", 1_234_567)])

    assert desc(svg) == "<script>: 3; telegram: 1,234,567"  # parsed: the markup itself is escaped
    assert "&lt;script&gt;" in svg
    assert "<script>" not in svg


def test_it_draws_the_longest_bar_for_the_largest_row():
    root = parsed(charts.bars("b", "Sources", [("a", 100), ("b", 25), ("c", 0)]))
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]

    assert widths[0] == pytest.approx(4 * widths[1], abs=0.05)
    assert widths[2] == 0


def test_it_says_so_when_there_are_no_bars():
    assert desc(charts.bars("b", "Sources", [])) == "No signatures yet."


def test_it_mirrors_bars_on_a_right_to_left_page():
    def bar_and_label(rtl):
        root = parsed(charts.bars("b", "Sources", [("newsletter", 10)], width=480, rtl=rtl))
        bar, label = next(root.iter(f"{SVG}rect")), next(root.iter(f"{SVG}text"))
        return float(bar.get("x")), float(bar.get("x")) + float(bar.get("width")), float(label.get("x"))

    left, _right, label = bar_and_label(rtl=False)
    assert label < left  # the label first, then its bar to the right
    _left, right, label = bar_and_label(rtl=True)
    assert right < label  # the bar to the left of its label


def test_it_names_countries_and_numbers_in_the_active_language():
    with translation.override("ru"):
        svg = charts.world_map("m", "Map", [("DE", 12_000), ("RU", 5), (OTHER, 40)])

    assert "Германия: 12\xa0000" in desc(svg)
    assert "<title>Германия: 12\xa0000</title>" in svg


def test_it_shades_countries_by_their_count_and_leaves_the_rest_grey():
    root = parsed(charts.world_map("m", "Map", [("US", 10_000), ("FR", 1)]))
    fills = {p.find(f"{SVG}title").text.split(":")[0]: p.get("fill") for p in root.iter(f"{SVG}path")}

    assert fills["United States of America"] == charts.SHADES[-1]
    assert fills["France"] == charts.SHADES[0]
    assert fills["Brazil"] == charts.NO_DATA


def test_it_draws_a_map_with_codes_it_has_no_shape_for_without_fault():
    svg = charts.world_map("m", "Map", [("SG", 50), ("MT", 3), (OTHER, 9), ("ZZ", 1)])

    assert "Singapore: 50" in desc(svg)  # in the text, though too small for the map
    assert "ZZ: 1" in desc(svg)


def test_it_draws_an_empty_map():
    svg = charts.world_map("m", "Map", [])

    assert desc(svg) == "No signatures yet."
    assert len(parsed(svg).findall(f"{SVG}path")) > 150


@pytest.mark.parametrize(("peak", "steps"), [(1, [1]), (9, [1, 2, 5]), (10_000_000, [1, 50, 1000, 20000, 500000])])
def test_it_spreads_the_maps_shades_on_a_log_scale(peak, steps):
    assert charts.shade_steps(peak) == steps


def test_it_draws_growth_as_a_running_total():
    days = [(datetime.date(2026, 11, 20), 10), (datetime.date(2026, 11, 21), 5), (datetime.date(2026, 11, 22), 1)]

    svg = charts.growth("g", "Growth", days)

    assert desc(svg) == "16 confirmed signatures from 20 Nov 2026 to 22 Nov 2026."
    line = parsed(svg).find(f"{SVG}polyline")
    ys = [float(point.split(",")[1]) for point in line.get("points").split()]
    assert ys[0] > ys[1] > ys[2]  # always up (y runs downward)


def test_it_draws_growth_of_one_day_as_a_line_across():
    svg = charts.growth("g", "Growth", [(datetime.date(2026, 11, 20), 10)])

    points = parsed(svg).find(f"{SVG}polyline").get("points").split()
    assert len(points) == 2
    assert "10 confirmed signatures" in desc(svg)


def test_it_draws_growth_from_right_to_left_in_arabic():
    days = [(datetime.date(2026, 11, 20), 10), (datetime.date(2026, 11, 21), 5)]

    with translation.override("ar"):
        svg = charts.growth("g", "Growth", days, rtl=True)

    xs = [float(p.split(",")[0]) for p in parsed(svg).find(f"{SVG}polyline").get("points").split()]
    assert xs[0] > xs[1]  # the first day on the right
    assert "15" in desc(svg)  # the total, in the translated sentence


def test_it_tabulates_the_numbers_grouped_and_escaped():
    html = charts.table("Per day", ["Day", "Confirmed"], [("<b>", 1_000_000)])

    assert "<caption>Per day</caption>" in html
    assert '<tr><th scope="row">&lt;b&gt;</th><td>1,000,000</td></tr>' in html
    assert "No signatures yet." in charts.table("Per day", ["Day", "Confirmed"], [])
