"""Server processes that start in milliseconds: forked from a process that has already
imported the app, instead of a new interpreter importing it again (2-3 s of CPU each time).

The crash-recovery and cluster tests kill and restart servers some eighty times a run; on a
busy 2-core machine those imports were most of the suite's time. Each test process gets one
*preloader* (``python -m tests.support.preloaded``): a single-threaded interpreter that
imports the app's modules once, then forks a child per request. The child is a process of
its own (own pid and session, so ``kill -9`` kills only it), with the environment, working
directory and log file the test gave it, and runs ``python -m MODULE ARGS`` as ``runpy``
does. The preloader reaps it and writes its exit status (as ``Popen.returncode``: negative
for a signal) to ``<log>.exit``, which ``PreloadedProcess.wait`` reads.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib
import json
import os
import random
import selectors
import signal
import subprocess
import sys
import threading
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What the servers import; importing more here only costs the preloader's start.
PRELOAD = (
    "numatix.api.app", "uvicorn", "uvicorn.main", "uvicorn.loops.auto", "uvicorn.lifespan.on",
    "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.websockets.websockets_sansio_impl",
    "tests.support.api_process", "tests.support.cluster_processes",
)
# Modules that read the environment when imported: read again in each child.
RELOAD_IN_CHILD = ("numatix.faults",)


class Preloader:
    """The test process's side: one preloader, asked over its stdin for children."""

    _instance: Preloader | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.preloaded"], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"}, text=True,
        )
        atexit.register(self.close)

    @classmethod
    def shared(cls) -> Preloader:
        with cls._lock:
            if cls._instance is None or cls._instance._process.poll() is not None:
                cls._instance = cls()
            return cls._instance

    def spawn(self, module: str, args: list[str], environment: dict[str, str], log_path: Path) -> int:
        request = {"module": module, "args": args, "env": environment, "cwd": str(ROOT), "log": str(log_path)}
        with self._lock:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            reply = self._process.stdout.readline()
        if not reply:
            raise RuntimeError(f"the preloader exited with {self._process.wait()}")
        return json.loads(reply)["pid"]

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()  # it exits at end of input
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()


class PreloadedProcess:
    """What ``asyncio.create_subprocess_exec`` gives, for a child of the preloader."""

    def __init__(self, module: str, args: list[str], environment: dict[str, str], log_path: Path) -> None:
        self._exit_path = Path(f"{log_path}.exit")
        self._exit_path.unlink(missing_ok=True)
        self.pid = Preloader.shared().spawn(module, args, environment, log_path)

    @property
    def returncode(self) -> int | None:
        try:
            return int(self._exit_path.read_text())
        except (FileNotFoundError, ValueError):
            return None

    async def wait(self) -> int:
        """Polled: the exit is the preloader's to see; it writes it down within 50 ms."""
        while self.returncode is None:
            await asyncio.sleep(0.02)
        return self.returncode

    def send_signal(self, number: int) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, number)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


# ------------------------------------------------------------- the preloader itself
def _serve() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    children: dict[int, Path] = {}
    waiting = selectors.DefaultSelector()
    waiting.register(sys.stdin, selectors.EVENT_READ)
    while True:
        _reap(children)
        if not waiting.select(timeout=0.02):
            continue
        line = sys.stdin.readline()
        if not line:
            return
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        children[pid] = Path(request["log"] + ".exit")
        sys.stdout.write(json.dumps({"pid": pid}) + "\n")
        sys.stdout.flush()


def _reap(children: dict[int, Path]) -> None:
    for pid, exit_path in list(children.items()):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
            temporary = exit_path.with_suffix(".exit-writing")
            temporary.write_text(str(code))
            temporary.rename(exit_path)
            del children[pid]


def _child(request: dict) -> None:
    """Never returns: becomes ``python -m MODULE ARGS`` and exits with its status."""
    code = 1
    try:
        os.setsid()
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, 1024)
        sys.stdout.reconfigure(line_buffering=True)
        sys.stderr.reconfigure(line_buffering=True)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        random.seed()  # not the preloader's sequence, shared by every child
        for name in RELOAD_IN_CHILD:
            if name in sys.modules:
                importlib.reload(sys.modules[name])
        sys.argv = [request["module"], *request["args"]]
        import runpy

        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # noqa: BLE001 - the child's own failure, written to its log
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


if __name__ == "__main__":
    _serve()
