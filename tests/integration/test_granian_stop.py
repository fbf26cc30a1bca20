"""SIGTERM to the production server's process group ends it within 10 s whenever it comes
(scripts/granian_stop.py): also while a worker is still making the app (before it has signal
handlers of its own), while it runs the lifespan start-up (where Granian's second SIGTERM used
to block a worker's event loop for ever), and when a worker's shutdown hangs (killed). Each
worker tells the app (so a runtime still starting gives up: test_runtime_stop_while_starting).

A real Granian with two forked workers, as Reflex starts it, serving a probe app that is slow
exactly where the stop comes (tests/support/stop_probe_server.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.support.app_server import (
    ROOT,
    STOP_SECONDS,
    describe_members,
    free_port,
    group_alive,
    group_members,
)

WORKERS = 2
START_GUARD = 120.0  # only so a server that never starts fails instead of hanging
KILL_AFTER_NEVER = 60  # longer than the test waits: a worker that stops did so by itself
KILL_AFTER = 2


def start(tmp_path, slow: str, kill_after: int) -> subprocess.Popen:
    marks = tmp_path / "marks"
    marks.mkdir()
    environment = {**os.environ, "PROBE_SLOW": slow, "PROBE_MARKS": str(marks), "PYTHONUNBUFFERED": "1"}
    with open(tmp_path / "server.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "tests.support.stop_probe_server", str(free_port()),
                                 str(kill_after)], cwd=ROOT, env=environment, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_marks(tmp_path, server: subprocess.Popen, phase: str) -> None:
    deadline = time.monotonic() + START_GUARD
    while len(list((tmp_path / "marks").glob(f"{phase}-*"))) < WORKERS:
        assert server.poll() is None, (tmp_path / "server.log").read_text()
        assert time.monotonic() < deadline, f"the workers never got to {phase}"
        time.sleep(0.02)


def seconds_to_stop(tmp_path, server: subprocess.Popen) -> float:
    """SIGTERM to the group, as Docker or systemd send it; the group SIGKILLed if still there
    at twice the limit."""
    started = time.monotonic()
    os.killpg(server.pid, signal.SIGTERM)
    try:
        while server.poll() is None or group_alive(server.pid):
            if time.monotonic() - started > 2 * STOP_SECONDS:
                left = describe_members(group_members(server.pid))
                raise AssertionError(f"still running {2 * STOP_SECONDS} s after SIGTERM:\n{left}\n"
                                     f"{(tmp_path / 'server.log').read_text()[-3000:]}")
            time.sleep(0.02)
    finally:
        if group_alive(server.pid):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    return time.monotonic() - started


@pytest.mark.parametrize("slow", ["making", "starting"])
def test_a_stop_while_the_workers_start_is_not_lost(tmp_path, slow):
    server = start(tmp_path, slow, KILL_AFTER_NEVER)
    wait_for_marks(tmp_path, server, slow)
    took = seconds_to_stop(tmp_path, server)
    assert took < STOP_SECONDS, f"took {took:.1f} s:\n{(tmp_path / 'server.log').read_text()[-3000:]}"
    assert "Killing worker" not in (tmp_path / "server.log").read_text()
    workers_told = {mark.name.split("-")[1] for mark in (tmp_path / "marks").glob("told-*")}
    assert workers_told == {mark.name.split("-")[1] for mark in (tmp_path / "marks").glob(f"{slow}-*")}


def test_a_worker_whose_shutdown_hangs_is_killed(tmp_path):
    server = start(tmp_path, "stopping", KILL_AFTER)
    wait_for_marks(tmp_path, server, "started")
    took = seconds_to_stop(tmp_path, server)
    log = (tmp_path / "server.log").read_text()
    assert took < STOP_SECONDS, f"took {took:.1f} s:\n{log[-3000:]}"
    assert "Killing worker" in log, log[-3000:]
