"""The pages' colours meet WCAG AA by design: contrast computed from the stylesheet and charts."""

from __future__ import annotations

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
    assert stylesheet_colours()["strava"].lower() == "#fc5200"
    assert contrast(WHITE, "#fc5200") >= 3.0


def test_chart_text_and_bars_stand_out_from_the_page() -> None:
    assert contrast(charts.INK, WHITE) >= 4.5
    for colour in [*charts.WORKOUT_COLOURS.values(), charts.BAR_COLOUR, charts.GRID]:
        assert contrast(colour, WHITE) >= 3.0, colour  # WCAG 1.4.11, graphical objects
