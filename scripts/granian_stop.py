"""SIGTERM stops Reflex's production server (Granian) within Docker's 10 s, whenever it comes.

Granian 2.8, as Reflex starts it, can miss a stop that comes while a worker is starting, and
then waits for that worker for ever:

- A worker is forked with the main process's signal handler and sets its own only after it
  has made the app: a SIGTERM in between runs the inherited handler, which only marks the
  worker's copy of the main process's state. The worker then serves on; nobody stops it.
- A worker's own handler calls ``WorkerSignal.set()`` for every signal, and that call blocks
  from the second one on until the server thread has taken the first; the server thread
  starts only after the app's lifespan start-up. A worker starting up gets SIGTERM twice
  when its process group is stopped (once from ``kill``, once passed on by the main
  process): its event loop then blocks for ever inside the handler.
- The main process waits for its workers without a limit (and with one, its
  ``workers_kill_timeout``, it can take a worker that has just exited for one still running:
  its own watcher thread may be reaping it at that moment).

``install(kill_after, on_stop)`` (before Reflex makes the server) remembers a stop that reaches
a worker before its own handlers, hands each worker's stop to Granian once and tells the app
(``on_stop()``, in the worker, on its event loop: a start-up under way can give up), and has
the main process kill a worker that has not exited ``kill_after`` seconds after it passed the
stop on, saying so in the log.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import wait

import granian._signals
import granian.server
from granian._granian import WorkerSignal
from granian.log import logger as granian_logger
from granian.server.mp import MPServer

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
logger = logging.getLogger(__name__)

_stop_before_handlers = False  # in a worker: a stop came before it set its own handlers
_on_stop: Callable[[], None] | None = None


def install(kill_after: float, on_stop: Callable[[], None] | None = None) -> None:
    global _on_stop
    _on_stop = on_stop
    granian._signals.set_loop_signals = worker_stop_signal
    PromptlyStoppingServer.kill_after = kill_after
    granian.server.Server = PromptlyStoppingServer  # Reflex looks it up when it starts the server


def worker_stop_signal(loop) -> WorkerSignal:
    """Granian's ``set_loop_signals`` (a worker's handlers), with the stop set once."""
    stop = WorkerSignal()
    stopping = False

    def on_signal() -> None:
        nonlocal stopping
        if stopping:  # a second set() would block the loop until the server thread runs
            return
        stopping = True
        stop.set()
        if _on_stop is not None:
            try:
                _on_stop()
            except Exception:
                logger.exception("telling the app to stop failed")

    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, on_signal)
    if _stop_before_handlers:
        on_signal()
    return stop


class PromptlyStoppingServer(MPServer):
    """Granian's server (forked workers), with a main-process signal handler that, run in a
    worker (inherited with the fork), keeps the stop for it, and a limit on the wait for the
    workers that judges a worker by whether it has exited."""

    kill_after: float = 0.0  # seconds (install() sets it)

    def signal_handler_interrupt(self, *arguments, **options) -> None:
        if self.pid is not None and os.getpid() != self.pid:
            global _stop_before_handlers
            _stop_before_handlers = True
            return
        super().signal_handler_interrupt(*arguments, **options)

    def _stop_workers(self) -> None:
        for worker in self.wrks:
            worker.terminate()
        deadline = time.monotonic() + self.kill_after
        for worker in self.wrks:
            # The sentinel is ready once the process has exited, whoever reaps it.
            if not wait([worker.inner.sentinel], max(0.0, deadline - time.monotonic())):
                granian_logger.warning(f"Killing worker-{worker.idx + 1}: still running "
                                       f"{self.kill_after:g} s after it was told to stop")
                worker.kill()
            worker.join()
            granian_logger.info(f"Stopped worker-{worker.idx + 1}")
        self.wrks.clear()
