"""Granian as Reflex starts it (forked ASGI workers, lifespan), with scripts/granian_stop.py
installed, serving an app that is slow where the test says, so a SIGTERM can be sent at the
moment a stop used to be lost:

    python -m tests.support.stop_probe_server PORT KILL_AFTER

``PROBE_SLOW`` (environment): ``making`` (the app factory, run in each worker before it sets
its own signal handlers), ``starting`` (the lifespan start-up) or ``stopping`` (a lifespan
shutdown that never ends). Each worker touches ``PROBE_MARKS/<phase>-<pid>`` when it gets there,
``started-<pid>`` when its start-up is done, and ``told-<pid>`` when the app is told to stop
(the ``on_stop`` the real server passes to ``runtime.on_server_stop``).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

SLOW_SECONDS = 4.0
ROOT = Path(__file__).resolve().parents[2]


def _mark(phase: str) -> None:
    (Path(os.environ["PROBE_MARKS"]) / f"{phase}-{os.getpid()}").touch()


def make_app():
    """Granian's factory, called in each worker."""
    if os.environ["PROBE_SLOW"] == "making":
        _mark("making")
        time.sleep(SLOW_SECONDS)
    return app


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if os.environ["PROBE_SLOW"] == "starting":
                    _mark("starting")
                    await asyncio.sleep(SLOW_SECONDS)
                await send({"type": "lifespan.startup.complete"})
                _mark("started")
            elif message["type"] == "lifespan.shutdown":
                if os.environ["PROBE_SLOW"] == "stopping":
                    _mark("stopping")
                    await asyncio.Event().wait()  # never
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def main(port: int, kill_after: int) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import granian_stop

    granian_stop.install(kill_after=kill_after, on_stop=lambda: _mark("told"))
    import granian.server  # what Reflex does: the server class is looked up after install()
    from granian.constants import Interfaces

    granian.server.Server(target="tests.support.stop_probe_server:make_app", factory=True,
                          address="127.0.0.1", port=port, interface=Interfaces.ASGI, workers=2).serve()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
