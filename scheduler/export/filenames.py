"""File names for documents that keep people's names: "Søren Dybdahl" → agenda-søren-dybdahl.pdf,
with an ASCII twin (agenda-soren-dybdahl.pdf) for whatever cannot take more than ASCII.

The ASCII twin is transliterated by anyascii (ISC licence), so Latvian, Danish, Greek and Cyrillic
names become readable Latin letters instead of vanishing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii

MAX_PART = 60  # characters of one part (an event name, a person's name) in a file name


def slug(text: str, fallback: str = "") -> str:
    """An ASCII file-name fragment: "Jānis Bērziņš" → "janis-berzins", "Ольга" → "olga"."""
    ascii_text = anyascii(unicodedata.normalize("NFC", text)).lower()
    ascii_text = re.sub(r"['`]", "", ascii_text)  # Ol'ga (a soft sign), O'Brien: one word, not two
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:MAX_PART].strip("-") or fallback


def unicode_slug(text: str, fallback: str = "") -> str:
    """A file-name fragment that keeps every letter and digit of any script, lower case, and turns
    everything else (spaces, slashes, quotes, control characters) into single hyphens."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text).lower():
        out.append(ch if unicodedata.category(ch)[0] in "LNM" else "-")  # letters, digits, marks
    return re.sub(r"-+", "-", "".join(out)).strip("-")[:MAX_PART].strip("-") or fallback


@dataclass(frozen=True)
class FileName:
    """A document's file name: `name` as people read it, `ascii` for where only ASCII goes."""

    name: str
    ascii: str


def file_name(*parts: str, ext: str, fallback: str = "download") -> FileName:
    """The parts (e.g. an event name, "agenda", a person's name, "v3") joined by hyphens, each made
    safe for a file name; parts that come out empty are left out."""
    names = [s for s in (unicode_slug(p) or slug(p) for p in parts) if s]  # an emoji-only name: its ASCII words
    asciis = [s for s in (slug(p) for p in parts) if s]
    return FileName(
        name=f"{'-'.join(names) or fallback}.{ext}",
        ascii=f"{'-'.join(asciis) or slug(fallback, 'download')}.{ext}",
    )
