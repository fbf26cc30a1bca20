"""Real databases for tests: a migrated SQLite file, and PostgreSQL when one is configured.

``NUMATIX_TEST_POSTGRES_URL`` (e.g. ``postgresql://postgres@127.0.0.1:5432/test``) turns
on the PostgreSQL variants; each test gets its own schema so runs never see each other.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from numatix.store.db import make_engine
from numatix.store.migrations import upgrade_to_head

POSTGRES_URL = os.environ.get("NUMATIX_TEST_POSTGRES_URL", "")

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not POSTGRES_URL, reason="NUMATIX_TEST_POSTGRES_URL is not set"),
    ]),
]


def migrated_sqlite_url(directory: Path) -> str:
    url = f"sqlite:///{directory / 'numatix-test.db'}"
    upgrade_to_head(url)
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
