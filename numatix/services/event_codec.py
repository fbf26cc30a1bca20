"""User events as JSON, for the Redis bus between workers: exact (Decimals as strings,
enums by value) and never ``pickle`` (a message from Redis must not be able to run code).

The dataclasses' own type hints drive the decoding (``numatix.domain.codec``), so a new
field needs no codec change.
"""

from __future__ import annotations

import json

from numatix.domain.codec import from_plain, to_plain
from numatix.domain.events import AccountUncertain, BalanceUpdate, ExecutionReport
from numatix.services.alerts import AlertTriggered
from numatix.services.sessions import SessionsEnded

KINDS: dict[str, type] = {cls.__name__: cls
                          for cls in (ExecutionReport, BalanceUpdate, AccountUncertain, AlertTriggered,
                                       SessionsEnded)}


def encode(event: object) -> str:
    return json.dumps({"kind": type(event).__name__, "event": to_plain(event)}, separators=(",", ":"))


def decode(text: str | bytes) -> object:
    message = json.loads(text)
    return from_plain(KINDS[message["kind"]], message["event"])
