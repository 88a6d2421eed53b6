"""Build world.json, the world map's country shapes, from Natural Earth 1:110m (run once, by hand; see README.md).

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    DEBUG=1 .venv/bin/python standwith/reports/data/build_world.py package/countries-110m.json

It decodes the TopoJSON, projects it with Equal Earth (areas stay comparable, so a big shaded
country is a big country, not a far-north one), drops Antarctica, simplifies every ring and keeps
coordinates as integers on a QUANT grid, so the page needs no map service and the file stays small.
"""

import json
import math
import os
import sys
from pathlib import Path
from typing import Any

QUANT = 4000  # grid steps across the map's width: 0.25 px at 1000 px wide
TOLERANCE = 1.2  # grid steps a simplified ring may stray from the original
MIN_RING_AREA = 6.0  # square grid steps: rings smaller than this are invisible specks

A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2

# Natural Earth's de facto areas without an ISO 3166 number: drawn as part of the ISO country
# signers there would choose, except Kosovo, which keeps the code in common use (it is not in
# django-countries, so it is drawn but never shaded).
UNNUMBERED = {"N. Cyprus": "CY", "Somaliland": "SO", "Kosovo": "XK"}


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (3 * (9 * A4 * t6 * t2 + 7 * A3 * t6 + 3 * A2 * t2 + A1))
    y = theta * (A4 * t6 * t2 + A3 * t6 + A2 * t2 + A1)
    return x, -y  # y downward, as on a screen


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make longitudes continuous where a ring crosses the antimeridian (Russia, Fiji): 179 -> 181, not -179."""
    out = [points[0]]
    for lon, lat in points[1:]:
        previous = out[-1][0]
        lon += 360 * round((previous - lon) / 360)
        out.append((lon, lat))
    return out


def clip(points: list[tuple[float, float]], edge: float, keep_below: bool) -> list[tuple[float, float]]:
    """Sutherland-Hodgman against the meridian lon = edge."""

    def inside(p: tuple[float, float]) -> bool:
        return p[0] <= edge if keep_below else p[0] >= edge

    out: list[tuple[float, float]] = []
    for i, current in enumerate(points):
        previous = points[i - 1]
        if inside(current) != inside(previous):
            t = (edge - previous[0]) / (current[0] - previous[0])
            out.append((edge, previous[1] + t * (current[1] - previous[1])))
        if inside(current):
            out.append(current)
    return out


def split_at_antimeridian(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    continuous = unwrap(points)
    pieces = []
    for shift in (-360, 0, 360):
        shifted = [(lon + shift, lat) for lon, lat in continuous]
        piece = clip(clip(shifted, 180, keep_below=True), -180, keep_below=False)
        if len(piece) >= 3:
            pieces.append(piece + piece[:1])
    return pieces


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative so that long coastlines cannot exhaust the stack."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        worst, index = 0.0, 0
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            else:
                distance = math.hypot(px - ax, py - ay)
            if distance > worst:
                worst, index = distance, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def area(points: list[tuple[float, float]]) -> float:
    return abs(sum(ax * by - bx * ay for (ax, ay), (bx, by) in zip(points, points[1:] + points[:1], strict=True))) / 2


def build(topology: dict[str, Any]) -> dict[str, Any]:
    from django_countries import countries

    arcs = decode_arcs(topology)
    projected: dict[str, list[list[tuple[float, float]]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        if name == "Antarctica":
            continue
        code = countries.alpha2(geometry["id"]) if geometry.get("id") else UNNUMBERED[name]
        if not code:
            raise SystemExit(f"no ISO 3166 code for {name} ({geometry.get('id')})")
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for indices in polygon:
                for piece in split_at_antimeridian(ring(indices, arcs)):
                    projected.setdefault(code, []).append([equal_earth(*p) for p in piece])
    every = [p for rings in projected.values() for r in rings for p in r]
    left, top = min(x for x, _ in every), min(y for _, y in every)
    width, height = max(x for x, _ in every) - left, max(y for _, y in every) - top
    step = width / QUANT
    shapes: dict[str, list[list[int]]] = {}
    for code, rings in sorted(projected.items()):
        for points in rings:
            grid = [(float(round((x - left) / step)), float(round((y - top) / step))) for x, y in points]
            small = simplify(grid, TOLERANCE)
            deduplicated = [p for i, p in enumerate(small) if i == 0 or p != small[i - 1]]
            if len(deduplicated) >= 4 and area(deduplicated) >= MIN_RING_AREA:
                shapes.setdefault(code, []).append([int(c) for p in deduplicated for c in p])
    return {
        "source": "Natural Earth 1:110m Admin 0 countries v4.1.0 (public domain), via npm world-atlas 2.0.2",
        "projection": "Equal Earth, Antarctica dropped",
        "width": QUANT,  # grid steps; x / width and y / height are in [0, 1]
        "height": round(height / step),
        "aspect": round(width / height, 5),
        "shapes": shapes,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "standwith.settings")
    import django

    django.setup()
    world = build(json.loads(Path(sys.argv[1]).read_text()))
    target = Path(__file__).with_name("world.json")
    target.write_text(json.dumps(world, separators=(",", ":")) + "\n")
    points = sum(len(r) // 2 for rings in world["shapes"].values() for r in rings)
    print(f"{target}: {len(world['shapes'])} countries, {points} points, {target.stat().st_size} bytes")
