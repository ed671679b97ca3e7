"""Dates and times as a reader of each language writes them, from Babel's CLDR data.

French: « mercredi 17 février 2027 », 09:00; German: « Mittwoch, 17. Februar 2027 », 09:00; Latvian:
« trešdiena, 2027. gada 17. februāris »; Finnish and Danish write times with a dot (9.00, 09.00).
Every language here uses 24-hour times (English follows British conventions, see `BABEL_LOCALES`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from babel.dates import format_date, format_skeleton, format_time

from scheduler.i18n.languages import BABEL_LOCALES

EN_DASH = "–"


# CLDR's full pattern, except English: "Wednesday 17 February 2027", as matchday has always printed
# it (en_GB's CLDR pattern adds a comma after the weekday).
_LONG_DATE = {"en": "EEEE d MMMM y"}


def _locale(language: str) -> str:
    return BABEL_LOCALES[language]


def long_date(value: dt.date, language: str) -> str:
    """The full date with its weekday: "mercredi 17 février 2027"."""
    return format_date(value, _LONG_DATE.get(language, "full"), locale=_locale(language))


def short_date(value: dt.date, language: str) -> str:
    """Weekday, day and abbreviated month, for a time on a several-day agenda: "mer. 17 févr."."""
    return format_skeleton("MMMEd", value, locale=_locale(language))


def date_range(values: Sequence[dt.date], language: str) -> str:
    """The event's dates: one long date, or the first and the last joined by a dash."""
    if not values:
        return ""
    if len(values) == 1:
        return long_date(values[0], language)
    return f"{long_date(values[0], language)} {EN_DASH} {long_date(values[-1], language)}"


def time_of_day(value: dt.time, language: str) -> str:
    """A time in the locale's 24-hour form: 09:00 (fr, de, lv, …), 09.00 (da), 9.00 (fi)."""
    return format_time(value, "short", locale=_locale(language))


def time_range(start: dt.time, end: dt.time, language: str) -> str:
    """A slot's times, "09:00–09:20" (no spaces around the dash between two times)."""
    return f"{time_of_day(start, language)}{EN_DASH}{time_of_day(end, language)}"
