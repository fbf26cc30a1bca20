"""Several API workers of one cluster (PostgreSQL + Redis), each in its own process, so a
test can ``kill -9`` the engine leader for real.

``python -m tests.support.cluster_processes PORT`` serves the standalone API with settings
from the environment; ``Cluster`` starts workers on one migrated database and one Redis
prefix (``NUMATIX_CLUSTER_NAME``, unique per cluster so concurrent runs never meet).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import redis.asyncio as redis

from tests.support.app_server import free_port
from tests.support.preloaded import PreloadedProcess


class Worker:
    def __init__(self, name: str, environment: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.environment = environment
        self.log_path = log_path
        self.process: PreloadedProcess | None = None

    async def start(self) -> None:
        environment = {**os.environ, **self.environment, "PYTHONUNBUFFERED": "1"}
        self.process = PreloadedProcess("tests.support.cluster_processes", [str(self.port)], environment,
                                        self.log_path)

    async def ready(self, timeout: float = 120.0) -> None:
        """Answering, with a market to trade on (its hub is seeded from the leader)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as http:
            while loop.time() < deadline:
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
                try:
                    depth = await http.get("/api/market/depth", params={"symbol": "BTCUSDT"})
                    if depth.status_code == 200 and depth.json()["bids"]:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)  # a child process has no event to await before it listens
        raise RuntimeError(f"{self.name} was not ready within {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """``kill -9``: no lease handed over, nothing flushed."""
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


class Cluster:
    def __init__(self, database_url: str, redis_url: str, directory: Path, **settings: str) -> None:
        self.name = f"test-{uuid.uuid4().hex[:10]}"
        self.redis_url = redis_url
        self.directory = directory
        self.environment = {
            "NUMATIX_DATA_DIR": str(directory), "NUMATIX_DATABASE_URL": database_url,
            "NUMATIX_REDIS_URL": redis_url, "NUMATIX_CLUSTER_NAME": self.name,
            "NUMATIX_SECRET_KEY": "cluster-test-secret-" + "x" * 32, "NUMATIX_MARKET_DATA": "synthetic",
            "NUMATIX_SYMBOLS": "BTCUSDT,ETHUSDT", "NUMATIX_PAPER_LATENCY_MS": "0",
            "NUMATIX_ENGINE_LEASE_SECONDS": "2", "NUMATIX_ORDERS_PER_MINUTE": "100000",
            "NUMATIX_API_REQUESTS_PER_MINUTE": "100000", "NUMATIX_LOG_FORMAT": "text",
            "NUMATIX_LOG_LEVEL": "info", **settings,
        }
        self.workers: list[Worker] = []

    def add(self, name: str, **settings: str) -> Worker:
        """A worker; ``settings`` are its own (e.g. its way to Redis through a proxy)."""
        worker = Worker(name, {**self.environment, **settings}, self.directory / f"{name}.log")
        self.workers.append(worker)
        return worker

    async def leader_worker(self) -> Worker:
        """The worker whose process holds the engine lease (its token names host and pid)."""
        client = redis.from_url(self.redis_url)
        try:
            token = await client.get(f"{self.name}:cluster:leader")
        finally:
            await client.aclose()
        if token is None:
            raise LookupError("no engine leader right now")
        pid = int(token.decode().split("-")[-2])
        return next(worker for worker in self.workers if worker.process.pid == pid)

    async def stop(self) -> None:
        await asyncio.gather(*(worker.stop() for worker in self.workers))
        client = redis.from_url(self.redis_url)
        try:
            keys = [key async for key in client.scan_iter(f"{self.name}:*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


@asynccontextmanager
async def running_cluster(database_url: str, redis_url: str, directory: Path, count: int = 2, **settings: str):
    """``count`` workers, all ready; yields the ``Cluster``."""
    cluster = Cluster(database_url, redis_url, directory, **settings)
    try:
        for index in range(count):
            await cluster.add(f"worker-{index}").start()
        await asyncio.gather(*(worker.ready() for worker in cluster.workers))
        yield cluster
    finally:
        await cluster.stop()


def _serve(port: int) -> None:
    import uvicorn

    from numatix.api.app import standalone_api
    from numatix.config import load_settings

    settings = load_settings(dict(os.environ), Path(os.environ["NUMATIX_DATA_DIR"]) / "no.env")
    uvicorn.run(standalone_api(settings), host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio")


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
