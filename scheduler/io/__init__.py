"""Files in and out: the event folder (event.toml, participants, wishes) and schedule files.

- `loading`: the entry points, `load_event_dir` and `load_event_bytes`; rows become participants
  and wishes there.
- `event_file`: event.toml (settings, days, weights, fairness).
- `codec`: bytes to rows and back for every table file (encodings, delimiters, workbooks); the
  loader, `schedule_files` and `table_edit` all read through it.
- `table_edit`: a stored participants or wishes file edited cell by cell, keeping the
  organiser's columns, aliases, extra columns and delimiter (`EditableTable`).
- `spreadsheets`: Excel and OpenDocument workbooks as rows of text (python-calamine).
- `columns`: the columns of each table, their aliases, and how a cell is read.
- `schedule_files`: schedule.csv out, and any schedule file in.
- `timegrid`: days, slots and availability windows.
- `output`: writing a file whole or not at all (`write_atomically`, `OutputError`).

Every problem a user can make in a file is reported with its file, row and column.
"""
