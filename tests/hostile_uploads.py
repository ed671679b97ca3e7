"""The project's corpus of hostile uploads: what an attacker or an unlucky organiser sends as an
event's three files. tests/test_api_fuzz.py posts each to the running service, which must answer
in words (201, 413 or 422 with the file, row and column where there is one), never with a 5xx,
and stay up.

Each case starts from a small valid event and spoils one thing, so the answer is about that thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EVENT = b"""name = "Hostile"
timezone = "Europe/Riga"
slot_minutes = 20
tables = 4

[[days]]
date = "2027-02-17"
start = "09:00"
end = "12:00"
"""
PARTICIPANTS = b"""id,name,organisation,email,role,country
P1,Anna Berzina,Alpha SIA,anna@alpha.example,buyer,Latvia
P2,Karl Mets,Beta OU,karl@beta.example,seller,Estonia
P3,Ona Petraitiene,Gamma UAB,ona@gamma.example,seller,Lithuania
"""
WISHES = b"""requester,target,priority
P1,P2,1
P2,P3,2
P3,P1,3
"""
CREATED_OR_REFUSED = frozenset({201, 422})
REFUSED = frozenset({422})


@dataclass(frozen=True)
class HostileUpload:
    name: str
    event: bytes = EVENT
    participants: bytes = PARTICIPANTS
    wishes: bytes = WISHES
    expected: frozenset[int] = REFUSED
    located: bool = False  # every problem names its file and a row or column
    as_json: bool = False  # sent to POST /api/events/json instead of the multipart route
    filenames: dict[str, str] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, tuple[str, bytes]]:
        contents = {"event": self.event, "participants": self.participants, "wishes": self.wishes}
        default_names = {"event": "event.toml", "participants": "participants.csv", "wishes": "wishes.csv"}
        return {key: (self.filenames.get(key, default_names[key]), value) for key, value in contents.items()}


def _participant_rows(rows: list[str]) -> bytes:
    return ("id,name,organisation,email,role,country\n" + "\n".join(rows) + "\n").encode()


CORPUS: list[HostileUpload] = [
    HostileUpload("valid baseline", expected=frozenset({201})),
    HostileUpload("empty files", event=b"", participants=b"", wishes=b""),
    HostileUpload("binary garbage", event=bytes(range(256)) * 40, participants=b"\x00\xff" * 500),
    HostileUpload("not TOML", event=b"name = [unclosed\n"),
    HostileUpload(
        "deep dotted key", event=EVENT + b"\n[x]\n" + b".".join([b"k"] * 1200) + b" = 1\n", expected=CREATED_OR_REFUSED
    ),
    HostileUpload("deep nested arrays", event=EVENT + b"\nx = " + b"[" * 5000 + b"]" * 5000 + b"\n"),
    HostileUpload("UTF-16 event", event=EVENT.decode().encode("utf-16"), expected=CREATED_OR_REFUSED),
    HostileUpload(
        "UTF-16 participants", participants=PARTICIPANTS.decode().encode("utf-16"), expected=CREATED_OR_REFUSED
    ),
    HostileUpload("a lone surrogate in JSON", event=EVENT.replace(b"Hostile", b"\xed\xa0\x80"), as_json=True),
    HostileUpload(
        "NUL bytes in a name", participants=PARTICIPANTS.replace(b"Anna", b"An\x00na"), expected=CREATED_OR_REFUSED
    ),
    HostileUpload(
        "control characters in names",
        participants=PARTICIPANTS.replace(b"Anna", b"An\x07na\x1b[31m"),
        expected=CREATED_OR_REFUSED,
    ),
    HostileUpload(
        "a newline in a quoted name",
        participants=PARTICIPANTS.replace(b"Anna Berzina", b'"Anna\nBerzina"'),
        expected=CREATED_OR_REFUSED,
    ),
    HostileUpload(
        "formula cells",
        participants=PARTICIPANTS.replace(b"Alpha SIA", b'"=HYPERLINK(""http://x"",""y"")"'),
        expected=frozenset({201}),
    ),
    HostileUpload(
        "a 131,072-character cell",
        participants=PARTICIPANTS.replace(b"Alpha SIA", b"A" * 131_072),
        expected=CREATED_OR_REFUSED,
        located=True,
    ),
    HostileUpload("unterminated quote", participants=PARTICIPANTS + b'P4,"Never closed,x,y,z,w\n', located=True),
    HostileUpload(
        "duplicate ids",
        participants=_participant_rows([f"P1,Same {i},Org,a{i}@x.example,buyer,LV" for i in range(2000)]),
        located=True,
    ),
    HostileUpload("wishes for nobody", wishes=b"requester,target,priority\nP9,P8,1\n", located=True),
    HostileUpload(
        "negative and huge priorities",
        wishes=b"requester,target,priority\nP1,P2,-5\nP2,P3,1e308\nP3,P1,nan\n",
        located=True,
    ),
    HostileUpload(
        "huge slot numbers", event=EVENT.replace(b"slot_minutes = 20", b"slot_minutes = 100000000000000000000")
    ),
    HostileUpload("zero-minute slots", event=EVENT.replace(b"slot_minutes = 20", b"slot_minutes = 0")),
    HostileUpload("negative tables", event=EVENT.replace(b"tables = 4", b"tables = -3")),
    HostileUpload("an end before the start", event=EVENT.replace(b'end = "12:00"', b'end = "08:00"')),
    HostileUpload(
        "a date outside the calendar", event=EVENT.replace(b"2027-02-17", b"9999-12-31"), expected=CREATED_OR_REFUSED
    ),
    HostileUpload(
        "a corrupt workbook",
        participants=b"PK\x03\x04" + b"\x00" * 400,
        filenames={"participants": "participants.xlsx"},
    ),
    HostileUpload("CR-only line ends", participants=PARTICIPANTS.replace(b"\n", b"\r"), expected=CREATED_OR_REFUSED),
    HostileUpload(
        "a BOM and semicolons",
        participants=b"\xef\xbb\xbf" + PARTICIPANTS.replace(b",", b";"),
        expected=frozenset({201}),
    ),
    HostileUpload(
        "Windows-1252 names", participants=PARTICIPANTS.replace(b"Anna", b"J\xe9r\xf4me"), expected=frozenset({201})
    ),
]
