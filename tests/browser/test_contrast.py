"""The contrast arithmetic of the browser tests, against values WCAG's own examples give."""

from __future__ import annotations

import pytest

from tests.browser.contrast import backdrop, contrast, measure, parse_colour

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
