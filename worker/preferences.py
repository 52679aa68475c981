"""An athlete's settings, as their page edits them and as their blocks are written.

They live on the athlete row (worker.models.Athlete), the one row that outlives Strava's cache:
they are the athlete's own choices, not Strava data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from analysis.voice import SECTIONS, Voice, check_choices
from worker import i18n
from worker.models import Athlete


@dataclass(frozen=True)
class Preferences:
    """What an athlete chose; the defaults are a new athlete's."""

    feedback_on: bool = True
    language: str = "en"
    units: str = "metric"
    public_numbers: bool = True
    sections: frozenset[str] = field(default_factory=lambda: frozenset(SECTIONS))

    def __post_init__(self) -> None:
        if self.language not in i18n.LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}; "
                             f"supported: {', '.join(i18n.LANGUAGES)}")
        check_choices(self.units, self.sections)

    def voice(self) -> Voice:
        """How the athlete's blocks speak."""
        return Voice(language=self.language, units=self.units, numbers=self.public_numbers,
                     sections=self.sections, translator=i18n.translator(self.language),
                     decimal=i18n.decimal_separator(self.language))


def of(athlete: Athlete) -> Preferences:
    hidden = {s for s in athlete.hidden_sections.split(",") if s}
    return Preferences(
        feedback_on=athlete.feedback_on, language=athlete.language, units=athlete.units,
        public_numbers=athlete.public_numbers,
        sections=frozenset(s for s in SECTIONS if s not in hidden),
    )


def load(session: Session, athlete_id: int) -> Preferences | None:
    """The athlete's preferences; None if they are not connected."""
    athlete = session.get(Athlete, athlete_id)
    return of(athlete) if athlete is not None else None


def save(session: Session, athlete_id: int, preferences: Preferences) -> bool:
    """Store the athlete's choices (their units count as chosen); False if they are gone."""
    athlete = session.get(Athlete, athlete_id)
    if athlete is None:
        return False
    athlete.feedback_on = preferences.feedback_on
    athlete.language = preferences.language
    athlete.units = preferences.units
    athlete.units_chosen = True
    athlete.public_numbers = preferences.public_numbers
    athlete.hidden_sections = ",".join(s for s in SECTIONS if s not in preferences.sections)
    return True
