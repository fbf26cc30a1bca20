"""Fault injection for the crash-recovery tests: ``kill -9`` at a named step of the order path.

"Nothing lost" is only believable if the process is killed at every step an order goes
through and the restart is checked. A test starts the app with ``NUMATIX_CRASH_AT=<name>``;
when the code reaches ``crash_point(<name>)`` the process SIGKILLs itself: no ``finally``,
no flush, no reply, exactly like a power cut or the OOM killer. The variable is read once
at import, so in a normal run a crash point costs one comparison with ``None``.

Dependency-free on purpose: any layer may call it.
"""

from __future__ import annotations

import os
import signal

ENVIRONMENT_VARIABLE = "NUMATIX_CRASH_AT"

# Placing an order
PLACE_RECEIVED = "place.received"  # the request reached the service; nothing stored
PLACE_SENDING = "place.sending"  # about to hand the order to the venue; nothing stored
PLACE_STORED = "place.stored"  # the venue wrote the order in its transaction; not committed
PLACE_ACKNOWLEDGED = "place.acknowledged"  # committed; the reply has not left
# Filling an order
FILL_STORED = "fill.stored"  # the fill row is written in the step's transaction; not committed
FILL_APPLIED = "fill.applied"  # the fill is committed; its events are not yet published
# Cancelling an order
CANCEL_STORED = "cancel.stored"  # the cancel is written in its transaction; not committed
CANCEL_ACKNOWLEDGED = "cancel.acknowledged"  # committed; the reply has not left

CRASH_POINTS = (
    PLACE_RECEIVED, PLACE_SENDING, PLACE_STORED, PLACE_ACKNOWLEDGED,
    FILL_STORED, FILL_APPLIED, CANCEL_STORED, CANCEL_ACKNOWLEDGED,
)

_target: str | None = os.environ.get(ENVIRONMENT_VARIABLE) or None


def crash_point(name: str | None) -> None:
    """Die here, at once and uncleanly, if this is the step the environment names."""
    if _target is not None and name == _target:
        os.kill(os.getpid(), signal.SIGKILL)
