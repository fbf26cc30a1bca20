"""The real app (production build, one port) in subprocesses, for browser tests and benchmarks.

One production build serves every server a test run starts: it is made once, by
``scripts/production.py build`` (what ``make run`` uses), into a folder of the tests' own
(``.web-tests/<fingerprint of the sources>``), never the checkout's ``.web`` that ``make run``
serves, and reused until the sources change. A server (``AppProcess``) never compiles: it
starts in seconds, on any free port, with its own data folder, Reflex state folder and log,
and without the checkout's ``.env``.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("NUMATIX_CHROMIUM", "/usr/bin/chromium")
# --disable-gpu-compositing: with no GPU, a live trade page's frames cost a quarter less CPU
# composited in the page's own process than in a software "GPU" process (measured over 15 s).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-gpu-compositing",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-quic",
]
BUILDS = Path(os.environ.get("NUMATIX_TEST_BUILDS", ROOT / ".web-tests"))
STOP_SECONDS = 10  # what a clean stop may take (README: Docker and systemd wait 10 s before SIGKILL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _production():
    """scripts/production.py, the one place that knows how to build and serve the app."""
    spec = importlib.util.spec_from_file_location("numatix_production", ROOT / "scripts" / "production.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# React Router's prerender step gives the page it renders 10 s, fixed: on a machine busy
# enough that its preview server needs longer, the build fails though nothing is wrong. Only
# that failure is tried again.
PRERENDER_TIMEOUT = re.compile(
    r"Prerender: Request (timed out|failed) for \S+: The operation (was aborted|timed out)")
BUILD_ATTEMPTS = 3

_build: Path | None = None
_build_failure: RuntimeError | None = None  # said once, not built again for every test
_pins: list = []


def shared_build(timeout: float = 900) -> Path:
    """The web folder of the current sources' production build, built on first use (also by a
    parallel test process: the build is locked) and pinned, so no other run prunes it meanwhile."""
    global _build, _build_failure
    if _build is not None:
        return _build
    if _build_failure is not None:
        raise _build_failure
    folder = BUILDS / _production().fingerprint()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    pin = open(folder / ".in-use", "a")  # noqa: SIM115 - held open (locked) until the process ends
    fcntl.flock(pin, fcntl.LOCK_SH)
    _pins.append(pin)
    environment = {**os.environ, "REFLEX_WEB_WORKDIR": str(folder), "REFLEX_TELEMETRY_ENABLED": "false"}
    log = BUILDS / f"{folder.name}.build.log"
    for attempt in range(1, BUILD_ATTEMPTS + 1):
        start = log.stat().st_size if log.exists() else 0
        with open(log, "ab") as output:
            built = subprocess.run([sys.executable, str(ROOT / "scripts" / "production.py"), "build"],
                                   cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                   timeout=timeout, check=False)
        if built.returncode == 0:
            break
        said = log.read_bytes()[start:].decode(errors="replace")
        if attempt == BUILD_ATTEMPTS or not PRERENDER_TIMEOUT.search(" ".join(said.split())):  # (wrapped)
            _build_failure = RuntimeError(f"the production build failed (log: {log}):\n{said[-4000:]}")
            raise _build_failure
    _prune_other_builds(keep=folder)
    _build = folder
    return folder


def _prune_other_builds(keep: Path) -> None:
    """Builds of older sources that no running test process has pinned."""
    for folder in BUILDS.iterdir():
        if folder == keep or not folder.is_dir():
            continue
        with open(folder / ".in-use", "a") as pin:
            try:
                fcntl.flock(pin, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            (BUILDS / f"{folder.name}.build.log").unlink(missing_ok=True)


@contextmanager
def running_app(data_dir: Path, extra_env: dict[str, str] | None = None, build_timeout: float = 900):
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
        self.data_dir, self.port = Path(data_dir), port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = self.data_dir / "app.log"
        self.env = {
            **os.environ,
            "NUMATIX_DATA_DIR": str(data_dir),
            "NUMATIX_MARKET_DATA": "synthetic",
            "NUMATIX_ENV_FILE": str(self.data_dir / "no.env"),  # never the checkout's .env
            "REFLEX_STATES_WORKDIR": str(self.data_dir / "reflex-states"),
            "REFLEX_TELEMETRY_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, build_timeout: float = 900, timeout: float = 180) -> None:
        self.env["REFLEX_WEB_WORKDIR"] = str(shared_build(build_timeout))
        subprocess.run([sys.executable, "-m", "numatix.store.migrations"], cwd=ROOT, env=self.env, check=True)
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "scripts" / "production.py"), "serve", "--port", str(self.port),
                 "--loglevel", "info"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        wait_until_serving(self.base_url, self.process, self.log_path, timeout)

    def stop(self) -> float:
        """SIGTERM to the whole process group, as Docker or systemd would; SIGKILL what is still
        there after STOP_SECONDS. Returns how long the clean part took (inf if it needed SIGKILL)."""
        if self.process is None:
            return 0.0
        took = _stop(self.process)
        self.process = None
        return took

    def ensure_running(self) -> bool:
        """Start it again if it is not running; True if it had to."""
        if self.running:
            return False
        self.stop()
        self.start()
        return True

    def log_tail(self, characters: int = 6000, since: int = 0) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")[-characters:]

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0


def wait_until_serving(base_url: str, process: subprocess.Popen, log_path: Path, timeout: float) -> None:
    """Polled: a child process has no readiness signal to wait on."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            if (httpx.get(f"{base_url}/ping", timeout=2).status_code == 200
                    and httpx.get(base_url + "/", timeout=5).status_code < 500):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    _stop(process)
    raise RuntimeError(f"app did not start within {timeout} s:\n{log_path.read_text()[-4000:]}")


def _stop(process: subprocess.Popen) -> float:
    started = time.monotonic()
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = started + STOP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None and not group_alive(process.pid):
            return time.monotonic() - started
        time.sleep(0.1)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    return float("inf")


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def group_members(group: int) -> dict[int, str]:
    """The processes of a process group still there: pid -> state and command line (from /proc),
    so a stop that hangs can say which process it was."""
    members: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) ": state, ppid, pgrp, ...
        if int(fields[2]) == group:
            members[int(entry.name)] = f"{fields[0]} {command or stat[stat.index('(') + 1:stat.rindex(')')]}"
    return members


def describe_members(members: dict[int, str]) -> str:
    return "\n".join(f"  {pid} {what}" for pid, what in sorted(members.items())) or "  (none)"
