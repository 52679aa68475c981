"""The pages' colours meet WCAG AA by design: contrast computed from the stylesheet and charts."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from worker.web import charts
from worker.web.pages import STATIC

WHITE = "#ffffff"


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def stylesheet_colours() -> dict[str, str]:
    css = (STATIC / "style.css").read_text()
    return dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))


@pytest.mark.parametrize(("text", "background"), [
    ("ink", "paper"), ("muted", "paper"), ("link", "paper"), ("ink", "panel"),
    ("link", "panel"),
])
def test_body_text_is_at_least_4_5_to_1(text: str, background: str) -> None:
    colours = stylesheet_colours()
    assert contrast(colours[text], colours[background]) >= 4.5


def test_white_on_the_delete_button_is_at_least_4_5_to_1() -> None:
    assert contrast(WHITE, stylesheet_colours()["danger"]) >= 4.5


def test_the_strava_button_is_large_bold_text_at_3_to_1() -> None:
    """Strava's orange is fixed by its brand guidelines; white on it passes AA as large text
    (at least 14 pt bold, 18.66 px), which the button is."""
    css = (STATIC / "style.css").read_text()
    rule = re.search(r"\.strava-connect \{([^}]*)\}", css)
    assert rule is not None
    assert "font-weight: 700" in rule.group(1)
    size = re.search(r"font-size: ([\d.]+)rem", rule.group(1))
    assert size is not None and float(size.group(1)) * 16 >= 18.66
    assert stylesheet_colours()["strava"].lower() == "#fc4c02"
    assert contrast(WHITE, "#fc4c02") >= 3.0


def test_chart_text_and_bars_stand_out_from_the_page() -> None:
    assert contrast(charts.INK, WHITE) >= 4.5
    for colour in [*charts.WORKOUT_COLOURS.values(), charts.BAR_COLOUR, charts.GRID]:
        assert contrast(colour, WHITE) >= 3.0, colour  # WCAG 1.4.11, graphical objects


#: Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
DICHROMACY = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def linear_rgb(colour: str) -> list[float]:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def lab(rgb: list[float]) -> tuple[float, float, float]:
    """CIELAB (D65) of a linear RGB colour, clipped to the gamut."""
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    xyz = (0.4124 * r + 0.3576 * g + 0.1805 * b, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           0.0193 * r + 0.1192 * g + 0.9505 * b)
    f = [t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29
         for t in (xyz[0] / 0.95047, xyz[1] / 1.0, xyz[2] / 1.08883)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def seen(colour: str, vision: str) -> tuple[float, float, float]:
    rgb = linear_rgb(colour)
    if vision in DICHROMACY:
        rgb = [sum(m * c for m, c in zip(row, rgb, strict=True)) for row in DICHROMACY[vision]]
    return lab(rgb)


@pytest.mark.parametrize("vision", ["normal", *DICHROMACY])
def test_every_two_workout_colours_stay_apart_for_colour_blind_readers_too(vision: str) -> None:
    colours = charts.WORKOUT_COLOURS
    closest = min(
        (math.dist(seen(a, vision), seen(b, vision)), la, lb)
        for (la, a), (lb, b) in itertools.combinations(colours.items(), 2))
    assert closest[0] >= charts.MIN_COLOUR_DISTANCE, closest
