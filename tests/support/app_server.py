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
    port = free_port()
    env = {
        **os.environ,
        "NUMATIX_DATA_DIR": str(data_dir),
        "NUMATIX_MARKET_DATA": "synthetic",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    venv_bin = Path(sys.executable).parent
    subprocess.run([sys.executable, "-m", "numatix.store.migrations"], cwd=ROOT, env=env, check=True)
    log = open(data_dir / "app.log", "w")
    process = subprocess.Popen(
        [str(venv_bin / "reflex"), "run", "--env", "prod", "--frontend-port", str(port),
         "--backend-port", str(port), "--loglevel", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base_url, process, data_dir / "app.log", build_timeout)
        yield base_url
    finally:
        _stop(process)
        log.close()


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
