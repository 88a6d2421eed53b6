"""Country shapes for a world map, drawn from a file shipped with the code (no map service is asked at runtime).

The shapes come from Natural Earth 1:110m (public domain), projected with Equal Earth and
simplified once by data/build_world.py into data/world.json; see data/README.md.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

Ring = list[tuple[float, float]]

WORLD = Path(__file__).with_name("data") / "world.json"


@cache
def _world() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WORLD.read_text())
    return data


@cache
def _shapes() -> dict[str, list[Ring]]:
    world = _world()
    width, height = float(world["width"]), float(world["height"])
    return {
        code: [[(flat[i] / width, min(flat[i + 1] / height, 1.0)) for i in range(0, len(flat), 2)] for flat in rings]
        for code, rings in world["shapes"].items()
    }


def shapes() -> dict[str, list[Ring]]:
    """ISO 3166 alpha-2 code -> rings of (x, y) in [0, 1]: x to the right, y downward.

    Draw at width W and height W / aspect(). Countries too small for a 1:110m map (and codes
    that are not countries) are absent: look codes up with .get().
    """
    return _shapes()


def aspect() -> float:
    """Width / height of the map."""
    return float(_world()["aspect"])
