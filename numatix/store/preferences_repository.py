"""Users' preferences in the database. A change is one transaction that first writes the row
(created if missing, else touched), which takes the row's lock in PostgreSQL and the write lock
in SQLite, and only then reads it: two tabs changing the same preference at once queue, and
neither change is lost. The methods block; the service calls them off the event loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from numatix.store.db import session_scope
from numatix.store.tables.preferences import PreferenceRow

PREFERENCES = cast(Table, PreferenceRow.__table__)  # type: ignore[attr-defined]
MISSING = "null"  # a row created only to be locked: no value yet


class SqlPreferenceStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = sqlite_insert if engine.dialect.name == "sqlite" else postgresql_insert

    def get(self, user_id: int, name: str) -> Any | None:
        with session_scope(self._engine) as session:
            row = session.get(PreferenceRow, (user_id, name))
            return None if row is None else json.loads(row.value)

    def change(self, user_id: int, name: str, change: Callable[[Any | None], Any], now_ms: int) -> Any:
        """``change(current or None)`` gives the new value, which is stored and returned."""
        mine = (PREFERENCES.c.user_id == user_id) & (PREFERENCES.c.name == name)
        with session_scope(self._engine) as session:
            session.execute(self._insert(PREFERENCES).values(user_id=user_id, name=name, value=MISSING,
                                                            updated_time_ms=now_ms)
                            .on_conflict_do_nothing(index_elements=["user_id", "name"]))
            session.execute(update(PREFERENCES).where(mine).values(updated_time_ms=now_ms))
            current = session.execute(select(PREFERENCES.c.value).where(mine)).scalar_one()
            value = change(json.loads(current))
            session.execute(update(PREFERENCES).where(mine).values(
                value=json.dumps(value, separators=(",", ":")), updated_time_ms=now_ms))
            return value
