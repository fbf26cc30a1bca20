"""The REST API and event socket, mounted beside Reflex on the same port.

Built inside a function: a module-level FastAPI app breaks running several app harnesses
in one process (see reflex-notes.md).
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from numatix.api import errors
from numatix.api.body_limit import with_body_limit
from numatix.api.deps import api_rate_limit
from numatix.api.origins import with_origin_check
from numatix.api.routes import alerts, auth, events, health, market, portfolio, trading
from numatix.config import PROJECT_ROOT, Settings
from numatix.observability import with_request_ids
from numatix.services.runtime import lifespan

DOCS_ASSETS = "/api/docs-assets"
SWAGGER_UI = PROJECT_ROOT / ".tools" / "node_modules" / "swagger-ui-dist"


def docs_page() -> HTMLResponse:
    """Swagger UI; its inline start-up script is allowed by hash (numatix.api.headers)."""
    return get_swagger_ui_html(
        openapi_url="/api/openapi.json", title="Numatix API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
    )


def build_api() -> FastAPI:
    api = FastAPI(
        title="Numatix API",
        version="0.1.0",
        description="Trade Binance Spot pairs on the paper exchange or the Spot Testnet.",
        openapi_url="/api/openapi.json",
        # Served below from local files: the CDN the default page uses is not reachable offline.
        docs_url=None,
        redoc_url=None,
    )
    # Swagger UI 5 (OpenAPI 3.1) comes from the npm registry with bun, into .tools/ (see Makefile).
    api.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_UI, check_dir=False), name="docs-assets")

    api.add_api_route("/api/docs", docs_page, include_in_schema=False)

    errors.install(api)
    # Also wraps Reflex's pages and /_event socket, which Reflex mounts inside this app.
    api.add_middleware(errors.with_json_crashes)
    api.add_middleware(with_body_limit)
    api.add_middleware(with_origin_check)
    api.add_middleware(with_request_ids)  # outermost: every answer, refusals included, has its id
    api.include_router(health.router)  # load balancers poll it: never limited
    for router in (auth.router, market.router, trading.router, portfolio.router, alerts.router):
        api.include_router(router, dependencies=[Depends(api_rate_limit)], responses=errors.COMMON_RESPONSES)
    api.include_router(events.router)
    errors.api_paths_answer_in_json(api)  # after every real route
    return api


def standalone_api(settings: Settings) -> FastAPI:
    """The API with its own runtime, without the pages (benchmarks, socket tests, scripts):
    under Reflex the runtime is the app's lifespan task instead."""
    api = build_api()

    @asynccontextmanager
    async def run_runtime(_app):
        async with lifespan(settings):
            yield

    api.router.lifespan_context = run_runtime
    return api
