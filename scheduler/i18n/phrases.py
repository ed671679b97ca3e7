"""Translated phrases built in Python rather than in a template: calendar entries and table names.

Each takes the language explicitly (a calendar file or a mail is made for one person), or, with
None, the language of the render under way (`rendering.using`), as template filters do.
"""

from __future__ import annotations

import gettext

from scheduler.i18n.catalogues import translations
from scheduler.i18n.rendering import current_language


def _t(language: str | None) -> gettext.NullTranslations:
    return translations(language or current_language())


def table_name(label: str, language: str | None = None) -> str:
    """ "Table 7" (« Table 7 », „Tisch 7") for a plain table label, the label itself for a named booth
    ("Booth 7a"), as `scheduler.export.tables.place` decides."""
    if label.isdigit() or len(label) <= 3:
        return _t(language).gettext("Table %(label)s") % {"label": label}
    return label


def meeting_summary(partner: str, organisation: str, language: str | None = None) -> str:
    """A calendar entry's title: the partner, and their organisation when known."""
    t = _t(language)
    if organisation:
        return t.gettext("Meeting with %(name)s (%(organisation)s)") % {"name": partner, "organisation": organisation}
    return t.gettext("Meeting with %(name)s") % {"name": partner}
