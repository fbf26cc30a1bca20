"""The account-value curve in the database, behind the account-value service's port.

Writes are idempotent (a point is unique per user by its key), and the sampler's claim is one
statement that succeeds for exactly one worker while the claim is live. The methods block;
the service calls them off the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from numatix.domain.account_value import KeyedPoint, PointKind, ValuePoint
from numatix.store.tables.accounts import UserRow
from numatix.store.tables.portfolio import AccountValueRow, ValueSampleClaimRow

POINTS: Table = AccountValueRow.__table__  # type: ignore[attr-defined]
CLAIMS: Table = ValueSampleClaimRow.__table__  # type: ignore[attr-defined]
USERS: Table = UserRow.__table__  # type: ignore[attr-defined]


class SqlValueStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = sqlite_insert if engine.dialect.name == "sqlite" else postgresql_insert

    def add(self, points: Sequence[KeyedPoint]) -> int:
        """Store the points not stored yet; how many were new."""
        if not points:
            return 0
        rows = [{"user_id": p.user_id, "time_ms": p.point.time_ms, "value_usdt": p.point.value,
                 "kind": p.point.kind.value, "point_key": p.key} for p in points]
        statement = (self._insert(POINTS).on_conflict_do_nothing(index_elements=["user_id", "point_key"])
                     .returning(POINTS.c.id))
        with self._engine.begin() as connection:
            return sum(1 for row in rows if connection.execute(statement, row).first() is not None)

    def points(self, user_id: int, since_ms: int, until_ms: int, limit: int) -> list[ValuePoint]:
        """Oldest first; the newest ``limit`` of the range when there are more."""
        query = (select(POINTS.c.time_ms, POINTS.c.value_usdt, POINTS.c.kind)
                 .where(POINTS.c.user_id == user_id, POINTS.c.time_ms >= since_ms,
                        POINTS.c.time_ms <= until_ms)
                 .order_by(POINTS.c.time_ms.desc(), POINTS.c.id.desc()).limit(limit))
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [ValuePoint(time_ms, value, PointKind(kind)) for time_ms, value, kind in reversed(rows)]

    def point_before(self, user_id: int, time_ms: int) -> ValuePoint | None:
        query = (select(POINTS.c.time_ms, POINTS.c.value_usdt, POINTS.c.kind)
                 .where(POINTS.c.user_id == user_id, POINTS.c.time_ms < time_ms)
                 .order_by(POINTS.c.time_ms.desc(), POINTS.c.id.desc()).limit(1))
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else ValuePoint(row[0], row[1], PointKind(row[2]))

    def user_ids(self) -> list[int]:
        with self._engine.connect() as connection:
            return [row[0] for row in connection.execute(select(USERS.c.id).order_by(USERS.c.id))]

    def claim(self, bucket_ms: int, worker: str, now_ms: int, lease_ms: int) -> bool:
        """Take the bucket unless it is done or another worker's claim is still live."""
        lapsed_or_ours = (CLAIMS.c.claimed_until_ms < now_ms) | (CLAIMS.c.worker == worker)
        claimable = CLAIMS.c.done.is_(False) & lapsed_or_ours
        statement = self._insert(CLAIMS).values(bucket_ms=bucket_ms, worker=worker,
                                                claimed_until_ms=now_ms + lease_ms, done=False)
        taking = statement.on_conflict_do_update(
            index_elements=["bucket_ms"], set_={"worker": worker, "claimed_until_ms": now_ms + lease_ms},
            where=claimable,
        ).returning(CLAIMS.c.bucket_ms)
        with self._engine.begin() as connection:
            return connection.execute(taking).first() is not None

    def finish(self, bucket_ms: int, worker: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(CLAIMS.update().values(done=True)
                               .where(CLAIMS.c.bucket_ms == bucket_ms, CLAIMS.c.worker == worker))
