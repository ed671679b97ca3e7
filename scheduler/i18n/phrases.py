"""Translated phrases built in Python rather than in a template: table names, and `N_` for tables of sentences.

Each takes the language explicitly (a calendar file or a mail is made for one person), or, with
None, the language of the render under way (`rendering.using`), as template filters do.
"""

from __future__ import annotations

import gettext

from scheduler.i18n.catalogues import translations
from scheduler.i18n.rendering import current_language


def N_(message: str) -> str:
    """Marks `message` for extraction where it is defined (a table of sentences); translate it where
    it is used, with `gettext`."""
    return message


def _t(language: str | None) -> gettext.NullTranslations:
    return translations(language or current_language())


def table_name(label: str, language: str | None = None) -> str:
    """ "Table 7" (« Table 7 », „Tisch 7") for a plain table label (digits, or at most 3 characters),
    the label itself for a named booth ("Booth 7a"); what `scheduler.export.tables.place` prints."""
    if label.isdigit() or len(label) <= 3:
        return _t(language).gettext("Table %(label)s") % {"label": label}
    return label
