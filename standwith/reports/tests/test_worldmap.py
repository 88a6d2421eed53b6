"""The world map's shapes: shipped with the code, every country of any size, within the frame."""

from standwith.reports import worldmap


def test_it_loads_the_big_countries():
    shapes = worldmap.shapes()

    for code in ["RU", "US", "CN", "BR", "DE", "IN", "AU", "CA", "FR", "GB", "NG", "ZA", "AR", "JP", "ID"]:
        assert shapes[code], code
    assert 150 < len(shapes) < 200


def test_it_drops_antarctica_and_keys_every_country_by_two_letters():
    shapes = worldmap.shapes()

    assert "AQ" not in shapes
    assert all(len(code) == 2 and code.isupper() for code in shapes)


def test_it_keeps_every_point_in_the_unit_square():
    points = [p for rings in worldmap.shapes().values() for ring in rings for p in ring]

    assert min(x for x, _ in points) == 0
    assert max(x for x, _ in points) == 1
    assert min(y for _, y in points) == 0
    assert max(y for _, y in points) == 1


def test_it_puts_the_north_at_the_top_and_the_east_on_the_right():
    def centre(code):
        points = [p for ring in worldmap.shapes()[code] for p in ring]
        return sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)

    assert centre("NO")[1] < centre("ZA")[1]
    assert centre("BR")[0] < centre("CN")[0]


def test_it_cuts_russia_at_the_antimeridian_instead_of_drawing_it_across_the_world():
    widest = max(max(x for x, _ in ring) - min(x for x, _ in ring) for ring in worldmap.shapes()["RU"])

    assert widest < 0.6


def test_it_answers_a_wide_map_aspect():
    assert 2.0 < worldmap.aspect() < 2.4


def test_it_stays_small():
    assert worldmap.WORLD.stat().st_size < 150_000
