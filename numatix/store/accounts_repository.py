"""Users, sessions and sealed exchange keys in the database, behind the accounts service's port.

The same style as the paper engine's repository: the service speaks in plain records and
never sees a row or a query; every method is one short transaction. The methods block, so
the service calls them off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from numatix.store.db import session_scope
from numatix.store.tables.accounts import ExchangeKeyRow, SessionRow, UserRow

PAPER = "paper"


class EmailTaken(Exception):
    """Another account already has this email."""


@dataclass(frozen=True, slots=True)
class StoredUser:
    id: int
    email: str
    password_hash: str
    venue: str
    created_time_ms: int = 0


@dataclass(frozen=True, slots=True)
class StoredSession:
    id: str
    user_agent: str
    address: str
    created_time_ms: int
    last_seen_ms: int
    expires_time_ms: int


@dataclass(frozen=True, slots=True)
class StoredKey:
    user_id: int
    venue: str
    signature: str
    api_key_sealed: str
    secret_sealed: str
    api_key_hint: str
    vault_key_id: str
    created_time_ms: int
    checked_time_ms: int


# A key sealed again under the current master key: (api_key_sealed, secret_sealed).
ResealKey = Callable[[StoredKey], tuple[str, str]]


class SqlAccountStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # ------------------------------------------------------------ users
    def add_user(self, email: str, password_hash: str, venue: str, now_ms: int) -> StoredUser:
        try:
            with session_scope(self._engine) as session:
                row = UserRow(email=email, password_hash=password_hash, venue=venue,
                              created_time_ms=now_ms, password_changed_ms=now_ms)
                session.add(row)
                session.flush()
                return _user(row)
        except IntegrityError:
            raise EmailTaken(email) from None

    def user(self, user_id: int) -> StoredUser | None:
        with session_scope(self._engine) as session:
            row = session.get(UserRow, user_id)
            return None if row is None else _user(row)

    def user_by_email(self, email: str) -> StoredUser | None:
        with session_scope(self._engine) as session:
            row = session.exec(select(UserRow).where(UserRow.email == email)).first()
            return None if row is None else _user(row)

    def set_password(self, user_id: int, password_hash: str, changed_ms: int | None = None) -> None:
        """``changed_ms`` None: the same password, re-hashed (it was not changed)."""
        values: dict[str, object] = {"password_hash": password_hash}
        if changed_ms is not None:
            values["password_changed_ms"] = changed_ms
        with session_scope(self._engine) as session:
            session.execute(update(UserRow).where(col(UserRow.id) == user_id).values(**values))

    def set_venue(self, user_id: int, venue: str) -> StoredUser | None:
        with session_scope(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                return None
            row.venue = venue
            session.add(row)
            return _user(row)

    # ------------------------------------------------------------ sessions
    def add_session(self, session_id: str, user_id: int, created_ms: int, expires_ms: int,
                    user_agent: str, address: str = "") -> None:
        with session_scope(self._engine) as session:
            session.add(SessionRow(id=session_id, user_id=user_id, created_time_ms=created_ms,
                                   last_seen_ms=created_ms, expires_time_ms=expires_ms,
                                   user_agent=user_agent[:255], address=address[:64]))

    def touch_session(self, session_id: str, user_id: int, now_ms: int) -> int | None:
        """The session's expiry if it is the user's and live, noting its use; None if not."""
        with session_scope(self._engine) as session:
            row = session.get(SessionRow, session_id)
            if (row is None or row.user_id != user_id or row.revoked_time_ms is not None
                    or row.expires_time_ms <= now_ms):
                return None
            row.last_seen_ms = now_ms
            session.add(row)
            return row.expires_time_ms

    def session_owner(self, session_id: str) -> int | None:
        with session_scope(self._engine) as session:
            row = session.get(SessionRow, session_id)
            return None if row is None else row.user_id

    def live_sessions(self, user_id: int, now_ms: int) -> list[StoredSession]:
        with session_scope(self._engine) as session:
            rows = session.exec(select(SessionRow).where(
                col(SessionRow.user_id) == user_id, col(SessionRow.revoked_time_ms).is_(None),
                col(SessionRow.expires_time_ms) > now_ms)).all()
            return [StoredSession(row.id, row.user_agent, row.address, row.created_time_ms,
                                  max(row.last_seen_ms, row.created_time_ms), row.expires_time_ms)
                    for row in rows]

    def revoke_session(self, session_id: str, now_ms: int) -> None:
        self._revoke(col(SessionRow.id) == session_id, now_ms)

    def revoke_sessions(self, user_id: int, now_ms: int, keep_session_id: str | None = None) -> None:
        condition = col(SessionRow.user_id) == user_id
        if keep_session_id is not None:
            condition = condition & (col(SessionRow.id) != keep_session_id)
        self._revoke(condition, now_ms)

    def _revoke(self, condition, now_ms: int) -> None:
        with session_scope(self._engine) as session:
            session.execute(update(SessionRow).where(condition, col(SessionRow.revoked_time_ms).is_(None))
                            .values(revoked_time_ms=now_ms))

    # ------------------------------------------------------------ exchange keys
    def save_key(self, key: StoredKey) -> None:
        """Replaces the user's earlier key, if any."""
        with session_scope(self._engine) as session:
            session.merge(ExchangeKeyRow(
                user_id=key.user_id, venue=key.venue, signature=key.signature,
                api_key_sealed=key.api_key_sealed, secret_sealed=key.secret_sealed,
                api_key_hint=key.api_key_hint, vault_key_id=key.vault_key_id,
                created_time_ms=key.created_time_ms, checked_time_ms=key.checked_time_ms))

    def key(self, user_id: int) -> StoredKey | None:
        with session_scope(self._engine) as session:
            row = session.get(ExchangeKeyRow, user_id)
            return None if row is None else _key(row)

    def delete_key(self, user_id: int) -> None:
        """The key goes, and the user trades on paper again (which needs none), in one step."""
        with session_scope(self._engine) as session:
            row = session.get(ExchangeKeyRow, user_id)
            if row is not None:
                session.delete(row)
            user = session.get(UserRow, user_id)
            if user is not None and user.venue != PAPER:
                user.venue = PAPER
                session.add(user)

    def keys_not_sealed_under(self, vault_key_id: str) -> int:
        with session_scope(self._engine) as session:
            query = select(ExchangeKeyRow.user_id).where(ExchangeKeyRow.vault_key_id != vault_key_id)
            return len(session.exec(query).all())

    def reseal_one(self, vault_key_id: str, reseal: ResealKey) -> bool:
        """Re-seal one key not yet under ``vault_key_id``, in its own transaction (an interrupted
        run loses nothing). False when none is left."""
        with session_scope(self._engine) as session:
            query = select(ExchangeKeyRow).where(ExchangeKeyRow.vault_key_id != vault_key_id)
            row = session.exec(query).first()
            if row is None:
                return False
            row.api_key_sealed, row.secret_sealed = reseal(_key(row))
            row.vault_key_id = vault_key_id
            session.add(row)
            return True


def _user(row: UserRow) -> StoredUser:
    if row.id is None:
        raise ValueError("a user row read back without its id")
    return StoredUser(row.id, row.email, row.password_hash, row.venue, row.created_time_ms)


def _key(row: ExchangeKeyRow) -> StoredKey:
    return StoredKey(row.user_id, row.venue, row.signature, row.api_key_sealed, row.secret_sealed,
                     row.api_key_hint, row.vault_key_id, row.created_time_ms, row.checked_time_ms)
