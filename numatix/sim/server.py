"""Serve a started simulator on a port: what ``python -m numatix.sim serve`` runs, and what the
tests' in-process and subprocess simulators (``numatix.sim.testing``) run too."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import uvicorn

from numatix.sim.app import create_app
from numatix.sim.simulator import Simulator

HOST = "127.0.0.1"
STOP_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where a client points: REST (``/api/v3`` is appended by clients), WS API, streams."""

    host: str
    port: int

    @property
    def rest_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_api_url(self) -> str:
        return f"ws://{self.host}:{self.port}/ws-api/v3"

    @property
    def stream_url(self) -> str:
        """Base of the market streams: append ``/ws/<stream>`` or ``/stream?streams=..``."""
        return f"ws://{self.host}:{self.port}"


def _listening_socket(host: str = HOST, port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def server_config(app, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(app, lifespan="off", log_level=log_level, ws="websockets-sansio",
                          ws_ping_interval=20.0, ws_ping_timeout=20.0, timeout_graceful_shutdown=1)


@dataclass(frozen=True, slots=True)
class Serving:
    endpoints: Endpoints
    server_task: asyncio.Task  # ends when the server stops (e.g. on SIGTERM)


@contextlib.asynccontextmanager
async def serving(simulator: Simulator, host: str = HOST, port: int = 0,
                  log_level: str = "warning") -> AsyncIterator[Serving]:
    """Serve an already started simulator until the block ends."""
    sock = _listening_socket(host, port)
    server = uvicorn.Server(server_config(create_app(simulator), log_level))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="numatix-sim-server")
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the simulator's server stopped while starting")
            await asyncio.sleep(0.01)
        yield Serving(Endpoints(host, sock.getsockname()[1]), task)
    finally:
        simulator.stopping.set()  # releases replies held by lose_next_order_reply("hang")
        simulator.connections.drop_all()
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT_SECONDS)
        except TimeoutError:
            server.force_exit = True
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        sock.close()
