"""Database engine and sessions for SQLite (default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, InternalError, OperationalError
from sqlmodel import Session, create_engine

CONNECT_TIMEOUT_SECONDS = 5
# The database did not answer (down, unreachable, the connection cut or ended by the
# server, e.g. a transaction left idle too long: psycopg calls that an InternalError):
# nothing about the data itself, so the caller may try again later.
DATABASE_UNREACHABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, InternalError)


def reason(error: Exception) -> str:
    """The driver's first line about why, without the statement and its parameters."""
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here, not psycopg2."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def private_sqlite_file(url: str) -> None:
    """The SQLite file (password hashes, sealed keys) is the owner's alone: created 0600 in a
    0700 folder before SQLite creates it with the umask's 0644, and tightened if it is looser.
    SQLite gives its -wal and -shm files the database file's mode."""
    database = make_url(normalise_url(url)).database if url.startswith("sqlite") else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A database that stops answering must not hold a worker for minutes on a new connection.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})


def _sqlite_pragmas(connection, _record) -> None:
    """WAL lets readers and the single writer work at once; foreign keys are off by default."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
