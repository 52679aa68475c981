"""The contrast measure of the browser tests: its arithmetic against values WCAG's examples
give, and its page script on a page whose colours are known."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver

from tests.browser.contrast import COLLECT_JS, backdrop, contrast, measure, parse_colour

WHITE = (255.0, 255.0, 255.0)
BLACK = (0.0, 0.0, 0.0)


def test_black_on_white_is_the_maximum_and_a_colour_against_itself_the_minimum() -> None:
    assert contrast(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast(WHITE, BLACK) == pytest.approx(21.0)
    assert contrast((118.0, 118.0, 118.0), (118.0, 118.0, 118.0)) == pytest.approx(1.0)


def test_the_grey_at_the_aa_threshold_is_told_apart_from_the_next_lighter_one() -> None:
    # #767676 is the lightest grey that meets 4.5:1 on white; #777777 is not.
    assert contrast((118.0, 118.0, 118.0), WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast((119.0, 119.0, 119.0), WHITE) < 4.5


def test_transparent_backgrounds_show_what_is_behind_them() -> None:
    assert backdrop(["rgba(0, 0, 0, 0)", "rgb(0, 0, 0)", "rgba(0, 0, 0, 0)"]) == BLACK
    half = backdrop(["rgba(0, 0, 0, 0.5)"])
    assert half == pytest.approx((127.5, 127.5, 127.5))


def test_large_text_needs_three_to_one_and_small_text_four_and_a_half() -> None:
    grey_on_white = {"tag": "p", "id": "", "text": "x", "color": "rgb(135, 135, 135)",
                     "backgrounds": ["rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"],
                     "image": False, "weight": 400}
    small = measure({**grey_on_white, "size": 16})
    large = measure({**grey_on_white, "size": 24})
    bold = measure({**grey_on_white, "size": 19, "weight": 700})
    assert small.ratio == large.ratio and 3.0 <= small.ratio < 4.5
    assert not small.passes and large.passes and bold.passes


def test_colours_it_cannot_read_and_background_images_are_errors_not_guesses() -> None:
    with pytest.raises(ValueError, match="oklch"):
        parse_colour("oklch(0.5 0.1 200)")
    with pytest.raises(ValueError, match="background image"):
        measure({"tag": "h1", "id": "", "text": "x", "color": "rgb(0, 0, 0)",
                 "backgrounds": ["rgb(255, 255, 255)"], "image": True, "size": 16,
                 "weight": 400})


PAGE = """<!doctype html><html lang=en><head><meta charset=utf-8><title>t</title></head>
<body style="margin:0;background:#fff;font-size:16px">
<h1 id=big style="font-size:32px;color:#949494">Large</h1>
<p id=grey style="color:#767676">Small grey</p>
<div style="background:#000"><span id=inverse style="color:#fff">On black</span></div>
<p id=gone style="display:none">Not shown</p>
<span id=sr style="position:absolute;width:1px;height:1px;overflow:hidden;
  clip:rect(0 0 0 0)">Screen readers only</span>
<select id=pick><option>First</option><option selected>Chosen</option></select>
<svg width=200 height=40><text id=label x=0 y=20 fill="#000000">Axis</text></svg>
</body></html>"""


def test_the_page_script_measures_what_is_shown_and_nothing_hidden(
    browser: webdriver.Chrome, tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    browser.get(page.as_uri())
    found = {e["id"]: e for e in browser.execute_script(COLLECT_JS)}
    assert set(found) == {"big", "grey", "inverse", "pick", "label"}
    assert found["pick"]["text"] == "Chosen"
    measured = {name: measure(element) for name, element in found.items()}
    assert measured["grey"].ratio == pytest.approx(4.54, abs=0.01) and measured["grey"].passes
    assert measured["inverse"].ratio == pytest.approx(21.0)
    assert measured["label"].ratio == pytest.approx(21.0)
    # #949494 on white is about 3:1: enough for 32 px text, not for body text.
    assert measured["big"].large and measured["big"].passes
    assert 3.0 <= measured["big"].ratio < 4.5
