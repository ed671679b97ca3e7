"""Agendas in the participant's language: supported languages, gettext catalogues (Babel) and
dates and times in each locale's conventions; `rendering` hooks them into Jinja2.

Catalogues: scheduler/i18n/locales/<code>/LC_MESSAGES/messages.po, extracted with `pybabel`
using babel.cfg at the repository root (commands in docs/translations.md).
"""

from scheduler.i18n.catalogues import translations
from scheduler.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES, parse_language
from scheduler.i18n.rendering import current_language, gettext, install, ngettext, pgettext, using

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "current_language",
    "gettext",
    "install",
    "ngettext",
    "parse_language",
    "pgettext",
    "translations",
    "using",
]
