"""What a user keeps between visits: favourite symbols, remembered per user (not per browser)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from typing import Any, Protocol

from numatix.services.errors import NotFound
from numatix.services.trading import UserId

FAVOURITES = "favourites"


class UnknownSymbol(NotFound):
    """Only a symbol offered here can be a favourite."""


class PreferenceStore(Protocol):
    def get(self, user_id: int, name: str) -> Any | None: ...

    def change(self, user_id: int, name: str, change, now_ms: int) -> Any: ...


class PreferencesService:
    def __init__(self, store: PreferenceStore, symbols: Collection[str]) -> None:
        self._store = store
        self._symbols = symbols

    async def favourites(self, user_id: UserId) -> list[str]:
        """In the order they were added; symbols no longer offered are left out."""
        stored = await asyncio.to_thread(self._store.get, int(user_id), FAVOURITES)
        return self._offered(stored)

    async def set_favourite(self, user_id: UserId, symbol: str, favourite: bool) -> list[str]:
        symbol = symbol.upper()
        if symbol not in self._symbols:
            raise UnknownSymbol(f"There is no symbol {symbol} here.")

        def change(current: Any | None) -> list[str]:
            kept = [s for s in self._offered(current) if s != symbol]
            return [*kept, symbol] if favourite else kept

        now_ms = time.time_ns() // 1_000_000
        return await asyncio.to_thread(self._store.change, int(user_id), FAVOURITES, change, now_ms)

    def _offered(self, stored: Any | None) -> list[str]:
        if not isinstance(stored, list):
            return []
        return [s for s in stored if isinstance(s, str) and s in self._symbols]
