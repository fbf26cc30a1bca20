"""Alembic environment: the same migrations for SQLite and PostgreSQL.

The URL comes from the ``sqlalchemy.url`` option when a caller (tests, start-up) sets it,
else from Numatix settings.
"""

from alembic import context
from sqlmodel import SQLModel

import numatix.store.tables  # noqa: F401  (registers every table on the metadata)
from numatix.store.db import make_engine, normalise_url

config = context.config
target_metadata = SQLModel.metadata


def _database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return normalise_url(url)
    from numatix.config import get_settings

    return normalise_url(get_settings().database_url)


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=target_metadata, compare_type=True,
                      render_as_batch=True, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_database_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
