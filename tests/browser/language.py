"""What a block's language and figures are, read against the project's own gettext catalogues.

The browser tests must tell a German block from an English one, and a block with heart-rate
figures from one without, in whatever words the catalogues choose. So the patterns come from
the catalogues the worker writes with, never from wording copied into the tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel.messages.pofile import read_po

from worker import i18n

#: A placeholder in a message: ``{share}``, ``%(low)d``.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]*\)[sd]|%[sd]")
#: Words of a message piece (letters of any script).
WORD = re.compile(r"[^\W\d_]{2,}")
#: How heart-rate figures read in English: a share of the maximum, or beats per minute.
HEART_RATE_MESSAGES = ("{share} of max", "{share} of max HR")
SHARE = r"\d+(?:-\d+)?\s?%"


@dataclass(frozen=True)
class Pieces:
    """Literal text of a catalogue's messages, English and translated, minus what both share."""

    english: frozenset[str]
    translated: frozenset[str]


def messages(language: str) -> list[tuple[str, str]]:
    """Every (English, translation) pair of the language's catalogue, plural forms included;
    untranslated and fuzzy messages (which the worker does not use) left out."""
    with i18n.catalogue_path(language).open("rb") as po:
        catalogue = read_po(po, locale=language)
    pairs = []
    for message in catalogue:
        if not message.id or not message.string or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(ids[min(i, len(ids) - 1)], s) for i, s in enumerate(strings) if s]
    return pairs


def literal_pieces(message: str) -> list[str]:
    """The text between a message's placeholders, stripped of edge punctuation."""
    return [p.strip(" ,.;:()/-") for p in PLACEHOLDER.split(message)]


@cache
def pieces(language: str) -> Pieces:
    """Pieces of two or more words that only English has, and pieces with a word that only
    the language has: finding one in a text tells which language wrote it."""
    pairs = [(en, tr) for en, tr in messages(language) if en != tr]
    english_text = "\n".join(en for en, _ in messages(language))
    translated_text = "\n".join(tr for _, tr in pairs)
    english_words = set(WORD.findall(english_text))
    english = {p for en, _ in pairs for p in literal_pieces(en)
               if len(WORD.findall(p)) >= 2 and p not in translated_text}
    translated = {p for _, tr in pairs for p in literal_pieces(tr)
                  if any(w not in english_words for w in WORD.findall(p))
                  and p not in english_text}
    return Pieces(frozenset(english), frozenset(translated))


def english_left(lines: list[str], language: str) -> list[str]:
    """Pieces of English the language's catalogue translates, found in ``lines``."""
    text = "\n".join(lines)
    return sorted(p for p in pieces(language).english if p in text)


def translated_lines(lines: list[str], language: str) -> list[str]:
    """The lines that hold a piece of text only the language's catalogue has."""
    found = pieces(language).translated
    return [line for line in lines if any(p in line for p in found)]


def heart_rate_figures(lines: list[str], language: str) -> list[str]:
    """Heart-rate figures in ``lines``, as the language's catalogue writes them: ``92 % of
    max`` in English, and whatever the translation of that message makes of it."""
    gettext = i18n.translator(language).gettext
    patterns = [re.escape(gettext(m)).replace(re.escape("{share}"), SHARE)
                for m in HEART_RATE_MESSAGES]
    text = "\n".join(lines)
    return [m.group(0) for p in patterns for m in re.finditer(p, text)]
