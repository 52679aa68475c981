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
import re
from dataclasses import dataclass, field
from typing import Protocol

from analysis.units import (
    format_clock,
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

    def distance(self, metres: float, small_units: bool = True) -> str:
        """``10.0 km``; short distances in metres or feet unless ``small_units`` is False."""
        return self.decimals(format_distance(metres, self.imperial, small_units))

    def elevation(self, metres: float) -> str:
        return format_elevation(metres, self.imperial)

    def pace(self, speed_mps: float) -> str:
        return format_pace(speed_mps, self.imperial)

    def pace_range(self, low_mps: float, high_mps: float) -> str:
        return format_pace_range(low_mps, high_mps, self.imperial)

    @staticmethod
    def duration(seconds: float) -> str:
        return format_duration(seconds)

    @staticmethod
    def clock(seconds: float) -> str:
        """A session's time to the second, ``47:08``."""
        return format_clock(seconds)

    def sport(self, sport_type: str) -> str:
        """A Strava sport type as the Strava app names it in this language ("TrailRun": "Trail
        Run", "Traillauf"); one the table does not know yet is spelt out as English words."""
        name = SPORT_NAMES.get(sport_type)
        if name is not None:
            return self.gettext(name)
        return _CAMEL_HUMP.sub(" ", sport_type)


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


#: Strava's sport types (SportType in Strava's API reference), named as the Strava app names
#: them: the API's identifiers are not words an athlete reads.
SPORT_NAMES: dict[str, str] = {
    "AlpineSki": N_("Alpine Ski"),
    "BackcountrySki": N_("Backcountry Ski"),
    "Badminton": N_("Badminton"),
    "Basketball": N_("Basketball"),
    "Canoeing": N_("Canoe"),
    "Cricket": N_("Cricket"),
    "Crossfit": N_("Crossfit"),
    "Dance": N_("Dance"),
    "EBikeRide": N_("E-Bike Ride"),
    "Elliptical": N_("Elliptical"),
    "EMountainBikeRide": N_("E-Mountain Bike Ride"),
    "Golf": N_("Golf"),
    "GravelRide": N_("Gravel Ride"),
    "Handcycle": N_("Handcycle"),
    "HighIntensityIntervalTraining": N_("HIIT"),
    "Hike": N_("Hike"),
    "IceSkate": N_("Ice Skate"),
    "InlineSkate": N_("Inline Skate"),
    "Kayaking": N_("Kayaking"),
    "Kitesurf": N_("Kitesurf"),
    "MountainBikeRide": N_("Mountain Bike Ride"),
    "Multisport": N_("Multisport"),
    "NordicSki": N_("Nordic Ski"),
    "Padel": N_("Padel"),
    "PhysicalTherapy": N_("Physical Therapy"),
    "Pickleball": N_("Pickleball"),
    "Pilates": N_("Pilates"),
    "Racquetball": N_("Racquetball"),
    "Ride": N_("Ride"),
    "RockClimbing": N_("Rock Climb"),
    "RollerSki": N_("Roller Ski"),
    "Rowing": N_("Rowing"),
    "Run": N_("Run"),
    "Sail": N_("Sail"),
    "Skateboard": N_("Skateboard"),
    "Snowboard": N_("Snowboard"),
    "Snowshoe": N_("Snowshoe"),
    "Soccer": N_("Football (Soccer)"),
    "Squash": N_("Squash"),
    "StairStepper": N_("Stair-Stepper"),
    "StandUpPaddling": N_("Stand Up Paddling"),
    "Surfing": N_("Surfing"),
    "Swim": N_("Swim"),
    "TableTennis": N_("Table Tennis"),
    "Tennis": N_("Tennis"),
    "TrailRun": N_("Trail Run"),
    "Velomobile": N_("Velomobile"),
    "VirtualRide": N_("Virtual Ride"),
    "VirtualRow": N_("Virtual Row"),
    "VirtualRun": N_("Virtual Run"),
    "Volleyball": N_("Volleyball"),
    "Walk": N_("Walk"),
    "WeightTraining": N_("Weight Training"),
    "Wheelchair": N_("Wheelchair"),
    "Windsurf": N_("Windsurf"),
    "Workout": N_("Workout"),
    "Yoga": N_("Yoga"),
}

#: Where a CamelCase identifier's words meet.
_CAMEL_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")

#: English, metric, every section and every number.
DEFAULT = Voice()
