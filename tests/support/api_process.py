"""The standalone API (with its runtime) in a child process, so a test can kill it for real.

``live_api`` serves the API in a thread, which a test cannot ``kill -9`` without killing
itself; here the same app runs under uvicorn in its own process
(``python -m tests.support.api_process PORT``, settings from the environment), and the test
starts it, watches it die, and starts it again on the same port and database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx

from tests.support.preloaded import PreloadedProcess

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD = 120.0  # only so a server that never comes up fails the test; a busy machine may take long


class ApiProcess:
    """One API server process; ``environment`` holds its NUMATIX_* settings."""

    def __init__(self, port: int, environment: dict[str, str], log_path: Path) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.environment = environment
        self.log_path = log_path
        self.process: PreloadedProcess | None = None

    async def start(self, crash_at: str | None = None) -> None:
        """Start (with ``NUMATIX_CRASH_AT`` when given) and return once the API answers."""
        environment = {key: value for key, value in os.environ.items() if key != "NUMATIX_CRASH_AT"}
        environment.update(self.environment, PYTHONUNBUFFERED="1")
        if crash_at is not None:
            environment["NUMATIX_CRASH_AT"] = crash_at
        # forked from a process that has imported the app already: no 2-3 s of imports per start
        self.process = PreloadedProcess("tests.support.api_process", [str(self.port)], environment,
                                        self.log_path)
        await self._until_answering()

    async def _until_answering(self, timeout: float = HANG_GUARD) -> None:
        """Polled: a child process has no event to await before it listens."""
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as http:
            while asyncio.get_running_loop().time() < deadline:
                if self.process.returncode is not None:
                    raise RuntimeError(f"the API exited with {self.process.returncode}:\n{self.log_tail()}")
                try:
                    if (await http.get("/api/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError(f"the API did not answer within {timeout} s:\n{self.log_tail()}")

    async def killed_by_itself(self, timeout: float = HANG_GUARD) -> bool:
        """True when the process ended by SIGKILL (what ``crash_point`` does)."""
        await asyncio.wait_for(self.process.wait(), timeout)
        return self.process.returncode == -signal.SIGKILL

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


def _serve(port: int) -> None:
    import uvicorn

    from numatix.api.app import standalone_api
    from numatix.config import load_settings

    data_dir = Path(os.environ["NUMATIX_DATA_DIR"])
    # a dotenv path that does not exist: the test's environment only, never the checkout's .env
    settings = load_settings(dict(os.environ), data_dir / "no.env")
    uvicorn.run(standalone_api(settings), host="127.0.0.1", port=port, log_level="warning",
                ws="websockets-sansio")


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
