"""How a block speaks to one athlete: language, units, which sections and public numbers.

The wording itself is not here: a :class:`Translator` (a gettext catalogue, supplied by the
caller) turns each English message into the athlete's language. Without one the block is
English. The analysis never loads a catalogue nor reads locale data: the caller passes what a
language needs (its translator and its decimal separator), so analysis/ stays free of Babel.

Messages are whole phrases with named placeholders (``{distance} at {pace}``), so a language
can put the words in its own order; counts go through ``ngettext`` for the language's plural
forms. Texts chosen from a table are marked with :func:`N_` where the table is written and
translated where they are used.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field
from typing import Protocol

from analysis.units import (
    format_distance,
    format_duration,
    format_elevation,
    format_pace,
    format_pace_range,
)

#: The block's optional sections, in the order they appear. The headline (the workout and its
#: evidence) and what the block cannot know (history not read, samples left out) always show.
SECTIONS = ("variety", "recovery", "load", "strength", "consistency", "progress", "refuel")
#: Unit systems a block can be written in.
UNITS = ("metric", "imperial")


class Translator(Protocol):
    """The part of :class:`gettext.NullTranslations` a block needs."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


@dataclass(frozen=True)
class Voice:
    """An athlete's choices for the text written about their sessions.

    ``numbers``: whether heart-rate and load figures appear (a block is public on Strava
    unless the activity is private; an athlete may keep those figures to themselves).
    ``decimal``: the language's decimal separator (``10.0 km``, ``10,0 km``).
    """

    language: str = "en"
    units: str = "metric"
    numbers: bool = True
    sections: frozenset[str] = frozenset(SECTIONS)
    translator: Translator = field(default_factory=gettext.NullTranslations, compare=False)
    decimal: str = "."

    def __post_init__(self) -> None:
        check_choices(self.units, self.sections)
        if self.decimal not in (".", ","):
            raise ValueError(f"decimal separator must be '.' or ',', not {self.decimal!r}")

    @property
    def imperial(self) -> bool:
        return self.units == "imperial"

    def shows(self, section: str) -> bool:
        return section in self.sections

    def gettext(self, message: str) -> str:
        return self.translator.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translator.ngettext(singular, plural, n)

    def number(self, value: float, digits: int = 1) -> str:
        """``value`` with ``digits`` decimals and the language's separator: ``1.2``, ``1,2``."""
        return self.decimals(f"{value:.{digits}f}")

    def decimals(self, text: str) -> str:
        """``text`` with its decimal points written as the language writes them."""
        return text.replace(".", self.decimal)

    def distance(self, metres: float) -> str:
        return self.decimals(format_distance(metres, self.imperial))

    def elevation(self, metres: float) -> str:
        return format_elevation(metres, self.imperial)

    def pace(self, speed_mps: float) -> str:
        return format_pace(speed_mps, self.imperial)

    def pace_range(self, low_mps: float, high_mps: float) -> str:
        return format_pace_range(low_mps, high_mps, self.imperial)

    @staticmethod
    def duration(seconds: float) -> str:
        return format_duration(seconds)


def check_choices(units: str, sections: frozenset[str]) -> None:
    """Raises ValueError, naming what is supported, for units or sections a block cannot have."""
    if units not in UNITS:
        raise ValueError(f"unknown units {units!r}; supported: {', '.join(UNITS)}")
    unknown = sections - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown sections {sorted(unknown)}; supported: {', '.join(SECTIONS)}")


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue where a table is written (``N_`` is the name
    gettext tools look for); it is translated (with :meth:`Voice.gettext`) where it is used."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural for the catalogue where a table is written; it is
    translated (with :meth:`Voice.ngettext`) where its count is known."""
    return singular, plural


#: English, metric, every section and every number.
DEFAULT = Voice()
