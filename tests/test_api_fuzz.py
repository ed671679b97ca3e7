"""Fuzzing the running service: schemathesis against its own OpenAPI document, and the project's
corpus of hostile uploads (tests/hostile_uploads.py).

The service runs as `python -m api` (tests/server_process.py), as an operator starts it. Before
fuzzing, one sample event is created, solved and published, so the routes that read a schedule,
a version or a participant's agenda answer with data and not only with 404s. The bar: no 5xx, and
every answer is one the document describes (status, content type, body schema, Allow header),
with the examples the document gives accepted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hostile_uploads import CORPUS, HostileUpload
from server_process import running_server

from api.app import create_app
from api.openapi import complete, documented_methods
from api.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_events" / "cluster-day"
CONFIG = Path(__file__).resolve().parent / "fuzz" / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).parent / "st"
JOB_TIMEOUT = 120.0  # seconds for a 2-second solve on a busy machine


def _request(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def _multipart(files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "matchday-fuzz-boundary"
    parts = []
    for field, (filename, content) in files.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n\r\n'
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _post(url: str, body: bytes, content_type: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("fuzz"), {"MATCHDAY_DEFAULT_TIME_LIMIT": "2"}) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def solved_event(service: str) -> tuple[str, str]:
    """(event id, organiser token) of the cluster-day sample, solved and published."""
    files = {name: (name, (SAMPLE / name).read_bytes()) for name in ("event.toml", "participants.csv", "wishes.csv")}
    body, content_type = _multipart(
        {"event": files["event.toml"], "participants": files["participants.csv"], "wishes": files["wishes.csv"]}
    )
    status, answer = _post(f"{service}/api/events", body, content_type)
    assert status == 201, answer
    created = json.loads(answer)
    auth = {"Authorization": f"Bearer {created['organiser_token']}", "Content-Type": "application/json"}
    job = _request("POST", f"{service}/api/events/{created['id']}/solve", b'{"time_limit": 2, "publish": true}', auth)
    status_url = job["status_url"]
    deadline = time.monotonic() + JOB_TIMEOUT
    while job["state"] not in ("done", "failed", "cancelled"):
        assert time.monotonic() < deadline, f"the sample's solve did not finish within {JOB_TIMEOUT:.0f} s: {job}"
        time.sleep(0.5)
        job = _request("GET", status_url, headers=auth)
    assert job["state"] == "done", job
    return created["id"], created["organiser_token"]


def test_schemathesis_finds_no_server_error_and_no_answer_the_document_does_not_describe(
    service: str, solved_event: tuple[str, str]
) -> None:
    _, token = solved_event
    run = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{service}/openapi.json"],
        env={**os.environ, "MATCHDAY_FUZZ_TOKEN": token, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-8000:]
    assert "passed" in report and "No issues found" in report, report[-3000:]


@pytest.mark.parametrize("upload", CORPUS, ids=[u.name for u in CORPUS])
def test_a_hostile_upload_is_refused_or_accepted_in_words_never_with_a_server_error(
    service: str, upload: HostileUpload
) -> None:
    if upload.as_json:
        body = json.dumps(
            {field: content.decode("utf-8", "surrogatepass") for field, (_, content) in upload.files.items()}
        )
        status, answer = _post(f"{service}/api/events/json", body.encode("utf-8", "surrogatepass"), "application/json")
    else:
        body_bytes, content_type = _multipart(upload.files)
        status, answer = _post(f"{service}/api/events", body_bytes, content_type)
    assert status in upload.expected, (status, answer[:2000])
    if status >= 400:
        detail = json.loads(answer)["detail"]
        assert detail, answer[:2000]
        for problem in json.loads(answer).get("problems", []):
            assert problem["message"], problem
            if upload.located and not problem["message"].startswith("… and"):  # a summary of many like it
                assert problem["file"] and (problem["row"] is not None or problem["column"]), problem
    assert _request("GET", f"{service}/openapi.json")["openapi"], "the service stopped answering"


def test_the_document_names_the_answers_every_route_can_give() -> None:
    app = create_app(Settings(database_url="sqlite://"))
    document = app.openapi()
    operations = [(path, op) for path, ops in document["paths"].items() for op in ops.values()]
    assert operations
    for path, operation in operations:
        answers = operation["responses"]
        if operation.get("security"):
            assert "401" in answers, path
        if "{" in path:
            assert "404" in answers, path
        if "requestBody" in operation:
            assert "413" in answers, path
        for code, answer in answers.items():
            if code.startswith("4"):
                assert "application/json" in answer["content"], (path, code)


def test_a_routes_own_422_shape_and_fastapis_validation_list_are_both_documented() -> None:
    document = complete(
        {
            "paths": {
                "/x/{id}": {
                    "post": {
                        "parameters": [{"name": "id", "in": "path"}],
                        "responses": {
                            "422": {
                                "description": "refused",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Own"}}},
                            }
                        },
                    }
                }
            }
        }
    )
    schema = document["paths"]["/x/{id}"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    assert schema == {
        "anyOf": [{"$ref": "#/components/schemas/Own"}, {"$ref": "#/components/schemas/HTTPValidationError"}]
    }
    assert "HTTPValidationError" in document["components"]["schemas"]
    assert "ErrorMessage" in document["components"]["schemas"]


def test_method_not_allowed_names_every_method_of_the_path_and_no_other(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))) as client:
        assert client.options("/api/events/abc").headers["allow"] == "GET, DELETE"
        assert client.options("/api/events/json").headers["allow"] == "POST"
        assert client.put("/api/events/abc/participants").headers["allow"] == "GET, POST"
        assert documented_methods(client.app, "/api/jobs/abc") == ["GET", "DELETE"]  # type: ignore[arg-type]
        assert documented_methods(client.app, "/not/a/path") is None  # type: ignore[arg-type]
