"""Tests for analysis.description: our block in, our block out, the athlete's text intact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.description import (
    BLOCK_BEGIN,
    BLOCK_END,
    DESCRIPTION_LIMIT,
    SEPARATOR,
    find_block,
    has_opt_out,
    merge,
    remove,
    should_write,
)

BLOCK = "\n".join([BLOCK_BEGIN, "Easy: 10.0 km at 5:30/km", "Strength: 1 of 2-3", BLOCK_END])
NEWER = "\n".join([BLOCK_BEGIN, "Tempo: 3 x 10 min at 4:20/km", BLOCK_END])


def _blocks_in(text: str) -> int:
    count = 0
    while (span := find_block(text)) is not None:
        text = text[: span[0]]
        count += 1
    return count


def test_merge_into_an_empty_or_missing_description_is_just_the_block() -> None:
    assert merge(None, BLOCK) == BLOCK
    assert merge("", BLOCK) == BLOCK


def test_merge_appends_after_one_blank_line_and_keeps_athlete_text() -> None:
    assert merge("Morning run with Ana ☀️", BLOCK) == "Morning run with Ana ☀️" + SEPARATOR + BLOCK


def test_rerun_replaces_block_and_keeps_athlete_text() -> None:
    before, after = "Felt strong\r\n\r\n", "\r\nPS: new shoes\r\n"
    first = before + BLOCK + after
    assert merge(first, NEWER) == before + NEWER + after
    assert merge(merge(first, NEWER), BLOCK) == first


def test_remove_gives_back_the_original_description() -> None:
    for original in ["", "  ", "Hill reps\n", "Line one\r\nLine two", "x\n\n"]:
        assert remove(merge(original, BLOCK)) == original
    assert remove(None) == ""


def test_remove_of_a_block_inside_the_text_takes_its_line_break_with_it() -> None:
    assert remove("Before\n" + BLOCK + "\nAfter") == "Before\nAfter"
    assert remove("Before\r\n" + BLOCK + "\r\nAfter") == "Before\r\nAfter"


def test_whitespace_only_description_is_kept_as_written() -> None:
    assert merge(" \t ", BLOCK) == " \t " + SEPARATOR + BLOCK


def test_lone_begin_marker_typed_by_athlete_is_not_a_block() -> None:
    athlete = f"Notes\n{BLOCK_BEGIN}\nmore notes"
    assert find_block(athlete) is None
    merged = merge(athlete, BLOCK)
    assert merged == athlete + SEPARATOR + BLOCK
    assert remove(merged) == athlete


def test_markers_inside_a_line_are_not_a_block() -> None:
    athlete = f"I saw {BLOCK_BEGIN} and {BLOCK_END} on a friend's run"
    assert find_block(athlete) is None
    assert find_block(f"x {BLOCK_BEGIN}\nbody\n{BLOCK_END} y") is None


def test_markers_padded_with_spaces_still_mark_a_block() -> None:
    text = f"a\n  {BLOCK_BEGIN}\t\nbody\n{BLOCK_END}  \r\nb"
    assert find_block(text) == (2, text.index("\r\nb"))


def test_last_of_two_blocks_is_replaced_and_the_pasted_one_kept() -> None:
    pasted = "Copied from Tuesday:\n" + BLOCK + "\n\nToday"
    merged = merge(pasted, NEWER)
    assert merged == "Copied from Tuesday:\n" + NEWER + "\n\nToday"
    two = merge(pasted + SEPARATOR + BLOCK, NEWER)
    assert two == pasted + SEPARATOR + NEWER
    assert _blocks_in(two) == 2


def test_block_shrinks_to_fit_the_limit_but_athlete_text_never_does() -> None:
    athlete = "x" * (DESCRIPTION_LIMIT - len(SEPARATOR) - len(BLOCK) + 5)
    merged = merge(athlete, BLOCK)
    assert len(merged) <= DESCRIPTION_LIMIT
    assert merged.startswith(athlete + SEPARATOR + BLOCK_BEGIN + "\nEasy")
    assert merged.endswith(BLOCK_END)
    assert "Strength" not in merged


def test_no_block_when_athlete_text_alone_fills_the_limit() -> None:
    athlete = "y" * DESCRIPTION_LIMIT
    assert merge(athlete, BLOCK) == athlete
    assert merge(athlete[:-200] + SEPARATOR + BLOCK, BLOCK, limit=len(athlete) - 190) == (
        athlete[:-200]
    )


def test_malformed_block_is_rejected() -> None:
    for bad in ["Easy run", BLOCK + "\n", f"{BLOCK_BEGIN}\n{BLOCK_BEGIN}\n{BLOCK_END}",
                BLOCK.replace("\n", "\r\n")]:
        with pytest.raises(ValueError):
            merge("text", bad)


@pytest.mark.parametrize("text", [
    "#nostridewise", "Great run #NoStrideWise!", "tags: #race,#nostridewise", "(#NOSTRIDEWISE)"
])
def test_opt_out_tag_is_found_in_any_case_as_a_word_of_its_own(text: str) -> None:
    assert has_opt_out(text)


@pytest.mark.parametrize("text", [None, "", "nostridewise", "#nostridewisely", "x#nostridewise"])
def test_text_without_the_tag_as_a_word_is_no_opt_out(text: str | None) -> None:
    assert not has_opt_out(text)


def test_should_write_respects_a_deleted_block_and_an_opt_out() -> None:
    assert should_write(None, previously_written=False)
    assert should_write("Run with Ana", previously_written=False)
    assert should_write(merge("Run with Ana", BLOCK), previously_written=True)
    assert not should_write("Run with Ana", previously_written=True)
    assert not should_write("Run #nostridewise", previously_written=False)
    assert not should_write(merge("#NoStridewise", BLOCK), previously_written=True)


_fragments = st.one_of(
    st.text(max_size=12),
    st.sampled_from([BLOCK_BEGIN, BLOCK_END, " " + BLOCK_BEGIN + " ", "\n", "\r\n", "\r", " ",
                     "\t", "é☃\u2028", "#nostridewise", SEPARATOR]),
)
_descriptions = st.none() | st.lists(_fragments, max_size=12).map("".join)
_lines = st.text(st.characters(blacklist_characters="\r\n"), max_size=30).filter(
    lambda line: line.strip(" \t") not in (BLOCK_BEGIN, BLOCK_END)
)
_blocks = st.lists(_lines, min_size=1, max_size=6).map(
    lambda lines: "\n".join([BLOCK_BEGIN, *lines, BLOCK_END])
)


@settings(max_examples=1000, deadline=None)
@given(_descriptions, _blocks)
def test_remove_undoes_merge_of_a_description_without_a_block(
    description: str | None, block: str
) -> None:
    if find_block(description) is None:
        assert remove(merge(description, block)) == (description or "")


@settings(max_examples=1000, deadline=None)
@given(_descriptions, _blocks, _blocks)
def test_a_second_merge_replaces_the_first_block(
    description: str | None, first: str, second: str
) -> None:
    once = merge(description, second)
    assert merge(merge(description, first), second) == once
    assert merge(once, second) == once


@settings(max_examples=1000, deadline=None)
@given(_descriptions, _blocks)
def test_merge_puts_the_block_in_once_and_leaves_the_rest_byte_for_byte(
    description: str | None, block: str
) -> None:
    text = description or ""
    merged = merge(text, block)
    start, end = find_block(merged) or (0, 0)
    assert merged[start:end] == block
    old = find_block(text)
    if old is None:
        assert merged[:start] == (text + SEPARATOR if text else "")
        assert merged[end:] == ""
        assert _blocks_in(merged) == 1
    else:
        assert (merged[:start], merged[end:]) == (text[: old[0]], text[old[1] :])
        assert _blocks_in(merged) == _blocks_in(text)


@settings(max_examples=300, deadline=None)
@given(_descriptions, _blocks, st.integers(0, 120))
def test_a_capped_merge_never_exceeds_the_cap_with_our_block_nor_cuts_athlete_text(
    description: str | None, block: str, limit: int
) -> None:
    merged = merge(description, block, limit=limit)
    if find_block(description) is None:
        assert remove(merged) == (description or "")
    if merged != remove(description):
        assert len(merged) <= limit
        assert merge(merged, block, limit=limit) == merged
