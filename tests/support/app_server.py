"""Start the real app (production build, one port) in a subprocess for browser tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("NUMATIX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(data_dir: Path, extra_env: dict[str, str] | None = None, build_timeout: float = 600):
    """Yield the base URL of a production server; logs go to ``data_dir/app.log``."""
    app = AppProcess(data_dir, free_port(), extra_env)
    app.start(build_timeout)
    try:
        yield app.base_url
    finally:
        app.stop()


class AppProcess:
    """One production server that a test can stop and start again on the same port and data."""

    def __init__(self, data_dir: Path, port: int, extra_env: dict[str, str] | None = None) -> None:
        self.data_dir, self.port = data_dir, port
        self.base_url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "NUMATIX_DATA_DIR": str(data_dir),
            "NUMATIX_MARKET_DATA": "synthetic",
            "REFLEX_TELEMETRY_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self, build_timeout: float = 600) -> None:
        venv_bin = Path(sys.executable).parent
        subprocess.run([sys.executable, "-m", "numatix.store.migrations"], cwd=ROOT, env=self.env, check=True)
        log = open(self.data_dir / "app.log", "a")
        self.process = subprocess.Popen(
            [str(venv_bin / "reflex"), "run", "--env", "prod", "--frontend-port", str(self.port),
             "--backend-port", str(self.port), "--loglevel", "info"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        _wait_until_serving(self.base_url, self.process, self.data_dir / "app.log", build_timeout)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


def _wait_until_serving(base_url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base_url}/ping", timeout=2).status_code == 200:
                if httpx.get(base_url + "/", timeout=5).status_code < 500:
                    return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"app did not start within {timeout} s:\n{log_path.read_text()[-4000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, 15)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()
