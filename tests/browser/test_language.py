"""The browser tests' reading of a block's language and heart-rate figures tells languages
apart: checked on blocks that ``stridewise analyze --language`` writes for a real recording."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from analysis.description import find_block
from tests.browser.language import english_left, heart_rate_figures, translated_lines
from worker import i18n

#: A real easy run with a heart-rate recording, README's example (tests/data/README.md gives
#: its source): its block shows the heart rate's share of the maximum.
RUN = "history/runpandas-athlete/e960762f-c841-4dc2-8498-e1dba8fc9a97.gpx.gz"


@cache
def block_of(run: Path, language: str) -> list[str]:
    """The block's lines between its markers, as the command line writes them, each with the
    lines that continue it (indented, past 60 characters) joined to it."""
    done = subprocess.run([sys.executable, "-m", "worker.cli", "analyze", "--language", language,
                           str(run)], capture_output=True, text=True, check=True, timeout=60)
    span = find_block(done.stdout)
    assert span is not None, done.stdout
    lines: list[str] = []
    for line in done.stdout[span[0]:span[1]].splitlines()[1:-1]:
        if line.startswith("  ") and lines:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return lines


@pytest.mark.parametrize("language", [code for code in i18n.LANGUAGES if code != "en"])
def test_a_block_reads_as_its_own_language_and_not_as_english_or_another(
    test_data: Path, language: str
) -> None:
    own = block_of(test_data / RUN, language)
    english = block_of(test_data / RUN, "en")
    assert not english_left(own, language)
    assert translated_lines(own, language) == own
    assert english_left(english, language)
    assert not translated_lines(english, language)
    for other in i18n.LANGUAGES:
        if other not in ("en", language):
            assert translated_lines(own, other) != own, (language, other)


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_the_heart_rate_share_of_a_run_is_found_in_every_language(
    test_data: Path, language: str
) -> None:
    figures = heart_rate_figures(block_of(test_data / RUN, language), language)
    assert figures and all("%" in figure for figure in figures), figures
