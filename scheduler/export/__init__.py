"""What people read, made from an `Event` and a `Schedule`; nothing here knows HTTP or a database.

- `people.py`, `tables.py`: a person and a table as every document names them;
- `agenda.py`: one participant's agenda (all of them in one pass); `history.py`: what changed for
  a person between stored versions;
- `plan.py`: the master plan; `signs.py`: the table signs; `meetings.py`: the schedule as rows;
- `html.py` (Jinja2, `templates/`), `pdf.py` (WeasyPrint), `calendar.py` (iCalendar): renderings;
- `filenames.py`: download names that keep people's names, with an ASCII twin;
- `bundle.py`: `export_event` writes every document of a schedule into one folder (the CLI's
  `export` command).
"""
