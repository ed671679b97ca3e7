"""HTML of the documents, from the Jinja2 templates in `templates/` at the repository root.

Autoescaping is on for every template: names, organisations and table labels come from uploaded
files. Undefined variables raise (StrictUndefined) rather than print nothing. The PDFs
(`pdf.py`) render these same templates, so the web page and the printout never drift apart.

The participant-facing templates mark every sentence for translation (`{% trans %}`, `_()`), and
every date and time goes through `when`, the one place that decides how they are written: making
the documents speak another language means installing translations here and teaching `when` the
locale, not editing templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scheduler import i18n
from scheduler.domain import Event
from scheduler.export.agenda import AgendaData
from scheduler.export.qr import qr_svg_data_uri
from scheduler.export.tables import place
from scheduler.export.today import NowNext
from scheduler.i18n import dates
from scheduler.i18n.rendering import current_language

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"

Style = Literal["time", "date", "day", "stamp"]


def when(value: dt.date | dt.time | dt.datetime, style: Style = "time") -> str:
    """A date or time as the documents write it, in the language being rendered (`i18n.using`):
    "time" 09:20 (9.20 in Finnish), "date" Wednesday 10 March 2027 (mercredi 10 mars 2027), "day"
    Wed 10 Mar, "stamp" 2027-03-10 09:20 UTC (a moment, for "printed at": the same everywhere)."""
    language = current_language()
    if style == "stamp":
        assert isinstance(value, dt.datetime)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if style == "time":
        assert isinstance(value, dt.time | dt.datetime)
        return dates.time_of_day(value if isinstance(value, dt.time) else value.time(), language)
    assert isinstance(value, dt.date)
    if style == "day":
        return dates.short_date(value, language)
    return dates.long_date(value, language)


def long_date(value: dt.date) -> str:
    return when(value, "date")


def _dates(values: tuple[dt.date, ...] | list[dt.date]) -> str:
    if not values:
        return ""
    if len(values) == 1:
        return when(values[0], "date")
    return dates.date_range(values, current_language())


def hour_minute(value: dt.time) -> str:
    return when(value, "time")


_ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
i18n.install(_ENV)  # gettext and filters of the language being rendered (`i18n.using`)
_ENV.filters.update(date=long_date, dates=_dates, hm=hour_minute, when=when, place=place, qr=qr_svg_data_uri)


def render_html(template: str, **context: Any) -> str:
    """One template of `templates/` rendered with `context`."""
    return _ENV.get_template(template).render(**context)


def generated_note(version: int | None, published: bool = True) -> str:
    """The footer line that tells a reader which version they hold and how fresh the printout is."""
    stamp = when(dt.datetime.now(dt.UTC), "stamp")
    if not published:
        return f"no schedule yet, printed {stamp}"
    return f"schedule version {version}, printed {stamp}" if version else f"Printed {stamp}"


def agenda_page(
    agenda: AgendaData,
    links: Mapping[str, str] | None = None,
    not_arranged: tuple[str, ...] = (),
    today: NowNext | None = None,
    language_links: Mapping[str, str] | None = None,
) -> str:
    """One person's agenda as a phone-first web page: `today` (from `today.now_next`) puts the
    meeting under way and the next one on top; `links` ("pdf", "ics", "webcal") adds the buttons;
    `not_arranged` the sentences on their wishes that did not become meetings (`unmet_lines`);
    `language_links` (code → address) the language switch. Written in `agenda.language`."""
    with i18n.using(agenda.language):
        return render_html(
            "agenda.html",
            a=agenda,
            links=links or {},
            not_arranged=not_arranged,
            today=today,
            language_links=language_links or {},
        )


def link_problem_page(event: Event | None) -> str:
    """The page a wrong, replaced or expired agenda link leads to: what to do, and whom to ask when
    the event is known (its contact settings), in the event's language."""
    with i18n.using(event.language if event is not None else None):
        return render_html("agenda_missing.html", event=event)
