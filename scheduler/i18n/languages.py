"""The languages agendas are written in, and how a language named in a file is read.

A language is an ISO 639-1 code (`fr`), read case-insensitively with an optional region (`FR`,
`fr-FR`, `fr_FR` are all `fr`). Only the codes below have catalogues; anything else is "unknown",
which the loader reports and replaces by the event's default.
"""

from __future__ import annotations

import re

DEFAULT_LANGUAGE = "en"

# Code → (English name, the language's own name). Order: as the language switch lists them.
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "English"),
    "fr": ("French", "Français"),
    "de": ("German", "Deutsch"),
    "da": ("Danish", "Dansk"),
    "fi": ("Finnish", "Suomi"),
    "sv": ("Swedish", "Svenska"),
    "lv": ("Latvian", "Latviešu"),
    "et": ("Estonian", "Eesti"),
    "lt": ("Lithuanian", "Lietuvių"),
    "pl": ("Polish", "Polski"),
}

# The Babel (CLDR) locale whose date and time conventions a language uses. English agendas are
# for European events: British conventions (17 February 2027, 24-hour 09:00), not American ones.
BABEL_LOCALES: dict[str, str] = {code: code for code in LANGUAGES} | {"en": "en_GB"}

_CODE = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]{2,8})*$")


def parse_language(text: str) -> str | None:
    """The supported language `text` names (`fr`, `FR`, `fr-FR`, `fr_FR` → `fr`); None when it names
    none (an empty text included)."""
    m = _CODE.match(text.strip())
    if m is None:
        return None
    code = m.group(1).lower()
    return code if code in LANGUAGES else None


def supported_list() -> str:
    """The supported codes for a message: "en, fr, de, …"."""
    return ", ".join(LANGUAGES)
