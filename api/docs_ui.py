"""/docs (Swagger UI) served from files installed with the service, never from a CDN.

FastAPI's own page loads Swagger UI's JavaScript, CSS and a favicon from CDNs, so at a venue with a
bad network /docs is a blank page. Here the same page, made by FastAPI's documented self-hosting
function, points at the Swagger UI 5 bundle that the `fastapi-offline` package ships, mounted under
ASSETS_URL: no request leaves the server.

There is no /redoc: ReDoc 2 (also in that package) loads its side menu's Redocly logo from
cdn.redoc.ly, with no option for it in FastAPI's page, and its markup has a critical accessibility
violation (a <select> without a name) that we cannot fix from outside. /docs covers the same API.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
# The package and folder that ASSETS_URL serves: swagger-ui-bundle.js, swagger-ui.css, favicon.png.
ASSETS_PACKAGE = ("fastapi_offline", "static")
# On top of FastAPI's defaults. validatorUrl None: no badge that sends the schema to swagger.io.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
# Swagger UI's light theme puts white on pale method colours (2:1 to 3.7:1) and pale grey on grey;
# these darker shades give every text at least WCAG's 4.5:1. Same selectors as swagger-ui.css, so
# being later in the page wins; its dark mode (html.dark-mode …) is more specific and stays as it is.
CONTRAST_CSS = """
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1565c0; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1b7a48; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #a34a00; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #c62828; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #00695c; }
.swagger-ui .info .title small { background: #5a606b; }
.swagger-ui .info .title small.version-stamp { background-color: #4d7c0f; }
.swagger-ui .info .url { color: #1f5fa8; }
.swagger-ui .btn.authorize { border-color: #1b7a48; color: #1b7a48; }
.swagger-ui .btn.authorize svg { fill: #1b7a48; }
.swagger-ui .json-schema-2020-12-expand-deep-button { color: #555555; }
"""


def _accessible(response: HTMLResponse) -> HTMLResponse:
    """FastAPI's page with the page's language (screen readers need it; the page opens with a bare
    `<html>`) and CONTRAST_CSS after Swagger UI's own stylesheet."""
    body = bytes(response.body).decode("utf-8")
    body = body.replace("<html>", '<html lang="en">', 1).replace(
        "</head>", f"<style>{CONTRAST_CSS}</style>\n</head>", 1
    )
    return HTMLResponse(body)


def add_docs_ui(app: FastAPI, docs_url: str = "/docs") -> None:
    """Add the documentation page and its assets to an app made with `docs_url=None, redoc_url=None`."""
    if app.openapi_url is None:
        raise ValueError("the documentation page needs the OpenAPI schema: the app was made with openapi_url=None")
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError("make the app with docs_url=None and redoc_url=None: FastAPI's own pages load from a CDN")
    openapi_url = app.openapi_url
    app.mount(ASSETS_URL, StaticFiles(packages=[ASSETS_PACKAGE]), name="docs-assets")

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        # Behind a proxy that mounts the service under a prefix, every URL the page loads needs it.
        prefix = str(request.scope.get("root_path", "")).rstrip("/")
        return _accessible(
            get_swagger_ui_html(
                openapi_url=prefix + openapi_url,
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{prefix}{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{prefix}{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{prefix}{ASSETS_URL}/favicon.png",
                oauth2_redirect_url=None,  # the API takes Bearer tokens, no OAuth2 flow
                swagger_ui_parameters={**SWAGGER_UI_PARAMETERS, **(app.swagger_ui_parameters or {})},
            )
        )
