"""Favourite symbols kept per user in a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest

from numatix.domain.symbols import DEFAULT_SYMBOLS
from numatix.services.errors import NotFound
from numatix.services.preferences import PreferencesService
from numatix.store.db import make_engine, session_scope
from numatix.store.preferences_repository import SqlPreferenceStore
from numatix.store.tables.accounts import UserRow


@pytest.fixture
def service(database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        for n in (1, 2):
            session.add(UserRow(id=n, email=f"u{n}@example.com", password_hash="x", created_time_ms=0,
                                password_changed_ms=0))
    yield PreferencesService(SqlPreferenceStore(engine), DEFAULT_SYMBOLS)
    engine.dispose()


async def test_favourites_are_kept_in_order_per_user_and_taken_off(service):
    assert await service.favourites(1) == []
    assert await service.set_favourite(1, "ethusdt", True) == ["ETHUSDT"]
    assert await service.set_favourite(1, "BTCUSDT", True) == ["ETHUSDT", "BTCUSDT"]
    assert await service.set_favourite(1, "ETHUSDT", True) == ["BTCUSDT", "ETHUSDT"]  # once, moved last
    assert await service.favourites(2) == []  # another user's are their own
    assert await service.set_favourite(1, "BTCUSDT", False) == ["ETHUSDT"]
    assert await service.set_favourite(1, "BTCUSDT", False) == ["ETHUSDT"]  # taking off twice is fine
    assert await service.favourites(1) == ["ETHUSDT"]


async def test_an_unknown_symbol_is_refused_and_one_no_longer_offered_is_left_out(service, database_url):
    with pytest.raises(NotFound, match="There is no symbol NOPEUSDT here"):
        await service.set_favourite(1, "NOPEUSDT", True)
    await service.set_favourite(1, "SOLUSDT", True)
    await service.set_favourite(1, "BTCUSDT", True)
    fewer = PreferencesService(SqlPreferenceStore(make_engine(database_url)), {"BTCUSDT"})
    assert await fewer.favourites(1) == ["BTCUSDT"]


async def test_two_tabs_starring_at_once_both_count(service):
    symbols = list(DEFAULT_SYMBOLS)
    await asyncio.gather(*(service.set_favourite(1, symbol, True) for symbol in symbols))
    assert sorted(await service.favourites(1)) == sorted(symbols)
