"""Properties of the block in any voice: any language, units, sections and public numbers,
over generated histories and the evidence of generated and real recordings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.classify import classify
from analysis.description import BLOCK_BEGIN, BLOCK_END, find_block, merge
from analysis.feedback import heading, render_block
from analysis.model import Activity, Classification, SessionRecord
from analysis.recovery import ACUTE_DAYS
from analysis.synthetic import labelled_set
from analysis.voice import SECTIONS, Voice
from tests.support.histories import _known_days, _records, _summary
from tests.support.real import RECORDINGS, recording
from tests.support.voices import figures, voice
from worker.i18n import LANGUAGES

#: One generated activity of every label, by different athletes.
GENERATED = {f"generated {label.value}": activity
             for label, activity in labelled_set(1, 16, datetime(2024, 5, 1, tzinfo=UTC))}


@cache
def activity(name: str) -> Activity:
    return GENERATED[name] if name in GENERATED else recording(name)


@cache
def evidence(name: str, language: str, units: str, numbers: bool) -> Classification:
    """The classifier's verdict on a generated or real recording, in that voice (the
    sections do not change it)."""
    return classify(activity(name), voice=voice(language, units=units, numbers=numbers))


_voices = st.builds(
    lambda language, units, numbers, sections: voice(
        language, units=units, numbers=numbers, sections=frozenset(sections)),
    st.sampled_from(sorted(LANGUAGES)), st.sampled_from(["metric", "imperial"]), st.booleans(),
    st.sets(st.sampled_from(SECTIONS)),
)
_inputs = st.sampled_from(sorted(GENERATED) + RECORDINGS)


def section_headings(v: Voice) -> dict[str, tuple[str, ...]]:
    """How the lines of each section begin, in ``v``'s language."""
    _ = v.gettext

    def before(message: str, end: str) -> str:
        return _(message).split(end)[0]

    return {
        "variety": (before("Mix, {days} d: no runs", ","),
                    before("No {names} in {days} d", " {"),
                    before("Muscles: {muscles} ({purpose}); core for form", ":") + ": "),
        "recovery": (_("Recovery") + ": ",),
        "load": (_("Load, last {days} d").format(days=ACUTE_DAYS) + ": ",),
        "strength": (before("Strength: {n} of {low}-{high} this week", ":") + ": ",),
        "consistency": (before("Consistency: no runs in {weeks}", ":") + ": ",),
        "progress": (_("Progress") + ": ",),
        "refuel": (before("Refuel: 20-30 g protein within 1 h, carbs before next run", ":")
                   + ": ",),
    }


@settings(max_examples=250, deadline=None)
@given(_voices, _inputs, _records, st.lists(_records, max_size=30), _known_days)
def test_in_any_voice_the_block_renders_with_unique_headings_its_sections_and_no_private_figure(
    v: Voice, name: str, current: SessionRecord, history: list[SessionRecord], days: int | None,
) -> None:
    verdict = evidence(name, v.language, v.units, v.numbers)
    current = replace(current, workout=verdict.workout)
    text = render_block(verdict, current, _summary(current, history, days), v)
    lines = text.split("\n")
    assert (lines[0], lines[-1]) == (BLOCK_BEGIN, BLOCK_END)
    merged = merge("Hot one today.", text)
    assert find_block(merged) is not None and merged.endswith(text)
    headings = [h for h in map(heading, lines[1:-1]) if h is not None]
    assert len(headings) == len(set(headings)), lines
    first = " ".join([lines[1], *(x.strip() for x in lines[2:] if x.startswith("  "))][:1] + [
        x.strip() for x in _continuation_of(lines, 1)])
    assert first.endswith(verdict.evidence.strip() or first.split(": ", 1)[1])
    hidden = set(SECTIONS) - v.sections
    starts = section_headings(v)
    for section in hidden:
        assert not any(x.startswith(starts[section]) for x in lines[2:-1]), (section, lines)
    if not v.numbers:
        assert figures(v.language, text) == [], lines


def _continuation_of(lines: list[str], index: int) -> list[str]:
    """The continuation lines that follow ``lines[index]``."""
    following = []
    for x in lines[index + 1:]:
        if not x.startswith("  "):
            break
        following.append(x)
    return following
