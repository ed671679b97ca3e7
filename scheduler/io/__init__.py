"""Files in and out: the event folder (event.toml, participants, wishes) and schedule files.

Every problem a user can make in a file is reported with its file, row and column.
"""
