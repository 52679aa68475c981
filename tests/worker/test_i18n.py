"""The catalogues: in step with the code, complete, with the placeholders and plural forms of
each language; and the translator the worker and the pages load from them."""

from __future__ import annotations

import fnmatch
import re
import string
import tomllib
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from worker import i18n

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE = i18n.LOCALE_DIR / f"{i18n.DOMAIN}.pot"
TRANSLATED = sorted(set(i18n.LANGUAGES) - {"en"})
#: What ``make messages`` passes to pybabel extract besides its defaults.
KEYWORDS = {"N_": None, "N_plural": (1, 2)}


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=language)


def messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def forms(message: Message) -> tuple[str, ...]:
    """A message's translation: one string, or one per plural form."""
    text = message.string
    return tuple(text) if isinstance(text, (tuple, list)) else (str(text or ""),)


#: A Jinja2 template's placeholder: ``%(count)s``.
PERCENT_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def placeholders(text: str) -> set[str]:
    """The named placeholders of a message: ``{distance}`` (Python) or ``%(count)s`` (the
    pages' Jinja2 templates)."""
    braces = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    return braces | set(PERCENT_PLACEHOLDER.findall(text))


def test_the_template_holds_every_message_of_the_code() -> None:
    """``make messages`` was run after the last change of a message."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    extracted = extract_from_dir(str(ROOT), method_map, options_map,
                                 keywords={**DEFAULT_KEYWORDS, **KEYWORDS})
    found = {message if isinstance(message, str) else tuple(message)
             for _, _, message, _, _ in extracted}
    assert found == {m.id for m in messages(read(TEMPLATE))}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_in_every_catalogue_and_none_is_fuzzy(language: str) -> None:
    catalog = read(i18n.catalogue_path(language), language)
    template_ids = {m.id for m in messages(read(TEMPLATE))}
    assert {m.id for m in messages(catalog)} == template_ids
    for message in messages(catalog):
        assert not message.fuzzy, message.id
        assert all(form.strip() for form in forms(message)), message.id


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_message(language: str) -> None:
    for message in messages(read(i18n.catalogue_path(language), language)):
        if isinstance(message.id, tuple):
            singular, plural = message.id
            first, *others = forms(message)
            assert placeholders(first) == placeholders(singular), message.id
            assert all(placeholders(form) == placeholders(plural) for form in others), message.id
        else:
            assert placeholders(forms(message)[0]) == placeholders(str(message.id)), message.id


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalogue_has_the_plural_forms_of_its_language(language: str) -> None:
    catalog = read(i18n.catalogue_path(language), language)
    rule = get_plural(language)
    assert catalog.plural_forms == rule.plural_forms
    plural = [m for m in messages(catalog) if isinstance(m.id, tuple)]
    assert plural
    assert all(len(forms(m)) == rule.num_plurals for m in plural)


@pytest.mark.parametrize(("language", "word", "weeks"), [
    ("de", "Erholung", ("1 Woche", "2 Wochen")),
    ("es", "Recuperación", ("1 semana", "2 semanas")),
    ("fr", "Récupération", ("1 semaine", "2 semaines")),
])
def test_the_translator_reads_the_catalogue_with_its_plural_rule(
    language: str, word: str, weeks: tuple[str, str]
) -> None:
    catalogue = i18n.translator(language)
    assert catalogue.gettext("Recovery") == word
    assert tuple(catalogue.ngettext("{n} week", "{n} weeks", n).format(n=n)
                 for n in (1, 2)) == weeks
    assert i18n.translator(language) is catalogue  # read once


def test_english_needs_no_catalogue_and_an_unknown_language_is_refused() -> None:
    assert i18n.translator("en").gettext("Recovery") == "Recovery"
    with pytest.raises(ValueError, match="unknown language 'xx'; supported: en, de, es, fr"):
        i18n.translator("xx")
    with pytest.raises(ValueError, match="unknown language"):
        i18n.decimal_separator("xx")


def test_decimal_separators_come_from_the_locale_data() -> None:
    assert {code: i18n.decimal_separator(code) for code in i18n.LANGUAGES} == {
        "en": ".", "de": ",", "es": ",", "fr": ","}


def test_a_fuzzy_translation_is_not_used(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    catalog = Catalog(locale="de", domain=i18n.DOMAIN)
    catalog.add("Recovery", "Erholung", flags=("fuzzy",))
    catalog.add("Progress", "Fortschritt")
    path = tmp_path / "de" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as target:
        write_po(target, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translator.cache_clear()
    try:
        catalogue = i18n.translator("de")
        assert (catalogue.gettext("Recovery"), catalogue.gettext("Progress")) == (
            "Recovery", "Fortschritt")
    finally:
        i18n.translator.cache_clear()


def test_the_catalogues_are_installed_with_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["worker"]
    files = [p.relative_to(ROOT / "worker").as_posix()
             for p in i18n.LOCALE_DIR.rglob("*") if p.is_file()]
    assert files
    assert all(any(fnmatch.fnmatch(f, pattern) for pattern in patterns) for f in files), files
