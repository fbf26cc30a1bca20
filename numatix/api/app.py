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
from numatix.api.deps import api_rate_limit
from numatix.api.routes import alerts, auth, events, health, market, trading
from numatix.config import PROJECT_ROOT, Settings
from numatix.observability import with_request_ids
from numatix.services.runtime import lifespan


DOCS_ASSETS = "/api/docs-assets"
SWAGGER_UI = PROJECT_ROOT / ".tools" / "node_modules" / "swagger-ui-dist"


def build_api() -> FastAPI:
    api = FastAPI(
        title="Numatix API",
        version="0.1.0",
        description="Trade Binance Spot pairs on the paper exchange or the Spot Testnet.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # served below from local files: the CDN the default page uses is not reachable offline
        redoc_url=None,
    )
    # Swagger UI 5 (OpenAPI 3.1) comes from the npm registry with bun, into .tools/ (see Makefile).
    api.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_UI, check_dir=False), name="docs-assets")

    @api.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json", title="Numatix API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    errors.install(api)
    api.add_middleware(with_request_ids)
    limited = {"dependencies": [Depends(api_rate_limit)], "responses": errors.COMMON_RESPONSES}
    api.include_router(health.router)  # load balancers poll it: never limited
    api.include_router(auth.router, **limited)
    api.include_router(market.router, **limited)
    api.include_router(trading.router, **limited)
    api.include_router(alerts.router, **limited)
    api.include_router(events.router)
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
