"""An athlete's voice as the worker builds it, with the real catalogues, and what a reader
finds in the text it writes: its heart-rate and load figures, and its numbers."""

from __future__ import annotations

import re
from dataclasses import replace

from analysis.voice import Voice
from worker.preferences import Preferences

#: Words next to which a number is a heart-rate figure, in each language's catalogue.
HEART_WORDS = {
    "en": ("HR", "bpm", "of max", "max", "assumed", "heartbeat"),
    "de": ("HF", "bpm", "Maximums", "Max.", "angenommen", "Herzschlag"),
    "es": ("FC", "ppm", "máximo", "máx.", "supuesto", "latido"),
    "fr": ("FC", "bpm", "du max", "max", "supposé", "battement"),
}
#: ... and a load figure.
LOAD_WORDS = {"en": ("monotony",), "de": ("Monotonie",), "es": ("monotonía",),
              "fr": ("monotonie",)}
#: A ratio: ``1.5x``, ``0,9x`` (the repeats' ``4 x 6 min`` has a space).
RATIO = re.compile(r"\d(?:[.,]\d+)?x(?!\w)")


def figures(language: str, text: str) -> list[str]:
    """The heart-rate and load figures in ``text``: a number up to two words after one of
    the language's heart-rate or load words or just before it, and any ratio."""
    words = "|".join(re.escape(w) for w in HEART_WORDS[language] + LOAD_WORDS[language])
    after = re.compile(rf"(?<!\w)(?:{words})(?!\w)(?:\s+[^\s\d;]+){{0,2}}\s*\d")
    before = re.compile(rf"\d+\s*%?\s*(?:\S+\s+)?(?:{words})(?!\w)")
    return [m.group() for pattern in (after, before, RATIO) for m in pattern.finditer(text)]


def voice(language: str = "en", **choices: object) -> Voice:
    """An athlete's voice as the worker builds it, with the real catalogue."""
    return replace(Preferences(language=language).voice(), **choices)  # type: ignore[arg-type]


#: Numbers as a reader finds them in a text, whichever decimal separator the language uses.
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def numbers(text: str) -> list[str]:
    return sorted(n.replace(",", ".") for n in NUMBER.findall(text))
