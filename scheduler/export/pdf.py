"""PDFs of the documents: WeasyPrint renders the HTML of `html.py`.

WeasyPrint gets `base_url` at `templates/` and a URL fetcher that only serves files inside
`templates/` (and data: URLs), so a document can never reach the network or the rest of the disk,
whatever a name in an uploaded file holds. The fonts are bundled (DejaVu Sans) so that every
script the participants' names use renders the same on every machine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scheduler import i18n
from scheduler.export.agenda import AgendaData, AgendaDay, AgendaEntry
from scheduler.export.html import TEMPLATES_DIR, generated_note, render_html
from scheduler.export.people import Person
from scheduler.export.plan import PlanData
from scheduler.export.signs import TableSign


def _local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves only files inside templates/ (and data: URLs)."""
    from weasyprint.urls import URLFetcher, URLFetchingError

    root = TEMPLATES_DIR.resolve()

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return super().fetch(url, headers)
            raise URLFetchingError(f"refused to fetch {url!r}: only files in templates/ may be used")

    return LocalOnly(allowed_protocols=("file", "data"), allow_redirects=False)


_FETCHER: Any = None  # made on first use: importing WeasyPrint costs a second the CLI's other commands skip
_FONTS: Any = None  # one FontConfiguration for every render, so that combined documents share their fonts
_STYLESHEET: Any = None  # fonts.css and styles.css, parsed on first use (`_stylesheet`)


def _setup() -> None:
    global _FETCHER, _FONTS, _STYLESHEET
    from weasyprint.text.fonts import FontConfiguration

    if _FETCHER is None:
        _FETCHER = _local_fetcher()
        _FONTS = FontConfiguration()
        _STYLESHEET = None  # parsed with the fetcher and fonts it was made with: parsed again


def _document(template: str, stylesheets: Sequence[Any] = (), **context: Any) -> Any:
    """One template of `templates/` laid out by WeasyPrint (a `weasyprint.Document`)."""
    from weasyprint import HTML

    _setup()
    html = render_html(template, **context)
    base = str(TEMPLATES_DIR) + "/"
    return HTML(string=html, base_url=base, url_fetcher=_FETCHER).render(
        font_config=_FONTS, stylesheets=list(stylesheets)
    )


def _stylesheet() -> Any:
    """fonts.css and styles.css parsed once per process, for documents rendered without their inline
    styles (`bare`): parsing them took about a tenth of each agenda PDF, and each parse of the
    @font-face rules would register the font files with fontconfig again."""
    global _STYLESHEET
    from weasyprint import CSS

    _setup()
    if _STYLESHEET is None:
        text = "".join((TEMPLATES_DIR / name).read_text(encoding="utf-8") for name in ("fonts.css", "styles.css"))
        _STYLESHEET = CSS(string=text, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=_FETCHER, font_config=_FONTS)
    return _STYLESHEET


def warm_up() -> bytes:
    """Render a made-up agenda: a process that will render agendas loads WeasyPrint's fonts, parses
    the stylesheet and compiles the templates now (a first agenda took about three times as long
    as the next), not on its first participant's request."""
    day = dt.date(2027, 3, 10)
    you = Person("W1", "Åsa Øberg", "Exempel AB", "buyer", "Sweden")
    them = Person("W2", "Jiří Novák", "Příklad s.r.o.", "seller", "Czechia")
    entries = (
        AgendaEntry("meeting", day, dt.time(9, 0), dt.time(9, 20), 1, "1", them, "both"),
        AgendaEntry("break", day, dt.time(9, 20), dt.time(9, 40), 2),
        AgendaEntry("free", day, dt.time(9, 40), dt.time(10, 0), 3),
    )
    sample = AgendaData(
        event_name="Matchday",
        timezone="UTC",
        dates=(day,),
        person=you,
        active=True,
        days=(AgendaDay(day, entries),),
        schedule_version=1,
        published=True,
        changes=("Moved: your meeting with Jiří Novák is now at 09:00–09:20.",),
        changed_since=1,
        venue="Hall C",
        contact_email="desk@example.org",
        link="https://example.org/agenda/warm-up",
    )
    return agenda_pdf(sample)


def render_pdf(template: str, **context: Any) -> bytes:
    """One template of `templates/` as a PDF."""
    pdf: bytes = _document(template, **context).write_pdf()
    return pdf


def agenda_pdf(agenda: AgendaData) -> bytes:
    """One person's agenda, A4, one page per day (`agenda.link`, when known, printed as a QR code), in
    `agenda.language`."""
    with i18n.using(agenda.language):
        document = _document("agenda_print.html", [_stylesheet()], a=agenda, printed=dt.datetime.now(dt.UTC), bare=True)
    data: bytes = document.write_pdf()
    return data


def agendas_pdf(event_name: str, agendas: Sequence[AgendaData], schedule_version: int | None) -> bytes:
    """Many agendas in one PDF, each starting on a new page and numbering its own pages ("page 1 of 1"
    per person): each agenda is laid out on its own, in its person's language, and the pages are
    written as one document."""
    printed = dt.datetime.now(dt.UTC)
    if not agendas:
        return render_pdf("agendas.html", agendas=(), event_name=event_name, printed=printed)
    css = [_stylesheet()]
    documents = []
    for a in agendas:  # each in its person's language
        with i18n.using(a.language):
            documents.append(
                _document("agendas.html", css, agendas=(a,), event_name=event_name, printed=printed, bare=True)
            )
    pages = [page for document in documents for page in document.pages]
    first = documents[0]
    first.metadata.title = f"Agendas – {event_name}"
    data: bytes = first.copy(pages).write_pdf()
    return data


def plan_pdf(plan: PlanData) -> bytes:
    """The master plan, A4 landscape."""
    return render_pdf("plan.html", plan=plan, note=generated_note(plan.schedule_version))


def table_signs_pdf(event_name: str, signs: Sequence[TableSign]) -> bytes:
    """One page per table."""
    return render_pdf("table_signs.html", signs=signs, event_name=event_name)
