"""Serve the API alone (no pages) with its runtime, on Granian as ``make run`` does, for the
API benchmarks: ``python bench/api_server.py DATA_DIR PORT``. Synthetic market, paper
latency off, limits lifted."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from granian.constants import Interfaces
from granian.server import Server

from numatix.api.app import standalone_api
from numatix.config import load_settings
from numatix.store.migrations import upgrade_to_head

BENCH_ENVIRONMENT = {"NUMATIX_MARKET_DATA": "synthetic", "NUMATIX_SYMBOLS": "BTCUSDT,ETHUSDT",
                     "NUMATIX_PAPER_LATENCY_MS": "0", "NUMATIX_ORDERS_PER_MINUTE": "100000",
                     "NUMATIX_API_REQUESTS_PER_MINUTE": "100000"}


def make_app():
    settings = load_settings({**os.environ, **BENCH_ENVIRONMENT}, Path("/nonexistent"))
    return standalone_api(settings)


def main() -> None:
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    os.environ["NUMATIX_DATA_DIR"] = str(data_dir)
    upgrade_to_head(load_settings({**os.environ, **BENCH_ENVIRONMENT}, Path("/nonexistent")).database_url)
    Server("bench.api_server:make_app", factory=True, address="127.0.0.1", port=port,
           interface=Interfaces.ASGI, log_enabled=False, backlog=4096).serve()


if __name__ == "__main__":
    main()
