"""Real databases for tests: a migrated SQLite file, and PostgreSQL when one is configured.

``NUMATIX_TEST_POSTGRES_URL`` (e.g. ``postgresql://postgres@127.0.0.1:5432/test``) turns
on the PostgreSQL variants; each test gets its own schema so runs never see each other.

A new SQLite file is a copy of one that every migration was applied to once per test process:
the same bytes the migrations make, without a second of commits and fsyncs per test (the
migrations themselves are tested on both databases in tests/integration/test_migrations.py).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from numatix.store.db import make_engine, normalise_url, private_sqlite_file
from numatix.store.migrations import upgrade_to_head

POSTGRES_URL = os.environ.get("NUMATIX_TEST_POSTGRES_URL", "")

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not POSTGRES_URL, reason="NUMATIX_TEST_POSTGRES_URL is not set"),
    ]),
]


_template: Path | None = None
_template_lock = threading.Lock()


def _sqlite_template() -> Path:
    """This process's SQLite file with every migration applied (made on first use)."""
    global _template
    with _template_lock:
        if _template is None:
            folder = Path(tempfile.mkdtemp(prefix="numatix-migrated-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            upgrade_to_head(f"sqlite:///{folder / 'template.db'}")
            _template = folder / "template.db"
        return _template


def migrated(url: str) -> None:
    """Every migration applied to ``url``: a new SQLite file is copied from the template (with
    SQLite's backup API, so it is whole whatever the journal), anything else is upgraded."""
    database = make_url(normalise_url(url)).database if url.startswith("sqlite") else None
    if not database or database == ":memory:" or database.startswith("file:") or Path(database).exists():
        upgrade_to_head(url)
        return
    private_sqlite_file(url)  # 0600 in a 0700 folder, as the app makes it
    source, target = sqlite3.connect(_sqlite_template()), sqlite3.connect(database)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def migrated_sqlite_url(directory: Path) -> str:
    url = f"sqlite:///{directory / 'numatix-test.db'}"
    migrated(url)
    return url


def migrated_database_url(kind: str, directory: Path) -> Iterator[str]:
    """Yields a URL with every migration applied; drops what it made afterwards."""
    if kind == "sqlite":
        yield migrated_sqlite_url(directory)
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    try:
        upgrade_to_head(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
