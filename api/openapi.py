"""The OpenAPI document tells the whole truth: besides each route's own answers, the ones every
route of its kind can give.

Some answers come from the layers around a route rather than from the route: the organiser
token dependency (401), a path naming an event, job, participant or link that does not exist
(404), a body that is not UTF-8 JSON (400) or is too large (413), and FastAPI's request
validation (422 with its list of errors, beside a route's own 422 shape). Declaring them once
here, for every route they apply to, keeps the document true for routes added later, which a
schema-driven fuzzer (schemathesis, in the tests) checks.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

REF = "#/components/schemas/"
VALIDATION_ERROR = "HTTPValidationError"


class ErrorMessage(BaseModel):
    """An error in one sentence."""

    detail: str


_AROUND_ROUTES: dict[str, str] = {
    "400": "The body could not be read: it is not valid JSON (or not UTF-8).",
    "401": "Organiser token missing or wrong.",
    "404": "No such event, job, participant, version or link.",
    "413": "The request body is larger than the service accepts.",
    "422": "The request does not match this operation's parameters or body.",
    "503": "The database is busy with another write (SQLite's lock); nothing was changed. Retry after the "
    "seconds in Retry-After.",
}


def _answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF + "ErrorMessage"}}}}


def _validation_answer() -> dict[str, Any]:
    return {
        "description": _AROUND_ROUTES["422"],
        "content": {"application/json": {"schema": {"$ref": REF + VALIDATION_ERROR}}},
    }


def _json_schema(answer: dict[str, Any]) -> dict[str, Any] | None:
    schema: dict[str, Any] | None = answer.get("content", {}).get("application/json", {}).get("schema")
    return schema


def _add_validation_shape(answer: dict[str, Any]) -> None:
    """A route's own 422 shape, or FastAPI's list of validation errors when the request itself
    does not validate."""
    schema = _json_schema(answer)
    if schema is None:
        answer.update(_validation_answer() | {"description": answer.get("description") or _AROUND_ROUTES["422"]})
        return
    if schema.get("$ref") == REF + VALIDATION_ERROR or "anyOf" in schema:
        return
    answer["content"]["application/json"]["schema"] = {"anyOf": [schema, {"$ref": REF + VALIDATION_ERROR}]}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every operation's surrounding answers added (in place, and returned)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorMessage", ErrorMessage.model_json_schema())
    if VALIDATION_ERROR not in schemas:  # FastAPI adds it only when some route declares parameters
        schemas.update(_fastapi_validation_schemas())
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            answers: dict[str, Any] = operation.setdefault("responses", {})
            can_give = ["503"]
            if operation.get("security"):
                can_give.append("401")
            if "{" in path:
                can_give.append("404")
            body = operation.get("requestBody")
            if body is not None:
                can_give.append("413")
                if "application/json" in body.get("content", {}):
                    can_give.append("400")
            for code in can_give:
                answers.setdefault(code, _answer(_AROUND_ROUTES[code]))
            if operation.get("parameters") or body is not None:
                _add_validation_shape(answers.setdefault("422", _validation_answer()))
            for code, answer in answers.items():
                if code.startswith("4") and "content" not in answer:
                    answer["content"] = _answer("")["content"]
    return document


def _fastapi_validation_schemas() -> dict[str, Any]:
    from fastapi.openapi.utils import validation_error_definition, validation_error_response_definition

    return {"ValidationError": validation_error_definition, VALIDATION_ERROR: validation_error_response_definition}


def documented_methods(app: FastAPI, path: str) -> list[str] | None:
    """The methods the OpenAPI document gives the most specific path template matching `path`
    (fewest parameters: /api/events/json, not /api/events/{event_id}); None if no template does."""
    best: tuple[int, list[str]] | None = None
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            specificity = template.count("{")
            if best is None or specificity < best[0]:
                best = (specificity, [method.upper() for method in operations])
    return None if best is None else best[1]


def install(app: FastAPI) -> None:
    """Serve the completed document at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = complete(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
