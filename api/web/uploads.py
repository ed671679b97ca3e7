"""Files sent through the organiser's upload forms.

Reading a file input within the API's size limit, and carrying a file from one page to the next
without storing it: the files of a "New event" form kept for the next try, and a new
participants or wishes file waiting for the organiser to confirm its changes. A carried file
travels in a hidden field, compressed and base64-encoded, with an HMAC under the server secret
over the purpose it was made for (the event and revision it was judged against): a changed
field, or one made for another event or revision, is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import zlib
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile

from api.web.session import verify_csrf


class TooLarge(Exception):
    """A file larger than the limit of one upload field."""

    def __init__(self, name: str, limit: int):
        super().__init__(f"'{name}' is larger than the limit of {megabytes(limit)} per file.")
        self.name = name
        self.limit = limit


class BadSeal(Exception):
    """A carried file whose field was changed, or that was made for something else."""


@dataclass(frozen=True)
class Upload:
    name: str  # the file's name on the organiser's computer, as the browser sent it
    data: bytes


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def read_upload(form: FormData, field: str, limit: int) -> Upload | None:
    """The file of a file input; None when none was chosen. Raises `TooLarge` past `limit` bytes."""
    value = form.get(field)
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    data = value.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(value.filename, limit)
    if not data:
        return None
    return Upload(value.filename, data)


def form_part_limit(file_limit: int) -> int:
    """The largest plain field a form holding carried files may have: a whole file in base64."""
    return (file_limit * 4) // 3 + 4096


async def read_form(request: Request) -> FormData:
    """The sent form, read with room for carried files. A route dependency placed before the CSRF
    check, which would otherwise read it first with the default limit of 1 MB per field."""
    return await request.form(max_part_size=form_part_limit(request.app.state.settings.max_upload_bytes))


FormDep = Annotated[FormData, Depends(read_form)]
UPLOAD_FORM = [Depends(read_form), Depends(verify_csrf)]  # `dependencies=` of a route with an upload form


def _mac(secret: str, purpose: str, payload: str) -> str:
    return hmac.new(secret.encode(), f"carry:{purpose}:{payload}".encode(), hashlib.sha256).hexdigest()


def seal(secret: str, purpose: str, upload: Upload) -> str:
    """`upload` as a hidden field's value, for `purpose` only (e.g. "revise:<event>:<revision>:wishes")."""
    packed = upload.name.encode() + b"\0" + upload.data
    payload = base64.urlsafe_b64encode(zlib.compress(packed, 6)).decode("ascii")
    return f"{_mac(secret, purpose, payload)}.{payload}"


def unseal(secret: str, purpose: str, sealed: str, limit: int) -> Upload:
    """The file of a hidden field made by `seal` for the same `purpose`; raises `BadSeal` otherwise."""
    mac, _, payload = sealed.partition(".")
    if not payload or not hmac.compare_digest(mac, _mac(secret, purpose, payload)):
        raise BadSeal("the carried file was changed, or was made for another event or revision")
    try:
        unpacker = zlib.decompressobj()
        packed = unpacker.decompress(base64.urlsafe_b64decode(payload), limit + 1024)
    except (binascii.Error, zlib.error) as exc:  # only if the secret leaked: the MAC matched
        raise BadSeal(f"the carried file cannot be read: {exc}") from None
    name, _, data = packed.partition(b"\0")
    return Upload(name.decode("utf-8", "replace"), data)
