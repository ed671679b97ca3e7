"""A person as every document shows them: name, then organisation · role · country.

The documents never reach into `Participant` directly, so a meeting with somebody the event no
longer lists (a schedule version older than the last change of participants.csv) still renders,
under their id.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.domain import Participant, ParticipantId


@dataclass(frozen=True)
class Person:
    id: ParticipantId
    name: str
    organisation: str = ""
    role: str = ""
    country: str = ""
    table: str | None = None  # their fixed table, if they have one

    @staticmethod
    def of(p: Participant | None, pid: ParticipantId = "") -> Person:
        """The person behind `p`; just the id when the event does not know them (any more)."""
        if p is None:
            return Person(id=pid, name=pid)
        return Person(p.id, p.name, p.organisation, p.role, p.country, p.table)

    @property
    def details(self) -> str:
        """Organisation · role · country, leaving out what is empty."""
        return " · ".join(x for x in (self.organisation, self.role, self.country) if x)
