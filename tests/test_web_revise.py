"""A whole new participants or wishes file for an existing event, through the real app: judged,
its changes shown before anything is stored, applied as a new revision only when confirmed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from tests.api_helpers import API_DATA, client_for, event_row, solve
from tests.web_helpers import HTML, csrf_of, page_text, signed_in_event

PARTICIPANTS = (API_DATA / "participants.csv").read_bytes()
WISHES = (API_DATA / "wishes.csv").read_bytes()
NO_FILE = ("", b"", "application/octet-stream")

# p8 leaves, p9 comes, p2's organisation changes
NEW_PARTICIPANTS = PARTICIPANTS.replace(
    b"p8,Eve Unmatched,Solo Oy,seller,Finland,,,\n", b"p9,Ada Newcomer,Nova AS,buyer,Norway,,,\n"
).replace(b"R\xc4\xabgas \xc5\xaadens,", b"R\xc4\xabgas \xc5\xaadens AS,")
# p1 → p2 becomes low priority, p1 → p3 is dropped, p9 → p1 is new
NEW_WISHES = WISHES.replace(b"p1,p2,1,", b"p1,p2,3,").replace(b"p1,p3,2,\n", b"") + b"p9,p1,1,\n"
MORE_WISHES = WISHES + b"p8,p1,2,\n"  # valid with the participants as they are


def _check(client: TestClient, event_id: str, participants: bytes | None, wishes: bytes | None) -> Any:
    token = csrf_of(client, f"/events/{event_id}/files")
    files = {
        "participants": ("people.csv", participants, "text/csv") if participants is not None else NO_FILE,
        "wishes": ("wishes.csv", wishes, "text/csv") if wishes is not None else NO_FILE,
    }
    return client.post(f"/events/{event_id}/files", data={"csrf": token}, files=files, headers=HTML)


def _confirmation(page: str) -> dict[str, str]:
    """The hidden fields of the page's "Apply these changes" form."""
    start = page.index('/files/apply"')
    form = page[start : page.index("</form>", start)]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def _apply(client: TestClient, event_id: str, fields: dict[str, str]) -> Any:
    return client.post(f"/events/{event_id}/files/apply", data=fields, headers=HTML, follow_redirects=False)


def test_the_page_names_its_inputs_as_the_contract_says(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
        page = client.get(f"/events/{event_id}/files", headers=HTML)
        assert page.status_code == 200
        for key, label in (("participants", "Participants"), ("wishes", "Wishes")):
            assert re.search(rf'<div class="drop-zone">\s*<label for="file-{key}">{label}</label>', page.text)
        assert '<button type="submit">Upload</button>' in page.text and "<progress data-upload hidden" in page.text


def test_the_changes_are_shown_then_applied_as_a_new_revision(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, headers = signed_in_event(client)
        solve(client, event_id, headers)
        page = _check(client, event_id, NEW_PARTICIPANTS, NEW_WISHES)
        assert page.status_code == 200, page.text
        text = page_text(page.text)
        assert "Added people (1)" in text and "Ada Newcomer (p9, Nova AS)" in text
        assert "Removed people (1)" in text and "Eve Unmatched (p8, Solo Oy)" in text
        assert "Changed people (1)" in text and "organisation: Rīgas Ūdens → Rīgas Ūdens AS" in text
        assert "Added wishes (1)" in text and "Ada Newcomer (p9) wants to meet Søren Dybdahl (p1)" in text
        assert "Removed wishes (1)" in text and "Søren Dybdahl (p1) → Αλέξανδρος Παπαδόπουλος (p3)" in text
        assert "Changed wishes (1)" in text and "priority: high (1) → low (3)" in text
        assert "Apply these changes" in text
        assert event_row(client, event_id).revision == 1  # nothing stored yet

        applied = _apply(client, event_id, _confirmation(page.text))
        assert applied.status_code == 303 and applied.headers["location"] == f"/events/{event_id}"
        row = event_row(client, event_id)
        assert row.revision == 2 and row.participants_csv == NEW_PARTICIPANTS and row.wishes_csv == NEW_WISHES
        overview = client.get(f"/events/{event_id}", headers=HTML)
        assert "made before the latest changes" in overview.text


def test_one_file_alone_keeps_the_other(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
        page = _check(client, event_id, None, MORE_WISHES)
        assert page.status_code == 200 and "Added people" not in page.text and "Added wishes (1)" in page.text
        assert "kept-participants" not in _confirmation(page.text)
        assert _apply(client, event_id, _confirmation(page.text)).status_code == 303
        row = event_row(client, event_id)
        assert row.participants_csv == PARTICIPANTS and row.wishes_csv == MORE_WISHES


def test_a_bad_file_shows_its_problems_and_changes_nothing(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
        bad = WISHES + b"p1,nobody,1,\n"
        page = _check(client, event_id, None, bad)
        assert page.status_code == 422
        assert "Nothing was changed" in page.text and "Apply these changes" not in page.text
        table = page.text[page.text.index("<caption>Problems</caption>") :]
        row = re.search(r"<tr class=\"error\">(.*?)</tr>", table, re.S)
        assert row
        cells = [page_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
        assert cells[:3] == ["wishes.csv", "15", "target"], cells
        assert event_row(client, event_id).revision == 1
        empty = _check(client, event_id, None, None)
        assert empty.status_code == 422 and "Choose a new participants file" in empty.text


def test_a_changed_or_stale_confirmation_is_refused(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
        page = _check(client, event_id, NEW_PARTICIPANTS, None)
        fields = _confirmation(page.text)

        forged = dict(fields, revision="7")
        assert _apply(client, event_id, forged).status_code == 400
        mac, payload = fields["kept-participants"].split(".", 1)
        tampered = dict(fields, **{"kept-participants": f"{mac}.{payload[:-8]}AAAAAAAA"})
        refused = _apply(client, event_id, tampered)
        assert refused.status_code == 400 and "changed on its way back" in refused.text
        assert event_row(client, event_id).revision == 1

        other = _check(client, event_id, None, MORE_WISHES)  # a second confirmation, of the same revision
        assert _apply(client, event_id, _confirmation(other.text)).status_code == 303
        stale = _apply(client, event_id, fields)
        assert stale.status_code == 409 and "revision 1, it is now revision 2" in stale.text
        assert event_row(client, event_id).participants_csv == PARTICIPANTS


def test_checking_and_applying_need_the_csrf_token(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
        page = _check(client, event_id, NEW_PARTICIPANTS, None)
        fields = _confirmation(page.text)
        assert _apply(client, event_id, dict(fields, csrf="0" * 64)).status_code == 403
        files = {"participants": ("p.csv", NEW_PARTICIPANTS, "text/csv")}
        unchecked = client.post(f"/events/{event_id}/files", files=files, headers=HTML)
        assert unchecked.status_code == 403
        assert event_row(client, event_id).revision == 1


def test_another_browser_cannot_upload(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        event_id, _ = signed_in_event(client)
    with client_for(tmp_path / "db.sqlite") as stranger:
        assert stranger.get(f"/events/{event_id}/files", headers=HTML).status_code == 401
