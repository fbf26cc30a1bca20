"""Fencing: the database itself decides which paper engine may write the books.

Each engine claims the next *term* when it starts (a new cluster leader, a restart, a
reload after a failed step): one row of ``paper_engine_fence`` whose number only grows.
Every write transaction of an engine begins by locking that row and comparing the number
with its own: an older number is refused (``FencedOut``) and nothing of the transaction
is written.

Why two engines can never both write, whatever their clocks say (PostgreSQL, READ
COMMITTED):
- an engine transaction holds the row FOR SHARE from its first statement to its end;
- a claim updates the row, so it waits until every transaction holding it has ended;
  a transaction that locks the row after the claim waits for the claim to end and then
  reads the number the claim left;
- so once a claim has committed, each transaction of an older term either committed
  before it (and the new engine, which reads the books only after its claim, sees that
  work) or is refused at its first statement.
Shared locks let one engine run several transactions at once (a group commit, a writer
thread); only a claim waits for them. A paused engine that holds the row mid-transaction
would make the claim wait for ever, so the server ends such a transaction after
``idle_seconds`` of silence (``idle_in_transaction_session_timeout``, set for engine
transactions only): the claim waits at most that long, and the paused engine's commit
fails when it wakes.

SQLite has one writer at a time: there the check is a conditional UPDATE of the row,
which takes the database's write lock until the transaction ends.
"""

from __future__ import annotations

import os
import socket
import time

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from numatix.exchange.paper.store import FencedOut, StoreUnavailable
from numatix.store.db import DATABASE_UNREACHABLE, reason
from numatix.store.tables.paper import PaperEngineFenceRow

FENCE: Table = PaperEngineFenceRow.__table__  # type: ignore[attr-defined]
PAPER_BOOKS = "paper"
CLAIM_WAIT_IDLE_PERIODS = 3  # a claim gives up after this many idle timeouts (something else holds the row)


def this_process() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class EngineFence:
    def __init__(self, engine: Engine, holder: str | None = None, idle_seconds: float = 5.0,
                 name: str = PAPER_BOOKS) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._name = name
        self._holder = holder or this_process()
        self._idle_ms = str(int(idle_seconds * 1000))
        self._claim_wait_ms = str(int(idle_seconds * 1000 * CLAIM_WAIT_IDLE_PERIODS))
        self.term: int | None = None  # None until claimed: nothing to fence (a seeding script, a test)
        insert = postgresql_insert if self._postgres else sqlite_insert
        claiming = insert(FENCE)
        self._claim = claiming.on_conflict_do_update(
            index_elements=["name"],
            set_={"term": FENCE.c.term + 1, "holder": claiming.excluded.holder,
                  "claimed_time_ms": claiming.excluded.claimed_time_ms},
        ).returning(FENCE.c.term)
        self._locking_read = (
            select(FENCE.c.term, func.set_config("idle_in_transaction_session_timeout", self._idle_ms, True))
            .where(FENCE.c.name == name).with_for_update(read=True)
        )

    def claim(self) -> int:
        """The next term, committed before this returns (and so before the new engine reads
        the books): from now on every older term's transaction is refused."""
        try:
            with self._engine.begin() as connection:
                if self._postgres:
                    connection.execute(select(func.set_config("lock_timeout", self._claim_wait_ms, True)))
                term = connection.execute(self._claim, {
                    "name": self._name, "term": 1, "holder": self._holder[:200],
                    "claimed_time_ms": int(time.time() * 1000),
                }).scalar_one()
        except DATABASE_UNREACHABLE as error:
            raise StoreUnavailable(f"could not claim the paper books: {reason(error)}") from error
        self.term = term
        return term

    def check(self, connection: Connection) -> None:
        """The first statement of every write transaction: go on only while this engine's
        term is the newest, and keep it so until the transaction ends."""
        if self.term is None:
            return
        if self._postgres:
            current = connection.execute(self._locking_read).scalar_one_or_none()
        else:
            same_term = update(FENCE).where(FENCE.c.name == self._name, FENCE.c.term == self.term)
            matched = connection.execute(same_term.values(term=FENCE.c.term)).rowcount
            current = self.term if matched == 1 else None
        if current != self.term:
            raise FencedOut(f"the paper books were claimed by a newer engine (term {current or 'newer'} "
                            f"after {self.term}); this engine writes nothing more")
