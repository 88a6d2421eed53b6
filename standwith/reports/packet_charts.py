"""The packet's charts, drawn as vector graphics: signatures per day, the top countries, and a world map."""

import datetime
import math

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors

from standwith.reports import pdf, worldmap

BAR = pdf.ACCENT
GRID = colors.HexColor("#e3e8eb")
NO_DATA = colors.HexColor("#eef1f3")
# Light to dark: a country's shade says how many signed there, on a logarithmic scale.
SHADES = [colors.HexColor(code) for code in ("#cfe1ea", "#9fc3d4", "#6fa3bd", "#417690", "#1f4a5e")]
LEFT_AXIS = 44


def _ceiling(most: int) -> int:
    """The top of the scale: the smallest 1, 2 or 5 times a power of ten at or above the highest value."""
    scale = 1
    while True:
        for factor in (1, 2, 5):
            if scale * factor >= most:
                return scale * factor
        scale *= 10


def _label(drawing: Drawing, x: float, y: float, text: str, size: float = 7, anchor: str = "start") -> None:
    pdf.register_fonts()
    for font, part in pdf.runs(text):
        string = String(x, y, part, fontName=font, fontSize=size, fillColor=pdf.MUTED, textAnchor=anchor)
        drawing.add(string)
        if anchor == "start":
            x += pdf.text_width(part, size, font)


def _y_axis(drawing: Drawing, left: float, bottom: float, width: float, height: float, scale: int) -> None:
    for part in (0, 0.5, 1):
        value = scale * part
        if value != int(value):
            continue
        y = bottom + height * part
        drawing.add(Line(left, y, left + width, y, strokeColor=GRID, strokeWidth=0.6))
        _label(drawing, left - 4, y - 2.5, number_format(int(value), force_grouping=True), anchor="end")


def per_day(days: list[tuple[datetime.date, int]], width: float, height: float = 150) -> Drawing:
    """Bars for each day, a line once there are too many days for bars to be read; days without signatures are 0."""
    drawing = Drawing(width, height)
    if not days:
        return drawing
    first, last = days[0][0], days[-1][0]
    counts = dict(days)
    span = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    values = [counts.get(day, 0) for day in span]
    scale = _ceiling(max(values))
    left, bottom = LEFT_AXIS, 18
    plot_width, plot_height = width - left - 4, height - bottom - 6
    _y_axis(drawing, left, bottom, plot_width, plot_height, scale)
    step = plot_width / len(span)
    if len(span) <= 90:
        for number, value in enumerate(values):
            bar = plot_height * value / scale
            drawing.add(
                Rect(left + number * step + step * 0.12, bottom, step * 0.76, bar, fillColor=BAR, strokeColor=None)
            )
    else:
        points: list[float] = []
        for number, value in enumerate(values):
            points += [left + (number + 0.5) * step, bottom + plot_height * value / scale]
        area = [left + 0.5 * step, bottom, *points, left + (len(values) - 0.5) * step, bottom]
        drawing.add(Polygon(area, fillColor=SHADES[0], strokeColor=None))
        drawing.add(PolyLine(points, strokeColor=BAR, strokeWidth=1.2))
    drawing.add(Line(left, bottom, left + plot_width, bottom, strokeColor=pdf.MUTED, strokeWidth=0.8))
    ticks = min(6, len(span))
    for tick in range(ticks):
        index = round(tick * (len(span) - 1) / max(ticks - 1, 1))
        x = left + (index + 0.5) * step
        drawing.add(Line(x, bottom, x, bottom - 3, strokeColor=pdf.MUTED, strokeWidth=0.6))
        _label(drawing, x, bottom - 11, date_format(span[index], "SHORT_DATE_FORMAT"), anchor="middle")
    return drawing


def per_country(rows: list[tuple[str, int]], width: float, bar_height: float = 13) -> Drawing:
    """Horizontal bars, largest first, each labelled with its country and its count."""
    label_width, count_width = 130.0, 60.0
    height = bar_height * len(rows) + 4
    drawing = Drawing(width, height)
    most = max((count for _, count in rows), default=0) or 1
    plot = width - label_width - count_width
    for number, (name, count) in enumerate(rows):
        y = height - (number + 1) * bar_height
        _label(drawing, 0, y + 3, pdf.fit(name, 8, label_width - 6), size=8)
        drawing.add(
            Rect(label_width, y + 2, max(plot * count / most, 0.8), bar_height - 4, fillColor=BAR, strokeColor=None)
        )
        _label(drawing, label_width + plot * count / most + 4, y + 3, number_format(count, force_grouping=True), size=8)
    return drawing


def shade(count: int, most: int) -> colors.Color:
    """The country's shade: the five steps split the range between 1 and the most, in orders of magnitude."""
    if count <= 0 or most <= 0:
        return NO_DATA
    if most == 1:
        return SHADES[-1]
    step = math.log(count) / math.log(most) * len(SHADES)
    return SHADES[min(int(step), len(SHADES) - 1)]


def legend_steps(most: int) -> list[tuple[colors.Color, int]]:
    """Each shade with the lowest count it stands for."""
    if most <= 1:
        return [(SHADES[-1], 1)] if most == 1 else []
    steps: list[tuple[colors.Color, int]] = []
    for index, colour in enumerate(SHADES):
        lowest = max(1, math.ceil(most ** (index / len(SHADES))))
        if not steps or lowest > steps[-1][1]:
            steps.append((colour, lowest))
    return steps


def world_map(counts: dict[str, int], width: float) -> Drawing:
    """Every country shaded by its count; countries without (or below the minimum group) stay pale."""
    map_height = width / worldmap.aspect()
    legend_height = 22
    drawing = Drawing(width, map_height + legend_height)
    most = max(counts.values(), default=0)
    for code, rings in worldmap.shapes().items():
        fill = shade(counts.get(code, 0), most)
        for ring in rings:
            points: list[float] = []
            for x, y in ring:
                points += [x * width, legend_height + map_height * (1 - y)]
            drawing.add(Polygon(points, fillColor=fill, strokeColor=colors.white, strokeWidth=0.25))
    x = 0.0
    for colour, lowest in legend_steps(most):
        drawing.add(Rect(x, 6, 14, 9, fillColor=colour, strokeColor=None))
        text = _("%(count)s or more") % {"count": number_format(lowest, force_grouping=True)}
        _label(drawing, x + 18, 8, text)
        x += 24 + pdf.text_width(text, 7)
    drawing.add(Rect(x, 6, 14, 9, fillColor=NO_DATA, strokeColor=None))
    _label(drawing, x + 18, 8, _("none, or too few to show"))
    return drawing
