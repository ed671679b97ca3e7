"""The QR code printed on an agenda: the person's private link, so a printed page leads to the live one.

segno (pure Python) writes an SVG that WeasyPrint embeds as a data: URL (the only kind of URL the
PDF renderer fetches besides the bundled files), so nothing leaves the machine.
"""

from __future__ import annotations

import segno


def qr_svg_data_uri(text: str) -> str:
    """`text` as a QR code (error correction M, the standard quiet zone of 4 modules) in a data: URL."""
    code = segno.make(text, error="m", micro=False)
    uri: str = code.svg_data_uri(scale=4, border=4, dark="#000000", light="#ffffff")
    return uri
