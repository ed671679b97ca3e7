"""Message catalogues: one gettext .po file per language under `locales/`, compiled when first used.

The .po files are what translators edit and what the repository holds; no .mo file is committed,
so a compiled catalogue can never be older than its source. Compiling with Babel takes a few
milliseconds per language, once per process (`translations` is cached).
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from scheduler.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"


def po_path(language: str) -> Path:
    """Where a language's catalogue lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations of a supported language (English, the source language, translates nothing).

    An unsupported code is a programming error: the loader has already replaced it by a supported one.
    """
    if language not in LANGUAGES:
        raise ValueError(f"no catalogue for language {language!r}; supported: {', '.join(LANGUAGES)}")
    path = po_path(language)
    if language == DEFAULT_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)
