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

from numatix.api.app import standalone_api
from numatix.config import Settings, load_settings
from numatix.store.migrations import upgrade_to_head


def settings_for(data_dir: Path, **environment: str) -> Settings:
    settings = load_settings({"NUMATIX_DATA_DIR": str(data_dir), "NUMATIX_MARKET_DATA": "synthetic",
                              "NUMATIX_SYMBOLS": "BTCUSDT,ETHUSDT", "NUMATIX_PAPER_LATENCY_MS": "0",
                              **environment}, data_dir / "no.env")
    upgrade_to_head(settings.database_url)
    return settings


@contextmanager
def live_api(settings: Settings):
    """Yields the base URL (http://127.0.0.1:PORT)."""
    api = standalone_api(settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
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
