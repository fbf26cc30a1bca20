"""Apply Alembic migrations from code (start-up and tests share this path)."""

from __future__ import annotations

from alembic.config import Config

from alembic import command
from numatix.config import PROJECT_ROOT
from numatix.store.db import normalise_url, private_sqlite_file


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str) -> None:
    private_sqlite_file(database_url)  # before Alembic's own engine creates the file
    command.upgrade(alembic_config(database_url), "head")


if __name__ == "__main__":
    import sys

    from numatix.config import SettingsError, get_settings

    try:
        database_url = get_settings().database_url
    except SettingsError as error:
        sys.exit(f"Numatix configuration error: {error}")
    upgrade_to_head(database_url)
