"""What the chaos tests break: a TCP proxy the test can cut (in front of Redis or PostgreSQL,
for one worker or for all), and a Redis server of the test's own that it can restart.

The proxy runs on an event loop of its own in a thread, so the connections it carries keep
flowing whatever the test's own loop is busy with. ``cut()`` resets every connection it
carries and, until ``restore()``, resets each new one as soon as it is accepted: to the
client the server is gone (a reset, then connections refused), as when a host goes down.
``silence()`` is a partition instead: nothing is closed, nothing passes (new connections
are accepted and left waiting) until ``restore()``, when what was held goes through, as
when a link drops packets for a while. Each returns once it is in force.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from tests.support.app_server import free_port

HANG_GUARD = 30.0  # only so a server that never comes up fails the test instead of hanging it


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.cut_off = False
        self.refused = 0  # connections reset while cut
        self._loop = asyncio.new_event_loop()
        self._flowing = asyncio.Event()  # set on the proxy's loop, in _listen
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.AbstractServer | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)

    def start(self) -> TcpProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def close(self) -> None:
        if self._thread.is_alive():
            self._call(self._close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(HANG_GUARD)
        self._loop.close()

    def cut(self) -> None:
        self._call(self._cut())

    def silence(self) -> None:
        self._call(self._silence())

    def restore(self) -> None:
        self._call(self._restore())

    def url_for(self, url: str) -> str:
        """``url`` with its host:port replaced by this proxy's."""
        host, port = self.target
        return url.replace(f"{host}:{port}", f"127.0.0.1:{self.port}", 1)

    # ------------------------------------------------------ on the proxy's loop
    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(HANG_GUARD)

    async def _listen(self) -> None:
        self._flowing.set()
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _close(self) -> None:
        await self._cut()
        self._server.close()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _cut(self) -> None:
        self.cut_off = True
        for writer in list(self._writers):
            _reset(writer)
        self._writers.clear()

    async def _silence(self) -> None:
        self._flowing.clear()

    async def _restore(self) -> None:
        self.cut_off = False
        self._flowing.set()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_off:
            self.refused += 1
            _reset(writer)
            return
        self._writers.add(writer)
        await self._flowing.wait()
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _reset(writer)
            return
        self._writers.add(upstream_writer)
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))
        self._writers -= {writer, upstream_writer}

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                await self._flowing.wait()  # silenced: held, neither lost nor refused
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            _reset(sink)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a reset (RST), as a dead link or host looks to the other end."""
    transport = writer.transport
    if not transport.is_closing():
        with contextlib.suppress(OSError):
            transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                                          b"\x01\x00\x00\x00\x00\x00\x00\x00")
        transport.abort()


class RedisServer:
    """``redis-server`` on a port of its own, keeping nothing on disk: a restart forgets every
    key and every subscription, as a Redis that crashed or was restarted without persistence."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
                   "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + HANG_GUARD
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.02)  # a child process has no event to await before it listens
        return self

    def stop(self) -> None:
        """SIGKILL: nothing saved, every connection reset."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(HANG_GUARD)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def redis_server_installed() -> bool:
    return shutil.which("redis-server") is not None
