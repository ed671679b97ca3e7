"""The agenda catalogues are complete: every string the code and templates translate is in the
catalogue template (messages.pot), and every language's catalogue has all of them translated,
none fuzzy, with Babel's plural rule for the language and the same placeholders as the English.

Extraction runs here exactly as `pybabel extract -F babel.cfg` does (same mapping file), so a new
`_("…")` or `{% trans %}` that nobody extracted fails this test, as does a translation left behind.
No .mo file is committed (catalogues compile when loaded), so none can be stale.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from scheduler.i18n import catalogues
from scheduler.i18n.catalogues import LOCALES_DIR, po_path, translations
from scheduler.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
POT = LOCALES_DIR / "messages.pot"
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT_LANGUAGE]
MessageKey = tuple[str, str | None]  # (msgid, msgctxt)


def _key(message_id: str | tuple[str, ...] | list[str], context: str | None) -> MessageKey:
    return (message_id if isinstance(message_id, str) else message_id[0], context)


def _extracted() -> set[MessageKey]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(str(ROOT), method_map, options_map):
        found.add(_key(message, context))
    return found


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _keys(catalog: Catalog) -> set[MessageKey]:
    return {_key(m.id, m.context) for m in catalog if m.id}


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(POT)


def test_the_template_holds_exactly_the_strings_the_code_translates(template: Catalog) -> None:
    extracted, in_template = _extracted(), _keys(template)
    assert extracted, "nothing was extracted: is babel.cfg's mapping still right?"
    missing, unused = sorted(extracted - in_template), sorted(in_template - extracted)
    hint = "run `pybabel extract` and `pybabel update` (docs/translations.md)"
    assert not missing, f"strings missing from messages.pot ({hint}): {missing}"
    assert not unused, f"messages.pot holds strings nothing translates any more ({hint}): {unused}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalogue_translates_every_string(language: str, template: Catalog) -> None:
    catalog = _read(po_path(language), language)
    keys = _keys(catalog)
    assert sorted(_keys(template) - keys) == [], f"{language}: run `pybabel update` (docs/translations.md)"
    assert sorted(keys - _keys(template)) == [], f"{language}: entries messages.pot does not have"
    expected_plural = get_plural(language)
    assert catalog.num_plurals == expected_plural.num_plurals
    assert catalog.plural_expr == expected_plural.plural_expr
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.pluralizable and len(strings) != catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms instead of {catalog.num_plurals}: {message.id!r}")
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    for message, errors in catalog.check():  # placeholders: the same names as the English
        problems += [f"{message.id!r}: {error}" for error in errors]
    assert problems == [], f"{language}: " + "; ".join(problems)


def test_the_catalogues_compile_when_loaded_and_quickly() -> None:
    catalogues.translations.cache_clear()
    started = time.perf_counter()
    for language in LANGUAGES:
        translations(language)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"compiling {len(LANGUAGES)} catalogues took {elapsed:.2f} s"


def test_no_compiled_catalogue_is_committed() -> None:
    """Catalogues compile from the .po when loaded; a .mo beside them would go stale unnoticed."""
    assert list(LOCALES_DIR.rglob("*.mo")) == []
