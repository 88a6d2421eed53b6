"""Right-to-left text (Arabic, Hebrew) made drawable by ReportLab, which lays glyphs out left to right as given.

ReportLab 5 shapes text only with uharfbuzz, which this project does not install. So Arabic letters are joined
here by hand, into the contextual forms Unicode encodes as "presentation forms" (which DejaVu Sans draws), and
each right-to-left run is put in visual order. This is a simplified bidi: enough for names and short lines
(a run of Latin or digits inside Arabic keeps its own order), not for nested embeddings or mirrored brackets.
"""

import unicodedata
from functools import cache

FORMS = ("isolated", "final", "initial", "medial")
LAM, ZWJ = "\u0644", "\u200d"
ALEFS = "\u0622\u0623\u0625\u0627"  # the letters lam joins into one ligature with


@cache
def _forms() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Each Arabic letter's contextual forms, and lam-alef ligatures (final form), from Unicode's own data."""
    letters: dict[str, dict[str, str]] = {}
    lam_alef: dict[str, str] = {}
    for code in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFF)]:
        decomposition = unicodedata.decomposition(chr(code)).split()
        if len(decomposition) < 2 or decomposition[0].strip("<>") not in FORMS:
            continue
        form, bases = decomposition[0].strip("<>"), [chr(int(part, 16)) for part in decomposition[1:]]
        if len(bases) == 1:
            letters.setdefault(bases[0], {}).setdefault(form, chr(code))
        elif len(bases) == 2 and bases[0] == LAM and bases[1] in ALEFS and form in ("isolated", "final"):
            lam_alef[bases[1] + form] = chr(code)
    return letters, lam_alef


def _joins_forward(letter: str) -> bool:
    forms = _forms()[0].get(letter, {})
    return "initial" in forms or "medial" in forms or letter == ZWJ


def _transparent(character: str) -> bool:
    return unicodedata.category(character) in ("Mn", "Me", "Cf") and character != ZWJ


def join_arabic(text: str) -> str:
    """Arabic letters replaced by the form their neighbours call for (logical order kept)."""
    letters, lam_alef = _forms()
    if not any(character in letters for character in text):
        return text
    result: list[str] = []
    characters = list(text)
    index = 0
    while index < len(characters):
        character = characters[index]
        forms = letters.get(character)
        if forms is None:
            result.append(character)
            index += 1
            continue
        before = next((c for c in reversed(characters[:index]) if not _transparent(c)), "")
        joined_before = bool(before) and before in letters and _joins_forward(before)
        after_index = next((i for i in range(index + 1, len(characters)) if not _transparent(characters[i])), None)
        after = characters[after_index] if after_index is not None else ""
        if character == LAM and after and after + ("final" if joined_before else "isolated") in lam_alef:
            result.append(lam_alef[after + ("final" if joined_before else "isolated")])
            # The marks between lam and alef stay, the alef is in the ligature.
            result.extend(characters[index + 1 : after_index])
            index = (after_index or index) + 1
            continue
        joins_after = bool(after) and after in letters and _joins_forward(character)
        wanted: tuple[str, ...]
        if joined_before and joins_after:
            wanted = ("medial", "final", "isolated")
        elif joined_before:
            wanted = ("final", "isolated")
        elif joins_after:
            wanted = ("initial", "isolated")
        else:
            wanted = ("isolated",)
        result.append(next((forms[form] for form in wanted if form in forms), character))
        index += 1
    return "".join(result)


def _direction(character: str) -> str:
    kind = unicodedata.bidirectional(character)
    if kind in ("R", "AL"):
        return "rtl"
    if kind in ("L", "EN", "AN"):
        # Digits keep their own order inside right-to-left text, as a reader expects of a number.
        return "ltr"
    return "neutral"


def visual(text: str) -> str:
    """The text in the order its glyphs are drawn left to right; unchanged when it holds no right-to-left letter."""
    if not any(_direction(character) == "rtl" for character in text):
        return text
    shaped = join_arabic(text)
    base = next((d for d in map(_direction, shaped) if d != "neutral"), "rtl")
    runs: list[tuple[str, list[str]]] = []
    for character in shaped:
        direction = _direction(character)
        if direction == "neutral":
            # Digits and spaces between two runs of the same direction belong to that run; otherwise to the base.
            direction = "pending"
        if runs and (runs[-1][0] == direction or direction == "pending"):
            runs[-1][1].append(character)
        elif runs and runs[-1][0] == "pending":
            runs[-1] = (direction, runs[-1][1] + [character])
        else:
            runs.append((direction, [character]))
    ordered = [(direction if direction != "pending" else base, chars) for direction, chars in runs]
    if base == "rtl":
        ordered.reverse()
    return "".join("".join(reversed(chars)) if direction == "rtl" else "".join(chars) for direction, chars in ordered)
