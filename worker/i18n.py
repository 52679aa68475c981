"""The languages Stridewise speaks, from gettext catalogues read with Babel.

One catalogue per language (worker/locale/<code>/LC_MESSAGES/stridewise.po) serves both the
athlete's pages and the block written into their descriptions. The .po files are read as
they are in the repository, compiled in memory on first use: there is no build step and no
compiled catalogue to keep in step with its source. ``make messages`` extracts the messages
of analysis/ and worker/ (Python and Jinja2 templates) into worker/locale/stridewise.pot and
merges them into each catalogue.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages import mofile, pofile
from babel.numbers import get_decimal_symbol
from babel.support import Translations

#: Language codes, each with its name in itself.
LANGUAGES = {"en": "English", "de": "Deutsch", "es": "Español", "fr": "Français"}
#: The gettext domain of every catalogue.
DOMAIN = "stridewise"
#: Where the catalogues live.
LOCALE_DIR = Path(__file__).parent / "locale"


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translator(language: str) -> gettext.NullTranslations:
    """The catalogue of ``language`` (English, the language of the messages, needs none).

    Fuzzy entries (a translation ``make messages`` guessed from a changed message) are left
    out, so their English message shows until a translator confirms them.

    Raises:
        ValueError: ``language`` is not one of :data:`LANGUAGES`.
        FileNotFoundError: the catalogue of a supported language is missing (a broken
            install: package data left out).
    """
    _check(language)
    if language == "en":
        return gettext.NullTranslations()
    with catalogue_path(language).open("rb") as source:
        catalog = pofile.read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    mofile.write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@cache
def decimal_separator(language: str) -> str:
    """How ``language`` writes a decimal point (``10.0 km``, ``10,0 km``), from Babel's
    locale data.

    Raises:
        ValueError: ``language`` is not one of :data:`LANGUAGES`.
    """
    _check(language)
    return get_decimal_symbol(language)


def _check(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; supported: {', '.join(LANGUAGES)}")
