"""Price alerts in the database, behind the alert service's port (the paper engine's style).

Firing is a claim: an UPDATE that only succeeds while the alert is unfired, so two workers
(or a restart) can never fire it twice. The methods block; the service calls them off the
event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import col, select

from numatix.store.db import session_scope
from numatix.store.tables.alerts import AlertRow


@dataclass(frozen=True, slots=True)
class StoredAlert:
    id: int
    user_id: int
    symbol: str
    direction: str
    price: Decimal
    created_time_ms: int
    triggered_time_ms: int | None
    triggered_price: Decimal | None
    seen: bool


class SqlAlertStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def active(self) -> list[StoredAlert]:
        with session_scope(self._engine) as session:
            query = select(AlertRow).where(col(AlertRow.triggered_time_ms).is_(None))
            return [_alert(row) for row in session.exec(query)]

    def add(self, user_id: int, symbol: str, direction: str, price: Decimal, now_ms: int) -> StoredAlert:
        with session_scope(self._engine) as session:
            row = AlertRow(user_id=user_id, symbol=symbol, direction=direction, price=price,
                           created_time_ms=now_ms)
            session.add(row)
            session.flush()
            return _alert(row)

    def of_user(self, user_id: int) -> list[StoredAlert]:
        """Newest first: active and fired."""
        with session_scope(self._engine) as session:
            query = select(AlertRow).where(AlertRow.user_id == user_id).order_by(col(AlertRow.id).desc())
            return [_alert(row) for row in session.exec(query)]

    def delete(self, user_id: int, alert_id: int) -> StoredAlert | None:
        """The deleted alert; None when the user has no such alert."""
        with session_scope(self._engine) as session:
            row = session.get(AlertRow, alert_id)
            if row is None or row.user_id != user_id:
                return None
            session.delete(row)
            return _alert(row)

    def take_unseen(self, user_id: int) -> list[StoredAlert]:
        """Fired alerts the user has not been shown, marked seen in the same transaction."""
        with session_scope(self._engine) as session:
            rows = list(session.exec(select(AlertRow).where(
                AlertRow.user_id == user_id, col(AlertRow.triggered_time_ms).is_not(None),
                col(AlertRow.seen).is_(False))))
            alerts = [_alert(row) for row in rows]
            session.execute(update(AlertRow).where(col(AlertRow.id).in_([a.id for a in alerts]))
                            .values(seen=True))
            return alerts

    def mark_seen(self, user_id: int, alert_id: int) -> None:
        with session_scope(self._engine) as session:
            session.execute(update(AlertRow)
                            .where(col(AlertRow.id) == alert_id, col(AlertRow.user_id) == user_id)
                            .values(seen=True))

    def claim(self, alert_id: int, time_ms: int, price: Decimal) -> StoredAlert | None:
        """Fire the alert unless it already fired; the fired alert, or None."""
        with session_scope(self._engine) as session:
            result = cast(CursorResult[Any], session.execute(
                update(AlertRow)
                .where(col(AlertRow.id) == alert_id, col(AlertRow.triggered_time_ms).is_(None))
                .values(triggered_time_ms=time_ms, triggered_price=price)))
            row = session.get(AlertRow, alert_id) if result.rowcount == 1 else None
            return None if row is None else _alert(row)


def _alert(row: AlertRow) -> StoredAlert:
    if row.id is None:
        raise ValueError("an alert row read back without its id")
    return StoredAlert(row.id, row.user_id, row.symbol, row.direction, row.price, row.created_time_ms,
                       row.triggered_time_ms, row.triggered_price, row.seen)
