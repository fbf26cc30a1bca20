"""A stop (SIGTERM) that comes while a worker's runtime is still starting gives the start up
(``runtime.on_server_stop``, called by scripts/granian_stop.py): the app's lifespan yields no
runtime instead of waiting for a start that may take longer than the stop may (here: a market
history that never comes), and what the start had begun is stopped, the engine lease first
(another worker takes the engine at once instead of waiting for the lease to run out)."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
import redis

from numatix.config import load_settings
from numatix.market.redis_feed import RedisMarketFeed
from numatix.services import runtime as runtime_module
from numatix.services.cluster import cluster_prefix
from numatix.services.runtime import lifespan, on_server_stop
from tests.support.database import migrated
from tests.support.redis_server import REDIS_URL, needs_redis

HANG_GUARD = 30.0  # only so a start that is not given up fails instead of hanging


@pytest.fixture(autouse=True)
def server_not_stopping(monkeypatch):
    monkeypatch.setattr(runtime_module, "_server_stopping", False)  # put back after on_server_stop()


def cluster_settings(tmp_path):
    settings = load_settings({"NUMATIX_DATA_DIR": str(tmp_path), "NUMATIX_MARKET_DATA": "synthetic",
                              "NUMATIX_SYMBOLS": "BTCUSDT", "NUMATIX_REDIS_URL": REDIS_URL,
                              "NUMATIX_CLUSTER_NAME": f"test-{uuid.uuid4().hex[:10]}",
                              "NUMATIX_ENGINE_LEASE_SECONDS": "2"}, tmp_path / "no.env")
    migrated(settings.database_url)
    return settings


async def serve(settings, yielded: list) -> None:
    async with lifespan(settings) as runtime:
        yielded.append(runtime)


@needs_redis
async def test_a_stop_while_the_runtime_waits_for_market_history_gives_the_start_up(tmp_path, monkeypatch):
    asked = asyncio.Event()

    async def history_that_never_comes(*_arguments):
        asked.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(RedisMarketFeed, "history", history_that_never_comes)
    settings = cluster_settings(tmp_path)
    lease = f"{cluster_prefix(settings)}leader"
    client = redis.Redis.from_url(REDIS_URL)
    yielded: list = []
    serving = asyncio.create_task(serve(settings, yielded))
    try:
        async with asyncio.timeout(HANG_GUARD):
            await asked.wait()
            while not client.exists(lease):  # this worker took the engine, as a first worker does
                await asyncio.sleep(0.02)
        on_server_stop()
        async with asyncio.timeout(HANG_GUARD):
            await serving
        assert yielded == [None]
        assert not client.exists(lease), "the engine lease was not handed over"
        assert not [thread for thread in threading.enumerate() if thread.name == "engine-lease"]
    finally:
        serving.cancel()
        client.close()


async def test_a_stop_before_the_runtime_starts_starts_nothing(tmp_path, monkeypatch):
    def must_not_start(_settings):
        raise AssertionError("started after the stop")

    monkeypatch.setattr(runtime_module.Runtime, "start", must_not_start)
    on_server_stop()
    yielded: list = []
    await serve(load_settings({"NUMATIX_DATA_DIR": str(tmp_path)}, tmp_path / "no.env"), yielded)
    assert yielded == [None]
