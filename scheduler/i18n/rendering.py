"""The language a document is being rendered in, and its hook into Jinja2.

One Jinja2 environment serves every language: `install` gives it the i18n extension (newstyle
gettext, so `{{ _("Hello %(name)s", name=n) }}` escapes and formats like `{% trans %}`) with
gettext functions and date filters that look up the *current* language, which `using(language)`
sets for the duration of a render. A context variable rather than per-render arguments: macros
imported without context, included templates and plain Python helpers all see the same language,
and concurrent renders in other threads keep theirs.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from jinja2 import Environment

from scheduler.i18n import dates
from scheduler.i18n.catalogues import translations
from scheduler.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES

_CURRENT: contextvars.ContextVar[str] = contextvars.ContextVar("matchday_language", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    """The language of the render under way (English outside any `using`)."""
    return _CURRENT.get()


@contextmanager
def using(language: str | None) -> Iterator[str]:
    """Render in `language` (None: English) inside the block."""
    code = language or DEFAULT_LANGUAGE
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {code!r}")
    token = _CURRENT.set(code)
    try:
        yield code
    finally:
        _CURRENT.reset(token)


def gettext(message: str) -> str:
    """`message` in the current language."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of the current language for the count `n` (Latvian, Lithuanian, Polish have three)."""
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, told apart from the same English words by `context`."""
    return translations(current_language()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translations(current_language()).npgettext(context, singular, plural, n)


def long_date(value: dt.date) -> str:
    return dates.long_date(value, current_language())


def short_date(value: dt.date) -> str:
    return dates.short_date(value, current_language())


def date_range(values: Sequence[dt.date]) -> str:
    return dates.date_range(values, current_language())


def time_of_day(value: dt.time) -> str:
    return dates.time_of_day(value, current_language())


def time_range(start: dt.time, end: dt.time) -> str:
    return dates.time_range(start, end, current_language())


def install(env: Environment) -> None:
    """Give `env` the i18n extension, the current-language gettext functions (`_`, `gettext`,
    `ngettext`, `pgettext`, `npgettext`), the filters `date`, `dates`, `short_date`, `hm`,
    `time_range`, and the globals `language` (a function: the current code) and `languages`."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks as one line, as babel.cfg extracts them
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    env.filters.update(date=long_date, dates=date_range, short_date=short_date, hm=time_of_day, time_range=time_range)
    env.globals.update(current_language=current_language, languages=LANGUAGES)
