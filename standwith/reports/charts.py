"""Charts drawn on the server as SVG strings from numbers: no script, nothing fetched from anywhere else.

Each chart is an <svg role="img"> labelled by its own <title> and <desc>; the numbers themselves go in
a table next to it (`table()`), for screen readers and for anyone who wants the exact figures. Text is in
the active language (numbers grouped its way); `rtl` mirrors the drawing for right-to-left pages. Positions
are worked out here, so each <svg> says direction="ltr": a right-to-left page's inherited direction would
otherwise swap every text-anchor (each label's own letters still run the way their script does).
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_countries import countries

from standwith.reports import worldmap
from standwith.signing.statistics import OTHER

CONFIRMED = "#1a5fb4"
PENDING = "#9dc0e8"
MUTED = "#5a5a63"
GRID = "#dcdce3"
NO_DATA = "#e4e4e8"
# Light to dark, one hue: readable in grey too, and for the colour-blind.
SHADES = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    colour: str


def number(n: int) -> str:
    return number_format(n, force_grouping=True)


def country_name(code: str) -> str:
    if code == OTHER:
        return _("Other countries")
    return str(countries.name(code)) or code


def _svg(key: str, title: str, desc: str, width: int, height: int, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 (every piece of text in `body`, `title` and `desc` is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" role="img" '
        f'aria-labelledby="{escape(key)}-title {escape(key)}-desc" {FONT} font-size="12" direction="ltr">'
        f'<title id="{escape(key)}-title">{escape(title)}</title><desc id="{escape(key)}-desc">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", **extra: str) -> str:
    attributes = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in extra.items())
    # plaintext: each label's own first letter sets its order, so an Arabic date's marks put its parts right.
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" unicode-bidi="plaintext"{attributes}>'
        f"{escape(text)}</text>"
    )


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^n at or above `value`: an axis top a reader can divide in their head."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover (the loop always returns)


def table(caption: str, headings: Sequence[str], rows: Sequence[Sequence[str | int]]) -> SafeString:
    """The numbers behind a chart; integers are grouped the active language's way."""

    def cell(value: str | int) -> str:
        return number(value) if isinstance(value, int) else str(value)

    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
    body = "".join(
        f'<tr><th scope="row">{escape(cell(row[0]))}</th>'
        + "".join(f"<td>{escape(cell(v))}</td>" for v in row[1:])
        + "</tr>"
        for row in rows
    )
    if not rows:
        body = f'<tr><td colspan="{len(headings)}">{escape(_("No signatures yet."))}</td></tr>'
    return mark_safe(  # noqa: S308 (escaped above)
        f'<table class="chart-numbers"><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def time_bars(
    key: str, title: str, labels: Sequence[str], series: Sequence[Series], *, rtl: bool = False, width: int = 720
) -> SafeString:
    """Stacked bars over time, oldest on the reading side's start; `labels` name each period."""
    height, top, bottom, side = 250, 34, 24, 56
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    peak = nice_ceiling(max(totals, default=0))
    plot_w, plot_h = width - 2 * side, height - top - bottom
    axis_x = width - side + 6 if rtl else side - 6

    def x(position: float) -> float:
        return width - side - position if rtl else side + position

    body = []
    divisions = min({1: 5, 2: 4, 5: 5}[int(str(peak)[0])], peak)
    for i in range(divisions + 1):
        value = peak * i // divisions
        y = top + plot_h - plot_h * i / divisions
        body.append(f'<line x1="{side}" x2="{width - side}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(axis_x, y + 4, number(value), "start" if rtl else "end", fill=MUTED))
    slot = plot_w / max(len(labels), 1)
    bar = max(min(slot * 0.8, 40), 0.5)
    for i, label in enumerate(labels):
        base = float(top + plot_h)
        parts = []
        for s in series:
            h = plot_h * s.values[i] / peak
            if h > 0:
                left = x(slot * i + (slot - bar) / 2 + (bar if rtl else 0))
                parts.append(
                    f'<rect x="{left:.2f}" y="{base - h:.2f}" width="{bar:.2f}" height="{h:.2f}" fill="{s.colour}"/>'
                )
            base -= h
        if parts:
            detail = ", ".join(f"{s.label}: {number(s.values[i])}" for s in series)
            body.append(f"<g><title>{escape(label)} — {escape(detail)}</title>{''.join(parts)}</g>")
    every = max(1, math.ceil(len(labels) / 6))
    for i in range(0, len(labels), every):
        body.append(_text(x(slot * i + slot / 2), height - 6, labels[i], "middle", fill=MUTED))
    legend_x = width - side if rtl else side
    for n, s in enumerate(series):
        lx = legend_x - n * 150 - 12 if rtl else legend_x + n * 150
        body.append(f'<rect x="{lx:.1f}" y="2" width="12" height="12" fill="{s.colour}"/>')
        body.append(_text(lx - 6 if rtl else lx + 18, 12, s.label, "end" if rtl else "start"))
    if labels:
        sums = "; ".join(f"{s.label}: {number(sum(s.values))}" for s in series)
        desc = _("From %(first)s to %(last)s. In all, %(sums)s.") % {
            "first": labels[0],
            "last": labels[-1],
            "sums": sums,
        }
    else:
        desc = _("No signatures yet.")
    return _svg(key, title, desc, width, height, body)


def bars(
    key: str,
    title: str,
    rows: Sequence[tuple[str, int]],
    *,
    colours: Sequence[str] = (CONFIRMED,),
    rtl: bool = False,
    width: int = 480,
) -> SafeString:
    """Horizontal bars, one a row, labelled by name and number; the longest bar is the largest row."""
    row_h, number_w = 26, 64.0
    # As wide as the longest label needs (about 7.5 units a character at this size), up to half the chart.
    label_w = min(max((len(label) for label, _n in rows), default=0) * 7.5 + 16, width * 0.5)
    height = max(len(rows), 1) * row_h + 4
    peak = max((n for _label, n in rows), default=0) or 1
    plot_w = width - label_w - number_w
    body = []
    for i, (label, n) in enumerate(rows):
        y = 2 + i * row_h
        w = max(plot_w * n / peak, 1 if n else 0)
        colour = colours[i % len(colours)]
        if rtl:
            bar_x, label_x, number_x = width - label_w - w, width - label_w + 8, width - label_w - w - 6
        else:
            bar_x, label_x, number_x = label_w, label_w - 8, label_w + w + 6
        fits = int((label_w - 16) / 7.5)
        shown = label if len(label) <= fits else label[: fits - 1] + "…"
        body.append(
            f"<g><title>{escape(label)}: {escape(number(n))}</title>"
            f'<rect x="{bar_x:.2f}" y="{y + 3}" width="{w:.2f}" height="{row_h - 8}" fill="{colour}" rx="2"/>'
            + _text(label_x, y + row_h / 2 + 4, shown, "start" if rtl else "end")
            + _text(number_x, y + row_h / 2 + 4, number(n), "end" if rtl else "start", fill=MUTED)
            + "</g>"
        )
    if not rows:
        body.append(_text(width / 2, row_h / 2 + 4, _("No signatures yet."), "middle", fill=MUTED))
    desc = "; ".join(f"{label}: {number(n)}" for label, n in rows) or _("No signatures yet.")
    return _svg(key, title, desc, width, height, body)


def shade_steps(peak: int) -> list[int]:
    """The lower bounds of the map's shades: 1 and then steps spread on a log scale up to the largest count."""
    steps = [1]
    for k in range(1, len(SHADES)):
        bound = nice_ceiling(round(peak ** (k / len(SHADES))))
        if bound > steps[-1] and bound <= peak:
            steps.append(bound)
    return steps


def world_map(
    key: str, title: str, counts: Sequence[tuple[str, int]], *, rtl: bool = False, width: int = 720
) -> SafeString:
    """Countries shaded by their count; codes absent from the map's data (micro-states, OTHER) are skipped."""
    shapes = worldmap.shapes()
    map_h = width / worldmap.aspect()
    height = round(map_h + 30)
    by_code = dict(counts)
    steps = shade_steps(max(by_code.values(), default=0))
    shades = SHADES[len(SHADES) - len(steps) :]

    def shade(n: int) -> str:
        colour = NO_DATA
        for bound, fill in zip(steps, shades, strict=True):
            if n >= bound:
                colour = fill
        return colour

    body = []
    for code, rings in shapes.items():
        path = "".join(
            "M" + "L".join(f"{x * width:.1f},{y * map_h:.1f}" for x, y in ring) + "Z" for ring in rings if ring
        )
        n = by_code.get(code, 0)
        label = f"{country_name(code)}: {number(n)}" if n else country_name(code)
        body.append(
            f'<path d="{path}" fill="{shade(n)}" stroke="#ffffff" stroke-width="0.5">'
            f"<title>{escape(label)}</title></path>"
        )
    legend_y = height - 16
    for i, (bound, fill) in enumerate(zip(steps, shades, strict=True)):
        upper = steps[i + 1] - 1 if i + 1 < len(steps) else None
        text = f"{number(bound)}–{number(upper)}" if upper is not None and upper > bound else number(bound)
        if upper is None:
            text = f"≥ {number(bound)}"
        lx = width - 12 - i * 110 if rtl else i * 110
        body.append(f'<rect x="{lx - (12 if rtl else 0)}" y="{legend_y}" width="12" height="12" fill="{fill}"/>')
        body.append(_text(lx - 18 if rtl else lx + 18, legend_y + 10, text, "end" if rtl else "start"))
    named = [(country_name(code), n) for code, n in counts if code != OTHER][:10]
    desc = (
        _("Most signatures: %(list)s.") % {"list": "; ".join(f"{name}: {number(n)}" for name, n in named)}
        if named
        else _("No signatures yet.")
    )
    return _svg(key, title, desc, width, height, body)


def growth(
    key: str, title: str, days: Sequence[tuple[datetime.date, int]], *, rtl: bool = False, width: int = 360
) -> SafeString:
    """The running total, day by day, as a filled line: how the count grew, small enough for a side column."""
    height, top, bottom, side = 150, 12, 24, 8
    running, total = [], 0
    for _day, n in days:
        total += n
        running.append(total)
    peak = nice_ceiling(total)
    plot_w, plot_h = width - 2 * side, height - top - bottom

    def x(i: int) -> float:
        position = plot_w * i / max(len(days) - 1, 1)
        return width - side - position if rtl else side + position

    def y(value: int) -> float:
        return top + plot_h - plot_h * value / peak

    body = [f'<line x1="{side}" x2="{width - side}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{GRID}"/>']
    if len(running) == 1:  # one day: a flat line across, not a lone point
        points = [(x(0), y(running[0])), (width - side if not rtl else side, y(running[0]))]
    else:
        points = [(x(i), y(v)) for i, v in enumerate(running)]
    if points:
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        area = f"{points[0][0]:.1f},{y(0):.1f} {line} {points[-1][0]:.1f},{y(0):.1f}"
        body.append(f'<polygon points="{area}" fill="{CONFIRMED}" fill-opacity="0.15"/>')
        body.append(f'<polyline points="{line}" fill="none" stroke="{CONFIRMED}" stroke-width="2.5"/>')
        first, last = date_format(days[0][0], "SHORT_DATE_FORMAT"), date_format(days[-1][0], "SHORT_DATE_FORMAT")
        start_x, end_x = (width - side, side) if rtl else (side, width - side)
        body.append(_text(start_x, height - 6, first, "end" if rtl else "start", fill=MUTED))
        if len(days) > 1:
            body.append(_text(end_x, height - 6, last, "start" if rtl else "end", fill=MUTED))
        body.append(_text(end_x, max(y(total) - 6, 11), number(total), "start" if rtl else "end", font_weight="700"))
        desc = _("%(total)s confirmed signatures from %(first)s to %(last)s.") % {
            "total": number(total),
            "first": first,
            "last": last,
        }
    else:
        desc = _("No signatures yet.")
    return _svg(key, title, desc, width, height, body)
