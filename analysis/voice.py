"""How a block speaks to one athlete: language, units, which sections and public numbers.

The wording itself is not here: a :class:`Translator` (a gettext catalogue, supplied by the
caller) turns each English message into the athlete's language. Without one the block is
English.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field
from typing import Protocol

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
    """

    language: str = "en"
    units: str = "metric"
    numbers: bool = True
    sections: frozenset[str] = frozenset(SECTIONS)
    translator: Translator = field(default_factory=gettext.NullTranslations, compare=False)

    def __post_init__(self) -> None:
        if self.units not in UNITS:
            raise ValueError(f"unknown units {self.units!r}; supported: {', '.join(UNITS)}")
        unknown = self.sections - set(SECTIONS)
        if unknown:
            raise ValueError(f"unknown sections {sorted(unknown)}; "
                             f"supported: {', '.join(SECTIONS)}")

    @property
    def imperial(self) -> bool:
        return self.units == "imperial"

    def shows(self, section: str) -> bool:
        return section in self.sections


#: English, metric, every section and every number.
DEFAULT = Voice()
