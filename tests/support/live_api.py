"""The API (with its runtime) served by uvicorn on a real port in a thread: for the event
socket and benchmarks, which need real connections."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi.routing import APIRoute

from numatix.api.app import standalone_api
from numatix.config import Settings, load_settings
from tests.support.database import migrated


def settings_for(data_dir: Path, **environment: str) -> Settings:
    settings = load_settings({"NUMATIX_DATA_DIR": str(data_dir), "NUMATIX_MARKET_DATA": "synthetic",
                              "NUMATIX_SYMBOLS": "BTCUSDT,ETHUSDT", "NUMATIX_PAPER_LATENCY_MS": "0",
                              **environment}, data_dir / "no.env")
    migrated(settings.database_url)
    return settings


@contextmanager
def live_api(settings: Settings, extra_routes: tuple[APIRoute, ...] = ()):
    """Yields the base URL (http://127.0.0.1:PORT). ``extra_routes`` go first (a test's own)."""
    api = standalone_api(settings)
    api.router.routes[0:0] = extra_routes
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a guard: a busy machine may take long to start it
    while time.monotonic() < deadline:  # up, and the market has a book to trade against
        try:
            depth = httpx.get(f"{base_url}/api/market/depth", params={"symbol": "BTCUSDT"}, timeout=1)
            if depth.status_code == 200 and depth.json()["bids"]:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
