"""Legacy user streams: ``POST /api/v3/userDataStream`` hands out a listenKey per account,
``PUT`` keeps it alive, ``DELETE`` closes it; ``/ws/<listenKey>`` streams the account's
events unwrapped. A key unused for 60 minutes expires, as on Binance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from numatix.sim import errors
from numatix.sim.keys import random_token
from numatix.sim.sockets import Connection

LISTEN_KEY_LENGTH = 60
VALIDITY_MS = 60 * 60_000


@dataclass(eq=False)
class ListenKey:
    value: str
    account: int
    expires_ms: int
    connections: set[Connection] = field(default_factory=set)


class ListenKeys:
    def __init__(self, now_ms: Callable[[], int]) -> None:
        self._now_ms = now_ms
        self._keys: dict[str, ListenKey] = {}

    def open(self, account: int) -> str:
        """The account's live key if it has one (Binance hands the same one back), else a new one."""
        for key in self._keys.values():
            if key.account == account and key.expires_ms > self._now_ms():
                key.expires_ms = self._now_ms() + VALIDITY_MS
                return key.value
        key = ListenKey(random_token(LISTEN_KEY_LENGTH), account, self._now_ms() + VALIDITY_MS)
        self._keys[key.value] = key
        return key.value

    def find(self, value: str | None, account: int | None = None) -> ListenKey:
        key = self._keys.get(value or "")
        expired = key is None or key.expires_ms <= self._now_ms()
        if key is None or expired or (account is not None and key.account != account):
            raise errors.unknown_listen_key()
        return key

    def keep_alive(self, value: str | None, account: int) -> None:
        self.find(value, account).expires_ms = self._now_ms() + VALIDITY_MS

    def close(self, value: str | None, account: int) -> None:
        key = self.find(value, account)
        del self._keys[key.value]
        for connection in list(key.connections):
            connection.send({"e": "listenKeyExpired", "E": self._now_ms(), "listenKey": key.value})
            connection.drop()

    def lookup(self, value: str) -> ListenKey | None:
        key = self._keys.get(value)
        return key if key is not None and key.expires_ms > self._now_ms() else None
