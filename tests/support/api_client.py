"""The app's API over ASGI with a running runtime (synthetic market, SQLite), for contract tests."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import httpx

from numatix.api.app import build_api
from numatix.api.headers import with_security_headers
from numatix.services.runtime import lifespan
from tests.support.live_api import settings_for

PASSWORD = "violet-harbour-42"


@asynccontextmanager
async def api_client(data_dir, **environment: str):
    settings = settings_for(data_dir, **environment)
    async with lifespan(settings) as runtime:
        for _ in range(200):  # wait for the first trade, so market orders have a price
            if runtime.last_price("BTCUSDT") is not None and runtime.hub.snapshot("BTCUSDT").book is not None:
                break
            await asyncio.sleep(0.05)
        transport = httpx.ASGITransport(app=with_security_headers(build_api()), client=("203.0.113.9", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://numatix") as http:
            yield http, runtime


async def signed_up(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await http.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}
